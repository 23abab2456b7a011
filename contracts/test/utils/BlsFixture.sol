// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {BLS12381} from "../../src/libraries/BLS12381.sol";
import {BlsCoSignatureScheme} from "../../src/modules/BlsCoSignatureScheme.sol";

/// @notice Keys, proofs of possession and aggregate signatures made on chain with the EIP-2537
/// multiplication precompiles, so tests can build communities of any size without vector files
/// (the vector files pin that these agree with the TypeScript signer: BlsCoSignatureScheme.t.sol).
abstract contract BlsFixture is Test {
    /// @dev Order of the BLS12-381 prime subgroups.
    uint256 internal constant R = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001;

    BlsCoSignatureScheme internal scheme;

    function _g1() internal pure returns (bytes memory g) {
        g = BLS12381.NEG_G1;
        BLS12381.g1NegateInPlace(g);
    }

    function _g2() internal pure returns (bytes memory g) {
        g = BLS12381.NEG_G2;
        BLS12381.g2NegateInPlace(g);
    }

    function _sk(string memory label, uint256 i) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode(label, i))) % (R - 1) + 1;
    }

    function _participant(uint256 i) internal pure returns (address) {
        return address(uint160(0xbeef0000 + i));
    }

    function _pk(uint256 sk) internal view returns (bytes memory) {
        return BLS12381.g2Mul(_g2(), sk);
    }

    /// @dev Public key ‖ proof of possession of `sk` for `participant` of (hub, communityId).
    function _keyData(uint256 sk, address participant, address hub, uint64 communityId)
        internal
        view
        returns (bytes memory)
    {
        bytes memory pk = _pk(sk);
        bytes memory h = BLS12381.hashToG1(abi.encodePacked(pk, participant), scheme.popDst(hub, communityId));
        return abi.encodePacked(pk, BLS12381.g1Mul(h, sk));
    }

    /// @dev [sk]H(digest): a co-signature, or with a sum of keys the aggregate of theirs.
    function _sign(uint256 sk, bytes32 digest, address hub, uint64 communityId) internal view returns (bytes memory) {
        bytes memory h = BLS12381.hashToG1(abi.encodePacked(digest), scheme.signatureDst(hub, communityId));
        return BLS12381.g1Mul(h, sk);
    }

    /// @dev Registers participants 0..n-1 with keys _sk(label, i) as `hub`; returns the keys.
    function _registerAll(address hub, uint64 communityId, string memory label, uint256 n)
        internal
        returns (uint256[] memory sks, bytes[] memory pks)
    {
        sks = new uint256[](n);
        pks = new bytes[](n);
        for (uint256 i = 0; i < n; ++i) {
            sks[i] = _sk(label, i);
            bytes memory kd = _keyData(sks[i], _participant(i), hub, communityId);
            pks[i] = _slice(kd, 0, BLS12381.G2_SIZE);
            vm.prank(hub);
            scheme.register(communityId, i, _participant(i), kd);
        }
    }

    function _isSet(uint256[] memory bitmap, uint256 i) internal pure returns (bool) {
        return (bitmap[i >> 8] >> (i & 255)) & 1 == 1;
    }

    /// @dev The `signatures` blob for `bitmap` (the module's rule: name the absent keys when fewer than
    /// half are absent, else the present ones) with an honest aggregate over `digest`.
    function _blob(
        uint256[] memory bitmap,
        uint256[] memory sks,
        bytes[] memory pks,
        bytes32 digest,
        address hub,
        uint64 communityId
    ) internal view returns (bytes memory blob) {
        (uint256 present, uint256 skSum) = _tally(bitmap, sks);
        blob = abi.encodePacked(bitmap, _sign(skSum, digest, hub, communityId), _keysFor(bitmap, pks, present));
    }

    function _tally(uint256[] memory bitmap, uint256[] memory sks)
        internal
        pure
        returns (uint256 present, uint256 skSum)
    {
        for (uint256 i = 0; i < sks.length; ++i) {
            if (_isSet(bitmap, i)) {
                ++present;
                skSum = addmod(skSum, sks[i], R);
            }
        }
    }

    /// @dev The keys the module's rule calls for, concatenated in index order.
    function _keysFor(uint256[] memory bitmap, bytes[] memory pks, uint256 present)
        internal
        pure
        returns (bytes memory keys)
    {
        uint256 n = pks.length;
        bool subtract = n - present < present;
        keys = new bytes((subtract ? n - present : present) * BLS12381.G2_SIZE);
        uint256 at;
        for (uint256 i = 0; i < n; ++i) {
            if (_isSet(bitmap, i) != subtract) {
                bytes memory pk = pks[i];
                assembly ("memory-safe") {
                    mcopy(add(add(keys, 0x20), at), add(pk, 0x20), 0x100)
                }
                at += BLS12381.G2_SIZE;
            }
        }
    }

    function _slice(bytes memory b, uint256 from, uint256 len) internal pure returns (bytes memory out) {
        out = new bytes(len);
        assembly ("memory-safe") {
            mcopy(add(out, 0x20), add(add(b, 0x20), from), len)
        }
    }
}
