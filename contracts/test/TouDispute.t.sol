// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHub} from "../src/interfaces/IHub.sol";
import {IDisputeVerifier} from "../src/interfaces/IDisputeVerifier.sol";
import {Auction} from "../src/libraries/Auction.sol";
import {Market} from "../src/libraries/Market.sol";
import {Tariff, TouTariff} from "../src/libraries/Tariff.sol";
import {MarketKind, MarketParams, MeterEnergy, ParticipantState, StateHash} from "../src/types/Market.sol";
import {CommunityConfig, WindowStatus} from "../src/types/Community.sol";
import {DisputeKind, StepProof} from "../src/types/Dispute.sol";
import {AuctionParams, LimitsHash} from "../src/types/Auction.sol";
import {ConfigBuilder, Schedule} from "./utils/ConfigBuilder.sol";
import {DisputeFixture} from "./utils/DisputeFixture.sol";
import {transactionGas} from "./utils/TxGas.sol";
import {OpenCodec} from "../src/libraries/OpenCodec.sol";

/// @notice Time-of-use tariffs settled on chain (DESIGN.md §3, §5): a community commits to its tariff at
/// open (`MarketParams.tariffHash`, ceilings as the flat prices); a bad-step proof carries the tariff and the
/// verifier prices the disputed interval at its local hour (`Tariff.paramsAt`), exactly as the node's fold
/// (`paramsSchedule`). Shared by the auction and the Mmr community below.
abstract contract TouDisputeBase is DisputeFixture {
    function _disputeBadStep(bytes memory proof, string memory gasName) internal {
        _disputeIn("AuctionChain", DisputeKind.BadStep, proof, gasName);
    }

    /// @dev S_t folded from the claim's S_{t-1} and readings at `p` (what the verifier recomputes).
    function _stepAt(Commit memory c, uint256 t, MarketParams memory p) internal view returns (bytes32) {
        uint32[] memory owners = new uint32[](M);
        for (uint256 m = 0; m < M; ++m) {
            owners[m] = uint32(m);
        }
        ParticipantState[] memory prev = t == 0 ? Market.emptyState(N) : c.states[t - 1];
        MeterEnergy[] memory r = _energy(c, t);
        ParticipantState[] memory next = p.kind == MarketKind.Auction
            ? Auction.step(AuctionParams(p.gridBuyPrice, p.gridSellPrice, p.feederCapacityWh), prev, owners, r, limits)
            : Market.step(p, prev, owners, r);
        return StateHash.hash(next);
    }

    // ------------------------------------------------------------------ the commitment

    function test_CommunityCommitsToTariffWithCeilingsAsFlatPrices() public view {
        MarketParams memory m = hub.community(id).market;
        assertEq(m.tariffHash, Tariff.hash(_touTariff()));
        (uint128 maxBuy, uint128 maxSell) = Tariff.ceilings(_touTariff());
        assertEq(m.gridBuyPrice, maxBuy);
        assertEq(m.gridSellPrice, maxSell);
        assertEq(maxBuy, 260);
        assertEq(maxSell, 104);
    }

    /// Without the tariff the verifier would recompute the steps at the flat prices: most honest ToU steps
    /// would then look wrong. This is the attack on an honest claim that carrying the tariff closes.
    function test_FlatPricesWouldProveHonestTouStepsWrong() public view {
        Commit memory h = _honest();
        MarketParams memory flat = hub.community(id).market;
        uint256 differ;
        for (uint256 t = 0; t < W; ++t) {
            if (_stepAt(h, t, flat) != StateHash.hash(h.states[t])) ++differ;
        }
        assertGt(differ, 10, "the hourly prices change many steps");
    }

    // ------------------------------------------------------------------ bad step

    /// Attack: the signers move 1,000 tokens in step 60 of a ToU window. The proof carrying the tariff
    /// rejects the claim and slashes its signers.
    function test_BadStep_WrongTouStepIsSlashed() public {
        Commit memory c = _wrongAt(60, 1000);
        _claimBy012(c);
        _disputeBadStep(abi.encode(_stepProof(c, 60)), _gasName());
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "claim rejected");
        for (uint256 i = 0; i < N; ++i) {
            (uint256 aBond, uint256 aCredit,,,) = hub.member(id, i);
            assertEq(aBond, i < 3 ? 0 : BOND, i < 3 ? "signer slashed" : "non-signer keeps bond");
        }
        assertEq(token.balanceOf(address(hub)), _liabilities(), "money conserved");
    }

    /// A wrong first step (from S_0) under ToU is proven the same way.
    function test_BadStep_WrongFirstTouStepIsSlashed() public {
        Commit memory c = _wrongAt(0, 1);
        _claimBy012(c);
        _disputeBadStep(abi.encode(_stepProof(c, 0)), "");
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "claim rejected");
        assertEq(_bondOf(hub, id, 0), 0, "signer slashed");
    }

    /// A right step under ToU is not provable, at every hour of the day (weekday and local midnight).
    function test_RevertWhen_BadStepAgainstRightTouStep() public {
        Commit memory h = _honest();
        _claimBy012(h);
        for (uint256 t = 0; t < W; t += 7) {
            _disputeReverts(
                abi.encodeWithSelector(IDisputeVerifier.FraudNotProven.selector, DisputeKind.BadStep),
                DisputeKind.BadStep,
                abi.encode(_stepProof(h, t))
            );
        }
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Pending), "claim stands");
        assertEq(_bondOf(hub, id, 0), BOND, "nobody slashed");
    }

    /// Attack: a challenger carries another tariff (one hour's buy price changed) that would recompute the
    /// right step to another state. The verifier refuses a tariff that is not the committed one.
    function test_RevertWhen_BadStepWithWrongTariff() public {
        Commit memory h = _honest();
        _claimBy012(h);
        uint256 t = 60;
        TouTariff memory forged = _touTariff();
        (uint256 hour, bool weekend) = Tariff.localHour(forged.utcOffsetMinutes, uint256(START) + t * INTERVAL);
        assertFalse(weekend);
        forged.weekdayBuy[hour] = 10;
        forged.weekdaySell[hour] = 5;
        // Without the rule the forged prices would "prove" the honest step wrong.
        MarketParams memory p = Tariff.paramsAt(hub.community(id).market, forged, uint256(START) + t * INTERVAL);
        assertTrue(_stepAt(h, t, p) != StateHash.hash(h.states[t]), "the forged tariff changes the step");
        StepProof memory proof = _stepProof(h, t);
        proof.tariff = abi.encode(forged);
        _disputeReverts(
            abi.encodeWithSelector(
                IDisputeVerifier.TariffHashMismatch.selector, Tariff.hash(_touTariff()), Tariff.hash(forged)
            ),
            DisputeKind.BadStep,
            abi.encode(proof)
        );
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.Pending), "claim stands");
    }

    /// A proof without the tariff (the flat-price shape) is refused, not recomputed at the flat prices.
    function test_RevertWhen_BadStepWithoutTariff() public {
        Commit memory c = _wrongAt(60, 1000);
        _claimBy012(c);
        StepProof memory proof = _stepProof(c, 60);
        proof.tariff = "";
        _disputeReverts(
            abi.encodeWithSelector(
                IDisputeVerifier.TariffHashMismatch.selector, Tariff.hash(_touTariff()), keccak256("")
            ),
            DisputeKind.BadStep,
            abi.encode(proof)
        );
    }

    function _gasName() internal view virtual returns (string memory);
}

