// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IHub} from "./interfaces/IHub.sol";
import {IFraudProofVerifier} from "./interfaces/IFraudProofVerifier.sol";
import {DisputeKind} from "./types/Dispute.sol";
import {MarketParams, ParticipantState, StateHash} from "./types/Market.sol";
import {
    ParticipantAccount,
    CommunityConfig,
    CommunityInfo,
    CommunityStatus,
    KeyScheme,
    Meter,
    WindowRecord,
    WindowStatus
} from "./types/Community.sol";
import {ProRata} from "./libraries/ProRata.sol";
import {Settlement} from "./libraries/Settlement.sol";
import {SignerSet} from "./libraries/SignerSet.sol";
import {WindowResult} from "./libraries/WindowResult.sol";

/// @title Hub
/// @notice The DIVERSITY hub (DESIGN.md §5): hosts many communities, holds their bonds and escrow,
/// and applies each window's co-signed result exactly once, in window order.
/// @dev Finalization rule. Window w can be updated only when windows 0..w-1 are final and w's last
/// interval has ended (block.timestamp >= start + (w+1)·W·intervalSeconds). A result signed by every
/// participant is final at once; one signed by at least one but not all is Pending until
/// `submittedAt + challengePeriod` (disputes, later work, may reject it before then), and is
/// finalized by the first of `finalize`, the next `update`, or `close` after that time. At most one
/// window per community is pending at any time (the next one to finalize).
/// Money held per token = Σ escrow + Σ bond over open communities + Σ withdrawable.
contract Hub is IHub, EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice Most participants a community can have: signers are tracked in a 256-bit bitmap.
    uint256 public constant MAX_PARTICIPANTS = 256;
    // Meter key lengths (32-byte Ed25519, 64-byte P-256 x ‖ y) are checked by `verifier.isValidMeterKey`.
    /// @notice Share of a slashed amount that goes to the challenger, in basis points.
    uint256 public constant CHALLENGER_SHARE_BPS = 5_000;

    /// @inheritdoc IHub
    IFraudProofVerifier public immutable verifier;

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
        Meter[] meters;
        /// Participant address → index + 1 (0 = not a participant).
        mapping(address => uint256) indexPlusOne;
        mapping(uint256 => ParticipantAccount) accounts;
        mapping(uint32 => WindowRecord) windows;
        /// `net` of each participant in a pending window's final state, applied when it finalizes.
        mapping(uint32 => int128[]) pendingNets;
    }

    /// @notice Number of communities opened so far (ids run from 1 to this).
    uint64 public communityCount;
    /// @notice Balance an address can pull with `withdraw(token)`, per token.
    mapping(IERC20 token => mapping(address holder => uint256)) public withdrawable;

    mapping(uint64 => Community) internal _communities;

    /// @dev Slots voided by a reported equivocation: community → (interval << 32 | meter) → voided.
    mapping(uint64 => mapping(uint256 => bool)) internal _voided;

    /// @param verifier_ The fraud-proof verifier (a `FraudProofVerifier`, deployed first: it does not fit in
    /// the hub's code).
    constructor(IFraudProofVerifier verifier_) EIP712("DIVERSITY Hub", "1") {
        verifier = verifier_;
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
        _registerParticipants(c, config.participants);
        _registerMeters(c, config.meters, config.participants.length);
        emit CommunityOpened(communityId, msg.sender, config.token, config.participants.length, config.meters.length);
    }

    /// @inheritdoc IHub
    function join(uint64 communityId) external nonReentrant {
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
        if (joined == SignerSet.all(c.participants.length)) {
            c.status = CommunityStatus.Active;
            emit CommunityActivated(communityId);
        }
        uint256 total = uint256(bond) + escrow;
        if (total > 0) c.token.safeTransferFrom(msg.sender, address(this), total);
    }

    /// @inheritdoc IHub
    function deposit(uint64 communityId, uint256 amount) external nonReentrant {
        Community storage c = _existing(communityId);
        if (c.status == CommunityStatus.Closed) revert CommunityAlreadyClosed(communityId);
        if (amount == 0) revert ZeroAmount();
        uint256 index = _indexOf(c, communityId, msg.sender);
        if (c.joined & (uint256(1) << index) == 0) revert NotJoined(communityId, msg.sender);
        ParticipantAccount storage a = c.accounts[index];
        a.escrow = (a.escrow + amount).toUint128();
        emit Deposited(communityId, msg.sender, amount);
        c.token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IHub
    function update(
        uint64 communityId,
        uint32 window,
        bytes32 windowRoot,
        ParticipantState[] calldata finalState,
        bytes[] calldata signatures
    ) external {
        Community storage c = _active(communityId);
        _finalizeDue(c, communityId);
        _checkUpdatable(c, communityId, window);
        uint256 n = c.participants.length;
        int256[] memory nets = _nets(finalState, n);
        bytes32 stateHash = StateHash.hash(finalState);
        uint256 signers = SignerSet.recover(
            _hashTypedDataV4(WindowResult.structHash(communityId, window, windowRoot, stateHash)),
            signatures,
            c.indexPlusOne
        );
        WindowRecord storage rec = c.windows[window];
        rec.windowRoot = windowRoot;
        rec.stateHash = stateHash;
        rec.signers = signers;
        rec.submittedAt = uint64(block.timestamp);
        if (signers == SignerSet.all(n)) {
            rec.status = WindowStatus.Final;
            _apply(c, communityId, window, nets);
            emit WindowFinalized(communityId, window, windowRoot, stateHash, signers);
        } else {
            rec.status = WindowStatus.Pending;
            c.pendingNets[window] = _narrow(nets);
            emit WindowClaimed(
                communityId, window, msg.sender, windowRoot, stateHash, signers, block.timestamp + c.challengePeriod
            );
        }
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
    function dispute(uint64 communityId, uint32 window, DisputeKind kind, bytes calldata proof) external {
        Community storage c = _active(communityId);
        bool equivocation = kind == DisputeKind.Equivocation;
        if (!equivocation) {
            // A claim whose challenge period is over is final (the revert below undoes the finalization).
            _finalizeDue(c, communityId);
            if (c.windows[window].status != WindowStatus.Pending) revert WindowNotPending(communityId, window);
        }
        // Reverts unless the proof proves what its kind says; `cap` is the slash per offender.
        (uint256 slot, uint256 offenders, uint256 cap) = verifier.verify(this, communityId, window, kind, proof);
        emit Disputed(communityId, window, kind, msg.sender);
        // The verifier refused a slot voided before: each equivocation is slashed once.
        if (equivocation) _voided[communityId][slot] = true;
        else offenders = _rejectClaim(communityId, window);
        if (cap > 0) _slash(c, communityId, offenders, cap, msg.sender);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IHub
    function isVoided(uint64 communityId, uint32 meterIndex, uint32 interval) external view returns (bool) {
        return _voided[communityId][(uint256(interval) << 32) | meterIndex];
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
        info.meterCount = uint32(c.meters.length);
        info.joined = c.joined;
        info.finalizedWindows = c.finalizedWindows;
        info.totalDebt = c.totalDebt;
    }

    /// @inheritdoc IHub
    function participants(uint64 communityId) external view returns (address[] memory) {
        return _existing(communityId).participants;
    }

    /// @inheritdoc IHub
    function participantIndex(uint64 communityId, address who) external view returns (uint256) {
        return _indexOf(_existing(communityId), communityId, who);
    }

    /// @inheritdoc IHub
    function meters(uint64 communityId) external view returns (Meter[] memory) {
        return _existing(communityId).meters;
    }

    /// @inheritdoc IHub
    function meter(uint64 communityId, uint256 meterIndex) external view returns (Meter memory) {
        return _existing(communityId).meters[meterIndex];
    }

    /// @inheritdoc IHub
    function windowRecord(uint64 communityId, uint32 window) external view returns (WindowRecord memory) {
        return _existing(communityId).windows[window];
    }

    /// @inheritdoc IHub
    function pendingNets(uint64 communityId, uint32 window) external view returns (int128[] memory) {
        return _existing(communityId).pendingNets[window];
    }

    /// @inheritdoc IHub
    function lastFinalizedWindow(uint64 communityId) external view returns (bool any, uint32 window) {
        uint32 finalized = _existing(communityId).finalizedWindows;
        if (finalized == 0) return (false, 0);
        return (true, finalized - 1);
    }

    /// @inheritdoc IHub
    function account(uint64 communityId, uint256 index) external view returns (ParticipantAccount memory) {
        return _existing(communityId).accounts[index];
    }

    /// @inheritdoc IHub
    function hashWindowResult(uint64 communityId, uint32 window, bytes32 windowRoot, bytes32 stateHash)
        external
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(WindowResult.structHash(communityId, window, windowRoot, stateHash));
    }

    /// @inheritdoc IHub
    function hashState(ParticipantState[] calldata finalState) external pure returns (bytes32) {
        return StateHash.hash(finalState);
    }

    /// @inheritdoc IHub
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ------------------------------------------------------------------ hooks for disputes

    /// @notice Rejects window `window`'s pending claim and frees the window for a correct update.
    /// @dev For the dispute work: the caller proves the fraud, then slashes the returned signers.
    /// @return signers Bitmap of the participants that signed the rejected claim.
    function _rejectClaim(uint64 communityId, uint32 window) internal returns (uint256 signers) {
        Community storage c = _communities[communityId];
        WindowRecord storage rec = c.windows[window];
        if (rec.status != WindowStatus.Pending) revert WindowNotPending(communityId, window);
        signers = rec.signers;
        delete c.windows[window];
        delete c.pendingNets[window];
        emit ClaimRejected(communityId, window, signers);
    }

    /// @dev Takes up to `cap` from the bond of each participant in `offenders`; `CHALLENGER_SHARE_BPS`
    /// of the total (all of it when nobody else is left) goes to `challenger`'s withdrawable balance,
    /// the rest in equal parts to the escrow of the other participants, the division's remainder to the
    /// challenger. Bonds, escrow and withdrawable balances all stay in the hub: money is conserved.
    function _slash(Community storage c, uint64 communityId, uint256 offenders, uint256 cap, address challenger)
        internal
    {
        uint256 n = c.participants.length;
        uint256 total;
        uint256 recipients;
        for (uint256 i = 0; i < n; ++i) {
            if (offenders & (uint256(1) << i) == 0) {
                ++recipients;
                continue;
            }
            ParticipantAccount storage a = c.accounts[i];
            uint256 bond = a.bond;
            uint256 take = bond < cap ? bond : cap;
            a.bond = uint128(bond - take);
            total += take;
        }
        uint256 each = recipients == 0 ? 0 : total * (10_000 - CHALLENGER_SHARE_BPS) / 10_000 / recipients;
        uint256 reward = total - each * recipients;
        emit Slashed(communityId, challenger, total, reward);
        withdrawable[c.token][challenger] += reward;
        if (each == 0) return;
        for (uint256 i = 0; i < n; ++i) {
            if (offenders & (uint256(1) << i) == 0) c.accounts[i].escrow += uint128(each);
        }
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
        uint256 end =
            uint256(config.start) + uint256(config.windowCount) * config.windowIntervals * config.intervalSeconds;
        if (end > type(uint64).max) revert ScheduleOverflow();
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

    function _registerMeters(Community storage c, Meter[] calldata list, uint256 participantCount) internal {
        uint256 count = list.length;
        if (count == 0) revert NoMeters();
        for (uint256 j = 0; j < count; ++j) {
            Meter calldata m = list[j];
            if (m.owner >= participantCount) revert MeterOwnerOutOfRange(j, m.owner);
            // Length, and no small-order Ed25519 key or P-256 point off the curve (the verifier checks).
            if (!verifier.isValidMeterKey(m.scheme, m.publicKey)) revert InvalidMeterKey(j);
            Meter storage s = c.meters.push();
            s.publicKey = m.publicKey;
            s.scheme = m.scheme;
            s.owner = m.owner;
        }
    }

    /// @dev Reverts unless `window` is the next window to finalize, has no pending claim and has ended.
    function _checkUpdatable(Community storage c, uint64 communityId, uint32 window) internal view {
        uint32 windowCount = c.windowCount;
        if (window >= windowCount) revert WindowOutOfRange(communityId, window, windowCount);
        uint32 next = c.finalizedWindows;
        if (window < next) revert WindowAlreadyFinal(communityId, window);
        if (window > next) revert WindowOutOfOrder(communityId, window, next);
        if (c.windows[window].status == WindowStatus.Pending) revert WindowPending(communityId, window);
        uint256 endsAt = uint256(c.start) + (uint256(window) + 1) * c.windowIntervals * c.intervalSeconds;
        // Second-level timestamp drift is irrelevant against interval and challenge lengths.
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp < endsAt) revert WindowNotEnded(communityId, window, endsAt);
    }

    /// @dev The `net` column of `finalState`, checked: one entry per participant, |net| <= int128 max, Σ = 0.
    function _nets(ParticipantState[] calldata finalState, uint256 n) internal pure returns (int256[] memory nets) {
        if (finalState.length != n) revert StateLengthMismatch(n, finalState.length);
        nets = new int256[](n);
        int256 sum;
        for (uint256 i = 0; i < n; ++i) {
            int256 net = finalState[i].net;
            if (net > type(int128).max || net < -type(int128).max) revert NetOutOfRange(i);
            nets[i] = net;
            sum += net;
        }
        if (sum != 0) revert UnbalancedState(sum);
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
        _apply(c, communityId, window, nets);
        emit WindowFinalized(communityId, window, rec.windowRoot, rec.stateHash, rec.signers);
    }

    /// @dev Marks `window` applied and runs the reaction (exactly once per window: `finalizedWindows` only grows).
    function _apply(Community storage c, uint64 communityId, uint32 window, int256[] memory nets) internal {
        c.finalizedWindows = window + 1;
        uint256 shortfall = Settlement.settle(c.accounts, nets, communityId, window);
        if (shortfall > 0) c.totalDebt += shortfall;
    }

    /// @dev Passes `amount` of repaid debt to the participants with claims, pro rata to their claims:
    /// into their escrow while the community runs, into their withdrawable balance once it is closed.
    function _payClaims(Community storage c, uint64 communityId, uint256 amount) internal {
        uint256 totalClaims = c.totalDebt;
        c.totalDebt = totalClaims - amount;
        uint256 n = c.participants.length;
        uint256[] memory claims = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            claims[i] = c.accounts[i].claim;
        }
        uint256[] memory shares = ProRata.split(amount, claims, totalClaims);
        bool closed = c.status == CommunityStatus.Closed;
        IERC20 token = c.token;
        for (uint256 i = 0; i < n; ++i) {
            uint256 share = shares[i];
            if (share == 0) continue;
            ParticipantAccount storage a = c.accounts[i];
            // A share never exceeds its claim (ProRata with amount <= Σ claims).
            // forge-lint: disable-next-line(unsafe-typecast)
            a.claim -= uint128(share);
            if (closed) withdrawable[token][c.participants[i]] += share;
            // A share never exceeds its uint128 claim.
            // forge-lint: disable-next-line(unsafe-typecast)
            else a.escrow += uint128(share);
            emit ClaimPaid(communityId, i, share);
        }
    }

    /// @dev Moves every participant's escrow and bond to its withdrawable balance, first repaying its own debt.
    function _refund(Community storage c, uint64 communityId) internal {
        uint256 n = c.participants.length;
        IERC20 token = c.token;
        uint256 repaid;
        for (uint256 i = 0; i < n; ++i) {
            ParticipantAccount storage a = c.accounts[i];
            uint256 refund = uint256(a.escrow) + a.bond;
            if (refund == 0) continue;
            a.escrow = 0;
            a.bond = 0;
            address p = c.participants[i];
            uint256 debt = a.debt;
            if (debt > 0) {
                uint256 pay = debt < refund ? debt : refund;
                // Below the uint128 debt it is subtracted from.
                // forge-lint: disable-next-line(unsafe-typecast)
                a.debt = uint128(debt - pay);
                refund -= pay;
                repaid += pay;
                emit DebtRepaid(communityId, p, p, pay);
            }
            if (refund > 0) {
                withdrawable[token][p] += refund;
                emit Refunded(communityId, p, refund);
            }
        }
        if (repaid > 0) _payClaims(c, communityId, repaid);
    }
}
