// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Meter} from "../types/Community.sol";

/// @title MeterTable
/// @notice A community's registered meters, written once at open as the code of a data contract (the
/// SSTORE2 pattern) instead of storage: the hub keeps only its address, pushes that address to the
/// dispute verifier, and the verifier reads the few records it needs with EXTCODECOPY.
/// @dev Code = 0x00 (STOP: the table cannot be called) ‖ M records of RECORD_LENGTH bytes:
/// scheme (uint8) ‖ owner (uint32) ‖ key length (uint16) ‖ 0x00 ‖ key (left-aligned, zero-padded to 64).
library MeterTable {
    /// @notice Thrown when writing the table failed (its code could not be deployed).
    error MeterTableWriteFailed();
    /// @notice Thrown when a meter index is past the end of the table.
    error MeterIndexOutOfRange(uint256 index, uint256 count);

    uint256 internal constant RECORD_LENGTH = 72;
    uint256 internal constant MAX_KEY_LENGTH = 64;
    /// @notice Most meters a table holds: its code must fit in EIP-170's 24,576 bytes.
    uint256 internal constant MAX_METERS = (24_576 - 1) / RECORD_LENGTH;

    /// @notice Deploys the table of `meters` (keys at most MAX_KEY_LENGTH bytes, at most MAX_METERS, both
    /// checked by the caller).
    function write(Meter[] calldata meters) internal returns (address table) {
        uint256 meterCount = meters.length;
        bytes memory code = new bytes(1 + meterCount * RECORD_LENGTH);
        for (uint256 i = 0; i < meterCount; ++i) {
            Meter calldata m = meters[i];
            bytes calldata key = m.publicKey;
            uint256 header = (uint256(m.scheme) << 248) | (uint256(m.owner) << 216) | (key.length << 200);
            assembly ("memory-safe") {
                let p := add(add(code, 0x21), mul(i, RECORD_LENGTH))
                mstore(p, header)
                calldatacopy(add(p, 8), key.offset, key.length)
            }
        }
        // Initcode: PUSH2 len, DUP1, PUSH1 10, RETURNDATASIZE, CODECOPY, RETURNDATASIZE, RETURN ‖ code.
        bytes memory init = abi.encodePacked(hex"61", uint16(code.length), hex"80600a3d393df3", code);
        assembly ("memory-safe") {
            table := create(0, add(init, 0x20), mload(init))
        }
        if (table == address(0)) revert MeterTableWriteFailed();
    }

    /// @notice Number of meters in `table`.
    function count(address table) internal view returns (uint256) {
        return (table.code.length - 1) / RECORD_LENGTH;
    }

    /// @notice Meter `index` of `table`.
    function get(address table, uint256 index) internal view returns (Meter memory m) {
        uint256 n = count(table);
        if (index >= n) revert MeterIndexOutOfRange(index, n);
        uint256 header;
        bytes memory record = new bytes(RECORD_LENGTH);
        assembly ("memory-safe") {
            extcodecopy(table, add(record, 0x20), add(1, mul(index, RECORD_LENGTH)), RECORD_LENGTH)
            header := mload(add(record, 0x20))
        }
        return _decode(record, 0, header);
    }

    /// @notice Owner (participant index) of meter `index` of `table`: one word of its record.
    function ownerOf(address table, uint256 index) internal view returns (uint32) {
        uint256 n = count(table);
        if (index >= n) revert MeterIndexOutOfRange(index, n);
        uint256 header;
        assembly ("memory-safe") {
            extcodecopy(table, 0, add(1, mul(index, RECORD_LENGTH)), 32)
            header := mload(0)
        }
        // The owner field of the packed header.
        // forge-lint: disable-next-line(unsafe-typecast)
        return uint32(header >> 216);
    }

    /// @notice Every meter of `table`.
    function all(address table) internal view returns (Meter[] memory meters) {
        bytes memory code = table.code;
        uint256 n = (code.length - 1) / RECORD_LENGTH;
        meters = new Meter[](n);
        for (uint256 i = 0; i < n; ++i) {
            uint256 header;
            assembly ("memory-safe") {
                header := mload(add(add(code, 0x21), mul(i, RECORD_LENGTH)))
            }
            meters[i] = _decode(code, 1 + i * RECORD_LENGTH, header);
        }
    }

    function _decode(bytes memory src, uint256 at, uint256 header) private pure returns (Meter memory m) {
        // Truncations read the packed header fields.
        // forge-lint: disable-start(unsafe-typecast)
        m.scheme = uint8(header >> 248);
        m.owner = uint32(header >> 216);
        uint256 keyLength = uint16(header >> 200);
        // forge-lint: disable-end(unsafe-typecast)
        bytes memory key = new bytes(keyLength);
        assembly ("memory-safe") {
            let from := add(add(src, 0x20), add(at, 8))
            mstore(add(key, 0x20), mload(from))
            mstore(add(key, 0x40), mload(add(from, 0x20)))
        }
        m.publicKey = key;
    }
}
