// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Hub} from "../../src/Hub.sol";
import {HubSetup} from "../../src/HubSetup.sol";
import {IHub} from "../../src/interfaces/IHub.sol";
import {CommunityToken} from "../../src/tokens/CommunityToken.sol";
import {MarketKind, MarketParams, ParticipantState, StateHash} from "../../src/types/Market.sol";
import {
    Balance,
    ClaimTerms,
    CommunityConfig,
    CommunityInfo,
    CommunityStatus,
    Meter,
    OpenConfig
} from "../../src/types/Community.sol";
import {DisputeKind, EquivocationProof, FinalStateProof} from "../../src/types/Dispute.sol";
import {OpenCodec} from "../../src/libraries/OpenCodec.sol";
import {Settlement} from "../../src/libraries/Settlement.sol";
import {ConfigBuilder, Schedule} from "../utils/ConfigBuilder.sol";
import {DisputeFixture} from "../utils/DisputeFixture.sol";
import {HubFixture} from "../utils/HubFixture.sol";
import {claimTermsOf} from "../utils/ClaimTermsOf.sol";

// Test code: timestamps are the cheatcode's, casts are of small bounded values.
// forge-lint: disable-start(block-timestamp, unsafe-typecast)

/// @notice A token whose `transferFrom` calls back into `target` once (armed), before moving the tokens: the
/// opener of `openTogether` chooses the token, so it may be hostile.
contract ReenteringToken is CommunityToken {
    address public target;
    bytes public data;
    bool public armed;

    constructor(address owner_) CommunityToken("Reenter", "RE", owner_) {}

    function arm(address target_, bytes calldata data_) external {
        (target, data, armed) = (target_, data_, true);
    }

    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        if (armed) {
            armed = false;
            (bool ok, bytes memory ret) = target.call(data);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(ret, 32), mload(ret))
                }
            }
        }
        return super.transferFrom(from, to, value);
    }
}

/// @notice Reads `Hub.community` from a view (STATICCALL): the hub delegatecalls its setup inside it.
contract StaticReader {
    function statusOf(IHub hub, uint64 id) external view returns (CommunityStatus, uint256 held) {
        CommunityInfo memory info = hub.community(id);
        return (info.status, info.held);
    }
}

/// @notice The hub with its slash exposed (`_slash`, what a dispute or a lost game calls with its challenger).
contract TogetherSlashHarness is Hub {
    constructor(address[] memory modules) Hub(modules) {}

    function slashSet(uint64 communityId, uint256[] memory offenders, uint256 cap, address challenger) external {
        _slash(
            _communities[communityId],
            communityId,
            Settlement.Penalty(offenders, cap, 0, false, _communities[communityId].bond),
            challenger
        );
    }
}

