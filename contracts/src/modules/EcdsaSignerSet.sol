// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ICoSignatureScheme} from "../interfaces/ICoSignatureScheme.sol";
import {SignerBitmap} from "../libraries/SignerBitmap.sol";

/// @title EcdsaSignerSet
/// @notice Co-signature scheme: each participant signs the EIP-712 digest with its node's secp256k1 key
/// (the participant address itself). `signatures` is
///
///     signers (⌈n/256⌉ words, `SignerBitmap`: bit i % 256 of word i / 256 = participant i) ‖ one
///     64-byte EIP-2098 signature r ‖ yParityAndS per set bit, in ascending index order
///
/// so a signer costs 64 bytes of calldata and one ecrecover, and no signer can appear twice. Twin of
/// `encodeEcdsaCoSignature` in `node/src/chain/coSignature.ts` (vectors in `cosignature.json`).
/// @dev Signatures with s in the upper half of the curve order are rejected (OpenZeppelin ECDSA's rule), so the
/// compact form of the one valid signature per (key, digest) is the only encoding accepted. The
/// participants' addresses are stored packed, 20 bytes each in index order across consecutive slots,
/// so checking N signers reads ⌈20N/32⌉ storage slots instead of N (one per address).
/// The module trusts the hub that calls it (msg.sender) for its own communities only: one address per
/// index, distinct addresses (the hub rejects duplicate participants at open).
contract EcdsaSignerSet is ICoSignatureScheme {
    /// @notice Length of one signature (EIP-2098 compact: r ‖ yParityAndS).
    uint256 public constant SIGNATURE_LENGTH = 64;
    /// @notice Most participants (`SignerBitmap.MAX_PARTICIPANTS`): the signer bitmap is at most 4 words.
    uint256 public constant MAX_PARTICIPANTS = SignerBitmap.MAX_PARTICIPANTS;
    /// @dev Half the secp256k1 group order: the largest s accepted.
    uint256 internal constant HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    /// @notice Thrown when `register` names an index >= MAX_PARTICIPANTS or the zero address.
    error InvalidParticipant(uint64 communityId, uint256 index);

    /// @dev hub → community → word k of the packed addresses (bytes 32k..32k+31 of addr_0 ‖ addr_1 ‖ …).
    mapping(address hub => mapping(uint64 communityId => mapping(uint256 word => uint256))) internal _packed;

    /// @inheritdoc ICoSignatureScheme
    function register(uint64 communityId, uint256 index, address participant, bytes calldata keyData) external {
        if (keyData.length != 0) revert InvalidKeyData(communityId, index);
        if (index >= MAX_PARTICIPANTS || participant == address(0)) revert InvalidParticipant(communityId, index);
        mapping(uint256 => uint256) storage words = _packed[msg.sender][communityId];
        if (_addressAt(words, index) != address(0)) revert AlreadyRegistered(communityId, index);
        uint256 offset = index * 20;
        uint256 word = offset >> 5;
        uint256 bit = (offset & 31) * 8;
        uint256 value = uint256(uint160(participant)) << 96;
        words[word] |= value >> bit;
        // The 20 bytes straddle two words when they start past byte 12 of the first.
        if (bit > 96) words[word + 1] |= value << (256 - bit);
    }

    /// @inheritdoc ICoSignatureScheme
    function verify(uint64 communityId, bytes32 digest, uint256 participantCount, bytes calldata signatures)
        external
        view
        returns (uint256[] memory signers)
    {
        uint256 length = signatures.length;
        if (length == 0) revert NoSignatures();
        uint256 head = SignerBitmap.words(participantCount) * 32;
        if (length < head) revert MalformedSignatures(length);
        uint256 count;
        (signers, count) = SignerBitmap.read(signatures, participantCount);
        if (count == 0) revert NoSignatures();
        if (length != head + count * SIGNATURE_LENGTH) revert MalformedSignatures(length);
        _checkSignatures(_packed[msg.sender][communityId], digest, signers, signatures[head:]);
    }

    /// @dev Reverts unless `sigs` holds, in ascending index order, one valid signature over `digest` by each
    /// participant in `signers` (whose count matches the length: checked by `verify`).
    function _checkSignatures(
        mapping(uint256 => uint256) storage words,
        bytes32 digest,
        uint256[] memory signers,
        bytes calldata sigs
    ) internal view {
        uint256 at;
        // One-word cache: consecutive participants share storage words.
        uint256 cachedWord = type(uint256).max;
        uint256 cached;
        uint256 k = signers.length;
        for (uint256 w = 0; w < k; ++w) {
            for (uint256 bits = signers[w]; bits != 0; bits &= bits - 1) {
                address recovered = _recover(digest, sigs, at);
                if (recovered == address(0)) revert InvalidSignature(at / SIGNATURE_LENGTH);
                address registered;
                (registered, cachedWord, cached) =
                    _cachedAddressAt(words, (w << 8) | SignerBitmap.lowestBit(bits), cachedWord, cached);
                if (recovered != registered) revert SignerNotParticipant(recovered);
                at += SIGNATURE_LENGTH;
            }
        }
    }

    /// @dev Participant `i`'s address (bytes 20i..20i+19 of the packed words), through a one-word cache
    /// (`cachedWord`, `cached`): consecutive participants share storage words.
    function _cachedAddressAt(mapping(uint256 => uint256) storage words, uint256 i, uint256 cachedWord, uint256 cached)
        internal
        view
        returns (address, uint256, uint256)
    {
        uint256 offset = i * 20;
        uint256 word = offset >> 5;
        uint256 bit = (offset & 31) * 8;
        if (word != cachedWord) (cachedWord, cached) = (word, words[word]);
        uint256 value = cached << bit;
        if (bit > 96) {
            (cachedWord, cached) = (word + 1, words[word + 1]);
            value |= cached >> (256 - bit);
        }
        // The top 20 bytes of `value` are the address.
        // forge-lint: disable-next-line(unsafe-typecast)
        return (address(uint160(value >> 96)), cachedWord, cached);
    }

    /// @dev The signer of the 64-byte signature r ‖ yParityAndS at `at` in `signatures` (EIP-2098), or
    /// zero when it recovers to nobody or its s is in the upper half of the curve order (the malleable
    /// twin of a low-s signature; rule of OpenZeppelin's ECDSA.tryRecover, inlined to spare a memory copy).
    function _recover(bytes32 digest, bytes calldata signatures, uint256 at) internal view returns (address signer) {
        assembly ("memory-safe") {
            let r := calldataload(add(signatures.offset, at))
            let vs := calldataload(add(signatures.offset, add(at, 0x20)))
            let s := and(vs, 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff)
            if iszero(gt(s, HALF_ORDER)) {
                let m := mload(0x40)
                mstore(m, digest)
                mstore(add(m, 0x20), add(shr(255, vs), 27))
                mstore(add(m, 0x40), r)
                mstore(add(m, 0x60), s)
                // The precompile returns nothing for a signature that recovers to no point.
                if staticcall(gas(), 0x01, m, 0x80, m, 0x20) {
                    if eq(returndatasize(), 0x20) { signer := mload(m) }
                }
            }
        }
    }

    /// @notice Address registered at `index` in community `communityId` of `hub` (zero = none).
    function participantAt(address hub, uint64 communityId, uint256 index) external view returns (address) {
        if (index >= MAX_PARTICIPANTS) return address(0);
        return _addressAt(_packed[hub][communityId], index);
    }

    function _addressAt(mapping(uint256 => uint256) storage words, uint256 index) internal view returns (address) {
        uint256 offset = index * 20;
        uint256 word = offset >> 5;
        uint256 bit = (offset & 31) * 8;
        uint256 value = words[word] << bit;
        if (bit > 96) value |= words[word + 1] >> (256 - bit);
        // The top 20 bytes of `value` are the address.
        // forge-lint: disable-next-line(unsafe-typecast)
        return address(uint160(value >> 96));
    }
}
