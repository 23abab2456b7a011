// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {Balances} from "../../src/libraries/Balances.sol";
import {MerkleTree} from "../../src/libraries/MerkleTree.sol";
import {Balance} from "../../src/types/Community.sol";
import {BalanceBook} from "../utils/BalanceBook.sol";

/// @dev Exposes `Balances` with calldata proofs.
contract BalancesHarness {
    function react(Balance[] memory previous, int256[] memory nets) external pure returns (Balance[] memory, uint256) {
        return Balances.react(previous, nets);
    }

    function verify(
        bytes32 root,
        uint256 n,
        uint256 index,
        Balance calldata leaf,
        uint256 totalClaims,
        bytes32[] calldata proof
    ) external pure returns (bool) {
        return Balances.verify(root, n, index, leaf, totalClaims, proof);
    }
}

/// @notice The reaction without the bond (spec s5) and the canonical-depth proofs. The TypeScript twin is
/// pinned by the vectors (`BalancesVectors.t.sol`).
contract BalancesTest is Test {
    BalancesHarness internal h;
    BalanceBook internal book;

    function setUp() public {
        h = new BalancesHarness();
        book = new BalanceBook();
    }

    function _prev(uint256[] memory escrow) internal pure returns (Balance[] memory b) {
        b = new Balance[](escrow.length);
        for (uint256 i = 0; i < escrow.length; ++i) {
            b[i] = Balance(address(uint160(i + 1)), escrow[i], 0, 0);
        }
    }

    function test_React_PaysInFullFromEscrow() public view {
        uint256[] memory e = new uint256[](2);
        (e[0], e[1]) = (100, 0);
        int256[] memory nets = new int256[](2);
        (nets[0], nets[1]) = (-100, 100);
        (Balance[] memory next, uint256 added) = h.react(_prev(e), nets);
        assertEq(added, 0);
        assertEq(next[0].escrow, 0);
        assertEq(next[1].escrow, 100);
        assertEq(next[0].participant, address(1));
    }

    function test_React_TwoShortDebtorsShareShortfall_NoBond() public view {
        // Debtors owe 100 and 50 with 30 and 20 of escrow (the bond is never drawn): 70 and 30 become
        // debt; creditors 90 and 60 share the 50 collected pro rata (30, 20) and claim the rest.
        uint256[] memory e = new uint256[](4);
        (e[0], e[1]) = (30, 20);
        int256[] memory nets = new int256[](4);
        (nets[0], nets[1], nets[2], nets[3]) = (-100, -50, 90, 60);
        (Balance[] memory next, uint256 added) = h.react(_prev(e), nets);
        assertEq(added, 100);
        assertEq(next[0].debt, 70);
        assertEq(next[1].debt, 30);
        assertEq(next[2].escrow, 30);
        assertEq(next[3].escrow, 20);
        assertEq(next[2].claim, 60);
        assertEq(next[3].claim, 40);
    }

    function test_React_RejectsUnbalancedAndLength() public {
        uint256[] memory e = new uint256[](2);
        int256[] memory nets = new int256[](2);
        (nets[0], nets[1]) = (-1, 2);
        vm.expectRevert(Balances.Unbalanced.selector);
        h.react(_prev(e), nets);
        vm.expectRevert(abi.encodeWithSelector(Balances.LengthMismatch.selector, uint256(2), uint256(3)));
        h.react(_prev(e), new int256[](3));
    }

    function testFuzz_React_ConservesEscrowAndMatchesDebtToClaims(int64[6] memory raw, uint64[6] memory funds)
        public
        view
    {
        uint256[] memory e = new uint256[](6);
        int256[] memory nets = new int256[](6);
        int256 sum;
        uint256 before;
        for (uint256 i = 0; i < 6; ++i) {
            e[i] = funds[i];
            before += funds[i];
            if (i < 5) {
                nets[i] = raw[i];
                sum += raw[i];
            }
        }
        nets[5] = -sum;
        (Balance[] memory next, uint256 added) = h.react(_prev(e), nets);
        uint256 escrow;
        uint256 debt;
        uint256 claims;
        for (uint256 i = 0; i < 6; ++i) {
            escrow += next[i].escrow;
            debt += next[i].debt;
            claims += next[i].claim;
            // Each position moves by exactly its net.
            assertEq(
                int256(next[i].escrow) - int256(next[i].debt) + int256(next[i].claim),
                int256(uint256(funds[i])) + nets[i]
            );
        }
        assertEq(escrow, before, "escrow conserved");
        assertEq(debt, added);
        assertEq(claims, added);
    }

    function testFuzz_Verify_CanonicalDepthOnly(uint8 count, uint8 at) public view {
        uint256 n = bound(count, 1, 40);
        uint256 index = bound(at, 0, n - 1);
        uint256[] memory e = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            e[i] = i * 3;
        }
        Balance[] memory all = _prev(e);
        bytes32 root = Balances.root(all, 9);
        bytes32[] memory proof = book.proofOf(all, index);
        assertTrue(h.verify(root, n, index, all[index], 9, proof));
        assertFalse(h.verify(root, n, index, all[index], 8, proof), "totalClaims is bound");
        assertFalse(h.verify(root, n, index + n, all[index], 9, proof), "index out of range");
        all[index].escrow += 1;
        assertFalse(h.verify(root, n, index, all[index], 9, proof), "leaf is bound");
        all[index].escrow -= 1;
        bytes32[] memory longer = new bytes32[](proof.length + 1);
        for (uint256 i = 0; i < proof.length; ++i) {
            longer[i] = proof[i];
        }
        assertFalse(h.verify(root, n, index, all[index], 9, longer), "canonical depth");
    }

    /// `MerkleTree.isDepth` (the claim's proof-length check) says d == `MerkleTree.depth(n)`: every n up to
    /// 1,100 (past `MAX_PARTICIPANTS`) against every d up to 12, then fuzzed n and d.
    function test_IsDepth_SmallCounts() public pure {
        for (uint256 n = 0; n <= 1100; ++n) {
            uint256 depth = MerkleTree.depth(n);
            for (uint256 d = 0; d <= 12; ++d) {
                assertEq(MerkleTree.isDepth(d, n), d == depth);
            }
        }
    }

    function testFuzz_IsDepth_MatchesDepth(uint256 count, uint256 d) public pure {
        uint256 n = bound(count, 0, 2 ** 64);
        uint256 depth = MerkleTree.depth(n);
        assertEq(MerkleTree.isDepth(d, n), d == depth);
        assertTrue(MerkleTree.isDepth(depth, n));
        assertFalse(MerkleTree.isDepth(depth + 1, n));
    }
}
