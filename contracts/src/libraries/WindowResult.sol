// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title WindowResult
/// @notice EIP-712 struct hash of the result participants co-sign for a window (DESIGN.md §5).
/// @dev The hub's domain (name "DIVERSITY Hub", version "1", chainId, hub address) binds the
/// signature to one chain and one hub; the struct binds it to one community and window, and to the
/// window's commitment (windowRoot), final state (stateHash) and balances after the reaction
/// (balancesRoot, DESIGN.md §5.6).
library WindowResult {
    /// @notice keccak256 of the EIP-712 type string.
    bytes32 internal constant TYPEHASH = keccak256(
        "WindowResult(uint64 communityId,uint32 window,bytes32 windowRoot,bytes32 stateHash,bytes32 balancesRoot)"
    );

    /// @notice hashStruct(WindowResult{communityId, window, windowRoot, stateHash, balancesRoot}).
    function structHash(uint64 communityId, uint32 window, bytes32 windowRoot, bytes32 stateHash, bytes32 balancesRoot)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(TYPEHASH, communityId, window, windowRoot, stateHash, balancesRoot));
    }
}
