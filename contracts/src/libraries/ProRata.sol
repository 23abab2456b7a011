// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title ProRata
/// @notice Splits an amount in proportion to weights, conserving it exactly.
/// @dev share_i = floor(amount · w_i / total); the remainder (fewer units than there are non-zero
/// weights) goes one unit each to the first non-zero weights in index order. With
/// `amount <= total = Σ w`, every share is at most its weight and the shares sum to `amount`.
library ProRata {
    /// @notice Shares of `amount` by `weights`, whose sum must be `total` (> 0) and `amount <= total`.
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
}
