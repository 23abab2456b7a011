// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Tariff, TouTariff} from "../libraries/Tariff.sol";

/// @title TariffPublisher
/// @notice Puts a time-of-use tariff on chain as an event, content-addressed by the hash a community's
/// `MarketParams.tariffHash` names, so that any node or auditor can recover it from the chain alone and
/// carry it in a bad-step proof. Every market module inherits it (the tariff prices every market).
/// @dev Stores nothing. An honest node does not join a community whose tariff it cannot read back from this
/// event under the community's hash, or whose flat prices are not the tariff's ceilings (`Tariff.ceilings`):
/// no step of it could be recomputed on chain, or its honest states might not be postable.
abstract contract TariffPublisher {
    /// @notice Thrown when a tariff's UTC offset is beyond ±14 h.
    error TariffOffsetOutOfRange(int32 utcOffsetMinutes);

    /// @notice The preimage of a tariff hash.
    event TariffPublished(bytes32 indexed tariffHash, TouTariff tariff);

    /// @notice Emits `tariff` under its hash; anyone may call it, any number of times.
    function publishTariff(TouTariff calldata tariff) external returns (bytes32 tariffHash) {
        int32 offset = tariff.utcOffsetMinutes;
        if (offset > Tariff.MAX_OFFSET_MINUTES || offset < -Tariff.MAX_OFFSET_MINUTES) {
            revert TariffOffsetOutOfRange(offset);
        }
        tariffHash = Tariff.hash(tariff);
        emit TariffPublished(tariffHash, tariff);
    }
}
