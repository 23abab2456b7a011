// SPDX-License-Identifier: MIT
pragma solidity ^0.8.31;

import {BLS12381} from "../../src/libraries/BLS12381.sol";
import {SignerBitmap} from "../../src/libraries/SignerBitmap.sol";

/// @notice The min-pk twin of `BlsCoSignatureScheme` (keys in G1, signatures in G2), for the gas
/// comparison only (`BlsGasTest`, docs/bls.md): same storage shape (key hashes, packed aggregate),
/// same blob rule (name the fewer keys), same checks. Not deployed.
contract BlsMinPkScheme {
    error Invalid(uint256 code);

    bytes internal constant SIGNATURE_DST_PREFIX = "DIVERSITY-V01-CS01-with-BLS12381G2_XMD:SHA-256_SSWU_RO_COSIG_";
    bytes internal constant POP_DST_PREFIX = "DIVERSITY-V01-CS01-with-BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

    struct CommunityKeys {
        uint32 registered;
        uint32 top;
        bytes32[3] aggregate; // x ‖ y, 48 bytes each
        mapping(uint256 => bytes32) keyHash;
    }

    mapping(address => mapping(uint64 => CommunityKeys)) internal _communities;

    /// @dev keyData = public key (G1, 128 bytes) ‖ proof of possession (G2, 256 bytes).
    function register(uint64 communityId, uint256 index, address participant, bytes calldata keyData) external {
        if (keyData.length != 384 || index >= 1024) revert Invalid(0);
        CommunityKeys storage c = _communities[msg.sender][communityId];
        if (c.keyHash[index] != 0) revert Invalid(1);
        bytes memory pk = keyData[:128];
        if (BLS12381.isInfinity(pk)) revert Invalid(2);
        bytes memory h =
            BLS12381.hashToG2(abi.encodePacked(pk, participant), dst(POP_DST_PREFIX, msg.sender, communityId));
        if (!BLS12381.pairingCheck(abi.encodePacked(BLS12381.NEG_G1, keyData[128:], pk, h))) revert Invalid(3);
        c.keyHash[index] = keccak256(pk);
        _store(c, BLS12381.g1Add(_load(c), pk));
        c.registered += 1;
        // forge-lint: disable-next-line(unsafe-typecast)
        if (index >= c.top) c.top = uint32(index + 1);
    }

    /// @dev signatures = bitmap words ‖ aggregate (G2, 256 bytes) ‖ the fewer keys (G1, 128 bytes each).
    function verifyWide(uint64 communityId, bytes32 digest, uint256 n, bytes calldata signatures)
        external
        view
        returns (uint256[] memory signers)
    {
        CommunityKeys storage c = _communities[msg.sender][communityId];
        if (n == 0 || n > 1024 || c.registered != n || c.top != n) revert Invalid(4);
        uint256 keysAt = ((n + 255) >> 8) * 32 + 256;
        bytes memory apk;
        (signers, apk) = _signers(c, n, signatures, keysAt);
        bytes memory h = BLS12381.hashToG2(abi.encodePacked(digest), dst(SIGNATURE_DST_PREFIX, msg.sender, communityId));
        if (!BLS12381.pairingCheck(abi.encodePacked(BLS12381.NEG_G1, signatures[keysAt - 256:keysAt], apk, h))) {
            revert Invalid(8);
        }
    }

    function _signers(CommunityKeys storage c, uint256 n, bytes calldata signatures, uint256 keysAt)
        private
        view
        returns (uint256[] memory signers, bytes memory apk)
    {
        uint256 words = (n + 255) >> 8;
        uint256 present;
        signers = new uint256[](words);
        for (uint256 w = 0; w < words; ++w) {
            signers[w] = uint256(bytes32(signatures[w * 32:w * 32 + 32]));
            present += SignerBitmap.popcount(signers[w]);
        }
        if (n & 255 != 0 && signers[words - 1] >> (n & 255) != 0) revert Invalid(5);
        if (present == 0) revert Invalid(6);
        bool subtract = n - present < present;
        if (signatures.length != keysAt + (subtract ? n - present : present) * 128) revert Invalid(7);
        apk = _signersKey(c, signers, n, subtract, signatures[keysAt:]);
    }

    function _signersKey(
        CommunityKeys storage c,
        uint256[] memory bitmap,
        uint256 n,
        bool subtract,
        bytes calldata keys
    ) private view returns (bytes memory apk) {
        if (keys.length == 0) return _load(c);
        bytes memory pair = new bytes(256);
        uint256 at;
        for (uint256 w = 0; w < bitmap.length; ++w) {
            uint256 bits = subtract ? ~bitmap[w] : bitmap[w];
            // forge-lint: disable-next-line(incorrect-shift)
            if (subtract && w == bitmap.length - 1 && n & 255 != 0) bits &= (1 << (n & 255)) - 1;
            while (bits != 0) {
                uint256 index;
                assembly ("memory-safe") {
                    index := add(shl(8, w), sub(255, clz(and(bits, sub(0, bits)))))
                }
                bytes32 expected = c.keyHash[index];
                bool ok = true;
                bytes32 got;
                assembly ("memory-safe") {
                    let d := add(add(pair, 0x20), mul(gt(at, 0), 0x80))
                    calldatacopy(d, add(keys.offset, at), 0x80)
                    got := keccak256(d, 0x80)
                    if gt(at, 0) { ok := staticcall(gas(), 0x0b, add(pair, 0x20), 0x100, add(pair, 0x20), 0x80) }
                }
                if (got != expected || !ok) revert Invalid(9);
                at += 128;
                bits &= bits - 1;
            }
        }
        apk = new bytes(128);
        assembly ("memory-safe") {
            mcopy(add(apk, 0x20), add(pair, 0x20), 0x80)
        }
        if (subtract) {
            BLS12381.g1NegateInPlace(apk);
            apk = BLS12381.g1Add(_load(c), apk);
        }
    }

    function signatureDst(address hub, uint64 communityId) external view returns (bytes memory) {
        return dst(SIGNATURE_DST_PREFIX, hub, communityId);
    }

    function popDst(address hub, uint64 communityId) external view returns (bytes memory) {
        return dst(POP_DST_PREFIX, hub, communityId);
    }

    function dst(bytes memory prefix, address hub, uint64 communityId) internal view returns (bytes memory) {
        return abi.encodePacked(prefix, block.chainid, hub, communityId);
    }

    function _load(CommunityKeys storage c) internal view returns (bytes memory p) {
        bytes32[3] memory packed = c.aggregate;
        p = new bytes(128);
        assembly ("memory-safe") {
            mcopy(add(p, 0x30), packed, 0x30)
            mcopy(add(p, 0x70), add(packed, 0x30), 0x30)
        }
    }

    function _store(CommunityKeys storage c, bytes memory p) internal {
        bytes32[3] memory packed;
        assembly ("memory-safe") {
            mcopy(packed, add(p, 0x30), 0x30)
            mcopy(add(packed, 0x30), add(p, 0x70), 0x30)
        }
        c.aggregate = packed;
    }
}
