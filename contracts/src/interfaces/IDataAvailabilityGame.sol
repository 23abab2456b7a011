// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {GameContext, GameResult} from "../types/Game.sol";

/// @title IDataAvailabilityGame
/// @notice The data-availability game of DESIGN.md §5.4, a module fixed at hub deployment and named by a
/// community in `CommunityModules.game`. Anyone may challenge a pending claim; the claimant side must
/// then open the claim's window tree by bisection, down to one interval leaf whose preimage it
/// reveals, then publish that step's data (E_t, and S_{t-1} with leaf t-1), then open the interval's
/// readings tree by bisection (the meter level) down to one meter leaf k, with meter k−1's leaf, each move
/// before a deadline; the leaves, the sibling paths revealed on the way and the published data make every
/// fraud proof of §5 about that step and meter buildable (review R1). A claim whose data nobody can
/// produce loses by timeout.
/// @dev Game state is keyed by the calling hub (msg.sender): a contract calling the module can only
/// play its own games. The hub pushes `GameContext`, applies the returned `GameOutcome` (bonds,
/// rejection, slashing) and holds every token; the module holds no money and never calls the hub.
interface IDataAvailabilityGame {
    /// @notice Phase of a game: whose move it is.
    enum Phase {
        /// No game (never opened, or over).
        None,
        /// The claimant side must reveal the children of `node` (at height 0: the interval leaf's preimage at
        /// the window level, `OpenMeter` at the meter level).
        Reveal,
        /// The challenger must pick a side of the revealed children.
        Pick,
        /// The leaf's preimage is revealed; the claimant side must publish the step's data (`Publish`).
        Publish,
        /// The meter leaf is open (its step's data published, its slot revealed); the challenger has until
        /// the deadline to prove fraud with it (then loses).
        Opened
    }

    /// @notice Which tree a game is bisecting.
    enum Level {
        /// The claim's window tree (2^depth(W) interval leaves).
        Window,
        /// The opened interval's readings tree (2^depth(M) meter leaves), after `Publish` (auction) or
        /// `OpenEntry` (Totals, Mmr).
        Meter,
        /// The opened interval's entries tree and state tree side by side (2^depth(N) leaves each), after
        /// `Publish` when the leaf commits entries (Totals, Mmr; s19): one participant's entry and state leaf.
        Entries
    }

    /// @notice A game's state, per (hub, gameId).
    struct Game {
        /// The node the claimant side must open (Reveal), the revealed interval leaf (Publish), or the
        /// opened meter leaf (Opened).
        bytes32 node;
        /// Children revealed last (Pick).
        bytes32 left;
        bytes32 right;
        /// The opened interval's readingsRoot (meter level).
        bytes32 readingsRoot;
        uint64 deadline;
        /// Index of `node` in its tree's row; at height 0 its position in the window (window level) or its
        /// meter index (meter level).
        uint32 index;
        /// Rows above the leaves of the tree bisected: depth(W) (window level) or depth(M) (meter level)
        /// at the root, 0 at a leaf.
        uint8 height;
        /// The tree bisected.
        Level level;
        /// The opened interval's position in the window (set by `Publish`).
        uint32 position;
        /// The claim's window: every later move must name it (else a move naming another window would
        /// see no pending claim and end the game void).
        uint32 window;
        Phase phase;
        uint128 bond;
        /// Entries level: the state tree's node at the same (height, index) as `node` (the entries tree's),
        /// and its children revealed last.
        bytes32 stateNode;
        bytes32 stateLeft;
        bytes32 stateRight;
        /// The opened interval's entriesRoot and leaf t−1's (zero at t = 0), set by `Publish`: `OpenEntry`'s
        /// entries j−1 and leaf t−1's entry j are opened under them.
        bytes32 entriesRoot;
        bytes32 previousEntriesRoot;
    }

    error UnknownGame(bytes32 gameId);
    error GameExists(bytes32 gameId);
    error NoPendingClaim(bytes32 claim);
    error ChallengePeriodOver(bytes32 claim, uint64 deadline);
    error NotYourMove(address player);
    error WrongPhase(Phase phase);
    error DeadlinePassed(uint64 deadline);
    error DeadlineNotPassed(uint64 deadline);
    error ChildrenMismatch();
    error LeafMismatch();
    error MalformedInterval(uint32 interval, uint32 expected);
    error PaddingSubtree(uint32 firstPosition);
    error BadSide(uint8 side);
    /// A `Reveal` at a meter leaf (open it with `OpenMeter`) or at an entry (`OpenEntry`), or an `OpenMeter` or
    /// `OpenEntry` anywhere else.
    error WrongLevel();
    error WrongWindow(uint32 window, uint32 expected);
    /// A `Publish` move whose bytes are not `abi.encode(GameMove, PublishedStep)`.
    error MalformedPublish();
    /// A published energy vector does not hash to the opened leaf's energyHash.
    error EnergyHashMismatch();
    /// A published energy vector is not 16 bytes per participant.
    error EnergyLengthMismatch(uint256 expected, uint256 length);
    /// An `OpenMeter` move whose bytes are not `abi.encode(GameMove, MeterReveal)`.
    error MalformedMeterReveal();
    /// An `OpenEntry` move whose bytes are not `abi.encode(GameMove, EntryReveal)`.
    error MalformedEntryReveal();
    /// An `OpenMeter` move's meter k−1 leaf is not at index k−1 under the readingsRoot by a depth(M) path.
    error PreviousMeterMismatch(uint32 meterIndex);
    /// The published leaf t-1 is not at position t-1 under the claim's windowRoot.
    error PreviousLeafMismatch(uint32 position);
    /// The published S_{t-1} does not hash to leaf t-1's stateHash.
    error PrevStateMismatch();
    /// An entry of `Publish` (`last`, entry N−1) or of `OpenEntry` (`before`, entry j−1) is not under the opened
    /// leaf's entriesRoot at `index` by a depth(N) path.
    error EntryMismatch(uint32 index);
    /// `OpenEntry`'s leaf t−1 entry j is not under leaf t−1's entriesRoot at j by a depth(N) path.
    error PreviousEntryMismatch(uint32 index);
    /// A `Publish` of a leaf that commits entries carries S_{t−1} (it must not: the entries level opens it per
    /// participant).
    error UnexpectedPrevState();

