// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHub} from "../../src/interfaces/IHub.sol";
import {IDisputeVerifier} from "../../src/interfaces/IDisputeVerifier.sol";
import {MarketKind, ParticipantState} from "../../src/types/Market.sol";
import {Balance, CommunityConfig, CommunityStatus, WindowStatus} from "../../src/types/Community.sol";
import {BalancesProof, DisputeKind, EquivocationProof, ReadingMismatchProof} from "../../src/types/Dispute.sol";
import {GameAction, GameMove} from "../../src/types/Game.sol";
import {PackedState} from "../../src/libraries/PackedState.sol";
import {Balances} from "../../src/libraries/Balances.sol";
import {ConfigBuilder, Schedule} from "../utils/ConfigBuilder.sol";
import {claimTermsOf} from "../utils/ClaimTermsOf.sol";
import {DisputeFixture} from "../utils/DisputeFixture.sol";

// Test code: casts are of small bounded values, timestamps the cheatcode's.
// forge-lint: disable-start(unsafe-typecast, block-timestamp)

/// @notice Review of s16 (7e39546, 09cb215: one slot `finalBalancesRoot` for the balances root after the last
/// final window; a rejected claim keeps the root it started from). Attacks on every path where a rule reads
/// the balances root of a final window: BadBalances of a pending claim (after fast-path, `finalize`d and
/// lazily finalized windows), of a rejected claim after 0, 1 and 2 later windows are final (superseded, lost
/// by a game timeout and posted again, a dispute that lazily finalizes the next window before it reads the
/// kept root), and `close` (fast path, `finalize`, lazy finalization in `close`, abort).
/// @dev A second community of 4 one-day windows with a 3-day challenge period (so a claim rejected at window
/// w stays disputable while windows w+1 and w+2 become final); the fixture's own community stays untouched
/// (it holds N·(BOND + ESCROW)).
contract RootSlotAttacksTest is DisputeFixture {
    uint32 internal constant WINDOWS = 4;
    uint32 internal constant PERIOD = 3 days;

    ParticipantState[] internal s;
    bytes32 internal sh;
    bytes32 internal wroot;

    function setUp() public {
        _setUpCommunity(ED25519);
        CommunityConfig memory config = ConfigBuilder.build(
            nodes,
            registered,
            Schedule(INTERVAL, W, START, WINDOWS, PERIOD),
            hub.community(id).market,
            token,
            BOND,
            ESCROW,
            _modules(MarketKind.Mmr)
        );
        uint64 cid = _openConfig(config);
        for (uint256 i = 0; i < N; ++i) {
            _join(cid, i);
        }
        id = cid;
        Commit memory h = _honest();
        ParticipantState[] memory f = h.states[W - 1];
        for (uint256 i = 0; i < N; ++i) {
            s.push(f[i]);
        }
        wroot = h.root;
        sh = _recordState(f);
        token.mint(challenger, 1e30);
        vm.prank(challenger);
        token.approve(HUB, type(uint256).max);
    }

    // ------------------------------------------------------------------ helpers

    /// @dev The honest balances root of window `w` (from what is final on chain now), recorded in the book.
    function _honestRoot(uint32 w) internal returns (bytes32) {
        return _balancesRoot(id, w, s);
    }

    /// @dev The honest result of window `w`, signed by everyone: final at once. Returns its balances root.
    function _fast(uint32 w) internal returns (bytes32 r) {
        r = _honestRoot(w);
        _claimWith(w, wroot, sh, r, _signers(0, N));
    }

    /// @dev The honest balances of window `w` (starting from `prev`) with participant `thief` holding everyone's
    /// escrow (recorded in the book).
    function _stolenFrom(bytes32 prev, uint256 thief) internal returns (bytes32) {
        (Balance[] memory p, uint256 total) = book.leaves(prev);
        (Balance[] memory b, uint256 added) = Balances.react(p, book.netsOf(s));
        for (uint256 i = 0; i < N; ++i) {
            if (i == thief) continue;
            b[thief].escrow += b[i].escrow;
            b[i].escrow = 0;
        }
        return book.record(b, total + added);
    }

    /// @dev A BadBalances proof: the balances under `prev` and the packed final state.
    function _proofFrom(bytes32 prev) internal view returns (bytes memory) {
        (Balance[] memory p, uint256 total) = book.leaves(prev);
        return abi.encode(BalancesProof(p, total, PackedState.pack(s)));
    }

    /// @dev The challenger commits, a block passes, and it reveals BadBalances against the claim
    /// (w, wroot, sh, balancesRoot); `err` non-empty: the reveal must revert with it.
    function _disputeBalances(uint32 w, bytes32 balancesRoot, bytes memory proof, bytes memory err) internal {
        _commit(challenger, id, w, DisputeKind.BadBalances, proof);
        vm.roll(block.number + 1);
        if (err.length > 0) vm.expectRevert(err);
        vm.prank(challenger);
        hub.dispute(id, w, wroot, sh, balancesRoot, DisputeKind.BadBalances, proof);
    }

    function _mismatch() internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IDisputeVerifier.BalancesProofMismatch.selector);
    }

    function _move(GameAction action, bytes32 claim) internal view returns (bytes memory) {
        GameMove memory m;
        m.action = action;
        m.claim = claim;
        m.challenger = challenger;
        return abi.encode(m);
    }

    function _assertSlashed45(bytes32 claim) internal view {
        assertTrue(hub.rejectedClaim(id, claim).slashed, "slashed for fraud");
        assertEq(_bondOf(hub, id, 4), 0, "signer 4 loses its whole bond");
        assertEq(_bondOf(hub, id, 5), 0, "signer 5 loses its whole bond");
        assertEq(_bondOf(hub, id, 6), BOND, "non-signer keeps its bond");
    }

    /// @dev The fixture's community holds N·(BOND + ESCROW) untouched; this one what `_liabilities` counts.
    function _assertConserved() internal view {
        assertEq(token.balanceOf(address(hub)), _liabilities() + N * (uint256(BOND) + ESCROW), "money conserved");
    }

    // ------------------------------------------------------------------ BadBalances of a pending claim

    /// Windows 0 and 1 final at once (no record, the slot holds window 1's root); a stealing claim of window 2
    /// is proven from window 1's balances only (window 0's and the genesis balances do not match).
    function test_PendingAfterFastPathWindows_Attack() public {
        bytes32 r0 = _fast(0);
        bytes32 r1 = _fast(1);
        assertEq(hub.windowRecord(id, 1).balancesRoot, bytes32(0), "fast path: no record");
        assertEq(hub.finalBalancesRoot(id), r1, "the slot holds the last final root");
        bytes32 bad = _stolenFrom(r1, 4);
        _claimWith(2, wroot, sh, bad, _signers(4, 6));
        bytes32 claim = hub.claimHash(2, wroot, sh, bad);
        _disputeBalances(2, bad, _proofFrom(r0), _mismatch());
        _disputeBalances(2, bad, _proofFrom(hub.community(id).genesisBalancesRoot), _mismatch());
        _disputeBalances(2, bad, _proofFrom(r1), "");
        _assertSlashed45(claim);
        assertEq(uint8(hub.windowRecord(id, 2).status), uint8(WindowStatus.None), "claim rejected");
        assertEq(hub.rejectedClaim(id, claim).previousBalancesRoot, bytes32(0), "a slashed claim keeps none");
        _assertConserved();
    }

    /// Window 0's pending claim finalizes lazily inside window 1's `update` (`_finalizeDue`): the slot then
    /// holds window 0's root, and window 1's stealing claim is proven from it.
    function test_PendingAfterLazyFinalizeInUpdate_Attack() public {
        bytes32 r0 = _honestRoot(0);
        _claimWith(0, wroot, sh, r0, _signers(0, 4));
        vm.warp(block.timestamp + PERIOD);
        bytes32 bad = _stolenFrom(r0, 4);
        _claimWith(1, wroot, sh, bad, _signers(4, 6));
        assertEq(hub.community(id).finalizedWindows, 1, "window 0 finalized by the update");
        assertEq(hub.finalBalancesRoot(id), r0, "the slot holds window 0's root");
        _disputeBalances(1, bad, _proofFrom(hub.community(id).genesisBalancesRoot), _mismatch());
        _disputeBalances(1, bad, _proofFrom(r0), "");
        _assertSlashed45(hub.claimHash(1, wroot, sh, bad));
        _assertConserved();
    }

    /// Window 0 of a stealing claim: its start is the genesis root (not the slot, 0 before any final window),
    /// before and after a superseding fully signed result and a later final window.
    function test_WindowZeroRejectedAfterLaterWindowsFinal_Attack() public {
        bytes32 g = hub.community(id).genesisBalancesRoot;
        bytes32 bad = _stolenFrom(g, 4);
        _claimWith(0, wroot, sh, bad, _signers(4, 6));
        bytes32 claim = hub.claimHash(0, wroot, sh, bad);
        _fast(0);
        _fast(1);
        assertEq(hub.rejectedClaim(id, claim).previousBalancesRoot, g, "window 0 keeps the genesis root");
        _disputeBalances(0, bad, _proofFrom(hub.finalBalancesRoot(id)), _mismatch());
        _disputeBalances(0, bad, _proofFrom(g), "");
        _assertSlashed45(claim);
        _assertConserved();
    }

    // ------------------------------------------------------------------ BadBalances of a rejected claim

    /// A stealing claim of window 1 superseded by the fully signed result: provable from window 0's balances
    /// after its own window is final, after window 2, and after window 3 (the slot holds another root each
    /// time: 1, 2 and 3 windows past the one it started from).
    function test_SupersededProvableAfterZeroOneTwoLaterWindows_Attack() public {
        bytes32 r0 = _fast(0);
        bytes32 bad = _stolenFrom(r0, 4);
        _claimWith(1, wroot, sh, bad, _signers(4, 6));
        bytes32 claim = hub.claimHash(1, wroot, sh, bad);
        bytes32 r1 = _fast(1);
        assertEq(hub.rejectedClaim(id, claim).previousBalancesRoot, r0, "keeps window 0's root");
        bytes32[3] memory slot;
        for (uint32 later = 0; later < 3; ++later) {
            if (later > 0) _fast(1 + later);
            slot[later] = hub.finalBalancesRoot(id);
            assertEq(hub.community(id).finalizedWindows, 2 + later);
            uint256 snap = vm.snapshotState();
            _disputeBalances(1, bad, _proofFrom(slot[later]), _mismatch());
            _disputeBalances(1, bad, _proofFrom(r0), "");
            _assertSlashed45(claim);
            _assertConserved();
            vm.revertToState(snap);
        }
        assertEq(slot[0], r1);
        assertTrue(slot[1] != r1 && slot[2] != slot[1], "the slot moved on twice");
    }

    /// A stealing claim of window 1 lost by a game timeout (timedOut: not banned), posted again, and rejected
    /// again (superseded by the fully signed result): its kept start stays window 0's through both rejections,
    /// and it is proven after windows 2 and 3 are final.
    function test_TimedOutRepostedRejectedAgain_Attack() public {
        bytes32 r0 = _fast(0);
        bytes32 bad = _stolenFrom(r0, 4);
        _claimWith(1, wroot, sh, bad, _signers(4, 6));
        bytes32 claim = hub.claimHash(1, wroot, sh, bad);
        vm.prank(challenger);
        hub.playGame(id, 1, _move(GameAction.Challenge, claim));
        vm.warp(block.timestamp + MOVE_DEADLINE + 1);
        vm.prank(challenger);
        hub.playGame(id, 1, _move(GameAction.Resolve, claim));
        assertTrue(hub.rejectedClaim(id, claim).timedOut, "lost by timeout");
        assertEq(hub.rejectedClaim(id, claim).previousBalancesRoot, r0, "first rejection keeps window 0's root");

        // Its signers top their bonds up and post it again (review R5: not banned); it is pending again.
        for (uint256 i = 4; i < 6; ++i) {
            vm.prank(nodes[i]);
            hub.topUpBond(id);
        }
        _claimWith(1, wroot, sh, bad, _signers(4, 6));
        assertEq(uint8(hub.windowRecord(id, 1).status), uint8(WindowStatus.Pending), "posted again");
        _fast(1);
        assertFalse(hub.rejectedClaim(id, claim).timedOut, "superseded: banned now");
        assertEq(hub.rejectedClaim(id, claim).previousBalancesRoot, r0, "second rejection keeps window 0's root");
        _fast(2);
        _fast(3);
        assertEq(hub.community(id).finalizedWindows, WINDOWS, "every window final");
        _disputeBalances(1, bad, _proofFrom(hub.finalBalancesRoot(id)), _mismatch());
        _disputeBalances(1, bad, _proofFrom(r0), "");
        _assertSlashed45(claim);
        _assertConserved();
    }

    /// Ordering: a dispute of a rejected claim of window 1 whose `_disputedClaim` first finalizes window 2's
    /// pending claim (`_finalizeDue`): `_context` saw window 1 already final (start 0) and the slot moves to
    /// window 2's root inside the call; the proof is still checked against the kept window 0 root. (The
    /// rejected claim outlives window 2's challenge period through a game voided late, review P1.)
    function test_DisputeFinalizesNextWindowThenReadsKeptRoot_Attack() public {
        bytes32 r0 = _fast(0);
        // Nobody posted window 1 in time: both windows 1 and 2 have ended.
        vm.warp(uint256(START) + 3 * uint256(W) * INTERVAL);
        bytes32 bad = _stolenFrom(r0, 4);
        _claimWith(1, wroot, sh, bad, _signers(4, 6));
        bytes32 claim = hub.claimHash(1, wroot, sh, bad);
        uint256 t0 = block.timestamp;
        vm.prank(challenger);
        hub.playGame(id, 1, _move(GameAction.Challenge, claim));
        bytes32 r1 = _fast(1);
        bytes32 r2 = _honestRoot(2);
        _claimWith(2, wroot, sh, r2, _signers(0, 4));
        // The game's claim is gone: the next move voids it and keeps the claim disputable a move deadline on.
        vm.warp(t0 + PERIOD - 30 minutes);
        vm.prank(challenger);
        hub.playGame(id, 1, _move(GameAction.Resolve, claim));
        assertEq(hub.rejectedClaim(id, claim).deadline, t0 + PERIOD + 30 minutes, "extended by the void");
        vm.warp(t0 + PERIOD);
        assertEq(hub.community(id).finalizedWindows, 2, "window 2 pending, due");
        assertEq(hub.finalBalancesRoot(id), r1);

        // A wrong proof reverts, and with it the lazy finalization.
        _disputeBalances(1, bad, _proofFrom(r1), _mismatch());
        assertEq(hub.community(id).finalizedWindows, 2, "the revert undid the finalization");
        _disputeBalances(1, bad, _proofFrom(r0), "");
        assertEq(hub.community(id).finalizedWindows, 3, "window 2 finalized by the dispute");
        assertEq(hub.finalBalancesRoot(id), r2, "the slot holds window 2's root");
        _assertSlashed45(claim);
        _assertConserved();
    }

    /// Informational (not a hole in the promise): a partial stealing claim under a data-availability game, then
    /// signed by EVERYONE (the same claimHash: no supersede, no rejected record) and final. The game's next move
    /// ends it Void and extends `rejected[claim].deadline` (review P1), creating a record that was never written
    /// by `_recordRejected`: no signers, no kept start. BadBalances of it is now unprovable (before s16 it was
    /// checked against window 0's record); nothing is at stake: every participant signed it (no honest node),
    /// the record names no signer to slash, and the window is final.
    function test_VoidRecordOfClaimSignedByEveryoneKeepsNoStart_Attack() public {
        bytes32 r0 = _fast(0);
        bytes32 bad = _stolenFrom(r0, 4);
        _claimWith(1, wroot, sh, bad, _signers(4, 6));
        bytes32 claim = hub.claimHash(1, wroot, sh, bad);
        vm.prank(challenger);
        hub.playGame(id, 1, _move(GameAction.Challenge, claim));
        _claimWith(1, wroot, sh, bad, _signers(0, N));
        assertEq(hub.community(id).finalizedWindows, 2, "everyone signed it: final");
        assertEq(hub.rejectedClaim(id, claim).deadline, 0, "not rejected");
        vm.prank(challenger);
        hub.playGame(id, 1, _move(GameAction.Resolve, claim));
        assertEq(hub.rejectedClaim(id, claim).deadline, block.timestamp + MOVE_DEADLINE, "a record by the void");
        assertEq(hub.rejectedClaim(id, claim).signers, 0, "no signer");
        assertEq(hub.rejectedClaim(id, claim).previousBalancesRoot, bytes32(0), "no kept start");
        _disputeBalances(1, bad, _proofFrom(r0), _mismatch());
    }

    /// Ordering: the fully signed result of window 1 arrives after the pending claim's challenge period. The
    /// update first finalizes the pending claim (`_finalizeDue`), then refuses the window as already final: no
    /// supersede in the same transaction as the finalization, and the slot holds the finalized claim's root
    /// (the revert undoes the finalization too; `finalize` makes it final for good).
    function test_RevertWhen_SupersedeAfterPendingIsDue() public {
        _fast(0);
        bytes32 r1 = _honestRoot(1);
        _claimWith(1, wroot, sh, r1, _signers(0, 4));
        vm.warp(block.timestamp + PERIOD);
        vm.expectRevert(abi.encodeWithSelector(IHub.WindowAlreadyFinal.selector, id, 1));
        this.fullUpdate(1, r1);
        assertEq(hub.community(id).finalizedWindows, 1, "the revert undid the lazy finalization");
        hub.finalize(id);
        assertEq(hub.community(id).finalizedWindows, 2);
        assertEq(hub.finalBalancesRoot(id), r1, "the slot holds the finalized claim's root");
        assertEq(hub.windowRecord(id, 1).balancesRoot, r1, "and its record keeps it");
    }

    /// @dev `_claimWith` signed by everyone, as an external call (so `vm.expectRevert` applies to the update).
    function fullUpdate(uint32 w, bytes32 r) external {
        _claimWith(w, wroot, sh, r, _signers(0, N));
    }

    // ------------------------------------------------------------------ close pays from the last final root

    /// @dev Closes and pays every member from `root` (a leaf under `stale` first: refused); Σ paid must empty
    /// the community.
    function _closeAndPayFrom(bytes32 root, bytes32 stale) internal {
        hub.close(id);
        assertEq(uint8(hub.community(id).status), uint8(CommunityStatus.Closed), "closed");
        (Balance memory leaf, uint256 total, bytes32[] memory proof) = book.leafOf(stale, 0);
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, 0));
        hub.claim(id, claimTermsOf(address(hub), id), 0, leaf, total, proof);
        for (uint256 i = 0; i < N; ++i) {
            (leaf, total, proof) = book.leafOf(root, i);
            hub.claim(id, claimTermsOf(address(hub), id), i, leaf, total, proof);
        }
        assertEq(hub.community(id).held, 0, "every token of the community paid out");
    }

    function test_CloseAfterFastPathPaysLastWindow_Attack() public {
        _fast(0);
        _fast(1);
        bytes32 r2 = _fast(2);
        bytes32 r3 = _fast(3);
        assertTrue(r3 != r2);
        _closeAndPayFrom(r3, r2);
    }

    function test_CloseAfterFinalizeOfPendingPaysLastWindow_Attack() public {
        _fast(0);
        _fast(1);
        bytes32 r2 = _fast(2);
        bytes32 r3 = _honestRoot(3);
        _claimWith(3, wroot, sh, r3, _signers(0, 4));
        vm.warp(block.timestamp + PERIOD);
        hub.finalize(id);
        assertEq(hub.finalBalancesRoot(id), r3);
        _closeAndPayFrom(r3, r2);
    }

    function test_CloseLazilyFinalizesPendingAndPaysIt_Attack() public {
        _fast(0);
        bytes32 r1 = _honestRoot(1);
        _claimWith(1, wroot, sh, r1, _signers(0, 4));
        vm.warp(block.timestamp + PERIOD);
        _fast(2);
        bytes32 r3 = _honestRoot(3);
        _claimWith(3, wroot, sh, r3, _signers(0, 4));
        vm.warp(block.timestamp + PERIOD);
        assertEq(hub.community(id).finalizedWindows, 3, "window 3 still pending");
        _closeAndPayFrom(r3, r1);
        assertEq(hub.community(id).finalizedWindows, WINDOWS, "finalized by close");
    }

    /// Abort: a community still Opening pays the genesis balances (the slot is 0).
    function test_CloseAbortPaysGenesis_Attack() public {
        CommunityConfig memory config = ConfigBuilder.build(
            nodes,
            registered,
            Schedule(INTERVAL, W, START + 1 days, WINDOWS, PERIOD),
            hub.community(id).market,
            token,
            BOND,
            ESCROW,
            _modules(MarketKind.Mmr)
        );
        uint64 cid = _openConfig(config);
        _join(cid, 0);
        id = cid;
        bytes32 g = hub.community(id).genesisBalancesRoot;
        assertEq(hub.finalBalancesRoot(id), bytes32(0));
        vm.prank(nodes[0]);
        hub.close(id);
        (Balance memory leaf, uint256 total, bytes32[] memory proof) = book.leafOf(g, 0);
        uint256 before = token.balanceOf(nodes[0]);
        hub.claim(id, claimTermsOf(address(hub), id), 0, leaf, total, proof);
        assertEq(token.balanceOf(nodes[0]) - before, uint256(BOND) + ESCROW, "bond and escrow back");
        assertEq(hub.community(id).held, 0);
    }
}

