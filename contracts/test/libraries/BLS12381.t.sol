// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {BLS12381} from "../../src/libraries/BLS12381.sol";

/// @notice Replays `vectors/bls.json` (written by `node/src/vectors/bls.ts` with @noble/curves):
/// RFC 9380 hash-to-curve for G1 and G2 under the RFC's own test tags, and a min-pk signature.
contract BLS12381Test is Test {
    string internal json;

    function setUp() public {
        json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/bls.json"));
    }

    // External wrappers, so reverts of the internal library functions can be expected.
    function hashToG1(bytes memory m, bytes memory dst) external view returns (bytes memory) {
        return BLS12381.hashToG1(m, dst);
    }

    function pairingCheck(bytes memory input) external view returns (bool) {
        return BLS12381.pairingCheck(input);
    }

    function test_HashToG1MatchesRfc9380() public view {
        for (uint256 i = 0; i < 5; ++i) {
            string memory at = string.concat(".rfc9380.g1[", vm.toString(i), "]");
            bytes memory p = BLS12381.hashToG1(
                vm.parseJsonBytes(json, string.concat(at, ".msg")), vm.parseJsonBytes(json, string.concat(at, ".dst"))
            );
            assertEq(p, vm.parseJsonBytes(json, string.concat(at, ".point")), at);
        }
    }

    function test_HashToG2MatchesRfc9380() public view {
        for (uint256 i = 0; i < 5; ++i) {
            string memory at = string.concat(".rfc9380.g2[", vm.toString(i), "]");
            bytes memory p = BLS12381.hashToG2(
                vm.parseJsonBytes(json, string.concat(at, ".msg")), vm.parseJsonBytes(json, string.concat(at, ".dst"))
            );
            assertEq(p, vm.parseJsonBytes(json, string.concat(at, ".point")), at);
        }
    }

    function test_MinPkSignatureVerifies() public view {
        bytes memory h =
            BLS12381.hashToG2(vm.parseJsonBytes(json, ".minPk.message"), vm.parseJsonBytes(json, ".minPk.dst"));
        bytes memory sig = vm.parseJsonBytes(json, ".minPk.signature");
        bytes memory pk = vm.parseJsonBytes(json, ".minPk.publicKey");
        // e(-G1, sig) · e(pk, H(m)) = 1
        assertTrue(BLS12381.pairingCheck(abi.encodePacked(BLS12381.NEG_G1, sig, pk, h)));
        BLS12381.g1NegateInPlace(pk);
        assertFalse(BLS12381.pairingCheck(abi.encodePacked(BLS12381.NEG_G1, sig, pk, h)));
    }

    function test_NegationCancels() public view {
        bytes memory g1 = BLS12381.NEG_G1;
        BLS12381.g1NegateInPlace(g1);
        assertEq(BLS12381.g1Add(g1, BLS12381.NEG_G1), new bytes(128));
        bytes memory g2 = BLS12381.NEG_G2;
        BLS12381.g2NegateInPlace(g2);
        assertEq(BLS12381.g2Add(g2, BLS12381.NEG_G2), new bytes(256));
        // Negating the point at infinity leaves it the point at infinity (not p).
        bytes memory inf = new bytes(256);
        BLS12381.g2NegateInPlace(inf);
        assertEq(inf, new bytes(256));
        assertTrue(BLS12381.isInfinity(inf));
        assertFalse(BLS12381.isInfinity(g2));
    }

    function test_MulMatchesRepeatedAdd() public view {
        bytes memory g2 = BLS12381.NEG_G2;
        BLS12381.g2NegateInPlace(g2);
        assertEq(BLS12381.g2Mul(g2, 3), BLS12381.g2Add(BLS12381.g2Add(g2, g2), g2));
    }

    function test_RevertWhen_DstEmptyOrTooLong() public {
        vm.expectRevert(abi.encodeWithSelector(BLS12381.InvalidDst.selector, 0));
        this.hashToG1("m", "");
        vm.expectRevert(abi.encodeWithSelector(BLS12381.InvalidDst.selector, 256));
        this.hashToG1("m", new bytes(256));
    }

    function test_RevertWhen_PairingInputNotOnCurve() public {
        bytes memory bad = abi.encodePacked(BLS12381.NEG_G1, BLS12381.NEG_G2);
        bad[127] ^= 0x01; // y of the G1 point: off the curve
        vm.expectRevert(abi.encodeWithSelector(BLS12381.PrecompileFailed.selector, BLS12381.PAIRING_CHECK));
        this.pairingCheck{gas: 1_000_000}(bad);
    }
}
