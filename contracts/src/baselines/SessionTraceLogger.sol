// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title SessionTraceLogger
/// @notice SAT baseline (session application with trace): one transaction carries the readings
/// of a session (default: one day) for a block of meters, and stores them.
/// @dev A reading is 8 bytes (exportWh uint32, importWh uint32, big-endian), so one storage
/// word holds four consecutive intervals of one meter: word (meter, interval / 4). The trace is
/// meter-major: `meterCount` runs of `intervalCount` readings. `firstInterval` must be a
/// multiple of 4 so that words never straddle two transactions. A session whose storage
/// would exceed the per-transaction gas cap (EIP-7825) is split by the sender into several
/// transactions, each a block of meters and/or intervals.
contract SessionTraceLogger {
    /// @notice Thrown when the trace length is not meterCount * intervalCount * 8 bytes.
    error BadTraceLength(uint256 expected, uint256 actual);
    /// @notice Thrown when firstInterval is not word-aligned (a multiple of 4).
    error UnalignedInterval(uint32 firstInterval);
    /// @notice Thrown when a word of the trace was already stored.
    error AlreadyLogged(uint32 meter, uint32 firstInterval);

    /// @notice Emitted once per transaction.
    event SessionLogged(
        uint32 indexed session, uint32 firstMeter, uint32 meterCount, uint32 firstInterval, uint32 intervalCount
    );

    /// @notice (meter << 32 | interval / 4) => four packed readings.
    mapping(uint64 => uint256) public words;

    function logSession(
        uint32 session,
        uint32 firstMeter,
        uint32 meterCount,
        uint32 firstInterval,
        uint32 intervalCount,
        bytes calldata trace
    ) external {
        if (firstInterval % 4 != 0) revert UnalignedInterval(firstInterval);
        uint256 perMeter = uint256(intervalCount) * 8;
        if (trace.length != perMeter * meterCount) revert BadTraceLength(perMeter * meterCount, trace.length);
        for (uint256 m; m < meterCount; ++m) {
            // forge-lint: disable-next-line(unsafe-typecast)
            _store(uint32(firstMeter + m), firstInterval, trace[m * perMeter:(m + 1) * perMeter]);
        }
        emit SessionLogged(session, firstMeter, meterCount, firstInterval, intervalCount);
    }

    /// @dev Stores one meter's run of readings, four to a word; the last word may be partial.
    function _store(uint32 meter, uint32 firstInterval, bytes calldata run) private {
        uint64 base = (uint64(meter) << 32) | (firstInterval / 4);
        uint256 n = (run.length + 31) / 32;
        for (uint256 w; w < n; ++w) {
            uint256 start = w * 32;
            uint256 end = start + 32 < run.length ? start + 32 : run.length;
            // bytes32(...) of a shorter slice is left-aligned and zero-padded.
            uint256 word = uint256(bytes32(run[start:end]));
            // forge-lint: disable-next-line(unsafe-typecast)
            uint64 key = base + uint64(w);
            // forge-lint: disable-next-line(unsafe-typecast)
            if (words[key] != 0) revert AlreadyLogged(meter, uint32(firstInterval + w * 4));
            words[key] = word;
        }
    }

    /// @notice The stored reading of (meter, interval) (zero if none).
    function reading(uint32 meter, uint32 interval) external view returns (uint32 exportWh, uint32 importWh) {
        uint256 word = words[(uint64(meter) << 32) | (interval / 4)];
        uint256 v = word >> (192 - 64 * (interval % 4));
        // forge-lint: disable-next-line(unsafe-typecast)
        return (uint32(v >> 32), uint32(v));
    }
}
