// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title EnergyVector
/// @notice The energy vector E_t of an interval (DESIGN.md §4): for each participant j in index order,
/// the energy its meters exported and imported during t, packed `uint64 exportWh ‖ uint64 importWh`
/// (big-endian, STRIDE bytes per participant); committed in the interval leaf as
/// energyHash_t = keccak256(packed E_t). The one home of that packing on chain; twin of
/// `node/src/window/energy.ts`.
/// @dev Entries are the running sums of the participant's last meter (`WindowCommitment.meterLeaf`):
/// at most MeterRegistry.MAX_METERS · (2^32 − 1) Wh honestly, far below 2^64.
library EnergyVector {
    /// @notice Thrown when packed bytes are not a whole number of entries.
    error EnergyVectorLength(uint256 length);

    /// @notice Bytes per participant: uint64 exportWh ‖ uint64 importWh.
    uint256 internal constant STRIDE = 16;

    /// @notice energyHash of a packed vector.
    function hash(bytes memory packed) internal pure returns (bytes32) {
        return keccak256(packed);
    }

    /// @notice Packs one (exportWh, importWh) pair per participant; each value must be below 2^64.
    function pack(uint256[] memory exported, uint256[] memory imported) internal pure returns (bytes memory packed) {
        uint256 n = exported.length;
        packed = new bytes(n * STRIDE);
        for (uint256 j; j < n; ++j) {
            // Callers pass running sums of uint32 readings, below 2^64.
            // forge-lint: disable-next-line(unsafe-typecast)
            uint256 word = (uint256(uint64(exported[j])) << 192) | (uint256(uint64(imported[j])) << 128);
            assembly ("memory-safe") {
                let p := add(add(packed, 0x20), mul(j, STRIDE))
                // Writes 32 bytes: the entry, then 16 zero bytes over the next entry (written next) or past
                // the array's end (free memory, which nothing has claimed yet).
                mstore(p, word)
            }
        }
    }

    /// @notice Unpacks a vector; reverts `EnergyVectorLength` when its length is not a multiple of STRIDE.
    function decode(bytes memory packed) internal pure returns (uint256[] memory exported, uint256[] memory imported) {
        uint256 src;
        assembly ("memory-safe") {
            src := add(packed, 0x20)
        }
        return _decode(src, _count(packed.length), false);
    }

    /// @notice `decode` of a vector in calldata (a market module's `stepHash`: no copy of it into memory).
    function decodeCalldata(bytes calldata packed)
        internal
        pure
        returns (uint256[] memory exported, uint256[] memory imported)
    {
        uint256 src;
        assembly ("memory-safe") {
            src := packed.offset
        }
        return _decode(src, _count(packed.length), true);
    }

    /// @dev The entry count of `len` packed bytes; reverts `EnergyVectorLength` unless whole.
    function _count(uint256 len) private pure returns (uint256) {
        if (len % STRIDE != 0) revert EnergyVectorLength(len);
        return len / STRIDE;
    }

    /// @dev The `n` entries at `src` (memory or calldata) as two columns.
    function _decode(uint256 src, uint256 n, bool fromCalldata)
        private
        pure
        returns (uint256[] memory exported, uint256[] memory imported)
    {
        exported = new uint256[](n);
        imported = new uint256[](n);
        for (uint256 j; j < n; ++j) {
            uint256 word;
            uint256 ptr = src + j * STRIDE;
            assembly ("memory-safe") {
                switch fromCalldata
                case 0 { word := mload(ptr) }
                default { word := calldataload(ptr) }
            }
            (exported[j], imported[j]) = _split(word);
        }
    }

    /// @notice Entry `j` of a packed vector (the caller checks j < length / STRIDE).
    function at(bytes memory packed, uint256 j) internal pure returns (uint64 exportWh, uint64 importWh) {
        (uint256 e, uint256 i) = _entry(packed, j);
        // Each is one 8-byte field of the entry.
        // forge-lint: disable-next-line(unsafe-typecast)
        return (uint64(e), uint64(i));
    }

    function _entry(bytes memory packed, uint256 j) private pure returns (uint256 e, uint256 i) {
        uint256 word;
        assembly ("memory-safe") {
            word := mload(add(add(packed, 0x20), mul(j, STRIDE)))
        }
        return _split(word);
    }

    /// @dev The two fields of the 32-byte word whose first STRIDE bytes are an entry.
    function _split(uint256 word) private pure returns (uint256 e, uint256 i) {
        e = word >> 192;
        i = (word >> 128) & type(uint64).max;
    }
}
