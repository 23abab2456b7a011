// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EntryOpening, IntervalProof, MeterLeafOpening, SignedReading} from "./Dispute.sol";
import {StepEntry} from "../libraries/StepEntries.sol";

/// @notice What a player does in the data-availability game (DESIGN.md §5.4). `Hub.playGame` takes
/// `abi.encode(GameMove)` and passes it, unread, to the community's game module.
enum GameAction {
    /// Anyone: challenge the pending claim `claim` (posting the challenge bond); the claimant side must
    /// then open the claim's windowRoot.
    Challenge,
    /// Claimant side (anyone holding the data): reveal the two children (`left`, `right`) of the node
    /// the challenger picked (in the window tree, or in the opened interval's readings tree); at height 0
    /// of the window tree, reveal the interval leaf's preimage (`interval`, `readingsRoot`, `energyHash`,
    /// `stateHash`, `entriesRoot`) instead; the step's data must then be published (`Publish`).
    Reveal,
    /// The challenger only: descend into child `side` (0 = left, 1 = right) of the revealed node.
    Pick,
    /// Anyone, once the deadline of the party to move has passed: that party loses. The challenger may
    /// also call it at any time once the leaf is open, to concede.
    Resolve,
    /// Claimant side (anyone holding the data), after the leaf's preimage: publish the opened step's
    /// data in calldata, `abi.encode(GameMove, PublishedStep)` with the leaf's preimage again in
    /// `interval`, `readingsRoot`, `energyHash`, `stateHash`, `entriesRoot` (review R1). The game then goes
    /// on in the interval's readings tree (the meter level), from its root.
    Publish,
    /// Claimant side (anyone holding the data), at a meter leaf k of the readings tree: open it,
    /// `abi.encode(GameMove, MeterReveal)`: its slot and running sums, and for k > 0 meter k−1's leaf
    /// with its path. Only then is the step open: every fraud proof about step t and meter k can be built
    /// from the game's calldata.
    OpenMeter,
    /// Claimant side (anyone holding the data), at height 0 of the entries level (participant j): open entry j,
    /// `abi.encode(GameMove, EntryReveal)`: the entry, entry j−1 and leaf t−1's entry j. The game then goes on at
    /// the meter level.
    OpenEntry
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
    /// Reveal at height 0 of the window tree, and Publish: the interval leaf's preimage
    /// (WindowCommitment.intervalLeaf).
    uint32 interval;
    bytes32 readingsRoot;
    bytes32 energyHash;
    bytes32 stateHash;
    bytes32 entriesRoot;
    /// Pick: 0 = left, 1 = right.
    uint8 side;
    /// Reveal at the entries level: the state tree's children at the same (height, index) as `left`, `right`.
    bytes32 stateLeft;
    bytes32 stateRight;
}

/// @notice The data of an opened interval t that the `Publish` move puts in calldata (DESIGN.md §5.4): the energy
/// vector BadEnergy's total fault reads, leaf t−1, and either S_{t−1} (an auction: what its O(N) BadStep needs)
/// or entry N−1 (Totals, Mmr: the entries level opens one participant's step after it). O(N) in E_t alone
/// for Totals and Mmr, whatever M: the slots are opened one meter at a time at the meter level (`MeterReveal`).
struct PublishedStep {
    /// Position t > 0: leaf t-1 (position t-1) and its path under the claim's windowRoot. Position 0:
    /// not read (S_{-1} is the empty state, as in BadStep).
    IntervalProof previous;
    /// Position t > 0: S_{t-1} packed as in `PackedState` (64 bytes per participant), hashing to
    /// `previous.stateHash`. Position 0: not read.
    bytes prevState;
    /// E_t packed as in `EnergyVector` (16 bytes per participant, exactly N of them), hashing to the leaf's
    /// energyHash.
    bytes energy;
    /// A leaf that commits entries (entriesRoot ≠ 0: Totals, Mmr): entry N−1 under it (the interval's totals),
    /// by a path of exactly depth(N); `prevState` must then be empty (the entries level opens S_{t−1}[j] as
    /// leaf t−1's entry j). An auction leaf (entriesRoot = 0): not read.
    EntryOpening last;
}

/// @notice What the `OpenEntry` move reveals at participant j of the entries level.
struct EntryReveal {
    /// Entry j: `StepEntries.leaf(entry)` must be the entries tree's node the game reached.
    StepEntry entry;
    /// j > 0: entry j−1 under the leaf's entriesRoot (depth(N) path). j = 0: not read.
    EntryOpening before;
    /// t > 0: entry j under leaf t−1's entriesRoot (depth(N) path), whose state is S_{t−1}[j]. t = 0: not read.
    EntryOpening previousEntry;
}

/// @notice What the `OpenMeter` move reveals of meter leaf k of the opened interval's readings tree.
struct MeterReveal {
    /// Meter k's committed slot (both fields empty = absent): meterLeaf(slotLeaf(slot), acc) must be the node.
    SignedReading slot;
    uint64 accExportWh;
    uint64 accImportWh;
    /// k > 0: meter k−1's leaf under the readingsRoot, with a path of depth(M) siblings. k = 0: not read.
    MeterLeafOpening previous;
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
    /// M: the readings tree has 2^depth(M) leaves, the indices >= M being zero padding.
    uint32 meterCount;
    /// N: a published energy vector holds exactly one entry per participant.
    uint32 participantCount;
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
    Void,
    /// The challenger picked a subtree of padding only whose revealed hash is not the empty subtree of its
    /// height (`MerkleTree.emptyRoot`): the claim commits to a non-canonical tree, which no honest node
    /// signs (review 5, M2). A proven fault: reject and ban the claim, slash its signers' whole bonds as
    /// for any fraud, return the bond.
    ClaimantFaulted
}
