// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {words1} from "./utils/Words.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Hub} from "../src/Hub.sol";
import {IHub} from "../src/interfaces/IHub.sol";
import {ICoSignatureScheme} from "../src/interfaces/ICoSignatureScheme.sol";
import {MarketKind, ParticipantState, StateHash} from "../src/types/Market.sol";
import {Balances} from "../src/libraries/Balances.sol";
import {IDisputeVerifier} from "../src/interfaces/IDisputeVerifier.sol";
import {
    Balance,
    ClaimTerms,
    CommunityConfig,
    CommunityInfo,
    CommunityStatus,
    Meter,
    OpenConfig,
    WindowRecord,
    WindowStatus
} from "../src/types/Community.sol";
import {HubFixture} from "./utils/HubFixture.sol";
import {ConfigBuilder} from "./utils/ConfigBuilder.sol";
import {MeterRecords} from "./utils/MeterRecords.sol";
import {MeterRegistry} from "../src/libraries/MeterRegistry.sol";
import {OpenCodec} from "../src/libraries/OpenCodec.sol";
import {claimTermsOf} from "./utils/ClaimTermsOf.sol";

// Test code: timestamps are the cheatcode's, casts are of small bounded values.
// forge-lint: disable-start(block-timestamp, unsafe-typecast)

