// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ParticipantState} from "../types/Market.sol";
import {ParticipantAccount, CommunityConfig, CommunityInfo, Meter, WindowRecord} from "../types/Community.sol";
import {DisputeKind} from "../types/Dispute.sol";
import {IFraudProofVerifier} from "./IFraudProofVerifier.sol";

/// @title IHub
/// @notice The DIVERSITY hub: registry, escrow and bonds, and window results of many communities
/// (DESIGN.md §5). Errors and events of the hub and of its libraries live here.
interface IHub {
    // ------------------------------------------------------------------ errors: open

    /// @notice Thrown when a community id has never been opened.
    error UnknownCommunity(uint64 communityId);
    /// @notice Thrown when `open` gets an empty participant list.
    error NoParticipants();
    /// @notice Thrown when `open` gets more participants than fit in a signer bitmap.
    error TooManyParticipants(uint256 count, uint256 max);
    /// @notice Thrown when a participant address is zero.
    error ZeroParticipant(uint256 index);
    /// @notice Thrown when a participant address appears twice.
    error DuplicateParticipant(address participant);
    /// @notice Thrown when `open` gets an empty meter list.
    error NoMeters();
    /// @notice Thrown when a meter's owner is not a participant index.
    error MeterOwnerOutOfRange(uint256 meterIndex, uint32 owner);
    /// @notice Thrown when a meter's public key has the wrong length for its scheme.
    error InvalidMeterKey(uint256 meterIndex);
    /// @notice Thrown when the interval length is zero.
    error ZeroIntervalSeconds();
    /// @notice Thrown when W (intervals per window) is zero.
    error ZeroWindowIntervals();
    /// @notice Thrown when the window count is zero.
    error ZeroWindowCount();
    /// @notice Thrown when the end of the last window does not fit in a uint64 timestamp.
    error ScheduleOverflow();
    /// @notice Thrown when the challenge period is zero (a pending claim could never be disputed).
    error ZeroChallengePeriod();
    /// @notice Thrown when the payment token is the zero address.
    error ZeroToken();
    /// @notice Thrown when the grid buy tariff is below the grid sell tariff.
    error InvalidPrices(uint128 gridBuyPrice, uint128 gridSellPrice);

    // ------------------------------------------------------------------ errors: membership and money

    /// @notice Thrown when the caller or named account is not a participant of the community.
    error NotParticipant(uint64 communityId, address who);
    /// @notice Thrown when a participant joins twice.
    error AlreadyJoined(uint64 communityId, address participant);
    /// @notice Thrown when a participant that has not joined deposits.
    error NotJoined(uint64 communityId, address participant);
    /// @notice Thrown when joining a community that is not waiting for joins.
    error CommunityNotOpening(uint64 communityId);
    /// @notice Thrown when a community is not Active (not everyone joined yet, or closed).
    error CommunityNotActive(uint64 communityId);
    /// @notice Thrown when acting on a closed community.
    error CommunityAlreadyClosed(uint64 communityId);
    /// @notice Thrown when an amount is zero.
    error ZeroAmount();
    /// @notice Thrown when a repayment exceeds the participant's debt.
    error RepayExceedsDebt(uint64 communityId, address participant, uint256 debt, uint256 amount);
    /// @notice Thrown when the caller has nothing to withdraw in `token`.
    error NothingToWithdraw(IERC20 token, address holder);

    // ------------------------------------------------------------------ errors: windows

