// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {IHub} from "../../src/interfaces/IHub.sol";
import {Settlement} from "../../src/libraries/Settlement.sol";
import {Balances} from "../../src/libraries/Balances.sol";
import {Member} from "../../src/types/Community.sol";

/// @dev Holds members in storage and exposes the settlement library to tests.
contract SettlementHarness {
    mapping(uint256 => Member) public members;
    mapping(address => uint256) public withdrawable;

    function set(uint256 i, uint128 bondMissing, uint128 credited) external {
        members[i] = Member(bondMissing, credited);
    }

    function get(uint256 i) external view returns (Member memory) {
        return members[i];
    }

    function credit(uint256 who, uint256 n, uint256 amount) external {
        Settlement.credit(members, who, n, amount);
    }

    function slash(uint256 n, uint256 challengerIndexPlusOne, Settlement.Penalty memory p, address challenger)
        external
        returns (uint256)
    {
        return Settlement.slash(members, withdrawable, n, challengerIndexPlusOne, p, challenger, 1);
    }

    function requireWholeBonds(uint256 signers) external view {
        Settlement.requireWholeBonds(members, signers, 1);
    }

    function genesisRoot(address[] calldata participants, uint256 escrow) external pure returns (bytes32) {
        return Settlement.genesisRoot(participants, escrow);
    }
}

/// @notice The on-chain money moves between members: credit splits, slashes from the bond (then the
/// credit for an equivocation), the whole-bond check, the genesis root and its list checks.
contract SettlementTest is Test {
    SettlementHarness internal h;
    uint256 internal constant BOND = 1_000;

    function setUp() public {
        h = new SettlementHarness();
    }

    function test_Credit_SplitsEquallyRemainderToFirst() public {
        h.credit(0x0b, 4, 100); // members 0, 1, 3
        assertEq(h.get(0).credit, 34);
        assertEq(h.get(1).credit, 33);
        assertEq(h.get(2).credit, 0);
        assertEq(h.get(3).credit, 33);
    }

    function test_Slash_TakesBondOnlyAndSharesToCredit() public {
        // Member 0 offends; cap above its bond: the whole (remaining) bond is taken, never its credit.
        h.set(0, 200, 500);
        uint256 reward = h.slash(3, 0, Settlement.Penalty(1, type(uint256).max, 0, false, BOND), address(0xc));
        assertEq(h.get(0).bondMissing, BOND);
        assertEq(h.get(0).credit, 500, "credit untouched without orCredit");
        // 800 taken: 400 to the challenger, 200 each to members 1 and 2.
        assertEq(reward, 400);
        assertEq(h.withdrawable(address(0xc)), 400);
        assertEq(h.get(1).credit, 200);
        assertEq(h.get(2).credit, 200);
    }

    function test_Slash_EquivocationTakesTheRestFromCredit() public {
        h.set(0, 950, 30);
        h.slash(2, 0, Settlement.Penalty(1, 100, 0, true, BOND), address(0xc));
        // 50 from the bond, 30 (all there is) from the credit.
        assertEq(h.get(0).bondMissing, BOND);
        assertEq(h.get(0).credit, 0);
        assertEq(h.withdrawable(address(0xc)) + h.get(1).credit, 80);
    }

    function test_Slash_SelfDisputeEarnsNothing() public {
        uint256 reward = h.slash(3, 1, Settlement.Penalty(1, 100, 0, false, BOND), address(0xc));
        assertEq(reward, 0);
        assertEq(h.withdrawable(address(0xc)), 0);
        assertEq(h.get(1).credit + h.get(2).credit, 100);
    }

    function test_RequireWholeBonds() public {
        h.requireWholeBonds(0x7);
        h.set(1, 1, 0);
        vm.expectRevert(abi.encodeWithSelector(IHub.BondNotWhole.selector, uint64(1), uint256(1)));
        h.requireWholeBonds(0x7);
        h.requireWholeBonds(0x5);
    }

    function test_GenesisRoot_IsTheBalancesGenesisRoot() public view {
        address[] memory p = _list(5);
        assertEq(h.genesisRoot(p, 77), Balances.root(Balances.genesis(p, 77), 0));
    }

    function test_GenesisRoot_RejectsZeroAndDuplicates() public {
        address[] memory p = _list(40);
        p[17] = address(0);
        vm.expectRevert(abi.encodeWithSelector(IHub.ZeroParticipant.selector, uint256(17)));
        h.genesisRoot(p, 1);
        p = _list(40);
        p[39] = p[3];
        vm.expectRevert(abi.encodeWithSelector(IHub.DuplicateParticipant.selector, p[3]));
        h.genesisRoot(p, 1);
    }

    function testFuzz_GenesisRoot_FindsAnyDuplicate(uint8 n, uint8 a, uint8 b) public {
        uint256 count = bound(n, 2, 256);
        uint256 i = bound(a, 0, count - 1);
        uint256 j = bound(b, 0, count - 1);
        vm.assume(i != j);
        address[] memory p = _list(count);
        p[j] = p[i];
        vm.expectRevert(abi.encodeWithSelector(IHub.DuplicateParticipant.selector, p[i]));
        h.genesisRoot(p, 1);
    }

    function _list(uint256 n) internal pure returns (address[] memory p) {
        p = new address[](n);
        for (uint256 i = 0; i < n; ++i) {
            p[i] = address(uint160(uint256(keccak256(abi.encode("member", i)))));
        }
    }
}
