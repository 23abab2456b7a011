// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title RawDataLogger
/// @notice RDA baseline (raw data application): one transaction stores one meter reading.
/// @dev The simplest honest on-chain record of a reading: one storage slot per (meter, interval),
/// holding `exportWh | importWh << 32 | 1 << 64`. The presence bit makes every reading a fresh
/// non-zero write, so an all-zero reading costs what any other does, and a reading can be
/// written only once.
contract RawDataLogger {
    /// @notice Thrown when a reading for (meter, interval) was already stored.
    error AlreadyLogged(uint32 meter, uint32 interval);

    /// @notice Emitted for every stored reading.
    event ReadingLogged(uint32 indexed meter, uint32 indexed interval, uint32 exportWh, uint32 importWh);

    uint256 private constant PRESENT = 1 << 64;

    /// @notice (meter << 32 | interval) => packed reading.
    mapping(uint64 => uint256) public readings;

    function log(uint32 meter, uint32 interval, uint32 exportWh, uint32 importWh) external {
        uint64 key = (uint64(meter) << 32) | interval;
        if (readings[key] != 0) revert AlreadyLogged(meter, interval);
        readings[key] = PRESENT | (uint256(importWh) << 32) | exportWh;
        emit ReadingLogged(meter, interval, exportWh, importWh);
    }

    /// @notice The reading of (meter, interval); `present` is false if none was logged.
    function reading(uint32 meter, uint32 interval)
        external
        view
        returns (bool present, uint32 exportWh, uint32 importWh)
    {
        uint256 v = readings[(uint64(meter) << 32) | interval];
        // forge-lint: disable-next-line(unsafe-typecast)
        return (v & PRESENT != 0, uint32(v), uint32(v >> 32));
    }
}
