// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice A one-word signer set (`SignerBitmap`, N ≤ 256): the tests' shorthand for the bitmap `bits`.
function words1(uint256 bits) pure returns (uint256[] memory set) {
    set = new uint256[](1);
    set[0] = bits;
}
