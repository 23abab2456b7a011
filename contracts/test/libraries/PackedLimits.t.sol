// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {IDisputeVerifier} from "../../src/interfaces/IDisputeVerifier.sol";
import {PackedLimits} from "../../src/libraries/PackedLimits.sol";
import {LimitPrices, LimitsHash} from "../../src/types/Auction.sol";

/// @notice A BadStep proof's packed limit prices: every blob of whole participants is exactly one price list
/// (the one packed), so LimitsHash.hash of what the verifier unpacks names what the prover meant; a blob of
/// no whole number of participants is refused by name. The TypeScript twin is tied by
/// `AuctionDisputeTest.test_TypeScriptAuctionProof` (vectors/dispute.json `.auction.packedLimits`).
contract PackedLimitsTest is Test {
    /// @dev Up to 40 pairs of prices from `seed`, each any uint128.
    function _list(uint256 seed, uint8 count) internal pure returns (LimitPrices[] memory l) {
        uint256 n = bound(count, 0, 40);
        l = new LimitPrices[](n);
        for (uint256 i = 0; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            // forge-lint: disable-next-line(unsafe-typecast)
            l[i] = LimitPrices(uint128(r >> 128), uint128(r));
        }
    }

    function testFuzz_UnpackIsTheList(uint256 seed, uint8 count) public pure {
        LimitPrices[] memory l = _list(seed, count);
        uint256 n = l.length;
        bytes memory packed = PackedLimits.pack(l);
        assertEq(packed.length, n * 32);
        LimitPrices[] memory u = PackedLimits.unpack(packed);
        assertEq(keccak256(abi.encode(u)), keccak256(abi.encode(l)));
        assertEq(LimitsHash.hash(u), LimitsHash.hash(l));
    }

    /// Big-endian bid ‖ ask, 16 bytes each.
    function test_Layout() public pure {
        LimitPrices[] memory l = new LimitPrices[](2);
        l[0] = LimitPrices(1, 2);
        l[1] = LimitPrices(type(uint128).max, 0);
        assertEq(
            PackedLimits.pack(l),
            abi.encodePacked(uint128(1), uint128(2), type(uint128).max, uint128(0)),
            "bid then ask, big-endian"
        );
    }

    function test_RevertWhen_NotWholeParticipants() public {
        bytes memory packed = PackedLimits.pack(new LimitPrices[](2));
        vm.expectRevert(abi.encodeWithSelector(IDisputeVerifier.MalformedLimits.selector, 65));
        this.unpackExternal(bytes.concat(packed, hex"00"));
        vm.expectRevert(abi.encodeWithSelector(IDisputeVerifier.MalformedLimits.selector, 31));
        this.unpackExternal(new bytes(31));
    }

    /// `hash` (the auction module's check of a proof's prices, from calldata) is `LimitsHash.hash` of the list the
    /// blob encodes, and `unpackCalldata` is that list; both refuse partial participants as `unpack` does.
    function testFuzz_CalldataHashAndUnpackAreTheList(uint256 seed, uint8 count) public view {
        LimitPrices[] memory l = _list(seed, count);
        bytes memory packed = PackedLimits.pack(l);
        assertEq(this.hashCalldata(packed), LimitsHash.hash(l));
        assertEq(keccak256(abi.encode(this.unpackCalldata(packed))), keccak256(abi.encode(l)));
    }

    function test_RevertWhen_CalldataNotWholeParticipants() public {
        vm.expectRevert(abi.encodeWithSelector(IDisputeVerifier.MalformedLimits.selector, 33));
        this.hashCalldata(new bytes(33));
        vm.expectRevert(abi.encodeWithSelector(IDisputeVerifier.MalformedLimits.selector, 33));
        this.unpackCalldata(new bytes(33));
    }

    function hashCalldata(bytes calldata packed) external pure returns (bytes32) {
        return PackedLimits.hash(packed);
    }

    function unpackCalldata(bytes calldata packed) external pure returns (LimitPrices[] memory) {
        return PackedLimits.unpackCalldata(packed);
    }

    function unpackExternal(bytes memory packed) external pure returns (LimitPrices[] memory) {
        return PackedLimits.unpack(packed);
    }
}
