// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHub} from "../interfaces/IHub.sol";
import {ParticipantState} from "../types/Market.sol";
import {MerkleTree} from "./MerkleTree.sol";

/// @title PackedState
/// @notice The compact encoding of a window state, 64 bytes per participant, twin of `packState` in
/// `node/src/window/state.ts`, and the state hash built over it (`StateHash.hash`):
///
///     word 0: exportWh (8) ‖ importWh (8) ‖ p2pSoldWh (8) ‖ p2pBoughtWh (8)
///     word 1: gridSoldWh (8) ‖ gridBoughtWh (8) ‖ net (16, int128 two's complement)
///
/// big-endian, participants in index order. Every blob of a whole number of participants is exactly one
/// state whose fields are in range (uint64 energies, int128 net), and a state has one blob: the hash names
/// one state. A state with `net = -2^127` (the one int128 value whose negation does not fit) or a net
/// outside int128 has no encoding (`NetOutOfRange` where a blob carries one; `tryHash` says so).
/// The state hash is the root of the canonical zero-padded Merkle tree (`MerkleTree`) over one leaf per
/// participant, keccak256(0x07 ‖ its 64 bytes) (`leaf`), twin of `stateHash` in state.ts (s19): one
/// participant's committed state then opens in O(log N), which the `StateEntry` dispute needs (DESIGN.md
/// §5.4). It costs about two keccaks per participant where the flat keccak256 of the blob cost one word's
/// hashing. Before s14 the hash was keccak256(abi.encode(ParticipantState[])), 224 bytes per participant
/// rebuilt in memory; s14 to s18 keccak256 of the blob.
library PackedState {
    /// @notice Bytes per participant.
    uint256 internal constant STRIDE = 64;
    /// @dev The state leaf's domain byte (§4: 0x00–0x04 the window commitment's, 0x05 the meter registry's,
    /// 0x06 a step entry's).
    uint8 internal constant LEAF_DOMAIN = 0x07;

    /// @notice The `net` column of the packed final state of `n` participants and its state hash. Reverts
    /// unless the length is `n · STRIDE`, every |net| <= int128 max and Σ net = 0 (IHub's
    /// StateLengthMismatch in bytes, NetOutOfRange, UnbalancedState).
    function decode(bytes calldata packed, uint256 n) internal pure returns (int256[] memory nets, bytes32 stateHash) {
        nets = new int256[](n);
        stateHash = _check(packed, n, nets, true);
    }

    /// @notice `decode` without the net column (a game's publication: S_{t-1} is only checked and hashed).
    function check(bytes calldata packed, uint256 n) internal pure returns (bytes32 stateHash) {
        return _check(packed, n, new int256[](0), false);
    }

    /// @dev `decode`'s checks and hash; writes the nets into `nets` (length n) when `withNets`, else to the
    /// scratch word at 0.
    function _check(bytes calldata packed, uint256 n, int256[] memory nets, bool withNets)
        private
        pure
        returns (bytes32 stateHash)
    {
        if (packed.length != n * STRIDE) revert IHub.StateLengthMismatch(n * STRIDE, packed.length);
        int256 sum;
        uint256 bad = type(uint256).max;
        assembly ("memory-safe") {
            let src := packed.offset
            let netOut := mul(withNets, add(nets, 0x20))
            let netStep := mul(withNets, 0x20)
            let minNet := shl(127, not(0))
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                // The low 16 bytes of word 1, sign-extended: an int128 in [-2^127, 2^127 - 1].
                let net := signextend(15, calldataload(add(src, 0x20)))
                mstore(netOut, net)
                if and(eq(net, minNet), eq(bad, not(0))) { bad := i }
                // |net| <= 2^127 and n <= 2^64: no overflow.
                sum := add(sum, net)
                src := add(src, 0x40)
                netOut := add(netOut, netStep)
            }
        }
        if (bad != type(uint256).max) revert IHub.NetOutOfRange(bad);
        if (sum != 0) revert IHub.UnbalancedState(sum);
        stateHash = _root(_offset(packed), n, true);
    }

    /// @notice The state hash of a packed blob held in memory, judging nothing (a BadStep proof's S_{t-1}: its
    /// length, nets and balance are the caller's to judge). Reverts `StateLengthMismatch` only when the length is
    /// not a whole number of participants.
    function hashPacked(bytes memory packed) internal pure returns (bytes32) {
        return _root(_memoryOffset(packed), _count(packed.length), false);
    }

    /// @notice Reads a packed state held in memory (a dispute's proof) without judging it: the number of
    /// participants it encodes (length / STRIDE), its `net` column, its state hash, whether a net is -2^127
    /// and Σ net. Reverts `StateLengthMismatch` only when the length is not a whole number of participants
    /// (such bytes encode no state at all).
    function inspect(bytes memory packed)
        internal
        pure
        returns (int256[] memory nets, bytes32 stateHash, bool minNet, int256 sum)
    {
        uint256 n = _count(packed.length);
        nets = new int256[](n);
        assembly ("memory-safe") {
            let src := add(packed, 0x20)
            let min := shl(127, not(0))
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let net := signextend(15, mload(add(src, 0x20)))
                mstore(add(nets, mul(add(i, 1), 0x20)), net)
                if eq(net, min) { minNet := 1 }
                // |net| <= 2^127 and n < 2^64: no overflow.
                sum := add(sum, net)
                src := add(src, 0x40)
            }
        }
        stateHash = _root(_memoryOffset(packed), n, false);
    }

    /// @notice The state a packed blob held in memory encodes (a BadStep proof's S_{t-1}), as the market
    /// step takes it, and its state hash; judges nothing (a net of -2^127, Σ net ≠ 0 or another number of
    /// participants are the caller's to judge). Reverts `StateLengthMismatch` only when the length is not a
    /// whole number of participants.
    function unpack(bytes memory packed) internal pure returns (ParticipantState[] memory states, bytes32 stateHash) {
        uint256 n = _count(packed.length);
        uint256 src = _memoryOffset(packed);
        stateHash = _root(src, n, false);
        states = _unpack(src, n, false);
    }

    /// @notice `unpack` of a blob in calldata, without the hash: what a market module's `stepHash` reads
    /// (the verifier has checked the hash). Decoding in place spares the copy of the blob into memory, whose
    /// cost grows with the square of the memory used (issue 10: N = 1,000, DESIGN.md §5.4).
    function unpackCalldata(bytes calldata packed) internal pure returns (ParticipantState[] memory) {
        return _unpack(_offset(packed), _count(packed.length), true);
    }

    /// @dev The `ParticipantState[]` of the `n` packed entries at `src` (memory or calldata): its length, a
    /// pointer to each struct, then the structs (7 words each).
    function _unpack(uint256 src, uint256 n, bool fromCalldata)
        private
        pure
        returns (ParticipantState[] memory states)
    {
        assembly ("memory-safe") {
            states := mload(0x40)
            let ptr := add(states, mul(add(n, 1), 0x20))
            mstore(0x40, add(ptr, mul(n, 0xe0)))
            mstore(states, n)
            let m64 := 0xffffffffffffffff
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let a
                let b
                switch fromCalldata
                case 0 {
                    a := mload(src)
                    b := mload(add(src, 0x20))
                }
                default {
                    a := calldataload(src)
                    b := calldataload(add(src, 0x20))
                }
                mstore(add(states, mul(add(i, 1), 0x20)), ptr)
                mstore(ptr, shr(192, a))
                mstore(add(ptr, 0x20), and(shr(128, a), m64))
                mstore(add(ptr, 0x40), and(shr(64, a), m64))
                mstore(add(ptr, 0x60), and(a, m64))
                mstore(add(ptr, 0x80), shr(192, b))
                mstore(add(ptr, 0xa0), and(shr(128, b), m64))
                mstore(add(ptr, 0xc0), signextend(15, b))
                src := add(src, 0x40)
                ptr := add(ptr, 0xe0)
            }
        }
    }

    /// @dev The root of the state tree over the `n` packed participants at `src` (memory or calldata): leaf j =
    /// keccak256(0x07 ‖ its 64 bytes), zero leaves up to 2^depth(n), inner nodes `MerkleTree.hashPair`'s
    /// keccak256(0x01 ‖ left ‖ right); zero for n = 0, the leaf itself for n = 1 (as `MerkleTree.root`). In
    /// assembly, in unclaimed free memory (2^depth(n) words and one 65-byte scratch), folded in place: the
    /// Solidity loops cost about twice as much per hash (bounds checks, a fresh buffer per `hashPair`).
    function _root(uint256 src, uint256 n, bool fromCalldata) private pure returns (bytes32 root) {
        uint256 width = uint256(1) << MerkleTree.depth(n);
        assembly ("memory-safe") {
            let level := mload(0x40)
            let scratch := add(level, shl(5, width))
            mstore8(scratch, LEAF_DOMAIN)
            let body := add(scratch, 1)
            let out := level
            let end := add(level, shl(5, n))
            switch fromCalldata
            case 0 {
                for {} lt(out, end) {} {
                    mcopy(body, src, 0x40)
                    mstore(out, keccak256(scratch, 0x41))
                    src := add(src, 0x40)
                    out := add(out, 0x20)
                }
            }
            default {
                for {} lt(out, end) {} {
                    calldatacopy(body, src, 0x40)
                    mstore(out, keccak256(scratch, 0x41))
                    src := add(src, 0x40)
                    out := add(out, 0x20)
                }
            }
            // Free memory may hold anything: the padding is written.
            end := add(level, shl(5, width))
            for {} lt(out, end) { out := add(out, 0x20) } { mstore(out, 0) }
            mstore8(scratch, 0x01)
            for {} gt(width, 1) {} {
                width := shr(1, width)
                out := level
                end := add(level, shl(6, width))
                for { let pair := level } lt(pair, end) { pair := add(pair, 0x40) } {
                    mcopy(body, pair, 0x40)
                    mstore(out, keccak256(scratch, 0x41))
                    out := add(out, 0x20)
                }
            }
            root := mload(level)
        }
    }

    /// @dev The memory address of `packed`'s first byte.
    function _memoryOffset(bytes memory packed) private pure returns (uint256 at) {
        assembly ("memory-safe") {
            at := add(packed, 0x20)
        }
    }

    /// @dev The calldata offset of `packed`'s first byte.
    function _offset(bytes calldata packed) private pure returns (uint256 at) {
        assembly ("memory-safe") {
            at := packed.offset
        }
    }

    /// @dev The number of participants a packed blob of `len` bytes encodes; reverts `StateLengthMismatch`
    /// unless whole.
    function _count(uint256 len) private pure returns (uint256) {
        if (len % STRIDE != 0) revert IHub.StateLengthMismatch(len - len % STRIDE, len);
        return len / STRIDE;
    }

    /// @notice The state hash of `s` (the state tree's root over its encoding); reverts `NetOutOfRange` (the first such
    /// participant) when `s` has none: a net of -2^127 or outside int128. `StateHash.hash`.
    function hash(ParticipantState[] memory s) internal pure returns (bytes32) {
        bytes memory packed = packStrict(s);
        return _root(_memoryOffset(packed), s.length, false);
    }

    /// @notice Participant `s`'s leaf in the state tree: keccak256(0x07 ‖ its 64 bytes). A net of −2^127 has a
    /// leaf (`pack`'s rule: a step entry's state may hold it, and `StateEntry` compares the two by this hash);
    /// reverts `NetOutOfRange` for a net outside int128.
    function leaf(ParticipantState memory s) internal pure returns (bytes32) {
        ParticipantState[] memory one = new ParticipantState[](1);
        one[0] = s;
        return keccak256(abi.encodePacked(LEAF_DOMAIN, pack(one)));
    }

    /// @notice The encoding of `s` (the state hash's preimage); reverts `NetOutOfRange` (the first such
    /// participant) when `s` has none.
    function packStrict(ParticipantState[] memory s) internal pure returns (bytes memory out) {
        uint256 bad;
        (out, bad) = _encode(s, true);
        if (bad != type(uint256).max) revert IHub.NetOutOfRange(bad);
    }

    /// @notice The state hash of `s` when it has an encoding; `ok` false when it has none (no committed state
    /// is `s`). `StateHash.tryHash`.
    function tryHash(ParticipantState[] memory s) internal pure returns (bool ok, bytes32 h) {
        (bytes memory out, uint256 bad) = _encode(s, true);
        return (bad == type(uint256).max, _root(_memoryOffset(out), s.length, false));
    }

    /// @notice The packed bytes of `s` (tests and scripts; the hub only decodes), a net of -2^127 included (a
    /// blob the hub refuses, for the tests that it does); reverts `NetOutOfRange` for a net outside int128. A step
    /// entry's state (`StepEntries.leaf`) is encoded by it: a leaf's preimage may hold any int128 net.
    function pack(ParticipantState[] memory s) internal pure returns (bytes memory out) {
        uint256 bad;
        (out, bad) = _encode(s, false);
        if (bad != type(uint256).max) revert IHub.NetOutOfRange(bad);
    }

    /// @dev The encoding of `s` and the first participant whose net has none (outside int128, or -2^127 when
    /// `strict`), type(uint256).max if none; such a net is written as its low 128 bits (no state's encoding).
    function _encode(ParticipantState[] memory s, bool strict) private pure returns (bytes memory out, uint256 bad) {
        uint256 n = s.length;
        out = new bytes(n * STRIDE);
        bad = type(uint256).max;
        int256 lowest = strict ? type(int128).min + 1 : type(int128).min;
        // In assembly: the hot loop of every state hash the verifier and the modules take (7 field reads per
        // participant; the Solidity loop paid bounds checks and a copy of each struct's pointer, ~3x as much).
        // Each uint64 field is masked to its 8 bytes (no assumption on the high bits of a memory word).
        assembly ("memory-safe") {
            let at := add(out, 0x20)
            let top := sub(shl(127, 1), 1)
            let m64 := 0xffffffffffffffff
            let m128 := sub(shl(128, 1), 1)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let p := mload(add(s, mul(add(i, 1), 0x20)))
                let net := mload(add(p, 0xc0))
                if and(or(slt(net, lowest), sgt(net, top)), eq(bad, not(0))) { bad := i }
                mstore(
                    at,
                    or(
                        or(shl(192, and(mload(p), m64)), shl(128, and(mload(add(p, 0x20)), m64))),
                        or(shl(64, and(mload(add(p, 0x40)), m64)), and(mload(add(p, 0x60)), m64))
                    )
                )
                // The low 128 bits of the two's complement: the int128's own bits when the net fits.
                mstore(
                    add(at, 0x20),
                    or(
                        or(shl(192, and(mload(add(p, 0x80)), m64)), shl(128, and(mload(add(p, 0xa0)), m64))),
                        and(net, m128)
                    )
                )
                at := add(at, 0x40)
            }
        }
    }
}
