// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title MerkleTree
/// @notice Position-binding Merkle proofs (twin of `node/src/window/merkle.ts`).
/// @dev OpenZeppelin's MerkleProof hashes sorted pairs: it proves membership, not position.
/// A dispute must prove what sits in one meter's slot, so siblings are ordered by index bits.
/// Inner nodes are keccak256(0x01 || left || right); trees are padded with bytes32(0).
library MerkleTree {
    /// @notice Hash of an inner node.
    function hashPair(bytes32 left, bytes32 right) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore8(m, 0x01)
            mstore(add(m, 1), left)
            mstore(add(m, 33), right)
            h := keccak256(m, 65)
        }
    }

    /// @notice Root reached from `leaf` at `index` through `proof` (siblings bottom-up).
    function computeRoot(bytes32 leaf, uint256 index, bytes32[] memory proof) internal pure returns (bytes32 node) {
        node = leaf;
        for (uint256 i = 0; i < proof.length; i++) {
            node = (index & 1) == 1 ? hashPair(proof[i], node) : hashPair(node, proof[i]);
            index >>= 1;
        }
    }

    /// @notice True when `leaf` sits at `index` of a tree of depth `proof.length` with `root`.
    function verify(bytes32 expectedRoot, bytes32 leaf, uint256 index, bytes32[] memory proof)
        internal
        pure
        returns (bool)
    {
        if (proof.length < 256 && index >> proof.length != 0) return false;
        return computeRoot(leaf, index, proof) == expectedRoot;
    }

    /// @notice Root of a subtree of height `height` made of padding only (2^height zero leaves): the one
    /// canonical padding of every tree (DESIGN.md §4; twin of `emptySubtreeRoot` in merkle.ts). Anything
    /// else over a range of padding only is junk that no honest node commits to (the game's `_pick`).
    function emptyRoot(uint256 height) internal pure returns (bytes32 node) {
        for (uint256 h = 0; h < height; h++) {
            node = hashPair(node, node);
        }
    }

    /// @notice Depth of a tree with `leafCount` leaves (leaves padded to a power of two).
    function depth(uint256 leafCount) internal pure returns (uint256 d) {
        while ((uint256(1) << d) < leafCount) d++;
    }

    /// @notice Whether `d` is `depth(leafCount)`, in constant time: the least d with 2^d >= leafCount is the d
    /// with 2^d >= leafCount and (d = 0 or 2^(d−1) < leafCount). A claim checks its proof's length so (the
    /// loop of `depth` costs about 100 gas per level; `BalancesTest.testFuzz_IsDepth_MatchesDepth` ties the two).
    function isDepth(uint256 d, uint256 leafCount) internal pure returns (bool) {
        return d < 256 && (uint256(1) << d) >= leafCount && (d == 0 || (uint256(1) << (d - 1)) < leafCount);
    }

    /// @notice Root over `leaves` (used in tests and for small trees on chain).
    function root(bytes32[] memory leaves) internal pure returns (bytes32) {
        if (leaves.length == 0) return bytes32(0);
        bytes32[] memory level = new bytes32[](uint256(1) << depth(leaves.length));
        for (uint256 i = 0; i < leaves.length; i++) {
            level[i] = leaves[i];
        }
        return rootOfPadded(level);
    }

    /// @notice Root over `level`, already padded with bytes32(0) to a power-of-two length (≥ 1); folds it in
    /// place (its contents are lost).
    function rootOfPadded(bytes32[] memory level) internal pure returns (bytes32) {
        uint256 width = level.length;
        while (width > 1) {
            width >>= 1;
            for (uint256 i = 0; i < width; i++) {
                level[i] = hashPair(level[2 * i], level[2 * i + 1]);
            }
        }
        return level[0];
    }
}
