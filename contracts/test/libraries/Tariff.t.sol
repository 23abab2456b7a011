// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {Tariff, TouTariff} from "../../src/libraries/Tariff.sol";
import {MarketKind, MarketParams} from "../../src/types/Market.sol";
import {AuctionMarketStep} from "../../src/modules/AuctionMarketStep.sol";
import {MarketStep} from "../../src/modules/MarketStep.sol";
import {TariffPublisher} from "../../src/modules/TariffPublisher.sol";

/// @notice The `Tariff` library against TypeScript's `tariff.ts` (vectors/tariff.json, written by
/// scripts/write-vectors.ts): encoding, hash, ceilings and the prices in force at hour, day and week edges
/// under offsets up to ±14 h and at the maximum prices; and the modules' `publishTariff`.
contract TariffTest is Test {
    string internal json;

    function setUp() public {
        json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/tariff.json"));
    }

    function _tariffKey(uint256 k) internal pure returns (string memory) {
        return string.concat(".tariffs[", vm.toString(k), "]");
    }

    function _hours(string memory key) internal view returns (uint128[24] memory out) {
        uint256[] memory raw = vm.parseJsonUintArray(json, key);
        assertEq(raw.length, 24, "24 hourly prices");
        for (uint256 h; h < 24; ++h) {
            out[h] = uint128(raw[h]);
            assertEq(out[h], raw[h], "uint128 price");
        }
    }

    function _tariff(uint256 k) internal view returns (TouTariff memory t) {
        string memory key = _tariffKey(k);
        t.utcOffsetMinutes = int32(vm.parseJsonInt(json, string.concat(key, ".utcOffsetMinutes")));
        t.weekdayBuy = _hours(string.concat(key, ".weekdayBuy"));
        t.weekdaySell = _hours(string.concat(key, ".weekdaySell"));
        t.weekendBuy = _hours(string.concat(key, ".weekendBuy"));
        t.weekendSell = _hours(string.concat(key, ".weekendSell"));
    }

    /// @notice abi.encode, the hash and the ceilings of every vector tariff equal TypeScript's.
    function test_TariffEncodingHashAndCeilingsMatchVectors() public view {
        uint256 n = vm.parseJsonUint(json, ".tariffCount");
        assertGe(n, 7);
        for (uint256 k; k < n; ++k) {
            TouTariff memory t = _tariff(k);
            string memory key = _tariffKey(k);
            bytes memory encoded = vm.parseJsonBytes(json, string.concat(key, ".encoded"));
            assertEq(abi.encode(t), encoded, "abi.encode(TouTariff) = encodeTariff");
            assertEq(encoded.length, 97 * 32, "97 words");
            assertEq(Tariff.hash(t), vm.parseJsonBytes32(json, string.concat(key, ".hash")), "tariffHash");
            assertEq(keccak256(encoded), Tariff.hash(t), "the hash of the proof's bytes");
            (uint128 maxBuy, uint128 maxSell) = Tariff.ceilings(t);
            assertEq(maxBuy, vm.parseJsonUint(json, string.concat(key, ".maxBuy")), "ceiling buy");
            assertEq(maxSell, vm.parseJsonUint(json, string.concat(key, ".maxSell")), "ceiling sell");
        }
    }

    /// @notice pricesAt (and the local hour and day kind) of every vector instant equal TypeScript's.
    function test_PricesAtMatchVectors() public view {
        uint256 n = vm.parseJsonUint(json, ".count");
        assertGe(n, 30, "at least 30 cases");
        uint256 tariffs = vm.parseJsonUint(json, ".tariffCount");
        TouTariff[] memory ts = new TouTariff[](tariffs);
        for (uint256 k; k < tariffs; ++k) {
            ts[k] = _tariff(k);
        }
        for (uint256 c; c < n; ++c) {
            string memory key = string.concat(".cases[", vm.toString(c), "]");
            string memory name = vm.parseJsonString(json, string.concat(key, ".name"));
            TouTariff memory t = ts[vm.parseJsonUint(json, string.concat(key, ".tariff"))];
            uint256 at = vm.parseJsonUint(json, string.concat(key, ".unixSeconds"));
            (uint256 hour, bool weekend) = Tariff.localHour(t.utcOffsetMinutes, at);
            assertEq(hour, vm.parseJsonUint(json, string.concat(key, ".hour")), name);
            assertEq(weekend, vm.parseJsonBool(json, string.concat(key, ".weekend")), name);
            (uint128 buy, uint128 sell) = Tariff.pricesAt(t, at);
            assertEq(buy, vm.parseJsonUint(json, string.concat(key, ".gridBuyPrice")), name);
            assertEq(sell, vm.parseJsonUint(json, string.concat(key, ".gridSellPrice")), name);
        }
    }

    /// @notice The hour and the day kind are periodic: one week later is priced the same, at any offset.
    function testFuzz_PricesAtWeeklyPeriodic(uint64 at, int32 offset) public view {
        offset = int32(bound(offset, -840, 840));
        at = uint64(bound(at, 0, type(uint64).max - 7 days));
        TouTariff memory t = _tariff(6);
        t.utcOffsetMinutes = offset;
        (uint128 b0, uint128 s0) = Tariff.pricesAt(t, at);
        (uint128 b1, uint128 s1) = Tariff.pricesAt(t, uint256(at) + 7 days);
        assertEq(b0, b1);
        assertEq(s0, s1);
        (uint256 hour,) = Tariff.localHour(offset, at);
        assertLt(hour, 24);
    }

    /// @notice paramsAt: Mmr and Auction take the interval's hourly prices, Totals keeps the flat ones, and
    /// every other field is kept.
    function test_ParamsAtPricesMmrAndAuctionNotTotals() public view {
        TouTariff memory t = _tariff(0);
        uint256 saturday13 = 1_704_067_200 + 5 days + 13 hours;
        for (uint8 k; k < 3; ++k) {
            MarketParams memory m = MarketParams(MarketKind(k), 2230, 323, 77, bytes32(uint256(1)), Tariff.hash(t));
            MarketParams memory p = Tariff.paramsAt(m, t, saturday13);
            bool hourly = MarketKind(k) != MarketKind.Totals;
            assertEq(p.gridBuyPrice, hourly ? 2130 : 2230);
            assertEq(p.gridSellPrice, hourly ? 313 : 323);
            assertEq(p.feederCapacityWh, 77);
            assertEq(p.limitsHash, bytes32(uint256(1)));
            assertEq(p.tariffHash, Tariff.hash(t));
            assertEq(uint8(p.kind), k);
            assertEq(m.gridBuyPrice, 2230, "m unchanged");
        }
    }

    /// @notice Every market module publishes a tariff under the hash a community commits to.
    function test_PublishTariffEmitsPreimage() public {
        TouTariff memory t = _tariff(5);
        TariffPublisher[3] memory modules = [
            TariffPublisher(new MarketStep(MarketKind.Totals)),
            TariffPublisher(new MarketStep(MarketKind.Mmr)),
            TariffPublisher(new AuctionMarketStep())
        ];
        for (uint256 i; i < 3; ++i) {
            vm.expectEmit(true, false, false, true, address(modules[i]));
            emit TariffPublisher.TariffPublished(Tariff.hash(t), t);
            assertEq(modules[i].publishTariff(t), Tariff.hash(t));
        }
    }

    /// @notice A tariff beyond ±14 h is refused at publication (no node could read it back as valid).
    function test_RevertWhen_PublishTariffOffsetOutOfRange() public {
        MarketStep module = new MarketStep(MarketKind.Mmr);
        TouTariff memory t = _tariff(0);
        t.utcOffsetMinutes = 841;
        vm.expectRevert(abi.encodeWithSelector(TariffPublisher.TariffOffsetOutOfRange.selector, int32(841)));
        module.publishTariff(t);
        t.utcOffsetMinutes = -841;
        vm.expectRevert(abi.encodeWithSelector(TariffPublisher.TariffOffsetOutOfRange.selector, int32(-841)));
        module.publishTariff(t);
        t.utcOffsetMinutes = -840;
        module.publishTariff(t);
    }
}
