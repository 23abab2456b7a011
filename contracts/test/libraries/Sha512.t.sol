// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, console} from "forge-std/Test.sol";
import {Sha512} from "../../src/libraries/Sha512.sol";

/// @notice SHA-512 against FIPS 180-4 / RFC 8032 digests and the node:crypto digests in
/// `vectors/ed25519.json` (`.sha512`), written by the TypeScript side (`npm run vectors`).
contract Sha512Test is Test {
    string internal json;
    uint256 internal count;

    function setUp() public {
        json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/ed25519.json"));
        count = vm.parseJsonUint(json, ".sha512.count");
    }

    function _digest(bytes memory m) internal pure returns (bytes memory) {
        (bytes32 hi, bytes32 lo) = Sha512.hash(m);
        return abi.encodePacked(hi, lo);
    }

    function test_Abc() public pure {
        assertEq(
            _digest("abc"),
            hex"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        );
    }

    function test_Empty() public pure {
        assertEq(
            _digest(""),
            hex"cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"
        );
    }

    /// @dev FIPS 180-4 example with a 112-byte message: the padding spills into a second block.
    function test_TwoBlockFipsExample() public pure {
        assertEq(
            _digest(
                "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
            ),
            hex"8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"
        );
    }

    function test_VectorsCoverBlockBoundaries() public view {
        assertEq(count, 27);
        uint256[8] memory lengths = [uint256(0), 111, 112, 127, 128, 129, 239, 240];
        for (uint256 j = 0; j < lengths.length; j++) {
            bool found;
            for (uint256 i = 0; i < count && !found; i++) {
                found = _message(i).length == lengths[j];
            }
            assertTrue(found, string.concat("no vector of length ", vm.toString(lengths[j])));
        }
    }

    function test_MatchesNodeCryptoVectors() public view {
        for (uint256 i = 0; i < count; i++) {
            string memory p = string.concat(".sha512.vectors[", vm.toString(i), "]");
            bytes memory m = _message(i);
            assertEq(
                _digest(m),
                vm.parseJsonBytes(json, string.concat(p, ".digest")),
                string.concat("digest of vector ", vm.toString(i), " (", vm.toString(m.length), " bytes)")
            );
        }
    }

    /// @dev Sha512 must leave the memory it does not own alone: a buffer allocated right after
    /// the message keeps its content.
    function testFuzz_DoesNotClobberAllocatedMemory(bytes memory m, bytes32 canary) public pure {
        bytes memory after_ = abi.encodePacked(canary, canary);
        bytes memory d1 = _digest(m);
        assertEq(after_, abi.encodePacked(canary, canary));
        assertEq(_digest(m), d1);
    }

    /// @dev Different inputs (differing in one byte or in length) give different digests.
    function testFuzz_OneByteChangesDigest(bytes memory m, uint256 index, uint8 delta) public pure {
        vm.assume(m.length > 0 && delta != 0);
        bytes memory d1 = _digest(m);
        bytes memory n = bytes.concat(m);
        index = bound(index, 0, m.length - 1);
        unchecked {
            n[index] = bytes1(uint8(n[index]) + delta);
        }
        assertTrue(keccak256(_digest(n)) != keccak256(d1));
        assertTrue(keccak256(_digest(bytes.concat(m, hex"00"))) != keccak256(d1));
    }

    function test_GasPerBlock() public {
        bytes memory oneBlock = new bytes(100); // 1 block
        bytes memory twoBlocks = new bytes(134); // R || A || a 70-byte reading: 2 blocks
        vm.startSnapshotGas("sha512_1block_100B");
        Sha512.hash(oneBlock);
        uint256 g1 = vm.stopSnapshotGas();
        vm.startSnapshotGas("sha512_2blocks_134B");
        Sha512.hash(twoBlocks);
        uint256 g2 = vm.stopSnapshotGas();
        console.log("sha512 gas, 100 bytes (1 block): ", g1);
        console.log("sha512 gas, 134 bytes (2 blocks):", g2);
    }

    function _message(uint256 i) internal view returns (bytes memory) {
        return vm.parseJsonBytes(json, string.concat(".sha512.vectors[", vm.toString(i), "].message"));
    }
}
