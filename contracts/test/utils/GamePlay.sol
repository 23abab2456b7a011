// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Vm} from "forge-std/Vm.sol";
import {IDataAvailabilityGame} from "../../src/interfaces/IDataAvailabilityGame.sol";
import {ParticipantState, StateHash} from "../../src/types/Market.sol";
import {Meter, WindowStatus} from "../../src/types/Community.sol";
import {
    EnergyFault,
    EnergyProof,
    ForgedReadingProof,
    IntervalProof,
    MeterLeafOpening,
    SignedReading,
    StepProof
} from "../../src/types/Dispute.sol";
import {GameAction, GameMove, MeterReveal, PublishedStep} from "../../src/types/Game.sol";
import {MerkleTree} from "../../src/libraries/MerkleTree.sol";
import {PackedLimits} from "../../src/libraries/PackedLimits.sol";
import {PackedState} from "../../src/libraries/PackedState.sol";
import {WindowCommitment} from "../../src/libraries/WindowCommitment.sol";
import {StepEntries, StepEntry} from "../../src/libraries/StepEntries.sol";
import {DisputeFixture} from "./DisputeFixture.sol";

// Test code: timestamps are the cheatcode's, casts are of small bounded values.
// forge-lint: disable-start(block-timestamp, unsafe-typecast)

