// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Vm} from "forge-std/Vm.sol";
import {IDataAvailabilityGame} from "../src/interfaces/IDataAvailabilityGame.sol";
import {IDisputeVerifier} from "../src/interfaces/IDisputeVerifier.sol";
import {ParticipantState, StateHash} from "../src/types/Market.sol";
import {WindowStatus} from "../src/types/Community.sol";
import {DisputeKind, EntryOpening, EntryProof, IntervalProof, StateEntryProof} from "../src/types/Dispute.sol";
import {EntryReveal, GameAction, GameMove, PublishedStep} from "../src/types/Game.sol";
import {MerkleTree} from "../src/libraries/MerkleTree.sol";
import {PackedState} from "../src/libraries/PackedState.sol";
import {StepEntries, StepEntry} from "../src/libraries/StepEntries.sol";
import {GamePlay} from "./utils/GamePlay.sol";
import {transactionGas} from "./utils/TxGas.sol";

// Test code: timestamps are the cheatcode's, casts are of small bounded values.
// forge-lint: disable-start(block-timestamp, unsafe-typecast)

/// @notice The game's entries level (issue 10, phase 3; DESIGN.md §5.4): in a community whose leaves commit step
/// entries (Totals, Mmr), the claimant side publishes E_t, leaf t−1 and entry N−1 (no S_{t−1}: O(N) in E_t alone),
/// then answers a bisection of the entries tree and the state tree side by side down to one participant j, opens
/// entry j with entry j−1 and leaf t−1's entry j (`OpenEntry`), and only then the meter level. Each test performs
/// an attack or an honest game through the real hub (N = M = 10, W = 96, Ed25519 readings signed in TypeScript):
/// a wrong step and a state off its entries are proven from the game's calldata alone (BadEntry, StateEntry); an
/// entries tree whose last entry nobody can open, or with junk in its padding, loses the claim; an honest
/// claimant keeps its claim; every malformed answer is refused by name.
contract GameEntriesTest is GamePlay {
    function setUp() public override {
        nodeEntriesRoots = true;
        super.setUp();
    }

    /// @dev What a watcher holds after the entries level: entry j's and the state leaf's paths (the siblings
    /// revealed on the way down) and the state leaf (the state tree's node reached).
    struct Descent {
        bytes32[] entryPath;
        bytes32[] statePath;
        bytes32 stateLeaf;
    }

    /// @dev The claimant side publishes leaf t's step with `last` as entry N−1 (its own entries).
    function _publishWith(Commit memory c, uint32 t, EntryOpening memory last) internal returns (bytes memory move) {
        GameMove memory m = _mv(GameAction.Publish);
        m.interval = t;
        m.readingsRoot = c.readingsRoots[t];
        m.energyHash = keccak256(c.energies[t]);
        m.stateHash = StateHash.hash(c.states[t]);
        m.entriesRoot = _entriesRoot(c, t);
        PublishedStep memory d;
        d.energy = c.energies[t];
        if (t > 0) d.previous = _intervalProof(c, t - 1);
        d.last = last;
        move = abi.encode(m, d);
        _play(nodes[1], move);
    }

    /// @dev The entries level down to participant j over the claimant's entry leaves `el` and state leaves `sl`.
    function _bisectEntries(bytes32[] memory el, bytes32[] memory sl, uint32 j) internal returns (Descent memory d) {
        uint8 depth = uint8(MerkleTree.depth(N));
        d.entryPath = new bytes32[](depth);
        d.statePath = new bytes32[](depth);
        for (uint8 h = depth; h > 0; --h) {
            GameMove memory r = _mv(GameAction.Reveal);
            uint256 at = 2 * uint256(j >> h);
            (r.left, r.right) = (_node(el, h - 1, at), _node(el, h - 1, at + 1));
            (r.stateLeft, r.stateRight) = (_node(sl, h - 1, at), _node(sl, h - 1, at + 1));
            _play(nodes[1], abi.encode(r));
            GameMove memory p = _mv(GameAction.Pick);
            p.side = uint8((j >> (h - 1)) & 1);
            _play(challenger, abi.encode(p));
            (d.entryPath[h - 1], d.statePath[h - 1]) = p.side == 0 ? (r.right, r.stateRight) : (r.left, r.stateLeft);
        }
        d.stateLeaf = sl[j];
    }

    /// @dev The claimant side opens entry j of step t (entries `es`, leaf t−1's `prevEs`); checks the event.
    function _openEntry(StepEntry[] memory es, StepEntry[] memory prevEs, uint32 t, uint32 j)
        internal
        returns (EntryReveal memory r)
    {
        r.entry = es[j];
        if (j > 0) r.before = _entryOpening(es, j - 1);
        if (t > 0) r.previousEntry = _entryOpening(prevEs, j);
        bytes memory move = abi.encode(_mv(GameAction.OpenEntry), r);
        vm.recordLogs();
        _play(nodes[1], move);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bool seen;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] != IDataAvailabilityGame.EntryOpened.selector) continue;
            (uint32 position, uint32 participant, bytes32 dataHash,) =
                abi.decode(logs[i].data, (uint32, uint32, bytes32, uint64));
            assertEq(abi.encode(position, participant, dataHash), abi.encode(t, j, keccak256(move)));
            seen = true;
        }
        assertTrue(seen, "EntryOpened emitted");
    }

    /// @dev BadEntry at j built from the game's data only: the published move, the opened entries, the paths.
    function _badEntryFromGame(
        Commit memory c,
        bytes memory publishMove,
        EntryReveal memory r,
        Descent memory d,
        uint32 j
    ) internal pure returns (bytes memory) {
        (, PublishedStep memory s) = abi.decode(publishMove, (GameMove, PublishedStep));
        EntryProof memory p;
        p.participant = j;
        p.previous = s.previous;
        p.previousEntry = r.previousEntry;
        p.current = _leafFromPublished(c, publishMove);
        p.before = r.before;
        p.entry = EntryOpening(r.entry, d.entryPath);
        p.last = s.last;
        return abi.encode(p);
    }

    /// @dev StateEntry at j built from the game's data only.
    function _stateEntryFromGame(
        Commit memory c,
        bytes memory publishMove,
        EntryReveal memory r,
        Descent memory d,
        uint32 j
    ) internal pure returns (bytes memory) {
        return abi.encode(
            StateEntryProof(
                j, _leafFromPublished(c, publishMove), EntryOpening(r.entry, d.entryPath), d.stateLeaf, d.statePath
            )
        );
    }

    // ------------------------------------------------------------------ tests

    /// An honest claimant answers the whole game at t = 50 (entries level down to participant 4, meter level
    /// down to meter 4) and keeps its claim: BadEntry and StateEntry built from the game's data prove nothing,
    /// the challenger's last deadline passes, the claim finalizes.
    function test_HonestClaimantAnswersThroughEntriesAndKeepsClaim() public {
        Commit memory c = _honest();
        _claimAndChallengeLate(c);
        _bisectAndReveal(c, 50);
        StepEntry[] memory es = _entries(c, 50);
        bytes memory publishMove = _publish(c, 50);
        Descent memory d = _bisectEntries(_leaves(es), _stateLeaves(c.states[50]), 4);
        EntryReveal memory r = _openEntry(es, _entries(c, 49), 50, 4);
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.BadEntry),
            DisputeKind.BadEntry,
            _badEntryFromGame(c, publishMove, r, d, 4)
        );
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.StateEntry),
            DisputeKind.StateEntry,
            _stateEntryFromGame(c, publishMove, r, d, 4)
        );
        _bisectMeters(c, 50, 4);
        _openMeter(c, 50, 4);
        vm.warp(gameModule.game(address(hub), _gameId()).deadline + 1);
        _play(nodes[5], abi.encode(_mv(GameAction.Resolve)));
        hub.finalize(id);
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Final), "honest claim final");
        assertEq(_bondOf(hub, id, 0), BOND, "no signer slashed");
        assertEq(token.balanceOf(address(hub)), _liabilities(), "money conserved");
    }

    /// Gas of the entries level's moves at N = M = 10, W = 96 (cold hub and module, each call frame's own gas) into
    /// snapshots/Game.json: the publication of a leaf with entries, a reveal of both trees' children, a pick,
    /// `OpenEntry` (participant 5 at t = 50: entry 4 and leaf 49's entry 5 opened too).
    function test_Gas_EntriesLevelMoves() public {
        Commit memory c = _honest();
        _claimAndChallengeLate(c);
        _bisectAndReveal(c, 50);
        StepEntry[] memory es = _entries(c, 50);
        GameMove memory m = _mv(GameAction.Publish);
        (m.interval, m.readingsRoot, m.energyHash) = (50, c.readingsRoots[50], keccak256(c.energies[50]));
        (m.stateHash, m.entriesRoot) = (StateHash.hash(c.states[50]), _entriesRoot(c, 50));
        _measured("publish_entries_t50_N10_W96", abi.encode(m, _published(c, 50)));
        bytes32[] memory el = _leaves(es);
        bytes32[] memory sl = _stateLeaves(c.states[50]);
        GameMove memory r = _mv(GameAction.Reveal);
        (r.left, r.right, r.stateLeft, r.stateRight) =
        (_node(el, 3, 0), _node(el, 3, 1), _node(sl, 3, 0), _node(sl, 3, 1));
        _measured("revealEntryChildren_N10_W96", abi.encode(r));
        GameMove memory p = _mv(GameAction.Pick);
        _measured("pickEntry_N10_W96", abi.encode(p));
        for (uint8 h = 3; h > 0; --h) {
            _revealEntries(el, sl, h, 5 >> h);
            _pickEntry(uint8((5 >> (h - 1)) & 1));
        }
        EntryReveal memory e;
        e.entry = es[5];
        e.before = _entryOpening(es, 4);
        e.previousEntry = _entryOpening(_entries(c, 49), 5);
        _measured("openEntry_N10_W96", abi.encode(_mv(GameAction.OpenEntry), e));
    }

    /// @dev Plays `move` as the claimant side (participant 1) or, for a pick, the challenger, against a cold hub
    /// and module; records the call frame's gas, the calldata's size and the transaction's gas.
    function _measured(string memory name, bytes memory move) internal {
        (GameMove memory m) = abi.decode(move, (GameMove));
        address who = m.action == GameAction.Pick ? challenger : nodes[1];
        bytes memory data = abi.encodeCall(hub.playGame, (id, 0, move));
        vm.cool(address(hub));
        vm.cool(address(gameModule));
        vm.prank(who);
        (bool ok,) = address(hub).call(data);
        assertTrue(ok, name);
        uint256 used = vm.lastCallGas().gasTotalUsed;
        vm.snapshotValue("Game", name, used);
        vm.snapshotValue("Game", string.concat(name, "_bytes"), data.length);
        vm.snapshotValue("Game", string.concat(name, "_txGas"), transactionGas(data, used));
        assertLe(transactionGas(data, used), 1_000_000, name);
    }

    /// The theft of a wrong step at t = 60, its data withheld: the game reaches leaf 60, the claimant side must
    /// open participant 0's entry, and BadEntry built from the game's calldata alone proves it (no S_{t−1} was
    /// ever published). The signers are slashed; the game then ends void.
    function test_WrongStepProvenFromTheEntriesLevel() public {
        Commit memory c = _wrongAt(60, 1000);
        _claimAndChallengeLate(c);
        _bisectAndReveal(c, 60);
        StepEntry[] memory es = _entries(c, 60);
        bytes memory publishMove = _publish(c, 60);
        Descent memory d = _bisectEntries(_leaves(es), _stateLeaves(c.states[60]), 0);
        EntryReveal memory r = _openEntry(es, _entries(c, 59), 60, 0);
        _dispute(DisputeKind.BadEntry, _badEntryFromGame(c, publishMove, r, d, 0), "");
        _assertSignersSlashed();
        _endVoid();
    }

    /// Right entries beside a state hash of the claimant's choice at t = 40 (participant 3 paid 300 of 7's): the
    /// two trees are bisected side by side, so the challenger walks to participant 3, where the state leaf (the
    /// node reached, a hash) departs from entry 3: StateEntry from the game's data proves it.
    function test_StateOffItsEntriesProvenFromTheEntriesLevel() public {
        Commit memory c = _honest();
        StepEntry[] memory es = _entries(c, 40);
        c.states[40] = abi.decode(abi.encode(c.states[40]), (ParticipantState[]));
        c.states[40][3].net += 300;
        c.states[40][7].net -= 300;
        c = _recommit(c);
        _claimAndChallengeLate(c);
        _bisectAndReveal(c, 40);
        bytes memory publishMove = _publishWith(c, 40, _entryOpening(es, N - 1));
        Descent memory d = _bisectEntries(_leaves(es), _stateLeaves(c.states[40]), 3);
        EntryReveal memory r = _openEntry(es, _entries(_honest(), 39), 40, 3);
        _dispute(DisputeKind.StateEntry, _stateEntryFromGame(c, publishMove, r, d, 3), "");
        _assertSignersSlashed();
        _endVoid();
    }

    /// An entries tree whose last entry has no known preimage (the gap BadEntry left: no judgement could open
    /// the totals): the claimant side cannot publish (`EntryMismatch(N−1)` for any other entry), misses its
    /// deadline and loses the claim; its signers pay the timeout penalty.
    function test_UnopenableLastEntryLosesTheClaim() public {
        Commit memory c = _honest();
        StepEntry[] memory es = _entries(c, 30);
        bytes32[] memory el = _leaves(es);
        el[N - 1] = keccak256("no preimage");
        c.entriesRoots[30] = MerkleTree.root(el);
        c = _recommit(c);
        _claimAndChallengeLate(c);
        _bisectAndReveal(c, 30);
        GameMove memory m = _mv(GameAction.Publish);
        (m.interval, m.readingsRoot, m.energyHash) = (30, c.readingsRoots[30], keccak256(c.energies[30]));
        (m.stateHash, m.entriesRoot) = (StateHash.hash(c.states[30]), c.entriesRoots[30]);
        PublishedStep memory p = _published(c, 30);
        vm.expectRevert(abi.encodeWithSelector(IDataAvailabilityGame.EntryMismatch.selector, uint32(N - 1)));
        _play(nodes[1], abi.encode(m, p));
        vm.warp(gameModule.game(address(hub), _gameId()).deadline + 1);
        _play(nodes[5], abi.encode(_mv(GameAction.Resolve)));
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "claim rejected");
        assertLt(_bondOf(hub, id, 0), BOND, "signer pays the timeout penalty");
        assertEq(token.balanceOf(address(hub)), _liabilities(), "money conserved");
    }

    /// Junk in the entries tree's padding (indices 10..15 of a 16-leaf tree): the challenger's pick into it ends
    /// the game `ClaimantFaulted`; canonical padding is refused as a pick (`PaddingSubtree`).
    function test_JunkEntriesPaddingFaultsTheClaimant() public {
        Commit memory c = _honest();
        StepEntry[] memory es = _entries(c, 20);
        bytes32[] memory el = new bytes32[](13);
        for (uint256 i = 0; i < N; ++i) {
            el[i] = StepEntries.leaf(es[i]);
        }
        el[12] = keccak256("junk in the padding");
        c.entriesRoots[20] = MerkleTree.root(el);
        c = _recommit(c);
        _claimAndChallengeLate(c);
        _bisectAndReveal(c, 20);
        _publishWith(c, 20, EntryOpening(es[N - 1], _proof(el, N - 1)));
        bytes32[] memory sl = _stateLeaves(c.states[20]);
        // Height 4 → 3: the right half (8..15) holds participants 8 and 9.
        _revealEntries(el, sl, 4, 0);
        _pickEntry(1);
        // Height 3 → 2 at index 1: 8..11 and 12..15 (padding only, junk at 12).
        _revealEntries(el, sl, 3, 1);
        _pickEntry(1);
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "claim rejected");
        assertEq(_bondOf(hub, id, 0), 0, "signer slashed");
        assertEq(token.balanceOf(address(hub)), _liabilities(), "money conserved");
    }

    function test_RevertWhen_PickIntoCanonicalEntriesPadding() public {
        Commit memory c = _honest();
        _claimAndChallengeLate(c);
        _bisectAndReveal(c, 20);
        _publish(c, 20);
        bytes32[] memory el = _leaves(_entries(c, 20));
        bytes32[] memory sl = _stateLeaves(c.states[20]);
        _revealEntries(el, sl, 4, 0);
        _pickEntry(1);
        _revealEntries(el, sl, 3, 1);
        GameMove memory p = _mv(GameAction.Pick);
        p.side = 1;
        vm.expectRevert(abi.encodeWithSelector(IDataAvailabilityGame.PaddingSubtree.selector, uint32(12)));
        _play(challenger, abi.encode(p));
    }

    function _revealEntries(bytes32[] memory el, bytes32[] memory sl, uint8 h, uint256 index) internal {
        GameMove memory r = _mv(GameAction.Reveal);
        (r.left, r.right) = (_node(el, h - 1, 2 * index), _node(el, h - 1, 2 * index + 1));
        (r.stateLeft, r.stateRight) = (_node(sl, h - 1, 2 * index), _node(sl, h - 1, 2 * index + 1));
        _play(nodes[1], abi.encode(r));
    }

    function _pickEntry(uint8 side) internal {
        GameMove memory p = _mv(GameAction.Pick);
        p.side = side;
        _play(challenger, abi.encode(p));
    }

    /// A publication of a leaf with entries may not carry S_{t−1}, and its `last` must be entry N−1 under the
    /// leaf's entriesRoot by a depth(N) path.
    function test_RevertWhen_PublishedEntriesWrong() public {
        Commit memory c = _honest();
        _claimAndChallengeLate(c);
        _bisectAndReveal(c, 50);
        GameMove memory m = _mv(GameAction.Publish);
        (m.interval, m.readingsRoot, m.energyHash) = (50, c.readingsRoots[50], keccak256(c.energies[50]));
        (m.stateHash, m.entriesRoot) = (StateHash.hash(c.states[50]), _entriesRoot(c, 50));
        StepEntry[] memory es = _entries(c, 50);
        PublishedStep memory p = _published(c, 50);
        p.prevState = PackedState.pack(c.states[49]);
        vm.expectRevert(IDataAvailabilityGame.UnexpectedPrevState.selector);
        _play(nodes[1], abi.encode(m, p));
        p = _published(c, 50);
        p.last = _entryOpening(es, N - 2);
        vm.expectRevert(abi.encodeWithSelector(IDataAvailabilityGame.EntryMismatch.selector, uint32(N - 1)));
        _play(nodes[1], abi.encode(m, p));
        p = _published(c, 50);
        bytes32[] memory longer = new bytes32[](p.last.path.length + 1);
        for (uint256 i = 0; i < p.last.path.length; ++i) {
            longer[i] = p.last.path[i];
        }
        p.last.path = longer;
        vm.expectRevert(abi.encodeWithSelector(IDataAvailabilityGame.EntryMismatch.selector, uint32(N - 1)));
        _play(nodes[1], abi.encode(m, p));
    }

    /// Every malformed answer at the entries level is refused by name: state children that do not hash to the
    /// state node, a Reveal or an OpenMeter at an entry, an entry other than the node reached, another entry j−1,
    /// another previous entry; and an OpenEntry once the meter level has begun.
    function test_RevertWhen_EntriesLevelMovesIllegal() public {
        Commit memory c = _honest();
        _claimAndChallengeLate(c);
        _bisectAndReveal(c, 50);
        _publish(c, 50);
        StepEntry[] memory es = _entries(c, 50);
        StepEntry[] memory prevEs = _entries(c, 49);
        bytes32[] memory el = _leaves(es);
        bytes32[] memory sl = _stateLeaves(c.states[50]);
        GameMove memory r = _mv(GameAction.Reveal);
        (r.left, r.right) = (_node(el, 3, 0), _node(el, 3, 1));
        (r.stateLeft, r.stateRight) = (_node(sl, 3, 1), _node(sl, 3, 0));
        vm.expectRevert(IDataAvailabilityGame.ChildrenMismatch.selector);
        _play(nodes[1], abi.encode(r));
        _bisectEntries(el, sl, 5);
        vm.expectRevert(IDataAvailabilityGame.WrongLevel.selector);
        _play(nodes[1], abi.encode(_mv(GameAction.Reveal)));
        bytes memory openMeter = abi.encode(_mv(GameAction.OpenMeter), _published(c, 50));
        vm.expectRevert(IDataAvailabilityGame.WrongLevel.selector);
        _play(nodes[1], openMeter);
        // A move too short to hold an `EntryReveal` is refused by name (not by the ABI decoder's bare revert).
        vm.expectRevert(IDataAvailabilityGame.MalformedEntryReveal.selector);
        _play(nodes[1], abi.encode(_mv(GameAction.OpenEntry)));
        EntryReveal memory e;
        e.entry = es[6];
        e.before = _entryOpening(es, 4);
        e.previousEntry = _entryOpening(prevEs, 5);
        vm.expectRevert(IDataAvailabilityGame.LeafMismatch.selector);
        _play(nodes[1], abi.encode(_mv(GameAction.OpenEntry), e));
        e.entry = es[5];
        e.before = _entryOpening(es, 3);
        vm.expectRevert(abi.encodeWithSelector(IDataAvailabilityGame.EntryMismatch.selector, uint32(4)));
        _play(nodes[1], abi.encode(_mv(GameAction.OpenEntry), e));
        e.before = _entryOpening(es, 4);
        e.previousEntry = _entryOpening(prevEs, 6);
        vm.expectRevert(abi.encodeWithSelector(IDataAvailabilityGame.PreviousEntryMismatch.selector, uint32(5)));
        _play(nodes[1], abi.encode(_mv(GameAction.OpenEntry), e));
        _openEntry(es, prevEs, 50, 5);
        e.previousEntry = _entryOpening(prevEs, 5);
        vm.expectRevert(IDataAvailabilityGame.WrongLevel.selector);
        _play(nodes[1], abi.encode(_mv(GameAction.OpenEntry), e));
    }

    /// A claimant silent at the entries level loses (the claimant side is to move: Reveal at any level).
    function test_SilentAtTheEntriesLevelLoses() public {
        Commit memory c = _honest();
        _claimAndChallengeLate(c);
        _bisectAndReveal(c, 10);
        _publish(c, 10);
        vm.warp(gameModule.game(address(hub), _gameId()).deadline + 1);
        _play(nodes[5], abi.encode(_mv(GameAction.Resolve)));
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "claim rejected");
        assertEq(token.balanceOf(address(hub)), _liabilities(), "money conserved");
    }

    /// At t = 0 nothing before the leaf is opened: entry j's previous state is zeros by rule, and entry 0 has no
    /// entry −1: `OpenEntry` of participant 0 at t = 0 carries the entry alone.
    function test_EntryZeroAtPositionZeroOpensAlone() public {
        Commit memory c = _honest();
        _claimAndChallengeLate(c);
        _bisectAndReveal(c, 0);
        _publish(c, 0);
        StepEntry[] memory es = _entries(c, 0);
        _bisectEntries(_leaves(es), _stateLeaves(c.states[0]), 0);
        EntryReveal memory r;
        r.entry = es[0];
        _play(nodes[1], abi.encode(_mv(GameAction.OpenEntry), r));
        IDataAvailabilityGame.Game memory g = gameModule.game(address(hub), _gameId());
        assertEq(uint8(g.level), uint8(IDataAvailabilityGame.Level.Meter), "on to the meter level");
        assertEq(g.node, c.readingsRoots[0]);
    }
}
// forge-lint: disable-end(block-timestamp, unsafe-typecast)
