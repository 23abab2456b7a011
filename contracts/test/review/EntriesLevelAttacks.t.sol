// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IDataAvailabilityGame} from "../../src/interfaces/IDataAvailabilityGame.sol";
import {IDisputeVerifier} from "../../src/interfaces/IDisputeVerifier.sol";
import {StateHash} from "../../src/types/Market.sol";
import {WindowStatus} from "../../src/types/Community.sol";
import {DisputeKind, EntryOpening, EntryProof} from "../../src/types/Dispute.sol";
import {EntryReveal, GameAction, GameMove, PublishedStep} from "../../src/types/Game.sol";
import {MerkleTree} from "../../src/libraries/MerkleTree.sol";
import {PackedState} from "../../src/libraries/PackedState.sol";
import {StepEntries, StepEntry} from "../../src/libraries/StepEntries.sol";
import {GamePlay} from "../utils/GamePlay.sol";

// Test code: timestamps are the cheatcode's, casts are of small bounded values.
// forge-lint: disable-start(block-timestamp, unsafe-typecast)

/// @notice Attacks on the game's entries level (review of s19; Mmr community, N = M = 10, W = 96).
contract ReviewEntriesLevelAttacksTest is GamePlay {
    function setUp() public override {
        nodeEntriesRoots = true;
        super.setUp();
    }

    /// HOLE (fixed): the module chooses the entries level by `entriesRoot != 0`, the claimant's choice. An Mmr
    /// claim whose leaf 50 commits entriesRoot = 0 (every other field honest) is played as an auction leaf: the
    /// publication (S_{t−1}), the meter level, all answerable; BadStep proves nothing (the state is right) and
    /// BadEntry could not open an entry under a zero root: the honest challenger, walking to the leftmost
    /// differing leaf, lost its bond to a claim no honest node signs. Worse, a zero root at t−1 makes the
    /// leftmost difference a leaf with nothing to prove while a wrong step sits at t. Fix: BadEntry judges a
    /// leaf whose entries root does not match the market kind fraud (DisputeVerifier._badEntry).
    function test_ZeroEntriesRootInMmrLeafProvenByBadEntry() public {
        Commit memory c = _honest();
        c.entriesRoots[50] = bytes32(0);
        c = _recommit(c);
        _claimAndChallengeLate(c);
        _bisectAndReveal(c, 50);
        // Published as an auction leaf: S_{t−1} accepted (the state tree's root is leaf 49's stateHash).
        bytes memory publishMove = _publish(c, 50);
        IDataAvailabilityGame.Game memory g = gameModule.game(address(hub), _gameId());
        assertEq(uint8(g.level), uint8(IDataAvailabilityGame.Level.Meter), "no entries level");
        // The step is right: BadStep from the game's data proves nothing.
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.BadStep),
            DisputeKind.BadStep,
            _stepProofFromPublished(c, publishMove)
        );
        // BadEntry from the leaf alone (the window level's siblings and the published preimage).
        (, PublishedStep memory s) = abi.decode(publishMove, (GameMove, PublishedStep));
        EntryProof memory p;
        p.current = _leafFromPublished(c, publishMove);
        p.previous = s.previous;
        _dispute(DisputeKind.BadEntry, abi.encode(p), "");
        _assertSignersSlashed();
        _endVoid();
    }

    /// HOLE (fixed), the variant at t−1: leaf 59 with a zero root, leaf 60 a wrong step with entries. A challenger
    /// going to 60 meets an OpenEntry nobody can answer (leaf 59 opens no entry); BadEntry at 60 names leaf 59's
    /// zero root fraud at once, with leaf 59 as published.
    function test_ZeroEntriesRootAtPreviousLeafProvenByBadEntry() public {
        Commit memory c = _wrongAt(60, 1000);
        c.entriesRoots[59] = bytes32(0);
        c = _recommit(c);
        _claimAndChallengeLate(c);
        _bisectAndReveal(c, 60);
        bytes memory publishMove = _publish(c, 60);
        (, PublishedStep memory s) = abi.decode(publishMove, (GameMove, PublishedStep));
        StepEntry[] memory es = _entries(c, 60);
        EntryProof memory p;
        p.current = _leafFromPublished(c, publishMove);
        p.previous = s.previous;
        p.entry = _entryOpening(es, 0);
        p.last = s.last;
        _dispute(DisputeKind.BadEntry, abi.encode(p), "");
        _assertSignersSlashed();
        _endVoid();
    }

    /// Holds: an honest leaf (root ≠ 0 in an Mmr community) is not fraud under the new rule.
    function test_RevertWhen_BadEntryOnHonestLeafWithRoot() public {
        Commit memory c = _honest();
        _claimAndChallengeLate(c);
        _bisectAndReveal(c, 50);
        bytes memory publishMove = _publish(c, 50);
        (, PublishedStep memory s) = abi.decode(publishMove, (GameMove, PublishedStep));
        StepEntry[] memory es = _entries(c, 50);
        EntryProof memory p;
        p.participant = 3;
        p.current = _leafFromPublished(c, publishMove);
        p.previous = s.previous;
        p.previousEntry = _entryOpening(_entries(c, 49), 3);
        p.before = _entryOpening(es, 2);
        p.entry = _entryOpening(es, 3);
        p.last = s.last;
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.BadEntry),
            DisputeKind.BadEntry,
            abi.encode(p)
        );
    }

    /// Holds: `last` at another index than N−1, or a shorter path (a node above the leaves), is refused.
    function test_RevertWhen_PublishLastShortPath() public {
        Commit memory c = _honest();
        _claimAndChallengeLate(c);
        _bisectAndReveal(c, 50);
        GameMove memory m = _mv(GameAction.Publish);
        (m.interval, m.readingsRoot, m.energyHash) = (50, c.readingsRoots[50], keccak256(c.energies[50]));
        (m.stateHash, m.entriesRoot) = (StateHash.hash(c.states[50]), _entriesRoot(c, 50));
        PublishedStep memory p = _published(c, 50);
        bytes32[] memory shorter = new bytes32[](p.last.path.length - 1);
        for (uint256 i = 0; i < shorter.length; ++i) {
            shorter[i] = p.last.path[i + 1];
        }
        p.last.path = shorter;
        vm.expectRevert(abi.encodeWithSelector(IDataAvailabilityGame.EntryMismatch.selector, uint32(N - 1)));
        _play(nodes[1], abi.encode(m, p));
    }

    /// Holds: an OpenEntry whose entry has dirty high bits in a uint64 field is refused by the strict decoder
    /// (what the module checks is what every watcher's decoder reads).
    function test_RevertWhen_OpenEntryDirtyBits() public {
        Commit memory c = _honest();
        _claimAndChallengeLate(c);
        _bisectAndReveal(c, 0);
        _publish(c, 0);
        StepEntry[] memory es = _entries(c, 0);
        bytes32[] memory el = _leaves(es);
        bytes32[] memory sl = new bytes32[](N);
        for (uint256 i = 0; i < N; ++i) {
            sl[i] = _stateLeaf(c, 0, i);
        }
        for (uint8 h = uint8(MerkleTree.depth(N)); h > 0; --h) {
            GameMove memory r = _mv(GameAction.Reveal);
            (r.left, r.right) = (_node(el, h - 1, 0), _node(el, h - 1, 1));
            (r.stateLeft, r.stateRight) = (_node(sl, h - 1, 0), _node(sl, h - 1, 1));
            _play(nodes[1], abi.encode(r));
            GameMove memory pk = _mv(GameAction.Pick);
            _play(challenger, abi.encode(pk));
        }
        EntryReveal memory e;
        e.entry = es[0];
        bytes memory move = abi.encode(_mv(GameAction.OpenEntry), e);
        // Word 13: offset of EntryReveal; its first word: entry.state.exportWh (uint64).
        uint256 at = 32 + 13 * 32 + 32;
        assembly {
            let w := mload(add(move, at))
            mstore(add(move, at), or(w, shl(200, 1)))
        }
        vm.expectRevert();
        _play(nodes[1], move);
        // The clean move is accepted.
        _play(nodes[1], abi.encode(_mv(GameAction.OpenEntry), e));
    }

    function _stateLeaf(Commit memory c, uint256 t, uint256 j) internal pure returns (bytes32) {
        return PackedState.leaf(c.states[t][j]);
    }
}
// forge-lint: disable-end(block-timestamp, unsafe-typecast)