/// @notice A game played through the real hub against a `DisputeFixture` commitment (N = M = 10, W = 96): the
/// claimant side's answers from the commitment, the challenger's picks, and what a watcher reads back from the
/// game's calldata (`GamePublishTest`, `GameEntriesTest`).
abstract contract GamePlay is DisputeFixture {
    bytes32 internal claim;
    uint256 internal gameBond;

    function setUp() public virtual {
        _setUpCommunity(ED25519);
        token.mint(challenger, 1e30);
        vm.prank(challenger);
        token.approve(address(hub), type(uint256).max);
        gameBond = uint256(BOND) * GAME_BOND_BPS / 10_000;
    }

    // ------------------------------------------------------------------ helpers

    function _node(bytes32[] memory lv, uint8 height, uint256 index) internal pure returns (bytes32) {
        uint256 width = uint256(1) << MerkleTree.depth(lv.length);
        bytes32[] memory level = new bytes32[](width);
        for (uint256 i = 0; i < lv.length; ++i) {
            level[i] = lv[i];
        }
        for (uint8 h = 0; h < height; ++h) {
            width >>= 1;
            for (uint256 i = 0; i < width; ++i) {
                level[i] = MerkleTree.hashPair(level[2 * i], level[2 * i + 1]);
            }
        }
        return level[index];
    }

    function _mv(GameAction action) internal view returns (GameMove memory m) {
        m.action = action;
        m.claim = claim;
        m.challenger = challenger;
    }

    function _play(address who, bytes memory move) internal {
        vm.prank(who);
        hub.playGame(id, 0, move);
    }

    /// @dev Claims `c` signed by 0, 1, 2; the challenger opens a game one second before the claim's
    /// challenge period ends, so that the game outlives it.
    function _claimAndChallengeLate(Commit memory c) internal {
        _claim(0, c.root, c.states[W - 1], _signers(0, 3));
        claim = _claimHash(0, c.root, StateHash.hash(c.states[W - 1]));
        vm.warp(uint256(hub.windowRecord(id, 0).submittedAt) + CHALLENGE - 1);
        _play(challenger, abi.encode(_mv(GameAction.Challenge)));
    }

    /// @dev The claimant side (participant 1) answers every reveal down to leaf `t` and its preimage.
    function _bisectAndReveal(Commit memory c, uint32 t) internal {
        for (uint8 h = uint8(MerkleTree.depth(W)); h > 0; --h) {
            GameMove memory r = _mv(GameAction.Reveal);
            r.left = _node(c.leaves, h - 1, 2 * uint256(t >> h));
            r.right = _node(c.leaves, h - 1, 2 * uint256(t >> h) + 1);
            _play(nodes[1], abi.encode(r));
            GameMove memory p = _mv(GameAction.Pick);
            p.side = uint8((t >> (h - 1)) & 1);
            _play(challenger, abi.encode(p));
        }
        GameMove memory leaf = _mv(GameAction.Reveal);
        leaf.interval = t;
        leaf.readingsRoot = c.readingsRoots[t];
        leaf.energyHash = keccak256(c.energies[t]);
        leaf.stateHash = StateHash.hash(c.states[t]);
        leaf.entriesRoot = _entriesRoot(c, t);
        _play(nodes[1], abi.encode(leaf));
    }

    /// @dev The meter level of interval t: the claimant side reveals the children of `c`'s readings tree
    /// down to meter k, the challenger picks towards k; returns meter k's path as a watcher collects it
    /// from the game (at each level, the child not picked).
    function _bisectMeters(Commit memory c, uint256 t, uint32 k) internal returns (bytes32[] memory path) {
        uint8 depth = uint8(MerkleTree.depth(M));
        path = new bytes32[](depth);
        for (uint8 h = depth; h > 0; --h) {
            GameMove memory r = _mv(GameAction.Reveal);
            r.left = _node(c.meterLeaves[t], h - 1, 2 * uint256(k >> h));
            r.right = _node(c.meterLeaves[t], h - 1, 2 * uint256(k >> h) + 1);
            _play(nodes[1], abi.encode(r));
            GameMove memory p = _mv(GameAction.Pick);
            p.side = uint8((k >> (h - 1)) & 1);
            _play(challenger, abi.encode(p));
            path[h - 1] = p.side == 0 ? r.right : r.left;
        }
    }

    /// @dev The claimant side opens meter k of interval t from its commitment; returns the move (checked
    /// against the `MeterOpened` event's hash).
    function _openMeter(Commit memory c, uint256 t, uint32 k) internal returns (bytes memory move) {
        MeterReveal memory r;
        r.slot = _committed(c, k, t);
        (r.accExportWh, r.accImportWh) = (c.accE[t][k], c.accI[t][k]);
        if (k > 0) r.previous = _opening(c, k - 1, t);
        move = abi.encode(_mv(GameAction.OpenMeter), r);
        vm.recordLogs();
        _play(nodes[1], move);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bool seen;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] != IDataAvailabilityGame.MeterOpened.selector) continue;
            (uint32 position, uint32 meterIndex, bytes32 dataHash,) =
                abi.decode(logs[i].data, (uint32, uint32, bytes32, uint64));
            assertEq(position, t);
            assertEq(meterIndex, k);
            assertEq(dataHash, keccak256(move), "the event names the calldata");
            seen = true;
        }
        assertTrue(seen, "MeterOpened emitted");
    }

    /// @dev The opened interval leaf as a watcher has it: the published move's preimage and its path.
    function _leafFromPublished(Commit memory c, bytes memory publishMove)
        internal
        pure
        returns (IntervalProof memory)
    {
        (GameMove memory m,) = abi.decode(publishMove, (GameMove, PublishedStep));
        // The path: the children the claimant side revealed on the way down (its tree's nodes).
        return IntervalProof(
            m.interval,
            m.interval,
            m.readingsRoot,
            m.energyHash,
            m.stateHash,
            m.entriesRoot,
            _proof(c.leaves, m.interval)
        );
    }

    /// @dev Meter k's leaf as a watcher has it from the `OpenMeter` move and the path collected on the way.
    function _openedMeter(bytes memory openMove, uint32 k, bytes32[] memory path)
        internal
        pure
        returns (MeterLeafOpening memory o, SignedReading memory slot, MeterLeafOpening memory previous)
    {
        (, MeterReveal memory r) = abi.decode(openMove, (GameMove, MeterReveal));
        o = MeterLeafOpening(
            k, WindowCommitment.slotLeaf(r.slot.encoded, r.slot.signature), r.accExportWh, r.accImportWh, path
        );
        return (o, r.slot, r.previous);
    }

    /// @dev Every proof about meter k of the opened step, built from the game's calldata only: BadEnergy
    /// (Accumulation at k; Total for k's owner when k is its last meter) and ForgedReading of k's slot.
    function _meterProofs(
        Commit memory c,
        bytes memory publishMove,
        bytes memory openMove,
        uint32 k,
        bytes32[] memory path
    ) internal view returns (bytes memory accumulation, bytes memory total, bytes memory forged) {
        (, PublishedStep memory d) = abi.decode(publishMove, (GameMove, PublishedStep));
        IntervalProof memory leaf = _leafFromPublished(c, publishMove);
        (MeterLeafOpening memory o, SignedReading memory slot, MeterLeafOpening memory previous) =
            _openedMeter(openMove, k, path);
        EnergyProof memory e;
        e.fault = EnergyFault.Accumulation;
        e.leaf = leaf;
        e.slot = slot;
        e.current = o;
        e.previous = previous;
        e.meter = _record(k);
        if (k > 0) e.previousMeter = _record(k - 1);
        if (k + 1 < M) e.nextMeter = _record(k + 1);
        accumulation = abi.encode(e);
        e.fault = EnergyFault.Total;
        e.participant = k; // meter k → participant k in this community
        e.energy = d.energy;
        total = abi.encode(e);
        forged = abi.encode(ForgedReadingProof(leaf, slot, o, _record(k)));
    }

    /// @dev The claimant side publishes step `t` from its commitment; returns the move (the calldata a
    /// watcher reads back from the transaction), checked against the event's hash.
    function _publish(Commit memory c, uint32 t) internal returns (bytes memory move) {
        GameMove memory m = _mv(GameAction.Publish);
        m.interval = t;
        m.readingsRoot = c.readingsRoots[t];
        m.energyHash = keccak256(c.energies[t]);
        m.stateHash = StateHash.hash(c.states[t]);
        m.entriesRoot = _entriesRoot(c, t);
        move = abi.encode(m, _published(c, t));
        vm.recordLogs();
        _play(nodes[1], move);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bytes32 topic = IDataAvailabilityGame.StepPublished.selector;
        bool seen;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] != topic) continue;
            (uint32 position,, bytes32 dataHash,) = abi.decode(logs[i].data, (uint32, uint32, bytes32, uint64));
            assertEq(position, t);
            assertEq(dataHash, keccak256(move), "the event names the calldata");
            seen = true;
        }
        assertTrue(seen, "StepPublished emitted");
    }

    /// @dev The step's data the claimant side publishes for leaf t: E_t and leaf t−1; then S_{t−1} (an auction
    /// leaf, no entries) or entry N−1 (a leaf that commits entries: the entries level follows).
    function _published(Commit memory c, uint256 t) internal view returns (PublishedStep memory d) {
        d.energy = c.energies[t];
        if (t > 0) d.previous = _intervalProof(c, t - 1);
        if (_entriesRoot(c, t) != bytes32(0)) {
            d.last = _entryOpening(_entries(c, t), N - 1);
        } else if (t > 0) {
            d.prevState = PackedState.pack(c.states[t - 1]);
        }
    }

    /// @dev BadStep of the opened leaf t built from the published move alone and the opened leaf's path.
    function _stepProofFromPublished(Commit memory c, bytes memory move) internal view returns (bytes memory) {
        (GameMove memory m, PublishedStep memory d) = abi.decode(move, (GameMove, PublishedStep));
        uint32 t = m.interval;
        StepProof memory p;
        if (t > 0) {
            p.previous = d.previous;
            p.prevState = d.prevState;
        }
        p.current = _leafFromPublished(c, move);
        p.energy = d.energy;
        p.limits = PackedLimits.pack(limits);
        return abi.encode(p);
    }

    function _assertSignersSlashed() internal view {
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "claim rejected");
        for (uint256 i = 0; i < 3; ++i) {
            assertEq(_bondOf(hub, id, i), 0, "signer slashed");
        }
        for (uint256 i = 3; i < N; ++i) {
            (uint256 aBond, uint256 aCredit,,,) = hub.member(id, i);
            assertEq(aBond, BOND, "victim keeps its bond");
            assertGe(aCredit, 0, "victim whole");
        }
    }

    /// @dev The game's claim is gone: the next move (anyone's) ends it void and returns the bond.
    function _endVoid() internal {
        uint256 before = hub.withdrawable(token, challenger);
        _play(nodes[5], abi.encode(_mv(GameAction.Resolve)));
        assertEq(hub.withdrawable(token, challenger), before + gameBond, "bond back");
        assertEq(gameModule.openGames(address(hub), id), 0);
        assertEq(token.balanceOf(address(hub)), _liabilities(), "money conserved");
    }

    /// @dev The game of `claim` opened by `challenger`.
    function _gameId() internal view returns (bytes32) {
        return gameModule.gameId(id, claim, challenger);
    }

    /// @dev The entries tree's leaves over `es` (`StepEntries.leaf`).
    function _leaves(StepEntry[] memory es) internal pure returns (bytes32[] memory lv) {
        lv = new bytes32[](es.length);
        for (uint256 i = 0; i < es.length; ++i) {
            lv[i] = StepEntries.leaf(es[i]);
        }
    }

    /// @dev The state tree's leaves over `s` (`PackedState.leaf`): its root is the state hash.
    function _stateLeaves(ParticipantState[] memory s) internal pure returns (bytes32[] memory lv) {
        lv = new bytes32[](s.length);
        for (uint256 i = 0; i < s.length; ++i) {
            lv[i] = PackedState.leaf(s[i]);
        }
    }
}
// forge-lint: disable-end(block-timestamp, unsafe-typecast)
