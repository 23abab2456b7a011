// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title ProRata
/// @notice The one pro-rata rounding rule of the contracts: splits an amount in proportion to weights,
/// conserving it exactly.
/// @dev The rule: x_i = floor(amount · w_i / W) with W = Σ w; the remainder r = amount − Σ x_i (below
/// the count of w_i > 0, since each floor loses less than one unit) goes one unit each to the first r
/// indices, ascending, with w_i > 0. So Σ x = amount whenever W > 0, and x_i <= w_i when amount <= W.
/// Two functions compute it; they differ on purpose only in their arithmetic domain, and agree
/// wherever both are defined (`ProRataTest.testFuzz_SplitAndShareAgree`):
/// - `split` (money: Settlement's shortfall and claim repayments) takes W from the caller, computes
///   the product in 512 bits (`Math.mulDiv`) and so never overflows: a payout must not revert on large
///   balances.
/// - `share` / `shareBySum` (the market step, DESIGN.md §3) compute amount · w_i in 256 bits and revert
///   with panic 0x11 when it overflows, like Solidity's checked `*`: it is the twin of `share` in
///   `node/src/window/market.ts`, which throws ARITHMETIC_OVERFLOW on the same inputs, so the node and
///   the dispute verifier fail on the same states (vectors `market.json`, `auction.json`). They also
///   return all zeros when amount or W is 0.
library ProRata {
    /// @notice Shares of `amount` by `weights`, whose sum must be `total` (> 0) and `amount <= total`;
    /// full-precision product, never overflows.
    function split(uint256 amount, uint256[] memory weights, uint256 total)
        internal
        pure
        returns (uint256[] memory shares)
    {
        uint256 n = weights.length;
        shares = new uint256[](n);
        uint256 given;
        for (uint256 i = 0; i < n; ++i) {
            if (weights[i] == 0) continue;
            uint256 s = Math.mulDiv(amount, weights[i], total);
            shares[i] = s;
            given += s;
        }
        uint256 remainder = amount - given;
        for (uint256 i = 0; remainder > 0; ++i) {
            if (weights[i] == 0) continue;
            ++shares[i];
            --remainder;
        }
    }

    /// @notice The market's shares of `total` by `weights` (twin of `share` in market.ts): all zeros if
    /// total = 0 or Σ w = 0; reverts with panic 0x11 if Σ w or some total · w_i overflows 256 bits.
    function share(uint256 total, uint256[] memory weights) internal pure returns (uint256[] memory) {
        uint256 sum;
        for (uint256 i; i < weights.length; ++i) {
            sum += weights[i];
        }
        return shareBySum(total, weights, sum);
    }

    /// @notice `share` with the weight sum already known (`weightSum` must equal Σ `weights`).
    /// @dev Assembly because it is the hot loop of a market step (4 calls per step, ~4x cheaper than the
    /// checked Solidity loop); the product stays checked and reverts with panic 0x11 like Solidity's `*`.
    function shareBySum(uint256 total, uint256[] memory weights, uint256 weightSum)
        internal
        pure
        returns (uint256[] memory parts)
    {
        uint256 n = weights.length;
        parts = new uint256[](n);
        if (total == 0 || weightSum == 0) return parts;
        assembly ("memory-safe") {
            let w := add(weights, 0x20)
            let x := add(parts, 0x20)
            let end := add(w, shl(5, n))
            let given := 0
            for {} lt(w, end) {
                w := add(w, 0x20)
                x := add(x, 0x20)
            } {
                let wi := mload(w)
                let product := mul(total, wi)
                if iszero(eq(div(product, total), wi)) {
                    mstore(0x00, shl(224, 0x4e487b71)) // Panic(uint256)
                    mstore(0x04, 0x11)
                    revert(0x00, 0x24)
                }
                let xi := div(product, weightSum)
                mstore(x, xi)
                given := add(given, xi) // <= total: a sum of floors of parts of it
            }
            // Remainder: one unit each to the first indices with a positive weight. It is below their
            // count, so the loop ends inside the array.
            let rest := sub(total, given)
            w := add(weights, 0x20)
            x := add(parts, 0x20)
            for {} rest {
                w := add(w, 0x20)
                x := add(x, 0x20)
            } {
                if mload(w) {
                    mstore(x, add(mload(x), 1))
                    rest := sub(rest, 1)
                }
            }
        }
    }
}