    /// @notice Thrown when a window index is not below the community's window count.
    error WindowOutOfRange(uint64 communityId, uint32 window, uint32 windowCount);
    /// @notice Thrown when updating a window that is already final (stale update).
    error WindowAlreadyFinal(uint64 communityId, uint32 window);
    /// @notice Thrown when updating a window other than the next one to finalize.
    error WindowOutOfOrder(uint64 communityId, uint32 window, uint32 expected);
    /// @notice Thrown when the window already has a pending claim.
    error WindowPending(uint64 communityId, uint32 window);
    /// @notice Thrown when the window is not pending (hook for disputes).
    error WindowNotPending(uint64 communityId, uint32 window);
    /// @notice Thrown when the window's last interval has not ended yet.
    error WindowNotEnded(uint64 communityId, uint32 window, uint256 endsAt);
    /// @notice Thrown when the final state does not have one entry per participant.
    error StateLengthMismatch(uint256 expected, uint256 actual);
    /// @notice Thrown when a participant's `net` does not fit in int128.
    error NetOutOfRange(uint256 participantIndex);
    /// @notice Thrown when the `net` values of the final state do not sum to zero.
    error UnbalancedState(int256 sum);
    /// @notice Thrown when an update carries no signature.
    error NoSignatures();
    /// @notice Thrown when a signature is malformed (length, high s, or no recoverable signer).
    error InvalidSignature(uint256 signatureIndex);
    /// @notice Thrown when a signature recovers to an address that is not a participant.
    error SignerNotParticipant(address signer);
    /// @notice Thrown when a participant signed twice in one update.
    error DuplicateSigner(address signer);
    /// @notice Thrown when `finalize` finds no pending window.
    error NoPendingWindow(uint64 communityId);
    /// @notice Thrown when the pending window's challenge period has not ended.
    error ChallengePeriodNotOver(uint64 communityId, uint32 window, uint256 endsAt);
    /// @notice Thrown when closing before the last window is final.
    error WindowsNotFinal(uint64 communityId, uint32 finalized, uint32 windowCount);

    // ------------------------------------------------------------------ events

    /// @notice Emitted when a community is opened.
    event CommunityOpened(
        uint64 indexed communityId,
        address indexed opener,
        IERC20 indexed token,
        uint256 participantCount,
        uint256 meterCount
    );
    /// @notice Emitted when a participant joins and deposits its bond and escrow.
    event Joined(uint64 indexed communityId, address indexed participant, uint256 bond, uint256 escrow);
    /// @notice Emitted when the last participant joined and windows can be updated.
    event CommunityActivated(uint64 indexed communityId);
    /// @notice Emitted when a participant tops up its escrow.
    event Deposited(uint64 indexed communityId, address indexed participant, uint256 amount);
    /// @notice Emitted when a result signed by some but not all participants is accepted as pending.
    event WindowClaimed(
        uint64 indexed communityId,
        uint32 indexed window,
        address indexed submitter,
        bytes32 windowRoot,
        bytes32 stateHash,
        uint256 signers,
        uint256 challengeEndsAt
    );
    /// @notice Emitted when a window's result becomes final and its reaction is applied.
    event WindowFinalized(
        uint64 indexed communityId, uint32 indexed window, bytes32 windowRoot, bytes32 stateHash, uint256 signers
    );
    /// @notice Emitted when a pending claim is rejected and the window is free for a correct update.
    event ClaimRejected(uint64 indexed communityId, uint32 indexed window, uint256 signers);
    /// @notice Emitted when a dispute succeeds: a fraud proven against the pending claim of `window`
    /// (followed by `ClaimRejected`), or an equivocation in `window` (its slot is now `isVoided`).
    event Disputed(uint64 indexed communityId, uint32 indexed window, DisputeKind kind, address indexed challenger);
    /// @notice Emitted when bonds are slashed: `amount` in all, `reward` of it to the challenger's
    /// withdrawable balance, the rest in equal parts to the escrow of the participants not slashed.
    event Slashed(uint64 indexed communityId, address indexed challenger, uint256 amount, uint256 reward);

