// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {PackedState} from "../libraries/PackedState.sol";

/// @notice Which market function F a community folds its windows with (DESIGN.md §3).
enum MarketKind {
    /// The paper's function: window totals, matched volume min(total export, total import).
    Totals,
    /// Per-interval pro-rata sharing at the mid-market rate, capped by the feeder.
    Mmr,
    /// Per-interval uniform-price double auction over the participants' standing limit prices, capped by
    /// the feeder (`Auction` library, `AuctionMarketStep` module).
    Auction
}

/// @notice Market parameters fixed at open.
/// @dev Prices are in payment-token base units per kWh. Totals and Mmr: the P2P price is their midpoint.
/// Auction: the grid buy price caps every bid, the grid sell price floors every ask. Under a time-of-use
/// tariff (`tariffHash`) Mmr and Auction take these prices from the tariff, interval by interval.
struct MarketParams {
    MarketKind kind;
    /// Tariff at which the community buys from the grid (token units per kWh).
    uint128 gridBuyPrice;
    /// Tariff at which the grid buys the community's export (token units per kWh).
    uint128 gridSellPrice;
    /// Energy the feeder can carry between households in one interval (Wh); 0 = no limit.
    uint64 feederCapacityWh;
    /// Auction: `LimitsHash.hash` of the participants' standing limit prices (one pair per participant, by
    /// index), fixed at open; the prices travel in calldata (a bad-step proof carries them) and the
    /// auction module checks them against it. Totals and Mmr: not read (zero by convention).
    bytes32 limitsHash;
    /// `Tariff.hash` of the community's time-of-use grid tariff (`TouTariff`), fixed at open; zero = the flat
    /// prices above at every hour. With a tariff, `gridBuyPrice` and `gridSellPrice` hold the tariff's highest
    /// hourly buy and sell prices (`Tariff.ceilings`: what the bounds at open are checked with, and what an
    /// honest node checks before it joins); Mmr and Auction price each interval at the tariff's prices of its
    /// local hour (`Tariff.paramsAt`), Totals keeps the flat ones. The tariff travels in a bad-step proof.
    bytes32 tariffHash;
}

/// @notice One participant's cumulative state S_t within a window (all energy in Wh).
/// @dev `net` is the participant's P2P token amount (positive = receives); the sum over all
/// participants is exactly 0 in every state. Grid flows are recorded, not settled by the hub.
struct ParticipantState {
    uint64 exportWh;
    uint64 importWh;
    uint64 p2pSoldWh;
    uint64 p2pBoughtWh;
    uint64 gridSoldWh;
    uint64 gridBoughtWh;
    int256 net;
}

/// @notice One meter's reading for one interval, as the market step consumes it.
/// @dev An absent reading (`present == false`) counts as zero energy.
struct MeterEnergy {
    bool present;
    uint32 exportWh;
    uint32 importWh;
}

/// @title StateHash
/// @notice hash(S) = keccak256 of S's packed encoding (`PackedState`, 64 bytes per participant); twin of
/// `stateHash` in `node/src/window/state.ts`.
library StateHash {
    /// @notice Reverts `NetOutOfRange` for a state without an encoding (a net of -2^127 or outside int128).
    function hash(ParticipantState[] memory s) internal pure returns (bytes32) {
        return PackedState.hash(s);
    }

    /// @notice The hash when `s` has an encoding; `ok` false when it has none (no committed state is `s`).
    function tryHash(ParticipantState[] memory s) internal pure returns (bool ok, bytes32 h) {
        return PackedState.tryHash(s);
    }
}
