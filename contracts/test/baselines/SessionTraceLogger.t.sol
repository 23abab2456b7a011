// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {SessionTraceLogger} from "../../src/baselines/SessionTraceLogger.sol";

contract SessionTraceLoggerTest is Test {
    SessionTraceLogger internal logger;

    function setUp() public {
        logger = new SessionTraceLogger();
    }

    /// @dev Reading (m, t) of the test trace: export = 1000 * m + t, import = t + 7.
    function _trace(uint32 meterCount, uint32 firstMeter, uint32 firstInterval, uint32 n)
        internal
        pure
        returns (bytes memory out)
    {
        for (uint32 m; m < meterCount; ++m) {
            for (uint32 t; t < n; ++t) {
                out = bytes.concat(
                    out, bytes4(1000 * (firstMeter + m) + firstInterval + t), bytes4(firstInterval + t + 7)
                );
            }
        }
    }

    function test_LogSessionStoresEveryReading() public {
        // 2 meters x 6 intervals: the second word of each meter is partial.
        logger.logSession(1, 4, 2, 96, 6, _trace(2, 4, 96, 6));
        for (uint32 m = 4; m < 6; ++m) {
            for (uint32 t = 96; t < 102; ++t) {
                (uint32 e, uint32 i) = logger.reading(m, t);
                assertEq(e, 1000 * m + t);
                assertEq(i, t + 7);
            }
        }
        (uint32 e2, uint32 i2) = logger.reading(4, 102);
        assertEq(e2, 0);
        assertEq(i2, 0);
    }

    function test_FullDayOneMeterUnderTxCap() public {
        bytes memory trace = _trace(1, 0, 0, 96);
        uint256 g = gasleft();
        logger.logSession(0, 0, 1, 0, 96, trace);
        assertLt(g - gasleft(), 16_777_216);
    }

    function test_RevertWhen_BadLength() public {
        vm.expectRevert(abi.encodeWithSelector(SessionTraceLogger.BadTraceLength.selector, 32, 24));
        logger.logSession(0, 0, 1, 0, 4, new bytes(24));
    }

    function test_RevertWhen_Unaligned() public {
        vm.expectRevert(abi.encodeWithSelector(SessionTraceLogger.UnalignedInterval.selector, 2));
        logger.logSession(0, 0, 1, 2, 4, new bytes(32));
    }

    function test_RevertWhen_LoggedTwice() public {
        bytes memory trace = _trace(1, 0, 0, 4);
        logger.logSession(0, 0, 1, 0, 4, trace);
        vm.expectRevert(abi.encodeWithSelector(SessionTraceLogger.AlreadyLogged.selector, 0, 0));
        logger.logSession(0, 0, 1, 0, 4, trace);
    }
}
