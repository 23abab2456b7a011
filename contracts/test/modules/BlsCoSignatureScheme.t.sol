// SPDX-License-Identifier: MIT
pragma solidity ^0.8.31;

import {SignerBitmap} from "../../src/libraries/SignerBitmap.sol";
import {BLS12381} from "../../src/libraries/BLS12381.sol";
import {BlsCoSignatureScheme} from "../../src/modules/BlsCoSignatureScheme.sol";
import {IBlsCoSignatureScheme} from "../../src/interfaces/IBlsCoSignatureScheme.sol";
import {ICoSignatureScheme} from "../../src/interfaces/ICoSignatureScheme.sol";
import {BlsFixture} from "../utils/BlsFixture.sol";

/// @notice The BLS co-signature module: vectors from the TypeScript signer (`vectors/bls.json`),
/// the attacks each rule stops, and fuzzed signer bitmaps.
contract BlsCoSignatureSchemeTest is BlsFixture {
    string internal json;
    address internal hub;
    uint64 internal communityId;
    bytes32 internal digest;
    uint256 internal constant N = 6;

    function setUp() public {
        json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/bls.json"));
        vm.chainId(vm.parseJsonUint(json, ".domain.chainId"));
        hub = vm.parseJsonAddress(json, ".domain.hub");
        communityId = uint64(vm.parseJsonUint(json, ".domain.communityId"));
        digest = vm.parseJsonBytes32(json, ".digest");
        scheme = new BlsCoSignatureScheme();
    }

    function _p(uint256 i, string memory field) internal view returns (string memory) {
        return string.concat(".participants[", vm.toString(i), "].", field);
    }

    function _registerVectors() internal {
        for (uint256 i = 0; i < N; ++i) {
            vm.prank(hub);
            scheme.register(
                communityId, i, vm.parseJsonAddress(json, _p(i, "address")), vm.parseJsonBytes(json, _p(i, "keyData"))
            );
        }
    }

    function _case(uint256 i, string memory field) internal view returns (string memory) {
        return string.concat(".cases[", vm.toString(i), "].", field);
    }

    function _verify(bytes memory blob) internal returns (uint256) {
        vm.prank(hub);
        uint256[] memory set = scheme.verify(communityId, digest, N, blob);
        assertEq(set.length, 1, "one word for N <= 256");
        return set[0];
    }

    // ------------------------------------------------------------------ vectors

    function test_TagsMatchTypeScript() public view {
        assertEq(scheme.signatureDst(hub, communityId), vm.parseJsonBytes(json, ".domain.signatureDst"));
        assertEq(scheme.popDst(hub, communityId), vm.parseJsonBytes(json, ".domain.popDst"));
    }

    function test_RegistersVectorKeysAndAggregates() public {
        _registerVectors();
        (uint256 count, uint256 top) = scheme.registeredCount(hub, communityId);
        assertEq(count, N);
        assertEq(top, N);
        assertEq(scheme.aggregateKey(hub, communityId), vm.parseJsonBytes(json, ".aggregateKey"));
        for (uint256 i = 0; i < N; ++i) {
            assertEq(scheme.keyHash(hub, communityId, i), keccak256(vm.parseJsonBytes(json, _p(i, "publicKey"))));
        }
    }

    function test_VerifiesTypeScriptCoSignatures() public {
        _registerVectors();
        for (uint256 i = 0; i < 5; ++i) {
            uint256 got = _verify(vm.parseJsonBytes(json, _case(i, "signatures")));
            assertEq(got, vm.parseJsonUint(json, _case(i, "bitmap")), vm.parseJsonString(json, _case(i, "label")));
        }
    }

    function test_KeysMadeOnChainMatchTypeScript() public view {
        // The fixture's on-chain signer (MSM precompiles) agrees with the TS signer.
        uint256 sk = vm.parseJsonUint(json, _p(2, "secretKey"));
        assertEq(
            _keyData(sk, vm.parseJsonAddress(json, _p(2, "address")), hub, communityId),
            vm.parseJsonBytes(json, _p(2, "keyData"))
        );
        assertEq(_sign(sk, digest, hub, communityId), vm.parseJsonBytes(json, ".shares[2]"));
    }

    // ------------------------------------------------------------------ register: attacks

    function test_RevertWhen_RogueKeyRegistered() public {
        _registerVectors();
        address attacker = vm.parseJsonAddress(json, ".rogue.attacker");
        bytes memory rogue = vm.parseJsonBytes(json, ".rogue.roguePublicKey");
        bytes memory forged = vm.parseJsonBytes(json, ".rogue.forgedSignature");
        // Without the proof of possession the attack works: pk_0 + pk' = [x]G2, and [x]H(m)
        // verifies under it although participant 0 never signed.
        bytes memory h = BLS12381.hashToG1(abi.encodePacked(digest), scheme.signatureDst(hub, communityId));
        bytes memory agg = BLS12381.g2Add(vm.parseJsonBytes(json, _p(0, "publicKey")), rogue);
        assertEq(agg, vm.parseJsonBytes(json, ".rogue.forgedAggregateKey"));
        assertTrue(
            BLS12381.pairingCheck(abi.encodePacked(forged, BLS12381.NEG_G2, h, agg)), "forgery valid without PoP"
        );
        // With it, the rogue key never gets in.
        vm.prank(hub);
        vm.expectRevert(abi.encodeWithSelector(IBlsCoSignatureScheme.InvalidProofOfPossession.selector, N));
        scheme.register(
            communityId, N, attacker, abi.encodePacked(rogue, vm.parseJsonBytes(json, ".rogue.attemptedPop"))
        );
    }

    function test_RevertWhen_ProofOfPossessionMissingOrForeign() public {
        bytes memory pk = vm.parseJsonBytes(json, _p(0, "publicKey"));
        address who = vm.parseJsonAddress(json, _p(0, "address"));
        vm.startPrank(hub);
        // No proof at all.
        vm.expectRevert(abi.encodeWithSelector(IBlsCoSignatureScheme.KeyDataLength.selector, 256));
        scheme.register(communityId, 0, who, pk);
        // Participant 1's proof under participant 0's key.
        vm.expectRevert(abi.encodeWithSelector(IBlsCoSignatureScheme.InvalidProofOfPossession.selector, 0));
        scheme.register(communityId, 0, who, abi.encodePacked(pk, vm.parseJsonBytes(json, _p(1, "pop"))));
        // A co-signature is not a proof of possession (distinct tags).
        vm.expectRevert(abi.encodeWithSelector(IBlsCoSignatureScheme.InvalidProofOfPossession.selector, 0));
        scheme.register(communityId, 0, who, abi.encodePacked(pk, vm.parseJsonBytes(json, ".shares[0]")));
        // Participant 0's key data copied by another address (the proof signs the address).
        vm.expectRevert(abi.encodeWithSelector(IBlsCoSignatureScheme.InvalidProofOfPossession.selector, 1));
        scheme.register(communityId, 1, address(0xbad), vm.parseJsonBytes(json, _p(0, "keyData")));
        vm.stopPrank();
        // The same key data for another community or another hub.
        vm.prank(hub);
        vm.expectRevert(abi.encodeWithSelector(IBlsCoSignatureScheme.InvalidProofOfPossession.selector, 0));
        scheme.register(communityId + 1, 0, who, vm.parseJsonBytes(json, _p(0, "keyData")));
        vm.prank(address(0x4b1d));
        vm.expectRevert(abi.encodeWithSelector(IBlsCoSignatureScheme.InvalidProofOfPossession.selector, 0));
        scheme.register(communityId, 0, who, vm.parseJsonBytes(json, _p(0, "keyData")));
        // On another chain.
        vm.chainId(1);
        vm.prank(hub);
        vm.expectRevert(abi.encodeWithSelector(IBlsCoSignatureScheme.InvalidProofOfPossession.selector, 0));
        scheme.register(communityId, 0, who, vm.parseJsonBytes(json, _p(0, "keyData")));
    }

    function test_RevertWhen_KeyIsInfinity() public {
        // pk = O and pop = O satisfy e(O, -G2)·e(H, O) = 1: only the explicit check stops them.
        vm.prank(hub);
        vm.expectRevert(abi.encodeWithSelector(IBlsCoSignatureScheme.InfinitePublicKey.selector, 0));
        scheme.register(communityId, 0, address(1), new bytes(384));
    }

    function test_RevertWhen_RegisteredTwiceOrOutOfRange() public {
        _registerVectors();
        vm.startPrank(hub);
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.AlreadyRegistered.selector, communityId, 2));
        scheme.register(
            communityId, 2, vm.parseJsonAddress(json, _p(2, "address")), vm.parseJsonBytes(json, _p(2, "keyData"))
        );
        vm.expectRevert(abi.encodeWithSelector(IBlsCoSignatureScheme.IndexOutOfRange.selector, 1024));
        scheme.register(communityId, 1024, address(1), new bytes(384));
        vm.stopPrank();
    }

    function test_RevertWhen_KeyNotInSubgroupOrMalformed() public {
        bytes memory kd = vm.parseJsonBytes(json, _p(0, "keyData"));
        kd[255] ^= 0x01; // y.c1 of the key: off the curve
        vm.prank(hub);
        vm.expectRevert(abi.encodeWithSelector(BLS12381.PrecompileFailed.selector, BLS12381.PAIRING_CHECK));
        scheme.register{gas: 2_000_000}(communityId, 0, vm.parseJsonAddress(json, _p(0, "address")), kd);
    }

    function test_RevertWhen_PointOutsideSubgroup() public {
        bytes memory g1 = vm.parseJsonBytes(json, ".outsideSubgroup.g1");
        bytes memory g2 = vm.parseJsonBytes(json, ".outsideSubgroup.g2");
        // On the curves (the adders take them) ...
        BLS12381.g1Add(g1, BLS12381.NEG_G1);
        BLS12381.g2Add(g2, BLS12381.NEG_G2);
        // ... but refused as a key and as a signature.
        vm.prank(hub);
        vm.expectRevert(abi.encodeWithSelector(BLS12381.PrecompileFailed.selector, BLS12381.PAIRING_CHECK));
        scheme.register{gas: 2_000_000}(
            communityId,
            0,
            vm.parseJsonAddress(json, _p(0, "address")),
            abi.encodePacked(g2, vm.parseJsonBytes(json, _p(0, "pop")))
        );
        _registerVectors();
        vm.prank(hub);
        vm.expectRevert(abi.encodeWithSelector(BLS12381.PrecompileFailed.selector, BLS12381.PAIRING_CHECK));
        scheme.verify{gas: 2_000_000}(communityId, digest, N, abi.encodePacked(bytes32(uint256(0x3f)), g1));
    }

    function test_RegisterInAnyOrder() public {
        for (uint256 j = N; j > 0; --j) {
            uint256 i = j - 1;
            vm.prank(hub);
            scheme.register(
                communityId, i, vm.parseJsonAddress(json, _p(i, "address")), vm.parseJsonBytes(json, _p(i, "keyData"))
            );
        }
        assertEq(scheme.aggregateKey(hub, communityId), vm.parseJsonBytes(json, ".aggregateKey"));
        assertEq(_verify(vm.parseJsonBytes(json, _case(1, "signatures"))), vm.parseJsonUint(json, _case(1, "bitmap")));
    }

    // ------------------------------------------------------------------ verify: attacks

    function test_RevertWhen_AggregateIsWrong() public {
        _registerVectors();
        // "one-absent" (0,1,2,3,5) claiming participant 4 as well: the aggregate lacks 4's share.
        bytes memory blob = vm.parseJsonBytes(json, _case(1, "signatures"));
        bytes memory lie = abi.encodePacked(bytes32(uint256(0x3f)), _slice(blob, 32, 128));
        vm.prank(hub);
        vm.expectRevert(IBlsCoSignatureScheme.InvalidAggregateSignature.selector);
        scheme.verify(communityId, digest, N, lie);
        // The right blob for another digest.
        vm.prank(hub);
        vm.expectRevert(IBlsCoSignatureScheme.InvalidAggregateSignature.selector);
        scheme.verify(communityId, bytes32(uint256(digest) ^ 1), N, blob);
        // A single share presented as the whole community's.
        bytes memory one = abi.encodePacked(bytes32(uint256(0x3f)), vm.parseJsonBytes(json, ".shares[0]"));
        vm.prank(hub);
        vm.expectRevert(IBlsCoSignatureScheme.InvalidAggregateSignature.selector);
        scheme.verify(communityId, digest, N, one);
    }

    function test_RevertWhen_ReplayedInAnotherCommunity() public {
        _registerVectors();
        // The same participants with the same secret keys, registered under community + 1.
        for (uint256 i = 0; i < N; ++i) {
            uint256 sk = vm.parseJsonUint(json, _p(i, "secretKey"));
            address who = vm.parseJsonAddress(json, _p(i, "address"));
            bytes memory kd = _keyData(sk, who, hub, communityId + 1);
            vm.prank(hub);
            scheme.register(communityId + 1, i, who, kd);
        }
        vm.prank(hub);
        vm.expectRevert(IBlsCoSignatureScheme.InvalidAggregateSignature.selector);
        scheme.verify(communityId + 1, digest, N, vm.parseJsonBytes(json, _case(0, "signatures")));
    }

    function test_RevertWhen_AbsentKeyWrong() public {
        _registerVectors();
        // "one-absent" names participant 4's key; put participant 3's there instead.
        bytes memory blob = vm.parseJsonBytes(json, _case(1, "signatures"));
        bytes memory swapped = abi.encodePacked(_slice(blob, 0, 160), vm.parseJsonBytes(json, _p(3, "publicKey")));
        vm.prank(hub);
        vm.expectRevert(abi.encodeWithSelector(IBlsCoSignatureScheme.KeyMismatch.selector, 4));
        scheme.verify(communityId, digest, N, swapped);
        // "minority" (2, 4) names 2's and 4's keys in ascending order; swap them.
        blob = vm.parseJsonBytes(json, _case(3, "signatures"));
        swapped = abi.encodePacked(_slice(blob, 0, 160), _slice(blob, 416, 256), _slice(blob, 160, 256));
        vm.prank(hub);
        vm.expectRevert(abi.encodeWithSelector(IBlsCoSignatureScheme.KeyMismatch.selector, 2));
        scheme.verify(communityId, digest, N, swapped);
    }

    function test_RevertWhen_SubtractedKeyForged() public {
        _registerVectors();
        // The submitter claims everyone but participant 4 signed, and names as "4's key"
        // K = aggregate - [x]G2: the signers' key becomes [x]G2 and [x]H(m) would verify
        // although nobody signed. The key-hash check is what stops it.
        uint256 x = 0x5eed;
        bytes memory xG2 = _pk(x);
        bytes memory k = _pk(x);
        BLS12381.g2NegateInPlace(k);
        k = BLS12381.g2Add(scheme.aggregateKey(hub, communityId), k);
        bytes memory forged = _sign(x, digest, hub, communityId);
        bytes memory h = BLS12381.hashToG1(abi.encodePacked(digest), scheme.signatureDst(hub, communityId));
        bytes memory negK = bytes.concat(k); // a copy: negation is in place
        BLS12381.g2NegateInPlace(negK);
        bytes memory apk = BLS12381.g2Add(scheme.aggregateKey(hub, communityId), negK);
        assertEq(apk, xG2);
        assertTrue(
            BLS12381.pairingCheck(abi.encodePacked(forged, BLS12381.NEG_G2, h, apk)),
            "forgery valid without the key check"
        );
        bytes memory blob = abi.encodePacked(bytes32(uint256(0x2f)), forged, k);
        vm.prank(hub);
        vm.expectRevert(abi.encodeWithSelector(IBlsCoSignatureScheme.KeyMismatch.selector, 4));
        scheme.verify(communityId, digest, N, blob);
        // The add rule: "participant 2 alone signed", naming [x]G2 as 2's key.
        vm.prank(hub);
        vm.expectRevert(abi.encodeWithSelector(IBlsCoSignatureScheme.KeyMismatch.selector, 2));
        scheme.verify(communityId, digest, N, abi.encodePacked(bytes32(uint256(0x04)), forged, xG2));
    }

    function test_RevertWhen_BitmapMalformed() public {
        _registerVectors();
        bytes memory blob = vm.parseJsonBytes(json, _case(0, "signatures"));
        bytes memory sig = _slice(blob, 32, 128);
        vm.startPrank(hub);
        // Bit 6 of a 6-participant community.
        vm.expectRevert(abi.encodeWithSelector(SignerBitmap.SignerOutOfRange.selector, N));
        scheme.verify(communityId, digest, N, abi.encodePacked(bytes32(uint256(0x7f)), sig));
        // Nobody.
        vm.expectRevert(IBlsCoSignatureScheme.NoSigners.selector);
        scheme.verify(communityId, digest, N, abi.encodePacked(bytes32(0), sig));
        // Truncated, and a key too many.
        vm.expectRevert(abi.encodeWithSelector(IBlsCoSignatureScheme.SignaturesLength.selector, 160, 100));
        scheme.verify(communityId, digest, N, _slice(blob, 0, 100));
        vm.expectRevert(abi.encodeWithSelector(IBlsCoSignatureScheme.SignaturesLength.selector, 160, 416));
        scheme.verify(communityId, digest, N, abi.encodePacked(blob, vm.parseJsonBytes(json, _p(0, "publicKey"))));
        vm.stopPrank();
    }

    function test_RevertWhen_ParticipantCountWrong() public {
        _registerVectors();
        bytes memory blob = vm.parseJsonBytes(json, _case(0, "signatures"));
        vm.startPrank(hub);
        vm.expectRevert(abi.encodeWithSelector(IBlsCoSignatureScheme.ParticipantsNotRegistered.selector, N - 1, N));
        scheme.verify(communityId, digest, N - 1, blob);
        vm.expectRevert(abi.encodeWithSelector(IBlsCoSignatureScheme.ParticipantCountOutOfRange.selector, 0));
        scheme.verify(communityId, digest, 0, blob);
        vm.expectRevert(abi.encodeWithSelector(IBlsCoSignatureScheme.ParticipantCountOutOfRange.selector, 1025));
        scheme.verify(communityId, digest, 1025, blob);
        vm.stopPrank();
        // Another hub sees none of these keys.
        vm.prank(address(0x4b1d));
        vm.expectRevert(abi.encodeWithSelector(IBlsCoSignatureScheme.ParticipantsNotRegistered.selector, N, 0));
        scheme.verify(communityId, digest, N, blob);
    }

    function test_RevertWhen_IndicesNotContiguous() public {
        // Keys at 0..4 and 7: six keys, but not participants 0..5 (participant 5 has none, 7 is extra).
        for (uint256 i = 0; i < N; ++i) {
            uint256 index = i == N - 1 ? 7 : i;
            uint256 sk = vm.parseJsonUint(json, _p(i, "secretKey"));
            bytes memory kd = _keyData(sk, _participant(index), hub, communityId);
            vm.prank(hub);
            scheme.register(communityId, index, _participant(index), kd);
        }
        vm.prank(hub);
        vm.expectRevert(abi.encodeWithSelector(IBlsCoSignatureScheme.ParticipantsNotRegistered.selector, N, N));
        scheme.verify(communityId, digest, N, vm.parseJsonBytes(json, _case(0, "signatures")));
    }
}

