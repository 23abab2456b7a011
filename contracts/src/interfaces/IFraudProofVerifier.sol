// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHub} from "./IHub.sol";
import {KeyScheme} from "../types/Community.sol";
import {DisputeKind} from "../types/Dispute.sol";

/// @title IFraudProofVerifier
/// @notice Stateless arbiter of the fraud proofs of DESIGN.md §5, deployed by the hub. Every check reads
/// the claim (windowRoot, stateHash), the schedule, the market and the meters through the hub's views,
/// so it can also be run off chain with `eth_call` before a dispute is sent.
interface IFraudProofVerifier {
    /// @notice Thrown when the window has no pending claim to check.
    error ClaimNotPending(uint64 communityId, uint32 window);
    /// @notice Thrown when the proof applies but the claim survives it (no fraud).
    error FraudNotProven(DisputeKind kind);
    /// @notice Thrown when an interval leaf's position is not below W.
    error PositionOutOfRange(uint32 position, uint32 windowIntervals);
    /// @notice Thrown when an interval leaf is not under the claim's windowRoot at its position.
    error InvalidIntervalProof(uint32 position);
    /// @notice Thrown when a slot leaf is not under the interval's readingsRoot at the meter's index.
    error InvalidSlotProof(uint32 meterIndex);
    /// @notice Thrown when a meter index is not a registered meter.
    error MeterOutOfRange(uint256 meterIndex, uint256 meterCount);
    /// @notice Thrown when the challenger's reading is not a validly signed reading of this community
    /// for the interval it is proven against.
    error InvalidChallengerReading();
    /// @notice Thrown when a mismatch dispute targets a slot voided on chain for an equivocation.
    error SlotVoided(uint32 meterIndex, uint32 interval);
    /// @notice Thrown when the committed slot holds a valid reading of its meter and interval (the same
    /// reading, or an equivocation: dispute it as an Equivocation).
    error CommittedReadingValid(uint32 meterIndex, uint32 interval);
    /// @notice Thrown when a forged-reading dispute targets an absent slot.
    error SlotAbsent(uint32 meterIndex);
    /// @notice Thrown when a step proof's S_{t-1} does not hash to the previous leaf's stateHash.
    error PrevStateMismatch();
    /// @notice Thrown when a step proof's previous leaf is not at position t-1.
    error PreviousNotAdjacent(uint32 previous, uint32 current);
    /// @notice Thrown when a step proof does not carry one slot per meter.
    error SlotCountMismatch(uint256 meterCount, uint256 slotCount);
    /// @notice Thrown when a step proof's slots (and padding) do not hash to the readingsRoot.
    error ReadingsRootMismatch();
    /// @notice Thrown when a final-state proof's leaf is not the window's last (position W-1).
    error NotLastPosition(uint32 position);
    /// @notice Thrown when an equivocation of that slot was already proven (each is slashed once).
    error SlotAlreadyVoided(uint32 meterIndex, uint32 interval);
    /// @notice Thrown when two readings are not an equivocation (not both validly signed for one meter
    /// and one interval of the disputed window of this community, or identical encodings).
    error NotEquivocation();

    /// @notice Checks `proof` (abi.encode of the struct named by `kind`) against window `window`.
    /// @dev Kinds 1–4: the window's Pending claim is proven wrong, or this reverts with
    /// `FraudNotProven` (the proof applies and the claim survives it) or a specific error (the proof
    /// does not apply: bad Merkle proof, invalid challenger reading, malformed bytes, ...). Kind 5: the
    /// two readings are an equivocation of one slot in `window`, or this reverts.
    /// @return slot For an equivocation, the voided slot: interval << 32 | meterIndex (0 otherwise).
    /// @return offenders For an equivocation, the bitmap of the meter's owner (0 otherwise: the hub
    /// slashes the claim's signers).
    /// @return slashCap Most the hub takes from each offender's bond: unlimited for a fraud no honest
    /// node could sign, 0 for an omission (the signers may never have received the reading),
    /// EQUIVOCATION_SLASH_BPS of the configured bond for an equivocation.
    function verify(IHub hub, uint64 communityId, uint32 window, DisputeKind kind, bytes calldata proof)
        external
        view
        returns (uint256 slot, uint256 offenders, uint256 slashCap);

    /// @notice Whether a meter can be registered with `publicKey`: a strict Ed25519 key that is not of
    /// small order (32 bytes), or a P-256 point on the curve (64 bytes, x ‖ y).
    function isValidMeterKey(KeyScheme scheme, bytes calldata publicKey) external view returns (bool);

    /// @notice Whether `signature` by a meter with (`scheme`, `publicKey`) over `encoded` verifies
    /// (Ed25519 over the bytes; P-256 ECDSA r ‖ s over sha256 of the bytes, both s accepted like node:crypto).
    function verifySignature(
        KeyScheme scheme,
        bytes calldata publicKey,
        bytes calldata encoded,
        bytes calldata signature
    ) external view returns (bool);
}
