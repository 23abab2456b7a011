// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Meter} from "../../src/types/Community.sol";
import {MeterRecordOpening} from "../../src/types/Dispute.sol";
import {MerkleTree} from "../../src/libraries/MerkleTree.sol";
import {MeterRegistry} from "../../src/libraries/MeterRegistry.sol";

/// @notice The tests' meter registry (a memory twin of `MeterRegistry.root`, which reads calldata): the root
/// of a meter list and a record's opening under it.
library MeterRecords {
    function leaves(Meter[] memory ms) internal pure returns (bytes32[] memory ls) {
        ls = new bytes32[](ms.length);
        for (uint256 k = 0; k < ms.length; ++k) {
            // forge-lint: disable-next-line(unsafe-typecast)
            ls[k] = MeterRegistry.leafOf(uint32(k), ms[k]);
        }
    }

    function root(Meter[] memory ms) internal pure returns (bytes32) {
        return MerkleTree.root(leaves(ms));
    }

    /// @notice Meter k's record opened under `root(ms)` (siblings bottom-up, depth(M) of them).
    function opening(Meter[] memory ms, uint256 k) internal pure returns (MeterRecordOpening memory r) {
        bytes32[] memory ls = leaves(ms);
        uint256 depth = MerkleTree.depth(ls.length);
        bytes32[] memory level = new bytes32[](uint256(1) << depth);
        for (uint256 i = 0; i < ls.length; ++i) {
            level[i] = ls[i];
        }
        bytes32[] memory path = new bytes32[](depth);
        uint256 index = k;
        for (uint256 d = 0; d < depth; ++d) {
            path[d] = level[index ^ 1];
            for (uint256 i = 0; i < level.length >> (d + 1); ++i) {
                level[i] = MerkleTree.hashPair(level[2 * i], level[2 * i + 1]);
            }
            index >>= 1;
        }
        Meter memory m = ms[k];
        // forge-lint: disable-next-line(unsafe-typecast)
        r = MeterRecordOpening(uint32(k), m.owner, m.scheme, m.publicKey, path);
    }
}
