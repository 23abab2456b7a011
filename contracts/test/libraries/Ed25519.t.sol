// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, console} from "forge-std/Test.sol";
import {Ed25519} from "../../src/libraries/Ed25519.sol";

/// @dev One labelled case of `vectors/ed25519.json`, signature split into R and S.
struct Case {
    string label;
    bytes32 publicKey;
    bytes32 r;
    bytes32 s;
    bytes message;
    bool nodeCrypto;
    bool tweetnacl;
    bool expected;
}

/// @dev Exposes the library through external calls (expectRevert, gas of a real call).
contract Ed25519Harness {
    function verify(bytes32 publicKey, bytes32 r, bytes32 s, bytes calldata message) external view returns (bool) {
        return Ed25519.verify(publicKey, r, s, message);
    }

    function verifyReading(bytes32 publicKey, bytes calldata encoded, bytes calldata signature)
        external
        view
        returns (bool)
    {
        return Ed25519.verifyReading(publicKey, encoded, signature);
    }
}

/// @notice Replays `vectors/ed25519.json` (RFC 8032 §7.1 and labelled edge cases with the answers
/// of node:crypto and tweetnacl) and `vectors/readings.json` (tweetnacl-signed readings), both
/// written by the TypeScript side (`npm run vectors`). The verifier must give node:crypto's answer.
contract Ed25519Test is Test {
    Ed25519Harness internal harness;
    string internal json;
    uint256 internal count;
    string internal readingsJson;
    uint256 internal readingsCount;

    function setUp() public {
        harness = new Ed25519Harness();
        json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/ed25519.json"));
        count = vm.parseJsonUint(json, ".count");
        readingsJson = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/readings.json"));
        readingsCount = vm.parseJsonUint(readingsJson, ".count");
    }

    // ----------------------------------------------------------------------------------------
    // Helpers

    function _case(uint256 i) internal view returns (Case memory c) {
        string memory p = string.concat(".cases[", vm.toString(i), "]");
        c.label = vm.parseJsonString(json, string.concat(p, ".label"));
        c.publicKey = vm.parseJsonBytes32(json, string.concat(p, ".publicKey"));
        (c.r, c.s) = _split(vm.parseJsonBytes(json, string.concat(p, ".signature")));
        c.message = vm.parseJsonBytes(json, string.concat(p, ".message"));
        c.nodeCrypto = vm.parseJsonBool(json, string.concat(p, ".nodeCrypto"));
        c.tweetnacl = vm.parseJsonBool(json, string.concat(p, ".tweetnacl"));
        c.expected = vm.parseJsonBool(json, string.concat(p, ".expected"));
    }

    function _caseIndex(string memory label) internal view returns (uint256) {
        for (uint256 i = 0; i < count; i++) {
            if (
                keccak256(bytes(vm.parseJsonString(json, string.concat(".cases[", vm.toString(i), "].label"))))
                    == keccak256(bytes(label))
            ) {
                return i;
            }
        }
        revert(string.concat("no case ", label));
    }

    function _split(bytes memory sig) internal pure returns (bytes32 r, bytes32 s) {
        require(sig.length == 64, "signature length");
        assembly {
            r := mload(add(sig, 0x20))
            s := mload(add(sig, 0x40))
        }
    }

    function _verify(Case memory c) internal view returns (bool) {
        return Ed25519.verify(c.publicKey, c.r, c.s, c.message);
    }

    // ----------------------------------------------------------------------------------------
    // RFC 8032 §7.1

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

    function test_Rfc8032Test2() public view {
        assertTrue(
            Ed25519.verify(
                0x3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c,
                0x92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da,
                0x085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00,
                hex"72"
            )
        );
    }

    function test_Rfc8032Test3() public view {
        assertTrue(
            Ed25519.verify(
                0xfc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025,
                0x6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac,
                0x18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a,
                hex"af82"
            )
        );
    }

    /// @dev TEST 1, 2, 3, 1024 (1023-byte message) and SHA(abc) from the vector file.
    function test_Rfc8032VectorFile() public view {
        uint256 n = vm.parseJsonUint(json, ".rfc8032.count");
        assertEq(n, 5);
        for (uint256 i = 0; i < n; i++) {
            string memory p = string.concat(".rfc8032.vectors[", vm.toString(i), "]");
            (bytes32 r, bytes32 s) = _split(vm.parseJsonBytes(json, string.concat(p, ".signature")));
            bytes32 pk = vm.parseJsonBytes32(json, string.concat(p, ".publicKey"));
            bytes memory m = vm.parseJsonBytes(json, string.concat(p, ".message"));
            string memory name = vm.parseJsonString(json, string.concat(p, ".name"));
            assertTrue(Ed25519.verify(pk, r, s, m), name);
            assertTrue(Ed25519.isStrictPublicKey(pk), name);
            m = bytes.concat(m, hex"00");
            assertFalse(Ed25519.verify(pk, r, s, m), string.concat(name, " with a byte appended"));
        }
    }

    function test_Rfc8032Test1024MessageLength() public view {
        bytes memory m = vm.parseJsonBytes(json, ".rfc8032.vectors[3].message");
        assertEq(m.length, 1023);
    }

    // ----------------------------------------------------------------------------------------
    // Labelled cases: node:crypto's answer, always.

    function test_CasesMatchNodeCrypto() public view {
        assertEq(count, 88);
        uint256 accepted;
        for (uint256 i = 0; i < count; i++) {
            Case memory c = _case(i);
            assertEq(c.expected, c.nodeCrypto, c.label);
            bool got = _verify(c);
            assertEq(got, c.expected, c.label);
            if (got) accepted++;
        }
        // 24 tweetnacl signatures + 2 identity-R/identity-key cases + 8 small-order keys
        // + 6 non-canonical small-order keys + 1 mixed-order key with k ≡ 0 mod 8.
        assertEq(accepted, 41);
    }

    /// @dev tweetnacl differs from node:crypto only by not checking S < L: it accepts S + nL.
    function test_TweetnaclDiffersOnlyOnNonCanonicalS() public view {
        uint256 diffs;
        for (uint256 i = 0; i < count; i++) {
            Case memory c = _case(i);
            if (c.tweetnacl == c.nodeCrypto) continue;
            diffs++;
            assertTrue(c.tweetnacl, c.label);
            assertFalse(_verify(c), c.label);
            assertGe(uint256(_reverseBytes(c.s)), Ed25519.L, c.label);
        }
        assertEq(diffs, 4);
    }

    function test_AllValidTweetnaclSignaturesVerify() public view {
        for (uint256 i = 0; i < 24; i++) {
            Case memory c = _case(i);
            assertEq(c.label, string.concat("valid-", vm.toString(i)));
            assertTrue(_verify(c), c.label);
            assertTrue(Ed25519.isStrictPublicKey(c.publicKey), c.label);
        }
    }

    function test_RejectsNonCanonicalS() public view {
        Case memory c = _case(_caseIndex("S-plus-1L"));
        assertFalse(_verify(c));
        // The same signature with S reduced below L verifies.
        c.s = _reverseBytes(bytes32(uint256(_reverseBytes(c.s)) - Ed25519.L));
        assertTrue(_verify(c));
    }

    function test_RejectsNonCanonicalR() public view {
        Case memory c = _case(_caseIndex("R-identity-noncanonical"));
        assertFalse(_verify(c));
        // With R = the canonical encoding of the identity the same (A, S, M) verifies.
        c.r = bytes32(hex"0100000000000000000000000000000000000000000000000000000000000000");
        assertTrue(_verify(c));
    }

    /// @dev Documented divergence from strict RFC 8032 decoding, shared with node:crypto and
    /// tweetnacl: keys with y ≥ p or x = 0 and the sign bit set decode (all have small order).
    function test_AcceptsNonCanonicalSmallOrderKeysLikeNodeCrypto() public view {
        string[6] memory labels = [
            "A-noncanonical-identity",
            "A-noncanonical-identity-sign",
            "A-noncanonical-y0",
            "A-noncanonical-y0-sign",
            "A-negative-zero-identity",
            "A-negative-zero-order2"
        ];
        for (uint256 i = 0; i < labels.length; i++) {
            Case memory c = _case(_caseIndex(labels[i]));
            assertTrue(c.nodeCrypto && c.tweetnacl, labels[i]);
            assertTrue(_verify(c), labels[i]);
            assertFalse(Ed25519.isStrictPublicKey(c.publicKey), labels[i]);
        }
    }

    function test_IsStrictPublicKeyRejectsSmallOrderPoints() public view {
        for (uint256 i = 0; i < 8; i++) {
            Case memory c = _case(_caseIndex(string.concat("small-order-A-", vm.toString(i))));
            assertTrue(_verify(c), c.label);
            assertFalse(Ed25519.isStrictPublicKey(c.publicKey), c.label);
        }
    }

    function test_IsStrictPublicKey() public view {
        // Off the curve.
        assertFalse(Ed25519.isStrictPublicKey(_case(_caseIndex("A-off-curve")).publicKey));
        assertFalse(Ed25519.isStrictPublicKey(_case(_caseIndex("A-off-curve-random")).publicKey));
        // y ≥ p of a point of large order.
        assertFalse(Ed25519.isStrictPublicKey(_case(_caseIndex("A-noncanonical-y3")).publicKey));
        // Mixed order ([a]B + T8) passes: documented, harmless to everyone but its owner.
        assertTrue(Ed25519.isStrictPublicKey(_case(_caseIndex("mixed-order-A-k0")).publicKey));
        // The base point.
        assertTrue(Ed25519.isStrictPublicKey(0x5866666666666666666666666666666666666666666666666666666666666666));
    }

    // ----------------------------------------------------------------------------------------
    // Meter readings signed by tweetnacl.

    function test_ReadingSignaturesVerify() public view {
        assertGe(readingsCount, 20);
        for (uint256 i = 0; i < readingsCount; i++) {
            string memory p = string.concat(".vectors[", vm.toString(i), "]");
            bytes32 pk = vm.parseJsonBytes32(readingsJson, string.concat(p, ".publicKey"));
            bytes memory encoded = vm.parseJsonBytes(readingsJson, string.concat(p, ".encoded"));
            bytes memory sig = vm.parseJsonBytes(readingsJson, string.concat(p, ".signature"));
            assertEq(encoded.length, 70);
            assertTrue(Ed25519.verifyReading(pk, encoded, sig), string.concat("reading ", vm.toString(i)));
            // Another meter's key does not verify it.
            bytes32 other = vm.parseJsonBytes32(
                readingsJson, string.concat(".vectors[", vm.toString((i + 1) % readingsCount), "].publicKey")
            );
            if (other != pk) assertFalse(Ed25519.verifyReading(other, encoded, sig));
        }
    }

    function test_VerifyReadingRejectsWrongSignatureLength() public view {
        bytes32 pk = vm.parseJsonBytes32(readingsJson, ".vectors[2].publicKey");
        bytes memory encoded = vm.parseJsonBytes(readingsJson, ".vectors[2].encoded");
        bytes memory sig = vm.parseJsonBytes(readingsJson, ".vectors[2].signature");
        assertTrue(harness.verifyReading(pk, encoded, sig));
        assertFalse(harness.verifyReading(pk, encoded, bytes.concat(sig, hex"00")));
        bytes memory short = new bytes(63);
        for (uint256 i = 0; i < 63; i++) {
            short[i] = sig[i];
        }
        assertFalse(harness.verifyReading(pk, encoded, short));
        assertFalse(harness.verifyReading(pk, encoded, ""));
    }

    function test_RevertWhen_ModExpFails() public {
        Case memory c = _case(0);
        vm.mockCallRevert(address(0x05), bytes(""), bytes(""));
        vm.expectRevert(Ed25519.Ed25519ModExpFailed.selector);
        harness.verify(c.publicKey, c.r, c.s, c.message);
    }

    // ----------------------------------------------------------------------------------------
    // Gas

    /// @dev One verification of a 70-byte reading; `forge test --match-test test_GasVerifyReading -vv`.
    function test_GasVerifyReading() public {
        bytes32 pk = vm.parseJsonBytes32(readingsJson, ".vectors[2].publicKey");
        bytes memory encoded = vm.parseJsonBytes(readingsJson, ".vectors[2].encoded");
        bytes memory sig = vm.parseJsonBytes(readingsJson, ".vectors[2].signature");
        vm.startSnapshotGas("ed25519_verifyReading_70B");
        bool ok = Ed25519.verifyReading(pk, encoded, sig);
        uint256 internalGas = vm.stopSnapshotGas();
        assertTrue(ok);
        uint256 before = gasleft();
        ok = harness.verifyReading(pk, encoded, sig);
        uint256 callGas = before - gasleft();
        assertTrue(ok);
        console.log("Ed25519.verifyReading gas (internal, 70-byte reading):", internalGas);
        console.log("Ed25519.verifyReading gas (external call incl. calldata copy):", callGas);
        assertLt(internalGas, 2_000_000);
    }

    function test_GasVerifyRfc8032Test1024() public {
        string memory p = ".rfc8032.vectors[3]";
        (bytes32 r, bytes32 s) = _split(vm.parseJsonBytes(json, string.concat(p, ".signature")));
        bytes32 pk = vm.parseJsonBytes32(json, string.concat(p, ".publicKey"));
        bytes memory m = vm.parseJsonBytes(json, string.concat(p, ".message"));
        vm.startSnapshotGas("ed25519_verify_1023B");
        bool ok = Ed25519.verify(pk, r, s, m);
        uint256 g = vm.stopSnapshotGas();
        assertTrue(ok);
        console.log("Ed25519.verify gas (1023-byte message):", g);
    }

    function _reverseBytes(bytes32 v) internal pure returns (bytes32 r) {
        for (uint256 i = 0; i < 32; i++) {
            r |= bytes32(uint256(uint8(v[i])) << (8 * i));
        }
    }
}