    /// @notice Emitted when a debtor's escrow fell short and its bond paid the rest (or part of it).
    event BondDrawn(
        uint64 indexed communityId, uint32 indexed window, uint256 indexed participantIndex, uint256 amount
    );
    /// @notice Emitted when a debtor could not pay in full; `amount` is added to its debt.
    event DebtRecorded(
        uint64 indexed communityId, uint32 indexed window, uint256 indexed participantIndex, uint256 amount
    );
    /// @notice Emitted when a creditor is paid less than its net because debtors were short.
    event ClaimRecorded(
        uint64 indexed communityId, uint32 indexed window, uint256 indexed participantIndex, uint256 amount
    );
    /// @notice Emitted when (part of) a participant's debt is repaid and passed on to the short creditors.
    event DebtRepaid(uint64 indexed communityId, address indexed participant, address indexed payer, uint256 amount);
    /// @notice Emitted when a creditor with a claim is paid (part of) it from a repayment.
    event ClaimPaid(uint64 indexed communityId, uint256 indexed participantIndex, uint256 amount);
    /// @notice Emitted at close when a participant's remaining escrow and bond become withdrawable.
    event Refunded(uint64 indexed communityId, address indexed participant, uint256 amount);
    /// @notice Emitted when a community closes and its deposits become withdrawable.
    event CommunityClosed(uint64 indexed communityId, uint32 finalizedWindows);
    /// @notice Emitted when an account pulls its withdrawable balance.
    event Withdrawn(address indexed holder, IERC20 indexed token, uint256 amount);

    // ------------------------------------------------------------------ lifecycle

    /// @notice Registers a community; participants then `join`.
    /// @param config Participants, meters, schedule, market, token, bond, escrow and challenge period.
    /// @return communityId The new id (1, 2, ...).
    function open(CommunityConfig calldata config) external returns (uint64 communityId);

    /// @notice Deposits the caller's bond and escrow (pulled with `transferFrom`); the community becomes
    /// Active when every participant has joined.
    /// @param communityId The community.
    function join(uint64 communityId) external;

    /// @notice Tops up the caller's escrow (caller must have joined).
    /// @param communityId The community.
    /// @param amount Token units pulled with `transferFrom`.
    function deposit(uint64 communityId, uint256 amount) external;

    /// @notice Submits a window's result signed (EIP-712 `WindowResult`) by one or more participants.
    /// @dev Signed by all: final at once. Signed by some: pending for the challenge period, then final.
    /// Window `window` must be the next one to finalize (a pending predecessor whose challenge period
    /// has ended is finalized first, here) and its last interval must have ended.
    /// @param communityId The community.
    /// @param window The window index.
    /// @param windowRoot Merkle root over the window's leaves (DESIGN.md §4).
    /// @param finalState S_W, one entry per participant; the `net` values must sum to 0.
    /// @param signatures 65-byte ECDSA signatures of participants, any order, each signer once.
    function update(
        uint64 communityId,
        uint32 window,
        bytes32 windowRoot,
        ParticipantState[] calldata finalState,
        bytes[] calldata signatures
    ) external;

    /// @notice Finalizes the pending window once its challenge period has ended; anyone may call.
    /// @param communityId The community.
    function finalize(uint64 communityId) external;

    /// @notice Closes the community: after its last window is final, or, before it became Active, on a
    /// participant's request (abort). Escrow and bonds become withdrawable; a participant's refund
    /// first repays its own debt.
    /// @param communityId The community.
    function close(uint64 communityId) external;

    /// @notice Repays (part of) a participant's debt; the tokens go pro rata to the creditors that were short.
    /// @param communityId The community.
    /// @param participant The debtor (anyone may pay for it).
    /// @param amount Token units pulled from the caller with `transferFrom`.
    function repayDebt(uint64 communityId, address participant, uint256 amount) external;

    /// @notice Sends the caller its whole withdrawable balance of `token`.
    /// @param token The token.
    function withdraw(IERC20 token) external;

