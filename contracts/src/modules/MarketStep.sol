// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMarketStep} from "../interfaces/IMarketStep.sol";
import {EnergyVector} from "../libraries/EnergyVector.sol";
import {Market} from "../libraries/Market.sol";
import {PackedState} from "../libraries/PackedState.sol";
import {EntryFault, StepEntries, StepEntry} from "../libraries/StepEntries.sol";
import {MarketKind, MarketParams, ParticipantState, StateHash} from "../types/Market.sol";
import {LimitPrices} from "../types/Auction.sol";
import {TariffPublisher} from "./TariffPublisher.sol";

/// @title MarketStep
/// @notice The market step F of one market kind (Totals or Mmr, fixed at deployment): a pure module
/// over the `Market` library (twin of node/src/window/market.ts). The auction market is another module
/// behind the same interface (`AuctionMarketStep`).
contract MarketStep is IMarketStep, TariffPublisher {
    /// @notice Thrown at deployment for a kind the `Market` library does not compute (Auction): it
    /// would fold any kind but Mmr as Totals, so a module claiming Auction would settle a wrong market.
    error UnsupportedMarketKind(MarketKind kind);

    MarketKind internal immutable _kind;

    constructor(MarketKind kind_) {
        if (kind_ != MarketKind.Totals && kind_ != MarketKind.Mmr) revert UnsupportedMarketKind(kind_);
        _kind = kind_;
    }

    /// @inheritdoc IMarketStep
    function kind() external view returns (MarketKind) {
        return _kind;
    }

    /// @inheritdoc IMarketStep
    function step(
        MarketParams calldata p,
        ParticipantState[] calldata prev,
        uint256[] calldata exported,
        uint256[] calldata imported,
        LimitPrices[] calldata
    ) external view returns (ParticipantState[] memory) {
        if (p.kind != _kind) revert WrongMarketKind(_kind, p.kind);
        return Market.stepEnergy(p, prev, exported, imported);
    }

    /// @inheritdoc IMarketStep
    function stepHash(MarketParams calldata p, bytes calldata prevState, bytes calldata energy, bytes calldata)
        external
        view
        returns (bool, bytes32)
    {
        if (p.kind != _kind) revert WrongMarketKind(_kind, p.kind);
        // Read from calldata and stepped in place: one state in memory (DESIGN.md §5.4, N = 1,000).
        ParticipantState[] memory state = PackedState.unpackCalldata(prevState);
        (uint256[] memory exported, uint256[] memory imported) = EnergyVector.decodeCalldata(energy);
        Market.stepEnergyInPlace(p, state, exported, imported);
        return StateHash.tryHash(state);
    }

    /// @inheritdoc IMarketStep
    function judgeEntry(
        MarketParams calldata p,
        uint256 n,
        ParticipantState calldata prev,
        StepEntry calldata before,
        StepEntry calldata entry,
        StepEntry calldata last
    ) external view returns (EntryFault) {
        if (p.kind != _kind) revert WrongMarketKind(_kind, p.kind);
        return StepEntries.judge(p, n, prev, before, entry, last);
    }
}
