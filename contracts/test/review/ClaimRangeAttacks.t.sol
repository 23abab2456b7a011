// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHub} from "../../src/interfaces/IHub.sol";
import {Balance, ClaimTerms} from "../../src/types/Community.sol";
import {HubFixture} from "../utils/HubFixture.sol";
import {claimTermsOf} from "../utils/ClaimTermsOf.sol";

// Test code: casts are of small bounded values.
// forge-lint: disable-start(unsafe-typecast)

/// @notice `Hub.claimRange` (`Settlement.payRange`): a closed community paid in batches of one aligned subtree of
/// its final balances tree. N = 5 (depth 3): subtrees of height 1 are [0, 2), [2, 4) and [4, 5) (one real leaf,
/// one of padding); of height 2, [0, 4) and [4, 5). Each attack is one test, refused with the error it names.
contract ClaimRangeAttacksTest is HubFixture {
    uint256 internal constant N = 5;

    function setUp() public {
        _deploy(N);
    }

    // ------------------------------------------------------------------ helpers

    /// @dev A community of N whose window 0 makes member 0 a debtor (owes 7,001 with 5,000 of escrow) and
    /// members 1, 2 and 4 creditors; windows 1 and 2 move nothing; closed.
    function _closed() internal returns (uint64 id) {
        id = _openActive(N);
        int256[] memory nets = new int256[](N);
        (nets[0], nets[1], nets[2], nets[3], nets[4]) = (-7_001, 3_500, 2_500, 0, 1_001);
        _update(id, 0, _state(nets), _everyone(N));
        _update(id, 1, _state(new int256[](N)), _everyone(N));
        _update(id, 2, _state(new int256[](N)), _everyone(N));
        hub.close(id);
    }

    function _range(uint64 id, uint256 index, uint256 height)
        internal
        view
        returns (uint256 first, Balance[] memory part, uint256 total, bytes32[] memory proof)
    {
        return book.rangeArgs(hub, id, index, height);
    }

    function _claimRange(uint64 id, uint256 first, Balance[] memory part, uint256 total, bytes32[] memory proof)
        internal
    {
        hub.claimRange(id, claimTermsOf(address(hub), id), first, part, total, proof);
    }

    /// @dev What `claimAll` pays each member, and the `held` it leaves (the state restored after).
    function _gainsByClaimAll(uint64 id) internal returns (uint256[] memory gain, uint256 held) {
        uint256 snap = vm.snapshotState();
        uint256[] memory before = _worths(N);
        (Balance[] memory all, uint256 total) = book.leaves(book.finalRoot(hub, id));
        hub.claimAll(id, claimTermsOf(address(hub), id), all, total);
        gain = _gainsSince(before);
        held = hub.community(id).held;
        vm.revertToState(snap);
    }

    function _expectInvalid(uint64 id, uint256 first) internal {
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, first));
    }

    // ------------------------------------------------------------------ paying in batches

    /// Batches of height 1 in index order (the debtor in the first) pay each member exactly what one
    /// `claimAll` pays and leave the community the same `held` (the pool's rounding dust).
    function test_Ranges_PayWhatClaimAllPays() public {
        uint64 id = _closed();
        (uint256[] memory expected, uint256 heldAfter) = _gainsByClaimAll(id);
        uint256[] memory before = _worths(N);
        for (uint256 first = 0; first < N; first += 2) {
            (uint256 f, Balance[] memory part, uint256 total, bytes32[] memory proof) = _range(id, first, 1);
            assertEq(f, first);
            assertEq(part.length, first == 4 ? 1 : 2, "the last subtree has one real leaf");
            _claimRange(id, f, part, total, proof);
        }
        for (uint256 i = 0; i < N; ++i) {
            assertEq(_worth(i) - before[i], expected[i], "a batch pays what claimAll pays");
        }
        assertEq(hub.community(id).held, heldAfter, "held as after claimAll");
    }

    /// The whole tree as one range (no proof) is `claimAll`; a height-2 batch then the last leaf too.
    function test_Ranges_WholeTreeAndHeightTwo() public {
        uint64 id = _closed();
        (uint256[] memory expected,) = _gainsByClaimAll(id);
        uint256 snap = vm.snapshotState();
        uint256[] memory before = _worths(N);
        (uint256 f, Balance[] memory part, uint256 total, bytes32[] memory proof) = _range(id, 0, 3);
        assertEq(proof.length, 0);
        _claimRange(id, f, part, total, proof);
        for (uint256 i = 0; i < N; ++i) {
            assertEq(_worth(i) - before[i], expected[i]);
        }
        vm.revertToState(snap);
        (f, part, total, proof) = _range(id, 0, 2);
        _claimRange(id, f, part, total, proof);
        (f, part, total, proof) = _range(id, 4, 2);
        assertEq(f, 4);
        _claimRange(id, f, part, total, proof);
        for (uint256 i = 0; i < N; ++i) {
            assertEq(_worth(i) - before[i], expected[i]);
        }
    }

    /// A member paid by its own `claim` first is skipped, not refused; a creditor paid before its debtor's batch
    /// takes the rest of its share in a later batch of its own subtree (or by `claimShare`).
    function test_Range_SkipsThePaidAndSharesLater() public {
        uint64 id = _closed();
        (uint256[] memory expected,) = _gainsByClaimAll(id);
        uint256[] memory before = _worths(N);
        _claimMember(id, 2);
        (uint256 f, Balance[] memory part, uint256 total, bytes32[] memory proof) = _range(id, 2, 1);
        _claimRange(id, f, part, total, proof);
        (f, part, total, proof) = _range(id, 0, 1);
        _claimRange(id, f, part, total, proof);
        (f, part, total, proof) = _range(id, 4, 1);
        _claimRange(id, f, part, total, proof);
        // Members 2 and 3's batch ran before the debtor's: 2's share of the pool is still owed, and its batch pays it.
        (f, part, total, proof) = _range(id, 2, 1);
        _claimRange(id, f, part, total, proof);
        for (uint256 i = 0; i < N; ++i) {
            assertEq(_worth(i) - before[i], expected[i]);
        }
    }

    // ------------------------------------------------------------------ attacks

    /// Attack: the same batch twice. Refused: `NothingToClaim(id, first)`.
    function test_RevertWhen_RangePaidTwice() public {
        uint64 id = _closed();
        (uint256 f, Balance[] memory part, uint256 total, bytes32[] memory proof) = _range(id, 2, 1);
        _claimRange(id, f, part, total, proof);
        vm.expectRevert(abi.encodeWithSelector(IHub.NothingToClaim.selector, id, f));
        hub.claimRange(id, claimTermsOf(address(hub), id), f, part, total, proof);
    }

    /// Attack: a misaligned batch (members 1 and 2 at height 1): their leaf hashes name indices 1 and 2, the
    /// positions are 0 and 1's. Refused: `InvalidBalanceProof(id, 1)`.
    function test_RevertWhen_RangeMisaligned() public {
        uint64 id = _closed();
        (Balance[] memory all, uint256 total) = book.leaves(book.finalRoot(hub, id));
        (,,, bytes32[] memory proof) = _range(id, 0, 1);
        Balance[] memory part = new Balance[](2);
        (part[0], part[1]) = (all[1], all[2]);
        ClaimTerms memory terms = claimTermsOf(address(hub), id);
        _expectInvalid(id, 1);
        hub.claimRange(id, terms, 1, part, total, proof);
    }

    /// Attack: a batch short of its real leaves (member 0 alone at height 1: the hub pads member 1's place with
    /// zero), one past N (a leaf claimed at padding index 5), and one with a leaf added after the last real one.
    /// Each has another root: `InvalidBalanceProof(id, first)`.
    function test_RevertWhen_RangeShortOrPastN() public {
        uint64 id = _closed();
        ClaimTerms memory terms = claimTermsOf(address(hub), id);
        (Balance[] memory all, uint256 total) = book.leaves(book.finalRoot(hub, id));
        (uint256 f, Balance[] memory part,, bytes32[] memory proof) = _range(id, 0, 1);
        Balance[] memory one = new Balance[](1);
        one[0] = part[0];
        _expectInvalid(id, 0);
        hub.claimRange(id, terms, f, one, total, proof);

        (f,,, proof) = _range(id, 4, 1);
        Balance[] memory ghost = new Balance[](1);
        ghost[0] = Balance(nodes[4], 1_000, 0, 0);
        _expectInvalid(id, 5);
        hub.claimRange(id, terms, 5, ghost, total, proof);

        Balance[] memory extra = new Balance[](2);
        (extra[0], extra[1]) = (all[4], Balance(nodes[3], 1_000, 0, 0));
        _expectInvalid(id, 4);
        hub.claimRange(id, terms, 4, extra, total, proof);
    }

    /// Attack: an empty batch over padding only (indices 6 and 7: the hub's own padding hashes to the tree's),
    /// a batch wider than its subtree (three leaves at height 1, which would write past it), and a proof longer
    /// than the tree is deep. Refused before any hashing: `InvalidBalanceProof(id, first)`.
    function test_RevertWhen_RangeEmptyWideOrTooDeep() public {
        uint64 id = _closed();
        ClaimTerms memory terms = claimTermsOf(address(hub), id);
        (Balance[] memory all, uint256 total) = book.leaves(book.finalRoot(hub, id));
        // The true proof of the padding subtree [6, 8): its root is in the tree, so only the count refuses it.
        (uint256 f, Balance[] memory none,, bytes32[] memory proof) = _range(id, 6, 1);
        assertEq(f, 6);
        assertEq(none.length, 0);
        _expectInvalid(id, 6);
        hub.claimRange(id, terms, 6, none, total, proof);

        (,,, proof) = _range(id, 0, 1);
        Balance[] memory three = new Balance[](3);
        (three[0], three[1], three[2]) = (all[0], all[1], all[2]);
        _expectInvalid(id, 0);
        hub.claimRange(id, terms, 0, three, total, proof);

        bytes32[] memory deep = new bytes32[](4);
        Balance[] memory one = new Balance[](1);
        one[0] = all[0];
        _expectInvalid(id, 0);
        hub.claimRange(id, terms, 0, one, total, deep);
    }

    /// Attack: an empty batch at first = N exactly (height 0: the padding leaf right after the last member, with
    /// its true proof). The hub pads an empty subtree with the tree's own zero leaf, so its root is in the tree
    /// and the claim root matches: only the bound `first < N` (`Settlement._requireRange`; at `first > N` the
    /// batch would reach `NothingToClaim`) refuses it, with the error of a range starting at or past N. Nothing
    /// moves (the mutation run's survivor, s26).
    function test_RevertWhen_RangeEmptyAtN() public {
        uint64 id = _closed();
        ClaimTerms memory terms = claimTermsOf(address(hub), id);
        (uint256 f, Balance[] memory none, uint256 total, bytes32[] memory proof) = _range(id, N, 0);
        assertEq(f, N);
        assertEq(none.length, 0);
        assertEq(proof.length, 3, "a leaf's proof: height 0");
        uint256[] memory before = _worths(N);
        uint256 held = hub.community(id).held;
        uint256 pool = hub.community(id).repaidPool;
        uint256 hubBalance = token.balanceOf(address(hub));

        _expectInvalid(id, N);
        hub.claimRange(id, terms, f, none, total, proof);

        uint256[] memory afterwards = _worths(N);
        for (uint256 i = 0; i < N; ++i) {
            assertEq(afterwards[i], before[i], "nobody paid");
            (,, bool settled,,) = hub.member(id, i);
            assertFalse(settled, "nobody settled");
        }
        assertEq(hub.community(id).held, held, "held unchanged");
        assertEq(hub.community(id).repaidPool, pool, "pool unchanged");
        assertEq(token.balanceOf(address(hub)), hubBalance, "no token left the hub");
    }

    /// Attack: a sibling of the proof changed, another total of claims, inflated escrow in one leaf, and terms
    /// other than `close` committed (bond + 1). Each refused: `InvalidBalanceProof(id, first)`.
    function test_RevertWhen_RangeWrongProofTotalLeafOrTerms() public {
        uint64 id = _closed();
        ClaimTerms memory terms = claimTermsOf(address(hub), id);
        (uint256 f, Balance[] memory part, uint256 total, bytes32[] memory proof) = _range(id, 2, 1);
        bytes32 kept = proof[0];
        proof[0] = keccak256("another sibling");
        _expectInvalid(id, f);
        hub.claimRange(id, terms, f, part, total, proof);
        proof[0] = kept;

        _expectInvalid(id, f);
        hub.claimRange(id, terms, f, part, total + 1, proof);

        part[1].escrow += 1;
        _expectInvalid(id, f);
        hub.claimRange(id, terms, f, part, total, proof);
        part[1].escrow -= 1;

        terms.bond += 1;
        _expectInvalid(id, f);
        hub.claimRange(id, terms, f, part, total, proof);
        terms.bond -= 1;
        _claimRange(id, f, part, total, proof);
    }

    /// Attack: a batch before close, and one of an unknown community. Refused: `CommunityNotClosed`.
    function test_RevertWhen_RangeBeforeCloseOrUnknown() public {
        uint64 id = _openActive(N);
        ClaimTerms memory terms = claimTermsOf(address(hub), id);
        Balance[] memory one = new Balance[](1);
        vm.expectRevert(abi.encodeWithSelector(IHub.CommunityNotClosed.selector, id));
        hub.claimRange(id, terms, 0, one, 0, new bytes32[](3));
        vm.expectRevert(abi.encodeWithSelector(IHub.CommunityNotClosed.selector, uint64(99)));
        hub.claimRange(99, terms, 0, one, 0, new bytes32[](3));
    }
}
