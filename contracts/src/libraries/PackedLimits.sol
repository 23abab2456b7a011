// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IDisputeVerifier} from "../interfaces/IDisputeVerifier.sol";
import {LimitPrices} from "../types/Auction.sol";

/// @title PackedLimits
/// @notice The compact encoding of an auction community's standing limit prices in a BadStep proof: 32
/// bytes per participant instead of the ABI's 64, twin of `packLimits` in `node/src/window/state.ts`.
///
///     bidPrice (16) ‖ askPrice (16)
///
/// big-endian uint128s, participants in index order. A transport only: the commitment stays
/// `LimitsHash.hash` = keccak256(abi.encode(LimitPrices[])), which the auction module recomputes from the
/// decoded prices. Every blob of a whole number of strides is exactly one price list (each price is any
/// uint128), so the hash still names one list and no check is lost.
library PackedLimits {
    /// @notice Bytes per participant.
    uint256 internal constant STRIDE = 32;

    /// @notice The limit prices a packed blob held in memory encodes. Reverts `MalformedLimits` when its
    /// length is not a whole number of participants (such bytes encode no price list at all).
    function unpack(bytes memory packed) internal pure returns (LimitPrices[] memory limits) {
        uint256 src;
        assembly ("memory-safe") {
            src := add(packed, 0x20)
        }
        return _unpack(src, _count(packed.length), false);
    }

    /// @notice `unpack` of a blob in calldata (the auction module's `stepHash`: no copy of it into memory).
    function unpackCalldata(bytes calldata packed) internal pure returns (LimitPrices[] memory) {
        return _unpack(_offset(packed), _count(packed.length), true);
    }

    /// @notice `LimitsHash.hash` of the prices a packed blob in calldata encodes, keccak256 of their ABI
    /// encoding (`0x20 ‖ n ‖ bid_0 ‖ ask_0 ‖ …`), built in free memory that is left unclaimed: the check of a
    /// proof's prices adds nothing to the memory a step then uses (issue 10, N = 1,000). Tied to
    /// `LimitsHash.hash` by `PackedLimitsTest`. Reverts `MalformedLimits` as `unpack`.
    function hash(bytes calldata packed) internal pure returns (bytes32 h) {
        uint256 n = _count(packed.length);
        assembly ("memory-safe") {
            let at := mload(0x40)
            mstore(at, 0x20)
            mstore(add(at, 0x20), n)
            let src := packed.offset
            let dst := add(at, 0x40)
            let m128 := sub(shl(128, 1), 1)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let w := calldataload(src)
                mstore(dst, shr(128, w))
                mstore(add(dst, 0x20), and(w, m128))
                src := add(src, 0x20)
                dst := add(dst, 0x40)
            }
            h := keccak256(at, sub(dst, at))
        }
    }

    /// @dev The participant count of `len` packed bytes; reverts `MalformedLimits` unless whole.
    function _count(uint256 len) private pure returns (uint256) {
        if (len % STRIDE != 0) revert IDisputeVerifier.MalformedLimits(len);
        return len / STRIDE;
    }

    /// @dev The calldata offset of `packed`'s first byte.
    function _offset(bytes calldata packed) private pure returns (uint256 at) {
        assembly ("memory-safe") {
            at := packed.offset
        }
    }

    /// @dev The `LimitPrices[]` of the `n` packed entries at `src` (memory or calldata): its length, n
    /// pointers, then the n structs of 2 words each.
    function _unpack(uint256 src, uint256 n, bool fromCalldata) private pure returns (LimitPrices[] memory limits) {
        assembly ("memory-safe") {
            limits := mload(0x40)
            let structs := add(limits, mul(add(n, 1), 0x20))
            mstore(0x40, add(structs, mul(n, 0x40)))
            mstore(limits, n)
            let m128 := sub(shl(128, 1), 1)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let w
                switch fromCalldata
                case 0 { w := mload(src) }
                default { w := calldataload(src) }
                let s := add(structs, mul(i, 0x40))
                mstore(s, shr(128, w))
                mstore(add(s, 0x20), and(w, m128))
                mstore(add(limits, mul(add(i, 1), 0x20)), s)
                src := add(src, 0x20)
            }
        }
    }

    /// @notice The packed encoding of `limits` (for tests and scripts; the verifier only decodes).
    function pack(LimitPrices[] memory limits) internal pure returns (bytes memory out) {
        out = new bytes(limits.length * STRIDE);
        for (uint256 i = 0; i < limits.length; ++i) {
            uint256 w = (uint256(limits[i].bidPrice) << 128) | limits[i].askPrice;
            assembly ("memory-safe") {
                mstore(add(add(out, 0x20), mul(i, 0x20)), w)
            }
        }
    }
}
