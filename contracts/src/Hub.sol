// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IHub} from "./interfaces/IHub.sol";
import {HubSetup} from "./HubSetup.sol";
import {HubStorage} from "./HubStorage.sol";
import {DisputeContext, DisputeKind, DisputeOutcome, Verdict} from "./types/Dispute.sol";
import {GameContext, GameResult} from "./types/Game.sol";
import {MarketKind, MarketParams} from "./types/Market.sol";
import {
    Balance,
    ClaimTerms,
    CommunityInfo,
    CommunityModules,
    CommunityStatus,
    Member,
    MemberState,
    Pool,
    OpenConfig,
    RejectedClaim,
    WindowRecord,
    WindowStatus
} from "./types/Community.sol";
import {Balances} from "./libraries/Balances.sol";
import {MeterRegistry} from "./libraries/MeterRegistry.sol";
import {Settlement} from "./libraries/Settlement.sol";
import {SignerBitmap} from "./libraries/SignerBitmap.sol";
import {WindowResult} from "./libraries/WindowResult.sol";

/// @title Hub
/// @notice The DIVERSITY hub (DESIGN.md §5): hosts many communities, holds their bonds, escrow and
/// credit, accepts each window's co-signed result exactly once, in window order, applies the outcome of
/// disputes, and pays members out at close from the last window's balances root. Lean core: the checks
/// that vary (fraud proofs, market step, meter and co-signature schemes) are modules fixed at deployment
/// (constructor allow-list, no owner, no upgrade key), named per community at open; the hub pushes them
/// what they need and they never call back.
/// @dev Finalization rule. Window w can be updated only when windows 0..w-1 are final and w's last
/// interval has ended (block.timestamp >= start + (w+1)·W·intervalSeconds). A result signed by every
/// participant is final at once, and replaces a pending claim for the window (the replaced claim is
/// recorded as rejected, without slashing). One signed by at least one but not all is Pending until
/// `submittedAt + challengePeriod` (a dispute may reject it before then), and is finalized by the first
/// of `finalize`, the next `update`, or `close` after that time. At most one window per community is
/// pending at any time (the next one to finalize). A claim is identified by claimHash =
/// keccak256(abi.encode(window, windowRoot, stateHash, balancesRoot)); a rejected claim can never be
/// posted again, unless it was only lost by a missed move deadline of the data-availability game
/// (review R5).
/// Money (DESIGN.md §5.6). The positions (escrow, debt, claim) live in each window's balances root: no
/// `update` or `finalize` writes an account, and the bond is a stake only (the reaction never draws
/// it). On chain, per member: what its bond lacks (`bondMissing`) and its `credit`. Per community:
/// `held`, the tokens that came in for it (joins, deposits, top-ups, claim and challenge deposits) less
/// what went out (claims, moves to `withdrawable`); no payout of a community may exceed it
/// (`CommunityFundsExceeded`), so Σ held + Σ withdrawable = the hub's balance of each token, and one
/// community's root can never pay out another's money.
contract Hub is IHub, HubStorage {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice Most participants a community can have (`SignerBitmap.MAX_PARTICIPANTS` = 1,024): a signer
    /// set is ⌈N/256⌉ words of bitmap.
    uint256 public constant MAX_PARTICIPANTS = SignerBitmap.MAX_PARTICIPANTS;
    /// @notice Share of a slashed amount that goes to the challenger, in basis points.
    uint256 public constant CHALLENGER_SHARE_BPS = Settlement.CHALLENGER_SHARE_BPS;
    /// @notice Claim deposit of a partial claim, and timeout penalty of each of its signers, in basis
    /// points of the community's bond (DESIGN.md §5.3, §5.4).
    uint256 public constant CLAIM_DEPOSIT_BPS = Settlement.CLAIM_DEPOSIT_BPS;

    /// @dev The `HubSetup` this hub's constructor created: `open`, `openTogether`, `join` and `community` run
    /// there, on the hub's storage (`_delegateToSetup`). Its code is fixed with the hub's (no upgrade key).
    address private immutable _SETUP;

    /// @param modules The modules communities may name (verifiers, market steps, co-signature and meter
    /// schemes): fixed here for good, no owner can add or remove one.
    constructor(address[] memory modules) {
        for (uint256 i = 0; i < modules.length; ++i) {
            _moduleEnabled[modules[i]] = true;
            emit ModuleEnabled(modules[i]);
        }
        _SETUP = address(new HubSetup());
    }

    /// @inheritdoc IHub
    function communityCount() external view returns (uint64) {
        return _communityCount;
    }

    /// @inheritdoc IHub
    function withdrawable(IERC20 token, address holder) external view returns (uint256) {
        return _withdrawable[token][holder];
    }

    /// @inheritdoc IHub
    function isModuleEnabled(address module) external view returns (bool) {
        return _moduleEnabled[module];
    }

    /// @inheritdoc IHub
    function disputeCommitments(bytes32 commitment) external view returns (uint256) {
        return _disputeCommitments[commitment];
    }

    /// @dev `fn` typed as a view: the setup's `community` only reads, and a delegatecall within a static call
    /// cannot write anyway.
    function _viewOf(function() internal fn) private pure returns (function() internal view f) {
        assembly ("memory-safe") {
            f := fn
        }
    }

    /// @dev Runs the call in `HubSetup` on the hub's storage (delegatecall) and returns or reverts with what it
    /// did. The calldata is the hub's own: the setup's functions have the same selectors.
    function _delegateToSetup() private {
        address setup = _SETUP;
        assembly ("memory-safe") {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), setup, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    // ------------------------------------------------------------------ lifecycle

    /// @inheritdoc IHub
    /// @dev In `HubSetup` (EIP-170), as are `openTogether`, `openTogetherWithPermits`, `join` and `community`.
    function open(OpenConfig calldata) external returns (uint64 communityId) {
        // Named for the compiler only: the setup's return data is what the caller gets (`_delegateToSetup`).
        communityId = 0;
        _delegateToSetup();
    }

    /// @inheritdoc IHub
    function openTogether(OpenConfig calldata, uint256, bytes calldata) external returns (uint64 communityId) {
        // Named for the compiler only: the setup's return data is what the caller gets (`_delegateToSetup`).
        communityId = 0;
        _delegateToSetup();
    }

    /// @inheritdoc IHub
    function openTogetherWithPermits(OpenConfig calldata, uint256, bytes calldata, bytes calldata)
        external
        returns (uint64 communityId)
    {
        // Named for the compiler only: the setup's return data is what the caller gets (`_delegateToSetup`).
        communityId = 0;
        _delegateToSetup();
    }

    /// @inheritdoc IHub
    function registerModules(CommunityModules calldata, MarketKind) external returns (uint32 moduleSet) {
        // Named for the compiler only: the setup's return data is what the caller gets (`_delegateToSetup`).
        moduleSet = 0;
        _delegateToSetup();
    }

    /// @inheritdoc IHub
    function join(uint64, uint256, bytes32[] calldata, bytes calldata) external {
        _delegateToSetup();
    }

    /// @inheritdoc IHub
    function deposit(uint64 communityId, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        (Community storage c, Member storage m) = _ownMember(communityId);
        // A fine (a negative credit) is paid first; `Deposited` is emitted there (EIP-170).
        Settlement.addCredit(m, amount, communityId);
        _pull(c, amount);
    }

    /// @inheritdoc IHub
    function topUpBond(uint64 communityId) external nonReentrant {
        (Community storage c, Member storage m) = _ownMember(communityId);
        // `BondAlreadyWhole`, `BondToppedUp` there (EIP-170).
        _pull(c, Settlement.topUp(m, communityId));
    }

    /// @dev The caller's member record in a community it joined that is not closed.
    function _ownMember(uint64 communityId) internal view returns (Community storage c, Member storage) {
        c = _existing(communityId);
        if (c.status == CommunityStatus.Closed) revert CommunityAlreadyClosed(communityId);
        uint256 indexPlusOne = _indexPlusOne(c, communityId, msg.sender);
        if (indexPlusOne == 0) revert NotJoined(communityId, msg.sender);
        return (c, c.members[indexPlusOne - 1]);
    }

    /// @inheritdoc IHub
    function update(
        uint64 communityId,
        uint32 window,
        bytes32 windowRoot,
        bytes32 stateHash,
        bytes32 balancesRoot,
        bytes calldata finalState,
        bytes calldata coSignature
    ) external {
        Community storage c = _active(communityId);
        _finalizeDue(c, communityId);
        _checkUpdatable(c, communityId, window);
        uint256 n = c.participantCount;
        uint256[] memory signers =
            _coSigners(c, communityId, window, windowRoot, stateHash, balancesRoot, n, coSignature);
        bool full = SignerBitmap.isAll(signers, n);
        if (full) {
            // Every signer holds S_W: a final state here would be calldata paid for nothing (review 3, B1).
            if (finalState.length != 0) revert UnexpectedFinalState();
        } else {
            // S_W goes on chain as calldata, checked against stateHash, not stored: a node that did not fold
            // the window rebuilds balances(w) from it (review 3, B1).
            Settlement.requireFinalState(finalState, n, stateHash);
        }
        _record(c, communityId, window, windowRoot, stateHash, balancesRoot, signers, full);
    }

    /// @dev Records an accepted result (`update`, after its checks): final at once when `full`, else a
    /// pending claim whose submitter stakes the claim deposit.
    function _record(
        Community storage c,
        uint64 communityId,
        uint32 window,
        bytes32 windowRoot,
        bytes32 stateHash,
        bytes32 balancesRoot,
        uint256[] memory signers,
        bool full
    ) internal {
        WindowRecord storage rec = c.windows[window];
        if (rec.status == WindowStatus.Pending) {
            _replacePending(c, communityId, window, claimHash(window, windowRoot, stateHash, balancesRoot), full);
        }
        if (full) {
            // Final at once: only the community's final balances root is written (over the last window's), the
            // one root a rule on chain reads of a final window (the next window's BadBalances start, the
            // claims). Its roots are in this event and the calldata: no dispute or game applies to a final
            // window, and its record stays empty (WindowRecord).
            c.finalBalancesRoot = balancesRoot;
            c.finalizedWindows = window + 1;
            emit WindowFinalized(communityId, window, windowRoot, stateHash, balancesRoot, signers);
        } else {
            rec.balancesRoot = balancesRoot;
            rec.windowRoot = windowRoot;
            rec.stateHash = stateHash;
            // Only a signer with its whole bond at stake counts (review R6).
            Settlement.requireWholeBonds(c.members, c.pendingSlash, signers, communityId);
            rec.signers = signers.length == 1 ? signers[0] : Settlement.saveSigners(c.wideSigners, signers);
            rec.submittedAt = uint64(block.timestamp);
            rec.status = WindowStatus.Pending;
            rec.submitter = msg.sender;
            uint256 deadline = block.timestamp + c.challengePeriod;
            emit WindowClaimed(communityId, window, msg.sender, windowRoot, stateHash, balancesRoot, signers, deadline);
            // The submitter stakes the claim deposit (review R9); pulled last.
            uint256 stake = Settlement.claimDeposit(c.bond);
            if (stake > 0) _pull(c, stake);
        }
    }

    /// @dev The co-signers of claim (window, windowRoot, stateHash, balancesRoot); reverts if the claim
    /// was rejected before.
    function _coSigners(
        Community storage c,
        uint64 communityId,
        uint32 window,
        bytes32 windowRoot,
        bytes32 stateHash,
        bytes32 balancesRoot,
        uint256 n,
        bytes calldata coSignature
    ) internal view returns (uint256[] memory signers) {
        bytes32 claimId = claimHash(window, windowRoot, stateHash, balancesRoot);
        // A claim proven wrong (or replaced) can never come back; one lost by a missed move deadline was
        // not proven wrong and may (review R5: a window's commitment is deterministic).
        RejectedClaim storage r = c.rejected[claimId];
        if (r.deadline != 0 && !r.timedOut) revert ClaimWasRejected(communityId, claimId);
        bytes32 digest =
            _hashTypedDataV4(WindowResult.structHash(communityId, window, windowRoot, stateHash, balancesRoot));
        // An allow-listed module: it returns ⌈n/256⌉ words with no bit at or beyond n (`SignerBitmap.read`).
        signers = _modules(c).coSignature.verify(communityId, digest, n, coSignature);
    }

    /// @dev A fully signed result always beats a pending claim (which anyone could have made pending by
    /// posting a subset of the signatures first); a partial one never does. The replaced claim is
    /// discarded without slashing (its record cleared), but stays disputable for fraud until its deadline.
    function _replacePending(Community storage c, uint64 communityId, uint32 window, bytes32 claimId, bool full)
        internal
    {
        if (!full) revert WindowPending(communityId, window);
        WindowRecord storage rec = c.windows[window];
        bytes32 pending = claimHash(window, rec.windowRoot, rec.stateHash, rec.balancesRoot);
        if (pending != claimId) {
            _recordRejected(c, communityId, window, pending, rec, false, false);
            emit ClaimSuperseded(communityId, window, pending, claimId);
        }
        // Not proven wrong: its deposit goes back.
        _returnDeposit(c, communityId, window, rec.submitter);
        delete c.windows[window];
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
            // Abort: someone never joined; any member that joined may free the deposits of those who did.
            if (c.indexPlusOne[msg.sender] == 0) revert NotJoined(communityId, msg.sender);
        } else {
            _finalizeDue(c, communityId);
            if (c.finalizedWindows < c.windowCount) {
                revert WindowsNotFinal(communityId, c.finalizedWindows, c.windowCount);
            }
            // A challenge bond is returned or paid out only by a move, which needs an Active community.
            if (_gameOpen(c, communityId)) revert GameInProgress(communityId, c.finalizedWindows);
            // Nor can a rejected claim be slashed once closed: a fraud superseded by the fully signed
            // result must stay disputable until its deadline (review 3, B5).
            uint64 until = c.disputableUntil;
            // Second-level timestamp drift is irrelevant against challenge lengths.
            // forge-lint: disable-next-line(block-timestamp)
            if (block.timestamp < until) revert ChallengePeriodNotOver(communityId, c.finalizedWindows - 1, until);
            // Nor before a pending slash is done: its offenders not slashed yet would be paid out whole.
            if (c.pendingSlash.phase != Settlement.SlashPhase.None) revert SlashPending(communityId);
        }
        c.status = CommunityStatus.Closed;
        uint32 finalized = c.finalizedWindows;
        bytes32 root = finalized == 0 ? c.genesisBalancesRoot : c.finalBalancesRoot;
        // Aborted: closed before everyone joined, so only a Joined member is one (ClaimTerms.aborted).
        c.claimRoot = Balances.claimRoot(
            root, address(c.token), c.participantCount, c.bond, c.creditPerMember, status == CommunityStatus.Opening
        );
        emit CommunityClosed(communityId, finalized);
    }

    /// @inheritdoc IHub
    function claim(
        uint64 communityId,
        ClaimTerms calldata terms,
        uint256 index,
        Balance calldata leaf,
        uint256 totalClaims,
        bytes32[] calldata proof
    ) external nonReentrant {
        _payMember(
            _closedLeaf(communityId, terms, index, leaf, totalClaims, proof),
            communityId,
            terms,
            index,
            leaf,
            totalClaims,
            false
        );
    }

    /// @inheritdoc IHub
    function claimShare(
        uint64 communityId,
        ClaimTerms calldata terms,
        uint256 index,
        Balance calldata leaf,
        uint256 totalClaims,
        bytes32[] calldata proof
    ) external nonReentrant {
        _payMember(
            _closedLeaf(communityId, terms, index, leaf, totalClaims, proof),
            communityId,
            terms,
            index,
            leaf,
            totalClaims,
            true
        );
    }

    /// @dev `claim` (`share` false) or `claimShare` of member `index` of `c`, its leaf and `terms` proven. The
    /// member's slot (or its settled bit) and the pool's are read and written once there, and the payout made:
    /// `claimShare` (rare) in the linked library for EIP-170, `claim` by the library's internal `payClaim`,
    /// compiled in here (a library call would cost each claim 4,222 gas, s25). Bond, creditPerMember and token
    /// come from the checked `terms`.
    function _payMember(
        Community storage c,
        uint64 communityId,
        ClaimTerms calldata terms,
        uint256 index,
        Balance calldata leaf,
        uint256 totalClaims,
        bool share
    ) internal {
        if (share) {
            Settlement.payShare(
                communityId,
                index,
                c.members[index],
                c.settledBits,
                c.pool,
                _withdrawable[terms.token],
                leaf,
                totalClaims,
                terms
            );
        } else {
            Settlement.payClaim(
                communityId,
                index,
                c.members[index],
                c.settledBits,
                c.pool,
                _withdrawable[terms.token],
                leaf,
                totalClaims,
                terms
            );
        }
    }

    /// @inheritdoc IHub
    function claimAll(uint64 communityId, ClaimTerms calldata terms, Balance[] calldata leaves, uint256 totalClaims)
        external
        nonReentrant
    {
        Community storage c = _communities[communityId];
        Settlement.payAll(
            communityId,
            c.claimRoot,
            c.members,
            c.settledBits,
            c.pool,
            _withdrawable[terms.token],
            terms,
            leaves,
            totalClaims
        );
    }

    /// @inheritdoc IHub
    function claimRange(
        uint64 communityId,
        ClaimTerms calldata terms,
        uint256 first,
        Balance[] calldata leaves,
        uint256 totalClaims,
        bytes32[] calldata proof
    ) external nonReentrant {
        Community storage c = _communities[communityId];
        Settlement.payRange(
            Settlement.Range(communityId, c.claimRoot, first, totalClaims),
            c.members,
            c.settledBits,
            c.pool,
            _withdrawable[terms.token],
            terms,
            leaves,
            proof
        );
    }

    /// @dev The closed community, once `leaf` is member `index`'s balance under its final balances root (the
    /// last window's; an aborted community: the genesis root) and `terms` are its claim terms: both as `close`
    /// committed them in `claimRoot`, the one slot of the community read here.
    function _closedLeaf(
        uint64 communityId,
        ClaimTerms calldata terms,
        uint256 index,
        Balance calldata leaf,
        uint256 totalClaims,
        bytes32[] calldata proof
    ) internal view returns (Community storage c) {
        c = _communities[communityId];
        bytes32 root = c.claimRoot;
        // An unknown community is never closed either.
        if (root == 0) revert CommunityNotClosed(communityId);
        uint256 n = terms.participantCount;
        bytes32 proven = Balances.provenRoot(n, index, leaf, totalClaims, proof);
        if (proven == 0 || Balances.claimRootOf(proven, terms) != root) {
            revert InvalidBalanceProof(communityId, index);
        }
    }

    /// @inheritdoc IHub
    function withdraw(IERC20 token) external nonReentrant {
        uint256 amount = _withdrawable[token][msg.sender];
        if (amount == 0) revert NothingToWithdraw(token, msg.sender);
        _withdrawable[token][msg.sender] = 0;
        emit Withdrawn(msg.sender, token, amount);
        token.safeTransfer(msg.sender, amount);
    }

    // ------------------------------------------------------------------ disputes

    /// @inheritdoc IHub
    function commitDispute(bytes32 commitment) external {
        // The earliest block counts: nobody can push a commitment later by committing it again.
        if (_disputeCommitments[commitment] == 0) _disputeCommitments[commitment] = block.number;
        emit DisputeCommitted(msg.sender, commitment);
    }

    /// @inheritdoc IHub
    function dispute(
        uint64 communityId,
        uint32 window,
        bytes32 windowRoot,
        bytes32 stateHash,
        bytes32 balancesRoot,
        DisputeKind kind,
        bytes calldata proof
    ) external {
        Community storage c = _active(communityId);
        _consumeCommitment(communityId, window, kind, proof);
        DisputeContext memory ctx = _context(c, communityId, window);
        // An equivocation names no claim: its fields stay zero.
        if (kind != DisputeKind.Equivocation) {
            ctx.windowRoot = windowRoot;
            ctx.stateHash = stateHash;
            ctx.balancesRoot = balancesRoot;
        }
        _dispute(c, ctx, kind, proof);
    }

    /// @dev Resolves the claim a dispute names (none for an equivocation), has the verifier check the
    /// proof (it reverts unless the proof proves what its kind says), and applies the outcome.
    function _dispute(Community storage c, DisputeContext memory ctx, DisputeKind kind, bytes calldata proof) internal {
        bool equivocation = kind == DisputeKind.Equivocation;
        bytes32 claimId;
        bool pending;
        uint256 submittedAt;
        if (!equivocation) (pending, claimId, submittedAt) = _disputedClaim(c, ctx);
        DisputeOutcome memory out = _modules(c).verifier.verify(ctx, kind, proof);
        emit Disputed(ctx.communityId, ctx.window, kind, msg.sender);
        _applyDispute(c, ctx.communityId, ctx.window, claimId, pending, submittedAt, equivocation, out);
    }

    /// @dev Applies a proven dispute's outcome to the claim it names (none for an equivocation).
    function _applyDispute(
        Community storage c,
        uint64 communityId,
        uint32 window,
        bytes32 claimId,
        bool pending,
        uint256 submittedAt,
        bool equivocation,
        DisputeOutcome memory out
    ) internal {
        Settlement.applySlotRule(_voidedAt[communityId], out.slotRule, out.slot, submittedAt);
        if (!equivocation) _rejectClaim(c, communityId, window, claimId, pending, out.verdict == Verdict.Fraud, false);
        // A pending claim rejected for any reason forfeits its deposit (review R9); an equivocation costs
        // its fixed amount, from the on-chain credit once the bond is spent (review R4).
        uint256 forfeited = pending ? Settlement.claimDeposit(c.bond) : 0;
        if (out.slashCap > 0 || forfeited > 0) {
            _slash(
                c,
                communityId,
                Settlement.Penalty(out.offenders, out.slashCap, forfeited, equivocation, c.bond),
                msg.sender
            );
        }
    }

    /// @inheritdoc IHub
    function playGame(uint64 communityId, uint32 window, bytes calldata move) external {
        Community storage c = _active(communityId);
        WindowRecord storage rec = c.windows[window];
        bytes32 claimId;
        if (rec.status == WindowStatus.Pending) {
            claimId = claimHash(window, rec.windowRoot, rec.stateHash, rec.balancesRoot);
        }
        (GameResult result, address challenger, uint256 bond) = _modules(c).game
            .play(
                GameContext(
                    communityId,
                    window,
                    c.windowIntervals,
                    msg.sender,
                    claimId,
                    rec.windowRoot,
                    uint64(uint256(rec.submittedAt) + c.challengePeriod),
                    c.bond,
                    c.meterCount,
                    c.participantCount
                ),
                move
            );
        if (result == GameResult.Opened) {
            // The token is pulled last (checks-effects-interactions).
            _pull(c, bond);
        } else if (result == GameResult.ChallengerLost) {
            // The claim was opened (or the challenger gave up): the bond goes to the claim's signers.
            c.creditPerMember = Settlement.credit(
                    c.members, _signerSet(c, rec.signers), c.participantCount, bond, c.creditPerMember
                ).toUint128();
        } else if (result != GameResult.Continue) {
            _release(c, communityId, challenger, bond);
            if (result == GameResult.ClaimantLost || result == GameResult.ClaimantFaulted) {
                // A missed deadline is not proven fraud (review R5): the claim is rejected but not banned,
                // and each signer loses a bounded penalty, the claim deposit's size, not its whole bond.
                // Junk padding revealed in the claim's tree is (review 5, M2): banned, whole bonds.
                bool fault = result == GameResult.ClaimantFaulted;
                uint256[] memory signers = _signerSet(c, rec.signers);
                uint256 penalty = Settlement.claimDeposit(c.bond);
                _rejectClaim(c, communityId, window, claimId, true, fault, !fault);
                // With the forfeited claim deposit (review R9).
                _slash(
                    c,
                    communityId,
                    Settlement.Penalty(signers, fault ? type(uint256).max : penalty, penalty, false, c.bond),
                    challenger
                );
            } else {
                // Void: the game's claim (the move's second word) was rejected or replaced while the game
                // was open; it stays disputable for fraud one move deadline past the game (review P1).
                RejectedClaim storage r = c.rejected[bytes32(move[32:64])];
                // A timestamp plus a uint32: far below 2^64.
                // forge-lint: disable-next-line(unsafe-typecast)
                uint64 until = uint64(block.timestamp + _modules(c).game.moveDeadline());
                if (r.deadline < until) r.deadline = until;
                _disputableUntil(c, until);
            }
        }
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IHub
    function claimHash(uint32 window, bytes32 windowRoot, bytes32 stateHash, bytes32 balancesRoot)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(window, windowRoot, stateHash, balancesRoot));
    }

    /// @inheritdoc IHub
    function rejectedClaim(uint64 communityId, bytes32 claimId) external view returns (RejectedClaim memory) {
        return _existing(communityId).rejected[claimId];
    }

    /// @inheritdoc IHub
    function isVoided(uint64 communityId, uint32 meterIndex, uint32 interval) external view returns (bool) {
        return _voidedAt[communityId][(uint256(interval) << 32) | meterIndex] != 0;
    }

    /// @inheritdoc IHub
    function community(uint64) external view returns (CommunityInfo memory info) {
        // Named for the compiler only: the setup's return data is what the caller gets (`_delegateToSetup`).
        info.participantCount = 0;
        _viewOf(_delegateToSetup)();
    }

    /// @inheritdoc IHub
    function meterRoot(uint64 communityId) external view returns (bytes32) {
        return _existing(communityId).meterRoot;
    }

    /// @inheritdoc IHub
    function finalBalancesRoot(uint64 communityId) external view returns (bytes32) {
        return _existing(communityId).finalBalancesRoot;
    }

    /// @inheritdoc IHub
    function windowRecord(uint64 communityId, uint32 window) external view returns (WindowRecord memory rec) {
        Community storage c = _existing(communityId);
        rec = c.windows[window];
        // A result final at once stores only its balances root (`update`; its other roots are in its event).
        if (window < c.finalizedWindows && rec.status == WindowStatus.None) {
            rec.status = WindowStatus.Final;
            rec.signers = Settlement.everyoneRef(c.participantCount);
        }
    }

    /// @inheritdoc IHub
    function member(uint64 communityId, uint256 index)
        external
        view
        returns (uint256 bond, uint256 credit, bool settled, uint256 claimTaken, uint256 fine)
    {
        Community storage c = _existing(communityId);
        return Settlement.memberView(c.members[index], c.settledBits, index, c.bond, c.creditPerMember);
    }

    // ------------------------------------------------------------------ disputes (internals)

    /// @dev Reverts unless msg.sender committed to exactly this dispute in an earlier block; consumes it.
    /// A copy-cat who sees the reveal in the mempool has no commitment of its own from an earlier block.
    function _consumeCommitment(uint64 communityId, uint32 window, DisputeKind kind, bytes calldata proof) internal {
        bytes32 commitment = keccak256(abi.encode(msg.sender, communityId, window, kind, keccak256(proof)));
        uint256 at = _disputeCommitments[commitment];
        if (at == 0 || at >= block.number) revert DisputeNotCommitted(commitment);
        delete _disputeCommitments[commitment];
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
        ctx.participantCount = c.participantCount;
        // The balances a pending claim of the window starts from: the last final window's (w−1 is final whenever
        // w has a pending claim), the genesis balances for w = 0. A rejected claim's come from its record
        // (`_disputedClaim`): later windows may have been final since.
        ctx.previousBalancesRoot = _startRoot(c, window);
        ctx.bond = c.bond;
        ctx.market = c.market;
        ctx.marketStep = _modules(c).market;
        ctx.meterSchemes = _modules(c).meterSchemes;
        ctx.meterRoot = c.meterRoot;
        ctx.meterCount = c.meterCount;
        ctx.disputer = _indexPlusOne(c, communityId, msg.sender);
    }

    /// @dev The claim (ctx.window, ctx.windowRoot, ctx.stateHash, ctx.balancesRoot) a dispute names: the
    /// window's pending claim in its challenge period, or a rejected claim before its deadline not
    /// slashed yet. Fills its signers in.
    function _disputedClaim(Community storage c, DisputeContext memory ctx)
        internal
        returns (bool pending, bytes32 claimId, uint256 submittedAt)
    {
        uint64 communityId = ctx.communityId;
        uint32 window = ctx.window;
        (bytes32 windowRoot, bytes32 stateHash, bytes32 balancesRoot) =
            (ctx.windowRoot, ctx.stateHash, ctx.balancesRoot);
        // A claim whose challenge period is over is final (a revert later undoes the finalization).
        _finalizeDue(c, communityId);
        claimId = claimHash(window, windowRoot, stateHash, balancesRoot);
        WindowRecord storage rec = c.windows[window];
        pending = rec.status == WindowStatus.Pending && rec.windowRoot == windowRoot && rec.stateHash == stateHash
            && rec.balancesRoot == balancesRoot;
        if (pending) {
            ctx.signers = _signerSet(c, rec.signers);
            submittedAt = rec.submittedAt;
        } else {
            // A rejected claim stays disputable for fraud until its deadline, and while a game of the
            // community is open (review P1: a game may open the claim's step after its deadline).
            RejectedClaim storage r = c.rejected[claimId];
            uint64 deadline = r.deadline;
            // Second-level timestamp drift is irrelevant against challenge lengths.
            // forge-lint: disable-next-line(block-timestamp)
            if (deadline == 0 || (deadline <= block.timestamp && !_gameOpen(c, communityId))) {
                revert ClaimNotDisputable(communityId, window, claimId);
            }
            if (r.slashed) revert ClaimAlreadySlashed(communityId, claimId);
            ctx.signers = _signerSet(c, r.signers);
            ctx.previousBalancesRoot = r.previousBalancesRoot;
            submittedAt = r.deadline - c.challengePeriod;
        }
    }

    /// @dev A pending claim proven wrong is rejected (slashed or not); a rejected one can only be slashed.
    function _rejectClaim(
        Community storage c,
        uint64 communityId,
        uint32 window,
        bytes32 claimId,
        bool pending,
        bool fraud,
        bool timedOut
    ) internal {
        if (pending) {
            _recordRejected(c, communityId, window, claimId, c.windows[window], fraud, timedOut);
            delete c.windows[window];
        } else {
            // Nothing left to do against a rejected claim but slash it, once (and ban it for good).
            if (!fraud) revert ClaimNotDisputable(communityId, window, claimId);
            RejectedClaim storage r = c.rejected[claimId];
            r.slashed = true;
            r.timedOut = false;
        }
    }

    /// @dev Records claim `claim` (the one in `rec`) as rejected, keeping its original deadline.
    function _recordRejected(
        Community storage c,
        uint64 communityId,
        uint32 window,
        bytes32 claimId,
        WindowRecord storage rec,
        bool slashed,
        bool timedOut
    ) internal {
        uint256 signers = rec.signers;
        RejectedClaim storage r = c.rejected[claimId];
        r.signers = signers;
        r.deadline = uint64(uint256(rec.submittedAt) + c.challengePeriod);
        r.slashed = slashed;
        r.timedOut = timedOut;
        if (!slashed) {
            _disputableUntil(c, r.deadline);
            // Still disputable for fraud, maybe once later windows are final: it keeps the balances root it
            // started from for BadBalances (s16: the hub keeps one final root). Rejected while `window` is the
            // next to finalize (a pending claim), so that root is the current one. A slashed claim is never
            // disputed again (`ClaimAlreadySlashed`): nothing to keep.
            r.previousBalancesRoot = _startRoot(c, window);
        }
        emit ClaimRejected(communityId, window, claimId, _signerSet(c, signers), slashed);
    }

    /// @dev Applies penalty `p` and shares the total out (Settlement.slash: the rule, and why money is
    /// conserved), its first page, or with no challenger (`continueSlash`) the pending slash's next page; the
    /// challenger's reward leaves the community for its withdrawable balance.
    function _slash(Community storage c, uint64 communityId, Settlement.Penalty memory p, address challenger) internal {
        uint256 page = _slashPage(c);
        (uint256 reward, uint256 perMember) = Settlement.slash(
            c.members,
            _withdrawable[c.token],
            c.pendingSlash,
            c.participantCount,
            // A challenger that is an offender earns nothing: its index, from the module's list in a community
            // opened together (review s21: `indexPlusOne` is never written there).
            _indexPlusOne(c, communityId, challenger),
            p,
            challenger,
            c.creditPerMember,
            communityId,
            page
        );
        c.creditPerMember = perMember.toUint128();
        if (reward > 0) _unhold(c, communityId, reward);
    }

    /// @dev Member slots one slash call writes: offenders without a slot (a community opened together) are written
    /// fresh, 22,100 gas each instead of 5,000, so half a page, to keep each call under 1,000,000 gas.
    function _slashPage(Community storage c) internal view returns (uint256) {
        return c.together ? Settlement.SLASH_PAGE / 2 : Settlement.SLASH_PAGE;
    }

    /// @inheritdoc IHub
    function continueSlash(uint64 communityId) external {
        // No challenger: the pending slash goes on (`Settlement.slash`); an unknown community has none.
        Settlement.Penalty memory none;
        _slash(_communities[communityId], communityId, none, address(0));
    }

    /// @dev Returns a pending claim's deposit to its submitter (the claim finalized, or was replaced).
    function _returnDeposit(Community storage c, uint64 communityId, uint32 window, address submitter) internal {
        uint256 amount = Settlement.claimDeposit(c.bond);
        if (amount == 0) return;
        _release(c, communityId, submitter, amount);
        emit ClaimDepositReturned(communityId, window, submitter, amount);
    }

    /// @dev `close` waits until `deadline` (a rejected claim not slashed stays disputable until then).
    function _disputableUntil(Community storage c, uint64 deadline) internal {
        if (c.disputableUntil < deadline) c.disputableUntil = deadline;
    }

    /// @dev Tokens come in for the community from msg.sender (pulled with `transferFrom`, last).
    function _pull(Community storage c, uint256 amount) internal {
        _hold(c, amount);
        c.token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @dev Tokens leave the community (`CommunityFundsExceeded` if it holds less: one community's
    /// payouts never take another's money).
    function _unhold(Community storage c, uint64 communityId, uint256 amount) internal {
        Settlement.unhold(c.pool, communityId, amount);
    }

    /// @dev Moves `amount` of the community's tokens to `to`'s withdrawable balance.
    function _release(Community storage c, uint64 communityId, address to, uint256 amount) internal {
        _unhold(c, communityId, amount);
        _withdrawable[c.token][to] += amount;
    }

    /// @dev Whether a data-availability game of the community is open (keyed by community: a game in
    /// another community never holds this one's claim; one against a claim no longer pending ends Void
    /// at anyone's next move).
    function _gameOpen(Community storage c, uint64 communityId) internal view returns (bool) {
        return _modules(c).game.openGames(address(this), communityId) != 0;
    }

    /// @dev The signer set a record keeps as `ref` (`SignerBitmap.ref`): the one word itself for N ≤ 256,
    /// else the words stored under it.
    function _signerSet(Community storage c, uint256 ref) internal view returns (uint256[] memory set) {
        uint256 n = c.participantCount;
        if (n > 256) return Settlement.loadSigners(c.wideSigners, ref, n);
        set = new uint256[](1);
        set[0] = ref;
    }

    // ------------------------------------------------------------------ internals

    /// @dev `who`'s index + 1 in the community (0 = not a member): recorded at its join, or, in a community opened
    /// together (no join), found in the co-signature module's list (`ICoSignatureScheme.indexOf`).
    function _indexPlusOne(Community storage c, uint64 communityId, address who) internal view returns (uint256) {
        if (!c.together) return c.indexPlusOne[who];
        return _modules(c).coSignature.indexOf(communityId, who);
    }

    function _active(uint64 communityId) internal view returns (Community storage c) {
        c = _existing(communityId);
        CommunityStatus status = c.status;
        if (status == CommunityStatus.Closed) revert CommunityAlreadyClosed(communityId);
        if (status != CommunityStatus.Active) revert CommunityNotActive(communityId);
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
        bytes32 balancesRoot = rec.balancesRoot;
        c.finalBalancesRoot = balancesRoot;
        // Exactly once per window: `finalizedWindows` only grows.
        c.finalizedWindows = window + 1;
        _returnDeposit(c, communityId, window, rec.submitter);
        emit WindowFinalized(
            communityId, window, rec.windowRoot, rec.stateHash, balancesRoot, _signerSet(c, rec.signers)
        );
    }

    /// @dev The balances a claim of `window` starts from while `window` is the next to finalize (a pending
    /// claim's, and a claim's rejected before `window` is final): the genesis root for window 0, else the
    /// last final window's. 0 for a window already final (none of its claims starts from the current root).
    function _startRoot(Community storage c, uint32 window) internal view returns (bytes32) {
        if (window == 0) return c.genesisBalancesRoot;
        return window == c.finalizedWindows ? c.finalBalancesRoot : bytes32(0);
    }
}
