// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title SessionAggregateLogger
/// @notice SA baseline (session application): one transaction carries the aggregate of a
/// session (default: one day) for a block of meters: each meter's total exported and imported
/// Wh over the session. One storage slot per (meter, session).
/// @dev Aggregates are 16 bytes each (exportWh uint64, importWh uint64, big-endian), stored as
/// `exportWh | importWh << 64 | 1 << 128` (the presence bit keeps an all-zero session a real write).
contract SessionAggregateLogger {
    /// @notice Thrown when the aggregate length is not meterCount * 16 bytes.
    error BadAggregateLength(uint256 expected, uint256 actual);
    /// @notice Thrown when (meter, session) was already logged.
    error AlreadyLogged(uint32 meter, uint32 session);

    /// @notice Emitted once per transaction.
    event AggregateLogged(uint32 indexed session, uint32 firstMeter, uint32 meterCount);

    uint256 private constant PRESENT = 1 << 128;

    /// @notice (meter << 32 | session) => packed aggregate.
    mapping(uint64 => uint256) public aggregates;

    function logAggregate(uint32 session, uint32 firstMeter, uint32 meterCount, bytes calldata totals) external {
        if (totals.length != uint256(meterCount) * 16) {
            revert BadAggregateLength(uint256(meterCount) * 16, totals.length);
        }
        for (uint256 m; m < meterCount; ++m) {
            uint256 v = uint256(bytes32(totals[m * 16:m * 16 + 16])) >> 128;
            // forge-lint: disable-next-line(unsafe-typecast)
            uint64 key = (uint64(firstMeter + m) << 32) | session;
            // forge-lint: disable-next-line(unsafe-typecast)
            if (aggregates[key] != 0) revert AlreadyLogged(uint32(firstMeter + m), session);
            // forge-lint: disable-next-line(unsafe-typecast)
            aggregates[key] = PRESENT | (uint256(uint64(v)) << 64) | uint64(v >> 64);
        }
        emit AggregateLogged(session, firstMeter, meterCount);
    }

    /// @notice The aggregate of (meter, session); `present` is false if none was logged.
    function aggregate(uint32 meter, uint32 session)
        external
        view
        returns (bool present, uint64 exportWh, uint64 importWh)
    {
        uint256 v = aggregates[(uint64(meter) << 32) | session];
        // forge-lint: disable-next-line(unsafe-typecast)
        return (v & PRESENT != 0, uint64(v), uint64(v >> 64));
    }
}
