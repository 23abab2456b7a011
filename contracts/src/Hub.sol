// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IHub} from "./interfaces/IHub.sol";
import {DisputeContext, DisputeKind, DisputeOutcome, SlotRule, Verdict} from "./types/Dispute.sol";
import {GameContext, GameResult} from "./types/Game.sol";
import {MarketKind, MarketParams} from "./types/Market.sol";
import {
    ParticipantAccount,
    CommunityConfig,
    CommunityInfo,
    CommunityModules,
    CommunityStatus,
    Meter,
    RejectedClaim,
    WindowRecord,
    WindowStatus
} from "./types/Community.sol";
import {MeterTable} from "./libraries/MeterTable.sol";
import {PackedState} from "./libraries/PackedState.sol";
import {Settlement} from "./libraries/Settlement.sol";
import {WindowResult} from "./libraries/WindowResult.sol";

/// @title Hub
/// @notice The DIVERSITY hub (DESIGN.md §5): hosts many communities, holds their bonds and escrow,
/// applies each window's co-signed result exactly once, in window order, and applies the outcome of
/// disputes. Lean core: the checks that vary (fraud proofs, market step, meter and co-signature
/// schemes) are modules fixed at deployment (constructor allow-list, no owner, no upgrade key), named
/// per community at open; the hub pushes them what they need and they never call back.
/// @dev Finalization rule. Window w can be updated only when windows 0..w-1 are final and w's last
/// interval has ended (block.timestamp >= start + (w+1)·W·intervalSeconds). A result signed by every
/// participant is final at once, and replaces a pending claim for the window (the replaced claim is
/// recorded as rejected, without slashing). One signed by at least one but not all is Pending until
/// `submittedAt + challengePeriod` (a dispute may reject it before then), and is finalized by the first
/// of `finalize`, the next `update`, or `close` after that time. At most one window per community is
/// pending at any time (the next one to finalize). A claim is identified by claimHash =
/// keccak256(abi.encode(window, windowRoot, stateHash)); a rejected claim can never be posted again,
/// unless it was only lost by a missed move deadline of the data-availability game (review R5).
/// Money held per token = Σ escrow + Σ bond over open communities + one claim deposit per pending
/// window + Σ withdrawable.
contract Hub is IHub, EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice Most participants a community can have: signers are tracked in a 256-bit bitmap.
    uint256 public constant MAX_PARTICIPANTS = 256;
    /// @notice Share of a slashed amount that goes to the challenger, in basis points.
    uint256 public constant CHALLENGER_SHARE_BPS = Settlement.CHALLENGER_SHARE_BPS;
    /// @notice Claim deposit of a partial claim, and timeout penalty of each of its signers, in basis
    /// points of the community's bond (DESIGN.md §5.3, §5.4).
    uint256 public constant CLAIM_DEPOSIT_BPS = Settlement.CLAIM_DEPOSIT_BPS;

    /// @dev Storage of one community. The first three slots are what `update` reads.
    struct Community {
        CommunityStatus status;
        IERC20 token;
        uint64 start;
        uint32 intervalSeconds;
        uint32 windowIntervals;
        uint32 windowCount;
        uint32 challengePeriod;
        /// Windows final so far = the next window to update.
        uint32 finalizedWindows;
        uint128 bond;
        uint128 escrow;
        /// Bit i = participant i joined.
        uint256 joined;
        /// Σ debt (= Σ claim) over participants.
        uint256 totalDebt;
        MarketParams market;
        address[] participants;
        /// The registered meters, written once at open (`MeterTable`).
        address meterTable;
        uint32 meterCount;
        /// Participant address → index + 1 (0 = not a participant).
        mapping(address => uint256) indexPlusOne;
        mapping(uint256 => ParticipantAccount) accounts;
        mapping(uint32 => WindowRecord) windows;
        /// `net` of each participant in a pending window's final state, applied when it finalizes.
        mapping(uint32 => int128[]) pendingNets;
        CommunityModules modules;
        /// claimHash → the rejected claim (never posted again; disputable for fraud until its deadline).
        mapping(bytes32 => RejectedClaim) rejected;
    }

    /// @notice Number of communities opened so far (ids run from 1 to this).
    uint64 public communityCount;
    /// @notice Balance an address can pull with `withdraw(token)`, per token.
    mapping(IERC20 token => mapping(address holder => uint256)) public withdrawable;

    mapping(uint64 => Community) internal _communities;

    /// @dev Slots voided by a reported equivocation: community → (interval << 32 | meter) → when (block
    /// timestamp; 0 = not voided). A void applies only to claims submitted after it (review R4).
    mapping(uint64 => mapping(uint256 => uint64)) internal _voidedAt;

    /// @inheritdoc IHub
    mapping(address module => bool) public isModuleEnabled;

    /// @inheritdoc IHub
    mapping(bytes32 commitment => uint256 blockNumber) public disputeCommitments;

    /// @param modules The modules communities may name (verifiers, market steps, co-signature and meter
    /// schemes): fixed here for good, no owner can add or remove one.
    constructor(address[] memory modules) EIP712("DIVERSITY Hub", "1") {
        for (uint256 i = 0; i < modules.length; ++i) {
            isModuleEnabled[modules[i]] = true;
            emit ModuleEnabled(modules[i]);
        }
    }

    // ------------------------------------------------------------------ lifecycle

    /// @inheritdoc IHub
    function open(CommunityConfig calldata config) external returns (uint64 communityId) {
        _validateSchedule(config);
        communityId = ++communityCount;
        Community storage c = _communities[communityId];
        c.status = CommunityStatus.Opening;
        c.token = config.token;
        c.start = config.start;
        c.intervalSeconds = config.intervalSeconds;
        c.windowIntervals = config.windowIntervals;
        c.windowCount = config.windowCount;
        c.challengePeriod = config.challengePeriod;
        c.bond = config.bond;
        c.escrow = config.escrow;
        c.market = config.market;
        _setModules(c, config);
        _registerParticipants(c, config.participants);
        _registerMeters(c, config.meters, config.participants.length, config.modules);
        emit CommunityOpened(
            communityId, msg.sender, config.token, config.participants.length, config.meters.length, c.meterTable
        );
    }

    /// @inheritdoc IHub
    function join(uint64 communityId, bytes calldata keyData) external nonReentrant {
        Community storage c = _existing(communityId);
        if (c.status != CommunityStatus.Opening) revert CommunityNotOpening(communityId);
        uint256 index = _indexOf(c, communityId, msg.sender);
        uint256 bit = uint256(1) << index;
        uint256 joined = c.joined;
        if (joined & bit != 0) revert AlreadyJoined(communityId, msg.sender);
        joined |= bit;
        c.joined = joined;
        (uint128 bond, uint128 escrow) = (c.bond, c.escrow);
        ParticipantAccount storage a = c.accounts[index];
        a.escrow = escrow;
        a.bond = bond;
        emit Joined(communityId, msg.sender, bond, escrow);
        if (joined == _all(c.participants.length)) {
            c.status = CommunityStatus.Active;
            emit CommunityActivated(communityId);
        }
        // An allow-listed module, keyed by (this hub, communityId): it cannot touch the hub's state.
        c.modules.coSignature.register(communityId, index, msg.sender, keyData);
        uint256 total = uint256(bond) + escrow;
        if (total > 0) c.token.safeTransferFrom(msg.sender, address(this), total);
    }

    /// @inheritdoc IHub
    function deposit(uint64 communityId, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        (Community storage c, ParticipantAccount storage a) = _ownAccount(communityId);
        a.escrow = (a.escrow + amount).toUint128();
        emit Deposited(communityId, msg.sender, amount);
        c.token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IHub
    function topUpBond(uint64 communityId) external nonReentrant {
        (Community storage c, ParticipantAccount storage a) = _ownAccount(communityId);
        uint128 bond = c.bond;
        uint256 missing = bond - a.bond;
        if (missing == 0) revert BondAlreadyWhole(communityId, msg.sender);
        a.bond = bond;
        emit BondToppedUp(communityId, msg.sender, missing);
        c.token.safeTransferFrom(msg.sender, address(this), missing);
    }

    /// @dev The caller's account in a community it joined that is not closed.
    function _ownAccount(uint64 communityId) internal view returns (Community storage c, ParticipantAccount storage) {
        c = _existing(communityId);
        if (c.status == CommunityStatus.Closed) revert CommunityAlreadyClosed(communityId);
        uint256 index = _indexOf(c, communityId, msg.sender);
        if (c.joined & (uint256(1) << index) == 0) revert NotJoined(communityId, msg.sender);
        return (c, c.accounts[index]);
    }

    /// @inheritdoc IHub
    function update(
        uint64 communityId,
        uint32 window,
        bytes32 windowRoot,
        bytes calldata finalState,
        bytes calldata coSignature
    ) external {
        Community storage c = _active(communityId);
        _finalizeDue(c, communityId);
        _checkUpdatable(c, communityId, window);
        (int256[] memory nets, bytes32 stateHash) = PackedState.decode(finalState, c.participants.length);
        uint256 signers = _coSigners(c, communityId, window, windowRoot, stateHash, coSignature);
        bool full = signers == _all(nets.length);
        WindowRecord storage rec = c.windows[window];
        if (rec.status == WindowStatus.Pending) _replacePending(c, communityId, window, windowRoot, stateHash, full);
        rec.windowRoot = windowRoot;
        rec.stateHash = stateHash;
        rec.signers = signers;
        rec.submittedAt = uint64(block.timestamp);
        rec.submitter = msg.sender;
        if (full) {
            rec.status = WindowStatus.Final;
            _apply(c, communityId, window, nets);
            emit WindowFinalized(communityId, window, windowRoot, stateHash, signers);
        } else {
            rec.status = WindowStatus.Pending;
            _pend(c, communityId, window, signers, nets);
            emit WindowClaimed(
                communityId, window, msg.sender, windowRoot, stateHash, signers, block.timestamp + c.challengePeriod
            );
            // The submitter stakes the claim deposit (review R9); pulled last.
            uint256 stake = Settlement.claimDeposit(c.bond);
            if (stake > 0) c.token.safeTransferFrom(msg.sender, address(this), stake);
        }
    }

    /// @dev Keeps a partial claim's nets until it finalizes; only a signer with its whole bond at stake
    /// counts (review R6).
    function _pend(Community storage c, uint64 communityId, uint32 window, uint256 signers, int256[] memory nets)
        internal
    {
        Settlement.requireWholeBonds(c.accounts, signers, c.bond, communityId);
        c.pendingNets[window] = _narrow(nets);
    }

    /// @dev The co-signers of claim (window, windowRoot, stateHash); reverts if the claim was rejected before.
    function _coSigners(
        Community storage c,
        uint64 communityId,
        uint32 window,
        bytes32 windowRoot,
        bytes32 stateHash,
        bytes calldata coSignature
    ) internal view returns (uint256) {
        bytes32 claim = claimHash(window, windowRoot, stateHash);
        // A claim proven wrong (or replaced) can never come back; one lost by a missed move deadline was
        // not proven wrong and may (review R5: a window's commitment is deterministic).
        RejectedClaim storage r = c.rejected[claim];
        if (r.deadline != 0 && !r.timedOut) revert ClaimWasRejected(communityId, claim);
        bytes32 digest = _hashTypedDataV4(WindowResult.structHash(communityId, window, windowRoot, stateHash));
        return c.modules.coSignature.verify(communityId, digest, c.participants.length, coSignature);
    }

    /// @dev A fully signed result always beats a pending claim (which anyone could have made pending by
    /// posting a subset of the signatures first); a partial one never does. The replaced claim is
    /// discarded without slashing, but stays disputable for fraud until its deadline.
    function _replacePending(
        Community storage c,
        uint64 communityId,
        uint32 window,
        bytes32 windowRoot,
        bytes32 stateHash,
        bool full
    ) internal {
        if (!full) revert WindowPending(communityId, window);
        WindowRecord storage rec = c.windows[window];
        bytes32 pending = claimHash(window, rec.windowRoot, rec.stateHash);
        bytes32 claim = claimHash(window, windowRoot, stateHash);
        if (pending != claim) {
            _recordRejected(c, communityId, window, pending, rec, false, false);
            emit ClaimSuperseded(communityId, window, pending, claim);
        }
        // Not proven wrong: its deposit goes back.
        _returnDeposit(c, communityId, window, rec.submitter);
        delete c.pendingNets[window];
    }

    /// @inheritdoc IHub
    function finalize(uint64 communityId) external {
        Community storage c = _active(communityId);
        uint32 window = c.finalizedWindows;
        WindowRecord storage rec = c.windows[window];
        if (rec.status != WindowStatus.Pending) revert NoPendingWindow(communityId);
        uint256 endsAt = uint256(rec.submittedAt) + c.challengePeriod;
        // Second-level timestamp drift is irrelevant against interval and challenge lengths.
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp < endsAt) revert ChallengePeriodNotOver(communityId, window, endsAt);
        if (_gameOpen(c, communityId)) revert GameInProgress(communityId, window);
        _finalizePending(c, communityId, window);
    }

    /// @inheritdoc IHub
    function close(uint64 communityId) external {
        Community storage c = _existing(communityId);
        CommunityStatus status = c.status;
        if (status == CommunityStatus.Closed) revert CommunityAlreadyClosed(communityId);
        if (status == CommunityStatus.Opening) {
            // Abort: someone never joined; any participant may free the deposits of those who did.
            _indexOf(c, communityId, msg.sender);
        } else {
            _finalizeDue(c, communityId);
            if (c.finalizedWindows < c.windowCount) {
                revert WindowsNotFinal(communityId, c.finalizedWindows, c.windowCount);
            }
            // A challenge bond is returned or paid out only by a move, which needs an Active community.
            if (_gameOpen(c, communityId)) revert GameInProgress(communityId, c.finalizedWindows);
        }
        c.status = CommunityStatus.Closed;
        _refund(c, communityId);
        emit CommunityClosed(communityId, c.finalizedWindows);
    }

    /// @inheritdoc IHub
    function repayDebt(uint64 communityId, address participant, uint256 amount) external nonReentrant {
        Community storage c = _existing(communityId);
        if (amount == 0) revert ZeroAmount();
        ParticipantAccount storage a = c.accounts[_indexOf(c, communityId, participant)];
        uint256 debt = a.debt;
        if (amount > debt) revert RepayExceedsDebt(communityId, participant, debt, amount);
        // Below the uint128 debt it is subtracted from.
        // forge-lint: disable-next-line(unsafe-typecast)
        a.debt = uint128(debt - amount);
        emit DebtRepaid(communityId, participant, msg.sender, amount);
        _payClaims(c, communityId, amount);
        c.token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IHub
    function withdraw(IERC20 token) external nonReentrant {
        uint256 amount = withdrawable[token][msg.sender];
        if (amount == 0) revert NothingToWithdraw(token, msg.sender);
        withdrawable[token][msg.sender] = 0;
        emit Withdrawn(msg.sender, token, amount);
        token.safeTransfer(msg.sender, amount);
    }

    // ------------------------------------------------------------------ disputes

    /// @inheritdoc IHub
    function commitDispute(bytes32 commitment) external {
        // The earliest block counts: nobody can push a commitment later by committing it again.
        if (disputeCommitments[commitment] == 0) disputeCommitments[commitment] = block.number;
        emit DisputeCommitted(msg.sender, commitment);
    }

    /// @inheritdoc IHub
    function dispute(
        uint64 communityId,
        uint32 window,
        bytes32 windowRoot,
        bytes32 stateHash,
        DisputeKind kind,
        bytes calldata proof
    ) external {
        Community storage c = _active(communityId);
        _consumeCommitment(communityId, window, kind, proof);
        DisputeContext memory ctx = _context(c, communityId, window);
        bool equivocation = kind == DisputeKind.Equivocation;
        bytes32 claim;
        bool pending;
        uint256 submittedAt;
        if (!equivocation) (pending, claim, submittedAt) = _disputedClaim(c, ctx, windowRoot, stateHash);
        // Reverts unless the proof proves what its kind says.
        DisputeOutcome memory out = c.modules.verifier.verify(ctx, kind, proof);
        emit Disputed(communityId, window, kind, msg.sender);
        _applyDispute(c, communityId, window, claim, pending, submittedAt, equivocation, out);
    }

    /// @dev Applies a proven dispute's outcome to the claim it names (none for an equivocation).
    function _applyDispute(
        Community storage c,
        uint64 communityId,
        uint32 window,
        bytes32 claim,
        bool pending,
        uint256 submittedAt,
        bool equivocation,
        DisputeOutcome memory out
    ) internal {
        _applySlotRule(communityId, out.slotRule, out.slot, submittedAt);
        if (!equivocation) _rejectClaim(c, communityId, window, claim, pending, out.verdict == Verdict.Fraud, false);
        // A pending claim rejected for any reason forfeits its deposit (review R9); an equivocation costs
        // its fixed amount, from the escrow once the bond is spent (review R4).
        uint256 forfeited = pending ? Settlement.claimDeposit(c.bond) : 0;
        if (out.slashCap > 0 || forfeited > 0) {
            _slash(c, communityId, Settlement.Penalty(out.offenders, out.slashCap, forfeited, equivocation), msg.sender);
        }
    }

    /// @inheritdoc IHub
    function playGame(uint64 communityId, uint32 window, bytes calldata move) external {
        Community storage c = _active(communityId);
        WindowRecord storage rec = c.windows[window];
        bytes32 claim;
        if (rec.status == WindowStatus.Pending) claim = claimHash(window, rec.windowRoot, rec.stateHash);
        (GameResult result, address challenger, uint256 bond) = c.modules.game
            .play(
                GameContext(
                    communityId,
                    window,
                    c.windowIntervals,
                    msg.sender,
                    claim,
                    rec.windowRoot,
                    uint64(uint256(rec.submittedAt) + c.challengePeriod),
                    c.bond,
                    c.meterCount
                ),
                move
            );
        if (result == GameResult.Opened) {
            // The token is pulled last (checks-effects-interactions).
            c.token.safeTransferFrom(msg.sender, address(this), bond);
        } else if (result == GameResult.ChallengerLost) {
            // The claim was opened (or the challenger gave up): the bond goes to the claim's signers.
            Settlement.credit(c.accounts, rec.signers, c.participants.length, bond);
        } else if (result != GameResult.Continue) {
            withdrawable[c.token][challenger] += bond;
            if (result == GameResult.ClaimantLost) {
                // A missed deadline is not proven fraud (review R5): the claim is rejected but not banned,
                // and each signer loses a bounded penalty, the claim deposit's size, not its whole bond.
                uint256 signers = rec.signers;
                uint256 penalty = Settlement.claimDeposit(c.bond);
                _rejectClaim(c, communityId, window, claim, true, false, true);
                // With the forfeited claim deposit (review R9).
                _slash(c, communityId, Settlement.Penalty(signers, penalty, penalty, false), challenger);
            } else {
                // Void: the game's claim (the move's second word) was rejected or replaced while the game
                // was open; it stays disputable for fraud one move deadline past the game (review P1).
                RejectedClaim storage r = c.rejected[bytes32(move[32:64])];
                // A timestamp plus a uint32: far below 2^64.
                // forge-lint: disable-next-line(unsafe-typecast)
                uint64 until = uint64(block.timestamp + c.modules.game.moveDeadline());
                if (r.deadline < until) r.deadline = until;
            }
        }
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IHub
    function claimHash(uint32 window, bytes32 windowRoot, bytes32 stateHash) public pure returns (bytes32) {
        return keccak256(abi.encode(window, windowRoot, stateHash));
    }

    /// @inheritdoc IHub
    function rejectedClaim(uint64 communityId, bytes32 claim) external view returns (RejectedClaim memory) {
        return _existing(communityId).rejected[claim];
    }

    /// @inheritdoc IHub
    function isVoided(uint64 communityId, uint32 meterIndex, uint32 interval) external view returns (bool) {
        return _voidedAt[communityId][(uint256(interval) << 32) | meterIndex] != 0;
    }

    /// @inheritdoc IHub
    function community(uint64 communityId) external view returns (CommunityInfo memory info) {
        Community storage c = _existing(communityId);
        info.status = c.status;
        info.token = c.token;
        info.start = c.start;
        info.intervalSeconds = c.intervalSeconds;
        info.windowIntervals = c.windowIntervals;
        info.windowCount = c.windowCount;
        info.challengePeriod = c.challengePeriod;
        info.bond = c.bond;
        info.escrow = c.escrow;
        info.market = c.market;
        info.participantCount = uint32(c.participants.length);
        info.meterCount = c.meterCount;
        info.joined = c.joined;
        info.finalizedWindows = c.finalizedWindows;
        info.totalDebt = c.totalDebt;
        info.modules = c.modules;
    }

    /// @inheritdoc IHub
    function participants(uint64 communityId) external view returns (address[] memory) {
        return _existing(communityId).participants;
    }

    /// @inheritdoc IHub
    function meterTable(uint64 communityId) external view returns (address) {
        return _existing(communityId).meterTable;
    }

    /// @inheritdoc IHub
    function windowRecord(uint64 communityId, uint32 window) external view returns (WindowRecord memory) {
        return _existing(communityId).windows[window];
    }

    /// @inheritdoc IHub
    function account(uint64 communityId, uint256 index) external view returns (ParticipantAccount memory) {
        return _existing(communityId).accounts[index];
    }

    // ------------------------------------------------------------------ disputes (internals)

    /// @dev Reverts unless msg.sender committed to exactly this dispute in an earlier block; consumes it.
    /// A copy-cat who sees the reveal in the mempool has no commitment of its own from an earlier block.
    function _consumeCommitment(uint64 communityId, uint32 window, DisputeKind kind, bytes calldata proof) internal {
        bytes32 commitment = keccak256(abi.encode(msg.sender, communityId, window, kind, keccak256(proof)));
        uint256 at = disputeCommitments[commitment];
        if (at == 0 || at >= block.number) revert DisputeNotCommitted(commitment);
        delete disputeCommitments[commitment];
    }

    /// @dev What the verifier needs, pushed from storage (the claim's fields are filled by the caller).
    function _context(Community storage c, uint64 communityId, uint32 window)
        internal
        view
        returns (DisputeContext memory ctx)
    {
        ctx.hub = address(this);
        ctx.communityId = communityId;
        ctx.window = window;
        ctx.start = c.start;
        ctx.intervalSeconds = c.intervalSeconds;
        ctx.windowIntervals = c.windowIntervals;
        ctx.windowCount = c.windowCount;
        // At most MAX_PARTICIPANTS.
        // forge-lint: disable-next-line(unsafe-typecast)
        ctx.participantCount = uint32(c.participants.length);
        ctx.bond = c.bond;
        ctx.market = c.market;
        ctx.marketStep = c.modules.market;
        ctx.meterSchemes = c.modules.meterSchemes;
        ctx.meterTable = c.meterTable;
        ctx.meterCount = c.meterCount;
        ctx.disputer = c.indexPlusOne[msg.sender];
    }

    /// @dev The claim (ctx.window, windowRoot, stateHash) a dispute names: the window's pending claim in
    /// its challenge period, or a rejected claim before its deadline not slashed yet. Fills its fields in.
    function _disputedClaim(Community storage c, DisputeContext memory ctx, bytes32 windowRoot, bytes32 stateHash)
        internal
        returns (bool pending, bytes32 claim, uint256 submittedAt)
    {
        uint64 communityId = ctx.communityId;
        uint32 window = ctx.window;
        // A claim whose challenge period is over is final (a revert later undoes the finalization).
        _finalizeDue(c, communityId);
        claim = claimHash(window, windowRoot, stateHash);
        WindowRecord storage rec = c.windows[window];
        pending = rec.status == WindowStatus.Pending && rec.windowRoot == windowRoot && rec.stateHash == stateHash;
        if (pending) {
            ctx.signers = rec.signers;
            submittedAt = rec.submittedAt;
        } else {
            // A rejected claim stays disputable for fraud until its deadline, and while a game of the
            // community is open (review P1: a game may open the claim's step after its deadline).
            RejectedClaim storage r = c.rejected[claim];
            uint64 deadline = r.deadline;
            // Second-level timestamp drift is irrelevant against challenge lengths.
            // forge-lint: disable-next-line(block-timestamp)
            if (deadline == 0 || (deadline <= block.timestamp && !_gameOpen(c, communityId))) {
                revert ClaimNotDisputable(communityId, window, claim);
            }
            if (r.slashed) revert ClaimAlreadySlashed(communityId, claim);
            ctx.signers = r.signers;
            submittedAt = r.deadline - c.challengePeriod;
        }
        ctx.windowRoot = windowRoot;
        ctx.stateHash = stateHash;
    }

    /// @dev A pending claim proven wrong is rejected (slashed or not); a rejected one can only be slashed.
    function _rejectClaim(
        Community storage c,
        uint64 communityId,
        uint32 window,
        bytes32 claim,
        bool pending,
        bool fraud,
        bool timedOut
    ) internal {
        if (pending) {
            _recordRejected(c, communityId, window, claim, c.windows[window], fraud, timedOut);
            delete c.windows[window];
            delete c.pendingNets[window];
        } else {
            // Nothing left to do against a rejected claim but slash it, once (and ban it for good).
            if (!fraud) revert ClaimNotDisputable(communityId, window, claim);
            RejectedClaim storage r = c.rejected[claim];
            r.slashed = true;
            r.timedOut = false;
        }
    }

    /// @dev `submittedAt`: when the disputed claim was submitted. A void applies only to claims submitted
    /// after it (a claim cannot have known of a later one, review R4); an omission stays excused by a void
    /// of any time (the honest result folds the voided slot as absent).
    function _applySlotRule(uint64 communityId, SlotRule rule, uint256 slot, uint256 submittedAt) internal {
        if (rule == SlotRule.None) return;
        uint256 voidedAt = _voidedAt[communityId][slot];
        // Truncations recover (meter, interval) from interval << 32 | meter for the error only.
        // forge-lint: disable-next-item(unsafe-typecast)
        if (rule == SlotRule.MustNotBeVoided) {
            if (voidedAt != 0) revert SlotVoided(uint32(slot), uint32(slot >> 32));
        } else if (rule == SlotRule.MustBeVoided) {
            // Second-level timestamp drift is irrelevant: a void in the claim's own second does not count.
            // forge-lint: disable-next-line(block-timestamp)
            if (voidedAt == 0 || voidedAt >= submittedAt) revert SlotNotVoided(uint32(slot), uint32(slot >> 32));
        } else {
            // Each equivocation is slashed once.
            if (voidedAt != 0) revert SlotAlreadyVoided(uint32(slot), uint32(slot >> 32));
            _voidedAt[communityId][slot] = uint64(block.timestamp);
        }
    }

    /// @dev Records claim `claim` (the one in `rec`) as rejected, keeping its original deadline.
    function _recordRejected(
        Community storage c,
        uint64 communityId,
        uint32 window,
        bytes32 claim,
        WindowRecord storage rec,
        bool slashed,
        bool timedOut
    ) internal {
        uint256 signers = rec.signers;
        RejectedClaim storage r = c.rejected[claim];
        r.signers = signers;
        r.deadline = uint64(uint256(rec.submittedAt) + c.challengePeriod);
        r.slashed = slashed;
        r.timedOut = timedOut;
        emit ClaimRejected(communityId, window, claim, signers, slashed);
    }

    /// @dev Applies penalty `p` and shares the total out (Settlement.slash: the rule, and why money is
    /// conserved).
    function _slash(Community storage c, uint64 communityId, Settlement.Penalty memory p, address challenger) internal {
        Settlement.slash(
            c.accounts,
            withdrawable[c.token],
            c.participants.length,
            c.indexPlusOne[challenger],
            p,
            challenger,
            communityId
        );
    }

    /// @dev Returns a pending claim's deposit to its submitter (the claim finalized, or was replaced).
    function _returnDeposit(Community storage c, uint64 communityId, uint32 window, address submitter) internal {
        uint256 amount = Settlement.claimDeposit(c.bond);
        if (amount == 0) return;
        withdrawable[c.token][submitter] += amount;
        emit ClaimDepositReturned(communityId, window, submitter, amount);
    }

    /// @dev Whether a data-availability game of the community is open (keyed by community: a game in
    /// another community never holds this one's claim; one against a claim no longer pending ends Void
    /// at anyone's next move).
    function _gameOpen(Community storage c, uint64 communityId) internal view returns (bool) {
        return c.modules.game.openGames(address(this), communityId) != 0;
    }

    /// @dev Bitmap with bits 0..n-1 set: every one of `n` (<= 256) participants.
    function _all(uint256 n) internal pure returns (uint256) {
        return n == 256 ? type(uint256).max : (uint256(1) << n) - 1;
    }

    // ------------------------------------------------------------------ internals

    function _existing(uint64 communityId) internal view returns (Community storage c) {
        c = _communities[communityId];
        if (c.status == CommunityStatus.None) revert UnknownCommunity(communityId);
    }

    function _active(uint64 communityId) internal view returns (Community storage c) {
        c = _existing(communityId);
        CommunityStatus status = c.status;
        if (status == CommunityStatus.Closed) revert CommunityAlreadyClosed(communityId);
        if (status != CommunityStatus.Active) revert CommunityNotActive(communityId);
    }

    function _indexOf(Community storage c, uint64 communityId, address who) internal view returns (uint256) {
        uint256 indexPlusOne = c.indexPlusOne[who];
        if (indexPlusOne == 0) revert NotParticipant(communityId, who);
        return indexPlusOne - 1;
    }

    function _validateSchedule(CommunityConfig calldata config) internal pure {
        if (config.intervalSeconds == 0) revert ZeroIntervalSeconds();
        if (config.windowIntervals == 0) revert ZeroWindowIntervals();
        if (config.windowCount == 0) revert ZeroWindowCount();
        if (config.challengePeriod == 0) revert ZeroChallengePeriod();
        if (address(config.token) == address(0)) revert ZeroToken();
        MarketParams calldata m = config.market;
        if (m.gridBuyPrice < m.gridSellPrice) revert InvalidPrices(m.gridBuyPrice, m.gridSellPrice);
        uint256 intervals = uint256(config.windowCount) * config.windowIntervals;
        // Interval numbers (uint32 in readings and leaves) never wrap.
        if (intervals > type(uint32).max) revert TooManyIntervals(intervals);
        uint256 end = uint256(config.start) + intervals * config.intervalSeconds;
        if (end > type(uint64).max) revert ScheduleOverflow();
        // Every honest state can be posted: a participant's window energy is at most W·M·(2^32 − 1) Wh
        // (uint64 fields), and |net| at most its value at the P2P price (int128 in pending storage): the
        // midpoint (buy + sell) / 2, or for the auction a midpoint of two prices at most buy (bids are capped).
        uint256 maxEnergy = uint256(config.windowIntervals) * config.meters.length * type(uint32).max;
        if (maxEnergy > type(uint64).max) revert EnergyBoundOverflow(maxEnergy);
        uint256 maxValue = maxEnergy
            * (uint256(m.gridBuyPrice) + (m.kind == MarketKind.Auction ? m.gridBuyPrice : m.gridSellPrice)) / 2000;
        if (maxValue > uint256(uint128(type(int128).max))) revert ValueBoundOverflow(maxValue);
    }

    /// @dev Every module must be on the allow-list, and the market module must compute the market kind.
    function _setModules(Community storage c, CommunityConfig calldata config) internal {
        CommunityModules calldata mods = config.modules;
        _requireEnabled(address(mods.verifier));
        _requireEnabled(address(mods.market));
        _requireEnabled(address(mods.coSignature));
        _requireEnabled(address(mods.game));
        uint256 schemes = mods.meterSchemes.length;
        for (uint256 i = 0; i < schemes; ++i) {
            _requireEnabled(address(mods.meterSchemes[i]));
        }
        if (mods.market.kind() != config.market.kind) revert MarketKindMismatch();
        c.modules = mods;
    }

    function _requireEnabled(address module) internal view {
        if (!isModuleEnabled[module]) revert ModuleNotEnabled(module);
    }

    function _registerParticipants(Community storage c, address[] calldata list) internal {
        uint256 n = list.length;
        if (n == 0) revert NoParticipants();
        if (n > MAX_PARTICIPANTS) revert TooManyParticipants(n, MAX_PARTICIPANTS);
        for (uint256 i = 0; i < n; ++i) {
            address p = list[i];
            if (p == address(0)) revert ZeroParticipant(i);
            if (c.indexPlusOne[p] != 0) revert DuplicateParticipant(p);
            c.indexPlusOne[p] = i + 1;
        }
        c.participants = list;
    }

    function _registerMeters(
        Community storage c,
        Meter[] calldata list,
        uint256 participantCount,
        CommunityModules calldata mods
    ) internal {
        uint256 count = list.length;
        if (count == 0) revert NoMeters();
        if (count > MeterTable.MAX_METERS) revert TooManyMeters(count, MeterTable.MAX_METERS);
        for (uint256 j = 0; j < count; ++j) {
            Meter calldata m = list[j];
            if (m.owner >= participantCount) revert MeterOwnerOutOfRange(j, m.owner);
            if (m.scheme >= mods.meterSchemes.length) revert MeterSchemeOutOfRange(j, m.scheme);
            // Length, and no small-order Ed25519 key or P-256 point off the curve (the scheme checks).
            if (m.publicKey.length > MeterTable.MAX_KEY_LENGTH || !mods.meterSchemes[m.scheme].isValidKey(m.publicKey))
            {
                revert InvalidMeterKey(j);
            }
        }
        // Fits: count <= MAX_METERS.
        // forge-lint: disable-next-line(unsafe-typecast)
        c.meterCount = uint32(count);
        c.meterTable = MeterTable.write(list);
    }

    /// @dev Reverts unless `window` is the next window to finalize and has ended (a pending claim is
    /// handled by `update`).
    function _checkUpdatable(Community storage c, uint64 communityId, uint32 window) internal view {
        uint32 windowCount = c.windowCount;
        if (window >= windowCount) revert WindowOutOfRange(communityId, window, windowCount);
        uint32 next = c.finalizedWindows;
        if (window < next) revert WindowAlreadyFinal(communityId, window);
        if (window > next) revert WindowOutOfOrder(communityId, window, next);
        uint256 endsAt = uint256(c.start) + (uint256(window) + 1) * c.windowIntervals * c.intervalSeconds;
        // Second-level timestamp drift is irrelevant against interval and challenge lengths.
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp < endsAt) revert WindowNotEnded(communityId, window, endsAt);
    }

    function _narrow(int256[] memory nets) internal pure returns (int128[] memory narrow) {
        uint256 n = nets.length;
        narrow = new int128[](n);
        for (uint256 i = 0; i < n; ++i) {
            narrow[i] = int128(nets[i]);
        }
    }

    /// @dev Finalizes the pending window if its challenge period is over; returns whether it did.
    function _finalizeDue(Community storage c, uint64 communityId) internal returns (bool) {
        uint32 window = c.finalizedWindows;
        WindowRecord storage rec = c.windows[window];
        if (rec.status != WindowStatus.Pending) return false;
        // Second-level timestamp drift is irrelevant against interval and challenge lengths.
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp < uint256(rec.submittedAt) + c.challengePeriod) return false;
        if (_gameOpen(c, communityId)) return false;
        _finalizePending(c, communityId, window);
        return true;
    }

    function _finalizePending(Community storage c, uint64 communityId, uint32 window) internal {
        WindowRecord storage rec = c.windows[window];
        rec.status = WindowStatus.Final;
        int128[] storage stored = c.pendingNets[window];
        uint256 n = stored.length;
        int256[] memory nets = new int256[](n);
        for (uint256 i = 0; i < n; ++i) {
            nets[i] = stored[i];
        }
        delete c.pendingNets[window];
        _returnDeposit(c, communityId, window, rec.submitter);
        _apply(c, communityId, window, nets);
        emit WindowFinalized(communityId, window, rec.windowRoot, rec.stateHash, rec.signers);
    }

    /// @dev Marks `window` applied and runs the reaction (exactly once per window: `finalizedWindows` only grows).
    function _apply(Community storage c, uint64 communityId, uint32 window, int256[] memory nets) internal {
        c.finalizedWindows = window + 1;
        uint256 shortfall = Settlement.settle(c.accounts, nets, communityId, window);
        if (shortfall > 0) c.totalDebt += shortfall;
    }

    /// @dev Passes `amount` of repaid debt to the participants with claims (Settlement.payClaims).
    function _payClaims(Community storage c, uint64 communityId, uint256 amount) internal {
        uint256 totalClaims = c.totalDebt;
        c.totalDebt = totalClaims - amount;
        Settlement.payClaims(
            c.accounts,
            c.participants,
            withdrawable[c.token],
            amount,
            totalClaims,
            c.status == CommunityStatus.Closed,
            communityId
        );
    }

    /// @dev Moves every participant's escrow and bond to its withdrawable balance, first repaying its own
    /// debt (Settlement.refund); what was repaid goes on to the participants with claims.
    function _refund(Community storage c, uint64 communityId) internal {
        uint256 repaid = Settlement.refund(c.accounts, c.participants, withdrawable[c.token], communityId);
        if (repaid > 0) _payClaims(c, communityId, repaid);
    }
}
