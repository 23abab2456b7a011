// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ParticipantState} from "./Market.sol";

/// @notice The fraud proofs of DESIGN.md §5. `Hub.dispute` takes `abi.encode(<proof struct>)` as `proof`.
enum DisputeKind {
    /// A validly signed reading for (m, t) is absent (or differs) in the committed slot: `ReadingMismatchProof`.
    ReadingMismatch,
    /// A committed slot holds a reading that is not a valid reading of that meter and interval: `ForgedReadingProof`.
    ForgedReading,
    /// F(S_{t-1}, R_t) does not hash to the committed stateHash_t: `StepProof`.
    BadStep,
    /// The last interval leaf does not commit to the posted S_W: `FinalStateProof`.
    BadFinalState,
    /// Two validly signed readings of one meter for one interval, different values: `EquivocationProof`.
    Equivocation
}

/// @notice A meter reading as gossiped: canonical encoding (70 bytes, `ReadingCodec`) and the meter
/// signature (64 bytes: Ed25519 R ‖ S, or P-256 r ‖ s over sha256(encoded)). An absent slot is
/// `encoded.length == 0 && signature.length == 0`.
struct SignedReading {
    bytes encoded;
    bytes signature;
}

/// @notice An interval leaf of the claim, proven under its windowRoot.
/// @dev leaf = WindowCommitment.intervalLeaf(interval, readingsRoot, stateHash) sits at `position`
/// (0 ≤ position < W) of the window tree; `proof` holds its siblings bottom-up (any depth: the
/// claimant's tree is proven as it was built). A well-formed leaf has interval = w·W + position; a
/// proven leaf that is not well-formed is fraud by itself.
struct IntervalProof {
    uint32 position;
    uint32 interval;
    bytes32 readingsRoot;
    bytes32 stateHash;
    bytes32[] proof;
}

/// @notice Kind 1. `reading` is validly signed for (m, t) = (its meterIndex, its interval) in this
/// window; the committed slot m of interval t (`slotProof` under `leaf.readingsRoot`) holds
/// `committed`, which is absent (ABSENT_LEAF: omission) or differs from `reading` and is not itself a
/// valid reading of (m, t) (a valid one is an equivocation: kind 5).
struct ReadingMismatchProof {
    SignedReading reading;
    IntervalProof leaf;
    SignedReading committed;
    bytes32[] slotProof;
}

/// @notice Kind 2. The committed slot `meterIndex` of the interval of `leaf` holds `committed`
/// (`slotProof` under `leaf.readingsRoot`), which does not decode, is bound to another chain, hub,
/// community, meter or interval, or whose signature does not verify under the meter's key.
struct ForgedReadingProof {
    IntervalProof leaf;
    uint32 meterIndex;
    SignedReading committed;
    bytes32[] slotProof;
}

/// @notice Kind 3. Step t = `current.position`: S_{t-1} (`prevState`, committed by `previous`, the
/// leaf at position t-1; ignored, and S_0 = zeros used, when t = 0), R_t (`slots`, one per meter,
/// absent = empty) whose leaves with `padding` (the leaves after the M slots, zeros in a canonical tree
/// of 2^depth(M) leaves) hash to `current.readingsRoot`; fraud iff hash(F(S_{t-1}, R_t)) differs from
/// `current.stateHash`.
struct StepProof {
    IntervalProof previous;
    ParticipantState[] prevState;
    IntervalProof current;
    SignedReading[] slots;
    bytes32[] padding;
}

/// @notice Kind 4. The leaf at position W-1 commits to a state hash other than the posted S_W's.
struct FinalStateProof {
    IntervalProof last;
}

/// @notice Kind 5: two validly signed readings of one meter for one
/// interval with different encodings (values).
struct EquivocationProof {
    SignedReading first;
    SignedReading second;
}
