// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Gas of a transaction carrying `data` whose execution took `execution`: 21,000, plus 4 gas per
/// calldata token (a zero byte is 1 token, any other byte 4: EIP-2028) and the execution, or the EIP-7623
/// floor (10 gas per token) when that is more. The gas tests' one rule for a call's transaction gas.
function transactionGas(bytes memory data, uint256 execution) pure returns (uint256) {
    uint256 tokens = calldataTokens(data);
    uint256 standard = 21_000 + 4 * tokens + execution;
    uint256 floor = 21_000 + 10 * tokens;
    return standard > floor ? standard : floor;
}

/// @notice Calldata tokens of `data` (EIP-7623): a zero byte is 1 token, any other byte 4.
function calldataTokens(bytes memory data) pure returns (uint256 tokens) {
    for (uint256 i = 0; i < data.length; ++i) {
        tokens += data[i] == 0 ? 1 : 4;
    }
}
