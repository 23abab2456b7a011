// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {words1} from "../utils/Words.sol";
import {Test} from "forge-std/Test.sol";
import {IHub} from "../../src/interfaces/IHub.sol";
import {Settlement} from "../../src/libraries/Settlement.sol";
import {Balances} from "../../src/libraries/Balances.sol";
import {Balance, ClaimTerms, Member, MemberState} from "../../src/types/Community.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {PackedState} from "../../src/libraries/PackedState.sol";
import {ParticipantState, StateHash} from "../../src/types/Market.sol";
import {OpenCodec} from "../../src/libraries/OpenCodec.sol";

/// @dev Holds members in storage and exposes the settlement library to tests.
contract SettlementHarness {
    mapping(uint256 => Member) public members;
    /// @dev Members settled by their bit (`Settlement.isSettled`: a community opened together).
    mapping(uint256 => uint256) internal settledBits;
    mapping(address => uint256) public withdrawable;
    /// @dev The community's accumulator (`Hub.Community.creditPerMember`).
    uint256 public creditPerMember;

    /// @dev Member i with `credited` as its credit (the stored credit is what the accumulator lacks).
    function set(uint256 i, uint128 bondMissing, uint128 credited) external {
        members[i] =
            Member(bondMissing, int120(int256(uint256(credited)) - int256(creditPerMember)), MemberState.Joined);
    }

    /// @dev Member i of a community opened together (no slot written at open: state None) after a slash took
    /// `bondMissing` of its bond and it was `credited` (both 0: a whole member, its slot all zero).
    function setSlotless(uint256 i, uint128 bondMissing, uint128 credited) external {
        members[i] = Member(bondMissing, int120(int256(uint256(credited)) - int256(creditPerMember)), MemberState.None);
    }

    /// @dev `settle` of member i in an aborted community (`ClaimTerms.aborted`: a slot-less participant never
    /// joined).
    function settleAborted(uint256 i, Balance calldata leaf) external returns (uint256 paid, uint256 repaid) {
        ClaimTerms memory terms = ClaimTerms(IERC20(address(0)), 0, 1_000, uint128(creditPerMember), true);
        (paid, repaid,) = this.settleUnder(i, leaf, terms);
    }

    /// @dev The negative part of member i's credit: its fine.
    function fine(uint256 i) external view returns (uint256) {
        int256 c = Settlement.creditOf(members[i], creditPerMember);
        return c < 0 ? uint256(-c) : 0;
    }

    function addCredit(uint256 i, uint256 amount) external {
        Settlement.addCredit(members[i], amount, 1);
    }

    /// @dev Member i with its credit (stored + accumulator) in `credit`.
    function get(uint256 i) external view returns (Member memory m) {
        m = members[i];
        m.credit = int120(Settlement.creditOf(m, creditPerMember));
    }

    function credit(uint256 who, uint256 n, uint256 amount) external {
        creditPerMember = Settlement.credit(members, words1(who), n, amount, creditPerMember);
    }

    function creditWide(uint256[] memory who, uint256 n, uint256 amount) external {
        creditPerMember = Settlement.credit(members, who, n, amount, creditPerMember);
    }

    /// @dev The community's pending slash (`Hub.Community.pendingSlash`) and the page size of each call.
    Settlement.PendingSlash internal pending;
    uint256 public page = Settlement.SLASH_PAGE;

    function setPage(uint256 page_) external {
        page = page_;
    }

    /// @dev A slash run to its end: its first page, then `continueSlash` until done; the rewards summed.
    function slash(uint256 n, uint256 challengerIndexPlusOne, Settlement.Penalty memory p, address challenger)
        external
        returns (uint256 reward)
    {
        reward = slashFirst(n, challengerIndexPlusOne, p, challenger);
        while (pending.phase != Settlement.SlashPhase.None) {
            reward += continueSlash(n);
        }
    }

    /// @dev The transaction that triggers a slash (`Hub._slash`): its first page only.
    function slashFirst(uint256 n, uint256 challengerIndexPlusOne, Settlement.Penalty memory p, address challenger)
        public
        returns (uint256 reward)
    {
        (reward, creditPerMember) = Settlement.slash(
            members, withdrawable, pending, n, challengerIndexPlusOne, p, challenger, creditPerMember, 1, page
        );
    }

    /// @dev One `Hub.continueSlash`.
    function continueSlash(uint256 n) public returns (uint256 reward) {
        (reward, creditPerMember) =
            Settlement.continueSlash(members, withdrawable, pending, n, creditPerMember, 1, page);
    }

    function phase() external view returns (Settlement.SlashPhase) {
        return pending.phase;
    }

    /// @dev The pending slash's phase, cursor, equal part, total so far and first offender word.
    function pendingView()
        external
        view
        returns (Settlement.SlashPhase, uint256 cursor, uint256 each, uint256 total, uint256 offenders)
    {
        return (pending.phase, pending.cursor, pending.each, pending.total, pending.offenders[0]);
    }

    /// @dev `Settlement.topUp` itself (`BondAlreadyWhole` for a whole bond).
    function topUpStrict(uint256 i) external returns (uint256) {
        return Settlement.topUp(members[i], 1);
    }

    /// @dev `Hub.topUpBond` of member i: its bond made whole again; returns what it paid (0 if whole).
    function topUp(uint256 i) external returns (uint256) {
        if (members[i].bondMissing == 0) return 0;
        return Settlement.topUp(members[i], 1);
    }

    function requireWholeBonds(uint256 signers) external view {
        Settlement.requireWholeBonds(members, pending, words1(signers), 1);
    }

    function requireFinalState(bytes calldata finalState, uint256 n, bytes32 stateHash) external pure {
        Settlement.requireFinalState(finalState, n, stateHash);
    }

    function funds(uint256 i, uint256 escrow, uint256 bond) external view returns (uint256 total) {
        (total,) = Settlement.funds(members[i], escrow, bond, creditPerMember);
    }

    /// @dev The fine `Settlement.funds` takes from member i's funds (what the hub reports in `FineCollected`).
    function fineTaken(uint256 i, uint256 escrow, uint256 bond) external view returns (uint256 taken) {
        (, taken) = Settlement.funds(members[i], escrow, bond, creditPerMember);
    }

    /// @dev Member i paid out by a claim that took `taken` of the pool (what `Hub.claim` writes).
    function markSettled(uint256 i, uint128 taken) external {
        (members[i].bondMissing, members[i].state) = (taken, MemberState.Settled);
    }

    /// @dev The repaid pool and total of claims `settle` sees (the hub's slot 4 and the root's total).
    uint256 public pool;
    uint256 public totalClaims;

    function setPool(uint256 pool_, uint256 totalClaims_) external {
        (pool, totalClaims) = (pool_, totalClaims_);
    }

    /// @dev `Hub.claim`'s settlement of member i (configured bond 1,000); the new pool is kept.
    function settle(uint256 i, Balance calldata leaf) external returns (uint256 paid, uint256 repaid) {
        uint256 newPool;
        ClaimTerms memory terms = ClaimTerms(IERC20(address(0)), 0, 1_000, uint128(creditPerMember), false);
        (paid, repaid, newPool) = this.settleUnder(i, leaf, terms);
        pool = newPool;
    }

    /// @dev `Settlement.settle` of member i under `terms` (calldata, as the hub passes them), at this pool.
    function settleUnder(uint256 i, Balance calldata leaf, ClaimTerms calldata terms)
        external
        returns (uint256, uint256, uint256)
    {
        return Settlement.settle(1, i, members[i], settledBits, leaf, totalClaims, terms, pool);
    }

    /// @dev Whether member i was paid out (`Settlement.isSettled`).
    function settled(uint256 i) external view returns (bool) {
        return Settlement.isSettled(members[i].state, settledBits, i);
    }

    /// @dev The word of settled bits member i's bit is in.
    function settledWord(uint256 i) external view returns (uint256) {
        return settledBits[i >> 8];
    }

    function takeShare(uint256 i, uint256 pool, uint256 owed, uint256 totalClaims) external returns (uint256) {
        return Settlement.takeShare(1, i, members[i], settledBits, pool, owed, totalClaims);
    }

    function memberView(uint256 i, uint256 bond) external view returns (uint256, uint256, bool, uint256, uint256) {
        return Settlement.memberView(members[i], settledBits, i, bond, creditPerMember);
    }

    function genesisRoot(address[] calldata participants, uint256 escrow) external view returns (bytes32) {
        return this.genesisRootPacked(OpenCodec.encodeParticipants(participants), escrow);
    }

    function genesisRootPacked(bytes calldata participants, uint256 escrow) external pure returns (bytes32 root) {
        (root,) = Settlement.genesisRoot(participants, escrow);
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

    /// Mutation survivor (`who &= _all(n)` removed): a bitmap with bits at or above n (no participant there)
    /// must share among the participants only. Without the mask the 100 is split over 4 "members", 2 of
    /// them slots no one can claim: each participant would get 25, and 50 of the lost bond would be stranded.
    function test_Credit_IgnoresBitsBeyondTheParticipants() public {
        h.credit(0x0f, 2, 100);
        assertEq(h.get(0).credit, 50);
        assertEq(h.get(1).credit, 50);
    }

    function test_Slash_TakesBondOnlyAndSharesToCredit() public {
        // Member 0 offends; cap above its bond: the whole (remaining) bond is taken, never its credit.
        h.set(0, 200, 500);
        uint256 reward = h.slash(3, 0, Settlement.Penalty(words1(1), type(uint256).max, 0, false, BOND), address(0xc));
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
        h.slash(2, 0, Settlement.Penalty(words1(1), 100, 0, true, BOND), address(0xc));
        // 50 from the bond, 30 (all there is) from the credit, the last 20 fined (review 3, B2).
        assertEq(h.get(0).bondMissing, BOND);
        assertEq(h.get(0).credit, -20, "a fine is a negative credit (one slot per member)");
        assertEq(h.fine(0), 20, "what bond and credit lacked is fined");
        // The fine is not shared out: only what was taken is.
        assertEq(int256(h.withdrawable(address(0xc))) + h.get(1).credit, 80);
        // A second equivocation with nothing left fines its whole cost; a slash without orCredit never fines.
        h.slash(2, 0, Settlement.Penalty(words1(1), 100, 0, true, BOND), address(0xc));
        assertEq(h.fine(0), 120);
        h.slash(2, 0, Settlement.Penalty(words1(1), 100, 0, false, BOND), address(0xc));
        assertEq(h.fine(0), 120);
    }

    function test_Funds_TakesTheFineFirstAndAtMostTheFunds() public {
        h.set(0, 600, 50);
        assertEq(h.funds(0, 1_000, BOND), 1_000 + 400 + 50, "no fine: escrow + bond + credit");
        // Fine 120 (two equivocations with nothing left to take).
        h.set(1, uint128(BOND), 0);
        h.slash(3, 0, Settlement.Penalty(words1(2), 60, 0, true, BOND), address(0xc));
        h.slash(3, 0, Settlement.Penalty(words1(2), 60, 0, true, BOND), address(0xc));
        assertEq(h.fine(1), 120);
        assertEq(h.fineTaken(1, 1_000, BOND), 120);
        assertEq(h.funds(1, 1_000, BOND), 880);
        // A fine larger than the funds takes them all, never more.
        assertEq(h.fineTaken(1, 70, BOND), 70);
        assertEq(h.funds(1, 70, BOND), 0);
    }

    /// A settled member's slot (issue 11's claim, `Member`): its `bondMissing` is its claimTaken. The view
    /// reports bond, credit and fine as 0 and the share taken; a joined member's view reports its bond, credit
    /// and fine and no share.
    function test_MemberView_JoinedAndSettled() public {
        h.set(0, 300, 50);
        h.set(1, 0, 0);
        h.slash(2, 0, Settlement.Penalty(words1(2), 100, 0, true, BOND), address(0xc));
        h.slash(2, 0, Settlement.Penalty(words1(2), BOND, 0, true, BOND), address(0xc));
        (uint256 bond, uint256 credit, bool settled, uint256 taken, uint256 fine) = h.memberView(0, BOND);
        assertEq(bond, BOND - 300);
        assertEq(credit, 50 + 50 + 450, "its shares of member 1's bond (half to the challenger)");
        assertFalse(settled);
        assertEq(taken, 0);
        assertEq(fine, 0);
        (bond, credit, settled, taken, fine) = h.memberView(1, BOND);
        assertEq(bond, 0);
        assertEq(credit, 0);
        assertEq(fine, 100, "the second slash found neither bond nor credit");
        h.markSettled(0, 7);
        (bond, credit, settled, taken, fine) = h.memberView(0, BOND);
        assertEq(bond + credit + fine, 0, "paid out");
        assertTrue(settled);
        assertEq(taken, 7);
    }

    /// `Hub.claim`'s rule (`Settlement.settle`): the fine first (at most the funds, `FineCollected`), then the
    /// debt into the pool, then a claim holder's share of the pool with its own repayment in it; the slot
    /// settles with the share as its claimTaken; a settled member is refused (a never-joined one of an aborted
    /// community is refused before, by `payClaim`: `HubTest.test_Close_AbortBeforeActivePaysJoinedFromGenesis`).
    function test_Settle_FineThenDebtThenShare() public {
        h.set(1, uint128(BOND), 0);
        h.slash(2, 0, Settlement.Penalty(words1(2), 120, 0, true, BOND), address(0xc));
        h.setPool(7, 0);
        vm.expectEmit(address(h));
        emit IHub.FineCollected(1, 1, 100);
        (uint256 paid, uint256 repaid) = h.settle(1, Balance(address(1), 100, 50, 0));
        assertEq(paid + repaid, 0, "the fine took all 100 of its funds");
        assertEq(h.pool(), 7);

        h.set(0, 200, 50);
        // Funds 1,000 + 800 + 50 = 1,850; repaid 300 (pool 90 → 390); share 390 · 10 / 100 = 39.
        h.setPool(90, 100);
        (paid, repaid) = h.settle(0, Balance(address(2), 1_000, 300, 10));
        assertEq(repaid, 300);
        assertEq(h.pool(), 390);
        assertEq(paid, 1_850 - 300 + 39);
        (uint256 bond, uint256 credit, bool settled, uint256 taken,) = h.memberView(0, BOND);
        assertEq(bond + credit, 0);
        assertTrue(settled);
        assertEq(taken, 39);
        vm.expectRevert(abi.encodeWithSelector(IHub.AlreadyClaimed.selector, 1, 0));
        h.settle(0, Balance(address(2), 1_000, 300, 10));
        // A debt larger than the funds repays the funds, all of them.
        h.set(2, 0, 0);
        h.setPool(0, 0);
        (paid, repaid) = h.settle(2, Balance(address(4), 0, 5_000, 0));
        assertEq(paid, 0);
        assertEq(repaid, BOND);
        assertEq(h.pool(), BOND);
    }

    /// §5.6 "Settled without a slot": a member of a community opened together (its slot never written: state
    /// None) is paid as a joined one is, and its claim marks its bit instead of writing a fresh slot; the slot
    /// is not read again (a slashed member's leftover `bondMissing` is not its claimTaken); a second claim is
    /// refused. Attack: claim twice as a slot-less member.
    function test_Settle_SlotlessMemberMarksItsBitOnce() public {
        // Member 3, whole: escrow 500 + bond 1,000.
        (uint256 paid, uint256 repaid) = h.settle(3, Balance(address(3), 500, 0, 0));
        assertEq(paid, 1_500);
        assertEq(repaid, 0);
        assertTrue(h.settled(3));
        assertEq(h.settledWord(3), 1 << 3, "its bit, no other");
        Member memory m = h.get(3);
        assertEq(uint8(m.state), uint8(MemberState.None), "its slot not written");
        vm.expectRevert(abi.encodeWithSelector(IHub.AlreadyClaimed.selector, 1, 3));
        h.settle(3, Balance(address(3), 500, 0, 0));

        // Member 300 (the next word), slashed 120 and credited 40 before close: paid 500 + 880 + 40.
        h.setSlotless(300, 120, 40);
        (paid,) = h.settle(300, Balance(address(4), 500, 0, 0));
        assertEq(paid, 1_420);
        assertEq(h.settledWord(300), 1 << (300 - 256));
        assertEq(h.settledWord(3), 1 << 3, "another word");
        (uint256 bond, uint256 credit, bool settled, uint256 taken, uint256 fine) = h.memberView(300, BOND);
        assertEq(bond + credit + fine, 0);
        assertTrue(settled);
        assertEq(taken, 0, "the slot's leftover bondMissing (120) is not its claimTaken");
        vm.expectRevert(abi.encodeWithSelector(IHub.AlreadyClaimed.selector, 1, 300));
        h.settle(300, Balance(address(4), 500, 0, 0));
        assertFalse(h.settled(299));
        assertFalse(h.settled(4));
    }

    /// A slot-less member with a share of the repaid pool to keep (its claimTaken) gets its slot written
    /// (`Settled`), as a joined one; its bit stays clear.
    function test_Settle_SlotlessClaimHolderWritesItsSlot() public {
        h.setPool(90, 100);
        // Funds 500 + 1,000; no debt; share 90 · 10 / 100 = 9.
        (uint256 paid,) = h.settle(5, Balance(address(5), 500, 0, 10));
        assertEq(paid, 1_509);
        assertEq(h.settledWord(5), 0);
        Member memory m = h.get(5);
        assertEq(uint8(m.state), uint8(MemberState.Settled));
        (,, bool settled, uint256 taken,) = h.memberView(5, BOND);
        assertTrue(settled);
        assertEq(taken, 9);
        vm.expectRevert(abi.encodeWithSelector(IHub.AlreadyClaimed.selector, 1, 5));
        h.settle(5, Balance(address(5), 500, 0, 10));
    }

    /// `claimShare` of a member settled by its bit: it took nothing of the pool yet (its slot's leftover
    /// `bondMissing` is not what it took), so it takes all it is owed, and its slot is written `Settled` with
    /// that as its claimTaken; nothing twice.
    function test_TakeShare_SlotlessSettledByItsBit() public {
        h.setSlotless(6, 200, 0);
        h.settle(6, Balance(address(6), 500, 0, 1));
        assertTrue(h.settled(6));
        assertEq(h.takeShare(6, 1_000, 1, 3), 333, "all of floor(1,000 / 3): the 200 left in its slot is no claimTaken");
        Member memory m = h.get(6);
        assertEq(uint8(m.state), uint8(MemberState.Settled));
        (,,, uint256 taken,) = h.memberView(6, BOND);
        assertEq(taken, 333);
        vm.expectRevert(abi.encodeWithSelector(IHub.NothingToClaim.selector, 1, 6));
        h.takeShare(6, 1_000, 1, 3);
        // A slot-less member not paid out yet takes nothing (it claims first).
        vm.expectRevert(abi.encodeWithSelector(IHub.NothingToClaim.selector, 1, 7));
        h.takeShare(7, 1_000, 1, 3);
    }

    /// In an aborted community a slot-less participant never joined: `NotJoined`, no bit, nothing paid.
    function test_RevertWhen_SettleNeverJoinedOfAborted() public {
        vm.expectRevert(abi.encodeWithSelector(IHub.NotJoined.selector, 1, address(8)));
        h.settleAborted(8, Balance(address(8), 500, 0, 0));
        assertEq(h.settledWord(8), 0);
        h.set(9, 0, 0);
        (uint256 paid,) = h.settleAborted(9, Balance(address(9), 500, 0, 0));
        assertEq(paid, 1_500, "a joined member of it is paid");
        assertFalse(h.settled(8));
    }

    /// `claimShare`'s rule: a settled claim holder takes floor(pool · owed / total) − taken, and records it;
    /// nothing twice; a member not paid out yet takes nothing (it claims first).
    function test_TakeShare_PaysWhatThePoolGrewOnce() public {
        h.set(0, 400, 0);
        vm.expectRevert(abi.encodeWithSelector(IHub.NothingToClaim.selector, 1, 0));
        h.takeShare(0, 1_000, 1, 3);
        h.markSettled(0, 200);
        assertEq(h.takeShare(0, 1_000, 1, 3), 333 - 200);
        (,,, uint256 taken,) = h.memberView(0, BOND);
        assertEq(taken, 333);
        vm.expectRevert(abi.encodeWithSelector(IHub.NothingToClaim.selector, 1, 0));
        h.takeShare(0, 1_000, 1, 3);
        assertEq(h.takeShare(0, 1_500, 1, 3), 500 - 333, "the pool grew again");
        vm.expectRevert(abi.encodeWithSelector(IHub.NothingToClaim.selector, 1, 0));
        h.takeShare(0, 1_500, 1, 0);
    }

    /// The fine and the credit share one signed slot: money a fined member receives (a deposit, a slash
    /// share) pays its fine first, and what it is paid at claim is the same as with the two kept apart
    /// (escrow + bond + credit − fine, at least 0).
    function test_AddCredit_PaysTheFineFirst() public {
        h.set(0, uint128(BOND), 0);
        h.slash(2, 0, Settlement.Penalty(words1(1), 120, 0, true, BOND), address(0xc));
        assertEq(h.fine(0), 120);
        h.addCredit(0, 50);
        assertEq(h.fine(0), 70, "paid 50 of the fine");
        assertEq(h.get(0).credit, -70);
        assertEq(h.funds(0, 1_000, BOND), 1_000 - 70, "escrow less the fine left");
        h.addCredit(0, 100);
        assertEq(h.fine(0), 0);
        assertEq(h.get(0).credit, 30, "the rest is credit");
        assertEq(h.funds(0, 1_000, BOND), 1_000 + 30);
        // The next equivocation takes the credit there is (shared out), and fines the rest again.
        h.slash(2, 0, Settlement.Penalty(words1(1), 100, 0, true, BOND), address(0xc));
        assertEq(h.get(0).credit, -70);
        assertEq(int256(h.withdrawable(address(0xc))) + h.get(1).credit, 30, "only the 30 of credit is shared");
    }

    /// `Hub.topUpBond` of a whole bond has nothing to pay: `BondAlreadyWhole` (the caller is msg.sender).
    function test_RevertWhen_TopUpWholeBond() public {
        h.set(0, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(IHub.BondAlreadyWhole.selector, 1, address(this)));
        h.topUpStrict(0);
        h.set(0, 300, 0);
        assertEq(h.topUpStrict(0), 300);
        assertEq(h.get(0).bondMissing, 0);
    }

    /// `Hub.continueSlash` reaches the library through `slash` with no challenger (address 0, one call site
    /// in the hub): the pending slash goes on, a page at a time; with none pending, `NoSlashPending`.
    function test_Slash_NoChallengerContinuesThePendingSlash() public {
        Settlement.Penalty memory none;
        h.setPage(1);
        vm.expectRevert(abi.encodeWithSelector(IHub.NoSlashPending.selector, 1));
        h.slashFirst(3, 0, none, address(0));
        // Members 0 and 1 offend: one bond a call.
        h.slashFirst(3, 0, Settlement.Penalty(words1(3), 100, 0, false, BOND), address(0xc));
        assertEq(uint8(h.phase()), uint8(Settlement.SlashPhase.Take));
        assertEq(h.get(1).bondMissing, 0);
        h.slashFirst(3, 0, none, address(0));
        assertEq(h.get(1).bondMissing, 100);
        // 200 taken: 100 to the challenger at once, 100 to member 2 (the one recipient) in the next call.
        assertEq(h.withdrawable(address(0xc)), 100);
        assertEq(uint8(h.phase()), uint8(Settlement.SlashPhase.CreditRecipients));
        assertEq(h.get(2).credit, 0);
        h.slashFirst(3, 0, none, address(0));
        assertEq(uint8(h.phase()), uint8(Settlement.SlashPhase.None));
        assertEq(h.get(2).credit, 100);
    }

    function test_RevertWhen_AddCreditOverflowsInt120() public {
        h.set(0, 0, uint128(uint120(type(int120).max)));
        vm.expectRevert();
        h.addCredit(0, 1);
    }

    function test_RequireFinalState_DecodesAndMatchesTheHash() public {
        ParticipantState[] memory s = new ParticipantState[](2);
        (s[0].exportWh, s[0].net, s[1].net) = (7, -5, 5);
        bytes memory packed = PackedState.pack(s);
        h.requireFinalState(packed, 2, StateHash.hash(s));
        bytes32 other = keccak256("other");
        vm.expectRevert(abi.encodeWithSelector(IHub.StateHashMismatch.selector, other, StateHash.hash(s)));
        h.requireFinalState(packed, 2, other);
        vm.expectRevert(abi.encodeWithSelector(IHub.StateLengthMismatch.selector, 192, 128));
        h.requireFinalState(packed, 3, StateHash.hash(s));
        vm.expectRevert(abi.encodeWithSelector(IHub.StateLengthMismatch.selector, 128, 0));
        h.requireFinalState("", 2, StateHash.hash(s));
        s[1].net = 6;
        vm.expectRevert(abi.encodeWithSelector(IHub.UnbalancedState.selector, int256(1)));
        h.requireFinalState(PackedState.pack(s), 2, StateHash.hash(s));
        // A net of -2^127 has no state hash (no committed state holds it): refused before any hash.
        (s[0].net, s[1].net) = (type(int128).min, 0);
        vm.expectRevert(abi.encodeWithSelector(IHub.NetOutOfRange.selector, 0));
        h.requireFinalState(PackedState.pack(s), 2, other);
    }

    function test_Slash_SelfDisputeEarnsNothing() public {
        uint256 reward = h.slash(3, 1, Settlement.Penalty(words1(1), 100, 0, false, BOND), address(0xc));
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
