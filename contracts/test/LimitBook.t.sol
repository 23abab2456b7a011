// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHub} from "../src/interfaces/IHub.sol";
import {IDisputeVerifier} from "../src/interfaces/IDisputeVerifier.sol";
import {ILimitBook} from "../src/interfaces/ILimitBook.sol";
import {AuctionMarketStep} from "../src/modules/AuctionMarketStep.sol";
import {MarketKind, MarketParams, ParticipantState, StateHash} from "../src/types/Market.sol";
import {Meter, WindowStatus} from "../src/types/Community.sol";
import {DisputeKind, StepProof} from "../src/types/Dispute.sol";
import {LimitOrder, LimitOrderHash, LimitPrices, LimitsHash} from "../src/types/Auction.sol";
import {Market} from "../src/libraries/Market.sol";
import {EnergyVector} from "../src/libraries/EnergyVector.sol";
import {PackedLimits} from "../src/libraries/PackedLimits.sol";
import {PackedState} from "../src/libraries/PackedState.sol";
import {DisputeFixture} from "./utils/DisputeFixture.sol";
import {ConfigBuilder, Schedule} from "./utils/ConfigBuilder.sol";
import {transactionGas} from "./utils/TxGas.sol";

/// @notice The order book of standing limit prices (`ILimitBook`, kept by `AuctionMarketStep`) on the
/// dispute fixture's auction community (N = 10, W = 96, two one-day windows): who may change a member's
/// prices, from which window, how the verifier steps a disputed window with the prices in force, and the gas
/// of an order at N = 10 and N = 256 (`snapshots/LimitBook.json`).
contract LimitBookTest is DisputeFixture {
    ILimitBook internal bookModule;
    address internal relayer = makeAddr("relayer");
    /// The community the helpers act on: the fixture's (`id`), or the long one (`_openLong`).
    uint64 internal cid;

    function setUp() public {
        _setUpCommunity(ED25519, MarketKind.Auction);
        bookModule = ILimitBook(address(auctionModule));
        cid = id;
    }

    // ------------------------------------------------------------------ helpers

    function _order(uint32 participant, uint32 fromWindow, uint128 bid, uint128 ask, uint64 nonce)
        internal
        view
        returns (LimitOrder memory)
    {
        return LimitOrder(cid, participant, fromWindow, bid, ask, nonce);
    }

    function _sign(uint256 key, LimitOrder memory o) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, LimitOrderHash.digest(HUB, o));
        return abi.encodePacked(r, s, v);
    }

    /// @dev Relays `o` signed by `key` with participant `o.participant`'s genesis proof and `current`.
    function _post(uint256 key, LimitOrder memory o, LimitPrices[] memory current) internal returns (bytes32) {
        bytes memory sig = _sign(key, o);
        bytes32[] memory proof = book.genesisProof(hub, cid, o.participant);
        vm.prank(relayer);
        return bookModule.postOrder(hub, o, sig, proof, current);
    }

    function _postReverts(uint256 key, LimitOrder memory o, LimitPrices[] memory current, bytes memory err) internal {
        bytes memory sig = _sign(key, o);
        bytes32[] memory proof = book.genesisProof(hub, cid, o.participant);
        vm.expectRevert(err);
        vm.prank(relayer);
        bookModule.postOrder(hub, o, sig, proof, current);
    }

    function _with(LimitPrices[] memory l, uint256 i, uint128 bid, uint128 ask)
        internal
        pure
        returns (LimitPrices[] memory next)
    {
        next = new LimitPrices[](l.length);
        for (uint256 k = 0; k < l.length; ++k) {
            next[k] = l[k];
        }
        next[i] = LimitPrices(bid, ask);
    }

    function _hashAt(uint32 w) internal view returns (bytes32) {
        return bookModule.limitsHashAt(HUB, cid, w, hub.community(cid).market.limitsHash);
    }

    function _dispute(bytes memory proof) internal {
        (bytes32 root, bytes32 stateHash, bytes32 balancesRoot) = _pendingClaim(id, 0);
        _commit(challenger, id, 0, DisputeKind.BadStep, proof);
        vm.roll(block.number + 1);
        vm.prank(challenger);
        hub.dispute(id, 0, root, stateHash, balancesRoot, DisputeKind.BadStep, proof);
    }

    // ------------------------------------------------------------------ posting

    /// Window 0 is under way (block time = START): an order of participant 3, relayed by an outsider, is in
    /// force from window 1; window 0 keeps the open's prices. The event carries the full new array.
    function test_PostOrder_InForceFromTheNextWindow() public {
        bytes32 open = LimitsHash.hash(limits);
        LimitPrices[] memory next = _with(limits, 3, 240, 55);
        vm.expectEmit(address(auctionModule));
        emit ILimitBook.LimitOrderPosted(HUB, id, 3, 1, 7, LimitsHash.hash(next), next);
        bytes32 h = _post(keys[3], _order(3, 1, 240, 55, 7), limits);
        assertEq(h, LimitsHash.hash(next), "new hash");
        assertEq(_hashAt(0), open, "window 0 under way: the open's prices");
        assertEq(_hashAt(1), h, "window 1: the order's");
        assertEq(bookModule.nonceOf(HUB, id, 3), 7);
        (uint32 from, bytes32 latest, uint256 count) = bookModule.latestEpoch(HUB, id);
        assertEq(from, 1);
        assertEq(latest, h);
        assertEq(count, 1);
    }

    /// Two members' orders for one window make one epoch whose array holds both changes. Both relays were
    /// built on the open's array (two members ordering at once): the second lands anyway, the book puts the
    /// first's pair back (review 4, L1). Over the latest array it lands the same.
    function test_PostOrder_TwoOrdersForOneWindowShareAnEpoch() public {
        LimitPrices[] memory a = _with(limits, 3, 240, 55);
        _post(keys[3], _order(3, 1, 240, 55, 1), limits);
        LimitPrices[] memory b = _with(a, 8, 90, 300);
        vm.expectEmit(address(auctionModule));
        emit ILimitBook.LimitOrderPosted(HUB, id, 8, 1, 1, LimitsHash.hash(b), b);
        assertEq(_post(keys[8], _order(8, 1, 90, 300, 1), limits), LimitsHash.hash(b), "over the open's");
        (, bytes32 latest, uint256 count) = bookModule.latestEpoch(HUB, id);
        assertEq(count, 1, "one epoch");
        assertEq(latest, LimitsHash.hash(b), "both changes");
        assertEq(_hashAt(1), LimitsHash.hash(b));
        LimitPrices[] memory c = _with(b, 3, 1, 2);
        assertEq(_post(keys[3], _order(3, 1, 1, 2, 2), b), LimitsHash.hash(c), "over the latest");
    }

    /// `current` is the latest array or the open's, one pair per participant: an older epoch's array (or
    /// any other), or the right prices with a pair missing or added, are `StaleLimits`. A relay carrying
    /// another array could otherwise make window w's prices whatever it liked for every member but one.
    function test_RevertWhen_CurrentIsNeitherTheLatestNorTheOpen() public {
        LimitPrices[] memory a = _with(limits, 3, 240, 55);
        _post(keys[3], _order(3, 1, 240, 55, 1), limits);
        LimitPrices[] memory b = _with(a, 8, 90, 300);
        _post(keys[8], _order(8, 1, 90, 300, 1), a);
        bytes32 latest = LimitsHash.hash(b);
        LimitOrder memory o = _order(5, 1, 7, 7, 1);
        // An older epoch's array (the first order's).
        _postReverts(keys[5], o, a, abi.encodeWithSelector(ILimitBook.StaleLimits.selector, latest, LimitsHash.hash(a)));
        // Another array: the latest with someone else's pair changed by the relayer.
        LimitPrices[] memory forged = _with(b, 0, 1, 1);
        _postReverts(
            keys[5], o, forged, abi.encodeWithSelector(ILimitBook.StaleLimits.selector, latest, LimitsHash.hash(forged))
        );
        // The open's prices with one pair too many.
        LimitPrices[] memory longer = new LimitPrices[](limits.length + 1);
        for (uint256 i = 0; i < limits.length; ++i) {
            longer[i] = limits[i];
        }
        _postReverts(
            keys[5], o, longer, abi.encodeWithSelector(ILimitBook.StaleLimits.selector, latest, LimitsHash.hash(longer))
        );
        assertEq(bookModule.nonceOf(HUB, id, 5), 0);
    }

    /// Orders posted over the open's array or over the latest (any mix, any members, windows moving on)
    /// give the same limits: the latest array with the order's pair replaced (the model here, the node's
    /// `LimitBook.posted`). The invariant behind L1's fix: the open's array plus every member's last
    /// posted pair is the latest array.
    function testFuzz_OverTheOpenOrTheLatestTheSameLimits(uint256 seed) public {
        _openLong(16, MarketKind.Auction);
        vm.warp(LONG_START - 1);
        LimitPrices[] memory model = longLimits;
        uint32 from = 0;
        for (uint256 k = 0; k < 12; ++k) {
            if (k % 4 == 3) {
                // Window `from` begins: the next orders are for a later one.
                vm.warp(LONG_START + uint256(from) * 1 days + 1);
                ++from;
            }
            model = _fuzzOrder(uint256(keccak256(abi.encode(seed, k))), from, model);
        }
    }

    /// @dev One order of a random member with random prices, for a window from `from` (the first not begun)
    /// up to MAX_LEAD_WINDOWS later and not before the latest epoch's, over the open's or over `model`.
    function _fuzzOrder(uint256 r, uint32 from, LimitPrices[] memory model) internal returns (LimitPrices[] memory) {
        uint32 i = uint32(r % 16);
        (uint128 bid, uint128 ask) = (uint128(r >> 8), uint128(r >> 136));
        uint32 fw = from + uint32((r >> 4) % 3);
        (uint32 latestFrom,, uint256 count) = bookModule.latestEpoch(HUB, cid);
        if (count > 0 && fw < latestFrom) fw = latestFrom;
        LimitOrder memory o = _order(i, fw, bid, ask, bookModule.nonceOf(HUB, cid, i) + 1);
        bytes32 h = _post(longKeys[i], o, (r >> 7) & 1 == 1 ? longLimits : model);
        model = _with(model, i, bid, ask);
        assertEq(h, LimitsHash.hash(model), "the latest array with the order's pair");
        assertEq(_hashAt(fw), h);
        return model;
    }

    /// Attack: an outsider, or another member, signs an order that changes participant 3's prices. The
    /// signature must recover to the account listed at index 3.
    function test_RevertWhen_OrderNotSignedByTheParticipant() public {
        LimitOrder memory o = _order(3, 1, 1, 1, 1);
        uint256 outsider = uint256(keccak256("outsider"));
        _postReverts(
            outsider,
            o,
            limits,
            abi.encodeWithSelector(ILimitBook.NotParticipantSigner.selector, uint32(3), vm.addr(outsider))
        );
        _postReverts(
            keys[4], o, limits, abi.encodeWithSelector(ILimitBook.NotParticipantSigner.selector, uint32(3), nodes[4])
        );
        // Member 4 with its own (valid) genesis proof, for index 3: the leaf is proven at index 4 only.
        bytes memory sig = _sign(keys[4], o);
        bytes32[] memory proof4 = book.genesisProof(hub, id, 4);
        vm.expectRevert(abi.encodeWithSelector(ILimitBook.NotParticipantSigner.selector, uint32(3), nodes[4]));
        bookModule.postOrder(hub, o, sig, proof4, limits);
        // A malformed signature recovers nobody.
        bytes32[] memory proof3 = book.genesisProof(hub, id, 3);
        vm.expectRevert(abi.encodeWithSelector(ILimitBook.NotParticipantSigner.selector, uint32(3), address(0)));
        bookModule.postOrder(hub, o, hex"00", proof3, limits);
        assertEq(_hashAt(1), LimitsHash.hash(limits), "prices unchanged");
    }

    /// Attack: replay an old order of participant 3 over its newer one (to restore prices it has changed).
    /// Nonces strictly increase per participant.
    function test_RevertWhen_OrderReplayed() public {
        LimitOrder memory old = _order(3, 1, 240, 55, 5);
        bytes memory oldSig = _sign(keys[3], old);
        _post(keys[3], old, limits);
        LimitPrices[] memory a = _with(limits, 3, 240, 55);
        _post(keys[3], _order(3, 1, 200, 70, 6), a);
        LimitPrices[] memory b = _with(limits, 3, 200, 70);
        bytes32[] memory proof = book.genesisProof(hub, id, 3);
        vm.expectRevert(abi.encodeWithSelector(ILimitBook.StaleNonce.selector, uint64(5), uint64(6)));
        bookModule.postOrder(hub, old, oldSig, proof, b);
        _postReverts(
            keys[3],
            _order(3, 1, 1, 1, 6),
            b,
            abi.encodeWithSelector(ILimitBook.StaleNonce.selector, uint64(6), uint64(6))
        );
        assertEq(_hashAt(1), LimitsHash.hash(b));
    }

    /// Only windows of the community, and only participants of it.
    function test_RevertWhen_OrderWindowOrParticipantOutOfRange() public {
        // windowCount = 2.
        _postReverts(
            keys[3],
            _order(3, 2, 1, 1, 1),
            limits,
            abi.encodeWithSelector(ILimitBook.OrderWindowOutOfRange.selector, uint32(2), uint32(2))
        );
        LimitOrder memory o = _order(10, 1, 1, 1, 1);
        bytes memory sig = _sign(keys[3], o);
        bytes32[] memory proof = book.genesisProof(hub, id, 3);
        vm.expectRevert(abi.encodeWithSelector(ILimitBook.ParticipantOutOfRange.selector, uint32(10), N));
        bookModule.postOrder(hub, o, sig, proof, limits);
    }

    // ------------------------------------------------------------------ the window rule and disputes

    /// Attack: window 0's honest claim (folded with the open's prices) is pending; member 3 then signs an
    /// order for window 0 that would make the right step recompute to another state, so anyone could
    /// "prove" the honest claim wrong and slash its signers. An order for a window that has begun is
    /// refused, and an order for window 1 leaves window 0's hash alone: the right step still survives.
    function test_RevertWhen_OrderForAWindowUnderWay() public {
        Commit memory h = _honest();
        _claimBy012(h);
        LimitPrices[] memory moved = _with(limits, 3, 10, 240);
        // What the attack would achieve: the honest step 60 recomputed with the moved prices differs.
        StepProof memory p = _stepProof(h, 60);
        MarketParams memory m = hub.community(id).market;
        m.limitsHash = LimitsHash.hash(moved);
        (uint256[] memory ex, uint256[] memory im) = EnergyVector.decode(p.energy);
        (ParticipantState[] memory prev,) = PackedState.unpack(p.prevState);
        ParticipantState[] memory recomputed = auctionModule.step(m, prev, ex, im, moved);
        assertTrue(StateHash.hash(recomputed) != StateHash.hash(h.states[60]), "the moved prices change step 60");

        _postReverts(
            keys[3],
            _order(3, 0, 10, 240, 1),
            limits,
            abi.encodeWithSelector(ILimitBook.OrderWindowStarted.selector, uint32(0), uint256(2))
        );
        // Window 0 is over (the claim warped to its end): window 1 is under way too.
        _postReverts(
            keys[3],
            _order(3, 1, 10, 240, 1),
            limits,
            abi.encodeWithSelector(ILimitBook.OrderWindowStarted.selector, uint32(1), uint256(2))
        );
        assertEq(_hashAt(0), LimitsHash.hash(limits));
        // The moved prices cannot be carried into a dispute of window 0.
        p.limits = PackedLimits.pack(moved);
        _disputeReverts(
            abi.encodeWithSelector(
                AuctionMarketStep.LimitsHashMismatch.selector, LimitsHash.hash(limits), LimitsHash.hash(moved)
            ),
            DisputeKind.BadStep,
            abi.encode(p)
        );
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Pending), "claim stands");
    }

    /// An order posted before window 0 begins is in force for window 0: a wrong step is proven with the
    /// new prices (claim rejected, signers slashed), the stale (open's) prices are refused, and the right
    /// step folded with the new prices cannot be proven wrong.
    function test_BadStep_WithTheLimitsInForceAfterAnOrder() public {
        vm.warp(START - 1);
        bytes32 open = LimitsHash.hash(limits);
        _post(keys[3], _order(3, 0, 10, 240, 1), limits);
        // From here on the fixture folds with the new prices (participant 3 now asks above the others' bids).
        limits[3] = LimitPrices(10, 240);
        bytes32 inForce = LimitsHash.hash(limits);
        assertEq(_hashAt(0), inForce);
        Commit memory h = _honest();

        // The right step (new prices) survives; with the open's prices it is refused.
        _claimBy012(h);
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.BadStep),
            DisputeKind.BadStep,
            abi.encode(_stepProof(h, 60))
        );
        StepProof memory stale = _stepProof(h, 60);
        LimitPrices[] memory openPrices = PackedLimits.unpack(stale.limits);
        openPrices[3] = LimitPrices(uint128(120 + 15 * 3), uint128(60 + 12 * 3));
        assertEq(LimitsHash.hash(openPrices), open, "the open's prices");
        stale.limits = PackedLimits.pack(openPrices);
        _disputeReverts(
            abi.encodeWithSelector(AuctionMarketStep.LimitsHashMismatch.selector, inForce, open),
            DisputeKind.BadStep,
            abi.encode(stale)
        );
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Pending), "claim stands");
    }

    function test_BadStep_WrongStepAfterAnOrderIsSlashed() public {
        vm.warp(START - 1);
        _post(keys[3], _order(3, 0, 10, 240, 1), limits);
        limits[3] = LimitPrices(10, 240);
        Commit memory c = _wrongAt(60, 1000);
        _claimBy012(c);
        _dispute(abi.encode(_stepProof(c, 60)));
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "claim rejected");
        assertEq(_bondOf(hub, id, 0), 0, "signer slashed");
        assertEq(token.balanceOf(address(hub)), _liabilities(), "money conserved");
    }

    /// The hash in force for window w is the last epoch's with fromWindow ≤ w (checked below in a longer
    /// community); an order never moves money: the hub's balance and every member's bond and credit stay.
    function test_PostOrder_MovesNoMoney() public {
        uint256 before = token.balanceOf(address(hub));
        _post(keys[3], _order(3, 1, 240, 55, 1), limits);
        assertEq(token.balanceOf(address(hub)), before);
        assertEq(token.balanceOf(address(auctionModule)), 0);
        assertEq(token.balanceOf(relayer), 0);
    }

    function _owners() internal pure returns (uint32[] memory owners) {
        owners = new uint32[](M);
        for (uint256 m = 0; m < M; ++m) {
            owners[m] = uint32(m);
        }
    }

    // ------------------------------------------------------------------ a longer community, N = 256

    uint256[] internal longKeys;
    LimitPrices[] internal longLimits;
    uint64 internal constant LONG_START = START + 10 days;

    /// @dev Opens a community of `n` participants (one meter), 10 one-day windows from LONG_START, with
    /// market `kind` (its standard module), and makes the helpers act on it.
    function _openLong(uint256 n, MarketKind kind) internal {
        address[] memory who = new address[](n);
        delete longKeys;
        delete longLimits;
        for (uint256 i = 0; i < n; ++i) {
            uint256 pk = uint256(keccak256(abi.encode("limit-node", i)));
            longKeys.push(pk);
            who[i] = vm.addr(pk);
            longLimits.push(LimitPrices(uint128(100 + i), uint128(60 + i % 40)));
        }
        Meter[] memory ms = new Meter[](1);
        ms[0] = Meter(publicKeys[0], ED25519, 0);
        bytes32 lh = kind == MarketKind.Auction ? LimitsHash.hash(longLimits) : bytes32(0);
        MarketParams memory market = MarketParams(kind, 250, 50, 0, lh, bytes32(0));
        Schedule memory schedule = Schedule(INTERVAL, W, LONG_START, 10, CHALLENGE);
        cid = _openConfig(ConfigBuilder.build(who, ms, schedule, market, token, BOND, ESCROW, _modules(kind)));
    }

    function _postLong(uint32 i, uint32 fromWindow, uint64 nonce, LimitPrices[] memory current)
        internal
        returns (LimitPrices[] memory next)
    {
        next = _with(current, i, uint128(200 + i), uint128(1 + i));
        _post(longKeys[i], _order(i, fromWindow, uint128(200 + i), uint128(1 + i), nonce), current);
    }

    /// The hash in force for window w is the last epoch's with fromWindow ≤ w, else the open's; epochs only
    /// grow in window order, at most MAX_LEAD_WINDOWS after the first window not begun (a far-future order
    /// would freeze the others' prices until then).
    function test_LimitsHashAt_LastEpochNotAfterTheWindow() public {
        _openLong(16, MarketKind.Auction);
        bytes32 open = LimitsHash.hash(longLimits);
        vm.warp(LONG_START - 1);
        // Before the start no window has begun: windows 0..2 are open to orders.
        _postReverts(
            longKeys[0],
            _order(0, 3, 1, 1, 1),
            longLimits,
            abi.encodeWithSelector(ILimitBook.OrderTooFarAhead.selector, uint32(3), uint256(2))
        );
        LimitPrices[] memory a = _postLong(0, 1, 1, longLimits);
        // Window 2 under way: the first window not begun is 3.
        vm.warp(LONG_START + 2 days + 1);
        _postReverts(
            longKeys[5],
            _order(5, 2, 1, 1, 1),
            a,
            abi.encodeWithSelector(ILimitBook.OrderWindowStarted.selector, uint32(2), uint256(3))
        );
        LimitPrices[] memory b = _postLong(5, 4, 1, a);
        _postReverts(
            longKeys[6],
            _order(6, 3, 1, 1, 1),
            b,
            abi.encodeWithSelector(ILimitBook.OrderBeforeLatestEpoch.selector, uint32(3), uint32(4))
        );
        _postReverts(
            longKeys[6],
            _order(6, 6, 1, 1, 1),
            b,
            abi.encodeWithSelector(ILimitBook.OrderTooFarAhead.selector, uint32(6), uint256(5))
        );
        vm.warp(LONG_START + 4 days);
        LimitPrices[] memory d = _postLong(0, 5, 2, b);
        bytes32[10] memory want = [
            open,
            LimitsHash.hash(a),
            LimitsHash.hash(a),
            LimitsHash.hash(a),
            LimitsHash.hash(b),
            LimitsHash.hash(d),
            LimitsHash.hash(d),
            LimitsHash.hash(d),
            LimitsHash.hash(d),
            LimitsHash.hash(d)
        ];
        for (uint32 w = 0; w < 10; ++w) {
            assertEq(_hashAt(w), want[w], string.concat("window ", vm.toString(w)));
        }
        (,, uint256 count) = bookModule.latestEpoch(HUB, cid);
        assertEq(count, 3);
    }

    /// A community whose market module is another one (Mmr here) has no book in the auction module: an
    /// order sent there would never be read, so it is refused.
    function test_RevertWhen_OrderToAnotherMarketsBook() public {
        _openLong(4, MarketKind.Mmr);
        LimitOrder memory o = _order(0, 1, 1, 1, 1);
        bytes memory sig = _sign(longKeys[0], o);
        bytes32[] memory proof = book.genesisProof(hub, cid, 0);
        vm.expectRevert(abi.encodeWithSelector(ILimitBook.NotCommunityBook.selector, HUB, cid));
        bookModule.postOrder(hub, o, sig, proof, longLimits);
    }

    // ------------------------------------------------------------------ gas

    function _postGas(uint256 key, LimitOrder memory o, LimitPrices[] memory current, string memory name) internal {
        bytes memory sig = _sign(key, o);
        bytes32[] memory proof = book.genesisProof(hub, cid, o.participant);
        bytes memory data = abi.encodeCall(bookModule.postOrder, (hub, o, sig, proof, current));
        vm.cool(HUB);
        vm.cool(address(auctionModule));
        vm.prank(relayer);
        bookModule.postOrder(hub, o, sig, proof, current);
        // The call frame's execution gas (`vm.lastCallGas`): the book's, not the test's memory (after hundreds
        // of orders built in this frame, gasleft() around the call counts the test's memory expansion too).
        uint256 used = vm.lastCallGas().gasTotalUsed;
        vm.snapshotValue("LimitBook", name, used);
        vm.snapshotValue("LimitBook", string.concat(name, "_txGas"), transactionGas(data, used));
    }

    /// A first order (new epoch, new nonce) at N = 10 and N = 256.
    function test_Gas_PostOrder_N10() public {
        _postGas(keys[3], _order(3, 1, 240, 55, 1), limits, "postOrder_N10");
        assertEq(_hashAt(1), LimitsHash.hash(_with(limits, 3, 240, 55)));
    }

    function test_Gas_PostOrder_N256() public {
        _openLong(256, MarketKind.Auction);
        _postGas(longKeys[200], _order(200, 1, 240, 55, 1), longLimits, "postOrder_N256");
        assertEq(_hashAt(1), LimitsHash.hash(_with(longLimits, 200, 240, 55)));
    }

    /// @dev Every participant but `last` posts an order for window 1 (over the latest), then `last` posts
    /// one twice: over the open's array (`<name>_overOpen`: every other pair put back, the worst case) and
    /// over the latest (`<name>_overLatest`: a later order of a member who posted already).
    function _gasAfterEveryOtherOrder(uint256 n, uint256[] memory ks, LimitPrices[] memory open, string memory name)
        internal
    {
        LimitPrices[] memory latest = open;
        uint32 last = uint32(n - 1);
        for (uint32 i = 0; i < last; ++i) {
            _post(ks[i], _order(i, 1, 300 + i, 20 + i, 1), latest);
            latest = _with(latest, i, 300 + i, 20 + i);
        }
        _postGas(ks[last], _order(last, 1, 240, 55, 1), open, string.concat(name, "_overOpen"));
        latest = _with(latest, last, 240, 55);
        assertEq(_hashAt(1), LimitsHash.hash(latest));
        _postGas(ks[last], _order(last, 1, 241, 56, 2), latest, string.concat(name, "_overLatest"));
        assertEq(_hashAt(1), LimitsHash.hash(_with(latest, last, 241, 56)));
    }

    function test_Gas_PostOrder_N10_AfterEveryOtherMember() public {
        _gasAfterEveryOtherOrder(limits.length, keys, limits, "postOrder_N10");
    }

    function test_Gas_PostOrder_N256_AfterEveryOtherMember() public {
        _openLong(256, MarketKind.Auction);
        _gasAfterEveryOtherOrder(256, longKeys, longLimits, "postOrder_N256");
    }

    // ------------------------------------------------------------------ shared vectors (TypeScript -> Solidity)

    function _vectorOrder(string memory json, string memory at)
        internal
        pure
        returns (address hub_, LimitOrder memory o, LimitPrices[] memory current)
    {
        hub_ = vm.parseJsonAddress(json, string.concat(at, ".hub"));
        o.communityId = uint64(vm.parseJsonUint(json, string.concat(at, ".communityId")));
        o.participant = uint32(vm.parseJsonUint(json, string.concat(at, ".participant")));
        o.fromWindow = uint32(vm.parseJsonUint(json, string.concat(at, ".fromWindow")));
        o.bidPrice = uint128(vm.parseJsonUint(json, string.concat(at, ".bidPrice")));
        o.askPrice = uint128(vm.parseJsonUint(json, string.concat(at, ".askPrice")));
        o.nonce = uint64(vm.parseJsonUint(json, string.concat(at, ".nonce")));
        uint256[] memory bid = vm.parseJsonUintArray(json, string.concat(at, ".currentBid"));
        uint256[] memory ask = vm.parseJsonUintArray(json, string.concat(at, ".currentAsk"));
        current = new LimitPrices[](bid.length);
        for (uint256 i = 0; i < bid.length; ++i) {
            current[i] = LimitPrices(uint128(bid[i]), uint128(ask[i]));
        }
    }

    /// node/src/vectors/limitOrders.ts: the EIP-712 digest of every order, its signer, and the limits hash
    /// after the order replaces one pair agree with `LimitOrderHash.digest` and `LimitsHash.hash`.
    function test_Vectors_LimitOrderDigestAndHash() public {
        string memory json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/limitOrders.json"));
        vm.chainId(vm.parseJsonUint(json, ".chainId"));
        uint256 count = vm.parseJsonUint(json, ".count");
        assertGt(count, 10);
        for (uint256 c = 0; c < count; ++c) {
            string memory at = string.concat(".cases[", vm.toString(c), "]");
            (address hub_, LimitOrder memory o, LimitPrices[] memory current) = _vectorOrder(json, at);
            bytes32 digest = LimitOrderHash.digest(hub_, o);
            assertEq(digest, vm.parseJsonBytes32(json, string.concat(at, ".digest")), string.concat(at, " digest"));
            bytes memory sig = vm.parseJsonBytes(json, string.concat(at, ".signature"));
            (bytes32 r, bytes32 s_) = abi.decode(sig, (bytes32, bytes32));
            address signer = ecrecover(digest, uint8(sig[64]), r, s_);
            assertEq(signer, vm.parseJsonAddress(json, string.concat(at, ".signer")), string.concat(at, " signer"));
            current[o.participant] = LimitPrices(o.bidPrice, o.askPrice);
            assertEq(
                LimitsHash.hash(current),
                vm.parseJsonBytes32(json, string.concat(at, ".limitsHash")),
                string.concat(at, " limitsHash")
            );
        }
    }

    /// An order signed in TypeScript by the fixture's participant 3 is accepted by the community's book and
    /// gives the hash TypeScript computed.
    function test_Vectors_TypeScriptSignedOrderIsPosted() public {
        string memory json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/limitOrders.json"));
        (address hub_, LimitOrder memory o, LimitPrices[] memory current) = _vectorOrder(json, ".fixtureOrder");
        assertEq(hub_, HUB);
        assertEq(o.communityId, id);
        assertEq(LimitsHash.hash(current), LimitsHash.hash(limits), "the open's prices");
        bytes memory sig = vm.parseJsonBytes(json, ".fixtureOrder.signature");
        bytes32[] memory proof = book.genesisProof(hub, id, o.participant);
        vm.prank(relayer);
        bytes32 h = bookModule.postOrder(hub, o, sig, proof, current);
        assertEq(h, vm.parseJsonBytes32(json, ".fixtureOrder.limitsHash"));
        assertEq(_hashAt(o.fromWindow), h);
    }

    /// Two members' orders for window 1, signed in TypeScript and both built on the open's array (as two
    /// relayers that saw no order would): both land, in this order, and the book's hash is the one the
    /// node's `LimitBook` computes after both (review 4, L1: the second is not stale).
    function test_Vectors_TwoOrdersOverTheOpensLimitsBothLand() public {
        string memory json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/limitOrders.json"));
        bytes32 h;
        for (uint256 k = 0; k < 2; ++k) {
            string memory at = string.concat(".fixtureRace.orders[", vm.toString(k), "]");
            (, LimitOrder memory o, LimitPrices[] memory current) = _vectorOrder(json, at);
            assertEq(LimitsHash.hash(current), LimitsHash.hash(limits), "the open's prices");
            bytes memory sig = vm.parseJsonBytes(json, string.concat(at, ".signature"));
            bytes32[] memory proof = book.genesisProof(hub, id, o.participant);
            vm.prank(relayer);
            h = bookModule.postOrder(hub, o, sig, proof, current);
        }
        assertEq(h, vm.parseJsonBytes32(json, ".fixtureRace.limitsHash"));
        assertEq(_hashAt(1), h);
    }
}
