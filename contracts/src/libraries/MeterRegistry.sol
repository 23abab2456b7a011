// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Meter} from "../types/Community.sol";
import {MerkleTree} from "./MerkleTree.sol";

/// @title MeterRegistry
/// @notice A community's registered meters as one Merkle root (twin: `node/src/window/meters.ts`). `Hub.open`
/// takes the meter list in calldata (packed, `OpenCodec`), checks it and stores only `meterRoot` and `meterCount`; anyone reads the
/// list from the open transaction's calldata. A proof that needs a meter carries its record and its opening
/// (`MeterRecordOpening`), checked against the root by the dispute verifier (`DisputeVerifier._meter`).
/// @dev Record leaf k = keccak256(0x05 ‖ uint32 k ‖ uint32 owner ‖ uint8 scheme ‖ keccak256(publicKey)): a
/// fixed 42-byte preimage with a domain byte of its own (§4: no reading, inner, interval, absent or meter
/// leaf collides with it) and its index (a record is provable at its own position only, whatever path).
/// The key enters through its hash so the preimage has one length whatever the scheme's key size; the
/// opening carries the key itself (a reading's signature is checked with it). The tree is `MerkleTree`'s:
/// zero-padded to 2^depth(M) leaves, siblings ordered by index bits.
library MeterRegistry {
    /// @notice Domain byte of a meter record leaf.
    uint8 internal constant RECORD_DOMAIN = 0x05;
    /// @notice Longest meter public key `open` accepts (P-256: 64 bytes; Ed25519: 32).
    uint256 internal constant MAX_KEY_LENGTH = 64;
    /// @notice Most meters a community registers: 2^10, so a record opening and a readings-tree path have at
    /// most 10 siblings and the game's meter level at most 10 reveals and 10 picks. `open`'s calldata carries the
    /// list packed (`OpenCodec`: 36 bytes per Ed25519 meter, 68 per P-256), so even 1,024 P-256 meters and 1,024
    /// participants fit a relayed transaction (91,012 bytes, `GameWideGasTest`); the proofs grow with log M.
    uint256 internal constant MAX_METERS = 1024;

    /// @notice Leaf of meter `index`'s record.
    function leaf(uint32 index, uint32 owner, uint8 scheme, bytes32 keyHash) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, shl(248, RECORD_DOMAIN))
            mstore(add(m, 1), shl(224, index))
            mstore(add(m, 5), shl(224, owner))
            mstore(add(m, 9), shl(248, scheme))
            mstore(add(m, 10), keyHash)
            h := keccak256(m, 42)
        }
    }

    /// @notice Leaf of meter `index` registered as `m`.
    function leafOf(uint32 index, Meter memory m) internal pure returns (bytes32) {
        return leaf(index, m.owner, m.scheme, keccak256(m.publicKey));
    }

    /// @notice Root over the records of `meters` (their count at most MAX_METERS, checked by the caller).
    function root(Meter[] calldata meters) internal pure returns (bytes32) {
        uint256 count = meters.length;
        bytes32[] memory level = new bytes32[](uint256(1) << MerkleTree.depth(count));
        for (uint256 k = 0; k < count; ++k) {
            Meter calldata m = meters[k];
            // k < count <= MAX_METERS.
            // forge-lint: disable-next-line(unsafe-typecast)
            level[k] = leaf(uint32(k), m.owner, m.scheme, keccak256(m.publicKey));
        }
        return MerkleTree.rootOfPadded(level);
    }
}
