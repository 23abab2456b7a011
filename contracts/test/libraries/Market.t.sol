// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {console} from "forge-std/console.sol";
import {stdError} from "forge-std/StdError.sol";
import {Market} from "../../src/libraries/Market.sol";
import {StateHashVectors} from "../utils/StateHashVectors.sol";
import {EnergyVector} from "../../src/libraries/EnergyVector.sol";
import {PackedState} from "../../src/libraries/PackedState.sol";
import {MarketStep} from "../../src/modules/MarketStep.sol";
import {LimitPrices} from "../../src/types/Auction.sol";
import {MarketKind, MarketParams, ParticipantState, MeterEnergy, StateHash} from "../../src/types/Market.sol";

/// @dev Exposes the library's reverts to `vm.expectRevert` (they need an external call).
contract MarketHarness {
    function step(
        MarketParams memory p,
        ParticipantState[] memory prev,
        uint32[] memory meterOwner,
        MeterEnergy[] memory readings
    ) external pure returns (ParticipantState[] memory) {
        return Market.step(p, prev, meterOwner, readings);
    }

    function requireStateLength(ParticipantState[] memory s, uint256 participantCount) external pure {
        Market.requireStateLength(s, participantCount);
    }

    function addEnergy(ParticipantState[] memory prev, uint256[] memory e, uint256[] memory m)
        external
        pure
        returns (ParticipantState[] memory, uint256, uint256)
    {
        (uint256 s, uint256 d) = Market.addEnergy(prev, prev, e, m);
        return (prev, s, d);
    }

    function addFlows(ParticipantState[] memory prev, uint256[][4] memory a, uint256 matched, uint256 v)
        external
        pure
        returns (ParticipantState[] memory)
    {
        Market.addFlows(prev, prev, a[0], a[1], a[2], a[3], matched, v);
        return prev;
    }
}

