// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title WindowCommitment
/// @notice Leaves of the window commitment (DESIGN.md §4); twin of `node/src/window/commitment.ts`.
/// @dev readingLeaf = keccak256(0x00 || encoding || signature) or ABSENT_LEAF;
/// intervalLeaf = keccak256(0x02 || uint32 interval || readingsRoot || stateHash).
library WindowCommitment {
    /// @notice Leaf of a meter slot with no reading.
    bytes32 internal constant ABSENT_LEAF = keccak256("DIVERSITY.absent");

    /// @notice Leaf of a signed reading: its canonical encoding followed by the meter signature.
    function readingLeaf(bytes memory encodedReading, bytes memory signature) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(bytes1(0x00), encodedReading, signature));
    }

    /// @notice Leaf of one interval of the window.
    function intervalLeaf(uint32 interval, bytes32 readingsRoot, bytes32 stateHash) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(bytes1(0x02), interval, readingsRoot, stateHash));
    }
}
