// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {stdError} from "forge-std/StdError.sol";
import {Balances} from "../../src/libraries/Balances.sol";
import {MerkleTree} from "../../src/libraries/MerkleTree.sol";
import {Balance} from "../../src/types/Community.sol";

/// @dev External entry points, so that reverts reach `vm.expectRevert` and proofs are calldata.
contract BalancesPropertiesHarness {
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

/// @notice The reaction's money rules and the tree's proofs over random communities (sizes, positions and
/// nets drawn from a seed), plus the edge cases the vectors do not name. The rule (spec s5): debtors pay
/// from escrow, the rest is debt; creditors are paid in full or pro rata, the rest is claim; the bond is
/// never drawn.
contract BalancesPropertiesTest is Test {
    BalancesPropertiesHarness internal h = new BalancesPropertiesHarness();

    /// @dev A community of `n` with positions below `cap` and nets of magnitude below `netCap` summing to 0.
    function _community(uint256 seed, uint256 n, uint256 cap, uint256 netCap)
        internal
        pure
        returns (Balance[] memory previous, int256[] memory nets)
    {
        previous = new Balance[](n);
        nets = new int256[](n);
        int256 sum;
        for (uint256 i = 0; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            previous[i] = Balance({
                participant: address(uint160(uint256(keccak256(abi.encode("participant", i))))),
                escrow: r % cap,
                debt: (r >> 128) % (cap / 4 + 1),
                claim: (r >> 64) % (cap / 4 + 1)
            });
            if (i + 1 < n) {
                // A fifth of the members do not trade; the rest buy or sell.
                uint256 kind = (r >> 192) % 5;
                // forge-lint: disable-next-line(unsafe-typecast)
                int256 magnitude = int256((r >> 32) % netCap);
                nets[i] = kind == 0 ? int256(0) : kind % 2 == 0 ? magnitude : -magnitude;
                sum += nets[i];
            }
        }
        nets[n - 1] = -sum;
    }

    function _checkReaction(Balance[] memory previous, int256[] memory nets) internal view {
        (Balance[] memory next, uint256 claimsAdded) = h.react(previous, nets);
        uint256 n = previous.length;
        assertEq(next.length, n);
        uint256 escrowBefore;
        uint256 escrowAfter;
        uint256 debtAdded;
        uint256 claimAdded;
        uint256 owed;
        for (uint256 i = 0; i < n; ++i) {
            Balance memory a = previous[i];
            Balance memory b = next[i];
            assertEq(b.participant, a.participant, "participant kept");
            escrowBefore += a.escrow;
            escrowAfter += b.escrow;
            assertGe(b.debt, a.debt, "debt only grows");
            assertGe(b.claim, a.claim, "claims only grow");
            debtAdded += b.debt - a.debt;
            claimAdded += b.claim - a.claim;
            if (nets[i] > 0) {
                // forge-lint: disable-next-line(unsafe-typecast)
                uint256 net = uint256(nets[i]);
                owed += net;
                uint256 received = b.escrow - a.escrow;
                assertLe(received, net, "a creditor is paid at most its net");
                assertEq(received + (b.claim - a.claim), net, "what it is not paid is its claim");
                assertEq(b.debt, a.debt, "a creditor takes no debt");
            } else {
                // forge-lint: disable-next-line(unsafe-typecast)
                uint256 due = uint256(-nets[i]);
                assertEq(a.escrow - b.escrow + (b.debt - a.debt), due, "a debtor pays from escrow, the rest is debt");
                assertEq(b.claim, a.claim, "a debtor takes no claim");
                if (b.debt > a.debt) assertEq(b.escrow, 0, "debt only once the escrow is empty");
            }
        }
        assertEq(escrowAfter, escrowBefore, "escrow conserved");
        assertEq(claimsAdded, debtAdded, "claims added == debt added");
        assertEq(claimsAdded, claimAdded, "claimsAdded is the sum of the claims added");
        assertLe(claimsAdded, owed);
    }

    function testFuzz_React_MoneyRules(uint256 seed, uint8 size) public view {
        uint256 n = bound(size, 1, 24);
        (Balance[] memory previous, int256[] memory nets) = _community(seed, n, 1e6, 2e6);
        _checkReaction(previous, nets);
    }

    function testFuzz_React_MoneyRules_NearInt128(uint256 seed, uint8 size) public view {
        // Nets as wide as the packed state's int128 field, escrows as wide as uint128.
        uint256 n = bound(size, 2, 12);
        (Balance[] memory previous, int256[] memory nets) = _community(seed, n, type(uint128).max, 2 ** 124);
        _checkReaction(previous, nets);
    }

    function testFuzz_React_RevertWhen_Unbalanced(uint256 seed, uint8 size, int64 skew) public {
        vm.assume(skew != 0);
        uint256 n = bound(size, 1, 12);
        (Balance[] memory previous, int256[] memory nets) = _community(seed, n, 1e6, 1e6);
        nets[seed % n] += skew;
        vm.expectRevert(Balances.Unbalanced.selector);
        h.react(previous, nets);
    }

    function testFuzz_Verify_EachLeafAtCanonicalDepthOnly(uint256 seed, uint16 size, uint16 at, uint256 totalClaims)
        public
        view
    {
        uint256 n = bound(size, 1, 300);
        uint256 index = bound(at, 0, n - 1);
        totalClaims = bound(totalClaims, 0, type(uint256).max - 1);
        (Balance[] memory leaves,) = _community(seed, n, 1e18, 1);
        bytes32 root = Balances.root(leaves, totalClaims);
        bytes32[] memory proof = _proof(leaves, index);
        assertEq(proof.length, MerkleTree.depth(n));
        Balance memory leaf = leaves[index];
        assertTrue(h.verify(root, n, index, leaf, totalClaims, proof), "the leaf verifies");
        assertFalse(h.verify(root, n, index, leaf, totalClaims + 1, proof), "another total");
        if (n > 1) assertFalse(h.verify(root, n, (index + 1) % n, leaf, totalClaims, proof), "another index");
        assertFalse(h.verify(root, n, index + n, leaf, totalClaims, proof), "an index past the members");
        if (MerkleTree.depth(n + 1) != proof.length) {
            assertFalse(h.verify(root, n + 1, index, leaf, totalClaims, proof), "the depth of another count");
        }
        bytes32[] memory longer = new bytes32[](proof.length + 1);
        for (uint256 k = 0; k < proof.length; ++k) {
            longer[k] = proof[k];
        }
        assertFalse(h.verify(root, n, index, leaf, totalClaims, longer), "a deeper proof");
        if (proof.length > 0) {
            bytes32[] memory shorter = new bytes32[](proof.length - 1);
            for (uint256 k = 0; k < shorter.length; ++k) {
                shorter[k] = proof[k];
            }
            assertFalse(h.verify(root, n, index, leaf, totalClaims, shorter), "a shallower proof");
        }
        Balance memory other = Balance(leaf.participant, leaf.escrow + 1, leaf.debt, leaf.claim);
        assertFalse(h.verify(root, n, index, other, totalClaims, proof), "escrow bound");
        other = Balance(leaf.participant, leaf.escrow, leaf.debt + 1, leaf.claim);
        assertFalse(h.verify(root, n, index, other, totalClaims, proof), "debt bound");
        other = Balance(leaf.participant, leaf.escrow, leaf.debt, leaf.claim + 1);
        assertFalse(h.verify(root, n, index, other, totalClaims, proof), "claim bound");
        other = Balance(address(uint160(leaf.participant) ^ 1), leaf.escrow, leaf.debt, leaf.claim);
        assertFalse(h.verify(root, n, index, other, totalClaims, proof), "participant bound");
    }

    function _proof(Balance[] memory leaves, uint256 index) internal pure returns (bytes32[] memory proof) {
        uint256 depth = MerkleTree.depth(leaves.length);
        bytes32[] memory level = new bytes32[](uint256(1) << depth);
        for (uint256 i = 0; i < leaves.length; ++i) {
            level[i] = Balances.leafHash(i, leaves[i]);
        }
        proof = new bytes32[](depth);
        for (uint256 d = 0; d < depth; ++d) {
            proof[d] = level[index ^ 1];
            uint256 width = level.length / 2;
            bytes32[] memory up = new bytes32[](width);
            for (uint256 i = 0; i < width; ++i) {
                up[i] = MerkleTree.hashPair(level[2 * i], level[2 * i + 1]);
            }
            level = up;
            index >>= 1;
        }
    }

    // ------------------------------------------------------------------ unit cases

    function _three(uint256 e0, uint256 e1, uint256 e2) internal pure returns (Balance[] memory b) {
        b = new Balance[](3);
        b[0] = Balance(address(0xA), e0, 0, 0);
        b[1] = Balance(address(0xB), e1, 0, 0);
        b[2] = Balance(address(0xC), e2, 0, 0);
    }

    function _nets(int256 a, int256 b, int256 c) internal pure returns (int256[] memory nets) {
        nets = new int256[](3);
        (nets[0], nets[1], nets[2]) = (a, b, c);
    }

    function test_React_RemainderUnitsToTheFirstCreditors() public view {
        // 100 collected of 103 owed over 52 : 51: floors 50, 49; the unit left goes to the first creditor.
        (Balance[] memory next, uint256 added) = h.react(_three(100, 100, 100), _nets(-103, 52, 51));
        assertEq(next[0].escrow, 0);
        assertEq(next[0].debt, 3);
        assertEq(next[1].escrow, 151);
        assertEq(next[2].escrow, 149);
        assertEq(next[1].claim, 1);
        assertEq(next[2].claim, 2);
        assertEq(added, 3);
    }

    function test_React_ZeroNetsChangeNothing() public view {
        Balance[] memory before = _three(5, 0, 7);
        before[1].debt = 4;
        before[2].claim = 4;
        (Balance[] memory next, uint256 added) = h.react(before, _nets(0, 0, 0));
        assertEq(added, 0);
        assertEq(keccak256(abi.encode(next)), keccak256(abi.encode(before)));
    }

    function test_React_EmptyEscrowEverythingIsDebt() public view {
        (Balance[] memory next, uint256 added) = h.react(_three(0, 0, 0), _nets(-9, 4, 5));
        assertEq(next[0].debt, 9);
        assertEq(next[1].claim, 4);
        assertEq(next[2].claim, 5);
        assertEq(next[1].escrow + next[2].escrow, 0);
        assertEq(added, 9);
    }

    function test_React_RevertWhen_NetIsInt256Min() public {
        int256[] memory nets = _nets(type(int256).min, 0, 0);
        vm.expectRevert(stdError.arithmeticError);
        h.react(_three(1, 1, 1), nets);
    }

    function test_React_RevertWhen_RunningSumOverflows() public {
        int256 max = type(int256).max;
        vm.expectRevert(stdError.arithmeticError);
        h.react(_three(1, 1, 1), _nets(max, max, -max));
    }

    function test_Chain_TotalClaimsAccumulate() public view {
        Balance[] memory b = _three(10, 10, 10);
        (Balance[] memory w0, uint256 a0) = h.react(b, _nets(-30, 15, 15));
        (Balance[] memory w1, uint256 a1) = h.react(w0, _nets(-6, 3, 3));
        assertEq(a0, 20);
        assertEq(a1, 6);
        assertEq(w1[0].debt, 26);
        assertEq(w1[1].claim + w1[2].claim, a0 + a1);
        assertEq(Balances.root(w1, a0 + a1), keccak256(abi.encode(_treeRoot(w1), a0 + a1)));
    }

    function test_Genesis_IsEscrowOnly() public pure {
        address[] memory who = new address[](2);
        (who[0], who[1]) = (address(0xA), address(0xB));
        Balance[] memory g = Balances.genesis(who, 42);
        assertEq(g.length, 2);
        assertEq(g[1].participant, address(0xB));
        assertEq(g[1].escrow, 42);
        assertEq(g[1].debt + g[1].claim, 0);
        assertEq(
            Balances.leafHash(1, g[1]),
            keccak256(abi.encode(uint256(1), address(0xB), uint256(42), uint256(0), uint256(0)))
        );
    }

    function _treeRoot(Balance[] memory leaves) internal pure returns (bytes32) {
        bytes32[] memory hashes = new bytes32[](leaves.length);
        for (uint256 i = 0; i < leaves.length; ++i) {
            hashes[i] = Balances.leafHash(i, leaves[i]);
        }
        return MerkleTree.root(hashes);
    }
}
