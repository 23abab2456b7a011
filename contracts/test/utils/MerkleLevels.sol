// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MerkleTree} from "../../src/libraries/MerkleTree.sol";

/// @notice Every level of a `MerkleTree` (zero-padded, position-binding), computed once: 2^depth − 1
/// hashes for the whole tree, after which any node or any leaf's path is a read. What a fixture of a
/// large community needs (N joins, or a game's reveals down a 1,024-leaf tree) where a path rebuilt per
/// leaf would cost O(N) hashes each, O(N²) in all.
library MerkleLevels {
    /// @notice levels[0] = `leaves` padded with zeros to 2^depth, levels[h][i] = hashPair(levels[h−1][2i],
    /// levels[h−1][2i+1]), levels[depth] = [MerkleTree.root(leaves)].
    function build(bytes32[] memory leaves) internal pure returns (bytes32[][] memory levels) {
        uint256 depth = MerkleTree.depth(leaves.length);
        uint256 width = uint256(1) << depth;
        levels = new bytes32[][](depth + 1);
        levels[0] = new bytes32[](width);
        for (uint256 i = 0; i < leaves.length; ++i) {
            levels[0][i] = leaves[i];
        }
        for (uint256 h = 1; h <= depth; ++h) {
            width >>= 1;
            bytes32[] memory below = levels[h - 1];
            bytes32[] memory level = new bytes32[](width);
            for (uint256 i = 0; i < width; ++i) {
                level[i] = MerkleTree.hashPair(below[2 * i], below[2 * i + 1]);
            }
            levels[h] = level;
        }
    }

    /// @notice The root (the one node of the top level).
    function root(bytes32[][] memory levels) internal pure returns (bytes32) {
        return levels[levels.length - 1][0];
    }

    /// @notice Siblings of leaf `index`, bottom-up (what `MerkleTree.verify` takes).
    function siblings(bytes32[][] memory levels, uint256 index) internal pure returns (bytes32[] memory proof) {
        uint256 depth = levels.length - 1;
        proof = new bytes32[](depth);
        for (uint256 h = 0; h < depth; ++h) {
            proof[h] = levels[h][(index >> h) ^ 1];
        }
    }
}
