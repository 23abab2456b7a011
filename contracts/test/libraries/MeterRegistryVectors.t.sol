// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {Meter} from "../../src/types/Community.sol";
import {MerkleTree} from "../../src/libraries/MerkleTree.sol";
import {MeterRegistry} from "../../src/libraries/MeterRegistry.sol";

/// @dev `MeterRegistry.root` reads calldata: called through this harness.
contract MeterRegistryHarness {
    function root(Meter[] calldata meters) external pure returns (bytes32) {
        return MeterRegistry.root(meters);
    }
}

/// @notice Replays `contracts/test/vectors/meters.json` (written by node/src/vectors/meters.ts): the record
/// leaves, the root `Hub.open` stores and every record's opening, TypeScript against Solidity.
contract MeterRegistryVectorsTest is Test {
    MeterRegistryHarness internal h = new MeterRegistryHarness();

    function test_Vectors_MeterRegistry() public view {
        string memory json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/meters.json"));
        uint256 count = vm.parseJsonUint(json, ".count");
        assertGt(count, 0);
        for (uint256 c = 0; c < count; ++c) {
            string memory at = string.concat(".cases[", vm.toString(c), "]");
            uint256[] memory owners = vm.parseJsonUintArray(json, string.concat(at, ".owners"));
            uint256[] memory schemes = vm.parseJsonUintArray(json, string.concat(at, ".schemes"));
            bytes[] memory keys = vm.parseJsonBytesArray(json, string.concat(at, ".keys"));
            bytes32[] memory leaves = vm.parseJsonBytes32Array(json, string.concat(at, ".leaves"));
            bytes32 root = vm.parseJsonBytes32(json, string.concat(at, ".root"));
            Meter[] memory ms = new Meter[](owners.length);
            for (uint256 k = 0; k < owners.length; ++k) {
                // forge-lint: disable-next-line(unsafe-typecast)
                ms[k] = Meter(keys[k], uint8(schemes[k]), uint32(owners[k]));
                // forge-lint: disable-next-line(unsafe-typecast)
                assertEq(MeterRegistry.leafOf(uint32(k), ms[k]), leaves[k], "leaf");
            }
            assertEq(h.root(ms), root, "root");
            for (uint256 k = 0; k < owners.length; ++k) {
                bytes32[] memory path =
                    vm.parseJsonBytes32Array(json, string.concat(at, ".paths[", vm.toString(k), "]"));
                assertEq(path.length, MerkleTree.depth(owners.length), "canonical depth");
                assertTrue(MerkleTree.verify(root, leaves[k], k, path), "opening");
            }
        }
    }
}
