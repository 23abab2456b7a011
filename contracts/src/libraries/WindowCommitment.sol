// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SignedReading} from "../types/Dispute.sol";
import {EnergyVector} from "./EnergyVector.sol";
import {MerkleTree} from "./MerkleTree.sol";
import {Reading, ReadingCodec} from "./ReadingCodec.sol";

/// @title WindowCommitment
/// @notice Leaves of the window commitment (DESIGN.md §4); twin of `node/src/window/commitment.ts`.
/// @dev Every preimage starts with a domain byte of its own, and every variable-length field is
/// length-prefixed, so two different inputs never give the same leaf (no second preimage across leaf
/// kinds or across field boundaries):
/// - readingLeaf  = keccak256(0x00 ‖ uint32 len(encoding) ‖ encoding ‖ uint32 len(signature) ‖ signature)
/// - inner node   = keccak256(0x01 ‖ left ‖ right)                        (MerkleTree.hashPair)
/// - intervalLeaf = keccak256(0x02 ‖ uint32 interval ‖ readingsRoot ‖ energyHash ‖ stateHash ‖ entriesRoot)
/// - ABSENT_LEAF  = keccak256(0x03)                                        (a meter slot with no reading)
/// - meterLeaf    = keccak256(0x04 ‖ slotLeaf ‖ uint64 accExportWh ‖ uint64 accImportWh)
/// Meters are grouped by owner (the hub checks it at open), so the running sum acc_k of meter k (its slot's
/// energy plus acc_{k−1} when meter k−1 has the same owner) at a participant's last meter is that
/// participant's energy for the interval: the entry of the energy vector E_t (`EnergyVector`) committed by
/// energyHash. readingsRoot is the canonical (zero-padded) Merkle root over the M meter leaves. entriesRoot is
/// the interval's `StepEntries` root over the participants' step entries (Totals, Mmr), bytes32(0) in an
/// auction community (no one-participant step); no dispute checks it yet (docs/plans/participant-step.md).
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

    /// @notice Energy of a committed slot: (0, 0) when absent, else the decoded reading's (exportWh, importWh);
    /// `ok` is false when the slot is present but does not decode (an honest claim never commits one).
    function slotEnergy(SignedReading memory slot) internal pure returns (bool ok, uint64 exportWh, uint64 importWh) {
        if (slot.encoded.length == 0 && slot.signature.length == 0) return (true, 0, 0);
        Reading memory r;
        (ok, r) = ReadingCodec.tryDecode(slot.encoded);
        return (ok, r.exportWh, r.importWh);
    }

    /// @notice Leaf of meter k in an interval's readings tree: its slot leaf and its running sums.
    function meterLeaf(bytes32 slotLeaf_, uint64 accExportWh, uint64 accImportWh) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(bytes1(0x04), slotLeaf_, accExportWh, accImportWh));
    }

    /// @notice Leaf of one interval of the window.
    function intervalLeaf(
        uint32 interval,
        bytes32 readingsRoot,
        bytes32 energyHash,
        bytes32 stateHash,
        bytes32 entriesRoot
    ) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(bytes1(0x02), interval, readingsRoot, energyHash, stateHash, entriesRoot));
    }

    /// @notice The honest meter leaves and packed energy vector of one interval: `slots` by meter index
    /// (absent = both fields empty), `owners` the meters' owners (non-decreasing), `participantCount` N.
    /// Tests, tools and vector replays; the chain never rebuilds a whole interval. Reverts on a slot that
    /// does not decode (an honest node never commits one) or an owner out of order or range.
    function meterLeaves(SignedReading[] memory slots, uint32[] memory owners, uint256 participantCount)
        internal
        pure
        returns (bytes32[] memory leaves, bytes memory energy)
    {
        uint256 m = slots.length;
        require(owners.length == m, "WindowCommitment: owners");
        leaves = new bytes32[](m);
        uint256[] memory exported = new uint256[](participantCount);
        uint256[] memory imported = new uint256[](participantCount);
        uint256[2] memory acc;
        for (uint256 k; k < m; ++k) {
            uint32 owner = owners[k];
            require(owner < participantCount && (k == 0 || owners[k - 1] <= owner), "WindowCommitment: owner order");
            if (k == 0 || owners[k - 1] != owner) (acc[0], acc[1]) = (0, 0);
            leaves[k] = _accumulate(slots[k], acc);
            (exported[owner], imported[owner]) = (acc[0], acc[1]);
        }
        energy = EnergyVector.pack(exported, imported);
    }

    /// @dev Adds `slot`'s energy to `acc` (export, import) and returns its meter leaf over the new sums.
    function _accumulate(SignedReading memory slot, uint256[2] memory acc) private pure returns (bytes32) {
        (bool ok, uint64 e, uint64 i) = slotEnergy(slot);
        require(ok, "WindowCommitment: slot");
        acc[0] += e;
        acc[1] += i;
        // Sums of at most MAX_METERS uint32 readings: below 2^64.
        // forge-lint: disable-next-line(unsafe-typecast)
        return meterLeaf(slotLeaf(slot.encoded, slot.signature), uint64(acc[0]), uint64(acc[1]));
    }

    /// @notice readingsRoot of one interval (see `meterLeaves`): the canonical root over the meter leaves.
    function readingsRootOf(SignedReading[] memory slots, uint32[] memory owners, uint256 participantCount)
        internal
        pure
        returns (bytes32)
    {
        (bytes32[] memory leaves,) = meterLeaves(slots, owners, participantCount);
        return MerkleTree.root(leaves);
    }
}
