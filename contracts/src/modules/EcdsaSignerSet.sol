// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Create2} from "@openzeppelin/contracts/utils/Create2.sol";

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
/// (CREATE2 32,000, 200 gas per byte); a join writes nothing here (it wrote a packed storage word: ~26,500 gas
/// per join).
/// The data contract's address is derived, not stored (s24): CREATE2 with salt keccak256(hub ‖ communityId) and
/// one fixed init code (`LIST_INIT_CODE`), which asks its creator for the code to deploy (`pendingList`, the
/// list `open` holds in transient storage for the length of the creation). So the address depends on
/// (module, hub, community) only: `open` writes no pointer slot (22,100 gas) and `verify` reads none (2,100).
/// The module trusts the hub that calls it (msg.sender) for its own communities only: one `open` per
/// community id (a second CREATE2 to the same address fails), the list checked by the hub (non-zero, distinct
/// addresses).
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

    /// @notice Init code of every list contract: it STATICCALLs its creator (this module) with
    /// `pendingList()`'s selector and returns the answer as its runtime code (reverts if the call fails):
    ///     PUSH4 sel, PUSH0, MSTORE; STATICCALL(gas, CALLER, 28, 4, 0, 0); ISZERO → revert;
    ///     RETURNDATACOPY(0, 0, RETURNDATASIZE); RETURN(0, RETURNDATASIZE)
    bytes public constant LIST_INIT_CODE = hex"63b920229c5f525f5f6004601c335afa15601b573d5f5f3e3d5ff35b5f5ffd";
    /// @dev keccak256(LIST_INIT_CODE), for the CREATE2 address.
    bytes32 internal constant LIST_INIT_CODE_HASH = keccak256(LIST_INIT_CODE);
    /// @dev Transient slot of the pending list's code length; its words follow (`open`, `pendingList`):
    /// keccak256("diversity.EcdsaSignerSet.pendingList") - 1.
    uint256 internal constant PENDING_SLOT = 0x5a8842eb29d27ea1b2f57f1bc9c5580e98b7dee6f2bf2ab3fcbc8ae955531bdf;

    /// @inheritdoc ICoSignatureScheme
    function open(uint64 communityId, bytes calldata participants) external {
        uint256 length = participants.length;
        if (length == 0 || length % 20 != 0 || length > MAX_PARTICIPANTS * 20) {
            revert InvalidParticipantList(communityId, length);
        }
        bytes32 salt = _salt(msg.sender, communityId);
        address list;
        bytes memory init = LIST_INIT_CODE;
        assembly ("memory-safe") {
            // The code the init code asks for (`pendingList`): STOP ‖ participants, held in transient storage
            // for this creation only (its length, then its words).
            let size := add(length, CODE_OFFSET)
            let m := mload(0x40)
            mstore8(m, 0x00)
            calldatacopy(add(m, CODE_OFFSET), participants.offset, length)
            tstore(PENDING_SLOT, size)
            let words := div(add(size, 31), 32)
            for { let i := 0 } lt(i, words) { i := add(i, 1) } {
                tstore(add(PENDING_SLOT, add(i, 1)), mload(add(m, mul(i, 32))))
            }
            list := create2(0, add(init, 0x20), mload(init), salt)
            tstore(PENDING_SLOT, 0)
        }
        if (list == address(0)) {
            // CREATE2 fails on an address that has code: this (hub, community) was opened before (a collision
            // takes the gas it was given: only a caller opening its own community twice pays it; a hub opens each
            // id once).
            if (_listAt(msg.sender, communityId).code.length != 0) revert AlreadyOpened(communityId);
            revert ListNotStored(communityId);
        }
    }

    /// @notice The code of the list being created by `open` (STOP ‖ participants), asked for by its init code
    /// (`LIST_INIT_CODE`); returned raw, not ABI-encoded. Empty outside an `open`.
    function pendingList() external view {
        assembly ("memory-safe") {
            let size := tload(PENDING_SLOT)
            let m := mload(0x40)
            let words := div(add(size, 31), 32)
            for { let i := 0 } lt(i, words) { i := add(i, 1) } {
                mstore(add(m, mul(i, 32)), tload(add(PENDING_SLOT, add(i, 1))))
            }
            return(m, size)
        }
    }

    /// @notice Address of the list contract of community `communityId` of `hub` (no code: never opened here).
    function listOf(address hub, uint64 communityId) external view returns (address) {
        return _listAt(hub, communityId);
    }

    function _salt(address hub, uint64 communityId) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(hub, communityId));
    }

    /// @dev The CREATE2 address of (hub, communityId)'s list contract (EIP-1014).
    function _listAt(address hub, uint64 communityId) internal view returns (address) {
        return Create2.computeAddress(_salt(hub, communityId), LIST_INIT_CODE_HASH);
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
        address list = _listAt(msg.sender, communityId);
        packed = new bytes(n * 20);
        address first;
        assembly ("memory-safe") {
            extcodecopy(list, add(packed, 0x20), CODE_OFFSET, mul(n, 20))
            first := shr(96, mload(add(packed, 0x20)))
        }
        // No code copies as zeros, and participant 0 is never the zero address (the hub's `openLists`).
        if (first == address(0)) revert UnknownCommunity(communityId);
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
        bytes memory code = _listAt(msg.sender, communityId).code;
        if (code.length == 0 || participant == address(0)) return 0;
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
        address list = _listAt(hub, communityId);
        if (index >= MAX_PARTICIPANTS) return address(0);
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, 0)
            extcodecopy(list, m, add(CODE_OFFSET, mul(index, 20)), 20)
            a := shr(96, mload(m))
        }
    }
}
