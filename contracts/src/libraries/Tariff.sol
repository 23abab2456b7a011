// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarketKind, MarketParams} from "../types/Market.sol";

/// @notice A time-of-use grid tariff fixed at open (DESIGN.md §3): grid buy and sell prices (token units
/// per kWh) by local hour of day, for weekdays (Monday–Friday) and weekend days; local time is UTC plus a
/// fixed offset, no daylight-saving switch. Twin of `Tariff` in `node/src/window/tariff.ts`.
/// @dev A community commits to one by `MarketParams.tariffHash = Tariff.hash(t)`; a bad-step proof carries
/// `abi.encode(t)` (97 words), which the verifier hashes and decodes.
struct TouTariff {
    /// Minutes added to UTC to get local time, within ±840 (±14 h).
    int32 utcOffsetMinutes;
    /// Index = local hour (0–23).
    uint128[24] weekdayBuy;
    uint128[24] weekdaySell;
    uint128[24] weekendBuy;
    uint128[24] weekendSell;
}

/// @title Tariff
/// @notice The grid prices in force for an interval under a time-of-use tariff, and the market parameters
/// that follow from them; twin of `pricesAt`, `tariffHash`, `tariffCeilings` and `paramsSchedule` in
/// `node/src/window/tariff.ts`, tied by `contracts/test/vectors/tariff.json`.
library Tariff {
    /// @notice Largest |utcOffsetMinutes| a tariff may have (UTC+14, Line Islands; UTC−12 is within it).
    int256 internal constant MAX_OFFSET_MINUTES = 840;

    /// @notice tariffHash(t) = keccak256(abi.encode(t)).
    function hash(TouTariff memory t) internal pure returns (bytes32) {
        return keccak256(abi.encode(t));
    }

    /// @notice The grid prices in force at `unixSeconds`: local = unixSeconds + 60·utcOffsetMinutes; hour =
    /// floor(local mod 86,400 / 3,600); day = floor(local / 86,400), whose weekday is (day + 4) mod 7
    /// (0 = Sunday: 1970-01-01 was a Thursday); Saturday and Sunday take the weekend prices. Floor division
    /// and non-negative remainders throughout, so a local time before 1970 is priced like any other.
    /// @param unixSeconds Below 2^64 (an interval start: the hub bounds every schedule by uint64).
    function pricesAt(TouTariff memory t, uint256 unixSeconds) internal pure returns (uint128 buy, uint128 sell) {
        (uint256 hour, bool weekend) = localHour(t.utcOffsetMinutes, unixSeconds);
        if (weekend) return (t.weekendBuy[hour], t.weekendSell[hour]);
        return (t.weekdayBuy[hour], t.weekdaySell[hour]);
    }

    /// @notice Local hour (0–23) and whether the local day is a Saturday or Sunday.
    function localHour(int32 utcOffsetMinutes, uint256 unixSeconds) internal pure returns (uint256 hour, bool weekend) {
        // unixSeconds < 2^64 and |offset| < 2^31 minutes: the sum fits int256 with room to spare.
        // forge-lint: disable-next-line(unsafe-typecast)
        int256 local = int256(unixSeconds) + int256(utcOffsetMinutes) * 60;
        int256 day = local / 86_400;
        int256 second = local % 86_400;
        if (second < 0) {
            second += 86_400;
            --day;
        }
        // 0 <= second < 86,400.
        // forge-lint: disable-next-line(unsafe-typecast)
        hour = uint256(second) / 3600;
        int256 weekday = (day + 4) % 7;
        if (weekday < 0) weekday += 7;
        weekend = weekday == 0 || weekday == 6;
    }

    /// @notice The highest buy price and the highest sell price of any hour: what `MarketParams.gridBuyPrice`
    /// and `gridSellPrice` hold for a community with this tariff (the bounds at open use them).
    function ceilings(TouTariff memory t) internal pure returns (uint128 maxBuy, uint128 maxSell) {
        for (uint256 h; h < 24; ++h) {
            maxBuy = _max(maxBuy, _max(t.weekdayBuy[h], t.weekendBuy[h]));
            maxSell = _max(maxSell, _max(t.weekdaySell[h], t.weekendSell[h]));
        }
    }

    /// @notice The market parameters in force for the interval starting at `startSeconds` (twin of
    /// `paramsSchedule`): `m` with the tariff's grid prices of that hour, except for Totals, which nets the
    /// whole window and keeps the flat prices of `m`. Returns a copy; `m` is not modified.
    function paramsAt(MarketParams memory m, TouTariff memory t, uint256 startSeconds)
        internal
        pure
        returns (MarketParams memory p)
    {
        p = MarketParams(m.kind, m.gridBuyPrice, m.gridSellPrice, m.feederCapacityWh, m.limitsHash, m.tariffHash);
        if (m.kind != MarketKind.Totals) (p.gridBuyPrice, p.gridSellPrice) = pricesAt(t, startSeconds);
    }

    function _max(uint128 a, uint128 b) private pure returns (uint128) {
        return a > b ? a : b;
    }
}
