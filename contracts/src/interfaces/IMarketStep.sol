// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarketKind, MarketParams, MeterEnergy, ParticipantState} from "../types/Market.sol";
import {LimitPrices} from "../types/Auction.sol";

/// @title IMarketStep
/// @notice The market function F(S_{t-1}, R_t) -> S_t of one market kind (DESIGN.md §3), a module
/// fixed at hub deployment, named by a community in `CommunityModules.market`. Stateless.
interface IMarketStep {
    /// @notice Thrown when the parameters name another market kind than this module's.
    error WrongMarketKind(MarketKind expected, MarketKind actual);

    /// @notice The market kind this module computes (checked against `MarketParams.kind` at open).
    function kind() external view returns (MarketKind);

    /// @notice S_t = F(S_{t-1}, R_t).
    /// @param p Market parameters of the community.
    /// @param prev S_{t-1}, one entry per participant.
    /// @param meterOwner Participant index of each meter.
    /// @param readings This interval's reading of each meter, by meter index (absent = not present).
    /// @param limits Auction: the standing limit prices in force for the step's window, one pair per
    /// participant, hashing to `p.limitsHash` (the caller puts there the hash in force, `ILimitBook.limitsHashAt`;
    /// the module reverts otherwise). Markets without limit prices ignore them.
    function step(
        MarketParams calldata p,
        ParticipantState[] calldata prev,
        uint32[] calldata meterOwner,
        MeterEnergy[] calldata readings,
        LimitPrices[] calldata limits
    ) external view returns (ParticipantState[] memory);
}
