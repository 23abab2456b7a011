// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMarketStep} from "../interfaces/IMarketStep.sol";
import {Auction} from "../libraries/Auction.sol";
import {MarketKind, MarketParams, MeterEnergy, ParticipantState} from "../types/Market.sol";
import {AuctionParams, LimitPrices, LimitsHash} from "../types/Auction.sol";
import {TariffPublisher} from "./TariffPublisher.sol";

/// @title AuctionMarketStep
/// @notice The auction market step F(S_{t-1}, R_t) -> S_t behind `IMarketStep`: a stateless module over the
/// `Auction` library. The community's standing limit prices travel in calldata and must hash to the
/// commitment fixed at open (`MarketParams.limitsHash`), so a hub keeps one slot per community instead of N
/// price pairs.
/// @dev The prices themselves must be known to every participant before it joins (an honest node does not
/// join a community whose limits hash it cannot open: no step of it could be recomputed on chain).
/// `publishLimits` puts them on chain as an event, content-addressed by their hash, so any node or auditor
/// can recover them from the chain alone. Grid prices are the flat tariff of `MarketParams` (a time-of-use
/// tariff on chain is not built); limit prices are fixed for the community's life (changing them by a
/// signed order from a later window is not built on chain).
contract AuctionMarketStep is IMarketStep, TariffPublisher {
    /// @notice Thrown when the limit prices given do not hash to the committed `limitsHash`: a prover who
    /// swaps a participant's prices could otherwise make a right step look wrong (or a wrong one right).
    error LimitsHashMismatch(bytes32 expected, bytes32 actual);

    /// @notice The preimage of a limits hash: standing limit prices, one pair per participant by index.
    event LimitsPublished(bytes32 indexed limitsHash, LimitPrices[] limits);

    /// @inheritdoc IMarketStep
    function kind() external pure returns (MarketKind) {
        return MarketKind.Auction;
    }

    /// @inheritdoc IMarketStep
    /// @dev Checks `p.kind` (a Totals or Mmr community cannot be folded as an auction), then `limits`
    /// against `p.limitsHash`, then steps (the library checks one pair per participant).
    function step(
        MarketParams calldata p,
        ParticipantState[] calldata prev,
        uint32[] calldata meterOwner,
        MeterEnergy[] calldata readings,
        LimitPrices[] calldata limits
    ) external pure returns (ParticipantState[] memory) {
        if (p.kind != MarketKind.Auction) {
            revert WrongMarketKind(MarketKind.Auction, p.kind);
        }
        bytes32 actual = LimitsHash.hash(limits);
        if (actual != p.limitsHash) revert LimitsHashMismatch(p.limitsHash, actual);
        AuctionParams memory a = AuctionParams(p.gridBuyPrice, p.gridSellPrice, p.feederCapacityWh);
        return Auction.step(a, prev, meterOwner, readings, limits);
    }

    /// @notice Emits `limits` under their hash (what an auction community's `MarketParams.limitsHash` names)
    /// for nodes and auditors to read back; anyone may call it, any number of times. Stores nothing.
    function publishLimits(LimitPrices[] calldata limits) external returns (bytes32 limitsHash) {
        limitsHash = LimitsHash.hash(limits);
        emit LimitsPublished(limitsHash, limits);
    }
}
