// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {RawDataLogger} from "../../src/baselines/RawDataLogger.sol";

contract RawDataLoggerTest is Test {
    RawDataLogger internal logger;

    function setUp() public {
        logger = new RawDataLogger();
    }

    function test_LogStoresReading() public {
        vm.expectEmit(true, true, false, true);
        emit RawDataLogger.ReadingLogged(3, 17, 120, 0);
        logger.log(3, 17, 120, 0);
        (bool present, uint32 e, uint32 i) = logger.reading(3, 17);
        assertTrue(present);
        assertEq(e, 120);
        assertEq(i, 0);
        (present,,) = logger.reading(3, 18);
        assertFalse(present);
    }

    function test_ZeroReadingIsStored() public {
        logger.log(0, 0, 0, 0);
        (bool present,,) = logger.reading(0, 0);
        assertTrue(present);
    }

    function test_RevertWhen_LoggedTwice() public {
        logger.log(1, 2, 3, 4);
        vm.expectRevert(abi.encodeWithSelector(RawDataLogger.AlreadyLogged.selector, 1, 2));
        logger.log(1, 2, 5, 6);
    }

    function testFuzz_RoundTrip(uint32 meter, uint32 interval, uint32 exportWh, uint32 importWh) public {
        logger.log(meter, interval, exportWh, importWh);
        (bool present, uint32 e, uint32 i) = logger.reading(meter, interval);
        assertTrue(present);
        assertEq(e, exportWh);
        assertEq(i, importWh);
    }
}