/// @notice s16, a good-faith rejection: a claim of window 0 that leaves out participant 5's reading (an omission
/// by a non-owner: good faith, nobody slashed) and also steals everyone's escrow in its balances root. A
/// participant rejects it in good faith; the fully signed result makes window 0 final (the slot now holds its
/// root); the same claim is then proven BadBalances from the kept genesis start and its signer slashed.
contract RootSlotGoodFaithTest is DisputeFixture {
    bytes32 internal xroot;
    bytes32 internal xsh;
    bytes32 internal bad;
    bytes internal proof;
    bytes internal packed;

    function setUp() public {
        _setUpCommunity(ED25519);
    }

    /// @dev Posts the claim (signer 0 alone) and rejects it in good faith (participant 7's ReadingMismatch).
    function _postAndRejectInGoodFaith() internal returns (bytes32 claim) {
        Commit memory c = _honestInputs();
        (c.enc[10][5], c.sig[10][5]) = (bytes(""), bytes(""));
        c = _fold(c, 0);
        ParticipantState[] memory xs = c.states[W - 1];
        (Balance[] memory p, uint256 total) = book.leaves(hub.community(id).genesisBalancesRoot);
        packed = PackedState.pack(xs);
        proof = abi.encode(BalancesProof(p, total, packed));
        (Balance[] memory b, uint256 added) = Balances.react(p, book.netsOf(xs));
        for (uint256 i = 1; i < N; ++i) {
            b[0].escrow += b[i].escrow;
            b[i].escrow = 0;
        }
        bad = book.record(b, total + added);
        xsh = _recordState(xs);
        xroot = c.root;
        _claimWith(0, xroot, xsh, bad, _signers(0, 1));
        claim = hub.claimHash(0, xroot, xsh, bad);
        bytes memory mismatch = abi.encode(
            ReadingMismatchProof(
                _signed(5, 10), _intervalProof(c, 10), _committed(c, 5, 10), _opening(c, 5, 10), _record(5)
            )
        );
        _disputeOn(nodes[7], id, 0, DisputeKind.ReadingMismatch, mismatch, "");
    }

    function _disputeX(bytes memory data, bytes memory err) internal {
        _commit(challenger, id, 0, DisputeKind.BadBalances, data);
        vm.roll(block.number + 1);
        if (err.length > 0) vm.expectRevert(err);
        vm.prank(challenger);
        hub.dispute(id, 0, xroot, xsh, bad, DisputeKind.BadBalances, data);
    }

    /// Equivocation names no claim and reads no balances root: it still lands on window 0 once windows 0 and 1
    /// are final at once (the slot holds window 1's root, `_context`'s start for window 0 is the genesis root).
    function test_EquivocationAfterFastPathWindows_Attack() public {
        Commit memory h = _honest();
        _claim(0, h.root, h.states[W - 1], _signers(0, N));
        _claim(1, h.root, h.states[W - 1], _signers(0, N));
        assertEq(hub.community(id).finalizedWindows, 2);
        uint32 owner = meterOwners[eqMeter];
        bytes memory eq = abi.encode(EquivocationProof(_signed(eqMeter, eqInterval), equivocating, _record(eqMeter)));
        _disputeOn(challenger, id, 0, DisputeKind.Equivocation, eq, "");
        assertTrue(hub.isVoided(id, eqMeter, eqInterval), "slot voided");
        assertLt(_bondOf(hub, id, owner), BOND, "the meter's owner pays");
        assertEq(token.balanceOf(address(hub)), _liabilities(), "money conserved");
    }

    function test_GoodFaithThenFraudAfterWindowFinal_Attack() public {
        bytes32 g = hub.community(id).genesisBalancesRoot;
        bytes32 claim = _postAndRejectInGoodFaith();
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "rejected");
        assertFalse(hub.rejectedClaim(id, claim).slashed, "good faith: not slashed");
        assertEq(_bondOf(hub, id, 0), BOND, "good faith: bond kept");
        assertEq(hub.rejectedClaim(id, claim).previousBalancesRoot, g, "keeps the genesis start");

        Commit memory h = _honest();
        _claim(0, h.root, h.states[W - 1], _signers(0, N));
        assertEq(hub.community(id).finalizedWindows, 1);
        bytes32 r0 = hub.finalBalancesRoot(id);
        assertTrue(r0 != g && r0 != 0, "the slot moved on");

        (Balance[] memory q, uint256 qt) = book.leaves(r0);
        _disputeX(
            abi.encode(BalancesProof(q, qt, packed)),
            abi.encodeWithSelector(IDisputeVerifier.BalancesProofMismatch.selector)
        );
        _disputeX(proof, "");
        assertTrue(hub.rejectedClaim(id, claim).slashed, "slashed for fraud after the good-faith rejection");
        assertEq(_bondOf(hub, id, 0), 0, "its signer loses the whole bond");
        assertEq(token.balanceOf(address(hub)), _liabilities(), "money conserved");
    }
}
// forge-lint: disable-end(unsafe-typecast, block-timestamp)
