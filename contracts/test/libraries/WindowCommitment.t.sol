// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {SignedReading} from "../../src/types/Dispute.sol";
import {EnergyVector} from "../../src/libraries/EnergyVector.sol";
import {MerkleTree} from "../../src/libraries/MerkleTree.sol";
import {WindowCommitment} from "../../src/libraries/WindowCommitment.sol";

/// @notice Replays `vectors/commitment.json` (written by `npm run vectors`): slot leaves, meter leaves with
/// their running sums over a community whose participants run several meters, none or one (grouped by
/// owner), readings roots, the packed energy vectors and their hashes, interval leaves (with their entries
/// roots), the window root and every proof must match TypeScript.
contract WindowCommitmentTest is Test {
    string internal json;
    uint256 internal meters;
    uint256 internal participants;
    uint256 internal windowIntervals;
    bytes32 internal windowRoot;

    function setUp() public {
        json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/commitment.json"));
        meters = vm.parseJsonUint(json, ".meters");
        participants = vm.parseJsonUint(json, ".participants");
        windowIntervals = vm.parseJsonUint(json, ".windowIntervals");
        windowRoot = vm.parseJsonBytes32(json, ".windowRoot");
    }

    function _slot(uint256 i, uint256 m) internal pure returns (string memory) {
        return string.concat(".intervals[", vm.toString(i), "].slots[", vm.toString(m), "]");
    }

    function _interval(uint256 i) internal pure returns (string memory) {
        return string.concat(".intervals[", vm.toString(i), "]");
    }

    function _owners() internal view returns (uint32[] memory owners) {
        uint256[] memory raw = vm.parseJsonUintArray(json, ".owners");
        owners = new uint32[](raw.length);
        for (uint256 k; k < raw.length; ++k) {
            // Owner indexes of the vector file: a handful of participants.
            // forge-lint: disable-next-line(unsafe-typecast)
            owners[k] = uint32(raw[k]);
        }
    }

    function _slots(uint256 i) internal view returns (SignedReading[] memory slots) {
        slots = new SignedReading[](meters);
        for (uint256 m; m < meters; ++m) {
            string memory p = _slot(i, m);
            slots[m] = SignedReading({
                encoded: vm.parseJsonBytes(json, string.concat(p, ".encoded")),
                signature: vm.parseJsonBytes(json, string.concat(p, ".signature"))
            });
        }
    }

    function test_AbsentLeafMatches() public view {
        assertEq(WindowCommitment.ABSENT_LEAF, vm.parseJsonBytes32(json, ".absentLeaf"));
    }

    /// The same bytes split at another boundary have another leaf (length prefixes), in both languages.
    /// The canonical padding of every tree (`emptySubtreeRoot` in merkle.ts): the empty subtree of each
    /// height, which the game requires of a subtree of padding only (review 5, M2).
    function test_EmptyRootsMatch() public view {
        bytes32[] memory roots = vm.parseJsonBytes32Array(json, ".emptyRoots");
        assertEq(roots.length, 33, "heights 0..32: every tree the hub accepts");
        for (uint256 h = 0; h < roots.length; ++h) {
            assertEq(MerkleTree.emptyRoot(h), roots[h]);
        }
    }

    function test_ResplitSlotHasOtherLeaf() public view {
        bytes memory enc = vm.parseJsonBytes(json, ".resplit.encoded");
        bytes memory sig = vm.parseJsonBytes(json, ".resplit.signature");
        assertEq(enc.length, 71);
        assertEq(sig.length, 63);
        assertEq(WindowCommitment.readingLeaf(enc, sig), vm.parseJsonBytes32(json, ".resplit.leaf"));
        assertTrue(vm.parseJsonBytes32(json, ".resplit.leaf") != vm.parseJsonBytes32(json, ".resplit.honestLeaf"));
    }

    /// Slot leaves, meter leaves over the TS running sums, and the readings root over them.
    function test_MeterLeavesAndRootsMatch() public view {
        for (uint256 i = 0; i < windowIntervals; i++) {
            bytes32[] memory leaves = new bytes32[](meters);
            for (uint256 m = 0; m < meters; m++) {
                string memory p = _slot(i, m);
                bytes32 slotLeaf = vm.parseJsonBytes32(json, string.concat(p, ".slotLeaf"));
                if (vm.parseJsonBool(json, string.concat(p, ".present"))) {
                    bytes memory enc = vm.parseJsonBytes(json, string.concat(p, ".encoded"));
                    bytes memory sig = vm.parseJsonBytes(json, string.concat(p, ".signature"));
                    assertEq(WindowCommitment.readingLeaf(enc, sig), slotLeaf);
                } else {
                    assertEq(WindowCommitment.ABSENT_LEAF, slotLeaf);
                }
                // Running sums of at most a few uint32 readings.
                // forge-lint: disable-next-item(unsafe-typecast)
                bytes32 leaf = WindowCommitment.meterLeaf(
                    slotLeaf,
                    uint64(vm.parseJsonUint(json, string.concat(p, ".accExportWh"))),
                    uint64(vm.parseJsonUint(json, string.concat(p, ".accImportWh")))
                );
                assertEq(leaf, vm.parseJsonBytes32(json, string.concat(p, ".leaf")));
                leaves[m] = leaf;
            }
            assertEq(MerkleTree.root(leaves), vm.parseJsonBytes32(json, string.concat(_interval(i), ".readingsRoot")));
        }
    }

    /// Solidity's own accumulation over the slots and owners gives TypeScript's leaves, root and E_t.
    function test_RunningSumsAndEnergyVectorRebuiltInSolidity() public view {
        uint32[] memory owners = _owners();
        for (uint256 i = 0; i < windowIntervals; i++) {
            string memory p = _interval(i);
            (bytes32[] memory leaves, bytes memory energy) =
                WindowCommitment.meterLeaves(_slots(i), owners, participants);
            for (uint256 m = 0; m < meters; m++) {
                assertEq(leaves[m], vm.parseJsonBytes32(json, string.concat(_slot(i, m), ".leaf")));
            }
            assertEq(MerkleTree.root(leaves), vm.parseJsonBytes32(json, string.concat(p, ".readingsRoot")));
            bytes memory packed = vm.parseJsonBytes(json, string.concat(p, ".energy"));
            assertEq(energy, packed);
            assertEq(packed.length, participants * EnergyVector.STRIDE);
            assertEq(EnergyVector.hash(packed), vm.parseJsonBytes32(json, string.concat(p, ".energyHash")));
            // A participant without a meter has a zero entry (participants 2 and 5 of the vectors).
            (uint256[] memory exported, uint256[] memory imported) = EnergyVector.decode(packed);
            assertEq(exported[2] + imported[2] + exported[5] + imported[5], 0);
        }
    }

    function test_MeterProofsVerify() public view {
        for (uint256 i = 0; i < windowIntervals; i++) {
            bytes32 root = vm.parseJsonBytes32(json, string.concat(_interval(i), ".readingsRoot"));
            for (uint256 m = 0; m < meters; m++) {
                string memory p = _slot(i, m);
                bytes32 leaf = vm.parseJsonBytes32(json, string.concat(p, ".leaf"));
                bytes32[] memory proof = vm.parseJsonBytes32Array(json, string.concat(p, ".proof"));
                assertTrue(MerkleTree.verify(root, leaf, m, proof));
                // The same leaf does not verify at another position: proofs bind the meter.
                assertFalse(MerkleTree.verify(root, leaf, m ^ 1, proof));
            }
        }
    }

    function test_IntervalLeavesAndWindowRootMatch() public view {
        bytes32[] memory leaves = new bytes32[](windowIntervals);
        for (uint256 i = 0; i < windowIntervals; i++) {
            string memory p = _interval(i);
            // Interval numbers of the vector file are small.
            // forge-lint: disable-next-line(unsafe-typecast)
            uint32 interval = uint32(vm.parseJsonUint(json, string.concat(p, ".interval")));
            bytes32 leaf = WindowCommitment.intervalLeaf(
                interval,
                vm.parseJsonBytes32(json, string.concat(p, ".readingsRoot")),
                vm.parseJsonBytes32(json, string.concat(p, ".energyHash")),
                vm.parseJsonBytes32(json, string.concat(p, ".stateHash")),
                vm.parseJsonBytes32(json, string.concat(p, ".entriesRoot"))
            );
            assertEq(leaf, vm.parseJsonBytes32(json, string.concat(p, ".leaf")));
            assertTrue(
                MerkleTree.verify(windowRoot, leaf, i, vm.parseJsonBytes32Array(json, string.concat(p, ".proof")))
            );
            leaves[i] = leaf;
        }
        assertEq(MerkleTree.root(leaves), windowRoot);
    }

    /// The interval leaf's preimage is 133 bytes: 0x02, the interval (4 bytes big-endian), then readingsRoot,
    /// energyHash, stateHash and entriesRoot, in that order (DESIGN.md §4; `intervalLeaf` in commitment.ts).
    function test_IntervalLeafPreimageLayout() public pure {
        bytes32 rr = keccak256("readings");
        bytes32 eh = keccak256("energy");
        bytes32 sh = keccak256("state");
        bytes32 er = keccak256("entries");
        bytes memory preimage = bytes.concat(hex"02", hex"01020304", rr, eh, sh, er);
        assertEq(preimage.length, 133);
        assertEq(WindowCommitment.intervalLeaf(0x01020304, rr, eh, sh, er), keccak256(preimage));
        // An auction community's leaf: the same with a zero entries root, still 133 bytes.
        assertEq(
            WindowCommitment.intervalLeaf(0x01020304, rr, eh, sh, bytes32(0)),
            keccak256(bytes.concat(hex"02", hex"01020304", rr, eh, sh, bytes32(0)))
        );
    }

    /// Two leaves that differ only in the entries root differ: the leaf binds it.
    function testFuzz_IntervalLeafBindsEntriesRoot(
        uint32 interval,
        bytes32 readingsRoot,
        bytes32 energyHash,
        bytes32 stateHash,
        bytes32 entriesRoot,
        bytes32 otherEntriesRoot
    ) public pure {
        vm.assume(entriesRoot != otherEntriesRoot);
        assertNotEq(
            WindowCommitment.intervalLeaf(interval, readingsRoot, energyHash, stateHash, entriesRoot),
            WindowCommitment.intervalLeaf(interval, readingsRoot, energyHash, stateHash, otherEntriesRoot)
        );
    }

    function test_ProofWithIndexBeyondDepthFails() public view {
        string memory p = _interval(0);
        bytes32 leaf = vm.parseJsonBytes32(json, string.concat(p, ".leaf"));
        bytes32[] memory proof = vm.parseJsonBytes32Array(json, string.concat(p, ".proof"));
        assertFalse(MerkleTree.verify(windowRoot, leaf, uint256(1) << proof.length, proof));
    }

    function testFuzz_RootCommitsToEveryLeaf(bytes32[7] memory raw, uint8 which, bytes32 replacement) public pure {
        bytes32[] memory leaves = new bytes32[](7);
        for (uint256 i = 0; i < 7; i++) {
            leaves[i] = raw[i];
        }
        uint256 idx = which % 7;
        vm.assume(replacement != leaves[idx]);
        bytes32 before = MerkleTree.root(leaves);
        leaves[idx] = replacement;
        assertTrue(MerkleTree.root(leaves) != before);
    }
}
