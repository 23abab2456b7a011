// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {IHub} from "../../src/interfaces/IHub.sol";
import {Balances} from "../../src/libraries/Balances.sol";
import {MeterRegistry} from "../../src/libraries/MeterRegistry.sol";
import {OpenCodec} from "../../src/libraries/OpenCodec.sol";
import {Settlement} from "../../src/libraries/Settlement.sol";
import {SignerBitmap} from "../../src/libraries/SignerBitmap.sol";
import {Meter} from "../../src/types/Community.sol";

/// @dev `Settlement`'s open decoding reads calldata: called through this harness, as `Hub.open` does.
contract OpenListsHarness {
    function genesisRoot(bytes calldata participants, uint256 escrow) external pure returns (bytes32, uint256) {
        return Settlement.genesisRoot(participants, escrow);
    }

    function meterRoot(bytes calldata meters, uint256 participantCount, uint256 schemeCount)
        external
        pure
        returns (bytes32, uint256)
    {
        return Settlement.meterRoot(meters, participantCount, schemeCount);
    }

    function registryRoot(Meter[] calldata meters) external pure returns (bytes32) {
        return MeterRegistry.root(meters);
    }

    function meterAt(bytes calldata meters, uint256 at)
        external
        pure
        returns (uint8, uint16, uint256, bytes32, uint256)
    {
        return OpenCodec.meterAt(meters, at);
    }
}

