// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {ProRata} from "../../src/libraries/ProRata.sol";

contract ProRataTest is Test {
    function _weights(uint256 a, uint256 b, uint256 c) internal pure returns (uint256[] memory w) {
        w = new uint256[](3);
        (w[0], w[1], w[2]) = (a, b, c);
    }

    function test_Split_ExactWhenAmountIsTotal() public pure {
        uint256[] memory s = ProRata.split(60, _weights(10, 20, 30), 60);
        assertEq(s[0], 10);
        assertEq(s[1], 20);
        assertEq(s[2], 30);
    }

    function test_Split_RemainderToFirstNonZeroWeights() public pure {
        // 10 over (1, 0, 1, 1): floors 3, 0, 3, 3; one unit left goes to index 0.
        uint256[] memory w = new uint256[](4);
        (w[0], w[1], w[2], w[3]) = (1, 0, 1, 1);
        uint256[] memory s = ProRata.split(10, w, 3);
        assertEq(s[0], 4);
        assertEq(s[1], 0);
        assertEq(s[2], 3);
        assertEq(s[3], 3);
    }

    function test_Split_SkipsZeroWeightForRemainder() public pure {
        uint256[] memory s = ProRata.split(2, _weights(0, 3, 3), 6);
        assertEq(s[0], 0);
        assertEq(s[1], 1);
        assertEq(s[2], 1);
    }

    function test_Split_ZeroAmount() public pure {
        uint256[] memory s = ProRata.split(0, _weights(5, 0, 7), 12);
        assertEq(s[0] + s[1] + s[2], 0);
    }

    function testFuzz_Split_ConservesAndCaps(uint128[8] memory raw, uint256 amount) public pure {
        uint256[] memory w = new uint256[](8);
        uint256 total;
        for (uint256 i = 0; i < 8; ++i) {
            w[i] = raw[i];
            total += raw[i];
        }
        vm.assume(total > 0);
        amount = bound(amount, 0, total);
        uint256[] memory s = ProRata.split(amount, w, total);
        uint256 sum;
        for (uint256 i = 0; i < 8; ++i) {
            assertLe(s[i], w[i]);
            sum += s[i];
        }
        assertEq(sum, amount);
    }
}