/// @notice Attacks on `Hub.openTogether` and on the members it creates without a slot (review of the feature):
/// consents replayed or bent to another configuration, lists with a twin or a zero address, a hostile token
/// re-entering the hub mid-pull, outsiders and other hubs' members, the claim rules of together and aborted
/// communities, the `community` view in a static call, and the setup called directly.
contract OpenTogetherAttacksTest is HubFixture {
    uint256 internal constant N = 3;

    function setUp() public {
        // nodes[N] is the attacker / outsider (it has a key and tokens).
        _deploy(N + 1);
    }

    function _packed() internal view returns (OpenConfig memory) {
        return OpenCodec.encode(_config(N));
    }

    function _deadline() internal view returns (uint256) {
        return block.timestamp + 1 hours;
    }

    // ------------------------------------------------------------------ replay

    /// Attack: take the consents given to one hub and open the same config at another hub (same modules,
    /// same token, every member approved both): the domain names the hub, so nobody's money moves there.
    function test_RevertWhen_ConsentsReplayedOnAnotherHub() public {
        OpenConfig memory c = _packed();
        uint256 deadline = _deadline();
        bytes memory consents = _consents(c, deadline);
        hub.openTogether(c, deadline, consents);
        Hub other = _newHub();
        for (uint256 i = 0; i < N; ++i) {
            vm.prank(nodes[i]);
            token.approve(address(other), type(uint256).max);
        }
        vm.expectRevert(abi.encodeWithSelector(IHub.ConsentNotSigned.selector, 0));
        other.openTogether(c, deadline, consents);
    }

    /// Attack: the same hub address on another chain (a fork, a redeployment at one address): the chain id is
    /// in the domain.
    function test_RevertWhen_ConsentsReplayedOnAnotherChain() public {
        OpenConfig memory c = _packed();
        uint256 deadline = _deadline();
        bytes memory consents = _consents(c, deadline);
        vm.chainId(block.chainid + 1);
        vm.expectRevert(abi.encodeWithSelector(IHub.ConsentNotSigned.selector, 0));
        hub.openTogether(c, deadline, consents);
    }

    /// Attack: open the same community twice to pull the deposits twice, after the first has run its whole life
    /// and been paid out; and with the malleable twin (high s) of a consent.
    function test_RevertWhen_ConsentsReplayedAfterClose() public {
        OpenConfig memory c = _packed();
        uint256 deadline = block.timestamp + 30 days;
        bytes memory consents = _consents(c, deadline);
        uint64 id = hub.openTogether(c, deadline, consents);
        book.recordGenesis(_config(N).participants, ESCROW);
        ParticipantState[] memory s = _transferState(N, 100);
        for (uint32 w = 0; w < WINDOWS; ++w) {
            _update(id, w, s, _everyone(N));
        }
        hub.close(id);
        (Balance[] memory all, uint256 total) = book.leaves(book.finalRoot(hub, id));
        hub.claimAll(id, claimTermsOf(address(hub), id), all, total);
        bytes32 digest = _consentDigest(address(hub), c, deadline);
        vm.expectRevert(abi.encodeWithSelector(IHub.ConsentUsed.selector, digest));
        hub.openTogether(c, deadline, consents);
        // The high-s twin of consent 0 recovers to nobody (and the digest is spent anyway: checked first).
        bytes memory twin = _highS(consents, 0);
        vm.expectRevert(abi.encodeWithSelector(IHub.ConsentUsed.selector, digest));
        hub.openTogether(c, deadline, twin);
        // On a fresh digest (another deadline, everyone re-signs) the high-s twin is refused.
        bytes memory fresh = _consents(c, deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IHub.ConsentNotSigned.selector, 0));
        hub.openTogether(c, deadline + 1, _highS(fresh, 0));
        assertEq(hub.communityCount(), 1);
    }

    // ------------------------------------------------------------------ a config the members did not sign

    /// Attack: open, with the consents of one config, a config that differs in one field (each field that moves
    /// or risks money: token, bond, escrow, challenge period, schedule, prices, a meter key), in the order of the
    /// participants, or in their set (one fewer, or the attacker added with its own consent).
    function test_RevertWhen_ConfigNotTheOneSigned() public {
        uint256 deadline = _deadline();
        bytes memory consents = _consents(_packed(), deadline);
        CommunityToken other = new CommunityToken("Other", "OT", address(this));
        for (uint256 i = 0; i < N; ++i) {
            other.mint(nodes[i], 1e30);
            vm.prank(nodes[i]);
            other.approve(address(hub), type(uint256).max);
        }
        for (uint256 k = 0; k < 9; ++k) {
            CommunityConfig memory cc = _config(N);
            if (k == 0) cc.token = other;
            if (k == 1) cc.bond += 1;
            if (k == 2) cc.escrow += 1;
            if (k == 3) cc.challengePeriod = 1;
            if (k == 4) cc.start -= 1;
            if (k == 5) cc.windowCount += 1;
            if (k == 6) cc.market.gridBuyPrice += 1;
            if (k == 7) cc.meters[0].publicKey = _meterKey(1);
            if (k == 8) cc.intervalSeconds += 1;
            vm.expectRevert(abi.encodeWithSelector(IHub.ConsentNotSigned.selector, 0));
            hub.openTogether(OpenCodec.encode(cc), deadline, consents);
        }
        // The participants swapped, their consents swapped with them.
        CommunityConfig memory swapped = _config(N);
        (swapped.participants[0], swapped.participants[1]) = (nodes[1], nodes[0]);
        bytes memory reordered = bytes.concat(_slice(consents, 1), _slice(consents, 0), _slice(consents, 2));
        vm.expectRevert(abi.encodeWithSelector(IHub.ConsentNotSigned.selector, 0));
        hub.openTogether(OpenCodec.encode(swapped), deadline, reordered);
        // A subset: participants 0 and 1 only.
        vm.expectRevert(abi.encodeWithSelector(IHub.ConsentNotSigned.selector, 0));
        hub.openTogether(OpenCodec.encode(_config(2)), deadline, bytes.concat(_slice(consents, 0), _slice(consents, 1)));
        // A superset: the attacker adds itself with its own (valid) consent to the new config.
        OpenConfig memory bigger = OpenCodec.encode(_config(N + 1));
        bytes memory own = _signDigest(keys[N], _consentDigest(address(hub), bigger, deadline));
        vm.expectRevert(abi.encodeWithSelector(IHub.ConsentNotSigned.selector, 0));
        hub.openTogether(bigger, deadline, bytes.concat(consents, own));
        assertEq(token.balanceOf(address(hub)), 0);
        assertEq(hub.communityCount(), 0);
    }

    /// Attack: list a participant twice (each copy with that participant's valid consent) to pull its deposit
    /// twice; list the zero address (a bad signature recovers to zero) to pass the consent check.
    function test_RevertWhen_ParticipantTwiceOrZero() public {
        uint256 deadline = _deadline();
        CommunityConfig memory cc = _config(N);
        cc.participants[2] = nodes[0];
        OpenConfig memory twice = OpenCodec.encode(cc);
        bytes32 digest = _consentDigest(address(hub), twice, deadline);
        bytes memory consents =
            bytes.concat(_signDigest(keys[0], digest), _signDigest(keys[1], digest), _signDigest(keys[0], digest));
        vm.expectRevert(abi.encodeWithSelector(IHub.DuplicateParticipant.selector, nodes[0]));
        hub.openTogether(twice, deadline, consents);

        cc = _config(N);
        cc.participants[1] = address(0);
        OpenConfig memory zero = OpenCodec.encode(cc);
        digest = _consentDigest(address(hub), zero, deadline);
        consents = bytes.concat(_signDigest(keys[0], digest), new bytes(64), _signDigest(keys[2], digest));
        vm.expectRevert(abi.encodeWithSelector(IHub.ZeroParticipant.selector, uint256(1)));
        hub.openTogether(zero, deadline, consents);
    }

    /// Attack: an all-zero or garbage consent for a real participant (recovers to nobody or to another address).
    function test_RevertWhen_ConsentGarbage() public {
        OpenConfig memory c = _packed();
        uint256 deadline = _deadline();
        bytes memory consents = _consents(c, deadline);
        for (uint256 k = 128; k < 192; ++k) {
            consents[k] = 0;
        }
        vm.expectRevert(abi.encodeWithSelector(IHub.ConsentNotSigned.selector, 2));
        hub.openTogether(c, deadline, consents);
        consents = _consents(c, deadline);
        consents[130] = bytes1(uint8(consents[130]) ^ 1);
        vm.expectRevert(abi.encodeWithSelector(IHub.ConsentNotSigned.selector, 2));
        hub.openTogether(c, deadline, consents);
    }

    /// Attack: front-run the opener with its own calldata. The same community opens (same config, same deposits);
    /// the opener's transaction fails on `ConsentUsed`; nothing else changes.
    function test_FrontRunOpensTheSameCommunity() public {
        OpenConfig memory c = _packed();
        uint256 deadline = _deadline();
        bytes memory consents = _consents(c, deadline);
        vm.prank(nodes[N]);
        uint64 id = hub.openTogether(c, deadline, consents);
        vm.expectRevert(abi.encodeWithSelector(IHub.ConsentUsed.selector, _consentDigest(address(hub), c, deadline)));
        hub.openTogether(c, deadline, consents);
        CommunityInfo memory info = hub.community(id);
        assertEq(info.held, N * (BOND + ESCROW));
        assertEq(token.balanceOf(nodes[N]), 1e30, "the front-runner pays nothing and gets nothing");
    }

    // ------------------------------------------------------------------ re-entrancy (hostile token)

    /// @dev A community of `rt` opened together, the token armed to call `data` on the hub at its first pull.
    function _openWithReentry(ReenteringToken rt, bytes memory data)
        internal
        returns (OpenConfig memory c, uint256 deadline, bytes memory consents)
    {
        for (uint256 i = 0; i < N; ++i) {
            rt.mint(nodes[i], 1e30);
            vm.prank(nodes[i]);
            rt.approve(address(hub), type(uint256).max);
        }
        CommunityConfig memory cc = _config(N);
        cc.token = rt;
        c = OpenCodec.encode(cc);
        deadline = _deadline();
        consents = _consents(c, deadline);
        rt.arm(address(hub), data);
    }

    /// Attack: the token re-enters `openTogether` with the same consents (to open twice on one digest), or the
    /// guarded money paths (`withdraw`, `deposit`): the hub's transient guard holds across the delegatecall.
    function test_RevertWhen_TokenReentersGuardedPaths() public {
        ReenteringToken rt = new ReenteringToken(address(this));
        (OpenConfig memory c, uint256 deadline, bytes memory consents) = _openWithReentry(rt, "");
        bytes[3] memory calls = [
            abi.encodeCall(hub.openTogether, (c, deadline, consents)),
            abi.encodeCall(hub.withdraw, (token)),
            abi.encodeCall(hub.deposit, (uint64(1), 1))
        ];
        for (uint256 k = 0; k < calls.length; ++k) {
            rt.arm(address(hub), calls[k]);
            vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
            hub.openTogether(c, deadline, consents);
        }
    }

    /// Attack: the token re-enters an unguarded path mid-pull, with the community already Active and `held`
    /// counted before the tokens came in: `close` (to freeze claims against tokens not yet pulled).
    function test_RevertWhen_TokenReentersClose() public {
        ReenteringToken rt = new ReenteringToken(address(this));
        (OpenConfig memory c, uint256 deadline, bytes memory consents) =
            _openWithReentry(rt, abi.encodeCall(hub.close, (uint64(1))));
        vm.expectRevert(abi.encodeWithSelector(IHub.WindowsNotFinal.selector, uint64(1), uint32(0), WINDOWS));
        hub.openTogether(c, deadline, consents);
    }

    /// The hostile token reads the `community` view mid-pull (no guard on views): the open completes, and the
    /// hub holds exactly what `held` counted before the pulls.
    function test_ReentrantViewSeesHeldAndOpenCompletes() public {
        ReenteringToken rt = new ReenteringToken(address(this));
        (OpenConfig memory c, uint256 deadline, bytes memory consents) =
            _openWithReentry(rt, abi.encodeCall(hub.community, (uint64(1))));
        uint64 id = hub.openTogether(c, deadline, consents);
        assertEq(hub.community(id).held, N * (BOND + ESCROW));
        assertEq(rt.balanceOf(address(hub)), N * (BOND + ESCROW));
    }

    // ------------------------------------------------------------------ membership without a slot

    /// Attack: an outsider deposits or tops up into a community opened together, or joins it (to get a slot);
    /// a member joins it (a second deposit and a Joined slot).
    function test_RevertWhen_OutsiderOrMemberUsesSlotPaths() public {
        uint64 id = _openTogether(N);
        vm.startPrank(nodes[N]);
        vm.expectRevert(abi.encodeWithSelector(IHub.NotJoined.selector, id, nodes[N]));
        hub.topUpBond(id);
        vm.expectRevert(abi.encodeWithSelector(IHub.NotJoined.selector, id, nodes[N]));
        hub.deposit(id, 1);
        vm.expectRevert(abi.encodeWithSelector(IHub.CommunityNotOpening.selector, id));
        hub.join(id, 0, new bytes32[](2), "");
        vm.stopPrank();
        book.cacheGenesis(hub, id);
        bytes32[] memory proof = book.genesisProof(hub, id, 1);
        vm.prank(nodes[1]);
        vm.expectRevert(abi.encodeWithSelector(IHub.CommunityNotOpening.selector, id));
        hub.join(id, 1, proof, "");
        assertEq(hub.community(id).held, N * (BOND + ESCROW));
    }

    /// Attack: use a membership of one community (or of another hub's community of the same id) in another: the
    /// module's list is per (hub, community), so the outsider is refused and a member's deposit lands on its own
    /// index of the community it names.
    function test_IndexIsPerHubAndCommunity() public {
        uint64 a = _openTogether(N);
        // Community b lists the same nodes in reverse.
        CommunityConfig memory cc = _config(N);
        (cc.participants[0], cc.participants[2]) = (nodes[2], nodes[0]);
        book.recordGenesis(cc.participants, cc.escrow);
        OpenConfig memory bc = OpenCodec.encode(cc);
        uint256 deadline = _deadline();
        bytes32 digest = _consentDigest(address(hub), bc, deadline);
        uint64 b = hub.openTogether(bc, deadline, bytes.concat(_sign(2, digest), _sign(1, digest), _sign(0, digest)));
        vm.prank(nodes[0]);
        hub.deposit(b, 700);
        assertEq(_creditOf(hub, b, 2), 700);
        assertEq(_creditOf(hub, b, 0), 0);
        assertEq(_creditOf(hub, a, 0), 0);

        // Another hub opens its own community 1 with the outsider in it: this hub's community 1 still refuses it.
        Hub other = _newHub();
        for (uint256 i = 0; i <= N; ++i) {
            vm.prank(nodes[i]);
            token.approve(address(other), type(uint256).max);
        }
        cc = _config(N);
        cc.participants[1] = nodes[N];
        OpenConfig memory oc = OpenCodec.encode(cc);
        digest = _consentDigest(address(other), oc, deadline);
        uint64 o = other.openTogether(oc, deadline, bytes.concat(_sign(0, digest), _sign(N, digest), _sign(2, digest)));
        assertEq(o, a);
        vm.prank(nodes[N]);
        vm.expectRevert(abi.encodeWithSelector(IHub.NotJoined.selector, a, nodes[N]));
        hub.deposit(a, 1);
        vm.prank(nodes[1]);
        vm.expectRevert(abi.encodeWithSelector(IHub.NotJoined.selector, o, nodes[1]));
        other.deposit(o, 1);
    }

    /// Attack: close a community opened together early, as if aborted (every deposit back from the genesis root,
    /// before any window): it is Active from the start, so only the normal close applies.
    function test_RevertWhen_TogetherClosedEarly() public {
        uint64 id = _openTogether(N);
        vm.prank(nodes[0]);
        vm.expectRevert(abi.encodeWithSelector(IHub.WindowsNotFinal.selector, id, uint32(0), WINDOWS));
        hub.close(id);
    }

    /// A two-phase community Active with a member in state None cannot exist: each index joins once (its own
    /// genesis leaf), a second join is refused, and the community turns Active only at the N-th join. Its claim
    /// terms say not aborted, and every member is paid exactly once.
    function test_TwoPhaseActiveHasEveryMemberJoined() public {
        uint64 id = _open(N);
        book.cacheGenesis(hub, id);
        _join(id, 0);
        bytes32[] memory proof = book.genesisProof(hub, id, 0);
        vm.prank(nodes[0]);
        vm.expectRevert(abi.encodeWithSelector(IHub.AlreadyJoined.selector, id, nodes[0]));
        hub.join(id, 0, proof, "");
        // Another participant's index with its own address: not its leaf.
        vm.prank(nodes[1]);
        vm.expectRevert(abi.encodeWithSelector(IHub.NotParticipant.selector, id, nodes[1]));
        hub.join(id, 0, proof, "");
        _join(id, 1);
        assertEq(uint8(hub.community(id).status), uint8(CommunityStatus.Opening));
        _join(id, 2);
        assertEq(uint8(hub.community(id).status), uint8(CommunityStatus.Active));
        ParticipantState[] memory s = _transferState(N, 100);
        for (uint32 w = 0; w < WINDOWS; ++w) {
            _update(id, w, s, _everyone(N));
        }
        hub.close(id);
        assertFalse(claimTermsOf(address(hub), id).aborted);
        (Balance[] memory all, uint256 total) = book.leaves(book.finalRoot(hub, id));
        hub.claimAll(id, claimTermsOf(address(hub), id), all, total);
        assertEq(hub.community(id).held, 0);
    }

    /// Aborted community: only the joined are paid (claimAll skips the participant that never joined, whose own
    /// claim is refused), exactly their deposits; neither an outsider nor the never-joined may abort it.
    function test_AbortedPaysOnlyTheJoined() public {
        uint64 id = _open(N);
        book.cacheGenesis(hub, id);
        _join(id, 0);
        _join(id, 1);
        vm.prank(nodes[2]);
        vm.expectRevert(abi.encodeWithSelector(IHub.NotJoined.selector, id, nodes[2]));
        hub.close(id);
        vm.prank(nodes[N]);
        vm.expectRevert(abi.encodeWithSelector(IHub.NotJoined.selector, id, nodes[N]));
        hub.close(id);
        vm.prank(nodes[1]);
        hub.close(id);
        ClaimTerms memory t = claimTermsOf(address(hub), id);
        assertTrue(t.aborted);
        uint256[N] memory before;
        for (uint256 i = 0; i < N; ++i) {
            before[i] = token.balanceOf(nodes[i]);
        }
        (Balance[] memory all, uint256 total) = book.leaves(book.finalRoot(hub, id));
        hub.claimAll(id, t, all, total);
        assertEq(token.balanceOf(nodes[0]) - before[0], BOND + ESCROW);
        assertEq(token.balanceOf(nodes[1]) - before[1], BOND + ESCROW);
        assertEq(token.balanceOf(nodes[2]), before[2]);
        assertEq(token.balanceOf(address(hub)), 0);
        (Balance memory leaf, uint256 tc, bytes32[] memory proof) = book.claimArgs(hub, id, 2);
        vm.expectRevert(abi.encodeWithSelector(IHub.NotJoined.selector, id, nodes[2]));
        hub.claim(id, t, 2, leaf, tc, proof);
        vm.expectRevert(abi.encodeWithSelector(IHub.NothingToClaim.selector, id, N));
        hub.claimAll(id, t, all, total);
    }

    // ------------------------------------------------------------------ claims of a community opened together

    /// Attack: get paid twice in a community opened together (a claim, then the batch; the batch, then a claim),
    /// or have the batch read the member rule of an aborted community. Exact payouts, `held` to zero.
    function test_ClaimAllTogetherPaysEachOnceExactly() public {
        uint64 id = _openTogether(N);
        ParticipantState[] memory s = _transferState(N, 100);
        for (uint32 w = 0; w < WINDOWS; ++w) {
            _update(id, w, s, _everyone(N));
        }
        hub.close(id);
        ClaimTerms memory t = claimTermsOf(address(hub), id);
        (Balance[] memory all, uint256 total) = book.leaves(book.finalRoot(hub, id));
        // A fresh copy (memory structs alias).
        ClaimTerms memory wrong = claimTermsOf(address(hub), id);
        wrong.aborted = true;
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, N));
        hub.claimAll(id, wrong, all, total);
        uint256[N] memory before;
        for (uint256 i = 0; i < N; ++i) {
            before[i] = token.balanceOf(nodes[i]);
        }
        _claimMember(id, 1);
        hub.claimAll(id, t, all, total);
        assertEq(token.balanceOf(nodes[0]) - before[0], BOND + ESCROW - 300);
        assertEq(token.balanceOf(nodes[1]) - before[1], BOND + ESCROW + 300);
        assertEq(token.balanceOf(nodes[2]) - before[2], BOND + ESCROW);
        assertEq(hub.community(id).held, 0);
        assertEq(token.balanceOf(address(hub)), 0);
        (Balance memory leaf, uint256 tc, bytes32[] memory proof) = book.claimArgs(hub, id, 2);
        vm.expectRevert(abi.encodeWithSelector(IHub.AlreadyClaimed.selector, id, uint256(2)));
        hub.claim(id, t, 2, leaf, tc, proof);
        vm.expectRevert(abi.encodeWithSelector(IHub.NothingToClaim.selector, id, N));
        hub.claimAll(id, t, all, total);
    }

    // ------------------------------------------------------------------ views and the setup

    /// The `community` view runs in the setup by delegatecall: it works inside a STATICCALL (a view of another
    /// contract, a raw staticcall) and reverts there as elsewhere for an unknown id.
    function test_CommunityViewInStaticContext() public {
        uint64 id = _openTogether(N);
        StaticReader reader = new StaticReader();
        (CommunityStatus status, uint256 held) = reader.statusOf(hub, id);
        assertEq(uint8(status), uint8(CommunityStatus.Active));
        assertEq(held, N * (BOND + ESCROW));
        (bool ok, bytes memory ret) = address(hub).staticcall(abi.encodeCall(hub.community, (id)));
        assertTrue(ok);
        assertEq(abi.decode(ret, (CommunityInfo)).joinedCount, N);
        (ok, ret) = address(hub).staticcall(abi.encodeCall(hub.community, (id + 1)));
        assertFalse(ok);
        assertEq(ret, abi.encodeWithSelector(IHub.UnknownCommunity.selector, id + 1));
    }

    /// Attack: call the setup directly (its own storage, no allow-list, its own domain): it can open nothing, and
    /// a consent to the hub is not one to it.
    function test_RevertWhen_SetupCalledDirectly() public {
        HubSetup setup = HubSetup(vm.computeCreateAddress(address(hub), 1));
        assertGt(address(setup).code.length, 0);
        OpenConfig memory c = _packed();
        uint256 deadline = _deadline();
        bytes memory consents = _consents(c, deadline);
        assertTrue(setup.consentDigest(c, deadline) != _consentDigest(address(hub), c, deadline));
        assertEq(setup.consentDigest(c, deadline), _consentDigest(address(setup), c, deadline));
        vm.expectRevert(abi.encodeWithSelector(IHub.ModuleNotEnabled.selector, address(verifierModule)));
        setup.openTogether(c, deadline, consents);
        vm.expectRevert(abi.encodeWithSelector(IHub.UnknownCommunity.selector, uint64(1)));
        setup.join(1, 0, new bytes32[](2), "");
        vm.expectRevert(abi.encodeWithSelector(IHub.UnknownCommunity.selector, uint64(1)));
        setup.community(1);
    }

    // ------------------------------------------------------------------ helpers

    function _sign(uint256 i, bytes32 digest) internal view returns (bytes memory) {
        return _signDigest(keys[i], digest);
    }

    /// @dev Consent `i` of `consents` (64 bytes).
    function _slice(bytes memory consents, uint256 i) internal pure returns (bytes memory out) {
        out = new bytes(64);
        for (uint256 k = 0; k < 64; ++k) {
            out[k] = consents[i * 64 + k];
        }
    }

    /// @dev `consents` with consent `i` replaced by its malleable twin (s → n − s, parity flipped).
    function _highS(bytes memory consents, uint256 i) internal pure returns (bytes memory out) {
        out = bytes.concat(consents);
        uint256 vs;
        assembly ("memory-safe") {
            vs := mload(add(out, add(0x40, mul(i, 64))))
        }
        uint256 n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
        uint256 s = vs & ((uint256(1) << 255) - 1);
        uint256 parity = vs >> 255;
        uint256 twin = ((1 - parity) << 255) | (n - s);
        assembly ("memory-safe") {
            mstore(add(out, add(0x40, mul(i, 64))), twin)
        }
    }
}