/// @notice Replays `vectors/market.json` (written by `npm run vectors`), hand-computed cases, fuzzed
/// conservation and bounds, and the gas of one step.
contract MarketTest is Test {
    MarketHarness internal harness;
    string internal json;
    uint256 internal count;

    function setUp() public {
        harness = new MarketHarness();
        json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/market.json"));
        count = vm.parseJsonUint(json, ".count");
    }

    // ---------------------------------------------------------------- vectors

    function _case(uint256 c) internal pure returns (string memory) {
        return string.concat(".cases[", vm.toString(c), "]");
    }

    function _params(string memory j, uint256 c) internal pure returns (MarketParams memory p) {
        string memory k = _case(c);
        p.kind = MarketKind(vm.parseJsonUint(j, string.concat(k, ".kind")));
        p.gridBuyPrice = uint128(vm.parseJsonUint(j, string.concat(k, ".gridBuyPrice")));
        p.gridSellPrice = uint128(vm.parseJsonUint(j, string.concat(k, ".gridSellPrice")));
        p.feederCapacityWh = uint64(vm.parseJsonUint(j, string.concat(k, ".feederCapacityWh")));
    }

    function _meterOwner(string memory j, uint256 c) internal pure returns (uint32[] memory owners) {
        uint256[] memory raw = vm.parseJsonUintArray(j, string.concat(_case(c), ".meterOwner"));
        owners = new uint32[](raw.length);
        for (uint256 k; k < raw.length; ++k) {
            owners[k] = uint32(raw[k]);
        }
    }

    function _stepPath(uint256 c, uint256 t) internal pure returns (string memory) {
        return string.concat(_case(c), ".steps[", vm.toString(t), "]");
    }

    function _readings(string memory j, uint256 c, uint256 t) internal pure returns (MeterEnergy[] memory r) {
        string memory s = _stepPath(c, t);
        bool[] memory present = vm.parseJsonBoolArray(j, string.concat(s, ".present"));
        uint256[] memory exported = vm.parseJsonUintArray(j, string.concat(s, ".exportWh"));
        uint256[] memory imported = vm.parseJsonUintArray(j, string.concat(s, ".importWh"));
        r = new MeterEnergy[](present.length);
        for (uint256 k; k < present.length; ++k) {
            r[k] = MeterEnergy(present[k], uint32(exported[k]), uint32(imported[k]));
        }
    }

    function _column(string memory j, uint256 c, uint256 t, string memory field)
        internal
        pure
        returns (uint256[] memory)
    {
        return vm.parseJsonUintArray(j, string.concat(_stepPath(c, t), ".state.", field));
    }

    function _expectedState(string memory j, uint256 c, uint256 t) internal pure returns (ParticipantState[] memory s) {
        uint256[] memory exportWh = _column(j, c, t, "exportWh");
        uint256[] memory importWh = _column(j, c, t, "importWh");
        uint256[] memory p2pSoldWh = _column(j, c, t, "p2pSoldWh");
        uint256[] memory p2pBoughtWh = _column(j, c, t, "p2pBoughtWh");
        uint256[] memory gridSoldWh = _column(j, c, t, "gridSoldWh");
        uint256[] memory gridBoughtWh = _column(j, c, t, "gridBoughtWh");
        int256[] memory net = vm.parseJsonIntArray(j, string.concat(_stepPath(c, t), ".state.net"));
        s = new ParticipantState[](exportWh.length);
        for (uint256 i; i < s.length; ++i) {
            s[i] = ParticipantState(
                uint64(exportWh[i]),
                uint64(importWh[i]),
                uint64(p2pSoldWh[i]),
                uint64(p2pBoughtWh[i]),
                uint64(gridSoldWh[i]),
                uint64(gridBoughtWh[i]),
                net[i]
            );
        }
    }

    function _assertStateEq(ParticipantState[] memory got, ParticipantState[] memory want, string memory where)
        internal
        pure
    {
        assertEq(got.length, want.length, where);
        for (uint256 i; i < got.length; ++i) {
            string memory at = string.concat(where, " participant ", vm.toString(i));
            assertEq(got[i].exportWh, want[i].exportWh, string.concat(at, " exportWh"));
            assertEq(got[i].importWh, want[i].importWh, string.concat(at, " importWh"));
            assertEq(got[i].p2pSoldWh, want[i].p2pSoldWh, string.concat(at, " p2pSoldWh"));
            assertEq(got[i].p2pBoughtWh, want[i].p2pBoughtWh, string.concat(at, " p2pBoughtWh"));
            assertEq(got[i].gridSoldWh, want[i].gridSoldWh, string.concat(at, " gridSoldWh"));
            assertEq(got[i].gridBoughtWh, want[i].gridBoughtWh, string.concat(at, " gridBoughtWh"));
            assertEq(got[i].net, want[i].net, string.concat(at, " net"));
        }
    }

    function test_VectorsCoverBothKindsAndEdgeCases() public view {
        string memory j = json;
        assertGe(count, 48);
        bool[2] memory seen;
        for (uint256 c; c < count; ++c) {
            seen[uint256(_params(j, c).kind)] = true;
        }
        assertTrue(seen[0] && seen[1]);
    }

    /// @notice Every step of every vector: each field and the state hash equal the TypeScript result.
    function test_StepMatchesVectors() public view {
        string memory j = json;
        for (uint256 c; c < count; ++c) {
            MarketParams memory p = _params(j, c);
            uint32[] memory owners = _meterOwner(j, c);
            uint256 steps = vm.parseJsonUint(j, string.concat(_case(c), ".stepCount"));
            ParticipantState[] memory state =
                Market.emptyState(vm.parseJsonUint(j, string.concat(_case(c), ".participants")));
            for (uint256 t; t < steps; ++t) {
                string memory where = string.concat("case ", vm.toString(c), " step ", vm.toString(t));
                state = Market.step(p, state, owners, _readings(j, c, t));
                _assertStateEq(state, _expectedState(j, c, t), where);
                _assertHash(state, vm.parseJsonBytes32(j, string.concat(_stepPath(c, t), ".hash")), where);
            }
        }
    }

    /// @notice The market modules' packed entry point (`IMarketStep.stepHash`, what the dispute verifier calls)
    /// gives every vector step's hash from the previous state packed, as `step` does: one rule, two
    /// calling conventions. A step whose previous state has no encoding (prices beyond the bounds at open)
    /// cannot be handed over packed and is skipped.
    function test_ModuleStepHashMatchesVectors() public {
        MarketStep[2] memory modules = [new MarketStep(MarketKind.Totals), new MarketStep(MarketKind.Mmr)];
        string memory j = json;
        uint256 checked;
        for (uint256 c; c < count; ++c) {
            checked += _moduleStepHashes(j, modules[uint256(_params(j, c).kind)], c);
        }
        assertGt(checked, 100);
    }

    /// @dev Case `c` through `module`: at each step whose previous state has an encoding, `stepHash` over the
    /// packed inputs against the vector's hash; returns how many steps were checked.
    function _moduleStepHashes(string memory j, MarketStep module, uint256 c) internal view returns (uint256 checked) {
        ParticipantState[] memory state =
            Market.emptyState(vm.parseJsonUint(j, string.concat(_case(c), ".participants")));
        uint256 steps = vm.parseJsonUint(j, string.concat(_case(c), ".stepCount"));
        bool did;
        for (uint256 t; t < steps; ++t) {
            (state, did) = _stepAndCheck(j, module, state, c, t);
            if (did) ++checked;
        }
    }

    /// @dev Step t of case c through `module.step`; when `prev` has an encoding to hand over, `module.stepHash`
    /// over the packed inputs must give the vector's hash (zero: no encoding).
    function _stepAndCheck(string memory j, MarketStep module, ParticipantState[] memory prev, uint256 c, uint256 t)
        internal
        view
        returns (ParticipantState[] memory next, bool checked)
    {
        MarketParams memory p = _params(j, c);
        (uint256[] memory ex, uint256[] memory im) =
            Market.participantEnergy(prev.length, _meterOwner(j, c), _readings(j, c, t));
        (checked,) = StateHash.tryHash(prev);
        if (checked) {
            (bool ok, bytes32 h) = module.stepHash(p, PackedState.pack(prev), EnergyVector.pack(ex, im), "");
            assertEq(ok ? h : bytes32(0), vm.parseJsonBytes32(j, string.concat(_stepPath(c, t), ".hash")), "stepHash");
        }
        next = module.step(p, prev, ex, im, new LimitPrices[](0));
    }

    /// @notice `fold` over a vector's intervals ends in its last recorded state.
    function test_FoldMatchesLastVectorState() public view {
        string memory j = json;
        for (uint256 c; c < count; ++c) {
            uint256 steps = vm.parseJsonUint(j, string.concat(_case(c), ".stepCount"));
            MeterEnergy[][] memory intervals = new MeterEnergy[][](steps);
            for (uint256 t; t < steps; ++t) {
                intervals[t] = _readings(j, c, t);
            }
            ParticipantState[] memory last = Market.fold(
                _params(j, c),
                Market.emptyState(vm.parseJsonUint(j, string.concat(_case(c), ".participants"))),
                _meterOwner(j, c),
                intervals
            );
            _assertHash(last, vm.parseJsonBytes32(j, string.concat(_stepPath(c, steps - 1), ".hash")), "fold");
        }
    }

    function _assertHash(ParticipantState[] memory state, bytes32 expected, string memory where) internal pure {
        assertTrue(StateHashVectors.matches(state, expected), string.concat(where, " hash"));
    }

    // ---------------------------------------------------------------- hand-computed cases

    function _on(uint32 e, uint32 m) internal pure returns (MeterEnergy memory) {
        return MeterEnergy(true, e, m);
    }

    function _owners(uint256 n) internal pure returns (uint32[] memory o) {
        o = new uint32[](n);
        for (uint256 k; k < n; ++k) {
            o[k] = uint32(k);
        }
    }

    /// Mmr, prices 300/100 -> 0.2 token/Wh. Surplus [600, 0, 0], deficit [0, 200, 300]: M = min(600, 500,
    /// cap 400) = 400; sold [400, 0, 0]; bought = share(400, [200, 300]) = [160, 240]; value = 80;
    /// recv [80, 0, 0]; pay = share(80, [0, 160, 240]) = [0, 32, 48].
    function test_MmrHandCase() public pure {
        MarketParams memory p = MarketParams(MarketKind.Mmr, 300, 100, 400, bytes32(0), bytes32(0));
        MeterEnergy[] memory r = new MeterEnergy[](3);
        r[0] = _on(700, 100);
        r[1] = _on(0, 200);
        r[2] = _on(50, 350);
        ParticipantState[] memory s = Market.step(p, Market.emptyState(3), _owners(3), r);
        assertEq(s[0].exportWh, 700);
        assertEq(s[0].importWh, 100);
        assertEq(s[0].p2pSoldWh, 400);
        assertEq(s[0].gridSoldWh, 200);
        assertEq(s[0].net, 80);
        assertEq(s[1].p2pBoughtWh, 160);
        assertEq(s[1].gridBoughtWh, 40);
        assertEq(s[1].net, -32);
        assertEq(s[2].exportWh, 50);
        assertEq(s[2].p2pBoughtWh, 240);
        assertEq(s[2].gridBoughtWh, 60);
        assertEq(s[2].net, -48);
    }

    /// Totals, prices 250/80 -> value(V) = V * 330 / 2000. Interval 1: E = [10, 0, 0], I = [0, 3, 4].
    /// Interval 2 adds I = [0, 4, 0]: E = [10, 0, 0], I = [0, 7, 4]; V = 10, sold [10, 0, 0],
    /// bought = share(10, [0, 7, 4]) = floor [0, 6, 3] + remainder 1 to index 1 = [0, 7, 3];
    /// value = 1; pay = share(1, [0, 7, 3]) = [0, 0, 0] + 1 to index 1.
    function test_TotalsHandCaseRecomputesFromTotals() public pure {
        MarketParams memory p = MarketParams(MarketKind.Totals, 250, 80, 1, bytes32(0), bytes32(0));
        MeterEnergy[] memory r = new MeterEnergy[](3);
        r[0] = _on(10, 0);
        r[1] = _on(0, 3);
        r[2] = _on(0, 4);
        ParticipantState[] memory s = Market.step(p, Market.emptyState(3), _owners(3), r);
        assertEq(s[0].p2pSoldWh, 7);
        assertEq(s[0].gridSoldWh, 3);
        assertEq(s[0].net, 1);
        assertEq(s[1].net, -1);
        assertEq(s[2].net, 0);
        r[0] = _on(0, 0);
        r[1] = _on(0, 4);
        r[2] = MeterEnergy(false, 999, 999);
        s = Market.step(p, s, _owners(3), r);
        assertEq(s[0].p2pSoldWh, 10);
        assertEq(s[0].gridSoldWh, 0);
        assertEq(s[1].importWh, 7);
        assertEq(s[1].p2pBoughtWh, 7);
        assertEq(s[2].p2pBoughtWh, 3);
        assertEq(s[2].gridBoughtWh, 1);
        assertEq(s[0].net, 1);
        assertEq(s[1].net, -1);
        assertEq(s[2].net, 0);
    }

    function test_ValueIsFloorOfMidpointPerKwh() public pure {
        MarketParams memory p = MarketParams(MarketKind.Mmr, 251, 80, 0, bytes32(0), bytes32(0));
        assertEq(Market.value(p, 1000), 165);
        assertEq(Market.value(p, 7), 1); // 7 * 331 / 2000 = 1.1585
        assertEq(Market.value(p, 6), 0);
    }

    // ---------------------------------------------------------------- errors

    function test_RevertWhen_ReadingsLengthMismatch() public {
        vm.expectRevert(abi.encodeWithSelector(Market.MarketReadingsLengthMismatch.selector, 3, 2));
        harness.step(
            MarketParams(MarketKind.Mmr, 1, 1, 0, bytes32(0), bytes32(0)),
            Market.emptyState(3),
            _owners(3),
            new MeterEnergy[](2)
        );
    }

    function test_RevertWhen_MeterOwnerOutOfRange() public {
        uint32[] memory owners = _owners(3);
        owners[1] = 7;
        vm.expectRevert(abi.encodeWithSelector(Market.MarketMeterOwnerOutOfRange.selector, 1, 7, 3));
        harness.step(
            MarketParams(MarketKind.Totals, 1, 1, 0, bytes32(0), bytes32(0)),
            Market.emptyState(3),
            owners,
            new MeterEnergy[](3)
        );
    }

    function test_RevertWhen_StateLengthMismatch() public {
        vm.expectRevert(abi.encodeWithSelector(Market.MarketStateLengthMismatch.selector, 4, 3));
        harness.requireStateLength(Market.emptyState(3), 4);
    }

    function test_RevertWhen_CumulativeFieldOverflows() public {
        ParticipantState[] memory prev = Market.emptyState(1);
        prev[0].exportWh = type(uint64).max;
        MeterEnergy[] memory r = new MeterEnergy[](1);
        r[0] = _on(1, 0);
        vm.expectRevert(stdError.arithmeticError);
        harness.step(MarketParams(MarketKind.Mmr, 1, 1, 0, bytes32(0), bytes32(0)), prev, _owners(1), r);
    }

    /// The assembly halves of the Mmr and auction step (s15) keep the checked loops' failures, each case alone:
    /// a cumulative field past uint64 (each of the six), sold over the surplus or bought over the deficit
    /// (panic 0x11), a net past int256, and arrays shorter than the state (panic 0x32, as an index out of
    /// bounds did).
    function test_RevertWhen_AStepHalfOverflows() public {
        uint256[] memory one = _words(1);
        uint256[] memory zero = new uint256[](1);
        ParticipantState[] memory prev = Market.emptyState(1);
        // addEnergy: exportWh, then importWh.
        prev[0].exportWh = type(uint64).max;
        vm.expectRevert(stdError.arithmeticError);
        harness.addEnergy(prev, one, zero);
        prev[0].exportWh = 0;
        prev[0].importWh = type(uint64).max;
        vm.expectRevert(stdError.arithmeticError);
        harness.addEnergy(prev, zero, one);
        prev[0].importWh = 0;
        (ParticipantState[] memory ok, uint256 s, uint256 d) = harness.addEnergy(prev, _words(5), _words(3));
        assertEq(abi.encode(ok[0].exportWh, ok[0].importWh, s, d), abi.encode(uint64(5), uint64(3), 2, 0));
        vm.expectRevert(stdError.indexOOBError);
        harness.addEnergy(prev, new uint256[](0), zero);
        // addFlows (surplus, deficit, sold, bought): each uint64 field at its top, then one more.
        uint256[][4] memory a = [one, one, one, one];
        prev[0].p2pSoldWh = type(uint64).max;
        vm.expectRevert(stdError.arithmeticError);
        harness.addFlows(prev, a, 1, 0);
        prev[0].p2pSoldWh = 0;
        prev[0].p2pBoughtWh = type(uint64).max;
        vm.expectRevert(stdError.arithmeticError);
        harness.addFlows(prev, a, 1, 0);
        prev[0].p2pBoughtWh = 0;
        a = [_words(2), _words(2), one, one];
        prev[0].gridSoldWh = type(uint64).max;
        vm.expectRevert(stdError.arithmeticError);
        harness.addFlows(prev, a, 1, 0);
        prev[0].gridSoldWh = 0;
        prev[0].gridBoughtWh = type(uint64).max;
        vm.expectRevert(stdError.arithmeticError);
        harness.addFlows(prev, a, 1, 0);
        prev[0].gridBoughtWh = 0;
        // sold over the surplus, bought over the deficit.
        vm.expectRevert(stdError.arithmeticError);
        harness.addFlows(prev, [zero, one, one, one], 1, 0);
        vm.expectRevert(stdError.arithmeticError);
        harness.addFlows(prev, [one, zero, one, one], 1, 0);
        // The net: received 7 and paid 7 from the same sold and bought; one participant who sells 1 of 2
        // receives all of v = 7 and pays all of it: net unchanged. Then a net at int256's top that gains.
        ParticipantState[] memory got = harness.addFlows(prev, a, 1, 7);
        assertEq(got[0].net, 0);
        assertEq(abi.encode(got[0].p2pSoldWh, got[0].gridSoldWh), abi.encode(uint64(1), uint64(1)));
        ParticipantState[] memory two = Market.emptyState(2);
        two[0].net = type(int256).max;
        two[1].net = type(int256).min;
        uint256[] memory sellsBuys = new uint256[](2);
        sellsBuys[0] = 1;
        uint256[] memory buysSells = new uint256[](2);
        buysSells[1] = 1;
        // Participant 0 sells 1 and receives 7: past int256's top.
        vm.expectRevert(stdError.arithmeticError);
        harness.addFlows(two, [sellsBuys, buysSells, sellsBuys, buysSells], 1, 7);
        // Participant 1 buys 1 and pays 7 from int256's bottom (participant 0 at 0).
        two[0].net = 0;
        vm.expectRevert(stdError.arithmeticError);
        harness.addFlows(two, [sellsBuys, buysSells, sellsBuys, buysSells], 1, 7);
        vm.expectRevert(stdError.indexOOBError);
        harness.addFlows(prev, [one, one, new uint256[](0), one], 0, 0);
    }

    function _words(uint256 x) internal pure returns (uint256[] memory w) {
        w = new uint256[](1);
        w[0] = x;
    }

    // ---------------------------------------------------------------- fuzz

    struct Scenario {
        MarketParams p;
        uint256 participants;
        uint32[] owners;
        MeterEnergy[][] intervals;
    }

    /// @dev Deterministic scenario from a seed: up to 12 participants, 16 meters and 4 intervals.
    function _scenario(uint256 seed, bool mmr, uint128 buy, uint128 sell, uint64 cap)
        internal
        pure
        returns (Scenario memory sc)
    {
        sc.p = MarketParams(mmr ? MarketKind.Mmr : MarketKind.Totals, buy, sell, cap, bytes32(0), bytes32(0));
        sc.participants = 1 + seed % 12;
        uint256 meters = 1 + (seed >> 8) % 16;
        uint256 scale = [uint256(4), 1000, type(uint32).max][(seed >> 16) % 3];
        sc.owners = new uint32[](meters);
        for (uint256 k; k < meters; ++k) {
            sc.owners[k] = uint32(uint256(keccak256(abi.encode(seed, "owner", k))) % sc.participants);
        }
        sc.intervals = new MeterEnergy[][](1 + (seed >> 24) % 4);
        for (uint256 t; t < sc.intervals.length; ++t) {
            sc.intervals[t] = new MeterEnergy[](meters);
            for (uint256 k; k < meters; ++k) {
                uint256 h = uint256(keccak256(abi.encode(seed, t, k)));
                sc.intervals[t][k] = MeterEnergy(
                    h % 8 != 0,
                    uint32((h >> 8) % 3 == 0 ? (h >> 64) % (scale + 1) : 0),
                    uint32((h >> 128) % (scale + 1))
                );
            }
        }
    }

    function _sumNet(ParticipantState[] memory s) internal pure returns (int256 total) {
        for (uint256 i; i < s.length; ++i) {
            total += s[i].net;
        }
    }

    /// `stepEnergyInPlace` (a module's `stepHash`: S_t written over S_{t-1}) gives the state `stepEnergy` gives,
    /// and `stepEnergy` leaves S_{t-1} as it was (Totals reads each participant's fields before writing them).
    function testFuzz_StepInPlaceAgrees(uint256 seed, bool mmr, uint128 buy, uint128 sell, uint64 cap) public pure {
        Scenario memory sc = _scenario(seed, mmr, buy, sell, cap);
        ParticipantState[] memory s = Market.emptyState(sc.participants);
        for (uint256 t; t < sc.intervals.length; ++t) {
            (uint256[] memory ex, uint256[] memory im) =
                Market.participantEnergy(sc.participants, sc.owners, sc.intervals[t]);
            (uint256[] memory ex2, uint256[] memory im2) =
                Market.participantEnergy(sc.participants, sc.owners, sc.intervals[t]);
            bytes32 before = keccak256(abi.encode(s));
            ParticipantState[] memory next = Market.stepEnergy(sc.p, s, ex, im);
            assertEq(keccak256(abi.encode(s)), before, "stepEnergy leaves S_{t-1}");
            Market.stepEnergyInPlace(sc.p, s, ex2, im2);
            assertEq(keccak256(abi.encode(s)), keccak256(abi.encode(next)), "in place = stepEnergy");
        }
    }

    function testFuzz_MoneyConserved(uint256 seed, bool mmr, uint128 buy, uint128 sell, uint64 cap) public pure {
        Scenario memory sc = _scenario(seed, mmr, buy, sell, cap);
        ParticipantState[] memory s = Market.emptyState(sc.participants);
        for (uint256 t; t < sc.intervals.length; ++t) {
            s = Market.step(sc.p, s, sc.owners, sc.intervals[t]);
            assertEq(_sumNet(s), 0);
        }
    }

    /// @notice Σ p2pSold = Σ p2pBought, and every Wh of export/import is either P2P or grid (Totals), or
    /// every Wh of interval surplus/deficit is (Mmr).
    function testFuzz_EnergyConserved(uint256 seed, bool mmr, uint64 cap) public pure {
        Scenario memory sc = _scenario(seed, mmr, 250, 80, cap);
        ParticipantState[] memory s = Market.emptyState(sc.participants);
        for (uint256 t; t < sc.intervals.length; ++t) {
            s = Market.step(sc.p, s, sc.owners, sc.intervals[t]);
            uint256 sold;
            uint256 bought;
            for (uint256 i; i < s.length; ++i) {
                sold += s[i].p2pSoldWh;
                bought += s[i].p2pBoughtWh;
                if (!mmr) {
                    assertEq(uint256(s[i].p2pSoldWh) + s[i].gridSoldWh, s[i].exportWh);
                    assertEq(uint256(s[i].p2pBoughtWh) + s[i].gridBoughtWh, s[i].importWh);
                } else {
                    // Net flows: (sold + grid sold) - (bought + grid bought) = export - import.
                    assertEq(
                        int256(uint256(s[i].p2pSoldWh) + s[i].gridSoldWh)
                            - int256(uint256(s[i].p2pBoughtWh) + s[i].gridBoughtWh),
                        int256(uint256(s[i].exportWh)) - int256(uint256(s[i].importWh))
                    );
                }
            }
            assertEq(sold, bought);
        }
    }

    /// @dev Per-participant interval energy (e_i, m_i) of one interval.
    function _interval(uint256 n, uint32[] memory owners, MeterEnergy[] memory r)
        internal
        pure
        returns (uint256[] memory e, uint256[] memory m)
    {
        e = new uint256[](n);
        m = new uint256[](n);
        for (uint256 k; k < r.length; ++k) {
            if (r[k].present) {
                e[owners[k]] += r[k].exportWh;
                m[owners[k]] += r[k].importWh;
            }
        }
    }

    /// @notice Mmr: per interval, matched <= min(S, D, cap) and each sold_i <= s_i, bought_i <= d_i;
    /// Totals: matched = min(Σ E, Σ I) and p2pSold_i <= E_i, p2pBought_i <= I_i.
    function testFuzz_MatchedWithinSurplusDeficitAndCap(uint256 seed, bool mmr, uint64 cap) public pure {
        Scenario memory sc = _scenario(seed, mmr, 250, 80, cap);
        ParticipantState[] memory prev = Market.emptyState(sc.participants);
        for (uint256 t; t < sc.intervals.length; ++t) {
            ParticipantState[] memory next = Market.step(sc.p, prev, sc.owners, sc.intervals[t]);
            (uint256[] memory e, uint256[] memory m) = _interval(sc.participants, sc.owners, sc.intervals[t]);
            uint256 matched;
            uint256 surplus;
            uint256 deficit;
            for (uint256 i; i < next.length; ++i) {
                if (mmr) {
                    uint256 s = e[i] > m[i] ? e[i] - m[i] : 0;
                    uint256 d = m[i] > e[i] ? m[i] - e[i] : 0;
                    uint256 sold = next[i].p2pSoldWh - prev[i].p2pSoldWh;
                    assertLe(sold, s);
                    assertLe(next[i].p2pBoughtWh - prev[i].p2pBoughtWh, d);
                    matched += sold;
                    surplus += s;
                    deficit += d;
                } else {
                    assertLe(next[i].p2pSoldWh, next[i].exportWh);
                    assertLe(next[i].p2pBoughtWh, next[i].importWh);
                    matched += next[i].p2pSoldWh;
                    surplus += next[i].exportWh;
                    deficit += next[i].importWh;
                }
            }
            uint256 limit = surplus < deficit ? surplus : deficit;
            if (mmr) {
                if (cap != 0 && cap < limit) limit = cap;
                assertEq(matched, limit);
            } else {
                assertEq(matched, limit);
            }
            prev = next;
        }
    }

    /// @notice 50 meters at uint32 max on both fields for 16 intervals with uint128 max prices: no overflow.
    function testFuzz_NoOverflowForBoundedInputs(bool mmr, uint64 cap, uint256 seed) public pure {
        uint256 n = 50;
        MarketParams memory p = MarketParams(
            mmr ? MarketKind.Mmr : MarketKind.Totals, type(uint128).max, type(uint128).max, cap, bytes32(0), bytes32(0)
        );
        uint32[] memory owners = new uint32[](n);
        MeterEnergy[] memory r = new MeterEnergy[](n);
        for (uint256 k; k < n; ++k) {
            owners[k] = uint32(uint256(keccak256(abi.encode(seed, k))) % 7);
            bool seller = uint256(keccak256(abi.encode(seed, "side", k))) % 2 == 0;
            r[k] = MeterEnergy(true, seller ? type(uint32).max : 0, seller ? 0 : type(uint32).max);
        }
        ParticipantState[] memory s = Market.emptyState(7);
        for (uint256 t; t < 16; ++t) {
            s = Market.step(p, s, owners, r);
        }
        assertEq(_sumNet(s), 0);
    }

    // ---------------------------------------------------------------- gas

    function _gasScenario(uint256 meters, MarketKind kind)
        internal
        pure
        returns (MarketParams memory p, ParticipantState[] memory prev, uint32[] memory owners, MeterEnergy[] memory r)
    {
        p = MarketParams(kind, 250, 80, 0, bytes32(0), bytes32(0));
        owners = _owners(meters);
        r = new MeterEnergy[](meters);
        for (uint256 k; k < meters; ++k) {
            r[k] = k % 3 == 0 ? _on(uint32(1000 + 37 * k), 11) : _on(7, uint32(400 + 13 * k));
        }
        // A mid-window S_{t-1}, as a dispute would supply.
        prev = Market.step(p, Market.emptyState(meters), owners, r);
    }

    function _measure(uint256 meters, MarketKind kind, string memory name) internal {
        (MarketParams memory p, ParticipantState[] memory prev, uint32[] memory owners, MeterEnergy[] memory r) =
            _gasScenario(meters, kind);
        vm.startSnapshotGas("Market", name);
        Market.step(p, prev, owners, r);
        uint256 used = vm.stopSnapshotGas();
        // The same step behind an external call, as an arbiter contract pays it (ABI decoding included).
        vm.startSnapshotGas("Market", string.concat(name, " (external call)"));
        harness.step(p, prev, owners, r);
        uint256 external_ = vm.stopSnapshotGas();
        console.log(name, used, external_);
    }

    // One test per size: each starts with fresh memory, so earlier allocations do not inflate the cost.
    // `forge test --match-path contracts/test/libraries/Market.t.sol --match-test Gas -vv` prints them;
    // `snapshots/Market.json` records them.

    function test_GasStepMmr10Meters() public {
        _measure(10, MarketKind.Mmr, "step Mmr 10 meters");
    }

    function test_GasStepMmr50Meters() public {
        _measure(50, MarketKind.Mmr, "step Mmr 50 meters");
    }

    function test_GasStepTotals10Meters() public {
        _measure(10, MarketKind.Totals, "step Totals 10 meters");
    }

    function test_GasStepTotals50Meters() public {
        _measure(50, MarketKind.Totals, "step Totals 50 meters");
    }
}
