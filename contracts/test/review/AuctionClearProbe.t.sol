// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, console2} from "forge-std/Test.sol";
import {AuctionParams, LimitPrices} from "../../src/types/Auction.sol";
import {Auction} from "../../src/libraries/Auction.sol";

// Test code: casts are of small bounded values.
// forge-lint: disable-start(unsafe-typecast)

/// @notice Where an auction BadStep's gas goes (issue 10, DESIGN.md §5.4): `Auction.clear` alone, in this
/// frame, over N members half selling and half buying, for three price layouts. `-vv` prints the figures:
/// `nice -n 19 forge test --match-contract AuctionClearProbeTest -vv`. Nothing asserted but that it runs.
contract AuctionClearProbeTest is Test {
    function _clear(LimitPrices[] memory l, uint256[] memory ex, uint256[] memory im) internal view returns (uint256) {
        uint256 g = gasleft();
        Auction.clear(AuctionParams(250, 50, 0), l, ex, im);
        return g - gasleft();
    }

    function _probe(uint256 n) internal view {
        LimitPrices[] memory l = new LimitPrices[](n);
        uint256[] memory ex = new uint256[](n);
        uint256[] memory im = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            if (i % 2 == 0) ex[i] = 1000 + i;
            else im[i] = 1000 + i;
            l[i] = LimitPrices(250, 50);
        }
        console2.log("N", n);
        console2.log("  one level per side, all crossing", _clear(l, ex, im));
        for (uint256 i; i < n; ++i) {
            uint256 r = (i * 7919) % n;
            l[i] = LimitPrices(uint128(151 + (r * 99) / n), uint128(149 - (r * 99) / n));
        }
        console2.log("  distinct levels, all crossing", _clear(l, ex, im));
        for (uint256 i; i < n; ++i) {
            l[i] = LimitPrices(50, 250);
        }
        console2.log("  nothing crosses (the two sorts only)", _clear(l, ex, im));
    }

    function test_Probe_ClearGas() public view {
        _probe(128);
        _probe(256);
    }
}
