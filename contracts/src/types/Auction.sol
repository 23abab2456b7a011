// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice What the auction step needs besides the state and the readings: the grid prices in force for
/// the interval (a time-of-use tariff changes them from one interval to the next) and the feeder.
/// @dev Prices in payment-token base units per kWh, as `MarketParams`.
struct AuctionParams {
    /// Tariff at which the community buys from the grid in this interval: the cap of every bid.
    uint128 gridBuyPrice;
    /// Tariff at which the grid buys the community's export in this interval: the floor of every ask.
    uint128 gridSellPrice;
    /// Energy the feeder can carry between households in one interval (Wh); 0 = no limit.
    uint64 feederCapacityWh;
}

/// @notice A participant's standing limit prices (token units per kWh), set at join and changed by a
/// signed order that takes effect from a later window. Twin of `LimitPrices` in `node/src/window/state.ts`.
struct LimitPrices {
    /// The most it pays per kWh for its metered deficit.
    uint128 bidPrice;
    /// The least it accepts per kWh for its metered surplus.
    uint128 askPrice;
}

/// @notice The outcome of one interval's auction, beside the new state (for tests, tools and events).
struct AuctionClearing {
    /// Matched volume Q (Wh) = sum of sold = sum of bought.
    uint256 matchedWh;
    /// Price of the last bid level and of the last ask level that received any volume (0 if Q = 0).
    uint256 marginalBid;
    uint256 marginalAsk;
    /// floor(Q * (marginalBid + marginalAsk) / 2000): the token value paid by buyers to sellers.
    uint256 value;
}

/// @title LimitsHash
/// @notice limitsHash(L) = keccak256(abi.encode(LimitPrices[])): the commitment to an auction community's
/// standing limit prices that a hub keeps in place of the prices (one slot instead of N), the prices
/// themselves travelling in calldata and checked against it. Twin of `limitsHash` in
/// `node/src/window/state.ts`; the shared vectors (`limitsHash` of each case in `vectors/auction.json`) tie them.
library LimitsHash {
    function hash(LimitPrices[] memory limits) internal pure returns (bytes32) {
        return keccak256(abi.encode(limits));
    }
}
