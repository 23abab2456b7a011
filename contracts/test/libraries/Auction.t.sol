// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {console} from "forge-std/console.sol";
import {stdError} from "forge-std/StdError.sol";
import {Auction} from "../../src/libraries/Auction.sol";
import {Market} from "../../src/libraries/Market.sol";
import {StateHashVectors} from "../utils/StateHashVectors.sol";
import {ParticipantState, MeterEnergy} from "../../src/types/Market.sol";
import {AuctionParams, LimitPrices, AuctionClearing} from "../../src/types/Auction.sol";

/// @dev Exposes the library's reverts to `vm.expectRevert` and measures a step behind an external call.
contract AuctionHarness {
    function step(
        AuctionParams memory p,
        ParticipantState[] memory prev,
        uint32[] memory meterOwner,
        MeterEnergy[] memory readings,
        LimitPrices[] memory limits
    ) external pure returns (ParticipantState[] memory) {
        return Auction.step(p, prev, meterOwner, readings, limits);
    }
}

/// @notice Replays `vectors/auction.json` (written by `npm run vectors`) byte for byte, hand-computed
/// cases, the attacks the rules stop, fuzzed conservation and individual rationality, and the gas of a step.
contract AuctionTest is Test {
    AuctionHarness internal harness;
    string internal json;
    uint256 internal count;

    function setUp() public {
        harness = new AuctionHarness();
        json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/vectors/auction.json"));
        count = vm.parseJsonUint(json, ".count");
    }

    // ---------------------------------------------------------------- vectors

    function _case(uint256 c) internal pure returns (string memory) {
        return string.concat(".cases[", vm.toString(c), "]");
    }

    function _stepPath(uint256 c, uint256 t) internal pure returns (string memory) {
        return string.concat(_case(c), ".steps[", vm.toString(t), "]");
    }

    function _uint(string memory j, string memory path) internal pure returns (uint256) {
        return vm.parseJsonUint(j, path);
    }

    function _meterOwner(string memory j, uint256 c) internal pure returns (uint32[] memory owners) {
        uint256[] memory raw = vm.parseJsonUintArray(j, string.concat(_case(c), ".meterOwner"));
        owners = new uint32[](raw.length);
        for (uint256 k; k < raw.length; ++k) {
            owners[k] = uint32(raw[k]);
        }
    }

    function _limits(string memory j, uint256 c) internal pure returns (LimitPrices[] memory l) {
        uint256[] memory bid = vm.parseJsonUintArray(j, string.concat(_case(c), ".bidPrice"));
        uint256[] memory ask = vm.parseJsonUintArray(j, string.concat(_case(c), ".askPrice"));
        l = new LimitPrices[](bid.length);
        for (uint256 i; i < bid.length; ++i) {
            l[i] = LimitPrices(uint128(bid[i]), uint128(ask[i]));
        }
    }

    function _params(string memory j, uint256 c, uint256 t) internal pure returns (AuctionParams memory p) {
        string memory s = _stepPath(c, t);
        p.gridBuyPrice = uint128(_uint(j, string.concat(s, ".gridBuyPrice")));
        p.gridSellPrice = uint128(_uint(j, string.concat(s, ".gridSellPrice")));
        p.feederCapacityWh = uint64(_uint(j, string.concat(_case(c), ".feederCapacityWh")));
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

    function _assertClearing(string memory j, uint256 c, uint256 t, AuctionClearing memory got, string memory where)
        internal
        pure
    {
        string memory s = _stepPath(c, t);
        assertEq(got.matchedWh, _uint(j, string.concat(s, ".matchedWh")), string.concat(where, " matchedWh"));
        assertEq(got.marginalBid, _uint(j, string.concat(s, ".marginalBid")), string.concat(where, " marginalBid"));
        assertEq(got.marginalAsk, _uint(j, string.concat(s, ".marginalAsk")), string.concat(where, " marginalAsk"));
        assertEq(got.value, _uint(j, string.concat(s, ".value")), string.concat(where, " value"));
    }

    function test_VectorsCoverTheEdgeCases() public view {
        assertGe(count, 60);
    }

    /// @notice Every step of every vector: the clearing, the encoded state and its hash equal TypeScript's.
    function test_StepMatchesVectors() public view {
        string memory j = json;
        for (uint256 c; c < count; ++c) {
            uint32[] memory owners = _meterOwner(j, c);
            LimitPrices[] memory limits = _limits(j, c);
            uint256 steps = _uint(j, string.concat(_case(c), ".stepCount"));
            ParticipantState[] memory state = Market.emptyState(_uint(j, string.concat(_case(c), ".participants")));
            for (uint256 t; t < steps; ++t) {
                string memory where = string.concat("case ", vm.toString(c), " step ", vm.toString(t));
                AuctionClearing memory clearing;
                (state, clearing) =
                    Auction.stepWithClearing(_params(j, c, t), state, owners, _readings(j, c, t), limits);
                _assertClearing(j, c, t, clearing, where);
                // Field by field, through the ABI encoding of both states.
                assertEq(
                    keccak256(abi.encode(state)),
                    keccak256(abi.encode(_expectedState(j, c, t))),
                    string.concat(where, " bytes")
                );
                assertTrue(
                    StateHashVectors.matches(state, vm.parseJsonBytes32(j, string.concat(_stepPath(c, t), ".hash"))),
                    string.concat(where, " hash")
                );
            }
        }
    }

    // ---------------------------------------------------------------- hand cases

    function _on(uint32 e, uint32 m) internal pure returns (MeterEnergy memory) {
        return MeterEnergy(true, e, m);
    }

    function _owners(uint256 n) internal pure returns (uint32[] memory o) {
        o = new uint32[](n);
        for (uint256 k; k < n; ++k) {
            o[k] = uint32(k);
        }
    }

    /// @notice Asks 100 Wh @60, 100 @90, 100 @180; bids 120 @280, 120 @200, 120 @100 (grid 300 / 50).
    /// Walking the books: 100 (280 vs 60), 20 (280 vs 90), 80 (200 vs 90), 40 (200 vs 180); 100 vs 180 stops.
    /// Q = 240, pb = 200, pa = 180, value = floor(240 * 380 / 2000) = 45.
    function test_MeritOrderHandCase() public pure {
        MeterEnergy[] memory r = new MeterEnergy[](6);
        r[0] = _on(100, 0);
        r[1] = _on(100, 0);
        r[2] = _on(100, 0);
        r[3] = _on(0, 120);
        r[4] = _on(0, 120);
        r[5] = _on(0, 120);
        LimitPrices[] memory l = new LimitPrices[](6);
        l[0] = LimitPrices(0, 60);
        l[1] = LimitPrices(0, 180);
        l[2] = LimitPrices(0, 90);
        l[3] = LimitPrices(280, 0);
        l[4] = LimitPrices(100, 0);
        l[5] = LimitPrices(200, 0);
        (ParticipantState[] memory s, AuctionClearing memory c) =
            Auction.stepWithClearing(AuctionParams(300, 50, 0), Market.emptyState(6), _owners(6), r, l);
        assertEq(c.matchedWh, 240);
        assertEq(c.marginalBid, 200);
        assertEq(c.marginalAsk, 180);
        assertEq(c.value, 45);
        // Asks: 60 and 90 filled whole, 180 gets the last 40 of Q.
        assertEq(s[0].p2pSoldWh, 100);
        assertEq(s[2].p2pSoldWh, 100);
        assertEq(s[1].p2pSoldWh, 40);
        assertEq(s[1].gridSoldWh, 60);
        // Bids: 280 and 200 filled whole, 100 gets nothing.
        assertEq(s[3].p2pBoughtWh, 120);
        assertEq(s[5].p2pBoughtWh, 120);
        assertEq(s[4].p2pBoughtWh, 0);
        assertEq(s[4].gridBoughtWh, 120);
        // received = share(45, [100, 40, 100]) = [18, 8, 19] -> floors 18, 7, 18 and 2 remainder units to 0, 1.
        assertEq(s[0].net, 19);
        assertEq(s[1].net, 8);
        assertEq(s[2].net, 18);
        // paid = share(45, [120, 0, 120]) at indices 3, 5: floors 22, 22, one unit to index 3.
        assertEq(s[3].net, -23);
        assertEq(s[5].net, -22);
    }

    /// @notice Three bids tied at 200 for 30, 60, 90 Wh against one 100 Wh ask: share(100, [30, 60, 90]).
    function test_TiesAtTheMarginAreRationedProRata() public pure {
        MeterEnergy[] memory r = new MeterEnergy[](4);
        r[0] = _on(100, 0);
        r[1] = _on(0, 30);
        r[2] = _on(0, 60);
        r[3] = _on(0, 90);
        LimitPrices[] memory l = new LimitPrices[](4);
        l[0] = LimitPrices(0, 100);
        l[1] = LimitPrices(200, 0);
        l[2] = LimitPrices(200, 0);
        l[3] = LimitPrices(200, 0);
        ParticipantState[] memory s = Auction.step(AuctionParams(300, 50, 0), Market.emptyState(4), _owners(4), r, l);
        assertEq(s[1].p2pBoughtWh, 17); // 16 + the remainder unit (lowest index)
        assertEq(s[2].p2pBoughtWh, 33);
        assertEq(s[3].p2pBoughtWh, 50);
    }

    /// @notice Attack: a buyer declares a limit far above the grid price to jump the queue and push the
    /// clearing price up for everyone. The grid buy price caps every bid: it ties with honest bids at the
    /// cap and is rationed pro rata, and the price stays within the grid's.
    function test_BidAboveGridPriceIsCappedAtIt() public pure {
        MeterEnergy[] memory r = new MeterEnergy[](3);
        r[0] = _on(60, 0);
        r[1] = _on(0, 60);
        r[2] = _on(0, 60);
        LimitPrices[] memory l = new LimitPrices[](3);
        l[0] = LimitPrices(0, 50);
        l[1] = LimitPrices(type(uint128).max, 0);
        l[2] = LimitPrices(250, 0);
        (ParticipantState[] memory s, AuctionClearing memory c) =
            Auction.stepWithClearing(AuctionParams(250, 50, 0), Market.emptyState(3), _owners(3), r, l);
        assertEq(c.marginalBid, 250);
        assertEq(s[1].p2pBoughtWh, 30);
        assertEq(s[2].p2pBoughtWh, 30);
    }

    /// @notice The feeder cap cuts Q; the margin moves to the best orders.
    function test_FeederCapacityBinds() public pure {
        MeterEnergy[] memory r = new MeterEnergy[](4);
        r[0] = _on(200, 0);
        r[1] = _on(200, 0);
        r[2] = _on(0, 200);
        r[3] = _on(0, 200);
        LimitPrices[] memory l = new LimitPrices[](4);
        l[0] = LimitPrices(0, 60);
        l[1] = LimitPrices(0, 120);
        l[2] = LimitPrices(280, 0);
        l[3] = LimitPrices(150, 0);
        (ParticipantState[] memory s, AuctionClearing memory c) =
            Auction.stepWithClearing(AuctionParams(300, 50, 250), Market.emptyState(4), _owners(4), r, l);
        assertEq(c.matchedWh, 250);
        assertEq(s[0].p2pSoldWh, 200);
        assertEq(s[1].p2pSoldWh, 50);
        assertEq(s[2].p2pBoughtWh, 200);
        assertEq(s[3].p2pBoughtWh, 50);
        assertEq(c.marginalBid, 150);
        assertEq(c.marginalAsk, 120);
    }

    function test_RevertWhen_LimitsLengthMismatch() public {
        vm.expectRevert(abi.encodeWithSelector(Auction.AuctionLimitsLengthMismatch.selector, 2, 1));
        harness.step(
            AuctionParams(300, 50, 0), Market.emptyState(2), _owners(2), new MeterEnergy[](2), new LimitPrices[](1)
        );
    }

    function test_RevertWhen_ReadingsLengthMismatch() public {
        vm.expectRevert(abi.encodeWithSelector(Market.MarketReadingsLengthMismatch.selector, 2, 3));
        harness.step(
            AuctionParams(300, 50, 0), Market.emptyState(2), _owners(2), new MeterEnergy[](3), new LimitPrices[](2)
        );
    }

    function test_RevertWhen_MeterOwnerOutOfRange() public {
        uint32[] memory owners = _owners(3);
        vm.expectRevert(abi.encodeWithSelector(Market.MarketMeterOwnerOutOfRange.selector, 2, 2, 2));
        harness.step(
            AuctionParams(300, 50, 0), Market.emptyState(2), owners, new MeterEnergy[](3), new LimitPrices[](2)
        );
    }

    function test_RevertWhen_CumulativeFieldOverflows() public {
        ParticipantState[] memory prev = Market.emptyState(2);
        prev[0].exportWh = type(uint64).max;
        MeterEnergy[] memory r = new MeterEnergy[](2);
        r[0] = _on(1, 0);
        vm.expectRevert(stdError.arithmeticError);
        harness.step(AuctionParams(300, 50, 0), prev, _owners(2), r, new LimitPrices[](2));
    }

    // ---------------------------------------------------------------- fuzz

    struct Scenario {
        AuctionParams p;
        uint256 participants;
        uint32[] owners;
        LimitPrices[] limits;
        MeterEnergy[][] intervals;
    }

    /// @dev Deterministic scenario from a seed: up to 12 participants, 16 meters, 4 intervals, prices
    /// from a few levels (ties are frequent).
    function _scenario(uint256 seed, uint128 buy, uint128 sell, uint64 cap) internal pure returns (Scenario memory sc) {
        sc.p = AuctionParams(buy, sell, cap);
        sc.participants = 1 + seed % 12;
        uint256 meters = 1 + (seed >> 8) % 16;
        uint256 scale = [uint256(4), 1000, type(uint32).max][(seed >> 16) % 3];
        sc.owners = new uint32[](meters);
        for (uint256 k; k < meters; ++k) {
            sc.owners[k] = uint32(uint256(keccak256(abi.encode(seed, "owner", k))) % sc.participants);
        }
        sc.limits = new LimitPrices[](sc.participants);
        uint128[5] memory levels = [uint128(0), 80, 120, 250, type(uint128).max];
        for (uint256 i; i < sc.participants; ++i) {
            uint256 h = uint256(keccak256(abi.encode(seed, "limit", i)));
            sc.limits[i] = LimitPrices(levels[h % 5], levels[(h >> 8) % 5]);
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

    function _interval(uint256 n, uint32[] memory owners, MeterEnergy[] memory r)
        internal
        pure
        returns (uint256[] memory s, uint256[] memory d)
    {
        s = new uint256[](n);
        d = new uint256[](n);
        for (uint256 k; k < r.length; ++k) {
            if (r[k].present) {
                s[owners[k]] += r[k].exportWh;
                d[owners[k]] += r[k].importWh;
            }
        }
        for (uint256 i; i < n; ++i) {
            (s[i], d[i]) = s[i] >= d[i] ? (s[i] - d[i], uint256(0)) : (uint256(0), d[i] - s[i]);
        }
    }

    /// `stepEnergyInPlace` (the module's `stepHash`: S_t written over S_{t-1}) gives the state `stepEnergy`
    /// gives, and `stepEnergy` leaves S_{t-1} as it was.
    function testFuzz_StepInPlaceAgrees(uint256 seed, uint128 buy, uint128 sell, uint64 cap) public pure {
        Scenario memory sc = _scenario(seed, buy, sell, cap);
        ParticipantState[] memory s = Market.emptyState(sc.participants);
        for (uint256 t; t < sc.intervals.length; ++t) {
            (uint256[] memory ex, uint256[] memory im) =
                Market.participantEnergy(sc.participants, sc.owners, sc.intervals[t]);
            (uint256[] memory ex2, uint256[] memory im2) =
                Market.participantEnergy(sc.participants, sc.owners, sc.intervals[t]);
            bytes32 before = keccak256(abi.encode(s));
            ParticipantState[] memory next = Auction.stepEnergy(sc.p, s, ex, im, sc.limits);
            assertEq(keccak256(abi.encode(s)), before, "stepEnergy leaves S_{t-1}");
            Auction.stepEnergyInPlace(sc.p, s, ex2, im2, sc.limits);
            assertEq(keccak256(abi.encode(s)), keccak256(abi.encode(next)), "in place = stepEnergy");
        }
    }

    /// @notice Σ net = 0 after every step, for any prices (uint128) and capacity.
    function testFuzz_MoneyConserved(uint256 seed, uint128 buy, uint128 sell, uint64 cap) public pure {
        Scenario memory sc = _scenario(seed, buy, sell, cap);
        ParticipantState[] memory s = Market.emptyState(sc.participants);
        for (uint256 t; t < sc.intervals.length; ++t) {
            s = Auction.step(sc.p, s, sc.owners, sc.intervals[t], sc.limits);
            int256 total;
            for (uint256 i; i < s.length; ++i) {
                total += s[i].net;
            }
            assertEq(total, 0);
        }
    }

    /// @notice Per interval: Σ sold = Σ bought = Q <= min(S, D, cap); sold_i <= s_i, bought_i <= d_i; every
    /// Wh of surplus and deficit is either P2P or grid.
    function testFuzz_EnergyConserved(uint256 seed, uint128 buy, uint128 sell, uint64 cap) public pure {
        Scenario memory sc = _scenario(seed, buy, sell, cap);
        ParticipantState[] memory prev = Market.emptyState(sc.participants);
        for (uint256 t; t < sc.intervals.length; ++t) {
            (ParticipantState[] memory next, AuctionClearing memory c) =
                Auction.stepWithClearing(sc.p, prev, sc.owners, sc.intervals[t], sc.limits);
            (uint256[] memory s, uint256[] memory d) = _interval(sc.participants, sc.owners, sc.intervals[t]);
            uint256 sold;
            uint256 bought;
            uint256 supply;
            uint256 demand;
            for (uint256 i; i < next.length; ++i) {
                uint256 si = next[i].p2pSoldWh - prev[i].p2pSoldWh;
                uint256 bi = next[i].p2pBoughtWh - prev[i].p2pBoughtWh;
                assertLe(si, s[i]);
                assertLe(bi, d[i]);
                assertEq(si + next[i].gridSoldWh - prev[i].gridSoldWh, s[i]);
                assertEq(bi + next[i].gridBoughtWh - prev[i].gridBoughtWh, d[i]);
                sold += si;
                bought += bi;
                supply += s[i];
                demand += d[i];
            }
            assertEq(sold, c.matchedWh);
            assertEq(bought, c.matchedWh);
            assertLe(c.matchedWh, supply < demand ? supply : demand);
            if (cap != 0) assertLe(c.matchedWh, cap);
            prev = next;
        }
    }

    /// @notice Individual rationality: a buyer pays at most its bid in force per kWh and a seller receives
    /// at least its ask in force (up to the one-unit remainders of the rounding).
    function testFuzz_NobodyTradesBeyondItsLimit(uint256 seed, uint64 cap) public pure {
        Scenario memory sc = _scenario(seed, 300, 50, cap);
        ParticipantState[] memory prev = Market.emptyState(sc.participants);
        for (uint256 t; t < sc.intervals.length; ++t) {
            ParticipantState[] memory next = Auction.step(sc.p, prev, sc.owners, sc.intervals[t], sc.limits);
            for (uint256 i; i < next.length; ++i) {
                int256 flow = next[i].net - prev[i].net;
                uint256 bi = next[i].p2pBoughtWh - prev[i].p2pBoughtWh;
                uint256 si = next[i].p2pSoldWh - prev[i].p2pSoldWh;
                uint256 bid = sc.limits[i].bidPrice < 300 ? sc.limits[i].bidPrice : 300;
                uint256 ask = sc.limits[i].askPrice > 50 ? sc.limits[i].askPrice : 50;
                if (bi > 0) assertLe(uint256(-flow) * 1000, bi * bid + 1000);
                if (si > 0) assertGe(uint256(flow) * 1000 + 2000, si * ask);
            }
            prev = next;
        }
    }

    // ---------------------------------------------------------------- gas

    function _measure(uint256 meters, string memory name) internal {
        AuctionParams memory p = AuctionParams(250, 80, 0);
        uint32[] memory owners = _owners(meters);
        MeterEnergy[] memory r = new MeterEnergy[](meters);
        LimitPrices[] memory l = new LimitPrices[](meters);
        for (uint256 k; k < meters; ++k) {
            r[k] = k % 3 == 0 ? _on(uint32(1000 + 37 * k), 11) : _on(7, uint32(400 + 13 * k));
            l[k] = LimitPrices(uint128(120 + (k * 37) % 130), uint128(60 + (k * 53) % 120));
        }
        // A mid-window S_{t-1}, as a dispute would supply.
        ParticipantState[] memory prev = Auction.step(p, Market.emptyState(meters), owners, r, l);
        vm.startSnapshotGas("Auction", name);
        Auction.step(p, prev, owners, r, l);
        uint256 used = vm.stopSnapshotGas();
        vm.startSnapshotGas("Auction", string.concat(name, " (external call)"));
        harness.step(p, prev, owners, r, l);
        uint256 external_ = vm.stopSnapshotGas();
        console.log(name, used, external_);
    }

    // `forge test --match-path contracts/test/libraries/Auction.t.sol --match-test Gas -vv` prints them;
    // `snapshots/Auction.json` records them.

    function test_GasStepAuction10Meters() public {
        _measure(10, "step Auction 10 meters");
    }

    function test_GasStepAuction50Meters() public {
        _measure(50, "step Auction 50 meters");
    }
}
