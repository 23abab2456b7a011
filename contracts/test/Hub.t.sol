// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Hub} from "../src/Hub.sol";
import {IHub} from "../src/interfaces/IHub.sol";
import {ICoSignatureScheme} from "../src/interfaces/ICoSignatureScheme.sol";
import {MeterTable} from "../src/libraries/MeterTable.sol";
import {MarketKind, ParticipantState} from "../src/types/Market.sol";
import {IDisputeVerifier} from "../src/interfaces/IDisputeVerifier.sol";
import {
    ParticipantAccount,
    CommunityConfig,
    CommunityInfo,
    CommunityStatus,
    Meter,
    WindowRecord,
    WindowStatus
} from "../src/types/Community.sol";
import {HubFixture} from "./utils/HubFixture.sol";

// Test code: timestamps are the cheatcode's, casts are of small bounded values.
// forge-lint: disable-start(block-timestamp, unsafe-typecast)

contract HubTest is HubFixture {
    uint256 internal constant N = 3;

    function setUp() public {
        _deploy(N);
    }

    // ------------------------------------------------------------------ open

    function test_Open_RegistersCommunity() public {
        vm.expectEmit(address(hub));
        emit IHub.CommunityOpened(1, address(this), token, N, N, vm.computeCreateAddress(address(hub), 1));
        uint64 id = _open(N);
        assertEq(id, 1);
        assertEq(_open(N), 2);
        assertEq(hub.communityCount(), 2);

        CommunityInfo memory info = hub.community(id);
        assertEq(uint8(info.status), uint8(CommunityStatus.Opening));
        assertEq(address(info.token), address(token));
        assertEq(info.start, START);
        assertEq(info.intervalSeconds, INTERVAL);
        assertEq(info.windowIntervals, W);
        assertEq(info.windowCount, WINDOWS);
        assertEq(info.challengePeriod, CHALLENGE);
        assertEq(info.bond, BOND);
        assertEq(info.escrow, ESCROW);
        assertEq(info.market.gridBuyPrice, 250);
        assertEq(info.participantCount, N);
        assertEq(info.meterCount, N);
        assertEq(info.joined, 0);
        assertEq(info.finalizedWindows, 0);

        address[] memory ps = hub.participants(id);
        assertEq(ps.length, N);
        for (uint256 i = 0; i < N; ++i) {
            assertEq(ps[i], nodes[i]);
        }
        Meter[] memory ms = MeterTable.all(hub.meterTable(id));
        assertEq(ms.length, N);
        assertEq(ms[2].publicKey, _meterKey(2));
        assertEq(ms[2].owner, 2);
        assertEq(MeterTable.get(hub.meterTable(id), 1).owner, 1);
        assertEq(address(info.modules.verifier), address(verifierModule));
        assertEq(address(info.modules.meterSchemes[P256]), address(p256Module));
    }

    function test_Open_AcceptsP256Meter() public {
        CommunityConfig memory c = _config(N);
        c.meters[0] = Meter(_p256Key(), P256, 0);
        uint64 id = hub.open(c);
        assertEq(MeterTable.get(hub.meterTable(id), 0).scheme, P256);
        assertEq(MeterTable.get(hub.meterTable(id), 0).publicKey, _p256Key());
    }

    function test_RevertWhen_OpenNoParticipants() public {
        CommunityConfig memory c = _config(N);
        c.participants = new address[](0);
        vm.expectRevert(IHub.NoParticipants.selector);
        hub.open(c);
    }

    function test_RevertWhen_OpenTooManyParticipants() public {
        CommunityConfig memory c = _config(N);
        c.participants = new address[](257);
        vm.expectRevert(abi.encodeWithSelector(IHub.TooManyParticipants.selector, 257, 256));
        hub.open(c);
    }

    function test_RevertWhen_OpenZeroParticipant() public {
        CommunityConfig memory c = _config(N);
        c.participants[1] = address(0);
        vm.expectRevert(abi.encodeWithSelector(IHub.ZeroParticipant.selector, 1));
        hub.open(c);
    }

    function test_RevertWhen_OpenDuplicateParticipant() public {
        CommunityConfig memory c = _config(N);
        c.participants[2] = nodes[0];
        vm.expectRevert(abi.encodeWithSelector(IHub.DuplicateParticipant.selector, nodes[0]));
        hub.open(c);
    }

    function test_RevertWhen_OpenNoMeters() public {
        CommunityConfig memory c = _config(N);
        c.meters = new Meter[](0);
        vm.expectRevert(IHub.NoMeters.selector);
        hub.open(c);
    }

    function test_RevertWhen_OpenMeterOwnerOutOfRange() public {
        CommunityConfig memory c = _config(N);
        c.meters[1].owner = uint32(N);
        vm.expectRevert(abi.encodeWithSelector(IHub.MeterOwnerOutOfRange.selector, 1, N));
        hub.open(c);
    }

    /// Attack: a community names a verifier the hub never allow-listed (one that proves nothing wrong).
    function test_RevertWhen_OpenWithModuleNotAllowListed() public {
        CommunityConfig memory c = _config(N);
        address rogue = deployCode("DisputeVerifier.sol:DisputeVerifier");
        c.modules.verifier = IDisputeVerifier(rogue);
        vm.expectRevert(abi.encodeWithSelector(IHub.ModuleNotEnabled.selector, rogue));
        hub.open(c);
    }

    /// Attack: settle with one market and have disputes recompute another.
    function test_RevertWhen_OpenMarketKindMismatch() public {
        CommunityConfig memory c = _config(N);
        c.market.kind = c.market.kind == MarketKind.Mmr ? MarketKind.Totals : MarketKind.Mmr;
        vm.expectRevert(IHub.MarketKindMismatch.selector);
        hub.open(c);
    }

    /// A meter whose scheme no module verifies would make its readings unprovable.
    function test_RevertWhen_OpenMeterSchemeOutOfRange() public {
        CommunityConfig memory c = _config(N);
        uint8 scheme = uint8(c.modules.meterSchemes.length);
        c.meters[1].scheme = scheme;
        vm.expectRevert(abi.encodeWithSelector(IHub.MeterSchemeOutOfRange.selector, 1, scheme));
        hub.open(c);
    }

    /// Attack: open a community with more meters than its meter table holds, and than a bad-step proof
    /// (every meter's reading of one interval) can carry, so that a wrong step could never be proven.
    /// The hub refuses it by name before writing anything; the table's own deployment failing under
    /// EIP-170 (`MeterTableWriteFailed`) is only a backstop, gone on a chain with a larger code limit.
    function test_RevertWhen_OpenTooManyMeters() public {
        CommunityConfig memory c = _config(N);
        uint256 max = MeterTable.MAX_METERS;
        c.meters = new Meter[](max + 1);
        for (uint256 k = 0; k <= max; ++k) {
            c.meters[k] = Meter(_p256Key(), P256, uint32(k % N));
        }
        vm.expectRevert(abi.encodeWithSelector(IHub.TooManyMeters.selector, max + 1, max));
        hub.open(c);
    }

    /// Attack: open with just too little gas for the meter table's CREATE. The 63/64 rule leaves `open`
    /// gas to go on after a CREATE that ran out, which returns address 0: without the check, a community
    /// would open with no meter table (no reading of it could ever be verified, so every honest slot
    /// would look forged). Some gas limit in the sweep must hit that CREATE and revert with the error.
    function test_RevertWhen_OpenStarvesMeterTableCreate() public {
        CommunityConfig memory c = _config(N);
        c.meters = new Meter[](40);
        for (uint256 k = 0; k < 40; ++k) {
            c.meters[k] = Meter(_p256Key(), P256, uint32(k % N));
        }
        bool hit;
        for (uint256 g = 200_000; g < 1_500_000 && !hit; g += 10_000) {
            try hub.open{gas: g}(c) {
                break;
            } catch (bytes memory err) {
                hit = err.length == 4 && bytes4(err) == MeterTable.MeterTableWriteFailed.selector;
            }
        }
        assertTrue(hit, "a starved CREATE must revert MeterTableWriteFailed");
    }

    /// The bound is exact: MAX_METERS (341) meters open, and the table holds every one of them.
    function test_OpenMaxMeters() public {
        CommunityConfig memory c = _config(N);
        uint256 max = MeterTable.MAX_METERS;
        c.meters = new Meter[](max);
        for (uint256 k = 0; k < max; ++k) {
            c.meters[k] = Meter(_p256Key(), P256, uint32(k % N));
        }
        uint64 cid = hub.open(c);
        assertEq(hub.community(cid).meterCount, max);
        assertEq(MeterTable.count(hub.meterTable(cid)), max);
        assertEq(MeterTable.get(hub.meterTable(cid), max - 1).owner, (max - 1) % N);
    }

    function test_RevertWhen_OpenEd25519KeyWrongLength() public {
        CommunityConfig memory c = _config(N);
        c.meters[2].publicKey = new bytes(33);
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidMeterKey.selector, 2));
        hub.open(c);
    }

    function test_RevertWhen_OpenP256KeyWrongLength() public {
        CommunityConfig memory c = _config(N);
        c.meters[0].scheme = P256;
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidMeterKey.selector, 0));
        hub.open(c);
    }

    function test_RevertWhen_OpenZeroIntervalSeconds() public {
        CommunityConfig memory c = _config(N);
        c.intervalSeconds = 0;
        vm.expectRevert(IHub.ZeroIntervalSeconds.selector);
        hub.open(c);
    }

    function test_RevertWhen_OpenZeroWindowIntervals() public {
        CommunityConfig memory c = _config(N);
        c.windowIntervals = 0;
        vm.expectRevert(IHub.ZeroWindowIntervals.selector);
        hub.open(c);
    }

    function test_RevertWhen_OpenZeroWindowCount() public {
        CommunityConfig memory c = _config(N);
        c.windowCount = 0;
        vm.expectRevert(IHub.ZeroWindowCount.selector);
        hub.open(c);
    }

    function test_RevertWhen_OpenZeroChallengePeriod() public {
        CommunityConfig memory c = _config(N);
        c.challengePeriod = 0;
        vm.expectRevert(IHub.ZeroChallengePeriod.selector);
        hub.open(c);
    }

    function test_RevertWhen_OpenZeroToken() public {
        CommunityConfig memory c = _config(N);
        c.token = IERC20(address(0));
        vm.expectRevert(IHub.ZeroToken.selector);
        hub.open(c);
    }

    function test_RevertWhen_OpenInvalidPrices() public {
        CommunityConfig memory c = _config(N);
        c.market.gridBuyPrice = 10;
        c.market.gridSellPrice = 11;
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidPrices.selector, 10, 11));
        hub.open(c);
    }

    function test_RevertWhen_OpenScheduleOverflow() public {
        CommunityConfig memory c = _config(N);
        c.start = type(uint64).max - 1;
        vm.expectRevert(IHub.ScheduleOverflow.selector);
        hub.open(c);
    }

    // ------------------------------------------------------------------ join and deposit

    function test_Join_PullsBondAndEscrow() public {
        uint64 id = _open(N);
        uint256 before = token.balanceOf(nodes[1]);
        vm.expectEmit(address(hub));
        emit IHub.Joined(id, nodes[1], BOND, ESCROW);
        vm.prank(nodes[1]);
        hub.join(id, "");
        assertEq(token.balanceOf(nodes[1]), before - BOND - ESCROW);
        assertEq(token.balanceOf(address(hub)), BOND + ESCROW);
        ParticipantAccount memory a = hub.account(id, 1);
        assertEq(a.escrow, ESCROW);
        assertEq(a.bond, BOND);
        assertEq(hub.community(id).joined, 2);
        assertEq(uint8(hub.community(id).status), uint8(CommunityStatus.Opening));
    }

    function test_Join_ActivatesWhenAllJoined() public {
        uint64 id = _open(N);
        vm.prank(nodes[2]);
        hub.join(id, "");
        vm.prank(nodes[0]);
        hub.join(id, "");
        vm.expectEmit(address(hub));
        emit IHub.CommunityActivated(id);
        vm.prank(nodes[1]);
        hub.join(id, "");
        assertEq(uint8(hub.community(id).status), uint8(CommunityStatus.Active));
        assertEq(hub.community(id).joined, 7);
    }

    function test_RevertWhen_JoinUnknownCommunity() public {
        vm.expectRevert(abi.encodeWithSelector(IHub.UnknownCommunity.selector, 9));
        vm.prank(nodes[0]);
        hub.join(9, "");
    }

    function test_RevertWhen_JoinNotParticipant() public {
        uint64 id = _open(N);
        vm.expectRevert(abi.encodeWithSelector(IHub.NotParticipant.selector, id, address(this)));
        hub.join(id, "");
    }

    function test_RevertWhen_JoinTwice() public {
        uint64 id = _open(N);
        vm.startPrank(nodes[0]);
        hub.join(id, "");
        vm.expectRevert(abi.encodeWithSelector(IHub.AlreadyJoined.selector, id, nodes[0]));
        hub.join(id, "");
        vm.stopPrank();
    }

    function test_RevertWhen_JoinActiveCommunity() public {
        uint64 id = _openActive(N);
        vm.expectRevert(abi.encodeWithSelector(IHub.CommunityNotOpening.selector, id));
        vm.prank(nodes[0]);
        hub.join(id, "");
    }

    function test_Deposit_TopsUpEscrow() public {
        uint64 id = _openActive(N);
        vm.expectEmit(address(hub));
        emit IHub.Deposited(id, nodes[2], 77);
        vm.prank(nodes[2]);
        hub.deposit(id, 77);
        assertEq(hub.account(id, 2).escrow, ESCROW + 77);
        assertEq(token.balanceOf(address(hub)), N * (BOND + ESCROW) + 77);
    }

    function test_RevertWhen_DepositNotJoined() public {
        uint64 id = _open(N);
        vm.expectRevert(abi.encodeWithSelector(IHub.NotJoined.selector, id, nodes[0]));
        vm.prank(nodes[0]);
        hub.deposit(id, 1);
    }

    function test_RevertWhen_DepositZero() public {
        uint64 id = _openActive(N);
        vm.expectRevert(IHub.ZeroAmount.selector);
        vm.prank(nodes[0]);
        hub.deposit(id, 0);
    }

    function test_RevertWhen_DepositClosed() public {
        uint64 id = _open(N);
        vm.startPrank(nodes[0]);
        hub.join(id, "");
        hub.close(id);
        vm.expectRevert(abi.encodeWithSelector(IHub.CommunityAlreadyClosed.selector, id));
        hub.deposit(id, 1);
        vm.stopPrank();
    }

    // ------------------------------------------------------------------ update: fast path

    function test_Update_FastPathFinalizesAndPays() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 300);
        vm.warp(_windowEnd(0));
        bytes[] memory sigs = _sign(id, 0, _root(0), s, _everyone(N));
        vm.expectEmit(address(hub));
        emit IHub.WindowFinalized(id, 0, _root(0), keccak256(abi.encode(s)), 7);
        hub.update(id, 0, _root(0), _packed(s), _pack(sigs));

        WindowRecord memory r = hub.windowRecord(id, 0);
        assertEq(uint8(r.status), uint8(WindowStatus.Final));
        assertEq(r.windowRoot, _root(0));
        assertEq(r.stateHash, keccak256(abi.encode(s)));
        assertEq(r.signers, 7);
        assertEq(r.submittedAt, _windowEnd(0));
        assertEq(hub.account(id, 0).escrow, ESCROW - 300);
        assertEq(hub.account(id, 1).escrow, ESCROW + 300);
        assertEq(hub.account(id, 2).escrow, ESCROW);
        assertEq(hub.community(id).finalizedWindows, 1);
    }

    function test_Update_AcceptsSignaturesInAnyOrder() public {
        uint64 id = _openActive(N);
        uint256[] memory who = new uint256[](3);
        (who[0], who[1], who[2]) = (2, 0, 1);
        _update(id, 0, _transferState(N, 1), who);
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Final));
    }

    function test_FinalizedWindows_NoneYet() public {
        uint64 id = _openActive(N);
        assertEq(hub.community(id).finalizedWindows, 0);
    }

    function test_RevertWhen_UpdateWrongSigner() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 1);
        vm.warp(_windowEnd(0));
        bytes[] memory sigs = _sign(id, 0, _root(0), s, _everyone(N));
        uint256 outsider = 0xBAD;
        sigs[1] = abi.encodePacked(uint8(1), _signDigest(outsider, _digest(id, 0, _root(0), s)));
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.SignerNotParticipant.selector, vm.addr(outsider)));
        hub.update(id, 0, _root(0), _packed(s), _pack(sigs));
    }

    function test_RevertWhen_UpdateDuplicateSigner() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 1);
        vm.warp(_windowEnd(0));
        uint256[] memory who = new uint256[](3);
        (who[0], who[1], who[2]) = (0, 1, 0);
        bytes[] memory sigs = _sign(id, 0, _root(0), s, who);
        // The signer bitmap names participant 0 once: a second signature of it makes the blob too long.
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.MalformedSignatures.selector, 32 + 3 * 64));
        hub.update(id, 0, _root(0), _packed(s), _pack(sigs));
    }

    /// @dev Attack: a participant's signature made malleable (s in the upper half, parity flipped) to
    /// count it twice or dodge a replay check; the compact form has one encoding per signature.
    function test_RevertWhen_UpdateCarriesHighS() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 1);
        vm.warp(_windowEnd(0));
        bytes[] memory sigs = _sign(id, 0, _root(0), s, _everyone(N));
        (uint8 v, bytes32 r,) = vm.sign(keys[1], _digest(id, 0, _root(0), s));
        uint256 high = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0 + 1;
        sigs[1] = abi.encodePacked(uint8(1), r, bytes32(high | (uint256(v - 27) << 255)));
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.InvalidSignature.selector, 1));
        hub.update(id, 0, _root(0), _packed(s), _pack(sigs));
    }

    /// @dev Attack: the fast path claimed (every bit set) with one participant's signature standing in
    /// for another's: each bit needs its own participant's signature.
    function test_RevertWhen_UpdateSignatureStandsInForAnother() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 1);
        vm.warp(_windowEnd(0));
        bytes[] memory sigs = _sign(id, 0, _root(0), s, _everyone(N));
        sigs[2] = abi.encodePacked(uint8(2), _signDigest(keys[0], _digest(id, 0, _root(0), s)));
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.SignerNotParticipant.selector, nodes[0]));
        hub.update(id, 0, _root(0), _packed(s), _pack(sigs));
    }

    function test_RevertWhen_UpdateNoSignatures() public {
        uint64 id = _openActive(N);
        vm.warp(_windowEnd(0));
        vm.expectRevert(ICoSignatureScheme.NoSignatures.selector);
        hub.update(id, 0, _root(0), _packed(_transferState(N, 1)), "");
    }

    function test_RevertWhen_UpdateMalformedSignature() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 1);
        vm.warp(_windowEnd(0));
        bytes[] memory sigs = _sign(id, 0, _root(0), s, _everyone(N));
        sigs[2] = abi.encodePacked(uint8(2), new bytes(64));
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.InvalidSignature.selector, 2));
        hub.update(id, 0, _root(0), _packed(s), _pack(sigs));
    }

    function test_RevertWhen_UpdateStateDiffersFromSigned() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory signed = _transferState(N, 1);
        ParticipantState[] memory posted = _transferState(N, 2);
        vm.warp(_windowEnd(0));
        bytes[] memory sigs = _sign(id, 0, _root(0), signed, _everyone(N));
        address recovered = _recover(_digest(id, 0, _root(0), posted), sigs[0]);
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.SignerNotParticipant.selector, recovered));
        hub.update(id, 0, _root(0), _packed(posted), _pack(sigs));
    }

    function test_RevertWhen_UpdateStaleWindow() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 1);
        _update(id, 0, s, _everyone(N));
        bytes[] memory sigs = _sign(id, 0, _root(0), s, _everyone(N));
        vm.expectRevert(abi.encodeWithSelector(IHub.WindowAlreadyFinal.selector, id, 0));
        hub.update(id, 0, _root(0), _packed(s), _pack(sigs));
    }

    function test_RevertWhen_UpdateOutOfOrder() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 1);
        vm.warp(_windowEnd(1));
        bytes[] memory sigs = _sign(id, 1, _root(1), s, _everyone(N));
        vm.expectRevert(abi.encodeWithSelector(IHub.WindowOutOfOrder.selector, id, 1, 0));
        hub.update(id, 1, _root(1), _packed(s), _pack(sigs));
    }

    function test_RevertWhen_UpdateWindowOutOfRange() public {
        uint64 id = _openActive(N);
        vm.warp(_windowEnd(WINDOWS));
        vm.expectRevert(abi.encodeWithSelector(IHub.WindowOutOfRange.selector, id, WINDOWS, WINDOWS));
        hub.update(id, WINDOWS, _root(WINDOWS), _packed(_transferState(N, 1)), "");
    }

    function test_RevertWhen_UpdateBeforeWindowEnd() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 1);
        vm.warp(_windowEnd(0) - 1);
        bytes[] memory sigs = _sign(id, 0, _root(0), s, _everyone(N));
        vm.expectRevert(abi.encodeWithSelector(IHub.WindowNotEnded.selector, id, 0, _windowEnd(0)));
        hub.update(id, 0, _root(0), _packed(s), _pack(sigs));
    }

    function test_RevertWhen_UpdateWrongStateLength() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N - 1, 1);
        vm.warp(_windowEnd(0));
        bytes[] memory sigs = _sign(id, 0, _root(0), s, _everyone(N));
        vm.expectRevert(abi.encodeWithSelector(IHub.StateLengthMismatch.selector, N * 64, (N - 1) * 64));
        hub.update(id, 0, _root(0), _packed(s), _pack(sigs));
    }

    function test_RevertWhen_UpdateUnbalancedState() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 5);
        s[2].net = 1;
        vm.warp(_windowEnd(0));
        bytes[] memory sigs = _sign(id, 0, _root(0), s, _everyone(N));
        vm.expectRevert(abi.encodeWithSelector(IHub.UnbalancedState.selector, int256(1)));
        hub.update(id, 0, _root(0), _packed(s), _pack(sigs));
    }

    function test_RevertWhen_UpdateNetOutOfRange() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 1);
        vm.warp(_windowEnd(0));
        bytes[] memory sigs = _sign(id, 0, _root(0), s, _everyone(N));
        // Participant 1's net packed as -2^127, the one int128 whose negation does not fit.
        bytes memory packed = _packed(s);
        packed[64 + 48] = 0x80;
        for (uint256 k = 64 + 49; k < 128; ++k) {
            packed[k] = 0;
        }
        vm.expectRevert(abi.encodeWithSelector(IHub.NetOutOfRange.selector, 1));
        hub.update(id, 0, _root(0), packed, _pack(sigs));
    }

    function test_RevertWhen_UpdateSignedByUnjoinedParticipant() public {
        // Nobody can sign for a community someone has not joined: it is not Active yet.
        uint64 id = _open(N);
        vm.prank(nodes[0]);
        hub.join(id, "");
        ParticipantState[] memory s = _transferState(N, 1);
        vm.warp(_windowEnd(0));
        bytes[] memory sigs = _sign(id, 0, _root(0), s, _everyone(N));
        vm.expectRevert(abi.encodeWithSelector(IHub.CommunityNotActive.selector, id));
        hub.update(id, 0, _root(0), _packed(s), _pack(sigs));
    }

    function test_RevertWhen_UpdateUnknownCommunity() public {
        vm.expectRevert(abi.encodeWithSelector(IHub.UnknownCommunity.selector, 5));
        hub.update(5, 0, _root(0), _packed(_transferState(N, 1)), "");
    }

    // ------------------------------------------------------------------ update: replays

    function test_RevertWhen_UpdateReplaysSignatureForOtherWindow() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 1);
        bytes[] memory sigs = _sign(id, 0, _root(1), s, _everyone(N));
        vm.warp(_windowEnd(0));
        hub.update(id, 0, _root(1), _packed(s), _pack(sigs));
        vm.warp(_windowEnd(1));
        address recovered = _recover(_digest(id, 1, _root(1), s), sigs[0]);
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.SignerNotParticipant.selector, recovered));
        hub.update(id, 1, _root(1), _packed(s), _pack(sigs));
    }

    function test_RevertWhen_UpdateReplaysSignatureForOtherCommunity() public {
        uint64 id = _openActive(N);
        uint64 other = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 1);
        vm.warp(_windowEnd(0));
        bytes[] memory sigs = _sign(id, 0, _root(0), s, _everyone(N));
        address recovered = _recover(_digest(other, 0, _root(0), s), sigs[0]);
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.SignerNotParticipant.selector, recovered));
        hub.update(other, 0, _root(0), _packed(s), _pack(sigs));
    }

    function test_RevertWhen_UpdateReplaysSignatureOnOtherHub() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 1);
        vm.warp(_windowEnd(0));
        bytes[] memory sigs = _sign(id, 0, _root(0), s, _everyone(N));

        Hub otherHub = new Hub(_allowList());
        uint64 otherId = otherHub.open(_config(N));
        for (uint256 i = 0; i < N; ++i) {
            vm.startPrank(nodes[i]);
            token.approve(address(otherHub), type(uint256).max);
            otherHub.join(otherId, "");
            vm.stopPrank();
        }
        assertEq(otherId, id);
        bytes32 otherDigest = _resultDigest(address(otherHub), otherId, 0, _root(0), keccak256(abi.encode(s)));
        vm.expectRevert(
            abi.encodeWithSelector(ICoSignatureScheme.SignerNotParticipant.selector, _recover(otherDigest, sigs[0]))
        );
        otherHub.update(otherId, 0, _root(0), _packed(s), _pack(sigs));
    }

    function test_RevertWhen_UpdateReplaysSignatureOnOtherChain() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 1);
        vm.warp(_windowEnd(0));
        bytes[] memory sigs = _sign(id, 0, _root(0), s, _everyone(N));
        vm.chainId(block.chainid + 1);
        address recovered = _recover(_digest(id, 0, _root(0), s), sigs[0]);
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.SignerNotParticipant.selector, recovered));
        hub.update(id, 0, _root(0), _packed(s), _pack(sigs));
    }

    // ------------------------------------------------------------------ update: pending path

    function test_Update_PartialSignaturesPending() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 300);
        vm.warp(_windowEnd(0));
        bytes[] memory sigs = _sign(id, 0, _root(0), s, _only(1));
        vm.expectEmit(address(hub));
        emit IHub.WindowClaimed(id, 0, address(this), _root(0), keccak256(abi.encode(s)), 2, _windowEnd(0) + CHALLENGE);
        hub.update(id, 0, _root(0), _packed(s), _pack(sigs));

        WindowRecord memory r = hub.windowRecord(id, 0);
        assertEq(uint8(r.status), uint8(WindowStatus.Pending));
        assertEq(r.signers, 2);
        assertEq(r.submittedAt, _windowEnd(0));
        assertEq(hub.account(id, 0).escrow, ESCROW);
        assertEq(hub.community(id).finalizedWindows, 0);
    }

    function test_RevertWhen_UpdateWhilePending() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 1);
        _update(id, 0, s, _only(0));
        bytes[] memory sigs = _sign(id, 0, _root(0), _transferState(N, 2), _only(1));
        vm.expectRevert(abi.encodeWithSelector(IHub.WindowPending.selector, id, 0));
        hub.update(id, 0, _root(0), _packed(_transferState(N, 2)), _pack(sigs));
    }

    function test_Update_FullySignedReplacesPending() public {
        uint64 id = _openActive(N);
        _update(id, 0, _transferState(N, 1), _only(0));
        _update(id, 0, _transferState(N, 2), _everyone(N));
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Final));
        assertEq(hub.account(id, 0).escrow, ESCROW - 2, "the fully signed result is applied");
        bytes32 replaced = hub.claimHash(0, _root(0), keccak256(abi.encode(_transferState(N, 1))));
        assertEq(hub.rejectedClaim(id, replaced).signers, 1);
        assertFalse(hub.rejectedClaim(id, replaced).slashed);
    }

    function test_RevertWhen_UpdateNextWhilePreviousInChallenge() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 1);
        _update(id, 0, s, _only(0));
        vm.warp(_windowEnd(1));
        bytes[] memory sigs = _sign(id, 1, _root(1), s, _everyone(N));
        vm.expectRevert(abi.encodeWithSelector(IHub.WindowOutOfOrder.selector, id, 1, 0));
        hub.update(id, 1, _root(1), _packed(s), _pack(sigs));
    }

    function test_Finalize_AfterChallengePeriod() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 300);
        _update(id, 0, s, _only(0));
        vm.warp(_windowEnd(0) + CHALLENGE);
        vm.expectEmit(address(hub));
        emit IHub.WindowFinalized(id, 0, _root(0), keccak256(abi.encode(s)), 1);
        vm.prank(address(0xCAFE));
        hub.finalize(id);
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Final));
        assertEq(hub.account(id, 0).escrow, ESCROW - 300);
        assertEq(hub.account(id, 1).escrow, ESCROW + 300);
        assertEq(hub.community(id).finalizedWindows, 1);
    }

    function test_RevertWhen_FinalizeBeforeChallengeEnds() public {
        uint64 id = _openActive(N);
        _update(id, 0, _transferState(N, 1), _only(0));
        vm.warp(_windowEnd(0) + CHALLENGE - 1);
        vm.expectRevert(abi.encodeWithSelector(IHub.ChallengePeriodNotOver.selector, id, 0, _windowEnd(0) + CHALLENGE));
        hub.finalize(id);
    }

    function test_RevertWhen_FinalizeNothingPending() public {
        uint64 id = _openActive(N);
        vm.expectRevert(abi.encodeWithSelector(IHub.NoPendingWindow.selector, id));
        hub.finalize(id);
    }

    function test_Update_LazilyFinalizesPendingPredecessor() public {
        uint64 id = _openActive(N);
        _update(id, 0, _transferState(N, 300), _only(2));
        vm.warp(_windowEnd(0) + CHALLENGE);
        _update(id, 1, _transferState(N, 100), _everyone(N));
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Final));
        assertEq(uint8(hub.windowRecord(id, 1).status), uint8(WindowStatus.Final));
        assertEq(hub.account(id, 0).escrow, ESCROW - 400);
        assertEq(hub.account(id, 1).escrow, ESCROW + 400);
        assertEq(hub.community(id).finalizedWindows, 2);
    }

    function test_Close_LazilyFinalizesLastPending() public {
        uint64 id = _openActive(N);
        _update(id, 0, _transferState(N, 10), _everyone(N));
        _update(id, 1, _transferState(N, 10), _everyone(N));
        _update(id, 2, _transferState(N, 10), _only(1));
        vm.expectRevert(abi.encodeWithSelector(IHub.WindowsNotFinal.selector, id, 2, WINDOWS));
        hub.close(id);
        vm.warp(block.timestamp + CHALLENGE);
        hub.close(id);
        assertEq(uint8(hub.windowRecord(id, 2).status), uint8(WindowStatus.Final));
        assertEq(hub.withdrawable(token, nodes[0]), BOND + ESCROW - 30);
        assertEq(hub.withdrawable(token, nodes[1]), BOND + ESCROW + 30);
    }

    // ------------------------------------------------------------------ debt rule

    function test_Settle_EscrowShortDrawsBond() public {
        uint64 id = _openActive(N);
        int256 due = int256(uint256(ESCROW)) + 400;
        vm.expectEmit(address(hub));
        emit IHub.BondDrawn(id, 0, 0, 400);
        _update(id, 0, _transferState(N, due), _everyone(N));
        ParticipantAccount memory a = hub.account(id, 0);
        assertEq(a.escrow, 0);
        assertEq(a.bond, BOND - 400);
        assertEq(a.debt, 0);
        assertEq(hub.account(id, 1).escrow, ESCROW + uint256(due));
    }

    function test_Settle_BondShortRecordsDebtAndClaimsProRata() public {
        uint64 id = _openActive(N);
        // Participant 0 owes 6,001 + ... : escrow 5,000 + bond 1,000 = 6,000 collected, 1,001 short.
        int256[] memory nets = new int256[](N);
        nets[0] = -7_001;
        nets[1] = 3_500;
        nets[2] = 3_501;
        vm.expectEmit(address(hub));
        emit IHub.BondDrawn(id, 0, 0, 1_000);
        vm.expectEmit(address(hub));
        emit IHub.DebtRecorded(id, 0, 0, 1_001);
        _update(id, 0, _state(nets), _everyone(N));
        ParticipantAccount memory a0 = hub.account(id, 0);
        assertEq(a0.escrow, 0);
        assertEq(a0.bond, 0);
        assertEq(a0.debt, 1_001);
        // 6,000 · 3,500 / 7,001 = 2,999.57 → 2,999 (+1 remainder, first creditor); 6,000 · 3,501 / 7,001 → 3,000.
        ParticipantAccount memory a1 = hub.account(id, 1);
        ParticipantAccount memory a2 = hub.account(id, 2);
        assertEq(a1.escrow, ESCROW + 3_000);
        assertEq(a2.escrow, ESCROW + 3_000);
        assertEq(a1.claim, 500);
        assertEq(a2.claim, 501);
        assertEq(hub.community(id).totalDebt, 1_001);
        assertEq(token.balanceOf(address(hub)), 3 * (BOND + ESCROW));
    }

    function test_Update_ShortDebtorDoesNotBlockLaterWindows() public {
        uint64 id = _openActive(N);
        _update(id, 0, _transferState(N, 10_000), _everyone(N));
        _update(id, 1, _transferState(N, 10_000), _everyone(N));
        assertEq(hub.account(id, 0).debt, 14_000);
        assertEq(hub.account(id, 1).claim, 14_000);
        assertEq(hub.community(id).finalizedWindows, 2);
    }

    function test_RepayDebt_PaysShortCreditors() public {
        uint64 id = _openActive(N);
        int256[] memory nets = new int256[](N);
        nets[0] = -7_001;
        nets[1] = 3_500;
        nets[2] = 3_501;
        _update(id, 0, _state(nets), _everyone(N));
        token.mint(address(this), 1_000);
        token.approve(address(hub), 1_000);
        vm.expectEmit(address(hub));
        emit IHub.DebtRepaid(id, nodes[0], address(this), 1_000);
        vm.expectEmit(address(hub));
        emit IHub.ClaimPaid(id, 1, 500);
        vm.expectEmit(address(hub));
        emit IHub.ClaimPaid(id, 2, 500);
        hub.repayDebt(id, nodes[0], 1_000);
        // 1,000 · 500 / 1,001 = 499.5 → 499 (+1 remainder); 1,000 · 501 / 1,001 = 500.4 → 500.
        assertEq(hub.account(id, 1).escrow, ESCROW + 3_000 + 500);
        assertEq(hub.account(id, 2).escrow, ESCROW + 3_000 + 500);
        assertEq(hub.account(id, 1).claim, 0);
        assertEq(hub.account(id, 2).claim, 1);
        assertEq(hub.account(id, 0).debt, 1);
        assertEq(hub.community(id).totalDebt, 1);
        assertEq(token.balanceOf(address(hub)), 3 * (BOND + ESCROW) + 1_000);
    }

    function test_RepayDebt_AfterCloseGoesToWithdrawable() public {
        uint64 id = _openActive(N);
        _update(id, 0, _transferState(N, 8_000), _everyone(N));
        _update(id, 1, _transferState(N, 0), _everyone(N));
        _update(id, 2, _transferState(N, 0), _everyone(N));
        hub.close(id);
        assertEq(hub.withdrawable(token, nodes[0]), 0);
        assertEq(hub.withdrawable(token, nodes[1]), BOND + ESCROW + 6_000);
        vm.prank(nodes[0]);
        hub.repayDebt(id, nodes[0], 2_000);
        assertEq(hub.withdrawable(token, nodes[1]), BOND + ESCROW + 8_000);
        assertEq(hub.account(id, 0).debt, 0);
        assertEq(hub.account(id, 1).claim, 0);
    }

    function test_Close_RefundRepaysOwnDebtFirst() public {
        uint64 id = _openActive(N);
        _update(id, 0, _transferState(N, 8_000), _everyone(N));
        // Participant 0 earns 500 back in the next window, then the community closes.
        int256[] memory nets = new int256[](N);
        nets[0] = 500;
        nets[2] = -500;
        _update(id, 1, _state(nets), _everyone(N));
        _update(id, 2, _transferState(N, 0), _everyone(N));
        hub.close(id);
        assertEq(hub.account(id, 0).debt, 1_500);
        assertEq(hub.account(id, 1).claim, 1_500);
        assertEq(hub.withdrawable(token, nodes[0]), 0);
        assertEq(hub.withdrawable(token, nodes[1]), BOND + ESCROW + 6_500);
        assertEq(hub.withdrawable(token, nodes[2]), BOND + ESCROW - 500);
        assertEq(hub.community(id).totalDebt, 1_500);
    }

    function test_RevertWhen_RepayExceedsDebt() public {
        uint64 id = _openActive(N);
        vm.expectRevert(abi.encodeWithSelector(IHub.RepayExceedsDebt.selector, id, nodes[0], 0, 1));
        hub.repayDebt(id, nodes[0], 1);
    }

    function test_RevertWhen_RepayZero() public {
        uint64 id = _openActive(N);
        vm.expectRevert(IHub.ZeroAmount.selector);
        hub.repayDebt(id, nodes[0], 0);
    }

    function test_RevertWhen_RepayForNonParticipant() public {
        uint64 id = _openActive(N);
        vm.expectRevert(abi.encodeWithSelector(IHub.NotParticipant.selector, id, address(this)));
        hub.repayDebt(id, address(this), 1);
    }

    // ------------------------------------------------------------------ close and withdraw

    function _runAllWindows(uint64 id) internal {
        for (uint32 w = 0; w < WINDOWS; ++w) {
            _update(id, w, _transferState(N, 100), _everyone(N));
        }
    }

    function test_Close_RefundsToWithdrawable() public {
        uint64 id = _openActive(N);
        _runAllWindows(id);
        vm.expectEmit(address(hub));
        emit IHub.Refunded(id, nodes[0], BOND + ESCROW - 300);
        vm.expectEmit(address(hub));
        emit IHub.Refunded(id, nodes[1], BOND + ESCROW + 300);
        vm.expectEmit(address(hub));
        emit IHub.Refunded(id, nodes[2], BOND + ESCROW);
        vm.expectEmit(address(hub));
        emit IHub.CommunityClosed(id, WINDOWS);
        vm.prank(address(0xCAFE));
        hub.close(id);
        assertEq(uint8(hub.community(id).status), uint8(CommunityStatus.Closed));
        assertEq(hub.withdrawable(token, nodes[0]), BOND + ESCROW - 300);
        assertEq(hub.withdrawable(token, nodes[1]), BOND + ESCROW + 300);
        assertEq(hub.withdrawable(token, nodes[2]), BOND + ESCROW);
        ParticipantAccount memory a = hub.account(id, 1);
        assertEq(a.escrow, 0);
        assertEq(a.bond, 0);
    }

    function test_Withdraw_TransfersBalance() public {
        uint64 id = _openActive(N);
        _runAllWindows(id);
        hub.close(id);
        uint256 before = token.balanceOf(nodes[1]);
        vm.expectEmit(address(hub));
        emit IHub.Withdrawn(nodes[1], token, BOND + ESCROW + 300);
        vm.prank(nodes[1]);
        hub.withdraw(token);
        assertEq(token.balanceOf(nodes[1]), before + BOND + ESCROW + 300);
        assertEq(hub.withdrawable(token, nodes[1]), 0);
        assertEq(token.balanceOf(address(hub)), 2 * (BOND + ESCROW) - 300);
    }

    function test_RevertWhen_WithdrawNothing() public {
        vm.expectRevert(abi.encodeWithSelector(IHub.NothingToWithdraw.selector, token, nodes[0]));
        vm.prank(nodes[0]);
        hub.withdraw(token);
    }

    function test_RevertWhen_CloseTooEarly() public {
        uint64 id = _openActive(N);
        _update(id, 0, _transferState(N, 1), _everyone(N));
        vm.expectRevert(abi.encodeWithSelector(IHub.WindowsNotFinal.selector, id, 1, WINDOWS));
        hub.close(id);
    }

    function test_RevertWhen_CloseTwice() public {
        uint64 id = _openActive(N);
        _runAllWindows(id);
        hub.close(id);
        vm.expectRevert(abi.encodeWithSelector(IHub.CommunityAlreadyClosed.selector, id));
        hub.close(id);
    }

    function test_RevertWhen_UpdateAfterClose() public {
        uint64 id = _open(N);
        vm.prank(nodes[0]);
        hub.close(id);
        vm.expectRevert(abi.encodeWithSelector(IHub.CommunityAlreadyClosed.selector, id));
        hub.update(id, 0, _root(0), _packed(_transferState(N, 1)), "");
    }

    function test_Close_AbortBeforeActiveRefundsJoined() public {
        uint64 id = _open(N);
        vm.prank(nodes[1]);
        hub.join(id, "");
        vm.prank(nodes[2]);
        hub.close(id);
        assertEq(uint8(hub.community(id).status), uint8(CommunityStatus.Closed));
        assertEq(hub.withdrawable(token, nodes[1]), BOND + ESCROW);
        assertEq(hub.withdrawable(token, nodes[2]), 0);
    }

    function test_RevertWhen_AbortByNonParticipant() public {
        uint64 id = _open(N);
        vm.expectRevert(abi.encodeWithSelector(IHub.NotParticipant.selector, id, address(this)));
        hub.close(id);
    }

    function test_RevertWhen_UpdateResubmitsPendingWindowAfterChallenge() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 1);
        _update(id, 0, s, _only(0));
        vm.warp(block.timestamp + CHALLENGE);
        bytes[] memory sigs = _sign(id, 0, _root(0), s, _everyone(N));
        // The due claim is finalized first, so the window is stale by the time it is checked.
        vm.expectRevert(abi.encodeWithSelector(IHub.WindowAlreadyFinal.selector, id, 0));
        hub.update(id, 0, _root(0), _packed(s), _pack(sigs));
    }

    function test_Deposit_WhileOpeningIsRefundedOnAbort() public {
        uint64 id = _open(N);
        vm.startPrank(nodes[0]);
        hub.join(id, "");
        hub.deposit(id, 10);
        hub.close(id);
        vm.stopPrank();
        assertEq(hub.withdrawable(token, nodes[0]), BOND + ESCROW + 10);
    }

    function test_RevertWhen_FinalizeClosed() public {
        uint64 id = _open(N);
        vm.prank(nodes[0]);
        hub.close(id);
        vm.expectRevert(abi.encodeWithSelector(IHub.CommunityAlreadyClosed.selector, id));
        hub.finalize(id);
    }

    function test_RevertWhen_FinalizeNotActive() public {
        uint64 id = _open(N);
        vm.expectRevert(abi.encodeWithSelector(IHub.CommunityNotActive.selector, id));
        hub.finalize(id);
    }

    function test_Update_FastPathWith256Participants() public {
        while (nodes.length < 256) {
            uint256 pk = uint256(keccak256(abi.encode("node", nodes.length)));
            keys.push(pk);
            nodes.push(vm.addr(pk));
            token.mint(nodes[nodes.length - 1], 1e30);
            vm.prank(nodes[nodes.length - 1]);
            token.approve(address(hub), type(uint256).max);
        }
        uint64 id = _openActive(256);
        _update(id, 0, _alternatingState(256, 7), _everyone(256));
        assertEq(hub.windowRecord(id, 0).signers, type(uint256).max);
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Final));
        assertEq(hub.account(id, 0).escrow, ESCROW - 7);
    }

    // ------------------------------------------------------------------ signing views

    function test_DomainSeparator_MatchesEip712() public view {
        bytes32 expected = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("DIVERSITY Hub"),
                keccak256("1"),
                block.chainid,
                address(hub)
            )
        );
        (, string memory name, string memory version, uint256 chainId, address verifyingContract,,) = hub.eip712Domain();
        assertEq(name, "DIVERSITY Hub");
        assertEq(version, "1");
        assertEq(chainId, block.chainid);
        assertEq(verifyingContract, address(hub));
        assertEq(
            _resultDigest(address(hub), 0, 0, 0, 0),
            keccak256(
                abi.encodePacked(
                    hex"1901",
                    expected,
                    keccak256(
                        abi.encode(
                            keccak256(
                                "WindowResult(uint64 communityId,uint32 window,bytes32 windowRoot,bytes32 stateHash)"
                            ),
                            0,
                            0,
                            0,
                            0
                        )
                    )
                )
            )
        );
    }

    function testFuzz_Update_ConservesMoney(int64[3] memory raw) public {
        uint64 id = _openActive(N);
        int256[] memory nets = new int256[](N);
        nets[0] = raw[0];
        nets[1] = raw[1];
        nets[2] = -(int256(raw[0]) + raw[1]);
        _update(id, 0, _state(nets), _everyone(N));
        uint256 held;
        uint256 debt;
        uint256 claims;
        for (uint256 i = 0; i < N; ++i) {
            ParticipantAccount memory a = hub.account(id, i);
            held += uint256(a.escrow) + a.bond;
            debt += a.debt;
            claims += a.claim;
        }
        assertEq(held, token.balanceOf(address(hub)));
        assertEq(debt, claims);
        assertEq(debt, hub.community(id).totalDebt);
    }
}
// forge-lint: disable-end(block-timestamp, unsafe-typecast)