    /// @notice Disputes window `window` with a fraud proof (DESIGN.md §5); anyone may call.
    /// @dev Kinds 1–4 (ReadingMismatch, ForgedReading, BadStep, BadFinalState) need a Pending claim in its
    /// challenge period (else `WindowNotPending`: once the period is over the claim counts as final); a
    /// proven error rejects the claim (the window is free for a correct update). Slashing (the
    /// verifier's `slashCap`): a fraud no honest node could sign (invalid or misbound committed reading,
    /// wrong step, wrong final state, malformed leaf) takes the whole bond of every signer; an omission
    /// (absent slot, valid reading shown) slashes nobody: the signers may never have received it.
    /// Kind 5 (Equivocation: two validly signed readings of one meter for one interval of `window`,
    /// different values) may come any time while the community is Active, once per slot: it voids the
    /// slot (`isVoided`; honest nodes fold it as absent; a mismatch dispute on it reverts), takes
    /// `FraudProofVerifier.EQUIVOCATION_SLASH_BPS` of the configured bond from the meter owner (at most
    /// what is left) and rejects no claim.
    /// Split of every slash: each participant not slashed gets floor(total · (1 − CHALLENGER_SHARE_BPS
    /// / 10⁴) / count) into its escrow, the caller the rest (≥ its share, all when nobody else is left)
    /// into its withdrawable balance; money is conserved exactly. A proof that does not prove what its
    /// kind says reverts (errors of IFraudProofVerifier) and changes nothing.
    /// @param communityId The community.
    /// @param window The disputed window (for an equivocation: the window of its interval).
    /// @param kind Which proof `proof` is.
    /// @param proof abi.encode of the proof struct of `kind` (types/Dispute.sol).
    function dispute(uint64 communityId, uint32 window, DisputeKind kind, bytes calldata proof) external;

    // ------------------------------------------------------------------ views

    /// @notice The fraud-proof verifier this hub deployed and consults.
    function verifier() external view returns (IFraudProofVerifier);

    /// @notice Whether the slot (meter, interval) was voided by a reported equivocation.
    function isVoided(uint64 communityId, uint32 meterIndex, uint32 interval) external view returns (bool);

    /// @notice Number of communities opened so far (ids run from 1 to this).
    function communityCount() external view returns (uint64);

    /// @notice Configuration and progress of a community.
    function community(uint64 communityId) external view returns (CommunityInfo memory);

    /// @notice Participant node addresses, by index.
    function participants(uint64 communityId) external view returns (address[] memory);

    /// @notice Index of `who` in the participant list; reverts with `NotParticipant` otherwise.
    function participantIndex(uint64 communityId, address who) external view returns (uint256);

    /// @notice Registered meters (public key, scheme, owner), by meter index.
    function meters(uint64 communityId) external view returns (Meter[] memory);

    /// @notice One registered meter.
    function meter(uint64 communityId, uint256 meterIndex) external view returns (Meter memory);

    /// @notice The stored result of a window: status, root, state hash, submission time, signer bitmap.
    function windowRecord(uint64 communityId, uint32 window) external view returns (WindowRecord memory);

    /// @notice The `net` values of a pending window's final state (empty when not pending).
    function pendingNets(uint64 communityId, uint32 window) external view returns (int128[] memory);

    /// @notice The last final window; `any` is false while no window is final.
    function lastFinalizedWindow(uint64 communityId) external view returns (bool any, uint32 window);

    /// @notice Escrow, bond, debt and claim of participant `index`.
    function account(uint64 communityId, uint256 index) external view returns (ParticipantAccount memory);

    /// @notice Balance `holder` can pull with `withdraw(token)`.
    function withdrawable(IERC20 token, address holder) external view returns (uint256);

    /// @notice The EIP-712 digest participants sign for a window's result.
    function hashWindowResult(uint64 communityId, uint32 window, bytes32 windowRoot, bytes32 stateHash)
        external
        view
        returns (bytes32);

    /// @notice StateHash.hash(finalState), as the digest commits to it.
    function hashState(ParticipantState[] calldata finalState) external pure returns (bytes32);

    /// @notice The EIP-712 domain separator (name "DIVERSITY Hub", version "1", this chain, this hub).
    function domainSeparator() external view returns (bytes32);
}
