// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Hub} from "../../src/Hub.sol";
import {IHub} from "../../src/interfaces/IHub.sol";
import {Settlement} from "../../src/libraries/Settlement.sol";
import {CommunityToken} from "../../src/tokens/CommunityToken.sol";
import {Balance, ClaimTerms} from "../../src/types/Community.sol";
import {ParticipantState, StateHash} from "../../src/types/Market.sol";
import {HubFixture} from "../utils/HubFixture.sol";
import {claimTermsOf} from "../utils/ClaimTermsOf.sol";
import {HookToken, Receiver} from "./ClaimAllAttacks.t.sol";

// Test code: timestamps are the cheatcode's, casts are of small bounded values.
// forge-lint: disable-start(block-timestamp, unsafe-typecast)

/// @notice The hub with its slash exposed (what a dispute or a lost game calls) and a read of a community's
/// `settledBits` words (`Settlement.isSettled`).
contract SettledBitsHarness is Hub {
    constructor(address[] memory modules) Hub(modules) {}

    function slashSet(uint64 communityId, uint256[] memory offenders, uint256 cap, bool orCredit, address challenger)
        external
    {
        _slash(
            _communities[communityId],
            communityId,
            Settlement.Penalty(offenders, cap, 0, orCredit, _communities[communityId].bond),
            challenger
        );
    }

    function settledWord(uint64 communityId, uint256 word) external view returns (uint256) {
        return _communities[communityId].settledBits[word];
    }
}

