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
/// compact form of the one valid signature per (key, digest) is the only encoding accepted.
/// The participants' addresses are kept as the code of a data contract the module creates at `open` (s16):
/// its runtime code is one STOP byte, then the 20-byte addresses in index order, so no call to it does
/// anything, and nobody but this module's `open` can write one. `verify` copies them with one
/// `EXTCODECOPY` (2,600 gas cold, 3 per word) instead of reading ⌈20N/32⌉ storage slots (2,100 each cold):
/// at N = 10 some 9,900 gas less per update, at N = 1,000 about 1.3 M less. `open` pays for the code
/// (CREATE 32,000, 200 gas per byte) and one pointer slot; a join writes nothing here (it wrote a packed
/// storage word: ~26,500 gas per join).
/// The module trusts the hub that calls it (msg.sender) for its own communities only: one `open` per
/// community id, the list checked by the hub (non-zero, distinct addresses).
contract EcdsaSignerSet is ICoSignatureScheme {
    /// @notice Length of one signature (EIP-2098 compact: r ‖ yParityAndS).
    uint256 public constant SIGNATURE_LENGTH = 64;
    /// @notice Most participants (`SignerBitmap.MAX_PARTICIPANTS`): the signer bitmap is at most 4 words.
    uint256 public constant MAX_PARTICIPANTS = SignerBitmap.MAX_PARTICIPANTS;
    /// @dev Half the secp256k1 group order: the largest s accepted.
    uint256 internal constant HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;
    /// @dev Bytes before the first address in a data contract's code (the STOP byte).
    uint256 internal constant CODE_OFFSET = 1;

    /// @notice Thrown when `register` names an index >= MAX_PARTICIPANTS or the zero address.
    error InvalidParticipant(uint64 communityId, uint256 index);
    /// @notice Thrown when `open` gets a list that is not 1 to MAX_PARTICIPANTS whole 20-byte addresses.
    error InvalidParticipantList(uint64 communityId, uint256 length);
    /// @notice Thrown when `open` is called twice for one (hub, community).
    error AlreadyOpened(uint64 communityId);
    /// @notice Thrown when `verify` is called for a community this hub never opened here.
    error UnknownCommunity(uint64 communityId);
    /// @notice Thrown when the data contract cannot be created (out of gas).
    error ListNotStored(uint64 communityId);

    /// @dev hub → community → the data contract holding its participants' addresses (0 = not opened).
    mapping(address hub => mapping(uint64 communityId => address)) internal _lists;

    /// @inheritdoc ICoSignatureScheme
    function open(uint64 communityId, bytes calldata participants) external {
        uint256 length = participants.length;
        if (length == 0 || length % 20 != 0 || length > MAX_PARTICIPANTS * 20) {
            revert InvalidParticipantList(communityId, length);
        }
        if (_lists[msg.sender][communityId] != address(0)) revert AlreadyOpened(communityId);
        address list;
        assembly ("memory-safe") {
            // Init code (10 bytes) that returns the code after it: PUSH2 size, DUP1, PUSH1 10, RETURNDATASIZE,
            // CODECOPY(0, 10, size), RETURNDATASIZE, RETURN(0, size); then the code: STOP ‖ participants.
            let size := add(length, CODE_OFFSET)
            let m := mload(0x40)
            mstore(m, or(shl(248, 0x61), or(shl(232, size), shl(176, 0x80600a3d393df3))))
            mstore8(add(m, 10), 0x00)
            calldatacopy(add(m, 11), participants.offset, length)
            list := create(0, m, add(size, 10))
        }
        if (list == address(0)) revert ListNotStored(communityId);
        _lists[msg.sender][communityId] = list;
    }

    /// @inheritdoc ICoSignatureScheme
    /// @dev Nothing is stored: the address was kept at `open` (the hub proved the joiner is participant `index`).
    function register(uint64 communityId, uint256 index, address participant, bytes calldata keyData) external pure {
        if (keyData.length != 0) revert InvalidKeyData(communityId, index);
        if (index >= MAX_PARTICIPANTS || participant == address(0)) revert InvalidParticipant(communityId, index);
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
        _checkSignatures(_addresses(communityId, participantCount), digest, signers, signatures[head:]);
    }

    /// @dev The first `n` participants' addresses of community `communityId` of msg.sender, 20 bytes each in
    /// index order, copied from its data contract (an index past its list reads as the zero address, which no
    /// signature recovers to).
    function _addresses(uint64 communityId, uint256 n) internal view returns (bytes memory packed) {
        address list = _lists[msg.sender][communityId];
        if (list == address(0)) revert UnknownCommunity(communityId);
        packed = new bytes(n * 20);
        assembly ("memory-safe") {
            extcodecopy(list, add(packed, 0x20), CODE_OFFSET, mul(n, 20))
        }
    }

    /// @dev Reverts unless `sigs` holds, in ascending index order, one valid signature over `digest` by each
    /// participant in `signers` (whose count matches the length: checked by `verify`), participant i being
    /// bytes 20i..20i+19 of `packed`.
    function _checkSignatures(bytes memory packed, bytes32 digest, uint256[] memory signers, bytes calldata sigs)
        internal
        view
    {
        uint256 at;
        uint256 k = signers.length;
        for (uint256 w = 0; w < k; ++w) {
            for (uint256 bits = signers[w]; bits != 0; bits &= bits - 1) {
                address recovered = _recover(digest, sigs, at);
                if (recovered == address(0)) revert InvalidSignature(at / SIGNATURE_LENGTH);
                uint256 i = (w << 8) | SignerBitmap.lowestBit(bits);
                address registered;
                assembly ("memory-safe") {
                    registered := shr(96, mload(add(add(packed, 0x20), mul(i, 20))))
                }
                if (recovered != registered) revert SignerNotParticipant(recovered);
                at += SIGNATURE_LENGTH;
            }
        }
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

    /// @inheritdoc ICoSignatureScheme
    /// @dev One scan of the list (its size is the data contract's code size less the STOP byte): O(N), for the
    /// hub's rare calls (a deposit, a top-up, a dispute's disputer); 0 for a community never opened here.
    function indexOf(uint64 communityId, address participant) external view returns (uint256) {
        address list = _lists[msg.sender][communityId];
        if (list == address(0) || participant == address(0)) return 0;
        bytes memory code = list.code;
        uint256 n = (code.length - CODE_OFFSET) / 20;
        for (uint256 i = 0; i < n; ++i) {
            address a;
            assembly ("memory-safe") {
                a := shr(96, mload(add(add(code, add(0x20, CODE_OFFSET)), mul(i, 20))))
            }
            if (a == participant) return i + 1;
        }
        return 0;
    }

    /// @notice Address of participant `index` of community `communityId` of `hub` (zero = none, or not opened).
    function participantAt(address hub, uint64 communityId, uint256 index) external view returns (address a) {
        address list = _lists[hub][communityId];
        if (list == address(0) || index >= MAX_PARTICIPANTS) return address(0);
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, 0)
            extcodecopy(list, m, add(CODE_OFFSET, mul(index, 20)), 20)
            a := shr(96, mload(m))
        }
    }
}
