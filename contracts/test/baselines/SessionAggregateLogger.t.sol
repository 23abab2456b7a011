// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {SessionAggregateLogger} from "../../src/baselines/SessionAggregateLogger.sol";

contract SessionAggregateLoggerTest is Test {
    SessionAggregateLogger internal logger;

    function setUp() public {
        logger = new SessionAggregateLogger();
    }

    function test_LogAggregateStoresEveryMeter() public {
        bytes memory totals = bytes.concat(bytes8(uint64(11)), bytes8(uint64(12)), bytes8(uint64(0)), bytes8(uint64(0)));
        vm.expectEmit(true, false, false, true);
        emit SessionAggregateLogger.AggregateLogged(9, 2, 2);
        logger.logAggregate(9, 2, 2, totals);
        (bool p, uint64 e, uint64 i) = logger.aggregate(2, 9);
        assertTrue(p);
        assertEq(e, 11);
        assertEq(i, 12);
        (p, e, i) = logger.aggregate(3, 9);
        assertTrue(p);
        assertEq(e, 0);
        assertEq(i, 0);
        (p,,) = logger.aggregate(4, 9);
        assertFalse(p);
    }

    function test_RevertWhen_BadLength() public {
        vm.expectRevert(abi.encodeWithSelector(SessionAggregateLogger.BadAggregateLength.selector, 32, 16));
        logger.logAggregate(0, 0, 2, new bytes(16));
    }

    function test_RevertWhen_LoggedTwice() public {
        logger.logAggregate(0, 0, 1, new bytes(16));
        vm.expectRevert(abi.encodeWithSelector(SessionAggregateLogger.AlreadyLogged.selector, 0, 0));
        logger.logAggregate(0, 0, 1, new bytes(16));
    }

    function testFuzz_RoundTrip(uint32 meter, uint32 session, uint64 exportWh, uint64 importWh) public {
        vm.assume(meter < type(uint32).max);
        logger.logAggregate(session, meter, 1, bytes.concat(bytes8(exportWh), bytes8(importWh)));
        (bool p, uint64 e, uint64 i) = logger.aggregate(meter, session);
        assertTrue(p);
        assertEq(e, exportWh);
        assertEq(i, importWh);
    }
}