contract TouAuctionDisputeTest is TouDisputeBase {
    function setUp() public {
        _setUpTouCommunity(ED25519, MarketKind.Auction, _touTariff());
    }

    function _gasName() internal pure override returns (string memory) {
        return "badStep_ToU_N10_W96";
    }

    /// The bounds at open cover the tariff's hours through its ceilings: a tariff whose highest buy price
    /// overflows the auction's value bound cannot be opened with its ceilings as the flat prices.
    function test_RevertWhen_OpenTouValueBoundOverflow() public {
        TouTariff memory t = _touTariff();
        uint256 maxEnergy = uint256(W) * M * type(uint32).max;
        uint256 cap = uint256(uint128(type(int128).max));
        // forge-lint: disable-next-line(unsafe-typecast)
        t.weekendBuy[23] = uint128(cap * 2000 / maxEnergy);
        (uint128 maxBuy, uint128 maxSell) = Tariff.ceilings(t);
        assertEq(maxBuy, t.weekendBuy[23]);
        CommunityConfig memory c = ConfigBuilder.build(
            nodes,
            ConfigBuilder.meters(publicKeys, ED25519),
            Schedule(INTERVAL, W, START, 2, CHALLENGE),
            MarketParams(MarketKind.Auction, maxBuy, maxSell, 0, LimitsHash.hash(limits), Tariff.hash(t)),
            token,
            BOND,
            ESCROW,
            _modules(MarketKind.Auction)
        );
        vm.expectRevert(
            abi.encodeWithSelector(IHub.ValueBoundOverflow.selector, maxEnergy * (2 * uint256(maxBuy)) / 2000)
        );
        hub.open(OpenCodec.encode(c));
    }

    /// node/src/vectors/dispute.ts folded the ToU auction window with the tariff (`paramsSchedule`) and built
    /// the bad-step proof carrying it (vectors/dispute.json, `.tou`): the TypeScript fold, tariff hash and
    /// proof encoder agree with the hub's verifier and `Tariff` library byte for byte.
    function test_TypeScriptTouProof() public {
        nodeEntriesRoots = true; // the node's leaves (an auction's entries roots are zero)
        string memory json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/dispute.json"));
        assertEq(vm.parseJsonBytes32(json, ".tou.tariffHash"), Tariff.hash(_touTariff()), "TS tariffHash");
        assertEq(vm.parseJsonBytes32(json, ".tou.honestWindowRoot"), _honest().root, "TS ToU fold");
        assertTrue(
            vm.parseJsonBytes32(json, ".tou.honestWindowRoot")
                != vm.parseJsonBytes32(json, ".auction.honestWindowRoot"),
            "the tariff changes the window"
        );
        bytes32 root = vm.parseJsonBytes32(json, ".tou.badStep.windowRoot");
        ParticipantState[] memory posted =
            abi.decode(vm.parseJsonBytes(json, ".tou.badStep.finalState"), (ParticipantState[]));
        _claim(0, root, posted, _signers(0, 3));
        _disputeBadStep(vm.parseJsonBytes(json, ".tou.badStep.proof"), "");
        assertEq(uint8(hub.windowRecord(id, 0).status), uint8(WindowStatus.None), "claim rejected");
        assertEq(_bondOf(hub, id, 0), 0, "signer slashed");
        assertEq(token.balanceOf(address(hub)), _liabilities(), "money conserved");
    }
}

contract TouMmrDisputeTest is TouDisputeBase {
    function setUp() public {
        _setUpTouCommunity(ED25519, MarketKind.Mmr, _touTariff());
    }

    function _gasName() internal pure override returns (string memory) {
        return "badStep_ToU_mmr_N10_W96";
    }
}
