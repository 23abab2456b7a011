// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {Settlement} from "../../src/libraries/Settlement.sol";
import {ParticipantAccount} from "../../src/types/Community.sol";

/// @dev Holds accounts in storage and exposes the settlement to tests.
contract SettlementHarness {
    mapping(uint256 => ParticipantAccount) public accounts;

    function set(uint256 i, uint128 escrow, uint128 bond) external {
        accounts[i] = ParticipantAccount(escrow, bond, 0, 0);
    }

    function get(uint256 i) external view returns (ParticipantAccount memory) {
        return accounts[i];
    }

    function settle(int256[] memory nets) external returns (uint256) {
        return Settlement.settle(accounts, nets, 1, 0);
    }
}

contract SettlementTest is Test {
    SettlementHarness internal h;

    function setUp() public {
        h = new SettlementHarness();
    }

    function test_Settle_PaysInFullFromEscrow() public {
        h.set(0, 100, 50);
        h.set(1, 0, 50);
        int256[] memory nets = new int256[](2);
        (nets[0], nets[1]) = (-100, 100);
        assertEq(h.settle(nets), 0);
        assertEq(h.get(0).escrow, 0);
        assertEq(h.get(0).bond, 50);
        assertEq(h.get(1).escrow, 100);
    }

    function test_Settle_TwoShortDebtorsShareShortfall() public {
        // Debtors owe 100 and 50 with 40 and 20 in total; creditors 90 and 60 share the 60 collected.
        h.set(0, 30, 10);
        h.set(1, 20, 0);
        int256[] memory nets = new int256[](4);
        (nets[0], nets[1], nets[2], nets[3]) = (-100, -50, 90, 60);
        assertEq(h.settle(nets), 90);
        assertEq(h.get(0).debt, 60);
        assertEq(h.get(1).debt, 30);
        assertEq(h.get(2).escrow, 36);
        assertEq(h.get(3).escrow, 24);
        assertEq(h.get(2).claim, 54);
        assertEq(h.get(3).claim, 36);
    }

    function testFuzz_Settle_ConservesMoneyAndMatchesDebtToClaims(int64[6] memory raw, uint64[6] memory funds) public {
        int256[] memory nets = new int256[](6);
        int256 sum;
        uint256 before;
        for (uint256 i = 0; i < 6; ++i) {
            h.set(i, funds[i], funds[(i + 1) % 6] / 2);
            before += uint256(funds[i]) + funds[(i + 1) % 6] / 2;
            if (i < 5) {
                nets[i] = raw[i];
                sum += raw[i];
            }
        }
        nets[5] = -sum;
        uint256 shortfall = h.settle(nets);
        uint256 held;
        uint256 debt;
        uint256 claims;
        for (uint256 i = 0; i < 6; ++i) {
            ParticipantAccount memory a = h.get(i);
            held += uint256(a.escrow) + a.bond;
            debt += a.debt;
            claims += a.claim;
            // A creditor never ends below what it had; a debtor's position moves by exactly its net.
            assertEq(
                int256(uint256(a.escrow) + a.bond) - int256(uint256(a.debt)) + int256(uint256(a.claim)),
                int256(uint256(funds[i]) + funds[(i + 1) % 6] / 2) + nets[i]
            );
        }
        assertEq(held, before);
        assertEq(debt, shortfall);
        assertEq(claims, shortfall);
    }
}
