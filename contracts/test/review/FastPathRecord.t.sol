// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Vm} from "forge-std/Vm.sol";
import {IHub} from "../../src/interfaces/IHub.sol";
import {IDataAvailabilityGame} from "../../src/interfaces/IDataAvailabilityGame.sol";
import {ParticipantState, StateHash} from "../../src/types/Market.sol";
import {WindowRecord, WindowStatus} from "../../src/types/Community.sol";
import {DisputeKind, FinalStateProof} from "../../src/types/Dispute.sol";
import {GameAction, GameMove} from "../../src/types/Game.sol";
import {DisputeFixture} from "../utils/DisputeFixture.sol";

/// @notice Issue 11's gas goal (s6): a fully signed result stores only its balances root, the one root a
/// rule on chain reads of a final window (the next window's BadBalances start, the claims at close); its
/// windowRoot and stateHash live in the `WindowFinalized` event and the calldata. What must not change:
/// the event carries exactly the co-signed roots (what every honest node and `diversity audit` compare
/// against), a pending claim keeps its whole record (its claimHash, the game's root) through finality,
/// no dispute or game can target a final window, and no zero root the record now holds is ever taken as
/// a claim.
contract FastPathRecordTest is DisputeFixture {
    function setUp() public {
        _setUpCommunity(ED25519);
    }

    /// @dev The roots and signers of the `WindowFinalized` event of (id, window) among `logs`.
    function _finalized(Vm.Log[] memory logs, uint32 window)
        internal
        view
        returns (bytes32 windowRoot, bytes32 stateHash, bytes32 balancesRoot, uint256 signers)
    {
        for (uint256 i = 0; i < logs.length; ++i) {
            Vm.Log memory l = logs[i];
            if (l.emitter != address(hub) || l.topics[0] != IHub.WindowFinalized.selector) continue;
            if (l.topics[1] != bytes32(uint256(id)) || l.topics[2] != bytes32(uint256(window))) continue;
            uint256[] memory set;
            (windowRoot, stateHash, balancesRoot, set) = abi.decode(l.data, (bytes32, bytes32, bytes32, uint256[]));
            assertEq(set.length, 1, "one word for N <= 256");
            return (windowRoot, stateHash, balancesRoot, set[0]);
        }
        revert("no WindowFinalized event");
    }

    /// @dev The challenger commits to a BadFinalState dispute of window 0 naming (root, stateHash,
    /// balancesRoot), a block passes, and its reveal must revert `ClaimNotDisputable` for that claim.
    function _disputeNamesNoClaim(bytes32 root, bytes32 stateHash, bytes32 balancesRoot, bytes memory proof) internal {
        _commit(challenger, id, 0, DisputeKind.BadFinalState, proof);
        vm.roll(block.number + 1);
        bytes32 claim = hub.claimHash(0, root, stateHash, balancesRoot);
        vm.expectRevert(abi.encodeWithSelector(IHub.ClaimNotDisputable.selector, id, 0, claim));
        vm.prank(challenger);
        hub.dispute(id, 0, root, stateHash, balancesRoot, DisputeKind.BadFinalState, proof);
    }

    /// @dev A data-availability challenge of window 0's claim `claim` must revert `NoPendingClaim`.
    function _challengeRefused(bytes32 claim) internal {
        GameMove memory m;
        m.action = GameAction.Challenge;
        m.claim = claim;
        m.challenger = challenger;
        vm.expectRevert(abi.encodeWithSelector(IDataAvailabilityGame.NoPendingClaim.selector, claim));
        vm.prank(challenger);
        hub.playGame(id, 0, abi.encode(m));
    }

    /// The fast path writes two slots (the community's final balances root and `finalizedWindows`); the event
    /// carries the co-signed roots exactly, the window's record zeros (nothing of it is stored, s16).
    function test_FastPath_StoresOnlyBalancesRoot_EventHasTheSignedRoots() public {
        Commit memory h = _honest();
        ParticipantState[] memory s = h.states[W - 1];
        bytes32 sh = StateHash.hash(s);
        bytes32 bRoot = book.nextOf(hub, id, 0, s);
        vm.recordLogs();
        vm.record();
        _claimWith(0, h.root, sh, bRoot, _signers(0, N));
        (, bytes32[] memory writes) = vm.accesses(address(hub));
        assertEq(writes.length, 2, "the final balances root and finalizedWindows only");

        (bytes32 eRoot, bytes32 eState, bytes32 eBalances, uint256 eSigners) = _finalized(vm.getRecordedLogs(), 0);
        assertEq(eRoot, h.root, "event: the co-signed windowRoot");
        assertEq(eState, sh, "event: the co-signed stateHash");
        assertEq(eBalances, bRoot, "event: the co-signed balancesRoot");
        assertEq(eSigners, (uint256(1) << N) - 1, "event: everyone");

        WindowRecord memory r = hub.windowRecord(id, 0);
        assertEq(uint8(r.status), uint8(WindowStatus.Final));
        assertEq(hub.finalBalancesRoot(id), bRoot, "stored: what claims and the next BadBalances read");
        assertEq(r.balancesRoot, bytes32(0), "not stored in the record: in the event");
        assertEq(r.windowRoot, bytes32(0), "not stored: in the event");
        assertEq(r.stateHash, bytes32(0), "not stored: in the event");
        assertEq(r.signers, (uint256(1) << N) - 1, "derived: everyone");
        assertEq(r.submittedAt, 0);
        assertEq(r.submitter, address(0));
        assertEq(hub.community(id).finalizedWindows, 1);
    }

    /// Attack: with the fast-path record holding zeros, a challenger names the final window by its real
    /// roots, by what the record holds (zeros and the balances root), or by nothing at all; and opens a
    /// data-availability game on it. Every one is refused: no dispute or game applies to a final window,
    /// and a zero root is never taken for a claim.
    function test_RevertWhen_DisputeOrGameTargetsFastPathWindow() public {
        Commit memory h = _honest();
        ParticipantState[] memory s = h.states[W - 1];
        bytes32 sh = StateHash.hash(s);
        _claim(0, h.root, s, _signers(0, N));
        bytes32 bRoot = hub.finalBalancesRoot(id);
        bytes memory proof = abi.encode(FinalStateProof(_intervalProof(h, W - 1)));

        _disputeNamesNoClaim(h.root, sh, bRoot, proof);
        _disputeNamesNoClaim(bytes32(0), bytes32(0), bRoot, proof);
        _disputeNamesNoClaim(bytes32(0), bytes32(0), bytes32(0), proof);

        _challengeRefused(hub.claimHash(0, h.root, sh, bRoot));
        _challengeRefused(hub.claimHash(0, bytes32(0), bytes32(0), bRoot));
        _challengeRefused(bytes32(0));
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Final), "still final");
        assertEq(hub.finalBalancesRoot(id), bRoot, "untouched");
    }

    /// A partial claim stores its three roots: its claimHash (what disputes and games name) is the
    /// co-signed one while pending, and it keeps its whole record once final (finalized after its
    /// challenge period); the `WindowFinalized` event then repeats the same roots.
    function test_PendingClaimKeepsItsWholeRecordThroughFinality() public {
        Commit memory h = _honest();
        ParticipantState[] memory s = h.states[W - 1];
        bytes32 sh = StateHash.hash(s);
        _claim(0, h.root, s, _signers(0, 3));
        bytes32 bRoot = _claimedBalances(0, h.root, sh);
        uint256 submittedAt = block.timestamp;

        WindowRecord memory r = hub.windowRecord(id, 0);
        assertEq(uint8(r.status), uint8(WindowStatus.Pending));
        assertEq(r.windowRoot, h.root);
        assertEq(r.stateHash, sh);
        assertEq(r.balancesRoot, bRoot);
        assertEq(
            hub.claimHash(0, r.windowRoot, r.stateHash, r.balancesRoot),
            keccak256(abi.encode(uint32(0), h.root, sh, bRoot)),
            "claimHash unchanged"
        );

        vm.warp(submittedAt + CHALLENGE);
        vm.recordLogs();
        hub.finalize(id);
        (bytes32 eRoot, bytes32 eState, bytes32 eBalances, uint256 eSigners) = _finalized(vm.getRecordedLogs(), 0);
        r = hub.windowRecord(id, 0);
        assertEq(uint8(r.status), uint8(WindowStatus.Final));
        assertEq(r.windowRoot, h.root, "kept");
        assertEq(r.stateHash, sh, "kept");
        assertEq(r.balancesRoot, bRoot, "kept");
        assertEq(r.signers, 7, "kept: 0, 1, 2");
        assertEq(r.submittedAt, submittedAt, "kept");
        assertEq(abi.encode(eRoot, eState, eBalances, eSigners), abi.encode(h.root, sh, bRoot, uint256(7)));
    }

    /// A fully signed result replacing a pending claim leaves no stale root of the replaced claim in the
    /// record: the window's record is the fast path's (balances root only), the replaced claim is
    /// rejected (disputable for fraud by its own roots until its deadline) and no game can open on it.
    function test_ReplacedPendingClaimLeavesNoStaleRoot() public {
        Commit memory h = _honest();
        ParticipantState[] memory s = h.states[W - 1];
        ParticipantState[] memory posted = abi.decode(abi.encode(s), (ParticipantState[]));
        posted[0].net += 7;
        posted[1].net -= 7;
        _claim(0, h.root, posted, _signers(0, 3));
        bytes32 replaced = _claimHash(0, h.root, StateHash.hash(posted));
        _claim(0, h.root, s, _signers(0, N));

        WindowRecord memory r = hub.windowRecord(id, 0);
        assertEq(uint8(r.status), uint8(WindowStatus.Final));
        assertEq(r.windowRoot, bytes32(0), "no stale windowRoot");
        assertEq(r.stateHash, bytes32(0), "no stale stateHash");
        assertEq(r.balancesRoot, bytes32(0), "no stale balancesRoot");
        assertEq(
            hub.finalBalancesRoot(id), _claimedBalances(0, h.root, StateHash.hash(s)), "the fully signed balances root"
        );
        assertEq(r.submittedAt, 0, "no stale submission time");
        assertEq(r.submitter, address(0), "no stale submitter");
        assertGt(hub.rejectedClaim(id, replaced).deadline, 0, "the replaced claim is rejected");
        _challengeRefused(replaced);
        _challengeRefused(bytes32(0));
    }
}
