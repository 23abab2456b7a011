// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {IHub} from "../../src/interfaces/IHub.sol";
import {MerkleTree} from "../../src/libraries/MerkleTree.sol";
import {PackedState} from "../../src/libraries/PackedState.sol";
import {ParticipantState, StateHash} from "../../src/types/Market.sol";

/// @dev Calldata entry point for the library (the hub calls it on `update`'s calldata).
contract PackedStateHarness {
    function decode(bytes calldata packed, uint256 n) external pure returns (int256[] memory, bytes32) {
        return PackedState.decode(packed, n);
    }

    function check(bytes calldata packed, uint256 n) external pure returns (bytes32) {
        return PackedState.check(packed, n);
    }

    function hash(ParticipantState[] memory s) external pure returns (bytes32) {
        return StateHash.hash(s);
    }

    function unpackCalldata(bytes calldata packed) external pure returns (ParticipantState[] memory) {
        return PackedState.unpackCalldata(packed);
    }
}

/// @notice `Hub.update`'s packed final state: the hash and nets it yields are those of the state it
/// encodes (StateHash.hash, the hash every node signs and every dispute recomputes), for the
/// TypeScript encoder's vectors and for any state; what the hub rejected before it still rejects.
contract PackedStateTest is Test {
    PackedStateHarness internal h = new PackedStateHarness();
    string internal json;

    function setUp() public {
        json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/update.json"));
    }

    function test_Vectors_TypeScriptPackedStates() public view {
        for (uint256 c = 0; c < 3; ++c) {
            string memory p = string.concat(".packedStates[", vm.toString(c), "]");
            bytes memory packed = vm.parseJsonBytes(json, string.concat(p, ".packed"));
            uint256 n = vm.parseJsonUint(json, string.concat(p, ".participants"));
            (int256[] memory nets, bytes32 stateHash) = h.decode(packed, n);
            assertEq(stateHash, vm.parseJsonBytes32(json, string.concat(p, ".stateHash")));
            int256[] memory expected = abi.decode(vm.parseJsonBytes(json, string.concat(p, ".nets")), (int256[]));
            assertEq(nets, expected);
        }
    }

    function testFuzz_DecodeIsTheStateHash(uint256 seed, uint8 count) public view {
        uint256 n = bound(count, 1, 40);
        ParticipantState[] memory s = new ParticipantState[](n);
        int256 sum;
        for (uint256 i = 0; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            // forge-lint: disable-start(unsafe-typecast)
            s[i].exportWh = uint64(r);
            s[i].importWh = uint64(r >> 64);
            s[i].p2pSoldWh = uint64(r >> 128);
            s[i].p2pBoughtWh = uint64(r >> 192);
            s[i].gridSoldWh = uint64(r >> 7);
            s[i].gridBoughtWh = uint64(r >> 77);
            if (i + 1 < n) {
                s[i].net = int256(uint256(keccak256(abi.encode(r))) >> 140) - (int256(1) << 114);
                sum += s[i].net;
            } else {
                s[i].net = -sum;
            }
            // forge-lint: disable-end(unsafe-typecast)
        }
        bytes memory packed = PackedState.pack(s);
        assertEq(packed.length, n * 64);
        (int256[] memory nets, bytes32 stateHash) = h.decode(packed, n);
        assertEq(stateHash, StateHash.hash(s));
        for (uint256 i = 0; i < n; ++i) {
            assertEq(nets[i], s[i].net);
        }
    }

    /// The state hash is the state tree's root (s19): leaf j = keccak256(0x07 ‖ participant j's 64 packed bytes),
    /// the canonical zero-padded tree (`MerkleTree.root`), the same from `decode`, `check` (a game's publication),
    /// `inspect`, `unpack`, `hashPacked` and `StateHash.hash`; one leaf is the root, no participant gives zero.
    function test_StateHashIsTheStateTreeRoot() public view {
        ParticipantState[] memory s = new ParticipantState[](3);
        (s[0].exportWh, s[1].importWh, s[2].gridBoughtWh) = (7, 9, type(uint64).max);
        (s[0].net, s[1].net, s[2].net) = (-type(int128).max, type(int128).max - 5, 5);
        bytes memory packed = PackedState.pack(s);
        bytes32[] memory leaves = new bytes32[](3);
        for (uint256 j; j < 3; ++j) {
            bytes memory one = new bytes(64);
            for (uint256 b; b < 64; ++b) {
                one[b] = packed[64 * j + b];
            }
            leaves[j] = keccak256(abi.encodePacked(bytes1(0x07), one));
            assertEq(PackedState.leaf(s[j]), leaves[j], "leaf");
        }
        bytes32 expected = MerkleTree.root(leaves);
        assertEq(
            expected, MerkleTree.hashPair(MerkleTree.hashPair(leaves[0], leaves[1]), MerkleTree.hashPair(leaves[2], 0))
        );
        assertTrue(expected != keccak256(packed), "not the flat hash of s14");
        assertEq(PackedState.hashPacked(packed), expected);
        ParticipantState[] memory single = new ParticipantState[](1);
        single[0] = s[2];
        assertEq(StateHash.hash(single), leaves[2], "one participant: the leaf");
        assertEq(PackedState.hashPacked(""), bytes32(0), "no participant: zero");
        assertEq(StateHash.hash(s), expected);
        (, bytes32 decoded) = h.decode(packed, 3);
        assertEq(decoded, expected);
        assertEq(h.check(packed, 3), expected);
        (, bytes32 inspected,,) = PackedState.inspect(packed);
        assertEq(inspected, expected);
        (, bytes32 unpacked) = PackedState.unpack(packed);
        assertEq(unpacked, expected);
        (bool ok, bytes32 tried) = StateHash.tryHash(s);
        assertTrue(ok);
        assertEq(tried, expected);
    }

    /// `check` refuses what `decode` refuses: the length, a net of -2^127, an unbalanced state.
    function test_CheckRefusesWhatDecodeRefuses() public {
        ParticipantState[] memory s = new ParticipantState[](2);
        (s[0].net, s[1].net) = (5, -4);
        bytes memory packed = PackedState.pack(s);
        vm.expectRevert(abi.encodeWithSelector(IHub.UnbalancedState.selector, int256(1)));
        h.check(packed, 2);
        vm.expectRevert(abi.encodeWithSelector(IHub.StateLengthMismatch.selector, 3 * 64, 2 * 64));
        h.check(packed, 3);
        (s[0].net, s[1].net) = (type(int128).min, 0);
        vm.expectRevert(abi.encodeWithSelector(IHub.NetOutOfRange.selector, 0));
        h.check(PackedState.pack(s), 2);
    }

    /// A state with a net of -2^127 or outside int128 has no encoding, so no hash: `StateHash.hash` reverts
    /// NetOutOfRange (the first such participant) and `tryHash` says so (a BadStep whose recomputed state is
    /// such a state proves fraud: no committed state is it). Twin of `tryStateHash` (node/src/window/state.ts).
    function test_NoStateHashWithoutAnEncoding() public {
        int256[3] memory wide = [int256(type(int128).min), int256(type(int128).max) + 1, int256(type(int128).min) - 1];
        for (uint256 k = 0; k < wide.length; ++k) {
            ParticipantState[] memory s = new ParticipantState[](2);
            (s[0].net, s[1].net) = (0, wide[k]);
            (bool ok,) = StateHash.tryHash(s);
            assertFalse(ok);
            vm.expectRevert(abi.encodeWithSelector(IHub.NetOutOfRange.selector, 1));
            h.hash(s);
        }
    }

    function test_RevertWhen_LengthIsNotOneStridePerParticipant() public {
        bytes memory packed = PackedState.pack(new ParticipantState[](3));
        vm.expectRevert(abi.encodeWithSelector(IHub.StateLengthMismatch.selector, 4 * 64, 3 * 64));
        h.decode(packed, 4);
        vm.expectRevert(abi.encodeWithSelector(IHub.StateLengthMismatch.selector, 3 * 64, 3 * 64 + 1));
        h.decode(bytes.concat(packed, hex"00"), 3);
    }

    /// @dev -2^127 is the one packed net whose negation does not fit in int128 (pending nets are stored
    /// as int128 and a debtor's debt is -net): rejected, as the ABI path rejected |net| > int128 max.
    function test_RevertWhen_NetIsInt128Min() public {
        ParticipantState[] memory s = new ParticipantState[](2);
        s[0].net = type(int128).max;
        s[1].net = -type(int128).max;
        bytes memory packed = PackedState.pack(s);
        h.decode(packed, 2);
        packed[64 + 63] = 0x00; // -(2^127 - 1) = 0x80…01 → 0x80…00
        vm.expectRevert(abi.encodeWithSelector(IHub.NetOutOfRange.selector, 1));
        h.decode(packed, 2);
    }

    function test_RevertWhen_Unbalanced() public {
        ParticipantState[] memory s = new ParticipantState[](2);
        s[0].net = 5;
        s[1].net = -4;
        vm.expectRevert(abi.encodeWithSelector(IHub.UnbalancedState.selector, int256(1)));
        h.decode(PackedState.pack(s), 2);
    }

    function test_RevertWhen_PackingANetBeyondInt128() public {
        ParticipantState[] memory s = new ParticipantState[](1);
        s[0].net = int256(type(int128).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(IHub.NetOutOfRange.selector, 0));
        this.packExternal(s);
    }

    /// `unpack` (a BadStep proof's S_{t-1}) gives back the very state that was packed, and its hash is
    /// StateHash.hash of it; it judges nothing (an unbalanced state, any net in int128 range).
    function testFuzz_UnpackIsTheState(uint256 seed, uint8 count) public pure {
        uint256 n = bound(count, 0, 40);
        ParticipantState[] memory s = new ParticipantState[](n);
        for (uint256 i = 0; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            // forge-lint: disable-start(unsafe-typecast)
            s[i] = ParticipantState(
                uint64(r), uint64(r >> 64), uint64(r >> 128), uint64(r >> 192), uint64(r >> 7), uint64(r >> 77), 0
            );
            s[i].net = int256(int128(uint128(uint256(keccak256(abi.encode(r))))));
            // forge-lint: disable-end(unsafe-typecast)
        }
        (ParticipantState[] memory u, bytes32 stateHash) = PackedState.unpack(PackedState.pack(s));
        assertEq(stateHash, StateHash.hash(s));
        assertEq(keccak256(abi.encode(u)), keccak256(abi.encode(s)));
        assertEq(StateHash.hash(u), stateHash);
        // The states live in the hash's preimage: memory allocated after them is not theirs.
        bytes memory after_ = new bytes(64);
        after_[0] = 0xff;
        assertEq(StateHash.hash(u), stateHash, "untouched by later allocations");
    }

    /// A net of -2^127 unpacks as it is (judging it is the caller's); bytes of no whole number of
    /// participants revert as `inspect` does.
    function test_UnpackTakesAnyNetAndRefusesPartialParticipants() public {
        bytes memory minNet = PackedState.pack(new ParticipantState[](1));
        minNet[48] = 0x80; // net (bytes 48..63) = 0x8000…00 = -2^127
        (ParticipantState[] memory u,) = PackedState.unpack(minNet);
        assertEq(u[0].net, type(int128).min);
        vm.expectRevert(abi.encodeWithSelector(IHub.StateLengthMismatch.selector, 64, 65));
        this.unpackExternal(bytes.concat(minNet, hex"00"));
    }

    /// `unpackCalldata` (what a market module's `stepHash` reads) gives the state `unpack` gives, for any blob,
    /// a net of -2^127 and high bits in every field included, and refuses partial participants alike.
    function testFuzz_UnpackCalldataIsUnpack(uint256 seed, uint8 count) public view {
        uint256 n = bound(count, 0, 40);
        bytes memory packed = new bytes(n * PackedState.STRIDE);
        for (uint256 i = 0; i < packed.length; ++i) {
            packed[i] = bytes1(uint8(uint256(keccak256(abi.encode(seed, i)))));
        }
        if (n > 0 && seed % 3 == 0) packed[48] = 0x80; // participant 0's net: -2^127
        (ParticipantState[] memory u,) = PackedState.unpack(packed);
        assertEq(keccak256(abi.encode(h.unpackCalldata(packed))), keccak256(abi.encode(u)));
    }

    function test_UnpackCalldataRefusesPartialParticipants() public {
        vm.expectRevert(abi.encodeWithSelector(IHub.StateLengthMismatch.selector, 64, 65));
        h.unpackCalldata(new bytes(65));
    }

    /// The state hash of fields with dirty high bits in memory (a struct written by assembly) is the hash of the
    /// fields' own bytes: the encoder masks each uint64 to its 8 bytes.
    function test_HashMasksEachFieldToItsBytes() public pure {
        ParticipantState[] memory s = new ParticipantState[](1);
        s[0] = ParticipantState(1, 2, 3, 4, 5, 6, -7);
        bytes32 clean = StateHash.hash(s);
        ParticipantState memory p = s[0];
        assembly ("memory-safe") {
            for { let f := 0 } lt(f, 6) { f := add(f, 1) } {
                let at := add(p, mul(f, 0x20))
                mstore(at, or(shl(64, not(0)), mload(at)))
            }
        }
        assertEq(StateHash.hash(s), clean);
    }

    function unpackExternal(bytes memory packed) external pure returns (ParticipantState[] memory s, bytes32 h_) {
        return PackedState.unpack(packed);
    }

    function packExternal(ParticipantState[] memory s) external pure returns (bytes memory) {
        return PackedState.pack(s);
    }
}