    event GameChallenged(
        address indexed hub,
        bytes32 indexed gameId,
        uint64 communityId,
        uint32 window,
        bytes32 claim,
        address challenger,
        uint128 bond,
        uint64 deadline
    );
    event ChildrenRevealed(
        address indexed hub,
        bytes32 indexed gameId,
        uint8 height,
        uint32 index,
        bytes32 left,
        bytes32 right,
        uint64 deadline
    );
    event SidePicked(
        address indexed hub, bytes32 indexed gameId, uint8 height, uint32 index, bytes32 node, uint64 deadline
    );
    /// @notice Interval leaf `position` of the claim is open: its preimage (`WindowCommitment.intervalLeaf`),
    /// from which a watcher rebuilds the leaf the game reached.
    event LeafRevealed(
        address indexed hub,
        bytes32 indexed gameId,
        uint32 position,
        uint32 interval,
        bytes32 readingsRoot,
        bytes32 energyHash,
        bytes32 stateHash,
        bytes32 entriesRoot,
        uint64 deadline
    );
    /// @notice The opened step's data is published: it is the `move` argument of the `Hub.playGame` call
    /// in this transaction, `abi.encode(GameMove, PublishedStep)`, and `dataHash` = keccak256(move). The
    /// game goes on at the meter level: the next `ChildrenRevealed` / `SidePicked` events of this game are
    /// rows of the interval's readings tree.
    event StepPublished(
        address indexed hub, bytes32 indexed gameId, uint32 position, uint32 interval, bytes32 dataHash, uint64 deadline
    );
    /// @notice At the entries level: the children of the entries tree's node (`left`, `right`) and of the state
    /// tree's node at the same (`height`, `index`) (`stateLeft`, `stateRight`). The next `SidePicked` of this
    /// game names the entries tree's child; the state tree's is the same side.
    event EntryChildrenRevealed(
        address indexed hub,
        bytes32 indexed gameId,
        uint8 height,
        uint32 index,
        bytes32 left,
        bytes32 right,
        bytes32 stateLeft,
        bytes32 stateRight,
        uint64 deadline
    );
    /// @notice Entry `participant` of the opened interval is open: the `move` argument of the `Hub.playGame` call
    /// in this transaction is `abi.encode(GameMove, EntryReveal)`, `dataHash` = keccak256(move). The game goes
    /// on at the meter level.
    event EntryOpened(
        address indexed hub,
        bytes32 indexed gameId,
        uint32 position,
        uint32 participant,
        bytes32 dataHash,
        uint64 deadline
    );
    /// @notice Meter leaf `meterIndex` of the opened interval is open: the `move` argument of the
    /// `Hub.playGame` call in this transaction is `abi.encode(GameMove, MeterReveal)`, `dataHash` = keccak256(move).
    event MeterOpened(
        address indexed hub,
        bytes32 indexed gameId,
        uint32 position,
        uint32 meterIndex,
        bytes32 dataHash,
        uint64 deadline
    );
    /// @notice The challenger picked the subtree (`height`, `index`) of the window tree (`meterLevel` false) or
    /// of the opened interval's readings tree, which covers padding only, and its revealed hash `node` is not
    /// the empty subtree of that height: the game ends `ClaimantFaulted` (review 5, M2).
    event PaddingNotEmpty(
        address indexed hub, bytes32 indexed gameId, bool meterLevel, uint8 height, uint32 index, bytes32 node
    );
    event GameEnded(address indexed hub, bytes32 indexed gameId, uint8 result);

    /// @notice Seconds each party has for its move (a community chooses it by naming a module instance).
    function moveDeadline() external view returns (uint32);

    /// @notice Challenge bond in basis points of the community's participant bond.
    function bondBps() external view returns (uint256);

    /// @notice gameId = keccak256(abi.encode(communityId, claim, challenger)).
    function gameId(uint64 communityId, bytes32 claim, address challenger) external pure returns (bytes32);

    /// @notice The state of a game of `hub`.
    function game(address hub, bytes32 id) external view returns (Game memory);

    /// @notice Games of `hub` open in community `communityId` (the hub finalizes no window of the
    /// community and does not close it while one is open; a game whose claim is no longer pending ends
    /// Void at anyone's next move).
    function openGames(address hub, uint64 communityId) external view returns (uint256);

    /// @notice Applies `move` (abi.encode(GameMove)) for the calling hub; reverts on an illegal move.
    /// @return result What the hub must apply (ClaimantLost, ClaimantFaulted: against the pending claim `ctx.claim`).
    /// @return challenger The game's challenger (Opened: the player).
    /// @return bond The game's challenge bond.
    function play(GameContext calldata ctx, bytes calldata move)
        external
        returns (GameResult result, address challenger, uint256 bond);
}
