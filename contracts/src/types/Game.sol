// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IntervalProof, SignedReading} from "./Dispute.sol";

/// @notice What a player does in the data-availability game (DESIGN.md §5.4). `Hub.playGame` takes
/// `abi.encode(GameMove)` and passes it, unread, to the community's game module.
enum GameAction {
    /// Anyone: challenge the pending claim `claim` (posting the challenge bond); the claimant side must
    /// then open the claim's windowRoot.
    Challenge,
    /// Claimant side (anyone holding the data): reveal the two children (`left`, `right`) of the node
    /// the challenger picked; at height 0, reveal the interval leaf's preimage (`interval`,
    /// `readingsRoot`, `stateHash`) instead; the step's data must then be published (`Publish`).
    Reveal,
    /// The challenger only: descend into child `side` (0 = left, 1 = right) of the revealed node.
    Pick,
    /// Anyone, once the deadline of the party to move has passed: that party loses. The challenger may
    /// also call it at any time once the leaf is open, to concede.
    Resolve,
    /// Claimant side (anyone holding the data), after the leaf's preimage: publish the opened step's
    /// data in calldata, `abi.encode(GameMove, PublishedStep)` with the leaf's preimage again in
    /// `interval`, `readingsRoot`, `stateHash` (review R1). Only then is the leaf open: every fraud proof
    /// of that step can be built from the transaction's calldata.
    Publish
}

/// @notice One move of the game; unused fields are zero.
struct GameMove {
    GameAction action;
    /// The claim played on: claimHash(window, windowRoot, stateHash, balancesRoot).
    bytes32 claim;
    /// The game's challenger (a game is keyed by community, claim and challenger).
    address challenger;
    /// Reveal above the leaves: the two children of the current node.
    bytes32 left;
    bytes32 right;
    /// Reveal at height 0: the interval leaf's preimage (WindowCommitment.intervalLeaf).
    uint32 interval;
    bytes32 readingsRoot;
    bytes32 stateHash;
    /// Pick: 0 = left, 1 = right.
    uint8 side;
}

/// @notice The data of an opened interval t that the `Publish` move puts in calldata: what BadStep,
/// ForgedReading, ReadingMismatch and VoidedSlot need beyond the leaf and its path (DESIGN.md §5.4).
struct PublishedStep {
    /// The M slots of interval t in meter order (both fields empty = absent): the canonical readings
    /// tree over their `WindowCommitment.slotLeaf`s (zero padded, as honest nodes build it) must have
    /// the leaf's readingsRoot.
    SignedReading[] slots;
    /// Position t > 0: leaf t-1 (position t-1) and its path under the claim's windowRoot. Position 0:
    /// not read (S_{-1} is the empty state, as in BadStep).
    IntervalProof previous;
    /// Position t > 0: S_{t-1} packed as in `PackedState` (64 bytes per participant), hashing to
    /// `previous.stateHash`. Position 0: not read.
    bytes prevState;
}

/// @notice Everything the game module needs, pushed by the hub (the module never calls back).
struct GameContext {
    uint64 communityId;
    uint32 window;
    /// W: the window tree has 2^depth(W) leaves, the positions >= W being zero padding.
    uint32 windowIntervals;
    /// The account making the move (msg.sender of `Hub.playGame`).
    address player;
    /// The window's pending claim (zero when the window has none: games against a claim that is no
    /// longer pending end void) and its windowRoot.
    bytes32 claim;
    bytes32 windowRoot;
    /// End of the pending claim's challenge period: a game must start before it.
    uint64 claimDeadline;
    /// The community's participant bond: the challenge bond is a share of it.
    uint128 communityBond;
    /// M: a published step holds exactly one slot per meter.
    uint32 meterCount;
}

/// @notice What the hub must do after a move.
enum GameResult {
    /// The game goes on; nothing to apply.
    Continue,
    /// A game was opened: take `bond` from the player; the claim cannot finalize while it is open.
    Opened,
    /// The claimant side missed a deadline: reject the claim, slash its signers, return the bond.
    ClaimantLost,
    /// The challenge was fully answered (or the challenger missed its deadline): the bond goes to the
    /// claim's signers.
    ChallengerLost,
    /// The claim is no longer pending (replaced, or rejected by a fraud proof): return the bond.
    Void
}
