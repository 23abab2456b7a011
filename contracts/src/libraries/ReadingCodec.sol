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

    /// @dev Byte offsets of the words the decoders load: w0 = bytes 0..31 (domain, version), w1 = bytes
    /// 18..49 (chainId, hub), w2 = bytes 46..77 (communityId .. importWh; the 8 bytes past the end of
    /// the 70 are never read out of it).
    uint256 private constant WORD1 = 18;
    uint256 private constant WORD2 = 46;

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
        uint256 w0;
        uint256 w1;
        uint256 w2;
        assembly ("memory-safe") {
            w0 := calldataload(b.offset)
            w1 := calldataload(add(b.offset, WORD1))
            w2 := calldataload(add(b.offset, WORD2))
        }
        if (!_hasDomain(w0)) revert ReadingWrongDomain();
        if (_version(w0) != VERSION) revert ReadingWrongVersion(_version(w0));
        _fields(r, w1, w2);
    }

    /// @notice Decodes canonical bytes held in memory without reverting: `ok` is false (and `r` all
    /// zeros) on a wrong length, domain or version, the cases where `decode` reverts.
    /// @dev For callers that must judge bytes a third party supplied (a fraud proof's readings): a
    /// malformed reading there is evidence, not an error.
    function tryDecode(bytes memory b) internal pure returns (bool ok, Reading memory r) {
        if (b.length != ENCODED_LENGTH) return (false, r);
        uint256 w0;
        uint256 w1;
        uint256 w2;
        assembly ("memory-safe") {
            let d := add(b, 0x20)
            w0 := mload(d)
            w1 := mload(add(d, WORD1))
            w2 := mload(add(d, WORD2))
        }
        if (!_hasDomain(w0) || _version(w0) != VERSION) return (false, r);
        ok = true;
        _fields(r, w1, w2);
    }

    /// @dev Whether bytes 0..16 of the encoding (the top of `w0`) are `DOMAIN`.
    function _hasDomain(uint256 w0) private pure returns (bool) {
        return bytes17(bytes32(w0)) == DOMAIN;
    }

    /// @dev Byte 17 of the encoding.
    function _version(uint256 w0) private pure returns (uint8) {
        // Keeps the low byte of w0 >> 112: byte 17 of the encoding, the version field.
        // forge-lint: disable-next-line(unsafe-typecast)
        return uint8(w0 >> 112);
    }

    /// @dev Writes into `r` the fields from w1 (bytes 18..49) and w2 (bytes 46..77), big-endian.
    function _fields(Reading memory r, uint256 w1, uint256 w2) private pure {
        // Each truncation keeps exactly one fixed-width field of the layout (the bits above and below
        // belong to the neighbouring fields).
        // forge-lint: disable-start(unsafe-typecast)
        r.chainId = uint64(w1 >> 192);
        r.hub = address(uint160(w1 >> 32));
        r.communityId = uint64(w2 >> 192);
        r.meterIndex = uint32(w2 >> 160);
        r.interval = uint32(w2 >> 128);
        r.exportWh = uint32(w2 >> 96);
        r.importWh = uint32(w2 >> 64);
        // forge-lint: disable-end(unsafe-typecast)
    }
}
