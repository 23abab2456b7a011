// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {Reading, ReadingCodec} from "../../src/libraries/ReadingCodec.sol";

/// @dev Exposes the calldata decoder to tests (`tryDecode` works on memory and is called directly).
contract ReadingCodecHarness {
    function decode(bytes calldata b) external pure returns (Reading memory) {
        return ReadingCodec.decode(b);
    }
}

/// @notice Replays `vectors/readings.json`, written by the TypeScript side (`npm run vectors`).
contract ReadingCodecTest is Test {
    ReadingCodecHarness internal harness;
    string internal json;
    uint256 internal count;

    function setUp() public {
        harness = new ReadingCodecHarness();
        json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/readings.json"));
        count = vm.parseJsonUint(json, ".count");
    }

    function _vector(uint256 i) internal view returns (Reading memory r, bytes memory encoded, bytes32 h) {
        string memory p = string.concat(".vectors[", vm.toString(i), "]");
        r.chainId = uint64(vm.parseJsonUint(json, string.concat(p, ".chainId")));
        r.hub = vm.parseJsonAddress(json, string.concat(p, ".hub"));
        r.communityId = uint64(vm.parseJsonUint(json, string.concat(p, ".communityId")));
        r.meterIndex = uint32(vm.parseJsonUint(json, string.concat(p, ".meterIndex")));
        r.interval = uint32(vm.parseJsonUint(json, string.concat(p, ".interval")));
        r.exportWh = uint32(vm.parseJsonUint(json, string.concat(p, ".exportWh")));
        r.importWh = uint32(vm.parseJsonUint(json, string.concat(p, ".importWh")));
        encoded = vm.parseJsonBytes(json, string.concat(p, ".encoded"));
        h = vm.parseJsonBytes32(json, string.concat(p, ".hash"));
    }

    function test_VectorsCoverZeroMaxAndSeveralMeters() public view {
        assertGe(count, 20);
        (Reading memory zero,,) = _vector(0);
        assertEq(zero.exportWh, 0);
        assertEq(zero.chainId, 0);
        (Reading memory max,,) = _vector(1);
        assertEq(max.exportWh, type(uint32).max);
        assertEq(max.chainId, type(uint64).max);
    }

    function test_EncodeMatchesVectors() public view {
        for (uint256 i = 0; i < count; i++) {
            (Reading memory r, bytes memory encoded,) = _vector(i);
            assertEq(ReadingCodec.encode(r), encoded, string.concat("encoding of vector ", vm.toString(i)));
        }
    }

    function test_HashMatchesVectors() public view {
        for (uint256 i = 0; i < count; i++) {
            (Reading memory r, bytes memory encoded, bytes32 h) = _vector(i);
            assertEq(ReadingCodec.hash(r), h, string.concat("hash of vector ", vm.toString(i)));
            assertEq(keccak256(encoded), h);
        }
    }

    function test_DecodeMatchesVectors() public view {
        for (uint256 i = 0; i < count; i++) {
            (Reading memory r, bytes memory encoded,) = _vector(i);
            Reading memory d = harness.decode(encoded);
            assertEq(
                keccak256(abi.encode(d)), keccak256(abi.encode(r)), string.concat("decode of vector ", vm.toString(i))
            );
        }
    }

    /// The memory decoder (the dispute verifier's) agrees with the vectors and with `decode`.
    function test_TryDecodeMatchesVectors() public view {
        for (uint256 i = 0; i < count; i++) {
            (Reading memory r, bytes memory encoded,) = _vector(i);
            (bool ok, Reading memory d) = ReadingCodec.tryDecode(encoded);
            assertTrue(ok, string.concat("tryDecode ok of vector ", vm.toString(i)));
            assertEq(
                keccak256(abi.encode(d)),
                keccak256(abi.encode(r)),
                string.concat("tryDecode of vector ", vm.toString(i))
            );
        }
    }

    /// Each vector with one fault (too long, too short, wrong version, wrong domain): `tryDecode`
    /// reports it and returns zeros where `decode` reverts.
    function test_TryDecodeRejectsWhatDecodeRejects() public {
        for (uint256 i = 0; i < count; i++) {
            (, bytes memory encoded,) = _vector(i);
            bytes[4] memory bad;
            bad[0] = bytes.concat(encoded, hex"00");
            bad[1] = new bytes(69);
            for (uint256 k; k < 69; ++k) {
                bad[1][k] = encoded[k];
            }
            bad[2] = bytes.concat(encoded);
            bad[2][17] = 0x02;
            bad[3] = bytes.concat(encoded);
            bad[3][16] = "X";
            for (uint256 k; k < 4; ++k) {
                (bool ok, Reading memory d) = ReadingCodec.tryDecode(bad[k]);
                assertFalse(ok);
                assertEq(keccak256(abi.encode(d)), keccak256(abi.encode(Reading(0, address(0), 0, 0, 0, 0, 0))));
                vm.expectRevert();
                harness.decode(bad[k]);
            }
        }
    }

    /// Bytes that follow the 70 in memory never leak into the decoded fields.
    function testFuzz_TryDecodeIgnoresTrailingMemory(Reading memory r, bytes32 junk) public pure {
        bytes memory enc = ReadingCodec.encode(r);
        bytes memory after_ = abi.encodePacked(junk); // allocated right after `enc`
        (bool ok, Reading memory d) = ReadingCodec.tryDecode(enc);
        assertTrue(ok);
        assertEq(keccak256(abi.encode(d)), keccak256(abi.encode(r)));
        assertEq(after_.length, 32);
    }

    function test_RevertWhen_DecodeWrongLength() public {
        (, bytes memory encoded,) = _vector(2);
        bytes memory longer = bytes.concat(encoded, hex"00");
        vm.expectRevert(abi.encodeWithSelector(ReadingCodec.ReadingWrongLength.selector, 71));
        harness.decode(longer);
    }

    function test_RevertWhen_DecodeWrongVersion() public {
        (, bytes memory encoded,) = _vector(2);
        encoded[17] = 0x02;
        vm.expectRevert(abi.encodeWithSelector(ReadingCodec.ReadingWrongVersion.selector, 2));
        harness.decode(encoded);
    }

    function test_RevertWhen_DecodeWrongDomain() public {
        (, bytes memory encoded,) = _vector(2);
        encoded[0] = "X";
        vm.expectRevert(ReadingCodec.ReadingWrongDomain.selector);
        harness.decode(encoded);
    }

    function testFuzz_EncodeDecodeRoundTrip(Reading memory r) public view {
        Reading memory d = harness.decode(ReadingCodec.encode(r));
        assertEq(keccak256(abi.encode(d)), keccak256(abi.encode(r)));
        (bool ok, Reading memory m) = ReadingCodec.tryDecode(ReadingCodec.encode(r));
        assertTrue(ok);
        assertEq(keccak256(abi.encode(m)), keccak256(abi.encode(r)));
    }

    function testFuzz_AnyFieldChangesHash(Reading memory r, uint32 delta) public pure {
        vm.assume(delta != 0);
        Reading memory s = r;
        bytes32 before = ReadingCodec.hash(r);
        unchecked {
            s.importWh = r.importWh + delta;
        }
        assertTrue(ReadingCodec.hash(s) != before);
    }
}
