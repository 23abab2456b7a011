// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Auction} from "../libraries/Auction.sol";
import {MarketParams, MeterEnergy, ParticipantState} from "../types/Market.sol";
import {AuctionParams, LimitPrices, LimitsHash} from "../types/Auction.sol";

/// @title AuctionMarketStep
/// @notice The auction market step F(S_{t-1}, R_t) -> S_t as a stateless module over the `Auction` library:
/// the community's standing limit prices travel in calldata and must hash to the commitment fixed at open
/// (`LimitsHash`), so a hub keeps one slot per community instead of N price pairs.
/// @dev NOT yet behind `IMarketStep` nor on any hub allow-list (DESIGN.md §3/§5): the hub does not store a
/// limits hash, `MarketKind` has no Auction member, and the bad-step proof does not carry the prices yet.
/// Deliberately no `kind()`: a hub must not be able to open a community whose steps cannot be disputed.
/// Grid prices are the flat tariff of `MarketParams` (a time-of-use tariff on chain is not built).
contract AuctionMarketStep {
    /// @notice Thrown when the limit prices given do not hash to the committed `limitsHash`: a prover who
    /// swaps a participant's prices could otherwise make a right step look wrong (or a wrong one right).
    error LimitsHashMismatch(bytes32 expected, bytes32 actual);

    /// @notice S_t = F(S_{t-1}, R_t) for the auction market, after checking `limits` against `limitsHash`.
    /// @param p Market parameters of the community (grid prices and feeder; `kind` is not read).
    /// @param limitsHash keccak256(abi.encode(limits)) fixed at open.
    /// @param prev S_{t-1}, one entry per participant.
    /// @param meterOwner Participant index of each meter.
    /// @param readings This interval's reading of each meter, by meter index (absent = not present).
    /// @param limits Standing limit prices, one pair per participant.
    function step(
        MarketParams calldata p,
        bytes32 limitsHash,
        ParticipantState[] calldata prev,
        uint32[] calldata meterOwner,
        MeterEnergy[] calldata readings,
        LimitPrices[] calldata limits
    ) external pure returns (ParticipantState[] memory) {
        bytes32 actual = LimitsHash.hash(limits);
        if (actual != limitsHash) revert LimitsHashMismatch(limitsHash, actual);
        AuctionParams memory a = AuctionParams(p.gridBuyPrice, p.gridSellPrice, p.feederCapacityWh);
        return Auction.step(a, prev, meterOwner, readings, limits);
    }
}
