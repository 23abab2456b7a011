// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IDataAvailabilityGame} from "../interfaces/IDataAvailabilityGame.sol";
import {
    GameAction,
    GameContext,
    GameMove,
    GameResult,
    EntryReveal,
    MeterReveal,
    PublishedStep
} from "../types/Game.sol";
import {EntryOpening, IntervalProof, MeterLeafOpening} from "../types/Dispute.sol";
import {EnergyVector} from "../libraries/EnergyVector.sol";
import {MerkleTree} from "../libraries/MerkleTree.sol";
import {PackedState} from "../libraries/PackedState.sol";
import {StepEntries} from "../libraries/StepEntries.sol";
import {WindowCommitment} from "../libraries/WindowCommitment.sol";

/// @title DataAvailabilityGame
/// @notice A claim that nobody can open loses (DESIGN.md §5.4). A challenger posts a bond against a
/// pending claim; the claimant side (any signer, or anyone holding the data: answers are checked
/// against hashes only) must reveal the two children of the window tree's root; the challenger picks
/// one; and so on down to an interval leaf t, whose preimage (interval, readingsRoot, energyHash,
/// stateHash, entriesRoot) must then be revealed, and then the step's data published (`Publish`, review R1): E_t,
/// which must hash to energyHash and hold one entry per participant, and for t > 0 leaf t-1 with its path under
/// the windowRoot. A leaf that commits step entries (Totals, Mmr; s19) adds entry N−1 (the totals) and the game
/// bisects its entries tree and state tree side by side (the entries level) down to one participant j, whose
/// entry the claimant side opens with entry j−1 and leaf t−1's entry j (`OpenEntry`). An auction leaf adds
/// S_{t-1} packed, which must hash to leaf t-1's stateHash, instead. The game then bisects the interval's readings
/// tree the same way (the meter level) down to a meter leaf k, which the claimant side opens (`OpenMeter`):
/// meter k's slot and running sums, and for k > 0 meter k−1's leaf with its path. The leaves, the siblings
/// revealed on the way and the published data make every fraud proof of §5 about step t, participant j and meter
/// k buildable (BadEntry, StateEntry, BadEnergy, ForgedReading, ReadingMismatch, VoidedSlot; an auction's BadStep)
/// with O(log N + log M) data beside E_t (an auction: O(N + log M)); the challenger keeps the game open (the
/// claim cannot finalize) for one more deadline to use them. Rounds: depth(W) reveals and picks, the leaf's
/// reveal, the publication, [depth(N) reveals and picks, the entry's opening,] depth(M) reveals and picks, the
/// meter's opening, one last challenger deadline: 2·depth(W) + 2·depth(N) + 2·depth(M) + 5 deadlines at most
/// (an auction: 2·depth(W) + 2·depth(M) + 4; W = 96, N = M = 1,000: 59 and 38).
/// @dev Every tree is the canonical one of WindowCommitment: 2^depth leaves, positions >= W (meters >= M,
/// participants >= N) padded with zero. A subtree made of padding only holds nothing to open: a pick into one whose revealed
/// hash is the empty subtree of its height (`MerkleTree.emptyRoot`) is refused, and a pick into one whose
/// hash is anything else ends the game at once, `ClaimantFaulted` (review 5, M2: junk padding is a fault
/// of the tree the signers committed to, proven by the reveal itself).
/// Every move must come before the deadline of the party to move; after it, `Resolve` ends the game
/// against that party. State is keyed by the calling hub; open games are counted per community (a game
/// in one community never holds another's claim, review R2), and the hub neither finalizes nor closes
/// a community while one of its games is open (a game whose claim is no longer pending ends Void at
/// the next move anyone makes, review R3).
contract DataAvailabilityGame is IDataAvailabilityGame {
    /// @inheritdoc IDataAvailabilityGame
    uint32 public immutable moveDeadline;
    /// @inheritdoc IDataAvailabilityGame
    uint256 public immutable bondBps;

    /// @dev Bytes of `GameMove` at the head of a move: 13 static words; `Publish` appends the offset of
    /// its `PublishedStep` (abi.encode(GameMove, PublishedStep)).
    uint256 private constant MOVE_HEAD = 13 * 32;
    /// @dev Head words of a `PublishedStep`: the offsets of `previous`, `prevState`, `energy` and `last`.
    uint256 private constant STEP_HEAD = 4 * 32;

    mapping(address hub => mapping(bytes32 id => Game)) internal _games;
    /// @inheritdoc IDataAvailabilityGame
    mapping(address hub => mapping(uint64 communityId => uint256)) public openGames;

    /// @param moveDeadline_ Seconds per move (default 1 hour in the node's module set).
    /// @param bondBps_ Challenge bond in basis points of the community's participant bond.
    constructor(uint32 moveDeadline_, uint256 bondBps_) {
        moveDeadline = moveDeadline_;
        bondBps = bondBps_;
    }

    /// @inheritdoc IDataAvailabilityGame
    function gameId(uint64 communityId, bytes32 claim, address challenger) public pure returns (bytes32) {
        return keccak256(abi.encode(communityId, claim, challenger));
    }

    /// @inheritdoc IDataAvailabilityGame
    function game(address hub, bytes32 id) external view returns (Game memory) {
        return _games[hub][id];
    }

    /// @inheritdoc IDataAvailabilityGame
    function play(GameContext calldata ctx, bytes calldata move)
        external
        returns (GameResult result, address challenger, uint256 bond)
    {
        GameMove memory m = abi.decode(move, (GameMove));
        if (m.action == GameAction.Challenge) return (GameResult.Opened, ctx.player, _challenge(ctx, m.claim));
        challenger = m.challenger;
        bytes32 id = gameId(ctx.communityId, m.claim, challenger);
        Game storage g = _games[msg.sender][id];
        Phase phase = g.phase;
        if (phase == Phase.None) revert UnknownGame(id);
        bond = g.bond;
        if (ctx.window != g.window) revert WrongWindow(ctx.window, g.window);
        // The claim was replaced or rejected (by a fraud proof, or another game): nothing left to play.
        if (ctx.claim != m.claim) return (_end(id, ctx.communityId, GameResult.Void), challenger, bond);
        uint64 deadline = g.deadline;
        if (m.action == GameAction.Resolve) {
            // Second-level drift is irrelevant against move deadlines.
            // forge-lint: disable-next-line(block-timestamp)
            bool late = block.timestamp > deadline;
            if (!late && !(phase == Phase.Opened && ctx.player == challenger)) revert DeadlineNotPassed(deadline);
            bool claimantToMove = phase == Phase.Reveal || phase == Phase.Publish;
            result = _end(id, ctx.communityId, claimantToMove ? GameResult.ClaimantLost : GameResult.ChallengerLost);
            return (result, challenger, bond);
        }
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp > deadline) revert DeadlinePassed(deadline);
        if (m.action == GameAction.Reveal) {
            if (phase != Phase.Reveal) revert WrongPhase(phase);
            _reveal(ctx, g, id, m);
        } else if (m.action == GameAction.Publish) {
            if (phase != Phase.Publish) revert WrongPhase(phase);
            _publish(ctx, g, id, m, move);
        } else if (m.action == GameAction.OpenMeter) {
            if (phase != Phase.Reveal) revert WrongPhase(phase);
            _openMeter(ctx, g, id, move);
        } else if (m.action == GameAction.OpenEntry) {
            if (phase != Phase.Reveal) revert WrongPhase(phase);
            _openEntry(ctx, g, id, move);
        } else {
            if (phase != Phase.Pick) revert WrongPhase(phase);
            if (ctx.player != challenger) revert NotYourMove(ctx.player);
            if (!_pick(ctx, g, id, m.side)) {
                return (_end(id, ctx.communityId, GameResult.ClaimantFaulted), challenger, bond);
            }
        }
        return (GameResult.Continue, challenger, bond);
    }

    function _challenge(GameContext calldata ctx, bytes32 claim) internal returns (uint128 bond) {
        if (ctx.claim == bytes32(0) || ctx.claim != claim) revert NoPendingClaim(claim);
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp >= ctx.claimDeadline) revert ChallengePeriodOver(claim, ctx.claimDeadline);
        bytes32 id = gameId(ctx.communityId, claim, ctx.player);
        Game storage g = _games[msg.sender][id];
        if (g.phase != Phase.None) revert GameExists(id);
        // At most the uint128 community bond (bondBps is a share of it in the standard set).
        // forge-lint: disable-next-line(unsafe-typecast)
        bond = uint128(uint256(ctx.communityBond) * bondBps / 10_000);
        uint64 deadline = _nextDeadline();
        g.node = ctx.windowRoot;
        g.height = uint8(MerkleTree.depth(ctx.windowIntervals));
        g.window = ctx.window;
        g.phase = Phase.Reveal;
        g.deadline = deadline;
        g.bond = bond;
        ++openGames[msg.sender][ctx.communityId];
        emit GameChallenged(msg.sender, id, ctx.communityId, ctx.window, claim, ctx.player, bond, deadline);
    }

    function _reveal(GameContext calldata ctx, Game storage g, bytes32 id, GameMove memory m) internal {
        uint64 deadline = _nextDeadline();
        g.deadline = deadline;
        uint8 height = g.height;
        Level level = g.level;
        // A leaf of the readings tree is opened by `OpenMeter`, one of the entries level by `OpenEntry`.
        if (height == 0 && level != Level.Window) revert WrongLevel();
        if (height > 0) {
            if (MerkleTree.hashPair(m.left, m.right) != g.node) revert ChildrenMismatch();
            g.left = m.left;
            g.right = m.right;
            g.phase = Phase.Pick;
            if (level == Level.Entries) {
                // The state tree beside the entries tree, at the same node: one pick descends both.
                if (MerkleTree.hashPair(m.stateLeft, m.stateRight) != g.stateNode) revert ChildrenMismatch();
                g.stateLeft = m.stateLeft;
                g.stateRight = m.stateRight;
                emit EntryChildrenRevealed(
                    msg.sender, id, height, g.index, m.left, m.right, m.stateLeft, m.stateRight, deadline
                );
                return;
            }
            emit ChildrenRevealed(msg.sender, id, height, g.index, m.left, m.right, deadline);
            return;
        }
        uint32 position = g.index;
        // A well-formed leaf names its absolute interval; a malformed one is no answer.
        uint32 expected = ctx.window * ctx.windowIntervals + position;
        if (m.interval != expected) revert MalformedInterval(m.interval, expected);
        if (_intervalLeaf(m) != g.node) revert LeafMismatch();
        g.phase = Phase.Publish;
        emit LeafRevealed(
            msg.sender, id, position, m.interval, m.readingsRoot, m.energyHash, m.stateHash, m.entriesRoot, deadline
        );
    }

    /// @dev The step's data of the revealed leaf t (named again in `m`, checked against the stored leaf
    /// hash): E_t under its energyHash, N entries; for t > 0, leaf t-1 under the windowRoot. A leaf that commits
    /// entries (Totals, Mmr): entry N−1 under its entriesRoot, no S_{t−1}; the game goes on at the entries level.
    /// An auction leaf (entriesRoot zero): S_{t-1} under leaf t−1's stateHash; the game goes on at the meter
    /// level. The data stays in this transaction's calldata; the event names it by hash.
    function _publish(GameContext calldata ctx, Game storage g, bytes32 id, GameMove memory m, bytes calldata move)
        internal
    {
        if (_intervalLeaf(m) != g.node) revert LeafMismatch();
        // Decoded strictly, into memory (review P3): read in place with Solidity's calldata accessors,
        // whose tail-offset checks are signed, a step whose tail sat before its head passed here and was
        // refused by the ABI decoders of the watchers who must build fraud proofs from it. Now the data
        // checked is what those decoders read (`_publishedStep` first names the usual malformations).
        // Cheaper than requiring the canonical encoding (`keccak256(abi.encode(m, d)) ==
        // keccak256(move)`: a second copy in memory, DESIGN.md §5.4).
        bytes calldata prevState = _publishedStep(move).prevState;
        (, PublishedStep memory d) = abi.decode(move, (GameMove, PublishedStep));
        if (EnergyVector.hash(d.energy) != m.energyHash) revert EnergyHashMismatch();
        // An honest E_t holds one entry per participant: a committed one that does not cannot be published.
        uint256 n = ctx.participantCount;
        uint256 energyLength = n * EnergyVector.STRIDE;
        if (d.energy.length != energyLength) revert EnergyLengthMismatch(energyLength, d.energy.length);
        bool entries = m.entriesRoot != bytes32(0);
        uint32 position = g.index;
        if (position > 0) {
            IntervalProof memory p = d.previous;
            bytes32 leaf =
                WindowCommitment.intervalLeaf(p.interval, p.readingsRoot, p.energyHash, p.stateHash, p.entriesRoot);
            // The canonical path only (review P2): a shorter one proves a node above the leaves, where a
            // claimant's tree may hide an interval leaf of its choice (in the padding, which no pick reaches).
            if (
                uint256(p.position) + 1 != position || p.proof.length != MerkleTree.depth(ctx.windowIntervals)
                    || !MerkleTree.verify(ctx.windowRoot, leaf, p.position, p.proof)
            ) {
                revert PreviousLeafMismatch(p.position);
            }
            if (entries) {
                g.previousEntriesRoot = p.entriesRoot;
            } else if (PackedState.check(prevState, prevState.length / PackedState.STRIDE) != p.stateHash) {
                // Reverts unless the bytes are n whole participants of a balanced, in-range state (every
                // honest S_t is): a committed S_{t-1} that is not cannot be published, and its claim loses.
                revert PrevStateMismatch();
            }
        }
        uint64 deadline = _nextDeadline();
        g.deadline = deadline;
        g.position = position;
        g.readingsRoot = m.readingsRoot;
        g.index = 0;
        g.phase = Phase.Reveal;
        if (entries) {
            // S_{t−1} is opened per participant at the entries level (leaf t−1's entry j), never whole.
            if (prevState.length != 0) revert UnexpectedPrevState();
            _enterEntries(ctx, g, m, d.last);
        } else {
            g.level = Level.Meter;
            g.node = m.readingsRoot;
            g.height = uint8(MerkleTree.depth(ctx.meterCount));
        }
        emit StepPublished(msg.sender, id, position, m.interval, keccak256(move), deadline);
    }

    /// @dev Starts the entries level at the published leaf's two roots, once entry N−1 (`last`, the interval's
    /// totals) opens under its entriesRoot: an entries tree whose last entry nobody can open cannot be played.
    function _enterEntries(GameContext calldata ctx, Game storage g, GameMove memory m, EntryOpening memory last)
        internal
    {
        uint256 n = ctx.participantCount;
        // A community has at least one participant (the hub's bounds at open).
        uint32 lastIndex = ctx.participantCount - 1;
        if (!StepEntries.opens(m.entriesRoot, n, lastIndex, last.entry, last.path)) revert EntryMismatch(lastIndex);
        g.level = Level.Entries;
        g.node = m.entriesRoot;
        g.stateNode = m.stateHash;
        g.entriesRoot = m.entriesRoot;
        g.height = uint8(MerkleTree.depth(n));
    }

    /// @dev Opens entry j (the node reached at height 0 of the entries level): the entry must hash to the node;
    /// for j > 0 entry j−1 must sit at j−1 under the leaf's entriesRoot, and for t > 0 leaf t−1's entry j at j
    /// under its entriesRoot, each by a path of depth(N) (so BadEntry at j is provable from the game's data;
    /// the state leaf j is the state tree's node the game reached). The game goes on at the meter level.
    /// Decoded strictly, into memory (review P3).
    function _openEntry(GameContext calldata ctx, Game storage g, bytes32 id, bytes calldata move) internal {
        if (g.level != Level.Entries || g.height != 0) revert WrongLevel();
        if (move.length < MOVE_HEAD + 32) revert MalformedEntryReveal();
        (, EntryReveal memory r) = abi.decode(move, (GameMove, EntryReveal));
        if (StepEntries.leaf(r.entry) != g.node) revert LeafMismatch();
        uint32 j = g.index;
        uint256 n = ctx.participantCount;
        if (j > 0 && !StepEntries.opens(g.entriesRoot, n, j - 1, r.before.entry, r.before.path)) {
            revert EntryMismatch(j - 1);
        }
        uint32 position = g.position;
        // S_{t−1}[j]: zeros at t = 0 (nothing to open), else leaf t−1's entry j.
        bool previousOpens = position == 0
            || StepEntries.opens(g.previousEntriesRoot, n, j, r.previousEntry.entry, r.previousEntry.path);
        if (!previousOpens) revert PreviousEntryMismatch(j);
        uint64 deadline = _nextDeadline();
        g.deadline = deadline;
        g.level = Level.Meter;
        g.node = g.readingsRoot;
        g.index = 0;
        g.height = uint8(MerkleTree.depth(ctx.meterCount));
        g.phase = Phase.Reveal;
        emit EntryOpened(msg.sender, id, position, j, keccak256(move), deadline);
    }

    /// @dev Opens meter leaf k (the node reached at height 0 of the meter level): its slot and running sums
    /// must hash to the node; for k > 0 meter k−1's leaf must sit at k−1 under the readingsRoot by a path of
    /// depth(M) siblings (so an Accumulation fraud at k is provable from this move alone). Decoded strictly,
    /// into memory (review P3): what is checked is what every watcher's ABI decoder reads.
    function _openMeter(GameContext calldata ctx, Game storage g, bytes32 id, bytes calldata move) internal {
        if (g.level != Level.Meter || g.height != 0) revert WrongLevel();
        if (move.length < MOVE_HEAD + 32) revert MalformedMeterReveal();
        (, MeterReveal memory r) = abi.decode(move, (GameMove, MeterReveal));
        bytes32 slotLeaf = WindowCommitment.slotLeaf(r.slot.encoded, r.slot.signature);
        if (WindowCommitment.meterLeaf(slotLeaf, r.accExportWh, r.accImportWh) != g.node) revert LeafMismatch();
        uint32 k = g.index;
        if (k > 0) {
            MeterLeafOpening memory p = r.previous;
            bytes32 leaf = WindowCommitment.meterLeaf(p.slotLeaf, p.accExportWh, p.accImportWh);
            if (
                uint256(p.meterIndex) + 1 != k || p.path.length != MerkleTree.depth(ctx.meterCount)
                    || !MerkleTree.verify(g.readingsRoot, leaf, p.meterIndex, p.path)
            ) {
                revert PreviousMeterMismatch(p.meterIndex);
            }
        }
        uint64 deadline = _nextDeadline();
        g.deadline = deadline;
        g.phase = Phase.Opened;
        emit MeterOpened(msg.sender, id, g.position, k, keccak256(move), deadline);
    }

    function _intervalLeaf(GameMove memory m) internal pure returns (bytes32) {
        return WindowCommitment.intervalLeaf(m.interval, m.readingsRoot, m.energyHash, m.stateHash, m.entriesRoot);
    }

    /// @dev The `PublishedStep` of a `Publish` move in place in calldata (for `prevState`: PackedState
    /// reads calldata), with its head checked: the word after the `GameMove` head is its offset within
    /// `move`, which must leave room for its four head words, each of them an offset inside the step.
    /// Read only once `abi.decode(move, (GameMove, PublishedStep))` has passed too: every offset is then
    /// below 2^64 and its tail inside `move`, so these accessors reach the bytes the decoder read.
    function _publishedStep(bytes calldata move) internal pure returns (PublishedStep calldata d) {
        if (move.length < MOVE_HEAD + 32) revert MalformedPublish();
        uint256 offset = uint256(bytes32(move[MOVE_HEAD:MOVE_HEAD + 32]));
        if (offset > move.length || move.length - offset < STEP_HEAD) revert MalformedPublish();
        uint256 room = move.length - offset - 32;
        for (uint256 at = offset; at < offset + STEP_HEAD; at += 32) {
            if (uint256(bytes32(move[at:at + 32])) > room) revert MalformedPublish();
        }
        assembly ("memory-safe") {
            d := add(move.offset, offset)
        }
    }

    /// @dev Descends into child `side`; false when that child is padding only and not the empty subtree of
    /// its height (the claim's tree is junk there: the game ends against the claimant side).
    function _pick(GameContext calldata ctx, Game storage g, bytes32 id, uint8 side) internal returns (bool) {
        if (side > 1) revert BadSide(side);
        uint8 height = g.height - 1;
        uint32 index = g.index * 2 + side;
        bytes32 node = side == 0 ? g.left : g.right;
        Level level = g.level;
        bytes32 stateNode = side == 0 ? g.stateLeft : g.stateRight;
        // First leaf under the chosen child: a subtree of padding only holds no interval (meter, participant).
        uint256 first = uint256(index) << height;
        uint256 leafCount =
            level == Level.Meter ? ctx.meterCount : level == Level.Entries ? ctx.participantCount : ctx.windowIntervals;
        if (first >= leafCount) {
            // Canonical padding: nothing to open there, the pick is refused. Anything else: junk the signers
            // committed to, which hides nothing from the chain but makes the root differ from every honest
            // node's (review 5, M2): the claimant side loses here. At the entries level both trees' padding.
            bytes32 empty = MerkleTree.emptyRoot(height);
            if (node == empty && (level != Level.Entries || stateNode == empty)) {
                // A leaf of the tree: first < 2^depth(W, M or N) <= 2^32.
                // forge-lint: disable-next-line(unsafe-typecast)
                revert PaddingSubtree(uint32(first));
            }
            emit PaddingNotEmpty(msg.sender, id, level == Level.Meter, height, index, node == empty ? stateNode : node);
            return false;
        }
        uint64 deadline = _nextDeadline();
        if (level == Level.Entries) {
            g.stateNode = stateNode;
            delete g.stateLeft;
            delete g.stateRight;
        }
        g.node = node;
        g.index = index;
        g.height = height;
        g.phase = Phase.Reveal;
        g.deadline = deadline;
        delete g.left;
        delete g.right;
        emit SidePicked(msg.sender, id, height, index, node, deadline);
        return true;
    }

    function _end(bytes32 id, uint64 communityId, GameResult result) internal returns (GameResult) {
        delete _games[msg.sender][id];
        --openGames[msg.sender][communityId];
        emit GameEnded(msg.sender, id, uint8(result));
        return result;
    }

    function _nextDeadline() internal view returns (uint64) {
        return uint64(block.timestamp + moveDeadline);
    }
}