/// @notice The packed lists of `Hub.open` (`OpenCodec`): the vectors TypeScript writes (`open.json`, by
/// node/src/vectors/open.ts) replayed — the same bytes from the same lists, the same roots from the same bytes —
/// and every malformed list refused by name. `HubTest` sends the same attacks through `open`.
contract OpenCodecTest is Test {
    OpenListsHarness internal h = new OpenListsHarness();

    function test_Vectors_OpenLists() public view {
        string memory json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/open.json"));
        uint256 count = vm.parseJsonUint(json, ".count");
        assertGt(count, 0);
        for (uint256 c = 0; c < count; ++c) {
            string memory at = string.concat(".cases[", vm.toString(c), "]");
            uint256 n = _replayParticipants(json, at);
            _replayMeters(json, at, n);
        }
    }

    function _replayParticipants(string memory json, string memory at) internal view returns (uint256) {
        address[] memory participants = vm.parseJsonAddressArray(json, string.concat(at, ".participants"));
        uint256 escrow = vm.parseJsonUint(json, string.concat(at, ".escrow"));
        bytes memory packed = vm.parseJsonBytes(json, string.concat(at, ".packedParticipants"));
        assertEq(OpenCodec.encodeParticipants(participants), packed, "participants bytes");
        (bytes32 genesis, uint256 n) = h.genesisRoot(packed, escrow);
        assertEq(genesis, vm.parseJsonBytes32(json, string.concat(at, ".genesisRoot")), "genesis root");
        assertEq(genesis, Balances.root(Balances.genesis(participants, escrow), 0), "the genesis of the list");
        assertEq(n, participants.length);
        return n;
    }

    function _replayMeters(string memory json, string memory at, uint256 n) internal view {
        uint256[] memory owners = vm.parseJsonUintArray(json, string.concat(at, ".owners"));
        uint256[] memory schemes = vm.parseJsonUintArray(json, string.concat(at, ".schemes"));
        bytes[] memory keys = vm.parseJsonBytesArray(json, string.concat(at, ".keys"));
        Meter[] memory ms = new Meter[](owners.length);
        for (uint256 k = 0; k < owners.length; ++k) {
            // forge-lint: disable-next-line(unsafe-typecast)
            ms[k] = Meter(keys[k], uint8(schemes[k]), uint32(owners[k]));
        }
        bytes memory packed = vm.parseJsonBytes(json, string.concat(at, ".packedMeters"));
        assertEq(OpenCodec.encodeMeters(ms), packed, "meters bytes");
        (bytes32 root, uint256 m) = h.meterRoot(packed, n, 3);
        assertEq(root, vm.parseJsonBytes32(json, string.concat(at, ".meterRoot")), "meter root");
        assertEq(root, h.registryRoot(ms), "the registry's root of the decoded list");
        assertEq(m, ms.length);
    }

    /// An address cut short: the list is not a whole number of addresses (a participant with 19 bytes, or a
    /// list whose last address would be read past the calldata).
    function test_RevertWhen_ParticipantsNotWholeAddresses() public {
        bytes memory list = bytes.concat(bytes20(address(1)), bytes20(address(2)), bytes19(0));
        vm.expectRevert(abi.encodeWithSelector(IHub.MalformedParticipants.selector, 59));
        h.genesisRoot(list, 1);
        vm.expectRevert(IHub.NoParticipants.selector);
        h.genesisRoot("", 1);
    }

    /// More participants than a signer bitmap holds, packed.
    function test_RevertWhen_TooManyPackedParticipants() public {
        uint256 max = SignerBitmap.MAX_PARTICIPANTS;
        bytes memory list = new bytes(20 * (max + 1));
        vm.expectRevert(abi.encodeWithSelector(IHub.TooManyParticipants.selector, max + 1, max));
        h.genesisRoot(list, 1);
    }

    /// A zero address and a duplicate, packed: the checks run on the decoded addresses.
    function test_RevertWhen_PackedParticipantZeroOrTwice() public {
        vm.expectRevert(abi.encodeWithSelector(IHub.ZeroParticipant.selector, 1));
        h.genesisRoot(bytes.concat(bytes20(address(7)), bytes20(0)), 1);
        vm.expectRevert(abi.encodeWithSelector(IHub.DuplicateParticipant.selector, address(7)));
        h.genesisRoot(bytes.concat(bytes20(address(7)), bytes20(address(8)), bytes20(address(7))), 1);
    }

    /// A list that ends inside a record header, or inside a key: never read as a shorter key or a default.
    function test_RevertWhen_MetersEndInsideARecord() public {
        bytes memory one = bytes.concat(bytes1(0), bytes2(0), bytes1(0x20), bytes32(uint256(1)));
        (, uint256 m) = h.meterRoot(one, 1, 1);
        assertEq(m, 1);
        // Header cut: 3 bytes after a whole record.
        vm.expectRevert(abi.encodeWithSelector(IHub.MalformedMeters.selector, 36));
        h.meterRoot(bytes.concat(one, bytes3(0)), 1, 1);
        // Key cut: a record announcing 32 key bytes with 31.
        bytes memory cut = bytes.concat(bytes1(0), bytes2(0), bytes1(0x20), bytes31(0));
        vm.expectRevert(abi.encodeWithSelector(IHub.MalformedMeters.selector, 0));
        h.meterRoot(cut, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(IHub.MalformedMeters.selector, 36));
        h.meterRoot(bytes.concat(one, cut), 1, 1);
        // No meter at all.
        vm.expectRevert(IHub.NoMeters.selector);
        h.meterRoot("", 1, 1);
    }

    /// A record's owner past the participants (uint16 field, both bytes read) and a key over the bound.
    function test_RevertWhen_PackedMeterOwnerOrKeyOutOfRange() public {
        bytes memory key = bytes.concat(bytes32(uint256(1)));
        bytes memory owner256 = bytes.concat(bytes1(0), bytes2(uint16(256)), bytes1(0x20), key);
        vm.expectRevert(abi.encodeWithSelector(IHub.MeterOwnerOutOfRange.selector, 0, uint32(256)));
        h.meterRoot(owner256, 256, 1);
        (, uint256 m) = h.meterRoot(owner256, 257, 1);
        assertEq(m, 1);
        bytes memory longKey = bytes.concat(bytes1(0), bytes2(0), bytes1(uint8(65)), new bytes(65));
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidMeterKey.selector, 0));
        h.meterRoot(longKey, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(IHub.MeterSchemeOutOfRange.selector, 0, uint8(1)));
        h.meterRoot(bytes.concat(bytes1(uint8(1)), bytes2(0), bytes1(0x20), key), 1, 1);
    }

    /// More than MAX_METERS records (of empty keys, the shortest): refused at the first one past the bound.
    function test_RevertWhen_TooManyPackedMeters() public {
        uint256 max = MeterRegistry.MAX_METERS;
        bytes memory list = new bytes(4 * (max + 1));
        vm.expectRevert(abi.encodeWithSelector(IHub.TooManyMeters.selector, max + 1, max));
        h.meterRoot(list, 1, 1);
        assembly ("memory-safe") {
            mstore(list, mul(4, max))
        }
        (, uint256 m) = h.meterRoot(list, 1, 1);
        assertEq(m, max);
    }

    /// The encoder refuses what its fields cannot carry (an owner over 2^16 − 1, a key over 255 bytes).
    function test_RevertWhen_MeterNotEncodable() public {
        Meter[] memory ms = new Meter[](2);
        ms[0] = Meter(new bytes(32), 0, 0);
        ms[1] = Meter(new bytes(32), 0, 65_536);
        vm.expectRevert(abi.encodeWithSelector(IHub.MeterNotEncodable.selector, 1));
        this.encodeMeters(ms);
        ms[1] = Meter(new bytes(256), 0, 1);
        vm.expectRevert(abi.encodeWithSelector(IHub.MeterNotEncodable.selector, 1));
        this.encodeMeters(ms);
    }

    function encodeMeters(Meter[] memory ms) external pure returns (bytes memory) {
        return OpenCodec.encodeMeters(ms);
    }

    /// Decoding a record reads its three header fields and its key where the encoder put them.
    function testFuzz_MeterHeaderRoundTrip(uint8 scheme, uint16 owner, uint8 keyLength, bytes32 seed) public view {
        Meter[] memory ms = new Meter[](1);
        bytes memory key = new bytes(keyLength);
        for (uint256 b = 0; b < keyLength; ++b) {
            key[b] = seed[b % 32];
        }
        ms[0] = Meter(key, scheme, owner);
        (uint8 s, uint16 o, uint256 length, bytes32 keyHash, uint256 next) = h.meterAt(OpenCodec.encodeMeters(ms), 0);
        assertEq(s, scheme);
        assertEq(o, owner);
        assertEq(length, keyLength);
        assertEq(keyHash, keccak256(key));
        assertEq(next, 4 + uint256(keyLength));
    }
}