/// @notice Fuzz tests around the 24 valid tweetnacl vectors of `vectors/ed25519.json`, loaded once.
contract Ed25519FuzzTest is Test {
    Ed25519Harness internal harness;
    Case[] internal valid;

    function setUp() public {
        harness = new Ed25519Harness();
        string memory json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/ed25519.json"));
        for (uint256 i = 0; i < 24; i++) {
            string memory p = string.concat(".cases[", vm.toString(i), "]");
            Case memory c;
            c.label = vm.parseJsonString(json, string.concat(p, ".label"));
            c.publicKey = vm.parseJsonBytes32(json, string.concat(p, ".publicKey"));
            bytes memory sig = vm.parseJsonBytes(json, string.concat(p, ".signature"));
            bytes32 r;
            bytes32 s;
            assembly {
                r := mload(add(sig, 0x20))
                s := mload(add(sig, 0x40))
            }
            (c.r, c.s) = (r, s);
            c.message = vm.parseJsonBytes(json, string.concat(p, ".message"));
            c.expected = vm.parseJsonBool(json, string.concat(p, ".expected"));
            valid.push(c);
        }
    }

    /// @dev Random (R, S) with a canonical S under a real key and message never verifies: this
    /// runs the whole verification, unlike a random S that is ≥ L 15 times in 16.
    function testFuzz_RandomSignatureRejected(bytes32 r, uint256 s, uint8 which) public view {
        Case memory c = valid[bound(which, 0, valid.length - 1)];
        bytes32 sLe = _reverseBytes(bytes32(bound(s, 0, Ed25519.L - 1)));
        vm.assume(r != c.r || sLe != c.s);
        assertFalse(Ed25519.verify(c.publicKey, r, sLe, c.message));
    }

    /// @dev Random key, signature and message never verify (and never revert).
    function testFuzz_RandomInputsRejected(bytes32 pk, bytes32 r, bytes32 s, bytes calldata m) public view {
        assertFalse(harness.verify(pk, r, s, m));
    }

    /// @dev Changing any one byte of a valid (A, R, S, M) makes it fail.
    function testFuzz_MutatedValidVectorRejected(uint8 which, uint256 position, uint8 delta) public view {
        vm.assume(delta != 0);
        Case memory c = valid[bound(which, 0, valid.length - 1)];
        bytes memory all = bytes.concat(c.publicKey, c.r, c.s, c.message);
        position = bound(position, 0, all.length - 1);
        unchecked {
            all[position] = bytes1(uint8(all[position]) + delta);
        }
        bytes32 pk;
        bytes32 r;
        bytes32 s;
        assembly {
            pk := mload(add(all, 0x20))
            r := mload(add(all, 0x40))
            s := mload(add(all, 0x60))
        }
        bytes memory m = new bytes(c.message.length);
        for (uint256 i = 0; i < m.length; i++) {
            m[i] = all[96 + i];
        }
        assertFalse(Ed25519.verify(pk, r, s, m));
    }

    /// @dev S + nL (n ≥ 1, below 2^256) is always refused, where tweetnacl would accept it.
    function testFuzz_NonCanonicalSRejected(uint8 which, uint256 n) public view {
        Case memory c = valid[bound(which, 0, valid.length - 1)];
        uint256 s = uint256(_reverseBytes(c.s));
        n = bound(n, 1, (type(uint256).max - s) / Ed25519.L);
        assertFalse(Ed25519.verify(c.publicKey, c.r, _reverseBytes(bytes32(s + n * Ed25519.L)), c.message));
    }

    function _reverseBytes(bytes32 v) internal pure returns (bytes32 r) {
        for (uint256 i = 0; i < 32; i++) {
            r |= bytes32(uint256(uint8(v[i])) << (8 * i));
        }
    }
}
