// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ParticipantState, MeterEnergy} from "../types/Market.sol";
import {AuctionParams, LimitPrices, AuctionClearing} from "../types/Auction.sol";
import {Market} from "./Market.sol";
import {ProRata} from "./ProRata.sol";

/// @title Auction
/// @notice The `auction` market step F(S_{t-1}, R_t) -> S_t: a uniform-price double auction per interval
/// over the participants' standing limit prices, with metered quantities (DESIGN.md §3).
/// @dev Twin of `node/src/window/auction.ts` (clearing) and the Auction branch of `node/src/window/market.ts`
/// (the step); the shared vectors in `contracts/test/vectors/auction.json` keep both byte-identical.
/// A pure library taking the interval's grid prices as inputs, so that a market-step module can feed it
/// the prices of a time-of-use tariff; the state is the same `ParticipantState` as the other markets.
///
/// Per participant i: e_i, m_i = sums of its present meters; surplus s_i = max(e_i - m_i, 0) is an ask at
/// max(askPrice_i, gridSellPrice), deficit d_i = max(m_i - e_i, 0) a bid at min(bidPrice_i, gridBuyPrice).
/// Merit order: bids by price descending, asks ascending, equal prices by participant index ascending.
/// Q* = the volume matched walking both books while bid price >= ask price; Q = min(Q*, feederCapacityWh)
/// (0 = no limit). Each side's price levels are filled whole in merit order while they fit in Q; the level
/// where Q runs out (the margin) shares the rest with `ProRata.share` by quantity (remainders to the lowest
/// indices). pb, pa = prices of the last bid and ask levels filled; value = floor(Q * (pb + pa) / 2000);
/// sellers receive share(value, sold), buyers pay share(value, bought): money is conserved exactly.
/// State: exportWh += e_i, importWh += m_i, p2pSoldWh += sold_i, p2pBoughtWh += bought_i,
/// gridSoldWh += s_i - sold_i, gridBoughtWh += d_i - bought_i, net += received_i - paid_i.
///
/// Bounds (as `Market`): interval energy per participant below 2^64 for any array that fits in memory,
/// Q below 2^70 for n <= 64, prices below 2^128: every product below 2^256; cumulative uint64 fields and
/// `net` are checked (panic 0x11; the TypeScript twin throws FIELD_OVERFLOW).
library Auction {
    /// @notice Thrown when the limit prices are not one pair per participant.
    error AuctionLimitsLengthMismatch(uint256 participants, uint256 limits);

    /// @dev One side of the book in merit order: participant indices and their prices in force.
    struct Book {
        uint256[] participant;
        uint256[] price;
    }

    /// @dev Value of Q Wh at the midpoint of pb and pa per kWh = Q * (pb + pa) / 2000.
    uint256 internal constant VALUE_DIVISOR = 2000;

    /// @notice F(S_{t-1}, R_t) -> S_t for the auction market (see the library's notice).
    /// @param p The interval's grid prices and the feeder capacity.
    /// @param prev S_{t-1}, one entry per participant.
    /// @param meterOwner Participant index of each meter.
    /// @param readings This interval's reading of each meter, by meter index.
    /// @param limits Standing limit prices, one pair per participant.
    /// @return next S_t.
    function step(
        AuctionParams memory p,
        ParticipantState[] memory prev,
        uint32[] memory meterOwner,
        MeterEnergy[] memory readings,
        LimitPrices[] memory limits
    ) internal pure returns (ParticipantState[] memory next) {
        (next,) = stepWithClearing(p, prev, meterOwner, readings, limits);
    }

    /// @notice `step`, also returning the interval's clearing (volume, marginal prices, value).
    function stepWithClearing(
        AuctionParams memory p,
        ParticipantState[] memory prev,
        uint32[] memory meterOwner,
        MeterEnergy[] memory readings,
        LimitPrices[] memory limits
    ) internal pure returns (ParticipantState[] memory next, AuctionClearing memory c) {
        (uint256[] memory exported, uint256[] memory imported) =
            Market.participantEnergy(prev.length, meterOwner, readings);
        return stepWithClearingEnergy(p, prev, exported, imported, limits);
    }

    /// @notice F(S_{t-1}, E_t) -> S_t from the interval's energy vector (e_i, m_i per participant): the
    /// core of `step`, and what a step is judged from on chain (DESIGN.md §5). `exported` and `imported`
    /// are consumed (overwritten with the surplus and deficit).
    function stepEnergy(
        AuctionParams memory p,
        ParticipantState[] memory prev,
        uint256[] memory exported,
        uint256[] memory imported,
        LimitPrices[] memory limits
    ) internal pure returns (ParticipantState[] memory next) {
        (next,) = stepWithClearingEnergy(p, prev, exported, imported, limits);
    }

    /// @notice `stepEnergy`, also returning the interval's clearing (volume, marginal prices, value).
    function stepWithClearingEnergy(
        AuctionParams memory p,
        ParticipantState[] memory prev,
        uint256[] memory surplus,
        uint256[] memory deficit,
        LimitPrices[] memory limits
    ) internal pure returns (ParticipantState[] memory next, AuctionClearing memory c) {
        next = new ParticipantState[](prev.length);
        c = _stepInto(p, prev, next, surplus, deficit, limits);
    }

    /// @notice `stepEnergy` writing S_t over S_{t-1}: `state` is S_{t-1} on entry and S_t on return (the
    /// auction module's `stepHash`: no second state in memory, as `Market.stepEnergyInPlace`). The same rule:
    /// `Market.addEnergy` and `Market.addFlows` read each participant's fields before writing them
    /// (`AuctionTest.testFuzz_StepInPlaceAgrees`).
    function stepEnergyInPlace(
        AuctionParams memory p,
        ParticipantState[] memory state,
        uint256[] memory exported,
        uint256[] memory imported,
        LimitPrices[] memory limits
    ) internal pure {
        _stepInto(p, state, state, exported, imported, limits);
    }

    /// @dev Checks the lengths and writes F(prev, E) into `next` (which may be `prev`).
    function _stepInto(
        AuctionParams memory p,
        ParticipantState[] memory prev,
        ParticipantState[] memory next,
        uint256[] memory surplus,
        uint256[] memory deficit,
        LimitPrices[] memory limits
    ) private pure returns (AuctionClearing memory c) {
        uint256 n = prev.length;
        if (limits.length != n) revert AuctionLimitsLengthMismatch(n, limits.length);
        Market.requireEnergyLength(n, surplus, deficit);
        Market.addEnergy(prev, next, surplus, deficit);
        uint256[] memory sold;
        uint256[] memory bought;
        (sold, bought, c) = clear(p, limits, surplus, deficit);
        Market.addFlows(prev, next, surplus, deficit, sold, bought, c.matchedWh, c.value);
    }

    /// @notice Clears one interval from each participant's surplus and deficit (at most one non-zero).
    /// @return sold Wh sold per participant (<= its surplus).
    /// @return bought Wh bought per participant (<= its deficit).
    /// @return c Volume, marginal prices and value.
    function clear(
        AuctionParams memory p,
        LimitPrices[] memory limits,
        uint256[] memory surplus,
        uint256[] memory deficit
    ) internal pure returns (uint256[] memory sold, uint256[] memory bought, AuctionClearing memory c) {
        uint256 n = surplus.length;
        sold = new uint256[](n);
        bought = new uint256[](n);
        Book memory bids = _book(limits, deficit, p.gridBuyPrice, true);
        Book memory asks = _book(limits, surplus, p.gridSellPrice, false);
        uint256 q = _crossedVolume(bids, deficit, asks, surplus);
        if (p.feederCapacityWh != 0 && p.feederCapacityWh < q) q = p.feederCapacityWh;
        if (q == 0) return (sold, bought, c);
        c.matchedWh = q;
        c.marginalBid = _fill(bids, deficit, q, bought);
        c.marginalAsk = _fill(asks, surplus, q, sold);
        c.value = q * (c.marginalBid + c.marginalAsk) / VALUE_DIVISOR;
    }

    /// @dev The orders of one side (quantity > 0) in merit order: bids by price descending, asks by price
    /// ascending, equal prices by participant index ascending. Bids are capped at the grid buy price, asks
    /// floored at the grid sell price.
    /// Each order is one sort key, (rank << 128) | index with rank = price for asks and U128 - price for bids
    /// (prices are capped or floored by a uint128 tariff, so rank < 2^128), and the keys are heap-sorted
    /// ascending: O(k log k) in the worst case whatever prices the members choose (review 4, L3: the insertion
    /// sort it replaces took O(k^2) moves, and a bad-step dispute of a 256-member auction community no longer
    /// fit the 2^24 transaction gas cap). Keys are distinct (indices are), so the order is the merit order
    /// with the index tie-break, byte for byte what the TypeScript twin's stable sort gives.
    function _book(LimitPrices[] memory limits, uint256[] memory quantity, uint256 gridPrice, bool isBid)
        private
        pure
        returns (Book memory b)
    {
        uint256 n = quantity.length;
        uint256[] memory key = new uint256[](n);
        uint256 len;
        for (uint256 i; i < n; ++i) {
            if (quantity[i] == 0) continue;
            uint256 rank;
            if (isBid) {
                uint256 x = limits[i].bidPrice;
                if (x > gridPrice) x = gridPrice;
                rank = type(uint128).max - x;
            } else {
                uint256 x = limits[i].askPrice;
                if (x < gridPrice) x = gridPrice;
                rank = x;
            }
            key[len++] = (rank << 128) | i;
        }
        _heapSort(key, len);
        // The keys become the participants in place; only the prices need an array of their own.
        uint256[] memory price = new uint256[](len);
        for (uint256 k; k < len; ++k) {
            uint256 rank = key[k] >> 128;
            key[k] &= type(uint128).max;
            price[k] = isBid ? type(uint128).max - rank : rank;
        }
        assembly ("memory-safe") {
            // Shrink the keys to the orders placed (len <= n: only the length word changes).
            mstore(key, len)
        }
        b.participant = key;
        b.price = price;
    }

    /// @dev Sorts a[0..len) ascending in place: heapsort, O(len log len) comparisons in every case.
    function _heapSort(uint256[] memory a, uint256 len) private pure {
        if (len < 2) return;
        for (uint256 start = len / 2; start > 0;) {
            --start;
            _siftDown(a, start, len);
        }
        for (uint256 end = len - 1; end > 0; --end) {
            (a[0], a[end]) = (a[end], a[0]);
            _siftDown(a, 0, end);
        }
    }

    /// @dev Restores the max-heap property of a[0..end) below `root`. In assembly: every index is below
    /// end <= a.length (no bounds checks needed) and below 2^64 (no overflow): the checked Solidity version cost
    /// about twice as much, and the sort is most of an auction BadStep (issue 10, DESIGN.md §5.4).
    function _siftDown(uint256[] memory a, uint256 root, uint256 end) private pure {
        assembly ("memory-safe") {
            let base := add(a, 0x20)
            let top := mload(add(base, shl(5, root)))
            for {} 1 {} {
                let child := add(shl(1, root), 1)
                if iszero(lt(child, end)) { break }
                let cv := mload(add(base, shl(5, child)))
                let right := add(child, 1)
                if lt(right, end) {
                    let rv := mload(add(base, shl(5, right)))
                    if gt(rv, cv) {
                        child := right
                        cv := rv
                    }
                }
                if iszero(gt(cv, top)) { break }
                mstore(add(base, shl(5, root)), cv)
                root := child
            }
            mstore(add(base, shl(5, root)), top)
        }
    }

    /// @dev Q*: walks both books in merit order while the bid's price is at least the ask's. The arrays are
    /// held in locals and the counters unchecked (s15: ~780 gas per order at N = 1,000 with the struct's
    /// members read each time): i < nb and j < na index the books, and `volume` is a sum of at most the
    /// smaller side's total, below 2^70 (the library's bounds).
    function _crossedVolume(
        Book memory bids,
        uint256[] memory bidQuantity,
        Book memory asks,
        uint256[] memory askQuantity
    ) private pure returns (uint256 volume) {
        uint256[] memory bidder = bids.participant;
        uint256[] memory bidPrice = bids.price;
        uint256[] memory asker = asks.participant;
        uint256[] memory askPrice = asks.price;
        uint256 nb = bidder.length;
        uint256 na = asker.length;
        if (nb == 0 || na == 0) return 0;
        uint256 i;
        uint256 j;
        uint256 bidLeft = bidQuantity[bidder[0]];
        uint256 askLeft = askQuantity[asker[0]];
        unchecked {
            while (bidPrice[i] >= askPrice[j]) {
                uint256 q = bidLeft < askLeft ? bidLeft : askLeft;
                volume += q;
                bidLeft -= q;
                askLeft -= q;
                if (bidLeft == 0) {
                    if (++i == nb) break;
                    bidLeft = bidQuantity[bidder[i]];
                }
                if (askLeft == 0) {
                    if (++j == na) break;
                    askLeft = askQuantity[asker[j]];
                }
            }
        }
    }

    /// @dev Fills `volume` (> 0, at most the side's total) over the price levels of `b` into `filled` (by
    /// participant) and returns the marginal level's price. The arrays are held in locals (s15, as
    /// `_crossedVolume`); the margin's shares are `ProRata.shareBySum` with the level's quantity as the
    /// weight sum (what `ProRata.share` would add up again).
    function _fill(Book memory b, uint256[] memory quantity, uint256 volume, uint256[] memory filled)
        private
        pure
        returns (uint256 price)
    {
        uint256[] memory who = b.participant;
        uint256[] memory prices = b.price;
        uint256 left = volume;
        uint256 len = who.length;
        uint256 k;
        while (true) {
            price = prices[k];
            uint256 end = k;
            uint256 levelQuantity;
            while (end < len && prices[end] == price) {
                levelQuantity += quantity[who[end]];
                unchecked {
                    ++end;
                }
            }
            if (levelQuantity >= left) {
                uint256[] memory weights = new uint256[](end - k);
                unchecked {
                    for (uint256 x; x < weights.length; ++x) {
                        weights[x] = quantity[who[k + x]];
                    }
                }
                uint256[] memory parts = ProRata.shareBySum(left, weights, levelQuantity);
                unchecked {
                    for (uint256 x; x < weights.length; ++x) {
                        filled[who[k + x]] = parts[x];
                    }
                }
                return price;
            }
            unchecked {
                for (uint256 x = k; x < end; ++x) {
                    uint256 p = who[x];
                    filled[p] = quantity[p];
                }
            }
            left -= levelQuantity;
            k = end;
        }
    }
}
