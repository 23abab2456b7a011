// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {P256} from "@openzeppelin/contracts/utils/cryptography/P256.sol";

/// @notice Proves the test EVM runs Osaka rules: the P-256 verify precompile (EIP-7951, 0x100)
/// verifies a real signature made by node:crypto (`vectors/p256.json`).
contract P256PrecompileTest is Test {
    bytes32 internal h;
    bytes32 internal r;
    bytes32 internal s;
    bytes32 internal qx;
    bytes32 internal qy;

    function setUp() public {
        string memory json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/p256.json"));
        h = vm.parseJsonBytes32(json, ".hash");
        r = vm.parseJsonBytes32(json, ".r");
        s = vm.parseJsonBytes32(json, ".s");
        qx = vm.parseJsonBytes32(json, ".qx");
        qy = vm.parseJsonBytes32(json, ".qy");
    }

    function test_PrecompileVerifiesNodeCryptoSignature() public view {
        (bool ok, bytes memory out) = address(0x100).staticcall(abi.encode(h, r, s, qx, qy));
        assertTrue(ok);
        assertEq(out.length, 32, "precompile missing: empty return");
        assertEq(abi.decode(out, (uint256)), 1);
        assertTrue(P256.verifyNative(h, r, s, qx, qy));
    }

    function test_PrecompileRejectsTamperedHash() public view {
        bytes32 bad = h ^ bytes32(uint256(1));
        (bool ok, bytes memory out) = address(0x100).staticcall(abi.encode(bad, r, s, qx, qy));
        assertTrue(ok);
        assertEq(out.length, 0, "invalid signature returns empty data");
        assertFalse(P256.verifyNative(bad, r, s, qx, qy));
    }

    function test_Bls12381PrecompilesExist() public view {
        // EIP-2537 G1ADD (0x0b): adding the point at infinity to itself gives the point at infinity.
        (bool ok, bytes memory out) = address(0x0b).staticcall(new bytes(256));
        assertTrue(ok);
        assertEq(out.length, 128);
        assertEq(keccak256(out), keccak256(new bytes(128)));
    }
}
