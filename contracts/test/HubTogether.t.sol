// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Vm} from "forge-std/Vm.sol";
import {IHub} from "../src/interfaces/IHub.sol";
import {ICoSignatureScheme} from "../src/interfaces/ICoSignatureScheme.sol";
import {ParticipantState} from "../src/types/Market.sol";
import {
    Balance,
    ClaimTerms,
    CommunityConfig,
    CommunityInfo,
    CommunityStatus,
    OpenConfig
} from "../src/types/Community.sol";
import {OpenCodec} from "../src/libraries/OpenCodec.sol";
import {HubFixture} from "./utils/HubFixture.sol";
import {claimTermsOf} from "./utils/ClaimTermsOf.sol";

/// @notice `Hub.openTogether` (DESIGN.md §5.6, "Opening together"): a community every participant consented to
/// opens Active in one transaction, its deposits pulled, with no member slot or index written. Each test is an
/// attack on a rule (a consent forged, reused, stale or for another config; a key-needing scheme; a claim under
/// the other membership rule) or checks that a member without a slot is a member everywhere a joined one is
/// (updates, deposits, top-ups, claims, the batch claim).
contract HubTogetherTest is HubFixture {
    uint256 internal constant N = 3;

    function setUp() public {
        _deploy(N + 1);
    }

    function _packed() internal view returns (OpenConfig memory) {
        return OpenCodec.encode(_config(N));
    }

    function test_OpenTogether_ActiveAtOnceWithEveryDeposit() public {
        uint256 before = token.balanceOf(nodes[1]);
        vm.recordLogs();
        uint64 id = _openTogether(N);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 activated;
        uint256 joined;
        for (uint256 k = 0; k < logs.length; ++k) {
            if (logs[k].emitter != address(hub)) continue;
            if (logs[k].topics[0] == IHub.CommunityActivated.selector) ++activated;
            if (logs[k].topics[0] == IHub.Joined.selector) ++joined;
        }
        assertEq(activated, 1);
        assertEq(joined, 0, "no event per member: ParticipantsListed and CommunityActivated say it all");
        CommunityInfo memory info = hub.community(id);
        assertEq(uint8(info.status), uint8(CommunityStatus.Active));
        assertEq(info.joinedCount, N);
        assertEq(info.held, N * (BOND + ESCROW));
        assertEq(token.balanceOf(address(hub)), N * (BOND + ESCROW));
        assertEq(before - token.balanceOf(nodes[1]), BOND + ESCROW);
        (uint256 bond,, bool settled,,) = hub.member(id, 2);
        assertEq(bond, BOND, "a member without a slot has its whole bond");
        assertFalse(settled);
    }

    /// The module answers the hub's index question from its list (an outsider: 0).
    function test_IndexOf_ReadsTheList() public {
        uint64 id = _openTogether(N);
        ICoSignatureScheme scheme = hub.community(id).modules.coSignature;
        vm.startPrank(address(hub));
        assertEq(scheme.indexOf(id, nodes[0]), 1);
        assertEq(scheme.indexOf(id, nodes[2]), 3);
        assertEq(scheme.indexOf(id, nodes[N]), 0);
        assertEq(scheme.indexOf(id, address(0)), 0);
        assertEq(scheme.indexOf(id + 1, nodes[0]), 0, "another community");
        vm.stopPrank();
        assertEq(scheme.indexOf(id, nodes[0]), 0, "another hub's");
    }

    /// Attack: open a community in someone's name without its consent (a signature by another key).
    function test_RevertWhen_OpenTogetherConsentBySomeoneElse() public {
        OpenConfig memory c = _packed();
        uint256 deadline = block.timestamp + 1;
        bytes memory consents = _consents(c, deadline);
        bytes memory forged = _signDigest(keys[N], _consentDigest(address(hub), c, deadline));
        _put(consents, 1, forged);
        vm.expectRevert(abi.encodeWithSelector(IHub.ConsentNotSigned.selector, 1));
        hub.openTogether(c, deadline, consents);
    }

    /// Attack: reuse a consent given for one configuration to open another (a larger escrow, another token
    /// amount pulled from the member), or under a later deadline.
    function test_RevertWhen_OpenTogetherConsentForAnotherConfig() public {
        OpenConfig memory c = _packed();
        uint256 deadline = block.timestamp + 1;
        bytes memory consents = _consents(c, deadline);
        c.escrow += 1;
        vm.expectRevert(abi.encodeWithSelector(IHub.ConsentNotSigned.selector, 0));
        hub.openTogether(c, deadline, consents);
        c.escrow -= 1;
        vm.expectRevert(abi.encodeWithSelector(IHub.ConsentNotSigned.selector, 0));
        hub.openTogether(c, deadline + 1, consents);
    }

    /// Attack: replay the opener's transaction to pull every member's deposit a second time.
    function test_RevertWhen_OpenTogetherReplayed() public {
        OpenConfig memory c = _packed();
        uint256 deadline = block.timestamp + 1;
        bytes memory consents = _consents(c, deadline);
        hub.openTogether(c, deadline, consents);
        bytes32 digest = _consentDigest(address(hub), c, deadline);
        vm.expectRevert(abi.encodeWithSelector(IHub.ConsentUsed.selector, digest));
        hub.openTogether(c, deadline, consents);
    }

    /// Attack: use a consent long after it was given (the member may have changed its mind).
    function test_RevertWhen_OpenTogetherAfterDeadline() public {
        OpenConfig memory c = _packed();
        uint256 deadline = block.timestamp + 1;
        bytes memory consents = _consents(c, deadline);
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IHub.ConsentExpired.selector, deadline));
        hub.openTogether(c, deadline, consents);
    }

    /// Attack: a consent list short of a participant, or padded.
    function test_RevertWhen_OpenTogetherConsentsMalformed() public {
        OpenConfig memory c = _packed();
        uint256 deadline = block.timestamp + 1;
        bytes memory consents = _consents(c, deadline);
        bytes memory short = new bytes(consents.length - 64);
        for (uint256 k = 0; k < short.length; ++k) {
            short[k] = consents[k];
        }
        vm.expectRevert(abi.encodeWithSelector(IHub.MalformedConsents.selector, short.length));
        hub.openTogether(c, deadline, short);
        vm.expectRevert(abi.encodeWithSelector(IHub.MalformedConsents.selector, consents.length + 1));
        hub.openTogether(c, deadline, bytes.concat(consents, hex"00"));
    }

    /// A scheme whose members need keys (BLS: a key with a proof of possession) cannot open together.
    function test_RevertWhen_OpenTogetherWithBls() public {
        CommunityConfig memory config = _config(N);
        config.modules.coSignature = ICoSignatureScheme(address(blsModule));
        OpenConfig memory c = OpenCodec.encode(config);
        uint256 deadline = block.timestamp + 1;
        vm.expectRevert();
        hub.openTogether(c, deadline, _consents(c, deadline));
    }

    /// A member without an allowance stops the whole open: nobody's money moves.
    function test_RevertWhen_OpenTogetherMemberNotApproved() public {
        vm.prank(nodes[2]);
        token.approve(address(hub), 0);
        OpenConfig memory c = _packed();
        uint256 deadline = block.timestamp + 1;
        bytes memory consents = _consents(c, deadline);
        vm.expectRevert();
        hub.openTogether(c, deadline, consents);
        assertEq(token.balanceOf(address(hub)), 0);
        assertEq(hub.communityCount(), 0);
    }

    /// Members without a slot deposit and top up like joined ones (their index comes from the module's
    /// list); an outsider cannot.
    function test_OpenTogether_MembersDepositAndOutsidersCannot() public {
        uint64 id = _openTogether(N);
        vm.prank(nodes[1]);
        hub.deposit(id, 700);
        (, uint256 credit,,,) = hub.member(id, 1);
        assertEq(credit, 700);
        vm.prank(nodes[1]);
        vm.expectRevert(abi.encodeWithSelector(IHub.BondAlreadyWhole.selector, id, nodes[1]));
        hub.topUpBond(id);
        vm.prank(nodes[N]);
        vm.expectRevert(abi.encodeWithSelector(IHub.NotJoined.selector, id, nodes[N]));
        hub.deposit(id, 700);
    }

    /// The whole life of a community opened together pays each member exactly what the same community,
    /// joined one by one, pays: one claim each, then the batch claim.
    function test_OpenTogether_PaysLikeJoined() public {
        uint256[N] memory joined = _lifeAndClaims(false);
        uint256[N] memory together = _lifeAndClaims(true);
        for (uint256 i = 0; i < N; ++i) {
            assertEq(together[i], joined[i]);
        }
        assertEq(together[0], BOND + ESCROW - 300);
        assertEq(together[1], BOND + ESCROW + 300);
    }

    function test_OpenTogether_ClaimAllPaysEveryone() public {
        uint64 id = _openAndRun(true);
        (Balance[] memory all, uint256 total) = book.leaves(book.finalRoot(hub, id));
        hub.claimAll(id, claimTermsOf(address(hub), id), all, total);
        assertEq(token.balanceOf(address(hub)), 0);
        vm.expectRevert(abi.encodeWithSelector(IHub.NothingToClaim.selector, id, N));
        hub.claimAll(id, claimTermsOf(address(hub), id), all, total);
    }

    /// Attack: claim under the other membership rule. A slot-less member of a community opened together
    /// claimed as if aborted, or a never-joined participant of an aborted community claimed as if everyone
    /// had joined: the claim root binds `aborted`, so both fail.
    function test_RevertWhen_ClaimUnderTheOtherMembershipRule() public {
        uint64 id = _openAndRun(true);
        ClaimTerms memory t = claimTermsOf(address(hub), id);
        assertFalse(t.aborted);
        t.aborted = true;
        (Balance memory leaf, uint256 total, bytes32[] memory proof) = book.claimArgs(hub, id, 0);
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, 0));
        hub.claim(id, t, 0, leaf, total, proof);

        uint64 aborted = _open(N);
        _join(aborted, 0);
        vm.prank(nodes[0]);
        hub.close(aborted);
        t = claimTermsOf(address(hub), aborted);
        assertTrue(t.aborted);
        t.aborted = false;
        (leaf, total, proof) = book.claimArgs(hub, aborted, 1);
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, aborted, 1));
        hub.claim(aborted, t, 1, leaf, total, proof);
        vm.expectRevert(abi.encodeWithSelector(IHub.NotJoined.selector, aborted, nodes[1]));
        hub.claim(aborted, claimTermsOf(address(hub), aborted), 1, leaf, total, proof);
    }

    /// A member of a community opened together claims once.
    function test_RevertWhen_OpenTogetherClaimTwice() public {
        uint64 id = _openAndRun(true);
        _claim(id, 0);
        (Balance memory leaf, uint256 total, bytes32[] memory proof) = book.claimArgs(hub, id, 0);
        ClaimTerms memory t = claimTermsOf(address(hub), id);
        vm.expectRevert(abi.encodeWithSelector(IHub.AlreadyClaimed.selector, id, 0));
        hub.claim(id, t, 0, leaf, total, proof);
    }

    /// §5.6 "Settled without a slot", the debtor case of `HubTest.test_ClaimAll_AfterAClaimSkipsItAndPaysItsShare`
    /// opened together. Creditor 1 claims before the debtor: no share yet, so its claim marks its bit and writes
    /// no slot; claiming again is refused (attack: a second payout of a slot-less member), and so is a share
    /// before the pool grew. The batch skips it, pays the debtor and creditor 2, and tops up creditor 1's share
    /// of what the debtor repaid (its slot written then): the figures of the joined community, dust 1.
    function test_OpenTogether_EarlyCreditorSettledByItsBitTakesItsShare() public {
        uint64 id = _openTogether(N);
        _update(id, 0, _state(_shortNets(N)), _everyone(N));
        for (uint32 w = 1; w < WINDOWS; ++w) {
            _update(id, w, _transferState(N, 0), _everyone(N));
        }
        hub.close(id);
        ClaimTerms memory t = claimTermsOf(address(hub), id);
        uint256 before = token.balanceOf(nodes[1]);
        _claim(id, 1);
        assertEq(token.balanceOf(nodes[1]) - before, ESCROW + 2_500 + BOND);
        (,, bool settled, uint256 taken,) = hub.member(id, 1);
        assertTrue(settled);
        assertEq(taken, 0);
        (Balance memory leaf, uint256 total, bytes32[] memory proof) = book.claimArgs(hub, id, 1);
        vm.expectRevert(abi.encodeWithSelector(IHub.AlreadyClaimed.selector, id, 1));
        hub.claim(id, t, 1, leaf, total, proof);
        vm.expectRevert(abi.encodeWithSelector(IHub.NothingToClaim.selector, id, 1));
        hub.claimShare(id, t, 1, leaf, total, proof);

        (Balance[] memory all, uint256 totalAll) = book.leaves(book.finalRoot(hub, id));
        vm.expectEmit(address(hub));
        emit IHub.ClaimShared(id, 1, nodes[1], 499);
        hub.claimAll(id, t, all, totalAll);
        assertEq(token.balanceOf(nodes[1]) - before, ESCROW + 2_500 + BOND + 499);
        (,, settled, taken,) = hub.member(id, 1);
        assertTrue(settled);
        assertEq(taken, 499);
        (,, settled, taken,) = hub.member(id, 2);
        assertTrue(settled);
        assertEq(taken, 500);
        (,, settled,,) = hub.member(id, 0);
        assertTrue(settled);
        assertEq(hub.community(id).held, 1, "dust");
        assertEq(token.balanceOf(address(hub)), 1);
        vm.expectRevert(abi.encodeWithSelector(IHub.NothingToClaim.selector, id, 1));
        hub.claimShare(id, t, 1, leaf, total, proof);
        vm.expectRevert(abi.encodeWithSelector(IHub.NothingToClaim.selector, id, N));
        hub.claimAll(id, t, all, totalAll);
    }

    // ------------------------------------------------------------------ helpers

    function _lifeAndClaims(bool together) internal returns (uint256[N] memory paid) {
        uint256 snap = vm.snapshotState();
        uint256[N] memory before;
        for (uint256 i = 0; i < N; ++i) {
            before[i] = token.balanceOf(nodes[i]);
        }
        uint64 id = _openAndRun(together);
        for (uint256 i = 0; i < N; ++i) {
            _claim(id, i);
            paid[i] = token.balanceOf(nodes[i]) + BOND + ESCROW - before[i];
        }
        vm.revertToState(snap);
    }

    /// @dev Opens (together, or joined one by one), settles member 0 paying 300 to member 1 over the windows,
    /// and closes.
    function _openAndRun(bool together) internal returns (uint64 id) {
        if (together) {
            id = _openTogether(N);
        } else {
            id = _openActive(N);
        }
        ParticipantState[] memory s = _transferState(N, 100);
        for (uint32 w = 0; w < WINDOWS; ++w) {
            _update(id, w, s, _everyone(N));
        }
        hub.close(id);
    }

    function _claim(uint64 id, uint256 i) internal {
        (Balance memory leaf, uint256 total, bytes32[] memory proof) = book.claimArgs(hub, id, i);
        hub.claim(id, claimTermsOf(address(hub), id), i, leaf, total, proof);
    }
}