/// @notice Fuzzed signer bitmaps over communities registered once in setUp (300 participants: two
/// bitmap words; 40: one).
contract BlsBitmapFuzzTest is BlsFixture {
    address internal constant hub = address(0xb1500);
    bytes32 internal constant digest = keccak256("window result");
    uint64 internal constant WIDE_COMMUNITY = 1;
    uint64 internal constant NARROW_COMMUNITY = 2;
    uint256 internal constant WIDE = 300;
    uint256 internal constant NARROW = 40;
    uint256[] internal wideSks;
    bytes[] internal widePks;
    uint256[] internal narrowSks;
    bytes[] internal narrowPks;

    function setUp() public {
        scheme = new BlsCoSignatureScheme();
        (wideSks, widePks) = _registerAll(hub, WIDE_COMMUNITY, "fuzz", WIDE);
        (narrowSks, narrowPks) = _registerAll(hub, NARROW_COMMUNITY, "fuzz-flip", NARROW);
    }

    /// @dev Any nonempty signer set of a 300-participant community (two bitmap words) verifies
    /// with the honest blob and returns exactly its bitmap.
    function testFuzz_BitmapRoundTrip(uint256 w0, uint256 w1, uint8 dense) public {
        uint256 n = WIDE;
        uint256[] memory bitmap = new uint256[](2);
        // Mix sparse and dense sets so both the add and the subtract rules run.
        bitmap[0] = dense % 2 == 0 ? w0 : w0 & (w0 >> 3) & (w0 >> 7);
        bitmap[1] = (dense % 3 == 0 ? w1 : w1 | (w1 << 1) | (w1 << 2)) & ((1 << (n - 256)) - 1);
        vm.assume(bitmap[0] | bitmap[1] != 0);
        bytes memory blob = _blob(bitmap, wideSks, widePks, digest, hub, WIDE_COMMUNITY);
        vm.prank(hub);
        uint256[] memory got = scheme.verify(WIDE_COMMUNITY, digest, n, blob);
        assertEq(got, bitmap);
    }

    /// @dev Claiming one more or one fewer signer than signed fails, whichever bit is flipped.
    function testFuzz_RevertWhen_OneBitFlipped(uint256 w0, uint16 flip) public {
        uint256 n = NARROW;
        (uint256[] memory sks, bytes[] memory pks) = (narrowSks, narrowPks);
        uint256[] memory bitmap = new uint256[](1);
        bitmap[0] = w0 & ((1 << n) - 1);
        vm.assume(bitmap[0] != 0);
        bytes memory blob = _blob(bitmap, sks, pks, digest, hub, NARROW_COMMUNITY);
        uint256 liar = bitmap[0] ^ (1 << (flip % n));
        vm.assume(liar != 0);
        // Rebuild the key list the lie calls for (so only the aggregate can give it away).
        uint256[] memory lied = new uint256[](1);
        lied[0] = liar;
        bytes memory forged = _blob(lied, sks, pks, digest, hub, NARROW_COMMUNITY);
        assembly ("memory-safe") {
            mcopy(add(forged, 0x40), add(blob, 0x40), 0x80) // the honest aggregate of the real set
        }
        vm.prank(hub);
        vm.expectRevert(IBlsCoSignatureScheme.InvalidAggregateSignature.selector);
        scheme.verify(NARROW_COMMUNITY, digest, n, forged);
    }
}
