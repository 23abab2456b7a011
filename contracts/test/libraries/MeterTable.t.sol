// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {Meter} from "../../src/types/Community.sol";
import {MeterTable} from "../../src/libraries/MeterTable.sol";

/// @dev Writes tables from calldata like the hub does at open.
contract MeterTableHarness {
    function write(Meter[] calldata meters) external returns (address) {
        return MeterTable.write(meters);
    }

    function get(address table, uint256 index) external view returns (Meter memory) {
        return MeterTable.get(table, index);
    }

    function all(address table) external view returns (Meter[] memory) {
        return MeterTable.all(table);
    }
}

contract MeterTableTest is Test {
    MeterTableHarness internal h = new MeterTableHarness();

    function _meters() internal pure returns (Meter[] memory m) {
        m = new Meter[](3);
        m[0] = Meter(hex"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", 0, 7);
        m[1] = Meter(abi.encodePacked(keccak256("x"), keccak256("y")), 1, 255);
        m[2] = Meter("", 3, 0);
    }

    function test_RoundTrip() public {
        Meter[] memory m = _meters();
        address table = h.write(m);
        // STOP first: the table cannot be called.
        assertEq(table.code[0], bytes1(0x00));
        assertEq(table.code.length, 1 + 3 * MeterTable.RECORD_LENGTH);
        Meter[] memory back = h.all(table);
        assertEq(back.length, 3);
        for (uint256 i = 0; i < 3; ++i) {
            Meter memory one = h.get(table, i);
            assertEq(one.publicKey, m[i].publicKey);
            assertEq(one.scheme, m[i].scheme);
            assertEq(one.owner, m[i].owner);
            assertEq(back[i].publicKey, m[i].publicKey);
            assertEq(back[i].owner, m[i].owner);
        }
    }

    function test_RevertWhen_IndexOutOfRange() public {
        address table = h.write(_meters());
        vm.expectRevert(abi.encodeWithSelector(MeterTable.MeterIndexOutOfRange.selector, 3, 3));
        h.get(table, 3);
    }

    function test_TableIsNotCallable() public {
        address table = h.write(_meters());
        (bool ok, bytes memory ret) = table.call("");
        assertTrue(ok);
        assertEq(ret.length, 0);
    }
}
