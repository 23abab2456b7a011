// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice A meter reading: the energy one meter exported and imported during one interval.
struct Reading {
    uint64 chainId;
    address hub;
    uint64 communityId;
    uint32 meterIndex;
    uint32 interval;
    uint32 exportWh;
    uint32 importWh;
}

/// @title ReadingCodec
/// @notice Canonical byte encoding of a meter reading, the bytes a meter signs.
/// @dev Twin of `node/src/reading/encoding.ts`; shared vectors in `contracts/test/vectors/readings.json`
/// keep both identical. Layout (big-endian, 70 bytes): "DIVERSITY.reading" (17) | version (1) |
/// chainId (8) | hub (20) | communityId (8) | meterIndex (4) | interval (4) | exportWh (4) | importWh (4).
library ReadingCodec {
    /// @notice Thrown when encoded bytes are not exactly `ENCODED_LENGTH` long.
    error ReadingWrongLength(uint256 length);
    /// @notice Thrown when the encoded bytes do not start with the reading domain separator.
    error ReadingWrongDomain();
    /// @notice Thrown when the version byte is not `VERSION`.
    error ReadingWrongVersion(uint8 version);

    bytes17 internal constant DOMAIN = "DIVERSITY.reading";
    uint8 internal constant VERSION = 1;
    uint256 internal constant ENCODED_LENGTH = 70;

    /// @notice Canonical encoding of `r`.
    function encode(Reading memory r) internal pure returns (bytes memory) {
        return abi.encodePacked(
            DOMAIN, VERSION, r.chainId, r.hub, r.communityId, r.meterIndex, r.interval, r.exportWh, r.importWh
        );
    }

    /// @notice keccak256 of the canonical encoding (equals `readingHash` in TypeScript).
    function hash(Reading memory r) internal pure returns (bytes32) {
        return keccak256(encode(r));
    }

    /// @notice Decodes canonical bytes, reverting on a wrong length, domain or version.
    function decode(bytes calldata b) internal pure returns (Reading memory r) {
        if (b.length != ENCODED_LENGTH) revert ReadingWrongLength(b.length);
        if (bytes17(b[0:17]) != DOMAIN) revert ReadingWrongDomain();
        if (uint8(b[17]) != VERSION) revert ReadingWrongVersion(uint8(b[17]));
        r.chainId = uint64(bytes8(b[18:26]));
        r.hub = address(bytes20(b[26:46]));
        r.communityId = uint64(bytes8(b[46:54]));
        r.meterIndex = uint32(bytes4(b[54:58]));
        r.interval = uint32(bytes4(b[58:62]));
        r.exportWh = uint32(bytes4(b[62:66]));
        r.importWh = uint32(bytes4(b[66:70]));
    }
}
