// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHub} from "../src/interfaces/IHub.sol";
import {IDisputeVerifier} from "../src/interfaces/IDisputeVerifier.sol";
import {IMarketStep} from "../src/interfaces/IMarketStep.sol";
import {AuctionMarketStep} from "../src/modules/AuctionMarketStep.sol";
import {MarketStep} from "../src/modules/MarketStep.sol";
import {MarketKind, MarketParams, MeterEnergy, ParticipantState} from "../src/types/Market.sol";
import {CommunityConfig, Meter, WindowStatus} from "../src/types/Community.sol";
import {DisputeKind, StepProof} from "../src/types/Dispute.sol";
import {LimitPrices, LimitsHash} from "../src/types/Auction.sol";
import {Market} from "../src/libraries/Market.sol";
import {PackedLimits} from "../src/libraries/PackedLimits.sol";
import {DisputeFixture} from "./utils/DisputeFixture.sol";
import {ConfigBuilder} from "./utils/ConfigBuilder.sol";
import {transactionGas} from "./utils/TxGas.sol";
import {OpenCodec} from "../src/libraries/OpenCodec.sol";

/// @notice The auction settled on chain: an auction community (N = 10, W = 96, Ed25519 readings signed in
/// TypeScript, standing limit prices committed by `MarketParams.limitsHash`) whose wrong step is proven by a
/// bad-step dispute carrying the limit prices (claim rejected, signers slashed), whose right step survives
/// one, and whose limit prices cannot be swapped by a prover. Gas of the update and of the bad step is
/// written to `snapshots/AuctionChain.json`.
contract AuctionDisputeTest is DisputeFixture {
    function setUp() public {
        _setUpCommunity(ED25519, MarketKind.Auction);
    }

    // ------------------------------------------------------------------ helpers

    function _dispute(bytes memory proof, string memory gasName) internal {
        _disputeIn("AuctionChain", DisputeKind.BadStep, proof, gasName);
    }

    function _sumP2p(ParticipantState[] memory s) internal pure returns (uint256 sold, uint256 bought) {
        for (uint256 i = 0; i < s.length; ++i) {
            sold += s[i].p2pSoldWh;
            bought += s[i].p2pBoughtWh;
        }
    }

    // ------------------------------------------------------------------ the community

    /// The fixture's day clears real volume at the auction, a volume other than the pro-rata market's at
    /// the mid-market rate (so these disputes exercise the auction, not an Mmr fold under another name).
    function test_AuctionFoldTradesAndDiffersFromMmr() public view {
        assertEq(uint8(hub.community(id).market.kind), uint8(MarketKind.Auction));
        assertEq(hub.community(id).market.limitsHash, LimitsHash.hash(limits));
        Commit memory h = _honest();
        (uint256 sold, uint256 bought) = _sumP2p(h.states[W - 1]);
        assertGt(sold, 0, "the auction matched energy");
        assertEq(sold, bought, "sold = bought");
        MarketParams memory mmr = hub.community(id).market;
        mmr.kind = MarketKind.Mmr;
        Commit memory inputs = _honestInputs();
        ParticipantState[] memory s = Market.emptyState(N);
        uint32[] memory owners = new uint32[](M);
        for (uint256 m = 0; m < M; ++m) {
            owners[m] = uint32(m);
        }
        for (uint256 t = 0; t < W; ++t) {
            s = Market.step(mmr, s, owners, _energy(inputs, t));
        }
        (uint256 mmrSold,) = _sumP2p(s);
        assertTrue(mmrSold != sold, "the limit prices change the outcome");
    }

    // ------------------------------------------------------------------ bad step

    /// Attack: the signers move 1,000 tokens in step 60 of an auction window. A bad-step proof carrying
    /// the community's limit prices rejects the claim and slashes its signers; the honest result then
    /// finalizes and money is conserved.
    function test_BadStep_WrongAuctionStepIsSlashed() public {
        Commit memory c = _wrongAt(60, 1000);
        _claimBy012(c);
        _dispute(abi.encode(_stepProof(c, 60)), "badStep_N10_W96");
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "claim rejected");
        // The signers' bonds and the forfeited claim deposit (review R9).
        uint256 total = 3 * uint256(BOND) + _claimDeposit();
        uint256 each = total / 2 / 7;
        for (uint256 i = 0; i < N; ++i) {
            (uint256 aBond, uint256 aCredit,,,) = hub.member(id, i);
            assertEq(aBond, i < 3 ? 0 : BOND, i < 3 ? "signer slashed" : "non-signer keeps bond");
            assertEq(aCredit, i < 3 ? 0 : each, "non-signers compensated");
        }
        assertEq(hub.withdrawable(token, challenger), total - 7 * each, "challenger reward");
        assertEq(token.balanceOf(address(hub)), _liabilities(), "money conserved");

        Commit memory h = _honest();
        _claim(0, h.root, h.states[W - 1], _signers(3, 10));
        vm.warp(block.timestamp + CHALLENGE);
        hub.finalize(id);
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Final));
        assertEq(token.balanceOf(address(hub)), _liabilities(), "money conserved after settlement");
    }

    /// A wrong first step (from S_0 = zeros) is proven the same way.
    function test_BadStep_WrongFirstAuctionStepIsSlashed() public {
        Commit memory c = _wrongAt(0, 1);
        _claimBy012(c);
        _dispute(abi.encode(_stepProof(c, 0)), "");
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "claim rejected");
        assertEq(_bondOf(hub, id, 0), 0, "signer slashed");
    }

    /// A right auction step survives a bad-step dispute: FraudNotProven, nothing changes.
    function test_RevertWhen_BadStepAgainstRightAuctionStep() public {
        Commit memory h = _honest();
        _claimBy012(h);
        for (uint256 t = 0; t < W; t += 19) {
            _disputeReverts(
                abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.BadStep),
                DisputeKind.BadStep,
                abi.encode(_stepProof(h, t))
            );
        }
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Pending), "claim stands");
        assertEq(_bondOf(hub, id, 0), BOND, "nobody slashed");
    }

    /// Attack: a challenger swaps two participants' limit prices so that the right step recomputes to
    /// another state (it would "prove" an honest claim wrong). The module refuses prices that do not hash
    /// to the community's commitment.
    function test_RevertWhen_BadStepWithSwappedLimitsAgainstRightStep() public {
        Commit memory h = _honest();
        _claimBy012(h);
        StepProof memory p = _stepProof(h, 60);
        LimitPrices[] memory swapped = _copyLimits(limits);
        (swapped[0], swapped[9]) = (swapped[9], swapped[0]);
        p.limits = PackedLimits.pack(swapped);
        _disputeReverts(
            abi.encodeWithSelector(
                AuctionMarketStep.LimitsHashMismatch.selector, LimitsHash.hash(limits), LimitsHash.hash(swapped)
            ),
            DisputeKind.BadStep,
            abi.encode(p)
        );
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Pending), "claim stands");
    }

    /// A proof without the limit prices (the Mmr shape) cannot be recomputed: refused, not "no fraud".
    function test_RevertWhen_BadStepWithoutLimits() public {
        Commit memory c = _wrongAt(60, 1000);
        _claimBy012(c);
        StepProof memory p = _stepProof(c, 60);
        p.limits = "";
        _disputeReverts(
            abi.encodeWithSelector(
                AuctionMarketStep.LimitsHashMismatch.selector,
                LimitsHash.hash(limits),
                LimitsHash.hash(new LimitPrices[](0))
            ),
            DisputeKind.BadStep,
            abi.encode(p)
        );
    }

    /// Packed limit prices of no whole number of participants (32 bytes each) encode no price list: refused
    /// by name (one byte more, one byte less), before the module sees them.
    function test_RevertWhen_BadStepLimitsNotWholeParticipants() public {
        Commit memory c = _wrongAt(60, 1000);
        _claimBy012(c);
        StepProof memory p = _stepProof(c, 60);
        p.limits = bytes.concat(p.limits, hex"00");
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.MalformedLimits.selector, N * 32 + 1),
            DisputeKind.BadStep,
            abi.encode(p)
        );
        p = _stepProof(c, 60);
        bytes memory shorter = p.limits;
        assembly {
            mstore(shorter, sub(mload(shorter), 1))
        }
        _disputeReverts(
            abi.encodeWithSelector(IDisputeVerifier.MalformedLimits.selector, N * 32 - 1),
            DisputeKind.BadStep,
            abi.encode(p)
        );
    }

    /// One participant's prices short (a whole number of participants, N − 1): another list, refused by the
    /// module's hash check, not "no fraud".
    function test_RevertWhen_BadStepLimitsOneParticipantShort() public {
        Commit memory c = _wrongAt(60, 1000);
        _claimBy012(c);
        StepProof memory p = _stepProof(c, 60);
        LimitPrices[] memory short = new LimitPrices[](N - 1);
        for (uint256 i = 0; i < N - 1; ++i) {
            short[i] = limits[i];
        }
        p.limits = PackedLimits.pack(short);
        _disputeReverts(
            abi.encodeWithSelector(
                AuctionMarketStep.LimitsHashMismatch.selector, LimitsHash.hash(limits), LimitsHash.hash(short)
            ),
            DisputeKind.BadStep,
            abi.encode(p)
        );
    }

    function _copyLimits(LimitPrices[] memory l) internal pure returns (LimitPrices[] memory out) {
        out = new LimitPrices[](l.length);
        for (uint256 i = 0; i < l.length; ++i) {
            out[i] = l[i];
        }
    }

    // ------------------------------------------------------------------ proofs built by the node's TypeScript

    /// node/src/vectors/dispute.ts folded the auction window and built a bad-step proof with the limit
    /// prices (vectors/dispute.json, `.auction`): the TypeScript fold, limits hash, packed limits and proof
    /// encoder agree with the hub's auction module and verifier byte for byte.
    function test_TypeScriptAuctionProof() public {
        nodeEntriesRoots = true; // the node's leaves (an auction's entries roots are zero)
        string memory json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/dispute.json"));
        assertEq(vm.parseJsonBytes32(json, ".auction.limitsHash"), LimitsHash.hash(limits), "TS limitsHash");
        bytes memory packed = vm.parseJsonBytes(json, ".auction.packedLimits");
        assertEq(packed, PackedLimits.pack(limits), "TS packLimits");
        assertEq(LimitsHash.hash(PackedLimits.unpack(packed)), LimitsHash.hash(limits), "PackedLimits.unpack");
        assertEq(vm.parseJsonBytes32(json, ".auction.honestWindowRoot"), _honest().root, "TS auction fold");
        bytes32 root = vm.parseJsonBytes32(json, ".auction.badStep.windowRoot");
        ParticipantState[] memory posted =
            abi.decode(vm.parseJsonBytes(json, ".auction.badStep.finalState"), (ParticipantState[]));
        _claim(0, root, posted, _signers(0, 3));
        _dispute(vm.parseJsonBytes(json, ".auction.badStep.proof"), "");
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "claim rejected");
        assertEq(_bondOf(hub, id, 0), 0, "signer slashed");
        assertEq(token.balanceOf(address(hub)), _liabilities(), "money conserved");
    }

    // ------------------------------------------------------------------ update gas

    /// The fast-path update of an auction window (every participant signs the honest S_W): the hub does
    /// not run the market, so it costs what any market's update costs at N = 10.
    function test_Gas_AuctionUpdate_N10_W96() public {
        Commit memory h = _honest();
        vm.warp(uint256(START) + uint256(W) * INTERVAL);
        bytes32 sh = keccak256(abi.encode(h.states[W - 1]));
        bytes32 bRoot = _balancesRoot(id, 0, h.states[W - 1]);
        bytes32 digest = _resultDigest(HUB, id, 0, h.root, sh, bRoot);
        bytes[] memory sigs = new bytes[](N);
        for (uint256 i = 0; i < N; ++i) {
            (bytes32 r, bytes32 vs) = vm.signCompact(keys[i], digest);
            // forge-lint: disable-next-line(unsafe-typecast)
            sigs[i] = abi.encodePacked(uint8(i), r, vs);
        }
        bytes memory co = _pack(sigs);
        bytes memory data = abi.encodeCall(hub.update, (id, 0, h.root, sh, bRoot, "", co));
        vm.cool(address(hub));
        vm.cool(address(ecdsaModule));
        vm.cool(address(token));
        uint256 g = gasleft();
        hub.update(id, 0, h.root, sh, bRoot, "", co);
        uint256 used = g - gasleft();
        vm.snapshotValue("AuctionChain", "update_fastPath_N10_W96", used);
        vm.snapshotValue("AuctionChain", "update_fastPath_N10_W96_txGas", transactionGas(data, used));
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Final));
        assertEq(token.balanceOf(address(hub)), _liabilities(), "money conserved");
    }

    // ------------------------------------------------------------------ open

    function _config(MarketKind kind, IMarketStep module) internal view returns (CommunityConfig memory c) {
        c.participants = nodes;
        c.meters = new Meter[](M);
        for (uint256 m = 0; m < M; ++m) {
            c.meters[m] = Meter(publicKeys[m], ED25519, uint32(m));
        }
        c.intervalSeconds = INTERVAL;
        c.windowIntervals = W;
        c.start = uint64(block.timestamp);
        c.windowCount = 1;
        c.market = MarketParams(kind, 250, 50, 0, LimitsHash.hash(limits), bytes32(0));
        c.token = token;
        c.bond = BOND;
        c.escrow = ESCROW;
        c.challengePeriod = CHALLENGE;
        c.modules = _modules(kind);
        c.modules.market = module;
    }

    /// Attack: open an auction community with the Totals or Mmr module, whose `Market.step` folds every
    /// kind but Mmr as Totals (disputes would recompute another market); or an Mmr one with the auction
    /// module. The hub refuses both.
    function test_RevertWhen_OpenAuctionWithAnotherMarketModule() public {
        vm.expectRevert(IHub.MarketKindMismatch.selector);
        hub.open(OpenCodec.encode(_config(MarketKind.Auction, totalsModule)));
        vm.expectRevert(IHub.MarketKindMismatch.selector);
        hub.open(OpenCodec.encode(_config(MarketKind.Auction, mmrModule)));
        vm.expectRevert(IHub.MarketKindMismatch.selector);
        hub.open(OpenCodec.encode(_config(MarketKind.Mmr, auctionModule)));
    }

    /// The Totals and Mmr module refuses to step auction parameters, and cannot be deployed for Auction.
    function test_RevertWhen_MarketStepModuleGivenAuction() public {
        MarketParams memory p = MarketParams(MarketKind.Auction, 250, 50, 0, LimitsHash.hash(limits), bytes32(0));
        vm.expectRevert(
            abi.encodeWithSelector(IMarketStep.WrongMarketKind.selector, MarketKind.Mmr, MarketKind.Auction)
        );
        mmrModule.step(p, Market.emptyState(N), new uint256[](N), new uint256[](N), limits);
        vm.expectRevert(abi.encodeWithSelector(MarketStep.UnsupportedMarketKind.selector, MarketKind.Auction));
        deployCode("MarketStep.sol:MarketStep", abi.encode(MarketKind.Auction));
    }

    /// The value bound at open uses the auction's own price bound, 2·buy (a clearing price is a midpoint of
    /// two prices at most the grid buy price), not buy + sell: prices that fit the pro-rata market's bound
    /// but not the auction's are refused for the auction only.
    function test_RevertWhen_OpenAuctionValueBoundOverflow() public {
        uint256 maxEnergy = uint256(W) * M * type(uint32).max;
        uint256 cap = uint256(uint128(type(int128).max));
        // buy + sell fits (sell = 0 here), 2·buy does not.
        uint128 buy = uint128(cap * 2000 / maxEnergy * 3 / 4);
        CommunityConfig memory c = _config(MarketKind.Mmr, mmrModule);
        c.market.gridBuyPrice = buy;
        c.market.gridSellPrice = 0;
        hub.open(OpenCodec.encode(c));
        c = _config(MarketKind.Auction, auctionModule);
        c.market.gridBuyPrice = buy;
        c.market.gridSellPrice = 0;
        vm.expectRevert(abi.encodeWithSelector(IHub.ValueBoundOverflow.selector, maxEnergy * (2 * uint256(buy)) / 2000));
        hub.open(OpenCodec.encode(c));
    }
}