/// @notice Slashes of members without a slot (the harness calls the hub's `_slash` as a dispute or a lost game
/// does): the offenders' fresh slots, the whole-bond check, the top-up, and the rule that an offender who is
/// the challenger earns nothing (`Settlement.slash`'s self-dispute, read from `Hub._slash`'s challenger index).
contract OpenTogetherSlashTest is HubFixture {
    uint256 internal constant N = 3;
    TogetherSlashHarness internal harness;

    function setUp() public {
        _deploy(N + 1);
        harness = new TogetherSlashHarness(_allowList());
        hub = harness;
        // The test posts the partial claim: it pays the claim deposit.
        token.approve(address(hub), type(uint256).max);
        for (uint256 i = 0; i <= N; ++i) {
            vm.prank(nodes[i]);
            token.approve(address(hub), type(uint256).max);
        }
    }

    function _set(uint256 bits) internal pure returns (uint256[] memory set) {
        set = new uint256[](1);
        set[0] = bits;
    }

    /// A slashed member without a slot: its bond lacks the cap, it cannot co-sign a partial claim
    /// (`BondNotWhole`), its top-up pulls exactly what it lacks, and then it can.
    function test_SlashedTogetherMemberTopsUpToSign() public {
        uint64 id = _openTogether(N);
        harness.slashSet(id, _set(1 << 1), 400, nodes[N]);
        (uint256 bond,,,,) = hub.member(id, 1);
        assertEq(bond, BOND - 400);
        assertEq(hub.withdrawable(token, nodes[N]), 200, "the outsider: half; 100 to each of the two others");
        ParticipantState[] memory s = _transferState(N, 100);
        vm.warp(_windowEnd(0));
        bytes memory sig = _pack(_sign(id, 0, _root(0), s, _only(1)));
        bytes32 balancesRoot = _balancesRoot(id, 0, s);
        bytes32 sh = StateHash.hash(s);
        bytes memory fs = ConfigBuilder.finalStateOf(s, sig);
        vm.expectRevert(abi.encodeWithSelector(IHub.BondNotWhole.selector, id, uint256(1)));
        hub.update(id, 0, _root(0), sh, balancesRoot, fs, sig);
        uint256 paid = token.balanceOf(nodes[1]);
        vm.prank(nodes[1]);
        hub.topUpBond(id);
        assertEq(paid - token.balanceOf(nodes[1]), 400);
        hub.update(id, 0, _root(0), sh, balancesRoot, fs, sig);
        // Money conserved: held = deposits + top-up + claim deposit − the outsider's reward.
        assertEq(hub.community(id).held, N * (BOND + ESCROW) + 400 + BOND / 10 - hub.withdrawable(token, nodes[N]));
    }

    /// Found by this review (fixed in `Hub._slash`): in a community joined one by one an offender that is the
    /// challenger earns nothing (the whole slash goes to the others). In a community opened together the hub read
    /// the challenger's index from `indexPlusOne`, never written there: the offender passed for an outsider and
    /// took the challenger's half back. It now asks `_indexPlusOne` (the module's list).
    function test_SelfChallengeEarnsNothing_Joined() public {
        uint64 id = _openActive(N);
        _selfChallenge(id);
    }

    function test_SelfChallengeEarnsNothing_Together() public {
        uint64 id = _openTogether(N);
        _selfChallenge(id);
    }

    function _selfChallenge(uint64 id) internal {
        // Offenders 0 and 1, whole bonds; the challenger is offender 0.
        harness.slashSet(id, _set(0x3), BOND, nodes[0]);
        assertEq(hub.withdrawable(token, nodes[0]), 0, "an offender earns nothing by challenging");
        assertEq(_credit(id, 2), 2 * BOND, "the whole slash goes to the one non-offender");
    }

    /// The gas of one page of a slash in a community opened together (fresh slots: 22,100 each; half a page,
    /// `Hub._slash`) against one joined one by one (5,000 each, a whole `SLASH_PAGE`): both under 1,000,000.
    function test_SlashPageGas_TogetherVsJoined() public {
        uint256 n = 130;
        _deployMore(n);
        uint256[] memory offenders = _set((uint256(1) << 120) - 1);
        uint64 joined = _openActive(n);
        uint64 together = _openTogether(n);
        address challenger = makeAddr("challenger");
        vm.cool(address(hub));
        uint256 g = gasleft();
        harness.slashSet(joined, offenders, BOND, challenger);
        uint256 gasJoined = g - gasleft();
        vm.cool(address(hub));
        g = gasleft();
        harness.slashSet(together, offenders, BOND, challenger);
        uint256 gasTogether = g - gasleft();
        emit log_named_uint("first slash page, joined", gasJoined);
        emit log_named_uint("first slash page, together", gasTogether);
        assertLt(gasJoined, 1_000_000, "SLASH_PAGE: a page under 1,000,000 gas");
        assertLt(gasTogether, 1_000_000, "half a page of fresh slots under 1,000,000 gas");
    }

    function _credit(uint64 id, uint256 i) internal view returns (uint256 credit) {
        (, credit,,,) = hub.member(id, i);
    }
}

