// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IHub} from "../interfaces/IHub.sol";
import {ParticipantState} from "../types/Market.sol";

/// @title PackedState
/// @notice The compact encoding of a window state (a game's published S_{t-1}, a BadBalances proof's
/// S_W): 64 bytes per participant instead of the ABI's 224, twin of `packState` in
/// `node/src/window/state.ts`.
///
///     word 0: exportWh (8) ‖ importWh (8) ‖ p2pSoldWh (8) ‖ p2pBoughtWh (8)
///     word 1: gridSoldWh (8) ‖ gridBoughtWh (8) ‖ net (16, int128 two's complement)
///
/// big-endian, participants in index order. The encoding is a transport only: the state hash the
/// participants sign, that disputes and the nodes recompute, stays `StateHash.hash` =
/// keccak256(abi.encode(ParticipantState[])), rebuilt here in memory from the packed words. Every
/// packed blob of the right length is exactly one state whose fields are in range (uint64 energies,
/// |net| <= int128 max), so the hash still names one state and no check is lost: `net = -2^127`
/// (the one int128 value whose negation does not fit) is rejected as before.
library PackedState {
    /// @notice Bytes per participant.
    uint256 internal constant STRIDE = 64;

    /// @notice The `net` column of the packed final state of `n` participants and StateHash.hash of
    /// the state it encodes. Reverts unless the length is `n · STRIDE`, every |net| <= int128 max and
    /// Σ net = 0 (IHub's StateLengthMismatch in bytes, NetOutOfRange, UnbalancedState).
    function decode(bytes calldata packed, uint256 n) internal pure returns (int256[] memory nets, bytes32 stateHash) {
        if (packed.length != n * STRIDE) revert IHub.StateLengthMismatch(n * STRIDE, packed.length);
        nets = new int256[](n);
        int256 sum;
        uint256 bad = type(uint256).max;
        assembly ("memory-safe") {
            // abi.encode(ParticipantState[]): head offset 0x20, length n, then 7 words per participant.
            let enc := mload(0x40)
            let size := add(0x40, mul(n, 0xe0))
            mstore(0x40, add(enc, size))
            mstore(enc, 0x20)
            mstore(add(enc, 0x20), n)
            let out := add(enc, 0x40)
            let src := packed.offset
            let m64 := 0xffffffffffffffff
            let netOut := add(nets, 0x20)
            let minNet := shl(127, not(0))
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let a := calldataload(src)
                let b := calldataload(add(src, 0x20))
                mstore(out, shr(192, a))
                mstore(add(out, 0x20), and(shr(128, a), m64))
                mstore(add(out, 0x40), and(shr(64, a), m64))
                mstore(add(out, 0x60), and(a, m64))
                mstore(add(out, 0x80), shr(192, b))
                mstore(add(out, 0xa0), and(shr(128, b), m64))
                // The low 16 bytes, sign-extended: an int128 in [-2^127, 2^127 - 1].
                let net := signextend(15, b)
                mstore(add(out, 0xc0), net)
                mstore(netOut, net)
                if and(eq(net, minNet), eq(bad, not(0))) { bad := i }
                // |net| < 2^127 and n <= 2^64: no overflow.
                sum := add(sum, net)
                src := add(src, 0x40)
                out := add(out, 0xe0)
                netOut := add(netOut, 0x20)
            }
            stateHash := keccak256(enc, size)
        }
        if (bad != type(uint256).max) revert IHub.NetOutOfRange(bad);
        if (sum != 0) revert IHub.UnbalancedState(sum);
    }

    /// @notice Reads a packed state held in memory (a dispute's proof) without judging it: the number of
    /// participants it encodes (length / STRIDE), its `net` column, StateHash.hash of the state, whether
    /// a net is -2^127 and Σ net. Reverts `StateLengthMismatch` only when the length is not a whole
    /// number of participants (such bytes encode no state at all). The same layout as `decode`.
    function inspect(bytes memory packed)
        internal
        pure
        returns (int256[] memory nets, bytes32 stateHash, bool minNet, int256 sum)
    {
        nets = new int256[](_count(packed));
        (, stateHash, minNet, sum) = _expand(packed, nets, true);
    }

    /// @notice The state a packed blob held in memory encodes (a BadStep proof's S_{t-1}), as the market
    /// step takes it, and StateHash.hash of it; judges nothing (a net of -2^127, Σ net ≠ 0 or another
    /// number of participants are the caller's to judge). Reverts `StateLengthMismatch` only when the
    /// length is not a whole number of participants. The states are the words of the hash's preimage
    /// (`ParticipantState` in memory is its 7 words, the ABI's too): no second copy.
    function unpack(bytes memory packed) internal pure returns (ParticipantState[] memory states, bytes32 stateHash) {
        uint256 n = _count(packed);
        uint256 enc;
        (enc, stateHash,,) = _expand(packed, new int256[](0), false);
        assembly ("memory-safe") {
            // ParticipantState[] in memory: its length, then a pointer to each struct (7 words).
            states := mload(0x40)
            mstore(0x40, add(states, mul(add(n, 1), 0x20)))
            mstore(states, n)
            let ptr := add(enc, 0x40)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                mstore(add(states, mul(add(i, 1), 0x20)), ptr)
                ptr := add(ptr, 0xe0)
            }
        }
    }

    /// @dev The number of participants a packed blob encodes; reverts `StateLengthMismatch` unless whole.
    function _count(bytes memory packed) private pure returns (uint256) {
        uint256 len = packed.length;
        if (len % STRIDE != 0) revert IHub.StateLengthMismatch(len - len % STRIDE, len);
        return len / STRIDE;
    }

    /// @dev Writes abi.encode(ParticipantState[]) of the packed state (whole participants, `_count`) at
    /// `enc` and hashes it; fills `nets` (length n) when `withNets`, else writes them to scratch space.
    function _expand(bytes memory packed, int256[] memory nets, bool withNets)
        private
        pure
        returns (uint256 enc, bytes32 stateHash, bool minNet, int256 sum)
    {
        uint256 n = packed.length / STRIDE;
        assembly ("memory-safe") {
            enc := mload(0x40)
            let size := add(0x40, mul(n, 0xe0))
            mstore(0x40, add(enc, size))
            mstore(enc, 0x20)
            mstore(add(enc, 0x20), n)
            let out := add(enc, 0x40)
            let src := add(packed, 0x20)
            let m64 := 0xffffffffffffffff
            // Without nets: every net goes to the scratch word at 0 (stride 0).
            let netOut := mul(withNets, add(nets, 0x20))
            let netStep := mul(withNets, 0x20)
            let min := shl(127, not(0))
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let a := mload(src)
                let b := mload(add(src, 0x20))
                mstore(out, shr(192, a))
                mstore(add(out, 0x20), and(shr(128, a), m64))
                mstore(add(out, 0x40), and(shr(64, a), m64))
                mstore(add(out, 0x60), and(a, m64))
                mstore(add(out, 0x80), shr(192, b))
                mstore(add(out, 0xa0), and(shr(128, b), m64))
                let net := signextend(15, b)
                mstore(add(out, 0xc0), net)
                mstore(netOut, net)
                if eq(net, min) { minNet := 1 }
                // |net| <= 2^127 and n < 2^64: no overflow.
                sum := add(sum, net)
                src := add(src, 0x40)
                out := add(out, 0xe0)
                netOut := add(netOut, netStep)
            }
            stateHash := keccak256(enc, size)
        }
    }

    /// @notice The packed encoding of `s` (for tests and scripts; the hub only decodes). Reverts
    /// (SafeCast) when a `net` does not fit in int128.
    function pack(ParticipantState[] memory s) internal pure returns (bytes memory out) {
        // Written in place (linear memory: a partial claim of 256 participants packs its state too).
        out = new bytes(s.length * STRIDE);
        for (uint256 i = 0; i < s.length; ++i) {
            ParticipantState memory p = s[i];
            bytes memory one = abi.encodePacked(
                p.exportWh,
                p.importWh,
                p.p2pSoldWh,
                p.p2pBoughtWh,
                p.gridSoldWh,
                p.gridBoughtWh,
                SafeCast.toInt128(p.net)
            );
            assembly ("memory-safe") {
                mcopy(add(add(out, 0x20), mul(i, 0x40)), add(one, 0x20), 0x40)
            }
        }
    }
}
