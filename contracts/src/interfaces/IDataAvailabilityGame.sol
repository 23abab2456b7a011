// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {GameContext, GameResult} from "../types/Game.sol";

/// @title IDataAvailabilityGame
/// @notice The data-availability game of DESIGN.md §5.4, a module fixed at hub deployment and named by a
/// community in `CommunityModules.game`. Anyone may challenge a pending claim; the claimant side must
/// then open the claim's window tree by bisection, down to one interval leaf whose preimage it
/// reveals, and then publish that step's data (its M slots, and S_{t-1} with leaf t-1), each move
/// before a deadline; the leaf, the sibling path revealed on the way and the published data make every
/// fraud proof of §5 about that step buildable (review R1). A claim whose data nobody can produce loses
/// by timeout.
/// @dev Game state is keyed by the calling hub (msg.sender): a contract calling the module can only
/// play its own games. The hub pushes `GameContext`, applies the returned `GameOutcome` (bonds,
/// rejection, slashing) and holds every token; the module holds no money and never calls the hub.
interface IDataAvailabilityGame {
    /// @notice Phase of a game: whose move it is.
    enum Phase {
        /// No game (never opened, or over).
        None,
        /// The claimant side must reveal the children of `node` (or, at height 0, the leaf preimage).
        Reveal,
        /// The challenger must pick a side of the revealed children.
        Pick,
        /// The leaf's preimage is revealed; the claimant side must publish the step's data (`Publish`).
        Publish,
        /// The leaf is open (its step's data published); the challenger has until the deadline to prove
        /// fraud with it (then loses).
        Opened
    }

    /// @notice A game's state, per (hub, gameId).
    struct Game {
        /// The node the claimant side must open (Reveal), or the revealed interval leaf (Publish, Opened).
        bytes32 node;
        /// Children revealed last (Pick).
        bytes32 left;
        bytes32 right;
        uint64 deadline;
        /// Index of `node` at its level; at height 0 its position in the window.
        uint32 index;
        /// Levels above the leaves: depth(W) at the root, 0 at an interval leaf.
        uint8 height;
        /// The claim's window: every later move must name it (else a move naming another window would
        /// see no pending claim and end the game void).
        uint32 window;
        Phase phase;
        uint128 bond;
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
    error WrongWindow(uint32 window, uint32 expected);
    /// A `Publish` move whose bytes are not `abi.encode(GameMove, PublishedStep)`.
    error MalformedPublish();
    /// A published step's slot count is not the community's M.
    error SlotCountMismatch(uint32 expected, uint256 count);
    /// The published slots do not hash to the opened leaf's readingsRoot.
    error ReadingsRootMismatch();
    /// The published leaf t-1 is not at position t-1 under the claim's windowRoot.
    error PreviousLeafMismatch(uint32 position);
    /// The published S_{t-1} does not hash to leaf t-1's stateHash.
    error PrevStateMismatch();

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
    event LeafRevealed(
        address indexed hub,
        bytes32 indexed gameId,
        uint32 position,
        uint32 interval,
        bytes32 readingsRoot,
        bytes32 stateHash,
        uint64 deadline
    );
    /// @notice The opened step's data is published: it is the `move` argument of the `Hub.playGame` call
    /// in this transaction, `abi.encode(GameMove, PublishedStep)`, and `dataHash` = keccak256(move).
    event StepPublished(
        address indexed hub, bytes32 indexed gameId, uint32 position, uint32 interval, bytes32 dataHash, uint64 deadline
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
    /// @return result What the hub must apply (ClaimantLost: against the pending claim `ctx.claim`).
    /// @return challenger The game's challenger (Opened: the player).
    /// @return bond The game's challenge bond.
    function play(GameContext calldata ctx, bytes calldata move)
        external
        returns (GameResult result, address challenger, uint256 bond);
}