/// @notice The self-dispute rule through a real dispute (DisputeFixture's community of 10 with Ed25519 meters
/// and window 0's signed readings): a signer proving its own claim wrong, a meter owner reporting its own
/// equivocation. Control: the community joined one by one (`_setUpCommunity`); attack: the same community
/// opened together (same hub address and id 1, so the vectors' readings hold).
contract OpenTogetherDisputeTest is DisputeFixture {
    function _wrongFinal(Commit memory h) internal pure returns (ParticipantState[] memory posted) {
        posted = abi.decode(abi.encode(h.states[W - 1]), (ParticipantState[]));
        posted[0].net += 7;
        posted[1].net -= 7;
    }

    /// @dev `_setUpCommunity(ED25519)` with `openTogether` in place of open and the ten joins.
    function _setUpTogether() internal {
        openTogether = true;
        _setUpCommunity(ED25519);
        require(id == 1, "the vectors' community");
    }

    /// Signers 0, 1, 2 post a wrong final state; signer 0 proves it wrong itself. Exact split: the three whole
    /// bonds and the forfeited claim deposit to the 7 others (the remainder to the first of them), nothing to
    /// signer 0.
    function _signerDisputesOwnClaim() internal {
        Commit memory h = _honest();
        _claim(0, h.root, _wrongFinal(h), _signers(0, 3));
        _disputeOn(
            nodes[0], id, 0, DisputeKind.BadFinalState, abi.encode(FinalStateProof(_intervalProof(h, W - 1))), ""
        );
        uint256 total = 3 * uint256(BOND) + _claimDeposit();
        assertEq(hub.withdrawable(token, nodes[0]), 0, "an offender earns nothing by disputing its own claim");
        for (uint256 i = 0; i < 3; ++i) {
            assertEq(_bondOf(hub, id, i), 0);
        }
        assertEq(_creditOf(hub, id, 3), total / 7 + total % 7);
        for (uint256 i = 4; i < N; ++i) {
            assertEq(_creditOf(hub, id, i), total / 7);
        }
    }

    function test_SignerDisputingOwnClaimEarnsNothing_Joined() public {
        _setUpCommunity(ED25519);
        _signerDisputesOwnClaim();
    }

    function test_SignerDisputingOwnClaimEarnsNothing_Together() public {
        _setUpTogether();
        _signerDisputesOwnClaim();
    }

    /// The owner of meter eqMeter reports its own equivocation: it loses the equivocation's fixed cost (10 % of
    /// the bond), all of it shared by the 9 others; it earns nothing.
    function _ownerReportsOwnEquivocation() internal {
        address owner = nodes[eqMeter];
        bytes memory proof = abi.encode(EquivocationProof(_signed(eqMeter, eqInterval), equivocating, _record(eqMeter)));
        vm.warp(uint256(START) + W * INTERVAL);
        _disputeOn(owner, id, 0, DisputeKind.Equivocation, proof, "");
        uint256 cost = uint256(BOND) * 1_000 / 10_000;
        assertEq(_bondOf(hub, id, eqMeter), BOND - cost);
        assertEq(hub.withdrawable(token, owner), 0, "the equivocator earns nothing by reporting itself");
        uint256 shared;
        for (uint256 i = 0; i < N; ++i) {
            if (i != eqMeter) shared += _creditOf(hub, id, i);
        }
        assertEq(shared, cost, "the whole cost to the others");
    }

    function test_OwnerReportingOwnEquivocationEarnsNothing_Joined() public {
        _setUpCommunity(ED25519);
        _ownerReportsOwnEquivocation();
    }

    function test_OwnerReportingOwnEquivocationEarnsNothing_Together() public {
        _setUpTogether();
        _ownerReportsOwnEquivocation();
    }

    /// A member without a slot whose meter equivocated (reported by an outsider) must top its bond up before it
    /// co-signs a partial claim; the top-up pulls exactly the fixed cost.
    function test_EquivocatorWithoutSlotTopsUpToSign() public {
        _setUpTogether();
        bytes memory proof = abi.encode(EquivocationProof(_signed(eqMeter, eqInterval), equivocating, _record(eqMeter)));
        vm.warp(uint256(START) + W * INTERVAL);
        _disputeOn(challenger, id, 0, DisputeKind.Equivocation, proof, "");
        uint256 cost = uint256(BOND) * 1_000 / 10_000;
        assertEq(hub.withdrawable(token, challenger), cost / 2 + (cost / 2) % 9);
        uint256 before = token.balanceOf(nodes[eqMeter]);
        vm.prank(nodes[eqMeter]);
        hub.topUpBond(id);
        assertEq(before - token.balanceOf(nodes[eqMeter]), cost);
        assertEq(token.balanceOf(HUB), _liabilities());
    }
}
// forge-lint: disable-end(block-timestamp, unsafe-typecast)
