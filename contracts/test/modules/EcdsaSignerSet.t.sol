// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SignerBitmap} from "../../src/libraries/SignerBitmap.sol";
import {Test} from "forge-std/Test.sol";
import {ICoSignatureScheme} from "../../src/interfaces/ICoSignatureScheme.sol";
import {EcdsaSignerSet} from "../../src/modules/EcdsaSignerSet.sol";

/// @notice The ECDSA co-signature module: bitmap ‖ 64-byte EIP-2098 signatures in index order, addresses
/// kept per (hub, community) as the code of a data contract created at `open` (s16).
contract EcdsaSignerSetTest is Test {
    EcdsaSignerSet internal set = new EcdsaSignerSet();
    uint256[] internal keys;
    bytes32 internal constant DIGEST = keccak256("digest");
    uint256 internal constant CURVE_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    address internal hubA = makeAddr("hubA");
    address internal hubB = makeAddr("hubB");

    function setUp() public {
        bytes memory list;
        for (uint256 i = 0; i < 4; ++i) {
            keys.push(uint256(keccak256(abi.encode("signer", i))));
            list = bytes.concat(list, bytes20(vm.addr(keys[i])));
        }
        vm.prank(hubA);
        set.open(1, list);
    }

    /// @dev The packed list (20 bytes each) of the addresses of `n` keys `key(i)`.
    function _list(uint256 n, function(uint256) pure returns (uint256) key) internal pure returns (bytes memory list) {
        list = new bytes(20 * n);
        for (uint256 i = 0; i < n; ++i) {
            address a = vm.addr(key(i));
            assembly ("memory-safe") {
                mstore(add(add(list, 0x20), mul(i, 20)), shl(96, a))
            }
        }
    }

    function _sig(uint256 i) internal view returns (bytes memory) {
        (bytes32 r, bytes32 vs) = vm.signCompact(keys[i], DIGEST);
        return abi.encodePacked(r, vs);
    }

    function _verifyA(uint256 n, bytes memory blob) internal returns (uint256) {
        vm.prank(hubA);
        uint256[] memory got = set.verify(1, DIGEST, n, blob);
        // Empty after an expected revert.
        return got.length == 0 ? 0 : got[0];
    }

    function test_Verify_BitmapOfSigners() public {
        assertEq(_verifyA(4, bytes.concat(bytes32(uint256(0x0a)), _sig(1), _sig(3))), 0x0a);
        assertEq(_verifyA(4, bytes.concat(bytes32(uint256(0x0f)), _sig(0), _sig(1), _sig(2), _sig(3))), 0x0f);
    }

    function test_RevertWhen_OtherHubOrCommunity() public {
        // The list hub A opened for community 1 means nothing to hub B, or to community 2: unknown there.
        bytes memory blob = bytes.concat(bytes32(uint256(1)), _sig(0));
        vm.prank(hubB);
        vm.expectRevert(abi.encodeWithSelector(EcdsaSignerSet.UnknownCommunity.selector, 1));
        set.verify(1, DIGEST, 4, blob);
        vm.prank(hubA);
        vm.expectRevert(abi.encodeWithSelector(EcdsaSignerSet.UnknownCommunity.selector, 2));
        set.verify(2, DIGEST, 4, blob);
        // Hub B's own community 1 of other participants: hub A's signer is no participant there.
        vm.prank(hubB);
        set.open(1, abi.encodePacked(bytes20(makeAddr("b0")), bytes20(makeAddr("b1"))));
        vm.prank(hubB);
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.SignerNotParticipant.selector, vm.addr(keys[0])));
        set.verify(1, DIGEST, 2, blob);
    }

    /// @dev Attack: a participant signs for an index past the opened list (the hub passes N; a list shorter
    /// than N reads as zero addresses there, which no signature recovers to).
    function test_RevertWhen_IndexPastTheList() public {
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.SignerNotParticipant.selector, vm.addr(keys[0])));
        _verifyA(8, bytes.concat(bytes32(uint256(1) << 5), _sig(0)));
    }

    function test_RevertWhen_BitBeyondParticipantCount() public {
        vm.expectRevert(abi.encodeWithSelector(SignerBitmap.SignerOutOfRange.selector, 3));
        _verifyA(3, bytes.concat(bytes32(uint256(0x08)), _sig(3)));
    }

    /// @dev Attack: a signature counted for a participant who did not sign (another's signature in its
    /// slot, or two signatures swapped).
    function test_RevertWhen_SignatureInAnotherSlot() public {
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.SignerNotParticipant.selector, vm.addr(keys[3])));
        _verifyA(4, bytes.concat(bytes32(uint256(0x02)), _sig(3)));
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.SignerNotParticipant.selector, vm.addr(keys[3])));
        _verifyA(4, bytes.concat(bytes32(uint256(0x0a)), _sig(3), _sig(1)));
    }

    function test_RevertWhen_MalformedOrEmpty() public {
        vm.expectRevert(ICoSignatureScheme.NoSignatures.selector);
        _verifyA(4, "");
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.MalformedSignatures.selector, 31));
        _verifyA(4, new bytes(31));
        vm.expectRevert(ICoSignatureScheme.NoSignatures.selector);
        _verifyA(4, abi.encodePacked(uint256(0)));
        // Two bits, one signature; one bit, two signatures.
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.MalformedSignatures.selector, 96));
        _verifyA(4, bytes.concat(bytes32(uint256(0x03)), _sig(0)));
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.MalformedSignatures.selector, 160));
        _verifyA(4, bytes.concat(bytes32(uint256(0x01)), _sig(0), _sig(0)));
        // All zeros: not a signature.
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.InvalidSignature.selector, 1));
        _verifyA(4, bytes.concat(bytes32(uint256(0x03)), _sig(0), new bytes(64)));
    }

    /// @dev The 65-byte r ‖ s ‖ v form is not accepted: one encoding per signature.
    function test_RevertWhen_LegacySignature() public {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(keys[0], DIGEST);
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.MalformedSignatures.selector, 97));
        _verifyA(4, bytes.concat(bytes32(uint256(1)), abi.encodePacked(r, s, v)));
    }

    /// @dev Attack: the malleated twin (r, n - s, other parity) of a valid signature. When n - s fits in
    /// 255 bits it is a high s (rejected); otherwise its top bit is read as the parity and the rest is
    /// another s, which recovers to another address (or to none).
    function testFuzz_RevertWhen_Malleated(uint256 keySeed, bytes32 digest) public {
        uint256 key = bound(keySeed, 1, CURVE_N - 1);
        address signer = vm.addr(key);
        vm.prank(hubA);
        set.open(9, abi.encodePacked(bytes20(signer)));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        uint256 twinS = CURVE_N - uint256(s);
        uint256 twinParity = v == 27 ? 1 : 0;
        bytes32 vs = bytes32(twinS | (twinParity << 255));
        uint256 readS = uint256(vs) & ((uint256(1) << 255) - 1);
        uint8 readV = uint8((uint256(vs) >> 255) + 27);
        if (readS > CURVE_N / 2) {
            vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.InvalidSignature.selector, 0));
        } else {
            address other = ecrecover(digest, readV, r, bytes32(readS));
            assertTrue(other != signer);
            if (other == address(0)) {
                vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.InvalidSignature.selector, 0));
            } else {
                vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.SignerNotParticipant.selector, other));
            }
        }
        vm.prank(hubA);
        set.verify(9, digest, 1, bytes.concat(bytes32(uint256(1)), r, vs));
    }

    /// @dev High s written directly (below 2^255, so it cannot be mistaken for the parity bit).
    function test_RevertWhen_HighS() public {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(keys[0], DIGEST);
        uint256 high = CURVE_N / 2 + 1;
        assertLt(high, uint256(1) << 255);
        bytes32 vs = bytes32(high | (uint256(v - 27) << 255));
        assertTrue(uint256(s) != high);
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.InvalidSignature.selector, 0));
        _verifyA(4, bytes.concat(bytes32(uint256(1)), r, vs));
    }

    /// @dev Attack: the parity bit flipped recovers another key, never the signer.
    function test_RevertWhen_WrongParity() public {
        (bytes32 r, bytes32 vs) = vm.signCompact(keys[2], DIGEST);
        bytes32 flipped = vs ^ bytes32(uint256(1) << 255);
        uint256 s = uint256(flipped) & ((uint256(1) << 255) - 1);
        address other = ecrecover(DIGEST, uint8((uint256(flipped) >> 255) + 27), r, bytes32(s));
        assertTrue(other != vm.addr(keys[2]) && other != address(0));
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.SignerNotParticipant.selector, other));
        _verifyA(4, bytes.concat(bytes32(uint256(0x04)), r, flipped));
    }

    /// @dev A join stores nothing: a second `register` of an index changes nothing (the hub lets each index join
    /// once); key data, an index past the bound or the zero address are refused.
    function test_RevertWhen_RegisterWithKeyDataOrOutOfRange() public {
        vm.startPrank(hubA);
        set.register(1, 0, makeAddr("p0bis"), "");
        assertEq(set.participantAt(hubA, 1, 0), vm.addr(keys[0]), "the opened list is the one checked");
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.InvalidKeyData.selector, 1, 5));
        set.register(1, 5, makeAddr("p5"), hex"01");
        vm.expectRevert(abi.encodeWithSelector(EcdsaSignerSet.InvalidParticipant.selector, 1, 1024));
        set.register(1, 1024, makeAddr("p1024"), "");
        vm.expectRevert(abi.encodeWithSelector(EcdsaSignerSet.InvalidParticipant.selector, 1, 6));
        set.register(1, 6, address(0), "");
        vm.stopPrank();
    }

    /// @dev `open` refuses a list that is empty, not whole addresses, or longer than the bound, and a second
    /// list for one (hub, community): the first one stands.
    function test_RevertWhen_OpenListMalformedOrTwice() public {
        vm.startPrank(hubA);
        vm.expectRevert(abi.encodeWithSelector(EcdsaSignerSet.InvalidParticipantList.selector, 5, 0));
        set.open(5, "");
        vm.expectRevert(abi.encodeWithSelector(EcdsaSignerSet.InvalidParticipantList.selector, 5, 39));
        set.open(5, new bytes(39));
        vm.expectRevert(abi.encodeWithSelector(EcdsaSignerSet.InvalidParticipantList.selector, 5, 20 * 1025));
        set.open(5, new bytes(20 * 1025));
        vm.expectRevert(abi.encodeWithSelector(EcdsaSignerSet.AlreadyOpened.selector, 1));
        set.open(1, abi.encodePacked(bytes20(makeAddr("intruder"))));
        vm.stopPrank();
        assertEq(set.participantAt(hubA, 1, 0), vm.addr(keys[0]));
    }

    /// @dev The list's data contract: code = STOP ‖ the 20-byte addresses, so a call to it does nothing and
    /// returns nothing; 1,024 participants (the bound) fit one contract.
    function test_Open_ListIsInertCodeAndTakesTheBound() public {
        vm.prank(hubB);
        set.open(11, _list(1024, _key));
        assertEq(set.participantAt(hubB, 11, 1023), vm.addr(_key(1023)));
        assertEq(set.participantAt(hubB, 11, 1024), address(0), "past the bound");
        vm.prank(hubB);
        set.open(12, abi.encodePacked(bytes20(makeAddr("q0"))));
        bool ok;
        bytes memory ret;
        // The data contract is at its CREATE2 address (module, salt hub ‖ community, the fixed init code).
        address list = vm.computeCreate2Address(
            keccak256(abi.encodePacked(hubB, uint64(12))), keccak256(set.LIST_INIT_CODE()), address(set)
        );
        assertEq(set.listOf(hubB, 12), list);
        assertEq(list.code, abi.encodePacked(hex"00", bytes20(makeAddr("q0"))));
        // Its creation left nothing pending: the init code's source is empty again.
        (ok, ret) = address(set).staticcall(abi.encodeWithSignature("pendingList()"));
        assertTrue(ok);
        assertEq(ret.length, 0);
        (ok, ret) = list.call(abi.encodeWithSignature("anything()"));
        assertTrue(ok);
        assertEq(ret.length, 0);
    }

    /// @dev Attack: pre-empt a hub's next community by opening the same id first from another address, with a
    /// list of one's own. The list's address holds its caller (salt hub ‖ community): the intruder's lands
    /// elsewhere and the hub's open, after it, creates the hub's own list.
    function test_OtherCallerCannotPreemptAHubsList() public {
        bytes memory evil = abi.encodePacked(bytes20(makeAddr("evil0")), bytes20(makeAddr("evil1")));
        vm.prank(hubB);
        set.open(21, evil);
        vm.prank(hubA);
        set.open(21, _list(2, _key));
        assertTrue(set.listOf(hubA, 21) != set.listOf(hubB, 21));
        assertEq(set.participantAt(hubA, 21, 1), vm.addr(_key(1)));
        assertEq(set.participantAt(hubB, 21, 1), makeAddr("evil1"));
    }

    /// @dev Attack: an opener gives `open` too little gas for the list's code (200 gas a byte: ~4.1 M for 1,024
    /// participants). CREATE then fails and returns zero, and without the check the community would open with no
    /// list: no update could ever be verified, every window would stay open and every deposit locked. `open`
    /// reverts instead (and with it the hub's `open`).
    function test_RevertWhen_OpenHasNoGasForTheList() public {
        bytes memory list = _list(1024, _key);
        vm.prank(hubB);
        vm.expectRevert(abi.encodeWithSelector(EcdsaSignerSet.ListNotStored.selector, 13));
        set.open{gas: 1_000_000}(13, list);
        assertEq(set.participantAt(hubB, 13, 0), address(0), "nothing kept");
    }

    /// @dev The list: 256 participants each read back at their own index (neighbours untouched), and a random
    /// signer set verifies to its own bitmap.
    function testFuzz_PackedAddressesRoundTrip(uint256 seed, uint256 mask) public {
        uint256 n = 256;
        vm.prank(hubB);
        set.open(7, _list(n, _key));
        for (uint256 i = 0; i < n; ++i) {
            assertEq(set.participantAt(hubB, 7, i), vm.addr(_key(i)));
        }
        // A sample of signers (every signer of a 256-set costs 256 signatures to build).
        mask &= uint256(keccak256(abi.encode(seed))) & uint256(keccak256(abi.encode(seed, "m")));
        if (mask == 0) mask = 1 << 255;
        bytes memory blob = abi.encodePacked(mask);
        for (uint256 i = 0; i < n; ++i) {
            if ((mask >> i) & 1 == 0) continue;
            (bytes32 r, bytes32 vs) = vm.signCompact(_key(i), DIGEST);
            blob = bytes.concat(blob, r, vs);
        }
        vm.prank(hubB);
        assertEq(set.verify(7, DIGEST, n, blob)[0], mask);
    }

    /// @dev The TypeScript encoder's blobs (`encodeEcdsaCoSignature`, `contracts/test/vectors/update.json`).
    function test_Vectors_TypeScriptBlobs() public {
        string memory json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/update.json"));
        uint256 n = vm.parseJsonUint(json, ".ecdsa.participants");
        bytes32 digest = vm.parseJsonBytes32(json, ".ecdsa.digest");
        vm.startPrank(hubB);
        bytes memory list;
        for (uint256 i = 0; i < n; ++i) {
            uint256 key = vm.parseJsonUint(json, string.concat(".ecdsa.privateKeys[", vm.toString(i), "]"));
            list = bytes.concat(list, bytes20(vm.addr(key)));
        }
        set.open(3, list);
        for (uint256 c = 0; c < 3; ++c) {
            string memory p = string.concat(".ecdsa.cases[", vm.toString(c), "]");
            bytes memory blob = vm.parseJsonBytes(json, string.concat(p, ".blob"));
            assertEq(
                set.verify(3, digest, n, blob)[0], uint256(vm.parseJsonBytes32(json, string.concat(p, ".signers")))
            );
        }
        vm.stopPrank();
    }

    function _key(uint256 i) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode("packed", i))) % (CURVE_N - 1) + 1;
    }

    /// @dev The TypeScript encoder's multi-word blobs (N = 257 and 1,000): the words and the signers round-trip.
    function test_Vectors_TypeScriptWideBlobs() public {
        string memory json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/update.json"));
        bytes32 digest = vm.parseJsonBytes32(json, ".ecdsa.digest");
        for (uint256 c = 0; c < 2; ++c) {
            string memory p = string.concat(".ecdsa.wide[", vm.toString(c), "]");
            uint256 n = vm.parseJsonUint(json, string.concat(p, ".participants"));
            uint64 cid = uint64(100 + c);
            _registerWide(cid, n);
            bytes memory blob = vm.parseJsonBytes(json, string.concat(p, ".blob"));
            bytes32[] memory expected = vm.parseJsonBytes32Array(json, string.concat(p, ".words"));
            vm.prank(hubB);
            uint256[] memory got = set.verify(cid, digest, n, blob);
            assertEq(got.length, (n + 255) / 256, "words");
            for (uint256 w = 0; w < got.length; ++w) {
                assertEq(got[w], uint256(expected[w]));
            }
        }
    }

    /// @dev Attacks on a 1,000-participant blob: a bit at or beyond N, one word too few or too many, a
    /// signature count that is not the bitmap's popcount, a signer named twice (its bit and a copy).
    function test_RevertWhen_WideBlobMalformed() public {
        uint256 n = 1000;
        _registerWide(200, n);
        bytes memory sig3 = _wideSig(3);
        bytes memory sig999 = _wideSig(999);
        uint256[4] memory words;
        words[0] = 1 << 3;
        words[3] = 1 << (999 - 768);
        bytes memory head = abi.encodePacked(words[0], uint256(0), uint256(0), words[3]);
        vm.startPrank(hubB);
        // Honest: signers 3 and 999.
        uint256[] memory got = set.verify(200, DIGEST, n, bytes.concat(head, sig3, sig999));
        assertEq(got[3], words[3]);
        // Bit 1,000 (bit 232 of word 3).
        vm.expectRevert(abi.encodeWithSelector(SignerBitmap.SignerOutOfRange.selector, n));
        set.verify(
            200,
            DIGEST,
            n,
            bytes.concat(
                abi.encodePacked(words[0], uint256(0), uint256(0), words[3] | (1 << 232)), sig3, sig999, sig999
            )
        );
        // Three words: the head read as four takes the first signature's r as word 3, whose high bits lie
        // beyond N (r of this signature has a bit above 232 set).
        bytes memory three = bytes.concat(abi.encodePacked(words[0], uint256(0), words[3]), sig3, sig999);
        vm.expectRevert(abi.encodeWithSelector(SignerBitmap.SignerOutOfRange.selector, n));
        set.verify(200, DIGEST, n, three);
        // Five words.
        bytes memory five = bytes.concat(head, abi.encodePacked(uint256(0)), sig3, sig999);
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.MalformedSignatures.selector, five.length));
        set.verify(200, DIGEST, n, five);
        // One signature fewer, one more than the popcount.
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.MalformedSignatures.selector, 128 + 64));
        set.verify(200, DIGEST, n, bytes.concat(head, sig3));
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.MalformedSignatures.selector, 128 + 192));
        set.verify(200, DIGEST, n, bytes.concat(head, sig3, sig999, sig999));
        // Signer 999 counted twice, for 3's bit: 3's slot holds 999's signature.
        vm.expectRevert(
            abi.encodeWithSelector(ICoSignatureScheme.SignerNotParticipant.selector, vm.addr(_wideKey(999)))
        );
        set.verify(200, DIGEST, n, bytes.concat(head, sig999, sig999));
        vm.stopPrank();
    }

    function _wideKey(uint256 i) internal pure returns (uint256) {
        return uint256(keccak256(bytes(string.concat("ecdsa-cosigner-", vm.toString(i)))));
    }

    function _wideSig(uint256 i) internal pure returns (bytes memory) {
        (bytes32 r, bytes32 vs) = vm.signCompact(_wideKey(i), DIGEST);
        return abi.encodePacked(r, vs);
    }

    /// @dev Participant i of community `cid` of hub B: the address of key keccak256("ecdsa-cosigner-i").
    function _registerWide(uint64 cid, uint256 n) internal {
        vm.prank(hubB);
        set.open(cid, _list(n, _wideKey));
    }
}
