// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {DisputeContext, DisputeKind, DisputeOutcome} from "../types/Dispute.sol";

/// @title IDisputeVerifier
/// @notice Stateless arbiter of the fraud proofs of DESIGN.md §5: a module fixed at hub deployment,
/// named by a community in `CommunityModules.verifier`. The hub pushes the claim and the community
/// (`DisputeContext`) and applies the outcome (reject, slash, void); the verifier never calls the hub.
/// It may be run off chain with `eth_call` on the same context.
interface IDisputeVerifier {
    /// @notice Thrown when the proof applies but the claim survives it (no fraud).
    error FraudNotProven(DisputeKind kind);
    /// @notice Thrown when an interval leaf's position is not below W.
    error PositionOutOfRange(uint32 position, uint32 windowIntervals);
    /// @notice Thrown when an interval leaf is not under the claim's windowRoot at its position.
    error InvalidIntervalProof(uint32 position);
    /// @notice Thrown when a meter leaf is not under the interval's readingsRoot at the meter's index by a
    /// path of depth(M) siblings.
    error InvalidSlotProof(uint32 meterIndex);
    /// @notice Thrown when a meter index is not a registered meter.
    error MeterOutOfRange(uint256 meterIndex, uint256 meterCount);
    /// @notice Thrown when the challenger's reading is not a validly signed reading of this community
    /// for the interval it is proven against.
    error InvalidChallengerReading();
    /// @notice Thrown when the committed slot holds a valid reading of its meter and interval (the same
    /// reading, or an equivocation: dispute it as an Equivocation).
    error CommittedReadingValid(uint32 meterIndex, uint32 interval);
    /// @notice Thrown when a forged-reading or voided-slot dispute targets an absent slot.
    error SlotAbsent(uint32 meterIndex);
    /// @notice Thrown when a step proof's S_{t-1} does not hash to the previous leaf's stateHash.
    error PrevStateMismatch();
    /// @notice Thrown when a step proof's packed S_{t-1} is not a whole number of participants (64 bytes
    /// each, `PackedState`): such bytes encode no state, so they are not the committed one.
    error MalformedPrevState(uint256 length);
    /// @notice Thrown when a step proof's packed limit prices are not a whole number of participants (32
    /// bytes each, `PackedLimits`): such bytes encode no price list.
    error MalformedLimits(uint256 length);
    /// @notice Thrown when a step proof's previous leaf is not at position t-1.
    error PreviousNotAdjacent(uint32 previous, uint32 current);
    /// @notice Thrown when a proof's energy vector does not hash to its interval leaf's energyHash.
    error EnergyHashMismatch();
    /// @notice Thrown when a proof's committed slot is not the one the meter leaf opening commits to.
    error SlotLeafMismatch(uint32 meterIndex);
    /// @notice Thrown when an energy-total proof's participant is not a participant index.
    error ParticipantOutOfRange(uint32 participant, uint32 participantCount);
    /// @notice Thrown when an energy-total proof's meter index is neither the participant's last meter nor,
    /// for a participant without meters, where its meters would start.
    error NotParticipantBoundary(uint32 participant, uint32 meterIndex);
    /// @notice Thrown when a step proof's tariff does not hash to the community's `MarketParams.tariffHash`:
    /// a prover who swaps the hourly prices could make a right step look wrong (or a wrong one right).
    error TariffHashMismatch(bytes32 expected, bytes32 actual);
    /// @notice Thrown when an omission by a claim its meter's owner did not sign is raised by that owner
    /// or by an account that is not a participant: the reading was never shown to be served (§5.5).
    error UnservedOmission(uint32 meterIndex);
    /// @notice Thrown when a final-state proof's leaf is not the window's last (position W-1).
    error NotLastPosition(uint32 position);
    /// @notice Thrown when a balances proof's previous balances are not one leaf per participant whose
    /// root is the one the claim starts from (window w−1's final balances root, the genesis one for w = 0).
    error BalancesProofMismatch();
    /// @notice Thrown when a balances proof's packed final state does not hash to the claim's stateHash.
    error StateProofMismatch();
    /// @notice Thrown when a proof's meter record opening names another meter than the one the proof needs.
    error MeterRecordIndexMismatch(uint32 expected, uint32 index);
    /// @notice Thrown when a meter record (owner, scheme, key) is not under the community's meterRoot at its
    /// index by a path of exactly depth(M) siblings.
    error InvalidMeterRecord(uint32 index);
    /// @notice Thrown when two readings are not an equivocation (not both validly signed for one meter
    /// and one interval of the disputed window of this community, or identical encodings).
    error NotEquivocation();
    /// @notice Thrown when a step entry is not under its interval leaf's entriesRoot at the participant's index
    /// by a path of exactly depth(N) siblings (the canonical entries tree's shape).
    error InvalidEntryProof(uint32 index);
    /// @notice Thrown when a state leaf is not under its interval leaf's stateHash at the participant's index by
    /// a path of exactly depth(N) siblings (the canonical state tree's shape).
    error InvalidStateProof(uint32 index);

    /// @notice Checks `proof` (abi.encode of the struct named by `kind`) against `ctx`.
    /// @dev ReadingMismatch, ForgedReading, BadStep, BadFinalState, VoidedSlot, BadBalances, BadEnergy, BadEntry,
    /// StateEntry: the claim (ctx.windowRoot, ctx.stateHash, ctx.balancesRoot) is proven wrong, or this reverts
    /// with `FraudNotProven` (the proof applies and the claim survives it) or a specific error (the
    /// proof does not apply). Equivocation: the two readings are an equivocation of one slot in ctx.window.
    function verify(DisputeContext calldata ctx, DisputeKind kind, bytes calldata proof)
        external
        view
        returns (DisputeOutcome memory);
}
