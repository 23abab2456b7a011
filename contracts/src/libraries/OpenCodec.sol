// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHub} from "../interfaces/IHub.sol";
import {CommunityConfig, Meter, OpenConfig} from "../types/Community.sol";
import {SignerBitmap} from "./SignerBitmap.sol";

/// @title OpenCodec
/// @notice The compact encoding of `Hub.open`'s two lists (DESIGN.md §5.1; twin: `node/src/chain/openCodec.ts`,
/// vectors `open.json`). The ABI's `address[]` and `Meter[]` cost 32 bytes per address and about 192 per
/// Ed25519 meter: 224,900 bytes of calldata at N = M = 1,000, over the 131,072 bytes clients relay. Packed:
/// - participants: N × 20 bytes, participant i's address at [20 i, 20 i + 20);
/// - meters: M records one after another, record k = uint8 scheme ‖ uint16 owner ‖ uint8 keyLength ‖ key
///   (keyLength bytes, at most `MeterRegistry.MAX_KEY_LENGTH`): 36 bytes per Ed25519 meter, 68 per P-256.
/// Every record carries its own length and the list must end exactly at its last record, so one byte string
/// decodes to one list only. The commitments are those of the decoded lists (`Balances.genesis`,
/// `MeterRegistry.leaf`): the node, the disputes and the vectors see the same roots as before.
/// @dev The decoding (`Settlement.listParticipants`, `Settlement.meterRoot`) reads calldata in place; the
/// encoders here build `open`'s argument from the lists (tests, scripts).
library OpenCodec {
    /// @notice Bytes per packed participant address.
    uint256 internal constant ADDRESS_LENGTH = 20;
    /// @notice Bytes of a meter record before its key: scheme (1), owner (2), key length (1).
    uint256 internal constant METER_HEADER = 4;

    /// @notice The number of participants in packed list `list`: 1 to `SignerBitmap.MAX_PARTICIPANTS`
    /// (`NoParticipants`, `TooManyParticipants`), and a whole number of addresses (`MalformedParticipants`).
    function participantCount(bytes calldata list) internal pure returns (uint256 n) {
        uint256 length = list.length;
        if (length % ADDRESS_LENGTH != 0) revert IHub.MalformedParticipants(length);
        n = length / ADDRESS_LENGTH;
        if (n == 0) revert IHub.NoParticipants();
        if (n > SignerBitmap.MAX_PARTICIPANTS) revert IHub.TooManyParticipants(n, SignerBitmap.MAX_PARTICIPANTS);
    }

    /// @notice Participant `i`'s address in packed list `list` (i < its count, checked by the caller).
    function participantAt(bytes calldata list, uint256 i) internal pure returns (address p) {
        assembly ("memory-safe") {
            p := shr(96, calldataload(add(list.offset, mul(i, ADDRESS_LENGTH))))
        }
    }

    /// @notice The meter record at byte `at` of packed list `list`: its scheme, owner, key length, the keccak256
    /// of its key and the byte after it (where the next record starts). `MalformedMeters(at)` when the header or
    /// the key runs past the end of the list.
    function meterAt(bytes calldata list, uint256 at)
        internal
        pure
        returns (uint8 scheme, uint16 owner, uint256 keyLength, bytes32 keyHash, uint256 next)
    {
        uint256 length = list.length;
        if (length < at + METER_HEADER) revert IHub.MalformedMeters(at);
        uint256 header;
        assembly ("memory-safe") {
            header := shr(224, calldataload(add(list.offset, at)))
        }
        // Bytes of a 4-byte word: the casts keep exactly the field.
        // forge-lint: disable-next-line(unsafe-typecast)
        scheme = uint8(header >> 24);
        // forge-lint: disable-next-line(unsafe-typecast)
        owner = uint16(header >> 8);
        keyLength = header & 0xff;
        next = at + METER_HEADER + keyLength;
        if (length < next) revert IHub.MalformedMeters(at);
        assembly ("memory-safe") {
            // Hashed in scratch memory past the free pointer: nothing allocated per record.
            let m := mload(0x40)
            calldatacopy(m, add(list.offset, add(at, METER_HEADER)), keyLength)
            keyHash := keccak256(m, keyLength)
        }
    }

    /// @notice Packs `participants` (20 bytes each).
    function encodeParticipants(address[] memory participants) internal pure returns (bytes memory out) {
        uint256 n = participants.length;
        // 12 spare bytes: each address is written as a 32-byte word whose last 12 bytes the next one overwrites.
        out = new bytes(n * ADDRESS_LENGTH + 12);
        for (uint256 i = 0; i < n; ++i) {
            address p = participants[i];
            assembly ("memory-safe") {
                mstore(add(add(out, 0x20), mul(i, ADDRESS_LENGTH)), shl(96, p))
            }
        }
        assembly ("memory-safe") {
            mstore(out, mul(n, ADDRESS_LENGTH))
        }
    }

    /// @notice Packs `meters` (scheme ‖ uint16 owner ‖ uint8 key length ‖ key each). Reverts with
    /// `MeterNotEncodable(k)` for an owner above 2^16 − 1 or a key longer than 255 bytes, which the
    /// encoding cannot carry (the hub refuses both anyway: at most 1,024 participants, 64-byte keys).
    function encodeMeters(Meter[] memory meters) internal pure returns (bytes memory out) {
        uint256 count = meters.length;
        uint256 total;
        for (uint256 k = 0; k < count; ++k) {
            Meter memory m = meters[k];
            if (m.owner > type(uint16).max || m.publicKey.length > type(uint8).max) revert IHub.MeterNotEncodable(k);
            total += METER_HEADER + m.publicKey.length;
        }
        out = new bytes(total);
        uint256 at;
        for (uint256 k = 0; k < count; ++k) {
            Meter memory m = meters[k];
            bytes memory key = m.publicKey;
            uint256 header = (uint256(m.scheme) << 24) | (uint256(m.owner) << 8) | key.length;
            assembly ("memory-safe") {
                let dst := add(add(out, 0x20), at)
                mstore8(dst, shr(24, header))
                mstore8(add(dst, 1), shr(16, header))
                mstore8(add(dst, 2), shr(8, header))
                mstore8(add(dst, 3), header)
                mcopy(add(dst, 4), add(key, 0x20), mload(key))
            }
            at += METER_HEADER + key.length;
        }
    }

    /// @notice `open`'s argument for the lists and settings of `c`.
    function encode(CommunityConfig memory c) internal pure returns (OpenConfig memory o) {
        o.participants = encodeParticipants(c.participants);
        o.meters = encodeMeters(c.meters);
        o.intervalSeconds = c.intervalSeconds;
        o.windowIntervals = c.windowIntervals;
        o.start = c.start;
        o.windowCount = c.windowCount;
        o.market = c.market;
        o.token = c.token;
        o.bond = c.bond;
        o.escrow = c.escrow;
        o.challengePeriod = c.challengePeriod;
        o.modules = c.modules;
    }
}