contract HubTest is HubFixture {
    uint256 internal constant N = 3;

    function setUp() public {
        _deploy(N);
    }

    // ------------------------------------------------------------------ open

    function test_Open_RegistersCommunity() public {
        CommunityConfig memory c = _config(N);
        book.recordGenesis(c.participants, c.escrow);
        vm.expectEmit(address(hub));
        emit IHub.ParticipantsListed(1, OpenCodec.encodeParticipants(c.participants));
        vm.expectEmit(address(hub));
        emit IHub.CommunityOpened(1, address(this), token, N, N, MeterRecords.root(c.meters));
        uint64 id = hub.open(OpenCodec.encode(c));
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
        assertEq(info.joinedCount, 0);
        assertEq(info.finalizedWindows, 0);

        // No list on chain: its count and the genesis balances root (every member: escrow, no debt, no claim).
        assertEq(info.genesisBalancesRoot, Balances.root(Balances.genesis(c.participants, ESCROW), 0));
        assertEq(info.held, 0);
        // Only the root of the meter records (the list is in the open transaction's calldata).
        assertEq(hub.meterRoot(id), MeterRecords.root(c.meters));
        assertEq(c.meters[2].publicKey, _meterKey(2));
        assertEq(address(info.modules.verifier), address(verifierModule));
        assertEq(address(info.modules.meterSchemes[P256]), address(p256Module));
    }

    function test_Open_AcceptsP256Meter() public {
        CommunityConfig memory c = _config(N);
        c.meters[0] = Meter(_p256Key(), P256, 0);
        uint64 id = hub.open(OpenCodec.encode(c));
        assertEq(hub.meterRoot(id), MeterRecords.root(c.meters));
    }

    function test_RevertWhen_OpenNoParticipants() public {
        CommunityConfig memory c = _config(N);
        c.participants = new address[](0);
        vm.expectRevert(IHub.NoParticipants.selector);
        hub.open(OpenCodec.encode(c));
    }

    /// @dev Attack: a community of 1,025 (a fifth bitmap word) is refused at open; 1,024 is the cap.
    function test_RevertWhen_OpenTooManyParticipants() public {
        assertEq(hub.MAX_PARTICIPANTS(), 1024);
        CommunityConfig memory c = _config(N);
        c.participants = new address[](1025);
        for (uint256 i = 0; i < 1025; ++i) {
            c.participants[i] = address(uint160(0x1000 + i));
        }
        vm.expectRevert(abi.encodeWithSelector(IHub.TooManyParticipants.selector, 1025, 1024));
        hub.open(OpenCodec.encode(c));
    }

    /// @dev Attack: a packed participant list cut inside an address (the last one would be read past the list).
    function test_RevertWhen_OpenParticipantsMalformed() public {
        OpenConfig memory o = OpenCodec.encode(_config(N));
        o.participants = bytes.concat(o.participants, hex"01");
        vm.expectRevert(abi.encodeWithSelector(IHub.MalformedParticipants.selector, 20 * N + 1));
        hub.open(o);
    }

    /// @dev Attack: a packed meter list that ends inside its last record (the key would be read short).
    function test_RevertWhen_OpenMetersMalformed() public {
        OpenConfig memory o = OpenCodec.encode(_config(N));
        uint256 whole = o.meters.length;
        bytes memory cut = new bytes(whole - 1);
        for (uint256 b = 0; b < cut.length; ++b) {
            cut[b] = o.meters[b];
        }
        o.meters = cut;
        // N Ed25519 meters of 36 bytes each: the last record starts at 36 (N − 1).
        vm.expectRevert(abi.encodeWithSelector(IHub.MalformedMeters.selector, 36 * (N - 1)));
        hub.open(o);
    }

    /// @dev Review s12 (F1): the ABI decoder reads `config.meters` wherever its offset points and asks for no
    /// padding after the last byte of calldata. An opener who lays the meter list out last and unpadded (108
    /// bytes here, 20 short of a word) opens a community with the same meter root as the canonical encoding;
    /// the node must read that calldata as the hub did (`metersFromOpen` decodes loosely:
    /// `node/test/unit/meters.test.ts`, the same layout).
    function test_Open_AcceptsMetersLaidOutLastUnpadded() public {
        CommunityConfig memory c = _config(N);
        OpenConfig memory o = OpenCodec.encode(c);
        bytes memory canonical = abi.encodeCall(IHub.open, (o));
        // Selector, the tuple's offset (0x20), then the struct's head: participants' offset, meters' offset, ...
        uint256 structBase = 4 + 32;
        uint256 newOffset = canonical.length - structBase;
        assembly ("memory-safe") {
            // Head word 1 of the struct (meters' offset), at byte structBase + 32 of the calldata.
            mstore(add(add(canonical, 0x20), add(structBase, 32)), newOffset)
        }
        bytes memory unpadded = bytes.concat(canonical, bytes32(o.meters.length), o.meters);
        assertEq(o.meters.length % 32, 12, "the meter list ends inside a word");
        assertEq(unpadded.length % 32, 4 + 12, "calldata ends with the list, no padding");
        (bool ok, bytes memory ret) = address(hub).call(unpadded);
        assertTrue(ok, "the hub accepts it");
        uint64 id = abi.decode(ret, (uint64));
        assertEq(hub.meterRoot(id), MeterRecords.root(c.meters), "the same meters as the canonical encoding");
        assertEq(hub.community(id).meterCount, N);
    }

    function test_RevertWhen_OpenZeroParticipant() public {
        CommunityConfig memory c = _config(N);
        c.participants[1] = address(0);
        vm.expectRevert(abi.encodeWithSelector(IHub.ZeroParticipant.selector, 1));
        hub.open(OpenCodec.encode(c));
    }

    function test_RevertWhen_OpenDuplicateParticipant() public {
        CommunityConfig memory c = _config(N);
        c.participants[2] = nodes[0];
        vm.expectRevert(abi.encodeWithSelector(IHub.DuplicateParticipant.selector, nodes[0]));
        hub.open(OpenCodec.encode(c));
    }

    function test_RevertWhen_OpenNoMeters() public {
        CommunityConfig memory c = _config(N);
        c.meters = new Meter[](0);
        vm.expectRevert(IHub.NoMeters.selector);
        hub.open(OpenCodec.encode(c));
    }

    function test_RevertWhen_OpenMeterOwnerOutOfRange() public {
        CommunityConfig memory c = _config(N);
        c.meters[1].owner = uint32(N);
        vm.expectRevert(abi.encodeWithSelector(IHub.MeterOwnerOutOfRange.selector, 1, N));
        hub.open(OpenCodec.encode(c));
    }

    /// Attack: a community names a verifier the hub never allow-listed (one that proves nothing wrong).
    function test_RevertWhen_OpenWithModuleNotAllowListed() public {
        CommunityConfig memory c = _config(N);
        address rogue = deployCode("DisputeVerifier.sol:DisputeVerifier");
        c.modules.verifier = IDisputeVerifier(rogue);
        vm.expectRevert(abi.encodeWithSelector(IHub.ModuleNotEnabled.selector, rogue));
        hub.open(OpenCodec.encode(c));
    }

    /// Attack: settle with one market and have disputes recompute another.
    function test_RevertWhen_OpenMarketKindMismatch() public {
        CommunityConfig memory c = _config(N);
        c.market.kind = c.market.kind == MarketKind.Mmr ? MarketKind.Totals : MarketKind.Mmr;
        vm.expectRevert(IHub.MarketKindMismatch.selector);
        hub.open(OpenCodec.encode(c));
    }

    /// A meter whose scheme no module verifies would make its readings unprovable.
    function test_RevertWhen_OpenMeterSchemeOutOfRange() public {
        CommunityConfig memory c = _config(N);
        uint8 scheme = uint8(c.modules.meterSchemes.length);
        c.meters[1].scheme = scheme;
        vm.expectRevert(abi.encodeWithSelector(IHub.MeterSchemeOutOfRange.selector, 1, scheme));
        hub.open(OpenCodec.encode(c));
    }

    /// The hub's stated bound (`MeterRegistry.MAX_METERS` = 1,024: record openings, readings-tree paths and
    /// the game's meter level have at most 10 levels) is refused by name past it.
    function test_RevertWhen_OpenTooManyMeters() public {
        CommunityConfig memory c = _config(N);
        uint256 max = MeterRegistry.MAX_METERS;
        assertEq(max, 1024);
        c.meters = new Meter[](max + 1);
        // Otherwise valid (grouped by owner): the count is what is refused, at the record past the bound.
        for (uint256 k = 0; k <= max; ++k) {
            c.meters[k] = Meter(_p256Key(), P256, uint32(k * N / (max + 1)));
        }
        vm.expectRevert(abi.encodeWithSelector(IHub.TooManyMeters.selector, max + 1, max));
        hub.open(OpenCodec.encode(c));
    }

    /// The bound is exact: MAX_METERS (1,024) meters open, and the root commits to every one of them.
    function test_OpenMaxMeters() public {
        CommunityConfig memory c = _config(N);
        uint256 max = MeterRegistry.MAX_METERS;
        c.meters = new Meter[](max);
        for (uint256 k = 0; k < max; ++k) {
            // Grouped by owner (DESIGN.md §4).
            c.meters[k] = Meter(_p256Key(), P256, uint32(k * N / max));
        }
        uint64 cid = hub.open(OpenCodec.encode(c));
        assertEq(hub.community(cid).meterCount, max);
        assertEq(hub.meterRoot(cid), MeterRecords.root(c.meters));
    }

    /// A key longer than any scheme's (64 bytes) is refused; a key of the wrong length for its scheme opens but
    /// never verifies a reading (`DisputeVerifier._validFor`: the scheme's `isValidKey`).
    function test_RevertWhen_OpenMeterKeyTooLong() public {
        CommunityConfig memory c = _config(N);
        c.meters[2].publicKey = new bytes(65);
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidMeterKey.selector, 2));
        hub.open(OpenCodec.encode(c));
    }

    function test_RevertWhen_OpenZeroIntervalSeconds() public {
        CommunityConfig memory c = _config(N);
        c.intervalSeconds = 0;
        vm.expectRevert(IHub.ZeroIntervalSeconds.selector);
        hub.open(OpenCodec.encode(c));
    }

    function test_RevertWhen_OpenZeroWindowIntervals() public {
        CommunityConfig memory c = _config(N);
        c.windowIntervals = 0;
        vm.expectRevert(IHub.ZeroWindowIntervals.selector);
        hub.open(OpenCodec.encode(c));
    }

    function test_RevertWhen_OpenZeroWindowCount() public {
        CommunityConfig memory c = _config(N);
        c.windowCount = 0;
        vm.expectRevert(IHub.ZeroWindowCount.selector);
        hub.open(OpenCodec.encode(c));
    }

    function test_RevertWhen_OpenZeroChallengePeriod() public {
        CommunityConfig memory c = _config(N);
        c.challengePeriod = 0;
        vm.expectRevert(IHub.ZeroChallengePeriod.selector);
        hub.open(OpenCodec.encode(c));
    }

    function test_RevertWhen_OpenZeroToken() public {
        CommunityConfig memory c = _config(N);
        c.token = IERC20(address(0));
        vm.expectRevert(IHub.ZeroToken.selector);
        hub.open(OpenCodec.encode(c));
    }

    function test_RevertWhen_OpenInvalidPrices() public {
        CommunityConfig memory c = _config(N);
        c.market.gridBuyPrice = 10;
        c.market.gridSellPrice = 11;
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidPrices.selector, 10, 11));
        hub.open(OpenCodec.encode(c));
    }

    function test_RevertWhen_OpenScheduleOverflow() public {
        CommunityConfig memory c = _config(N);
        c.start = type(uint64).max - 1;
        vm.expectRevert(IHub.ScheduleOverflow.selector);
        hub.open(OpenCodec.encode(c));
    }

    // ------------------------------------------------------------------ join and deposit

    function test_Join_PullsBondAndEscrow() public {
        uint64 id = _open(N);
        uint256 before = token.balanceOf(nodes[1]);
        bytes32[] memory proof = book.genesisProof(hub, id, 1);
        vm.expectEmit(address(hub));
        emit IHub.Joined(id, nodes[1], BOND, ESCROW);
        vm.prank(nodes[1]);
        hub.join(id, 1, proof, "");
        assertEq(token.balanceOf(nodes[1]), before - BOND - ESCROW);
        assertEq(token.balanceOf(address(hub)), BOND + ESCROW);
        (uint256 bond, uint256 credit, bool settled, uint256 taken,) = hub.member(id, 1);
        assertEq(bond, BOND, "a fresh member is whole");
        assertEq(credit, 0);
        assertFalse(settled);
        assertEq(taken, 0);
        assertEq(hub.community(id).joinedCount, 1);
        assertEq(hub.community(id).held, BOND + ESCROW);
        assertEq(uint8(hub.community(id).status), uint8(CommunityStatus.Opening));
    }

    function test_Join_ActivatesWhenAllJoined() public {
        uint64 id = _open(N);
        _join(id, 2);
        _join(id, 0);
        bytes32[] memory proof = book.genesisProof(hub, id, 1);
        vm.expectEmit(address(hub));
        emit IHub.CommunityActivated(id);
        vm.prank(nodes[1]);
        hub.join(id, 1, proof, "");
        assertEq(uint8(hub.community(id).status), uint8(CommunityStatus.Active));
        assertEq(hub.community(id).joinedCount, 3);
    }

    function test_RevertWhen_JoinUnknownCommunity() public {
        vm.expectRevert(abi.encodeWithSelector(IHub.UnknownCommunity.selector, 9));
        vm.prank(nodes[0]);
        hub.join(9, 0, new bytes32[](2), "");
    }

    /// Attack: an outsider joins with a participant's index and proof (its leaf names another address).
    function test_RevertWhen_JoinNotParticipant() public {
        uint64 id = _open(N);
        bytes32[] memory proof = book.genesisProof(hub, id, 0);
        vm.expectRevert(abi.encodeWithSelector(IHub.NotParticipant.selector, id, address(this)));
        hub.join(id, 0, proof, "");
    }

    /// Attack: a participant joins at another participant's index (to take its place in the bitmap).
    function test_RevertWhen_JoinWrongIndex() public {
        uint64 id = _open(N);
        bytes32[] memory proof = book.genesisProof(hub, id, 1);
        vm.expectRevert(abi.encodeWithSelector(IHub.NotParticipant.selector, id, nodes[0]));
        vm.prank(nodes[0]);
        hub.join(id, 1, proof, "");
        // Its own leaf's proof at the wrong index fails too.
        proof = book.genesisProof(hub, id, 0);
        vm.expectRevert(abi.encodeWithSelector(IHub.NotParticipant.selector, id, nodes[0]));
        vm.prank(nodes[0]);
        hub.join(id, 2, proof, "");
    }

    function test_RevertWhen_JoinWrongProof() public {
        uint64 id = _open(N);
        bytes32[] memory proof = book.genesisProof(hub, id, 0);
        proof[0] = bytes32(uint256(proof[0]) ^ 1);
        vm.expectRevert(abi.encodeWithSelector(IHub.NotParticipant.selector, id, nodes[0]));
        vm.prank(nodes[0]);
        hub.join(id, 0, proof, "");
        // A proof of another depth (canonical depth only) and an index past the list fail too.
        vm.expectRevert(abi.encodeWithSelector(IHub.NotParticipant.selector, id, nodes[0]));
        vm.prank(nodes[0]);
        hub.join(id, 0, new bytes32[](3), "");
        proof = book.genesisProof(hub, id, 0);
        vm.expectRevert(abi.encodeWithSelector(IHub.NotParticipant.selector, id, nodes[0]));
        vm.prank(nodes[0]);
        hub.join(id, 4, proof, "");
    }

    function test_RevertWhen_JoinTwice() public {
        uint64 id = _open(N);
        _join(id, 0);
        bytes32[] memory proof = book.genesisProof(hub, id, 0);
        vm.expectRevert(abi.encodeWithSelector(IHub.AlreadyJoined.selector, id, nodes[0]));
        vm.prank(nodes[0]);
        hub.join(id, 0, proof, "");
    }

    function test_RevertWhen_JoinActiveCommunity() public {
        uint64 id = _openActive(N);
        bytes32[] memory proof = book.genesisProof(hub, id, 0);
        vm.expectRevert(abi.encodeWithSelector(IHub.CommunityNotOpening.selector, id));
        vm.prank(nodes[0]);
        hub.join(id, 0, proof, "");
    }

    function test_Deposit_AddsToCredit() public {
        uint64 id = _openActive(N);
        vm.expectEmit(address(hub));
        emit IHub.Deposited(id, nodes[2], 77);
        vm.prank(nodes[2]);
        hub.deposit(id, 77);
        (, uint256 credit,,,) = hub.member(id, 2);
        assertEq(credit, 77);
        assertEq(token.balanceOf(address(hub)), N * (BOND + ESCROW) + 77);
        assertEq(hub.community(id).held, N * (BOND + ESCROW) + 77);
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
        _join(id, 0);
        vm.startPrank(nodes[0]);
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
        bytes memory sig1 = _pack(sigs);
        bytes32 bRoot1 = _balancesRoot(id, 0, s);
        _noteClaim(0, _root(0), StateHash.hash(s), bRoot1);
        vm.expectEmit(address(hub));
        emit IHub.WindowFinalized(id, 0, _root(0), StateHash.hash(s), bRoot1, words1(7));
        vm.record();
        hub.update(id, 0, _root(0), StateHash.hash(s), bRoot1, ConfigBuilder.finalStateOf(s, sig1), sig1);
        (, bytes32[] memory writes) = vm.accesses(address(hub));

        WindowRecord memory r = hub.windowRecord(id, 0);
        assertEq(uint8(r.status), uint8(WindowStatus.Final));
        assertEq(r.windowRoot, bytes32(0), "not stored: in the WindowFinalized event");
        assertEq(r.stateHash, bytes32(0), "not stored: in the WindowFinalized event");
        assertEq(r.balancesRoot, bytes32(0), "not stored in the record: in the WindowFinalized event");
        assertEq(hub.finalBalancesRoot(id), bRoot1, "the community's final balances root");
        assertEq(r.signers, 7, "derived: everyone");
        assertEq(r.submittedAt, 0, "not stored for a result final at once");
        // The balances root and finalizedWindows: no account write, no N-sized anything.
        assertEq(writes.length, 2, "slots written");
        assertEq(_leafAt(id, 0, 0).escrow, ESCROW - 300);
        assertEq(_leafAt(id, 0, 1).escrow, ESCROW + 300);
        assertEq(_leafAt(id, 0, 2).escrow, ESCROW);
        (uint256 bond, uint256 credit,,,) = hub.member(id, 0);
        assertEq(bond, BOND);
        assertEq(credit, 0);
        assertEq(hub.community(id).finalizedWindows, 1);
        assertEq(hub.community(id).held, N * (BOND + ESCROW), "no token moved");
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
        bytes memory sig2 = _pack(sigs);
        bytes32 bRoot2 = _balancesRoot(id, 0, s);
        _noteClaim(0, _root(0), StateHash.hash(s), bRoot2);
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.SignerNotParticipant.selector, vm.addr(outsider)));
        hub.update(id, 0, _root(0), StateHash.hash(s), bRoot2, ConfigBuilder.finalStateOf(s, sig2), sig2);
    }

    function test_RevertWhen_UpdateDuplicateSigner() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 1);
        vm.warp(_windowEnd(0));
        uint256[] memory who = new uint256[](3);
        (who[0], who[1], who[2]) = (0, 1, 0);
        bytes[] memory sigs = _sign(id, 0, _root(0), s, who);
        bytes memory sig3 = _pack(sigs);
        bytes32 bRoot3 = _balancesRoot(id, 0, s);
        _noteClaim(0, _root(0), StateHash.hash(s), bRoot3);
        // The signer bitmap names participant 0 once: a second signature of it makes the blob too long.
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.MalformedSignatures.selector, 32 + 3 * 64));
        hub.update(id, 0, _root(0), StateHash.hash(s), bRoot3, ConfigBuilder.finalStateOf(s, sig3), sig3);
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
        bytes memory sig4 = _pack(sigs);
        bytes32 bRoot4 = _balancesRoot(id, 0, s);
        _noteClaim(0, _root(0), StateHash.hash(s), bRoot4);
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.InvalidSignature.selector, 1));
        hub.update(id, 0, _root(0), StateHash.hash(s), bRoot4, ConfigBuilder.finalStateOf(s, sig4), sig4);
    }

    /// @dev Attack: the fast path claimed (every bit set) with one participant's signature standing in
    /// for another's: each bit needs its own participant's signature.
    function test_RevertWhen_UpdateSignatureStandsInForAnother() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 1);
        vm.warp(_windowEnd(0));
        bytes[] memory sigs = _sign(id, 0, _root(0), s, _everyone(N));
        sigs[2] = abi.encodePacked(uint8(2), _signDigest(keys[0], _digest(id, 0, _root(0), s)));
        bytes memory sig5 = _pack(sigs);
        bytes32 bRoot5 = _balancesRoot(id, 0, s);
        _noteClaim(0, _root(0), StateHash.hash(s), bRoot5);
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.SignerNotParticipant.selector, nodes[0]));
        hub.update(id, 0, _root(0), StateHash.hash(s), bRoot5, ConfigBuilder.finalStateOf(s, sig5), sig5);
    }

    function test_RevertWhen_UpdateNoSignatures() public {
        uint64 id = _openActive(N);
        vm.warp(_windowEnd(0));
        vm.expectRevert(ICoSignatureScheme.NoSignatures.selector);
        hub.update(id, 0, _root(0), StateHash.hash(_transferState(N, 1)), bytes32(0), "", "");
    }

    function test_RevertWhen_UpdateMalformedSignature() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 1);
        vm.warp(_windowEnd(0));
        bytes[] memory sigs = _sign(id, 0, _root(0), s, _everyone(N));
        sigs[2] = abi.encodePacked(uint8(2), new bytes(64));
        bytes memory sig7 = _pack(sigs);
        bytes32 bRoot7 = _balancesRoot(id, 0, s);
        _noteClaim(0, _root(0), StateHash.hash(s), bRoot7);
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.InvalidSignature.selector, 2));
        hub.update(id, 0, _root(0), StateHash.hash(s), bRoot7, ConfigBuilder.finalStateOf(s, sig7), sig7);
    }

    function test_RevertWhen_UpdateStateDiffersFromSigned() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory signed = _transferState(N, 1);
        ParticipantState[] memory posted = _transferState(N, 2);
        vm.warp(_windowEnd(0));
        bytes[] memory sigs = _sign(id, 0, _root(0), signed, _everyone(N));
        address recovered = _recover(_digest(id, 0, _root(0), posted), sigs[0]);
        bytes memory sig8 = _pack(sigs);
        bytes32 bRoot8 = _balancesRoot(id, 0, posted);
        _noteClaim(0, _root(0), StateHash.hash(posted), bRoot8);
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.SignerNotParticipant.selector, recovered));
        hub.update(id, 0, _root(0), StateHash.hash(posted), bRoot8, ConfigBuilder.finalStateOf(posted, sig8), sig8);
    }

    function test_RevertWhen_UpdateStaleWindow() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 1);
        _update(id, 0, s, _everyone(N));
        bytes[] memory sigs = _sign(id, 0, _root(0), s, _everyone(N));
        bytes memory sig9 = _pack(sigs);
        bytes32 bRoot9 = _balancesRoot(id, 0, s);
        _noteClaim(0, _root(0), StateHash.hash(s), bRoot9);
        vm.expectRevert(abi.encodeWithSelector(IHub.WindowAlreadyFinal.selector, id, 0));
        hub.update(id, 0, _root(0), StateHash.hash(s), bRoot9, ConfigBuilder.finalStateOf(s, sig9), sig9);
    }

    function test_RevertWhen_UpdateOutOfOrder() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 1);
        vm.warp(_windowEnd(1));
        bytes[] memory sigs = _sign(id, 1, _root(1), s, _everyone(N));
        bytes memory sig10 = _pack(sigs);
        bytes32 bRoot10 = _balancesRoot(id, 1, s);
        _noteClaim(1, _root(1), StateHash.hash(s), bRoot10);
        vm.expectRevert(abi.encodeWithSelector(IHub.WindowOutOfOrder.selector, id, 1, 0));
        hub.update(id, 1, _root(1), StateHash.hash(s), bRoot10, ConfigBuilder.finalStateOf(s, sig10), sig10);
    }

    function test_RevertWhen_UpdateWindowOutOfRange() public {
        uint64 id = _openActive(N);
        vm.warp(_windowEnd(WINDOWS));
        vm.expectRevert(abi.encodeWithSelector(IHub.WindowOutOfRange.selector, id, WINDOWS, WINDOWS));
        hub.update(id, WINDOWS, _root(WINDOWS), StateHash.hash(_transferState(N, 1)), bytes32(0), "", "");
    }

    function test_RevertWhen_UpdateBeforeWindowEnd() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 1);
        vm.warp(_windowEnd(0) - 1);
        bytes[] memory sigs = _sign(id, 0, _root(0), s, _everyone(N));
        bytes memory sig12 = _pack(sigs);
        bytes32 bRoot12 = _balancesRoot(id, 0, s);
        _noteClaim(0, _root(0), StateHash.hash(s), bRoot12);
        vm.expectRevert(abi.encodeWithSelector(IHub.WindowNotEnded.selector, id, 0, _windowEnd(0)));
        hub.update(id, 0, _root(0), StateHash.hash(s), bRoot12, ConfigBuilder.finalStateOf(s, sig12), sig12);
    }

    function test_RevertWhen_UpdateSignedByUnjoinedParticipant() public {
        // Nobody can sign for a community someone has not joined: it is not Active yet.
        uint64 id = _open(N);
        _join(id, 0);
        ParticipantState[] memory s = _transferState(N, 1);
        vm.warp(_windowEnd(0));
        bytes[] memory sigs = _sign(id, 0, _root(0), s, _everyone(N));
        bytes memory sig15 = _pack(sigs);
        bytes32 bRoot15 = _balancesRoot(id, 0, s);
        _noteClaim(0, _root(0), StateHash.hash(s), bRoot15);
        vm.expectRevert(abi.encodeWithSelector(IHub.CommunityNotActive.selector, id));
        hub.update(id, 0, _root(0), StateHash.hash(s), bRoot15, ConfigBuilder.finalStateOf(s, sig15), sig15);
    }

    function test_RevertWhen_UpdateUnknownCommunity() public {
        vm.expectRevert(abi.encodeWithSelector(IHub.UnknownCommunity.selector, 5));
        hub.update(5, 0, _root(0), StateHash.hash(_transferState(N, 1)), bytes32(0), "", "");
    }

    // ------------------------------------------------------------------ update: replays

    function test_RevertWhen_UpdateReplaysSignatureForOtherWindow() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 1);
        bytes[] memory sigs = _sign(id, 0, _root(1), s, _everyone(N));
        vm.warp(_windowEnd(0));
        bytes memory sig17 = _pack(sigs);
        bytes32 bRoot17 = _balancesRoot(id, 0, s);
        _noteClaim(0, _root(1), StateHash.hash(s), bRoot17);
        hub.update(id, 0, _root(1), StateHash.hash(s), bRoot17, ConfigBuilder.finalStateOf(s, sig17), sig17);
        vm.warp(_windowEnd(1));
        address recovered = _recover(_digest(id, 1, _root(1), s), sigs[0]);
        bytes memory sig18 = _pack(sigs);
        bytes32 bRoot18 = _balancesRoot(id, 1, s);
        _noteClaim(1, _root(1), StateHash.hash(s), bRoot18);
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.SignerNotParticipant.selector, recovered));
        hub.update(id, 1, _root(1), StateHash.hash(s), bRoot18, ConfigBuilder.finalStateOf(s, sig18), sig18);
    }

    function test_RevertWhen_UpdateReplaysSignatureForOtherCommunity() public {
        uint64 id = _openActive(N);
        uint64 other = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 1);
        vm.warp(_windowEnd(0));
        bytes[] memory sigs = _sign(id, 0, _root(0), s, _everyone(N));
        address recovered = _recover(_digest(other, 0, _root(0), s), sigs[0]);
        bytes memory sig19 = _pack(sigs);
        bytes32 bRoot19 = _balancesRoot(other, 0, s);
        _noteClaim(0, _root(0), StateHash.hash(s), bRoot19);
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.SignerNotParticipant.selector, recovered));
        hub.update(other, 0, _root(0), StateHash.hash(s), bRoot19, ConfigBuilder.finalStateOf(s, sig19), sig19);
    }

    function test_RevertWhen_UpdateReplaysSignatureOnOtherHub() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 1);
        vm.warp(_windowEnd(0));
        bytes[] memory sigs = _sign(id, 0, _root(0), s, _everyone(N));

        Hub otherHub = new Hub(_allowList());
        uint64 otherId = otherHub.open(OpenCodec.encode(_config(N)));
        for (uint256 i = 0; i < N; ++i) {
            bytes32[] memory proof = book.genesisProof(otherHub, otherId, i);
            vm.startPrank(nodes[i]);
            token.approve(address(otherHub), type(uint256).max);
            otherHub.join(otherId, i, proof, "");
            vm.stopPrank();
        }
        assertEq(otherId, id);
        bytes32 bRoot = book.nextOf(otherHub, otherId, 0, s);
        bytes32 otherDigest = _resultDigest(address(otherHub), otherId, 0, _root(0), StateHash.hash(s), bRoot);
        vm.expectRevert(
            abi.encodeWithSelector(ICoSignatureScheme.SignerNotParticipant.selector, _recover(otherDigest, sigs[0]))
        );
        otherHub.update(
            otherId, 0, _root(0), StateHash.hash(s), bRoot, ConfigBuilder.finalStateOf(s, _pack(sigs)), _pack(sigs)
        );
    }

    function test_RevertWhen_UpdateReplaysSignatureOnOtherChain() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 1);
        vm.warp(_windowEnd(0));
        bytes[] memory sigs = _sign(id, 0, _root(0), s, _everyone(N));
        vm.chainId(block.chainid + 1);
        address recovered = _recover(_digest(id, 0, _root(0), s), sigs[0]);
        bytes memory sig21 = _pack(sigs);
        bytes32 bRoot21 = _balancesRoot(id, 0, s);
        _noteClaim(0, _root(0), StateHash.hash(s), bRoot21);
        vm.expectRevert(abi.encodeWithSelector(ICoSignatureScheme.SignerNotParticipant.selector, recovered));
        hub.update(id, 0, _root(0), StateHash.hash(s), bRoot21, ConfigBuilder.finalStateOf(s, sig21), sig21);
    }

    // ------------------------------------------------------------------ update: pending path

    function test_Update_PartialSignaturesPending() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 300);
        vm.warp(_windowEnd(0));
        bytes[] memory sigs = _sign(id, 0, _root(0), s, _only(1));
        bytes memory sig22 = _pack(sigs);
        bytes32 bRoot22 = _balancesRoot(id, 0, s);
        _noteClaim(0, _root(0), StateHash.hash(s), bRoot22);
        vm.expectEmit(address(hub));
        emit IHub.WindowClaimed(
            id, 0, address(this), _root(0), StateHash.hash(s), bRoot22, words1(2), _windowEnd(0) + CHALLENGE
        );
        hub.update(id, 0, _root(0), StateHash.hash(s), bRoot22, ConfigBuilder.finalStateOf(s, sig22), sig22);

        WindowRecord memory r = hub.windowRecord(id, 0);
        assertEq(uint8(r.status), uint8(WindowStatus.Pending));
        assertEq(r.signers, 2);
        assertEq(r.submittedAt, _windowEnd(0));
        assertEq(r.submitter, address(this));
        assertEq(r.balancesRoot, bRoot22);
        assertEq(hub.community(id).finalizedWindows, 0);
        assertEq(hub.community(id).held, N * (BOND + ESCROW) + BOND / 10, "the claim deposit came in");
    }

    function test_RevertWhen_UpdateWhilePending() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 1);
        _update(id, 0, s, _only(0));
        bytes[] memory sigs = _sign(id, 0, _root(0), _transferState(N, 2), _only(1));
        bytes memory sig23 = _pack(sigs);
        bytes32 bRoot23 = _balancesRoot(id, 0, _transferState(N, 2));
        _noteClaim(0, _root(0), StateHash.hash(_transferState(N, 2)), bRoot23);
        vm.expectRevert(abi.encodeWithSelector(IHub.WindowPending.selector, id, 0));
        hub.update(
            id,
            0,
            _root(0),
            StateHash.hash(_transferState(N, 2)),
            bRoot23,
            ConfigBuilder.finalStateOf(_transferState(N, 2), sig23),
            sig23
        );
    }

    function test_Update_FullySignedReplacesPending() public {
        uint64 id = _openActive(N);
        _update(id, 0, _transferState(N, 1), _only(0));
        _update(id, 0, _transferState(N, 2), _everyone(N));
        WindowRecord memory r = hub.windowRecord(id, 0);
        assertEq(uint8(r.status), uint8(WindowStatus.Final));
        assertEq(r.signers, 7, "the pending claim's record is cleared");
        assertEq(r.submitter, address(0));
        assertEq(_leafAt(id, 0, 0).escrow, ESCROW - 2, "the fully signed result is final");
        bytes32 replaced = hub.claimHash(
            0, _root(0), StateHash.hash(_transferState(N, 1)), book.next(hub, id, 0, book.netsOf(_transferState(N, 1)))
        );
        assertEq(hub.rejectedClaim(id, replaced).signers, 1);
        assertFalse(hub.rejectedClaim(id, replaced).slashed);
    }

    function test_RevertWhen_UpdateNextWhilePreviousInChallenge() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 1);
        _update(id, 0, s, _only(0));
        vm.warp(_windowEnd(1));
        bytes[] memory sigs = _sign(id, 1, _root(1), s, _everyone(N));
        bytes memory sig24 = _pack(sigs);
        bytes32 bRoot24 = _balancesRoot(id, 1, s);
        _noteClaim(1, _root(1), StateHash.hash(s), bRoot24);
        vm.expectRevert(abi.encodeWithSelector(IHub.WindowOutOfOrder.selector, id, 1, 0));
        hub.update(id, 1, _root(1), StateHash.hash(s), bRoot24, ConfigBuilder.finalStateOf(s, sig24), sig24);
    }

    function test_Finalize_AfterChallengePeriod() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 300);
        _update(id, 0, s, _only(0));
        bytes32 bRoot = hub.windowRecord(id, 0).balancesRoot;
        vm.warp(_windowEnd(0) + CHALLENGE);
        vm.expectEmit(address(hub));
        emit IHub.WindowFinalized(id, 0, _root(0), StateHash.hash(s), bRoot, words1(1));
        vm.prank(address(0xCAFE));
        hub.finalize(id);
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Final));
        assertEq(_leafAt(id, 0, 0).escrow, ESCROW - 300);
        assertEq(_leafAt(id, 0, 1).escrow, ESCROW + 300);
        assertEq(hub.community(id).finalizedWindows, 1);
        assertEq(hub.withdrawable(token, address(this)), BOND / 10, "the claim deposit goes back");
        assertEq(hub.community(id).held, N * (BOND + ESCROW));
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
        // Window 1's balances start from window 0's (final by then).
        assertEq(_leafAt(id, 1, 0).escrow, ESCROW - 400);
        assertEq(_leafAt(id, 1, 1).escrow, ESCROW + 400);
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
        _claimEveryone(id);
        assertEq(_paid(0), BOND + ESCROW - 30);
        assertEq(_paid(1), BOND + ESCROW + 30);
        assertEq(_paid(2), BOND + ESCROW);
        assertEq(hub.community(id).held, 0);
    }

    // ------------------------------------------------------------------ the reaction (in the root) and claims

    /// Rule change (spec s5): the reaction never draws the bond. What escrow cannot pay is debt at once;
    /// the bond (whole, on chain) repays it at close.
    function test_React_EscrowShortBecomesDebtNotBond() public {
        uint64 id = _openActive(N);
        int256 due = int256(uint256(ESCROW)) + 400;
        _update(id, 0, _transferState(N, due), _everyone(N));
        Balance memory a = _leafAt(id, 0, 0);
        assertEq(a.escrow, 0);
        assertEq(a.debt, 400);
        Balance memory b = _leafAt(id, 0, 1);
        assertEq(b.escrow, 2 * uint256(ESCROW));
        assertEq(b.claim, 400);
        assertEq(_totalClaimsAt(id, 0), 400);
        (uint256 bond,,,,) = hub.member(id, 0);
        assertEq(bond, BOND, "the bond is a stake only");
    }

    function test_React_ShortDebtorClaimsProRata() public {
        uint64 id = _openActive(N);
        _update(id, 0, _state(_shortNets(N)), _everyone(N));
        assertEq(_leafAt(id, 0, 0).debt, 2_001);
        // 5,000 · 3,500 / 7,001 = 2,499.6 → 2,499 (+1 remainder, first creditor); 5,000 · 3,501 / 7,001 → 2,500.
        assertEq(_leafAt(id, 0, 1).escrow, ESCROW + 2_500);
        assertEq(_leafAt(id, 0, 2).escrow, ESCROW + 2_500);
        assertEq(_leafAt(id, 0, 1).claim, 1_000);
        assertEq(_leafAt(id, 0, 2).claim, 1_001);
        assertEq(_totalClaimsAt(id, 0), 2_001);
    }

    function test_Update_ShortDebtorDoesNotBlockLaterWindows() public {
        uint64 id = _openActive(N);
        _update(id, 0, _transferState(N, 10_000), _everyone(N));
        _update(id, 1, _transferState(N, 10_000), _everyone(N));
        assertEq(_leafAt(id, 1, 0).debt, 15_000);
        assertEq(_leafAt(id, 1, 1).claim, 15_000);
        assertEq(_totalClaimsAt(id, 1), 15_000);
        assertEq(hub.community(id).finalizedWindows, 2);
    }

    /// Debtor first, then the creditors: the debtor's bond repays what it can (1,000 of 2,001), and the
    /// creditors share the pool pro rata (floor): 499 and 500, dust 1 < 2 creditors.
    function test_Claim_DebtorThenCreditors() public {
        uint64 id = _closeWith(_state(_shortNets(N)));
        (Balance memory leaf, uint256 total, bytes32[] memory proof) = book.claimArgs(hub, id, 0);
        vm.expectEmit(address(hub));
        emit IHub.Claimed(id, 0, nodes[0], 0, BOND);
        hub.claim(id, claimTermsOf(address(hub), id), 0, leaf, total, proof);
        assertEq(hub.community(id).repaidPool, BOND);
        _claimMember(id, 1);
        _claimMember(id, 2);
        assertEq(_paid(0), 0);
        assertEq(_paid(1), ESCROW + 2_500 + BOND + 499);
        assertEq(_paid(2), ESCROW + 2_500 + BOND + 500);
        (,, bool settled, uint256 taken,) = hub.member(id, 2);
        assertTrue(settled);
        assertEq(taken, 500);
        assertEq(hub.community(id).held, 1, "dust");
        assertEq(token.balanceOf(address(hub)), 1);
    }

    // ------------------------------------------------------------------ claimAll

    /// `claimAll(id)` with the final leaves and terms, by `who`.
    function _payAll(uint64 id, address who) internal {
        (Balance[] memory all, uint256 total) = book.leaves(book.finalRoot(hub, id));
        ClaimTerms memory terms = claimTermsOf(address(hub), id);
        vm.prank(who);
        hub.claimAll(id, terms, all, total);
    }

    /// One transaction pays everyone what `claim` then `claimShare` pay them one by one: the debtor's bond
    /// repays what it can, the creditors share the whole pool (499 and 500), dust 1; a third party sends it,
    /// the money goes to the members.
    function test_ClaimAll_PaysWhatEachClaimPays() public {
        uint64 id = _closeWith(_state(_shortNets(N)));
        uint256 snap = vm.snapshotState();
        _claimMember(id, 1);
        _claimMember(id, 2);
        _claimMember(id, 0);
        uint256[N] memory oneByOne;
        for (uint256 i = 0; i < N; ++i) {
            (Balance memory leaf, uint256 total, bytes32[] memory proof) = book.claimArgs(hub, id, i);
            if (leaf.claim != 0) hub.claimShare(id, claimTermsOf(address(hub), id), i, leaf, total, proof);
            oneByOne[i] = _paid(i);
        }
        vm.revertToState(snap);
        vm.expectEmit(address(hub));
        emit IHub.Claimed(id, 0, nodes[0], 0, BOND);
        _payAll(id, address(0xBEEF));
        for (uint256 i = 0; i < N; ++i) {
            assertEq(_paid(i), oneByOne[i], "member paid as by claim and claimShare");
        }
        assertEq(_paid(1), ESCROW + 2_500 + BOND + 499);
        assertEq(_paid(2), ESCROW + 2_500 + BOND + 500);
        assertEq(hub.community(id).held, 1, "dust");
        assertEq(token.balanceOf(address(0xBEEF)), 0, "the caller gets nothing");
    }

    /// A claim sent first cannot make the batch revert: the batch skips it, pays the others, and tops up the
    /// early creditor's share of the pool the debtor's repayment grew.
    function test_ClaimAll_AfterAClaimSkipsItAndPaysItsShare() public {
        uint64 id = _closeWith(_state(_shortNets(N)));
        _claimMember(id, 1);
        assertEq(_paid(1), ESCROW + 2_500 + BOND);
        vm.expectEmit(address(hub));
        emit IHub.ClaimShared(id, 1, nodes[1], 499);
        _payAll(id, address(this));
        assertEq(_paid(0), 0);
        assertEq(_paid(1), ESCROW + 2_500 + BOND + 499);
        assertEq(_paid(2), ESCROW + 2_500 + BOND + 500);
        (,, bool settled, uint256 taken,) = hub.member(id, 2);
        assertTrue(settled);
        assertEq(taken, 500);
    }

    /// Attack: pay everyone twice. Nobody is owed anything after the batch: `NothingToClaim(id, N)`; a single
    /// claim after it is `AlreadyClaimed`.
    function test_RevertWhen_ClaimAllTwice() public {
        uint64 id = _closeWith(_transferState(N, 300));
        _payAll(id, address(this));
        (Balance[] memory all, uint256 total) = book.leaves(book.finalRoot(hub, id));
        ClaimTerms memory terms = claimTermsOf(address(hub), id);
        vm.expectRevert(abi.encodeWithSelector(IHub.NothingToClaim.selector, id, N));
        hub.claimAll(id, terms, all, total);
        (Balance memory leaf,, bytes32[] memory proof) = book.claimArgs(hub, id, 1);
        vm.expectRevert(abi.encodeWithSelector(IHub.AlreadyClaimed.selector, id, 1));
        hub.claim(id, terms, 1, leaf, total, proof);
    }

    /// Attack: pay from leaves the root does not hold (a bigger escrow, one leaf short or extra, another
    /// total, the genesis leaves) or under other terms (a bigger bond): `InvalidBalanceProof(id, N)`.
    function test_RevertWhen_ClaimAllWrongLeavesOrTerms() public {
        uint64 id = _closeWith(_transferState(N, 300));
        (Balance[] memory all, uint256 total) = book.leaves(book.finalRoot(hub, id));
        ClaimTerms memory terms = claimTermsOf(address(hub), id);
        bytes memory refused = abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, N);
        all[2].escrow += 1;
        vm.expectRevert(refused);
        hub.claimAll(id, terms, all, total);
        all[2].escrow -= 1;
        vm.expectRevert(refused);
        hub.claimAll(id, terms, all, total + 1);
        Balance[] memory short_ = new Balance[](N - 1);
        for (uint256 i = 0; i < N - 1; ++i) {
            short_[i] = all[i];
        }
        vm.expectRevert(refused);
        hub.claimAll(id, terms, short_, total);
        Balance[] memory long_ = new Balance[](N + 1);
        for (uint256 i = 0; i < N; ++i) {
            long_[i] = all[i];
        }
        vm.expectRevert(refused);
        hub.claimAll(id, terms, long_, total);
        (Balance[] memory genesis, uint256 none) = book.leaves(hub.community(id).genesisBalancesRoot);
        vm.expectRevert(refused);
        hub.claimAll(id, terms, genesis, none);
        terms.bond += 1;
        vm.expectRevert(refused);
        hub.claimAll(id, terms, all, total);
        terms.bond -= 1;
        hub.claimAll(id, terms, all, total);
        assertEq(_paid(1), ESCROW + BOND + 300);
    }

    function test_RevertWhen_ClaimAllBeforeCloseOrUnknown() public {
        uint64 id = _openActive(N);
        (Balance[] memory all, uint256 total) = book.leaves(hub.community(id).genesisBalancesRoot);
        ClaimTerms memory terms = claimTermsOf(address(hub), id);
        vm.expectRevert(abi.encodeWithSelector(IHub.CommunityNotClosed.selector, id));
        hub.claimAll(id, terms, all, total);
        vm.expectRevert(abi.encodeWithSelector(IHub.CommunityNotClosed.selector, 9));
        hub.claimAll(9, terms, all, total);
    }

    /// An aborted community (member 0 joined and deposited, 1 and 2 never did): the batch pays 0 from the
    /// genesis root and skips the others (they put nothing in).
    function test_ClaimAll_AbortedPaysOnlyWhoJoined() public {
        uint64 id = _abortedAfterDeposit();
        _payAll(id, address(this));
        assertEq(_paid(0), BOND + ESCROW + 10);
        (,, bool settled,,) = hub.member(id, 1);
        assertFalse(settled);
        assertEq(hub.community(id).held, 0);
    }

    /// Fuzz: for any window-0 nets (Σ = 0), the batch pays each member exactly what `claim` then
    /// `claimShare` pay it, in any order of the single claims.
    function test_Fuzz_ClaimAllEqualsClaims(int64 a, int64 b, uint8 order) public {
        int256[] memory nets = new int256[](N);
        nets[0] = int256(a) % 40_000;
        nets[1] = int256(b) % 40_000;
        nets[2] = -nets[0] - nets[1];
        uint64 id = _closeWith(_state(nets));
        uint256 snap = vm.snapshotState();
        for (uint256 k = 0; k < N; ++k) {
            _claimMember(id, (uint256(order) + k) % N);
        }
        uint256[N] memory oneByOne;
        for (uint256 i = 0; i < N; ++i) {
            (Balance memory leaf, uint256 total, bytes32[] memory proof) = book.claimArgs(hub, id, i);
            (,,, uint256 taken,) = hub.member(id, i);
            if (leaf.claim != 0 && uint256(hub.community(id).repaidPool) * leaf.claim / total > taken) {
                hub.claimShare(id, claimTermsOf(address(hub), id), i, leaf, total, proof);
            }
            oneByOne[i] = _paid(i);
        }
        uint256 heldOneByOne = hub.community(id).held;
        vm.revertToState(snap);
        _payAll(id, address(this));
        for (uint256 i = 0; i < N; ++i) {
            assertEq(_paid(i), oneByOne[i]);
        }
        assertEq(hub.community(id).held, heldOneByOne);
    }

    /// Creditors first: the pool is empty, they take their escrow and bond; when the debtor settles, the
    /// pool grows and each creditor takes its share with `claimShare` (anyone may call it for them).
    function test_ClaimShare_PoolGrowsAfterCreditorsClaimed() public {
        uint64 id = _closeWith(_state(_shortNets(N)));
        _claimMember(id, 1);
        assertEq(_paid(1), ESCROW + 2_500 + BOND);
        (Balance memory leaf, uint256 total, bytes32[] memory proof) = book.claimArgs(hub, id, 1);
        vm.expectRevert(abi.encodeWithSelector(IHub.NothingToClaim.selector, id, 1));
        hub.claimShare(id, claimTermsOf(address(hub), id), 1, leaf, total, proof);
        _claimMember(id, 0);
        vm.expectEmit(address(hub));
        emit IHub.ClaimShared(id, 1, nodes[1], 499);
        vm.prank(address(0xBEEF));
        hub.claimShare(id, claimTermsOf(address(hub), id), 1, leaf, total, proof);
        assertEq(_paid(1), ESCROW + 2_500 + BOND + 499);
        (,,, uint256 taken,) = hub.member(id, 1);
        assertEq(taken, 499);
        vm.expectRevert(abi.encodeWithSelector(IHub.NothingToClaim.selector, id, 1));
        hub.claimShare(id, claimTermsOf(address(hub), id), 1, leaf, total, proof);
        // A claim holder not paid out yet must `claim` first (one path per member).
        (leaf, total, proof) = book.claimArgs(hub, id, 2);
        vm.expectRevert(abi.encodeWithSelector(IHub.NothingToClaim.selector, id, 2));
        hub.claimShare(id, claimTermsOf(address(hub), id), 2, leaf, total, proof);
    }

    /// A debtor's `deposit` is on-chain credit: it backs its debt at close, so the creditors are paid in full.
    function test_Claim_DepositBacksDebt() public {
        uint64 id = _openActive(N);
        _update(id, 0, _state(_shortNets(N)), _everyone(N));
        vm.prank(nodes[0]);
        hub.deposit(id, 1_500);
        _deposited[0] = 1_500;
        _update(id, 1, _transferState(N, 0), _everyone(N));
        _update(id, 2, _transferState(N, 0), _everyone(N));
        hub.close(id);
        _claimEveryone(id);
        // Funds 0 + 1,000 + 1,500 repay all 2,001; 499 left for the debtor.
        assertEq(_paid(0), 499);
        assertEq(_paid(1), ESCROW + 2_500 + BOND + 1_000);
        assertEq(_paid(2), ESCROW + 2_500 + BOND + 1_001);
        assertEq(hub.community(id).held, 0, "no dust when the pool covers every claim");
    }

    function test_Claim_NeutralMemberGetsEscrowAndBond() public {
        uint64 id = _closeWith(_transferState(N, 300));
        _claimMember(id, 2);
        assertEq(_paid(2), ESCROW + BOND);
        (,, bool settled, uint256 taken,) = hub.member(id, 2);
        assertTrue(settled);
        assertEq(taken, 0);
    }

    /// Anyone may claim for any member (a creditor can force a debtor to settle); the money goes to the
    /// member's own address, never to the caller.
    function test_Claim_ByThirdPartyPaysTheMember() public {
        uint64 id = _closeWith(_transferState(N, 300));
        (Balance memory leaf, uint256 total, bytes32[] memory proof) = book.claimArgs(hub, id, 1);
        uint256 callerBefore = token.balanceOf(address(0xBEEF));
        vm.prank(address(0xBEEF));
        hub.claim(id, claimTermsOf(address(hub), id), 1, leaf, total, proof);
        assertEq(_paid(1), ESCROW + BOND + 300);
        assertEq(token.balanceOf(address(0xBEEF)), callerBefore);
    }

    function test_RevertWhen_ClaimTwice() public {
        uint64 id = _closeWith(_transferState(N, 300));
        _claimMember(id, 1);
        (Balance memory leaf, uint256 total, bytes32[] memory proof) = book.claimArgs(hub, id, 1);
        vm.expectRevert(abi.encodeWithSelector(IHub.AlreadyClaimed.selector, id, 1));
        hub.claim(id, claimTermsOf(address(hub), id), 1, leaf, total, proof);
    }

    /// Attack: claim more than the root says (a bigger escrow, another member's leaf, a wrong total, a
    /// proof of another depth, the genesis root's leaf).
    function test_RevertWhen_ClaimWrongProof() public {
        uint64 id = _closeWith(_transferState(N, 300));
        (Balance memory leaf, uint256 total, bytes32[] memory proof) = book.claimArgs(hub, id, 1);
        leaf.escrow += 1;
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, 1));
        hub.claim(id, claimTermsOf(address(hub), id), 1, leaf, total, proof);
        leaf.escrow -= 1;
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, 0));
        hub.claim(id, claimTermsOf(address(hub), id), 0, leaf, total, proof);
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, 1));
        hub.claim(id, claimTermsOf(address(hub), id), 1, leaf, total + 1, proof);
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, 1));
        hub.claim(id, claimTermsOf(address(hub), id), 1, leaf, total, new bytes32[](3));
        leaf.participant = address(this);
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, 1));
        hub.claim(id, claimTermsOf(address(hub), id), 1, leaf, total, proof);
        (leaf, total, proof) = book.leafOf(hub.community(id).genesisBalancesRoot, 1);
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, 1));
        hub.claim(id, claimTermsOf(address(hub), id), 1, leaf, total, proof);
    }

    /// Attack: claim with terms other than the community's (a bigger bond or creditPerMember, another token,
    /// another N): `close` committed them in the claim root with the final balances root. The reported terms pay.
    function test_RevertWhen_ClaimWrongTerms() public {
        uint64 id = _closeWith(_transferState(N, 300));
        (Balance memory leaf, uint256 total, bytes32[] memory proof) = book.claimArgs(hub, id, 1);
        CommunityInfo memory info = hub.community(id);
        ClaimTerms memory t = ClaimTerms(
            info.token,
            info.participantCount,
            info.bond,
            uint128(info.creditPerMember),
            info.joinedCount < info.participantCount
        );
        // The tests' storage read (`claimTermsOf`) is what the hub reports.
        assertEq(keccak256(abi.encode(claimTermsOf(address(hub), id))), keccak256(abi.encode(t)));
        assertEq(address(t.token), address(token));
        assertEq(t.participantCount, N);
        assertEq(t.bond, BOND);
        t.bond += 1;
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, 1));
        hub.claim(id, t, 1, leaf, total, proof);
        t.bond -= 1;
        t.creditPerMember += 1;
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, 1));
        hub.claim(id, t, 1, leaf, total, proof);
        t.creditPerMember -= 1;
        t.token = IERC20(address(0xBAD));
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, 1));
        hub.claim(id, t, 1, leaf, total, proof);
        t.token = IERC20(address(token));
        t.participantCount += 1;
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, 1));
        hub.claim(id, t, 1, leaf, total, proof);
        vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, 1));
        hub.claimShare(id, t, 1, leaf, total, proof);
        t.participantCount -= 1;
        hub.claim(id, t, 1, leaf, total, proof);
        assertEq(_paid(1), ESCROW + BOND + 300);
    }

    /// Attack (review s13): the same terms spelled with dirty high bits (N + 2^32, the token's address with a
    /// bit above its 160, the bond + 2^128), so that the hub's masked value hashes right while the word differs
    /// from what `community` reports and other readers decode. The hub's ABI decoder refuses each word (a revert
    /// with no data) before any check, for `claim` and `claimShare`; the clean calldata pays.
    function test_RevertWhen_ClaimTermsWithDirtyHighBits() public {
        uint64 id = _closeWith(_transferState(N, 300));
        (Balance memory leaf, uint256 total, bytes32[] memory proof) = book.claimArgs(hub, id, 1);
        bytes memory clean = abi.encodeCall(hub.claim, (id, claimTermsOf(address(hub), id), 1, leaf, total, proof));
        // Words after the selector: id, terms (token, N, bond, creditPerMember), index, leaf, totalClaims, proof.
        uint256[3] memory words = [uint256(1), 2, 3];
        uint256[3] memory dirt = [uint256(1) << 200, uint256(1) << 32, uint256(1) << 128];
        for (uint256 k = 0; k < 3; ++k) {
            for (uint256 s = 0; s < 2; ++s) {
                bytes memory data = bytes.concat(clean);
                if (s == 1) _setSelector(data, IHub.claimShare.selector);
                uint256 at = 4 + 32 * words[k];
                uint256 word;
                assembly ("memory-safe") {
                    word := mload(add(add(data, 32), at))
                }
                word |= dirt[k];
                assembly ("memory-safe") {
                    mstore(add(add(data, 32), at), word)
                }
                (bool ok, bytes memory ret) = address(hub).call(data);
                assertFalse(ok, "dirty word accepted");
                assertEq(ret.length, 0, "the ABI decoder's revert, not a check's");
            }
        }
        (bool paid,) = address(hub).call(clean);
        assertTrue(paid);
        assertEq(_paid(1), ESCROW + BOND + 300);
    }

    function _setSelector(bytes memory data, bytes4 sel) internal pure {
        for (uint256 b = 0; b < 4; ++b) {
            data[b] = sel[b];
        }
    }

    /// Attack (review s13): claim at an index at or past N, in the padding of the tree (3 of a depth-2 tree of
    /// 3) or at a real leaf's path bits (1 + 2^2, 1 + 2^255), with that leaf's proof: each is
    /// `InvalidBalanceProof`, and nothing was paid.
    function test_RevertWhen_ClaimIndexPastN() public {
        uint64 id = _closeWith(_transferState(N, 300));
        (Balance memory leaf, uint256 total, bytes32[] memory proof) = book.claimArgs(hub, id, 1);
        uint256 held = hub.community(id).held;
        uint256[3] memory bad = [uint256(N), 1 + 4, 1 + (uint256(1) << 255)];
        for (uint256 k = 0; k < 3; ++k) {
            vm.expectRevert(abi.encodeWithSelector(IHub.InvalidBalanceProof.selector, id, bad[k]));
            hub.claim(id, claimTermsOf(address(hub), id), bad[k], leaf, total, proof);
        }
        assertEq(hub.community(id).held, held);
    }

    function test_RevertWhen_ClaimBeforeClose() public {
        uint64 id = _openActive(N);
        _runAllWindows(id);
        (Balance memory leaf, uint256 total, bytes32[] memory proof) = book.claimArgs(hub, id, 1);
        vm.expectRevert(abi.encodeWithSelector(IHub.CommunityNotClosed.selector, id));
        hub.claim(id, claimTermsOf(address(hub), id), 1, leaf, total, proof);
    }

    // ------------------------------------------------------------------ close and withdraw

    function _runAllWindows(uint64 id) internal {
        for (uint32 w = 0; w < WINDOWS; ++w) {
            _update(id, w, _transferState(N, 100), _everyone(N));
        }
    }

    /// @dev Window 0 settles `s`, windows 1 and 2 nothing, then the community closes.
    function _closeWith(ParticipantState[] memory s) internal returns (uint64 id) {
        id = _openActive(N);
        _update(id, 0, s, _everyone(N));
        _update(id, 1, _transferState(N, 0), _everyone(N));
        _update(id, 2, _transferState(N, 0), _everyone(N));
        hub.close(id);
    }

    function _claimEveryone(uint64 id) internal {
        for (uint256 i = 0; i < N; ++i) {
            _claimMember(id, i);
        }
    }

    /// @dev What member i received from the hub so far (its balance over the 1e30 minted, plus what it
    /// put in: its join and its deposits).
    function _paid(uint256 i) internal view returns (uint256) {
        return token.balanceOf(nodes[i]) + BOND + ESCROW + _deposited[i] - 1e30;
    }

    mapping(uint256 => uint256) internal _deposited;

    function test_Close_IsConstantAndPaysNothing() public {
        uint64 id = _openActive(N);
        _runAllWindows(id);
        vm.expectEmit(address(hub));
        emit IHub.CommunityClosed(id, WINDOWS);
        vm.record();
        vm.prank(address(0xCAFE));
        hub.close(id);
        (, bytes32[] memory writes) = vm.accesses(address(hub));
        // The status, and the claim root (the final balances root with the claim terms, for the claims).
        assertEq(writes.length, 2, "the status and the claim root");
        bytes32 root = hub.finalBalancesRoot(id);
        assertEq(vm.load(address(hub), writes[1]), Balances.claimRoot(root, address(token), N, BOND, 0, false));
        assertEq(uint8(hub.community(id).status), uint8(CommunityStatus.Closed));
        assertEq(token.balanceOf(address(hub)), N * (BOND + ESCROW), "members claim");
        _claimEveryone(id);
        assertEq(_paid(0), BOND + ESCROW - 300);
        assertEq(_paid(1), BOND + ESCROW + 300);
        assertEq(_paid(2), BOND + ESCROW);
    }

    function test_Withdraw_TransfersBalance() public {
        uint64 id = _openActive(N);
        _update(id, 0, _transferState(N, 100), _only(1));
        vm.warp(_windowEnd(0) + CHALLENGE);
        hub.finalize(id);
        uint256 before = token.balanceOf(address(this));
        vm.expectEmit(address(hub));
        emit IHub.Withdrawn(address(this), token, BOND / 10);
        hub.withdraw(token);
        assertEq(token.balanceOf(address(this)), before + BOND / 10);
        assertEq(hub.withdrawable(token, address(this)), 0);
        assertEq(token.balanceOf(address(hub)), N * (BOND + ESCROW));
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
        _join(id, 0);
        vm.prank(nodes[0]);
        hub.close(id);
        vm.expectRevert(abi.encodeWithSelector(IHub.CommunityAlreadyClosed.selector, id));
        hub.update(id, 0, _root(0), bytes32(0), bytes32(0), "", "");
    }

    /// Abort: the members that joined take back what they put in from the genesis root; one that never
    /// joined gets nothing.
    function test_Close_AbortBeforeActivePaysJoinedFromGenesis() public {
        uint64 id = _open(N);
        _join(id, 1);
        vm.prank(nodes[1]);
        hub.close(id);
        assertEq(uint8(hub.community(id).status), uint8(CommunityStatus.Closed));
        _claimMember(id, 1);
        assertEq(_paid(1), BOND + ESCROW);
        (Balance memory leaf, uint256 total, bytes32[] memory proof) = book.claimArgs(hub, id, 2);
        vm.expectRevert(abi.encodeWithSelector(IHub.NotJoined.selector, id, nodes[2]));
        hub.claim(id, claimTermsOf(address(hub), id), 2, leaf, total, proof);
        assertEq(hub.community(id).held, 0);
    }

    function test_RevertWhen_AbortByNonMember() public {
        uint64 id = _open(N);
        vm.expectRevert(abi.encodeWithSelector(IHub.NotJoined.selector, id, address(this)));
        hub.close(id);
        // A listed participant that has not joined cannot abort either (it has nothing in).
        vm.expectRevert(abi.encodeWithSelector(IHub.NotJoined.selector, id, nodes[0]));
        vm.prank(nodes[0]);
        hub.close(id);
    }

    function test_RevertWhen_UpdateResubmitsPendingWindowAfterChallenge() public {
        uint64 id = _openActive(N);
        ParticipantState[] memory s = _transferState(N, 1);
        _update(id, 0, s, _only(0));
        vm.warp(block.timestamp + CHALLENGE);
        bytes[] memory sigs = _sign(id, 0, _root(0), s, _everyone(N));
        bytes32 bRoot = _balancesRoot(id, 0, s);
        // The due claim is finalized first, so the window is stale by the time it is checked.
        vm.expectRevert(abi.encodeWithSelector(IHub.WindowAlreadyFinal.selector, id, 0));
        hub.update(id, 0, _root(0), StateHash.hash(s), bRoot, ConfigBuilder.finalStateOf(s, _pack(sigs)), _pack(sigs));
    }

    /// @dev A community aborted while Opening: member 0 joined and deposited 10, then closed it; 1 and 2 never
    /// joined.
    function _abortedAfterDeposit() internal returns (uint64 id) {
        id = _open(N);
        _join(id, 0);
        vm.startPrank(nodes[0]);
        hub.deposit(id, 10);
        hub.close(id);
        vm.stopPrank();
        _deposited[0] = 10;
    }

    function test_Deposit_WhileOpeningIsPaidOnAbort() public {
        uint64 id = _abortedAfterDeposit();
        _claimMember(id, 0);
        assertEq(_paid(0), BOND + ESCROW + 10);
    }

    function test_RevertWhen_FinalizeClosed() public {
        uint64 id = _open(N);
        _join(id, 0);
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
        assertEq(_leafAt(id, 0, 0).escrow, ESCROW - 7);
        assertEq(_leafAt(id, 0, 255).escrow, ESCROW + 7);
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
            _resultDigest(address(hub), 0, 0, 0, 0, 0),
            keccak256(
                abi.encodePacked(
                    hex"1901",
                    expected,
                    keccak256(
                        abi.encode(
                            keccak256(
                                "WindowResult(uint64 communityId,uint32 window,bytes32 windowRoot,bytes32 stateHash,bytes32 balancesRoot)"
                            ),
                            0,
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

    /// Money is conserved exactly: after every member claimed (in any order) and every creditor took
    /// its share, Σ paid + dust == Σ in, with dust < the number of claim holders.
    function testFuzz_Claims_ConserveMoney(int64[3] memory raw, int64[3] memory raw2, uint8 order) public {
        uint64 id = _openActive(N);
        _update(id, 0, _state(_balanced(raw)), _everyone(N));
        _update(id, 1, _state(_balanced(raw2)), _everyone(N));
        _update(id, 2, _transferState(N, 0), _everyone(N));
        hub.close(id);
        uint256 held = hub.community(id).held;
        assertEq(held, N * (BOND + ESCROW));
        uint256 creditors;
        for (uint256 k = 0; k < N; ++k) {
            uint256 i = (k + order) % N;
            if (order & 8 != 0) i = N - 1 - i;
            _claimMember(id, i);
            if (_finalLeaf(id, i).claim > 0) ++creditors;
        }
        // The claim holders that settled before the pool grew take what it grew since.
        for (uint256 i = 0; i < N; ++i) {
            (Balance memory leaf, uint256 total, bytes32[] memory proof) = book.claimArgs(hub, id, i);
            if (leaf.claim == 0) continue;
            (,,, uint256 taken,) = hub.member(id, i);
            if (uint256(hub.community(id).repaidPool) * leaf.claim / total > taken) {
                hub.claimShare(id, claimTermsOf(address(hub), id), i, leaf, total, proof);
            }
        }
        uint256 paid;
        for (uint256 i = 0; i < N; ++i) {
            paid += _paid(i);
        }
        uint256 dust = hub.community(id).held;
        assertEq(paid + dust, held, "sum paid + dust == sum in");
        assertLe(dust, creditors == 0 ? 0 : creditors - 1, "dust < number of claim holders");
        assertEq(token.balanceOf(address(hub)), dust);
    }

    function _balanced(int64[3] memory raw) internal pure returns (int256[] memory nets) {
        nets = new int256[](N);
        nets[0] = raw[0];
        nets[1] = raw[1];
        nets[2] = -(int256(raw[0]) + raw[1]);
    }
}
// forge-lint: disable-end(block-timestamp, unsafe-typecast)
