// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {Reading, ReadingCodec} from "../../src/libraries/ReadingCodec.sol";

/// @dev Exposes the calldata decoder to tests.
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
