// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {stdError} from "forge-std/StdError.sol";
import {ProRata} from "../../src/libraries/ProRata.sol";

/// @dev Exposes the library's reverts to `vm.expectRevert` (they need an external call).
contract ProRataHarness {
    function share(uint256 total, uint256[] memory weights) external pure returns (uint256[] memory) {
        return ProRata.share(total, weights);
    }

    function split(uint256 amount, uint256[] memory weights, uint256 total) external pure returns (uint256[] memory) {
        return ProRata.split(amount, weights, total);
    }
}

/// @notice The one pro-rata rule in its two arithmetic domains: `split` (full precision, money) and
/// `share` (checked 256-bit product, the market's, twin of market.ts `share`; its vectors are replayed
/// through the market steps in Market.t.sol and Auction.t.sol).
contract ProRataTest is Test {
    ProRataHarness internal harness = new ProRataHarness();

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

    // ---------------------------------------------------------------- share (the market's form)

    function test_ShareGivesRemainderToFirstPositiveWeights() public pure {
        uint256[] memory w = new uint256[](4);
        (w[0], w[1], w[2], w[3]) = (0, 1, 1, 1);
        uint256[] memory x = ProRata.share(2, w);
        assertEq(x[0], 0);
        assertEq(x[1], 1);
        assertEq(x[2], 1);
        assertEq(x[3], 0);
        x = ProRata.share(5, new uint256[](3));
        assertEq(x[0] + x[1] + x[2], 0);
    }

    /// The assembly product in `share` reverts like Solidity's checked `*` (TypeScript: ARITHMETIC_OVERFLOW).
    function test_RevertWhen_ShareProductOverflows() public {
        uint256[] memory w = new uint256[](2);
        (w[0], w[1]) = (1 << 60, 1);
        vm.expectRevert(stdError.arithmeticError);
        harness.share(1 << 200, w);
    }

    /// The deliberate difference: on the same input `split` computes the product in 512 bits and pays
    /// out (a payout must not revert on large balances) where `share` reverts like its TypeScript twin.
    function test_SplitDoesNotOverflowWhereShareReverts() public view {
        uint256[] memory w = new uint256[](2);
        (w[0], w[1]) = (1 << 200, 1 << 200);
        uint256[] memory s = harness.split((1 << 200) + 1, w, 1 << 201);
        assertEq(s[0], (1 << 199) + 1);
        assertEq(s[1], 1 << 199);
    }

    function testFuzz_ShareSumsToTotalAndStaysWithinWeights(uint64 total, uint64[6] memory raw) public pure {
        uint256[] memory w = new uint256[](6);
        uint256 sum;
        for (uint256 i; i < 6; ++i) {
            w[i] = raw[i] % 4 == 0 ? 0 : raw[i];
            sum += w[i];
        }
        uint256[] memory x = ProRata.share(total, w);
        uint256 given;
        for (uint256 i; i < 6; ++i) {
            given += x[i];
            if (w[i] == 0) assertEq(x[i], 0);
            if (total <= sum) assertLe(x[i], w[i]);
        }
        assertEq(given, sum == 0 ? 0 : total);
    }

    /// One rule: wherever both are defined (Σ w > 0, amount <= Σ w, no 256-bit overflow) the two forms
    /// give the same shares, and `shareBySum` equals `share` (uint64 weights keep amount · w_i < 2^131).
    function testFuzz_SplitAndShareAgree(uint64[8] memory raw, uint256 amount, uint8 zeros) public pure {
        uint256[] memory w = new uint256[](8);
        uint256 total;
        for (uint256 i = 0; i < 8; ++i) {
            w[i] = (zeros >> i) & 1 == 1 ? 0 : raw[i];
            total += w[i];
        }
        vm.assume(total > 0);
        amount = bound(amount, 0, total);
        uint256[] memory a = ProRata.split(amount, w, total);
        uint256[] memory b = ProRata.share(amount, w);
        uint256[] memory c = ProRata.shareBySum(amount, w, total);
        for (uint256 i = 0; i < 8; ++i) {
            assertEq(a[i], b[i]);
            assertEq(b[i], c[i]);
        }
    }
}
