// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SignedReading} from "../types/Dispute.sol";
import {MerkleTree} from "./MerkleTree.sol";

/// @title WindowCommitment
/// @notice Leaves of the window commitment (DESIGN.md §4); twin of `node/src/window/commitment.ts`.
/// @dev Every preimage starts with a domain byte of its own, and every variable-length field is
/// length-prefixed, so two different inputs never give the same leaf (no second preimage across leaf
/// kinds or across field boundaries):
/// - readingLeaf  = keccak256(0x00 ‖ uint32 len(encoding) ‖ encoding ‖ uint32 len(signature) ‖ signature)
/// - inner node   = keccak256(0x01 ‖ left ‖ right)                        (MerkleTree.hashPair)
/// - intervalLeaf = keccak256(0x02 ‖ uint32 interval ‖ readingsRoot ‖ stateHash)
/// - ABSENT_LEAF  = keccak256(0x03)                                        (a meter slot with no reading)
library WindowCommitment {
    /// @notice Leaf of a meter slot with no reading.
    bytes32 internal constant ABSENT_LEAF = keccak256(hex"03");

    /// @notice Leaf of a signed reading: its canonical encoding and the meter signature, each length-prefixed.
    function readingLeaf(bytes memory encodedReading, bytes memory signature) internal pure returns (bytes32) {
        // Lengths of memory byte arrays fit in 32 bits (memory is far below 4 GiB).
        // forge-lint: disable-next-item(unsafe-typecast)
        return keccak256(
            abi.encodePacked(
                bytes1(0x00), uint32(encodedReading.length), encodedReading, uint32(signature.length), signature
            )
        );
    }

    /// @notice Leaf of a slot: ABSENT_LEAF when both fields are empty, else `readingLeaf`.
    function slotLeaf(bytes memory encodedReading, bytes memory signature) internal pure returns (bytes32) {
        if (encodedReading.length == 0 && signature.length == 0) return ABSENT_LEAF;
        return readingLeaf(encodedReading, signature);
    }

    /// @notice readingsRoot over the M `slots` of an interval (slot m = meter m) followed by `padding`,
    /// as the claimant built its readings tree; MerkleTree.root pads the rest with zeros, so an empty
    /// `padding` gives the canonical (honest) tree. Used by BadStep and the game's `Publish`.
    function readingsRootOf(SignedReading[] memory slots, bytes32[] memory padding) internal pure returns (bytes32) {
        uint256 meterCount = slots.length;
        bytes32[] memory leaves = new bytes32[](meterCount + padding.length);
        for (uint256 k; k < meterCount; ++k) {
            leaves[k] = slotLeaf(slots[k].encoded, slots[k].signature);
        }
        for (uint256 k; k < padding.length; ++k) {
            leaves[meterCount + k] = padding[k];
        }
        return MerkleTree.root(leaves);
    }

    /// @notice Leaf of one interval of the window.
    function intervalLeaf(uint32 interval, bytes32 readingsRoot, bytes32 stateHash) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(bytes1(0x02), interval, readingsRoot, stateHash));
    }
}
