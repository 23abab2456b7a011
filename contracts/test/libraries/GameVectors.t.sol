// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {EntryReveal, GameAction, GameMove, MeterReveal, PublishedStep} from "../../src/types/Game.sol";
import {EntryOpening, IntervalProof, MeterLeafOpening, SignedReading} from "../../src/types/Dispute.sol";
import {StepEntries} from "../../src/libraries/StepEntries.sol";
import {FlatEntry} from "../utils/FlatEntry.sol";
import {EnergyVector} from "../../src/libraries/EnergyVector.sol";
import {MerkleTree} from "../../src/libraries/MerkleTree.sol";
import {PackedState} from "../../src/libraries/PackedState.sol";
import {WindowCommitment} from "../../src/libraries/WindowCommitment.sol";

/// @notice Replays `vectors/game.json` (written by `npm run vectors`): the `Publish` move TypeScript
/// encodes (node/src/dispute/game.ts) is byte for byte abi.encode(GameMove, PublishedStep) of its
/// fields, its keccak256 is the StepPublished event's dataHash, and its data passes the module's
/// checks: E_t hashes to the leaf's energyHash, leaf t-1 is under the windowRoot at t-1, no S_{t-1} (the leaf
/// commits entries, s19) and entry N−1 under the leaf's entriesRoot; the `OpenEntry` and `OpenMeter` moves
/// likewise.
contract GameVectorsTest is Test {
    string internal json;

    function setUp() public {
        json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/game.json"));
    }

    function _opening(string memory at, bool) internal view returns (EntryOpening memory o) {
        o.entry = FlatEntry.entry(vm.parseJsonIntArray(json, string.concat(at, ".entry")));
        o.path = vm.parseJsonBytes32Array(json, string.concat(at, ".path"));
    }

    function _fields() internal view returns (GameMove memory m, PublishedStep memory d) {
        m.action = GameAction.Publish;
        m.claim = vm.parseJsonBytes32(json, ".claim");
        m.challenger = vm.parseJsonAddress(json, ".challenger");
        m.interval = uint32(vm.parseJsonUint(json, ".interval"));
        m.readingsRoot = vm.parseJsonBytes32(json, ".readingsRoot");
        m.energyHash = vm.parseJsonBytes32(json, ".energyHash");
        m.stateHash = vm.parseJsonBytes32(json, ".stateHash");
        m.entriesRoot = vm.parseJsonBytes32(json, ".entriesRoot");
        d.previous = IntervalProof(
            uint32(vm.parseJsonUint(json, ".previous.position")),
            uint32(vm.parseJsonUint(json, ".previous.interval")),
            vm.parseJsonBytes32(json, ".previous.readingsRoot"),
            vm.parseJsonBytes32(json, ".previous.energyHash"),
            vm.parseJsonBytes32(json, ".previous.stateHash"),
            vm.parseJsonBytes32(json, ".previous.entriesRoot"),
            vm.parseJsonBytes32Array(json, ".previous.proof")
        );
        d.prevState = vm.parseJsonBytes(json, ".prevState");
        d.energy = vm.parseJsonBytes(json, ".energy");
        d.last = _opening(".last", true);
    }

    function test_PublishMoveEncodingMatches() public view {
        (GameMove memory m, PublishedStep memory d) = _fields();
        bytes memory move = vm.parseJsonBytes(json, ".move");
        assertEq(abi.encode(m, d), move, "abi.encode(GameMove, PublishedStep)");
        assertEq(keccak256(move), vm.parseJsonBytes32(json, ".dataHash"), "dataHash");
        // The module reads it back the same way.
        (GameMove memory m2, PublishedStep memory d2) = abi.decode(move, (GameMove, PublishedStep));
        assertEq(uint8(m2.action), uint8(GameAction.Publish));
        assertEq(keccak256(abi.encode(m2, d2)), keccak256(move));
    }

    function test_PublishedDataPassesTheModuleChecks() public view {
        (GameMove memory m, PublishedStep memory d) = _fields();
        uint32 position = uint32(vm.parseJsonUint(json, ".position"));
        assertEq(EnergyVector.hash(d.energy), m.energyHash, "energy hash");
        assertEq(d.energy.length, vm.parseJsonUint(json, ".participants") * EnergyVector.STRIDE);
        assertEq(d.previous.position + 1, position);
        bytes32 prevLeaf = WindowCommitment.intervalLeaf(
            d.previous.interval,
            d.previous.readingsRoot,
            d.previous.energyHash,
            d.previous.stateHash,
            d.previous.entriesRoot
        );
        assertTrue(
            MerkleTree.verify(
                vm.parseJsonBytes32(json, ".windowRoot"), prevLeaf, d.previous.position, d.previous.proof
            ),
            "leaf t-1 under the root"
        );
        assertEq(d.prevState.length, 0, "no S_{t-1}: the leaf commits entries");
        uint256 n = vm.parseJsonUint(json, ".participants");
        assertTrue(StepEntries.opens(m.entriesRoot, n, n - 1, d.last.entry, d.last.path), "entry N-1 under the root");
    }

    /// The `OpenEntry` move TypeScript encodes is abi.encode(GameMove, EntryReveal) of its fields, and its data
    /// passes the module's checks: entry j is the node reached (under the entriesRoot at j by the path the
    /// entries level revealed), entry j−1 under the same root, leaf t−1's entry j under its root; the state leaf
    /// j sits under the leaf's stateHash by the revealed state path.
    function test_OpenEntryMoveEncodingAndChecks() public view {
        GameMove memory m;
        m.action = GameAction.OpenEntry;
        m.claim = vm.parseJsonBytes32(json, ".claim");
        m.challenger = vm.parseJsonAddress(json, ".challenger");
        EntryReveal memory r;
        r.entry = FlatEntry.entry(vm.parseJsonIntArray(json, ".entry.entry"));
        r.before = _opening(".entry.before", true);
        r.previousEntry = _opening(".entry.previousEntry", true);
        bytes memory move = vm.parseJsonBytes(json, ".entry.move");
        assertEq(abi.encode(m, r), move, "abi.encode(GameMove, EntryReveal)");
        assertEq(keccak256(move), vm.parseJsonBytes32(json, ".entry.dataHash"), "dataHash");
        uint256 n = vm.parseJsonUint(json, ".participants");
        uint256 j = vm.parseJsonUint(json, ".entry.participant");
        bytes32 root = vm.parseJsonBytes32(json, ".entriesRoot");
        assertEq(StepEntries.leaf(r.entry), vm.parseJsonBytes32(json, ".entry.leaf"), "entry leaf");
        assertTrue(StepEntries.opens(root, n, j, r.entry, vm.parseJsonBytes32Array(json, ".entry.path")), "entry j");
        assertTrue(StepEntries.opens(root, n, j - 1, r.before.entry, r.before.path), "entry j-1");
        bytes32 previousRoot = vm.parseJsonBytes32(json, ".entry.previousEntriesRoot");
        assertEq(previousRoot, vm.parseJsonBytes32(json, ".previous.entriesRoot"));
        assertTrue(StepEntries.opens(previousRoot, n, j, r.previousEntry.entry, r.previousEntry.path), "leaf t-1's j");
        bytes32 stateLeaf = vm.parseJsonBytes32(json, ".entry.stateLeaf");
        assertEq(stateLeaf, PackedState.leaf(r.entry.state), "the honest state leaf is the entry's state");
        assertTrue(
            MerkleTree.verify(
                vm.parseJsonBytes32(json, ".stateHash"),
                stateLeaf,
                j,
                vm.parseJsonBytes32Array(json, ".entry.statePath")
            ),
            "state leaf j"
        );
    }

    function _opening(string memory at) internal view returns (MeterLeafOpening memory o) {
        // Small indexes and running sums of the vector file.
        // forge-lint: disable-next-item(unsafe-typecast)
        o = MeterLeafOpening({
            meterIndex: uint32(vm.parseJsonUint(json, string.concat(at, ".meterIndex"))),
            slotLeaf: vm.parseJsonBytes32(json, string.concat(at, ".slotLeaf")),
            accExportWh: uint64(vm.parseJsonUint(json, string.concat(at, ".accExportWh"))),
            accImportWh: uint64(vm.parseJsonUint(json, string.concat(at, ".accImportWh"))),
            path: vm.parseJsonBytes32Array(json, string.concat(at, ".path"))
        });
    }

    function _meterFields() internal view returns (GameMove memory m, MeterReveal memory r) {
        m.action = GameAction.OpenMeter;
        m.claim = vm.parseJsonBytes32(json, ".claim");
        m.challenger = vm.parseJsonAddress(json, ".challenger");
        r.slot = SignedReading(
            vm.parseJsonBytes(json, ".meter.slot.encoded"), vm.parseJsonBytes(json, ".meter.slot.signature")
        );
        // Running sums of a few uint32 readings.
        // forge-lint: disable-next-item(unsafe-typecast)
        r.accExportWh = uint64(vm.parseJsonUint(json, ".meter.accExportWh"));
        // forge-lint: disable-next-item(unsafe-typecast)
        r.accImportWh = uint64(vm.parseJsonUint(json, ".meter.accImportWh"));
        r.previous = _opening(".meter.previous");
    }

    /// The `OpenMeter` move TypeScript encodes is abi.encode(GameMove, MeterReveal) of its fields, and its
    /// data passes the module's checks: the meter leaf is the node under the readingsRoot, meter k−1's
    /// opening (a depth(M) path) is under it too, and the running sum of k follows k−1's (same owner).
    function test_OpenMeterMoveEncodingAndChecks() public view {
        (GameMove memory m, MeterReveal memory r) = _meterFields();
        bytes memory move = vm.parseJsonBytes(json, ".meter.move");
        assertEq(abi.encode(m, r), move, "abi.encode(GameMove, MeterReveal)");
        assertEq(keccak256(move), vm.parseJsonBytes32(json, ".meter.dataHash"), "dataHash");
        bytes32 root = vm.parseJsonBytes32(json, ".readingsRoot");
        uint256 k = vm.parseJsonUint(json, ".meter.meterIndex");
        bytes32 leaf = WindowCommitment.meterLeaf(
            WindowCommitment.slotLeaf(r.slot.encoded, r.slot.signature), r.accExportWh, r.accImportWh
        );
        assertEq(leaf, vm.parseJsonBytes32(json, ".meter.leaf"), "meter leaf");
        assertTrue(MerkleTree.verify(root, leaf, k, vm.parseJsonBytes32Array(json, ".meter.path")), "leaf under root");
        bytes32 prev = WindowCommitment.meterLeaf(r.previous.slotLeaf, r.previous.accExportWh, r.previous.accImportWh);
        assertEq(r.previous.meterIndex + 1, k);
        assertEq(r.previous.path.length, vm.parseJsonBytes32Array(json, ".meter.path").length, "depth(M) path");
        assertTrue(MerkleTree.verify(root, prev, r.previous.meterIndex, r.previous.path), "meter k-1 under root");
        // Meters 0 and 1 are participant 0's: acc_1 = acc_0 + energy(slot_1).
        (bool ok, uint64 e, uint64 i) = WindowCommitment.slotEnergy(r.slot);
        assertTrue(ok);
        assertEq(r.accExportWh, r.previous.accExportWh + e);
        assertEq(r.accImportWh, r.previous.accImportWh + i);
    }
}