/// @notice Review of commit 10fe5c3 ("Settled without a slot", DESIGN.md §5.6): a member of a community opened
/// together whose claim leaves it no share is marked by a bit in `settledBits` instead of a fresh `Settled` slot.
/// Each test is an attack on money conservation or on the once-only payout through that bit: double payouts in
/// every order of claim / claimShare / claimAll, slot-less members whose slot a slash, a slash share, a fine or a
/// deposit wrote (state still None), word boundaries of a community of 300, other communities' bits, aborted
/// communities, a re-entrant token, indices beyond N, and a fuzzed equivalence with the same community joined
/// one by one (whose members always have slots).
contract SettledBitsAttacksTest is HubFixture {
    uint256 internal constant N = 3;
    SettledBitsHarness internal harness;
    /// The outsider that challenges (gets the slash reward).
    address internal outsider;

    function setUp() public {
        _deploy(N + 2);
        harness = new SettledBitsHarness(_allowList());
        hub = harness;
        outsider = nodes[N + 1];
        token.approve(address(hub), type(uint256).max);
        for (uint256 i = 0; i < nodes.length; ++i) {
            vm.prank(nodes[i]);
            token.approve(address(hub), type(uint256).max);
        }
    }

    // ------------------------------------------------------------------ helpers

    function _set(uint256 bits) internal pure returns (uint256[] memory set) {
        set = new uint256[](1);
        set[0] = bits;
    }

    function _nets3(int256 a, int256 b, int256 c) internal pure returns (int256[] memory nets) {
        nets = new int256[](3);
        (nets[0], nets[1], nets[2]) = (a, b, c);
    }

    /// @dev Two debtors (0, 1) each 2,001 short, two creditors (2, 3) each owed a claim of 2,001.
    function _twoDebtors() internal pure returns (int256[] memory nets) {
        nets = new int256[](4);
        (nets[0], nets[1], nets[2], nets[3]) = (-7_001, -7_001, 7_001, 7_001);
    }

    /// @dev Window 0 settles `nets`, windows 1 and 2 nothing (everyone signs); closed.
    function _runAndClose(uint64 id, int256[] memory nets) internal {
        uint256 n = nets.length;
        _update(id, 0, _state(nets), _everyone(n));
        _update(id, 1, _state(new int256[](n)), _everyone(n));
        _update(id, 2, _state(new int256[](n)), _everyone(n));
        hub.close(id);
    }

    function _terms(uint64 id) internal view returns (ClaimTerms memory) {
        return claimTermsOf(address(hub), id);
    }

    function _claimShare(uint64 id, uint256 i) internal {
        (Balance memory leaf, uint256 total, bytes32[] memory proof) = book.claimArgs(hub, id, i);
        hub.claimShare(id, _terms(id), i, leaf, total, proof);
    }

    function _claimAll(uint64 id) internal {
        (Balance[] memory all, uint256 total) = book.leaves(book.finalRoot(hub, id));
        hub.claimAll(id, _terms(id), all, total);
    }

    /// @dev A second claim and a claimShare of member i are refused (`AlreadyClaimed`, `NothingToClaim`).
    function _assertDone(uint64 id, uint256 i) internal {
        (Balance memory leaf, uint256 total, bytes32[] memory proof) = book.claimArgs(hub, id, i);
        ClaimTerms memory t = _terms(id);
        vm.expectRevert(abi.encodeWithSelector(IHub.AlreadyClaimed.selector, id, i));
        hub.claim(id, t, i, leaf, total, proof);
        vm.expectRevert(abi.encodeWithSelector(IHub.NothingToClaim.selector, id, i));
        hub.claimShare(id, t, i, leaf, total, proof);
    }

    /// @dev Nobody can take anything more: the batch, every claim and every share refused.
    function _assertAllDone(uint64 id, uint256 n) internal {
        (Balance[] memory all, uint256 total) = book.leaves(book.finalRoot(hub, id));
        vm.expectRevert(abi.encodeWithSelector(IHub.NothingToClaim.selector, id, n));
        hub.claimAll(id, _terms(id), all, total);
        for (uint256 i = 0; i < n; ++i) {
            _assertDone(id, i);
        }
    }

    function _settled(uint64 id, uint256 i) internal view returns (bool settled, uint256 taken) {
        (,, settled, taken,) = hub.member(id, i);
    }

    /// @dev The hub holds exactly the community's `held` plus what waits in `withdrawable` (one community, the
    /// challenger and the members the only other holders).
    function _assertConserved(uint64 id) internal view {
        uint256 waiting = hub.withdrawable(IERC20(address(token)), address(this));
        for (uint256 i = 0; i < nodes.length; ++i) {
            waiting += hub.withdrawable(IERC20(address(token)), nodes[i]);
        }
        assertEq(token.balanceOf(address(hub)), hub.community(id).held + waiting, "held + withdrawable = balance");
    }

    /// @dev Window `w` of a community of `n` (any size), signed by everyone (the wide ECDSA blob): final at once.
    function _updateWide(uint64 id, uint32 w, ParticipantState[] memory s, uint256 n) internal {
        if (block.timestamp < _windowEnd(w)) vm.warp(_windowEnd(w));
        bytes32 balancesRoot = _balancesRoot(id, w, s);
        bytes32 digest = _resultDigest(address(hub), id, w, _root(w), StateHash.hash(s), balancesRoot);
        uint256[] memory who = _everyone(n);
        bytes memory sig = _wideBlob(digest, who, _signerWords(who, n));
        hub.update(id, w, _root(w), StateHash.hash(s), balancesRoot, "", sig);
    }

    // ------------------------------------------------------------------ slashed members without a slot

    /// Attack: a creditor without a slot is slashed (its slot gets bondMissing 400 and credit −100, state still
    /// None), claims before the debtor (no share yet: settled by its bit), then takes its share once the debtor
    /// repaid. Were its leftover bondMissing read as claimTaken, its share would come 400 short (or its second
    /// claim pass as unsettled). It fails: the bit settles it, `member` reports claimTaken 0, a second claim is
    /// `AlreadyClaimed`, and claimShare pays exactly floor(pool · claim / total), the slot then `Settled`.
    function test_SlashedCreditorSettledByBit_LeftoverBondMissingNotClaimTaken() public {
        uint64 id = _openTogether(N);
        harness.slashSet(id, _set(1 << 1), 400, false, outsider);
        assertEq(_bondOf(hub, id, 1), BOND - 400);
        _runAndClose(id, _nets3(-7_001, 3_500, 3_501));
        Balance memory leaf1 = _finalLeaf(id, 1);
        assertEq(leaf1.claim, 1_000);

        uint256 before = _worth(1);
        _claimMember(id, 1);
        // Escrow + the slashed bond; its credit −100 + creditPerMember 100 = 0; no share (pool empty).
        assertEq(_worth(1) - before, leaf1.escrow + BOND - 400);
        (bool settled, uint256 taken) = _settled(id, 1);
        assertTrue(settled);
        assertEq(taken, 0, "the slash's bondMissing is not reported as claimTaken");
        assertEq(harness.settledWord(id, 0), 1 << 1, "settled by its bit");
        _assertDone(id, 1);

        // The debtor: bond 1,000 + creditPerMember 100 = 1,100 repaid, nothing paid.
        uint256 debtorBefore = _worth(0);
        _claimMember(id, 0);
        assertEq(_worth(0), debtorBefore);
        assertEq(hub.community(id).repaidPool, 1_100);

        (, uint256 total,) = book.claimArgs(hub, id, 1);
        uint256 owed = uint256(1_100) * leaf1.claim / total;
        assertEq(owed, 549);
        vm.expectEmit(address(hub));
        emit IHub.ClaimShared(id, 1, nodes[1], owed);
        _claimShare(id, 1);
        assertEq(_worth(1) - before, leaf1.escrow + BOND - 400 + owed);
        (settled, taken) = _settled(id, 1);
        assertTrue(settled);
        assertEq(taken, owed);
        _assertDone(id, 1);

        _claimAll(id);
        _assertAllDone(id, N);
        // Everything out but the pool's rounding dust: 1,100 − 549 − 550.
        assertEq(hub.community(id).held, 1);
        _assertConserved(id);
    }

    /// Attack: the slashed slot-less creditor claims after the debtor (its claim leaves a share: the slot is
    /// written `Settled` with the share over the slash's bondMissing), then asks for the share again, or claims
    /// again. Refused: it took bond − 400 + escrow + its whole share exactly once.
    function test_SlashedCreditorAfterDebtor_SlotWrittenWithShareOnce() public {
        uint64 id = _openTogether(N);
        harness.slashSet(id, _set(1 << 1), 400, false, outsider);
        _runAndClose(id, _nets3(-7_001, 3_500, 3_501));
        _claimMember(id, 0);
        Balance memory leaf1 = _finalLeaf(id, 1);
        uint256 before = _worth(1);
        _claimMember(id, 1);
        assertEq(_worth(1) - before, leaf1.escrow + BOND - 400 + 549);
        (bool settled, uint256 taken) = _settled(id, 1);
        assertTrue(settled);
        assertEq(taken, 549);
        assertEq(harness.settledWord(id, 0), 1, "a share kept: its slot, no bit (only the debtor's bit)");
        _assertDone(id, 1);
        _claimAll(id);
        _assertAllDone(id, N);
        assertEq(hub.community(id).held, 1);
        _assertConserved(id);
    }

    /// Attack: a slashed slot-less debtor (bondMissing 400) whose claim repays 600 and pays it nothing claims
    /// again, to repay into the pool twice (inflating the creditors' shares with other members' money) or to be
    /// paid. Refused: its bit settles it (`AlreadyClaimed`), the pool stays 600, the creditors take exactly
    /// their shares of 600.
    function test_SlashedDebtorSettledByBit_RepaysOnce() public {
        uint64 id = _openTogether(N);
        harness.slashSet(id, _set(1), 400, false, outsider);
        _runAndClose(id, _nets3(-7_001, 3_500, 3_501));
        uint256 before = _worth(0);
        vm.expectEmit(address(hub));
        emit IHub.Claimed(id, 0, nodes[0], 0, 600);
        _claimMember(id, 0);
        assertEq(_worth(0), before);
        assertEq(harness.settledWord(id, 0), 1);
        _assertDone(id, 0);
        assertEq(hub.community(id).repaidPool, 600);

        uint256[N] memory worth;
        for (uint256 i = 1; i < N; ++i) {
            worth[i] = _worth(i);
        }
        _claimAll(id);
        (, uint256 total,) = book.claimArgs(hub, id, 1);
        for (uint256 i = 1; i < N; ++i) {
            Balance memory leaf = _finalLeaf(id, i);
            assertEq(_worth(i) - worth[i], leaf.escrow + BOND + 100 + 600 * leaf.claim / total);
        }
        assertEq(hub.community(id).repaidPool, 600);
        _assertAllDone(id, N);
        assertEq(hub.community(id).held, 1, "600 - 299 - 300");
        _assertConserved(id);
    }

    /// Attack: a member credited by a slash share (recipients fewer than offenders: its slot's credit written,
    /// state None) claims, then claims again or goes through the batch. Paid escrow + bond + its credit once;
    /// the offenders their bond less the slash; nothing left.
    function test_SlashShareRecipientWithoutSlot_PaidItsCreditOnce() public {
        uint64 id = _openTogether(N);
        harness.slashSet(id, _set(0x3), 400, false, outsider);
        assertEq(_creditOf(hub, id, 2), 400, "(800 / 2) to the one recipient, written to its slot");
        _runAndClose(id, _nets3(-100, 100, 0));
        uint256[N] memory before;
        for (uint256 i = 0; i < N; ++i) {
            before[i] = _worth(i);
        }
        _claimMember(id, 2);
        assertEq(_worth(2) - before[2], ESCROW + BOND + 400);
        assertEq(harness.settledWord(id, 0), 1 << 2);
        _assertDone(id, 2);
        _claimAll(id);
        assertEq(_worth(0) - before[0], ESCROW - 100 + BOND - 400);
        assertEq(_worth(1) - before[1], ESCROW + 100 + BOND - 400);
        assertEq(_worth(2) - before[2], ESCROW + BOND + 400, "the batch skipped it");
        _assertAllDone(id, N);
        assertEq(hub.community(id).held, 0);
        _assertConserved(id);
    }

    /// Attack: a slot-less member fined beyond its bond (an equivocation-style slash: credit −750 stored,
    /// −500 net) claims, then claims again (to be paid without the fine, or to have the fine collected from
    /// someone else's money). Its fine is collected once (`FineCollected`), kept by the hub; the second claim is
    /// `AlreadyClaimed`.
    function test_FinedMemberWithoutSlot_FineCollectedOnce() public {
        uint64 id = _openTogether(N);
        harness.slashSet(id, _set(1 << 1), 1_500, true, outsider);
        (uint256 bond,,,, uint256 fine) = hub.member(id, 1);
        assertEq(bond, 0);
        assertEq(fine, 500);
        _runAndClose(id, _nets3(0, 0, 0));
        uint256 before = _worth(1);
        vm.expectEmit(address(hub));
        emit IHub.FineCollected(id, 1, 500);
        _claimMember(id, 1);
        assertEq(_worth(1) - before, ESCROW - 500);
        (bool settled, uint256 taken) = _settled(id, 1);
        assertTrue(settled);
        assertEq(taken, 0);
        (, uint256 credit,,, uint256 fineAfter) = hub.member(id, 1);
        assertEq(credit + fineAfter, 0, "a settled member reports no fine left");
        _assertDone(id, 1);
        _claimAll(id);
        _assertAllDone(id, N);
        // The fine stays in the hub, paid to nobody.
        assertEq(hub.community(id).held, 500);
        _assertConserved(id);
    }

    /// Attack: a slot-less member deposits (credit written to its slot, state None) and is slashed; after close it
    /// tries to top its bond up or deposit again (to be paid more than came in, or to revive its slot after its
    /// bit settled it). Refused `CommunityAlreadyClosed` before and after its claim; the claim pays its deposit
    /// once.
    function test_DepositThenClaim_TopUpAndDepositAfterCloseRefused() public {
        uint64 id = _openTogether(N);
        vm.prank(nodes[1]);
        hub.deposit(id, 700);
        harness.slashSet(id, _set(1 << 1), 400, false, outsider);
        _runAndClose(id, _nets3(0, 0, 0));
        for (uint256 k = 0; k < 2; ++k) {
            vm.startPrank(nodes[1]);
            vm.expectRevert(abi.encodeWithSelector(IHub.CommunityAlreadyClosed.selector, id));
            hub.topUpBond(id);
            vm.expectRevert(abi.encodeWithSelector(IHub.CommunityAlreadyClosed.selector, id));
            hub.deposit(id, 1);
            vm.stopPrank();
            if (k == 0) {
                uint256 before = _worth(1);
                _claimMember(id, 1);
                // Escrow + bond − 400 + its deposit 700 (its −100 and creditPerMember 100 cancel).
                assertEq(_worth(1) - before, ESCROW + BOND - 400 + 700);
                assertEq(harness.settledWord(id, 0), 1 << 1);
            }
        }
        _assertDone(id, 1);
        _claimAll(id);
        _assertAllDone(id, N);
        assertEq(hub.community(id).held, 0);
        _assertConserved(id);
    }

    // ------------------------------------------------------------------ orders of claim, claimShare, claimAll

    /// Attack: an early creditor settled by its bit takes its share in two steps as two debtors repay, then asks
    /// again, claims again, and runs the batch. Each claimShare pays exactly the growth of its due; after the
    /// first one its slot holds claimTaken and every further attempt is refused; the community ends empty.
    function test_ClaimShareInSteps_EarlyCreditorBitThenSlot() public {
        _deployMore(4);
        uint64 id = _openTogether(4);
        _runAndClose(id, _twoDebtors());
        Balance memory leaf2 = _finalLeaf(id, 2);
        (, uint256 total,) = book.claimArgs(hub, id, 2);
        assertEq(leaf2.claim, 2_001);
        assertEq(total, 4_002);
        uint256 before = _worth(2);
        _claimMember(id, 2);
        assertEq(_worth(2) - before, leaf2.escrow + BOND);
        assertEq(harness.settledWord(id, 0), 1 << 2);
        _assertDone(id, 2);

        _claimMember(id, 0);
        _claimShare(id, 2);
        assertEq(_worth(2) - before, leaf2.escrow + BOND + 500);
        _assertDone(id, 2);
        (bool settled, uint256 taken) = _settled(id, 2);
        assertTrue(settled);
        assertEq(taken, 500);

        _claimMember(id, 1);
        _claimShare(id, 2);
        assertEq(_worth(2) - before, leaf2.escrow + BOND + 1_000);
        _assertDone(id, 2);

        // Creditor 3 claims last: its whole share at once (slot written, no bit).
        uint256 before3 = _worth(3);
        _claimMember(id, 3);
        assertEq(_worth(3) - before3, _finalLeaf(id, 3).escrow + BOND + 1_000);
        assertEq(harness.settledWord(id, 0), (1 << 2) | 1 | 2, "the two debtors and the early creditor");
        _assertAllDone(id, 4);
        assertEq(hub.community(id).held, 0);
        _assertConserved(id);
    }

    /// Attack: the batch first (every creditor paid from an empty pool by its bit, then topped up in the second
    /// pass), then single claims and shares of everyone. The batch pays each exactly once; everything after is
    /// refused.
    function test_ClaimAllFirstThenSingles_Refused() public {
        _deployMore(4);
        uint64 id = _openTogether(4);
        // Creditors first in index order: the first pass pays them from an empty pool.
        int256[] memory nets = new int256[](4);
        (nets[0], nets[1], nets[2], nets[3]) = (7_001, 7_001, -7_001, -7_001);
        _runAndClose(id, nets);
        uint256[4] memory before;
        for (uint256 i = 0; i < 4; ++i) {
            before[i] = _worth(i);
        }
        _claimAll(id);
        for (uint256 i = 0; i < 2; ++i) {
            assertEq(_worth(i) - before[i], _finalLeaf(id, i).escrow + BOND + 1_000);
            (bool settled, uint256 taken) = _settled(id, i);
            assertTrue(settled);
            assertEq(taken, 1_000, "second pass wrote the slot");
        }
        assertEq(_worth(2), before[2]);
        assertEq(_worth(3), before[3]);
        _assertAllDone(id, 4);
        assertEq(hub.community(id).held, 0);
        _assertConserved(id);
    }

    // ------------------------------------------------------------------ word boundaries (N = 300)

    /// Attack: in a community of 300 (two words of bits), claims at 255, 256 and 257 (the last bit of word 0, the
    /// first two of word 1) and at 0 and 299 settle exactly their own bits; their neighbours stay unsettled and
    /// are paid once; a second claim of each is refused; the batch pays the other 295 exactly once and empties
    /// the community. The words end all ones (word 0) and 44 ones (word 1), word 2 untouched.
    function test_WordBoundaries_N300() public {
        uint256 n = 300;
        _deployMore(n);
        uint64 id = _openTogether(n);
        ParticipantState[] memory s = _alternatingState(n, 100);
        for (uint32 w = 0; w < WINDOWS; ++w) {
            _updateWide(id, w, s, n);
        }
        hub.close(id);
        uint256[5] memory picks = [uint256(255), 256, 257, 0, 299];
        for (uint256 k = 0; k < picks.length; ++k) {
            uint256 i = picks[k];
            uint256 before = _worth(i);
            _claimMember(id, i);
            assertEq(_worth(i) - before, _finalLeaf(id, i).escrow + BOND);
            _assertDone(id, i);
        }
        assertEq(harness.settledWord(id, 0), (uint256(1) << 255) | 1);
        assertEq(harness.settledWord(id, 1), (uint256(1) << (299 - 256)) | 3);
        for (uint256 k = 0; k < 6; ++k) {
            uint256 i = [uint256(1), 2, 254, 258, 298, 511][k];
            (bool settled,) = _settled(id, i);
            assertFalse(settled, "a neighbour stays unsettled");
        }
        (bool beyond,) = _settled(id, 300);
        assertFalse(beyond);
        uint256 w254 = _worth(254);
        _claimAll(id);
        assertEq(_worth(254) - w254, _finalLeaf(id, 254).escrow + BOND);
        assertEq(harness.settledWord(id, 0), type(uint256).max);
        assertEq(harness.settledWord(id, 1), (uint256(1) << 44) - 1);
        assertEq(harness.settledWord(id, 2), 0);
        assertEq(hub.community(id).held, 0);
        assertEq(token.balanceOf(address(hub)), 0);
        for (uint256 k = 0; k < picks.length; ++k) {
            _assertDone(id, picks[k]);
        }
        (Balance[] memory all, uint256 total) = book.leaves(book.finalRoot(hub, id));
        vm.expectRevert(abi.encodeWithSelector(IHub.NothingToClaim.selector, id, n));
        hub.claimAll(id, _terms(id), all, total);
    }

    // ------------------------------------------------------------------ indices, communities, aborts

    /// Attack: set a bit (or get paid) for an index the tree pads (3 of a community of 3, a zero leaf) or beyond
    /// (256: bit 0 of word 1), with a zero leaf and a zero proof. `InvalidBalanceProof` for both paths; no bit.
    function test_RevertWhen_PaddedOrOutOfRangeIndex() public {
        uint64 id = _openTogether(N);
        _runAndClose(id, _nets3(0, 0, 0));
        (, uint256 total, bytes32[] memory proof) = book.claimArgs(hub, id, 0);
        ClaimTerms memory t = _terms(id);
        Balance memory zero;
        uint256[2] memory bad = [uint256(3), 256];
        for (uint256 k = 0; k < 2; ++k) {
            vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, bad[k]));
            hub.claim(id, t, bad[k], zero, total, proof);
            vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, bad[k]));
            hub.claimShare(id, t, bad[k], zero, total, proof);
        }
        assertEq(harness.settledWord(id, 0), 0);
        assertEq(harness.settledWord(id, 1), 0);
    }

    /// Attack: two communities opened together with the same members and the same final balances (so one's
    /// leaves and proofs are valid for the other's claims): a claim in A must not settle the same index in B, nor
    /// the reverse. Each community pays each member exactly once and ends empty.
    function test_BitsArePerCommunity() public {
        uint64 a = _openTogether(N);
        // Another deadline: another consent digest.
        vm.warp(block.timestamp + 1);
        uint64 b = _openTogether(N);
        ParticipantState[] memory s = _transferState(N, 100);
        for (uint32 w = 0; w < WINDOWS; ++w) {
            _update(a, w, s, _everyone(N));
            _update(b, w, s, _everyone(N));
        }
        hub.close(a);
        hub.close(b);
        assertEq(book.finalRoot(hub, a), book.finalRoot(hub, b), "the same leaves");
        uint256 before = _worth(1);
        _claimMember(a, 1);
        assertEq(harness.settledWord(a, 0), 1 << 1);
        assertEq(harness.settledWord(b, 0), 0);
        (bool settledInB,) = _settled(b, 1);
        assertFalse(settledInB);
        _claimMember(b, 1);
        // Each community: escrow + 3 windows of 100 from member 0 + bond.
        assertEq(_worth(1) - before, 2 * (ESCROW + 300 + BOND));
        _assertDone(a, 1);
        _assertDone(b, 1);
        _claimAll(a);
        _claimAll(b);
        _assertAllDone(a, N);
        _assertAllDone(b, N);
        assertEq(hub.community(a).held, 0);
        assertEq(hub.community(b).held, 0);
        assertEq(token.balanceOf(address(hub)), 0);
    }

    /// Attack: in an aborted community (closed while Opening) the participant that never joined has a `None`
    /// slot like a member opened together: it claims (to be paid a deposit it never made), asks a share, or goes
    /// through the batch. `NotJoined` / `NothingToClaim`, skipped by the batch; the joined are paid exactly their
    /// deposits once (their slots written, no bit used).
    function test_AbortedNeverJoinedRefused_NoBitUsed() public {
        uint64 id = _open(N);
        book.cacheGenesis(hub, id);
        _join(id, 0);
        _join(id, 1);
        vm.prank(nodes[0]);
        hub.close(id);
        ClaimTerms memory t = _terms(id);
        assertTrue(t.aborted);
        (Balance memory leaf2, uint256 total, bytes32[] memory proof2) = book.claimArgs(hub, id, 2);
        vm.expectRevert(abi.encodeWithSelector(IHub.NotJoined.selector, id, nodes[2]));
        hub.claim(id, t, 2, leaf2, total, proof2);
        vm.expectRevert(abi.encodeWithSelector(IHub.NothingToClaim.selector, id, uint256(2)));
        hub.claimShare(id, t, 2, leaf2, total, proof2);
        uint256[N] memory before;
        for (uint256 i = 0; i < N; ++i) {
            before[i] = _worth(i);
        }
        _claimMember(id, 0);
        _claimAll(id);
        assertEq(_worth(0) - before[0], BOND + ESCROW);
        assertEq(_worth(1) - before[1], BOND + ESCROW);
        assertEq(_worth(2), before[2]);
        assertEq(harness.settledWord(id, 0), 0, "joined members: slots, never bits");
        vm.expectRevert(abi.encodeWithSelector(IHub.NotJoined.selector, id, nodes[2]));
        hub.claim(id, t, 2, leaf2, total, proof2);
        _assertDone(id, 0);
        _assertDone(id, 1);
        assertEq(hub.community(id).held, 0);
        assertEq(token.balanceOf(address(hub)), 0);
    }

    // ------------------------------------------------------------------ a hostile token

    /// Attack: a slot-less member's receive hook re-enters the hub while its bit-settling claim pays it (claim of
    /// itself, claimShare, claimAll, withdraw), swallowing the error; then the hook refuses the payment outright.
    /// Each re-entry is refused by the guard and the member is paid once; a refused payment waits in
    /// `withdrawable` with the bit set, so a second claim is still `AlreadyClaimed` and it withdraws once.
    function test_ReentrantHookOnBitSettledClaim_PaidOnce() public {
        HookToken t = new HookToken(address(this));
        token = CommunityToken(address(t));
        t.mint(address(this), 1e30);
        t.approve(address(hub), type(uint256).max);
        for (uint256 i = 0; i < nodes.length; ++i) {
            t.mint(nodes[i], 1e30);
            vm.prank(nodes[i]);
            t.approve(address(hub), type(uint256).max);
        }
        uint64 id = _openTogether(N);
        _runAndClose(id, _nets3(-7_001, 3_500, 3_501));
        ClaimTerms memory terms = _terms(id);
        (Balance memory leaf1, uint256 total, bytes32[] memory proof1) = book.claimArgs(hub, id, 1);
        (Balance[] memory all,) = book.leaves(book.finalRoot(hub, id));
        bytes[4] memory calls = [
            abi.encodeCall(hub.claim, (id, terms, 1, leaf1, total, proof1)),
            abi.encodeCall(hub.claimShare, (id, terms, 1, leaf1, total, proof1)),
            abi.encodeCall(hub.claimAll, (id, terms, all, total)),
            abi.encodeCall(hub.withdraw, (IERC20(address(t))))
        ];
        vm.etch(nodes[1], type(Receiver).runtimeCode);
        Receiver r = Receiver(nodes[1]);
        t.setHooked(nodes[1], true);
        for (uint256 k = 0; k < calls.length; ++k) {
            uint256 snap = vm.snapshotState();
            r.arm(2, address(hub), calls[k]);
            uint256 before = _worth(1);
            hub.claim(id, terms, 1, leaf1, total, proof1);
            assertEq(r.caught(), ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector, "reentry refused");
            assertEq(_worth(1) - before, leaf1.escrow + BOND, "paid once, no share yet");
            assertEq(harness.settledWord(id, 0), 1 << 1);
            _assertDone(id, 1);
            _assertConserved(id);
            vm.revertToState(snap);
        }
        // The hook refuses: the payout waits, the bit is set all the same.
        r.arm(4, address(0), "");
        uint256 held = hub.community(id).held;
        hub.claim(id, terms, 1, leaf1, total, proof1);
        assertEq(hub.withdrawable(IERC20(address(t)), nodes[1]), leaf1.escrow + BOND);
        assertEq(hub.community(id).held, held - leaf1.escrow - BOND);
        _assertDone(id, 1);
        r.arm(0, address(0), "");
        uint256 bal = t.balanceOf(nodes[1]);
        vm.prank(nodes[1]);
        hub.withdraw(IERC20(address(t)));
        assertEq(t.balanceOf(nodes[1]) - bal, leaf1.escrow + BOND);
        vm.prank(nodes[1]);
        vm.expectRevert(abi.encodeWithSelector(IHub.NothingToWithdraw.selector, IERC20(address(t)), nodes[1]));
        hub.withdraw(IERC20(address(t)));
        _claimAll(id);
        _assertAllDone(id, N);
        assertEq(hub.community(id).held, 1);
        _assertConserved(id);
    }

    // ------------------------------------------------------------------ equivalence with slots (fuzzed)

    /// Attack (fuzzed): any sequence of 8 claims, claimShares and batches, on a community of 4 with two debtors,
    /// a slashed creditor (bondMissing and credit in a `None` slot), a depositing creditor and a fined debtor.
    /// Opened together (bits) it must behave exactly as the same community joined one by one (every member a
    /// slot): the same calls succeed, the same revert with the same error, each member gains the same, and
    /// `held` and the repaid pool end the same; finally everything is drained and nothing more can be taken.
    /// forge-config: default.fuzz.runs = 48
    function test_Fuzz_TogetherBehavesAsJoined(uint256 seed) public {
        _deployMore(5);
        bytes32 together = _traceOf(true, seed);
        bytes32 joined = _traceOf(false, seed);
        assertEq(together, joined, "bits behave as slots");
    }

    /// @dev The trace of `seed`'s operations on the scenario (opened together or joined), the state restored.
    function _traceOf(bool together, uint256 seed) internal returns (bytes32 trace) {
        uint256 snap = vm.snapshotState();
        uint256 n = 4;
        uint64 id = together ? _openTogether(n) : _openActive(n);
        // Creditor 2 slashed (its slot: bondMissing, credit); creditor 3 deposits; debtor 1 fined beyond its bond.
        harness.slashSet(id, _set(1 << 2), 300, false, outsider);
        vm.prank(nodes[3]);
        hub.deposit(id, 250);
        harness.slashSet(id, _set(1 << 1), 1_200, true, outsider);
        _runAndClose(id, _twoDebtors());
        uint256[] memory before = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            before[i] = _worth(i);
        }
        for (uint256 k = 0; k < 8; ++k) {
            uint256 op = (seed >> (8 * k)) & 0xff;
            trace = _step(trace, id, op % 3, (op / 3) % n);
        }
        // Drain: the batch (if it pays anyone), then every share owed.
        trace = _step(trace, id, 2, 0);
        for (uint256 i = 0; i < n; ++i) {
            trace = _step(trace, id, 1, i);
        }
        for (uint256 i = 0; i < n; ++i) {
            trace = keccak256(abi.encode(trace, _worth(i) - before[i]));
        }
        trace = keccak256(abi.encode(trace, hub.community(id).held, hub.community(id).repaidPool));
        _assertAllDone(id, n);
        _assertConserved(id);
        vm.revertToState(snap);
    }

    /// @dev `trace` extended with operation (`kind`, `i`)'s outcome (`_apply`).
    function _step(bytes32 trace, uint64 id, uint256 kind, uint256 i) internal returns (bytes32) {
        (bool ok, bytes memory err) = _apply(id, kind, i);
        return keccak256(abi.encode(trace, kind, i, ok, err));
    }

    /// @dev Runs operation `kind` (0 claim, 1 claimShare, 2 claimAll) of member `i`: whether it succeeded and its
    /// revert data.
    function _apply(uint64 id, uint256 kind, uint256 i) internal returns (bool ok, bytes memory err) {
        ClaimTerms memory t = _terms(id);
        if (kind == 2) {
            (Balance[] memory all, uint256 totalAll) = book.leaves(book.finalRoot(hub, id));
            try hub.claimAll(id, t, all, totalAll) {
                ok = true;
            } catch (bytes memory e) {
                err = e;
            }
            return (ok, err);
        }
        (Balance memory leaf, uint256 total, bytes32[] memory proof) = book.claimArgs(hub, id, i);
        if (kind == 0) {
            try hub.claim(id, t, i, leaf, total, proof) {
                ok = true;
            } catch (bytes memory e) {
                err = e;
            }
        } else {
            try hub.claimShare(id, t, i, leaf, total, proof) {
                ok = true;
            } catch (bytes memory e) {
                err = e;
            }
        }
    }
}
// forge-lint: disable-end(block-timestamp, unsafe-typecast)
