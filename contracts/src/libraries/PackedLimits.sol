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
        uint256 len = packed.length;
        if (len % STRIDE != 0) revert IDisputeVerifier.MalformedLimits(len);
        uint256 n = len / STRIDE;
        assembly ("memory-safe") {
            // LimitPrices[] in memory: its length and n pointers, then the n structs of 2 words each.
            limits := mload(0x40)
            let structs := add(limits, mul(add(n, 1), 0x20))
            mstore(0x40, add(structs, mul(n, 0x40)))
            mstore(limits, n)
            let src := add(packed, 0x20)
            let m128 := sub(shl(128, 1), 1)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let w := mload(src)
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
