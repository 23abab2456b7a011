// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {EntryFault, SidePrefix, StepEntries, StepEntry} from "../../src/libraries/StepEntries.sol";
import {Market} from "../../src/libraries/Market.sol";
import {Settlement} from "../../src/libraries/Settlement.sol";
import {MarketKind, MarketParams, ParticipantState} from "../../src/types/Market.sol";

// Test code: casts are of small bounded values.
// forge-lint: disable-start(unsafe-typecast)

/// @dev `StepEntries.judge` behind an external call, so a test can tell a revert from a verdict.
contract EntryJudgeProbe {
    function judge(
        MarketParams memory p,
        uint256 n,
        ParticipantState memory prev,
        StepEntry memory before,
        StepEntry memory entry,
        StepEntry memory last
    ) external pure returns (EntryFault) {
        return StepEntries.judge(p, n, prev, before, entry, last);
    }
}

/// @notice Review of `StepEntries` (s17) as an attacker: entry lists crafted to pass every `judge` or to make
/// every `judge` revert, and honest steps at the bounds. The crafted lists are built by `_craft`: the running
/// sums of `judge`'s own rule over *claimed* weights (which may differ from the ones E_t gives), so every
/// entry whose own weight is the true one is, by construction, judged against the fake totals alone.
contract EntryJudgeAttacksTest is Test {
    EntryJudgeProbe internal probe;

    /// @dev A crafted step: what the attacker commits and what it was built from.
    struct Crafted {
        MarketParams p;
        ParticipantState[] prev;
        uint256[] e;
        uint256[] m;
        /// The weights the running sums are built over (the true ones, but where the attacker lies).
        uint256[] sellC;
        uint256[] buyC;
        /// Hand the remainder unit of Q to the last positive weights instead of the first.
        bool remainderFromEnd;
        /// Shift each side's floors sum from entry `lieAt` on (so the remainder Q − Σ floors moves with it).
        uint256 lieAt;
        int64 sellFloorsLie;
        int64 buyFloorsLie;
        /// Shift each side's positive, filled and value-floors sums from entry `lieAt` on (packed: 3 × int16
        /// per side, low bits first), shares and money rewritten to match.
        int64 sellCountLies;
        int64 buyCountLies;
    }

    /// @dev How the judges of one list came out.
    struct Verdicts {
        uint256 reverted;
        uint256 faulty;
        uint256 passed;
        uint256 firstFaulty;
        EntryFault firstFault;
    }

    function setUp() public {
        probe = new EntryJudgeProbe();
    }

    // ------------------------------------------------------------------ crafted lists

    /// @notice A lie about entry 0's buy weight (the buy total inflated by 1,000 Wh, so Q and v grow), every
    /// other sum and state rewritten to match the fake totals: only j = 0 can be faulted, and it is.
    function test_FakeWeightAtFirstEntry_CaughtAtZero() public view {
        Crafted memory c = _smallMmr();
        c.buyC[0] += 1000;
        StepEntry[] memory es = _craft(c);
        assertTrue(_differsFromF(c, es), "the crafted states are not F's");
        Verdicts memory v = _judgeAll(c, es);
        assertEq(v.reverted, 0, "no judge reverts");
        assertEq(v.faulty, 1, "exactly one entry is faulty");
        assertEq(v.firstFaulty, 0);
        assertEq(uint8(v.firstFault), uint8(EntryFault.BuyWeight));
    }

    /// @notice The same lie at the last entry (its sell weight, hence the sell total, +7): j = N − 1, judged
    /// with itself as `last`, is the one faulted.
    function test_FakeWeightAtLastEntry_CaughtAtLast() public view {
        Crafted memory c = _smallMmr();
        uint256 n = c.e.length;
        c.sellC[n - 1] += 7;
        StepEntry[] memory es = _craft(c);
        assertTrue(_differsFromF(c, es), "the crafted states are not F's");
        Verdicts memory v = _judgeAll(c, es);
        assertEq(v.reverted, 0, "no judge reverts");
        assertEq(v.faulty, 1, "exactly one entry is faulty");
        assertEq(v.firstFaulty, n - 1);
        assertEq(uint8(v.firstFault), uint8(EntryFault.SellWeight));
    }

    /// @notice True weights, true totals, but the remainder units of Q handed to the last positive weights
    /// instead of the first (another rounding rule, every sum consistent with it): caught without a revert.
    function test_RemainderFromTheEnd_Caught() public view {
        Crafted memory c = _smallMmr();
        c.remainderFromEnd = true;
        StepEntry[] memory es = _craft(c);
        assertTrue(_differsFromF(c, es), "the crafted states are not F's");
        Verdicts memory v = _judgeAll(c, es);
        assertEq(v.reverted, 0, "no judge reverts");
        assertGt(v.faulty, 0, "some entry is faulty");
    }

    /// @notice Σ floors shifted by one from entry 2 on (so the remainder Q − Σ floors, read from the last
    /// entry, hands one unit fewer), shares, money and states rewritten to match: caught at 2 (SellFloors).
    function test_FloorsShifted_CaughtWhereShifted() public view {
        Crafted memory c = _smallMmr();
        (c.lieAt, c.sellFloorsLie) = (2, 1);
        StepEntry[] memory es = _craft(c);
        assertTrue(_differsFromF(c, es), "the crafted states are not F's");
        Verdicts memory v = _judgeAll(c, es);
        assertEq(v.reverted, 0);
        assertEq(v.faulty, 1);
        assertEq(v.firstFaulty, 2);
        assertEq(uint8(v.firstFault), uint8(EntryFault.SellFloors));
    }

    /// @notice The counts that place the remainder units, shifted down by one from entry 0 on: the positive
    /// count (a second seller gets a unit of Q), the filled count and Σ value floors (a second seller gets a
    /// unit of v); shares, money and states rewritten to match. Each is caught at 0, by its own sum.
    function test_CountsShifted_CaughtAtZero() public view {
        int64[3] memory lies = [int64(uint64(uint16(int16(-1)))), int64(uint64(uint16(int16(-1)))) << 16, -1 << 32];
        EntryFault[3] memory faults = [EntryFault.SellPositive, EntryFault.SellFilled, EntryFault.SellValueFloors];
        for (uint256 k; k < 3; ++k) {
            Crafted memory c = _smallMmr();
            c.sellCountLies = lies[k];
            StepEntry[] memory es = _craft(c);
            assertTrue(_differsFromF(c, es), "the crafted states are not F's");
            Verdicts memory v = _judgeAll(c, es);
            assertEq(v.reverted, 0);
            assertEq(v.faulty, 1);
            assertEq(v.firstFaulty, 0);
            assertEq(uint8(v.firstFault), uint8(faults[k]));
        }
    }

    /// @notice What the caller must enforce (not the library): entry −1 is all zeros. A list built for a
    /// phantom participant before 0 (1,000 Wh of deficit, its share of Q taken from the real buyers) passes
    /// every judgement j ≥ 1, and j = 0 too if judged after the phantom's entry instead of zeros: the wiring
    /// must pass zeros at j = 0, never an opened or supplied entry. With zeros it is caught at 0.
    function test_NonZeroBeforeAtZero_WouldHideAPhantom() public view {
        Crafted memory real = _smallMmr();
        uint256 n = real.e.length;
        Crafted memory c = _smallMmr();
        (c.e, c.m, c.prev) = (new uint256[](n + 1), new uint256[](n + 1), new ParticipantState[](n + 1));
        c.m[0] = 1000;
        for (uint256 i; i < n; ++i) {
            (c.e[i + 1], c.m[i + 1]) = (real.e[i], real.m[i]);
        }
        (c.sellC, c.buyC) = _weights(c);
        StepEntry[] memory all = _craft(c);
        StepEntry[] memory es = new StepEntry[](n);
        for (uint256 i; i < n; ++i) {
            es[i] = all[i + 1];
        }
        assertTrue(_differsFromF(real, es), "the crafted states are not F's");
        Verdicts memory v = _judgeAll(real, es);
        assertEq(v.reverted, 0);
        assertEq(v.faulty, 1, "caught, at j = 0 only");
        assertEq(v.firstFaulty, 0);
        assertEq(uint8(v.firstFault), uint8(EntryFault.BuyWeight));
        assertEq(uint8(probe.judge(real.p, n, real.prev[0], all[0], es[0], es[n - 1])), uint8(EntryFault.None));
    }

    /// @notice The same two attacks on Totals (cumulative weights, after a first honest step).
    function test_Totals_FakeWeightAndRemainder_Caught() public view {
        Crafted memory c = _smallMmr();
        c.p.kind = MarketKind.Totals;
        c.prev = Market.stepEnergy(c.p, new ParticipantState[](c.e.length), _copy(c.m), _copy(c.e));
        (c.sellC, c.buyC) = _weights(c);
        c.sellC[2] += 5;
        StepEntry[] memory es = _craft(c);
        assertTrue(_differsFromF(c, es));
        Verdicts memory v = _judgeAll(c, es);
        assertEq(v.reverted, 0);
        assertEq(v.faulty, 1);
        assertEq(v.firstFaulty, 2);
        assertEq(uint8(v.firstFault), uint8(EntryFault.SellWeight));

        c.m[0] += 5; // S < D: the buy side has remainder units
        (c.sellC, c.buyC) = _weights(c);
        c.remainderFromEnd = true;
        es = _craft(c);
        assertTrue(_differsFromF(c, es));
        v = _judgeAll(c, es);
        assertEq(v.reverted, 0);
        assertGt(v.faulty, 0);
    }

    /// @notice Wrong totals that overflow `v · q` (library bounds: prices up to uint128, interval energy below
    /// 2^64). N = 1,024: 1,023 sellers of 2^64 − 1 Wh, one buyer of 1 Wh; F matches 1 Wh and does not revert.
    /// The attacker inflates entry 0's buy weight so that Q is the whole sell side: every seller's judge then
    /// computes v · q with v ≈ 2^192 and q ≈ 2^64 and reverts (panic 0x11) before it reaches the one wrong
    /// sum, and the buyer's entry, consistent with the fake totals, passes. Nothing could be proven, and the
    /// sellers' states are never checked. A wrong claim must stay provable: some judge must say so.
    function test_FakeTotalsOverflowValue_StillProvable() public view {
        uint256 n = 1024;
        Crafted memory c;
        c.p = MarketParams(MarketKind.Mmr, type(uint128).max, type(uint128).max, 0, 0, 0);
        c.prev = new ParticipantState[](n);
        (c.e, c.m) = (new uint256[](n), new uint256[](n));
        for (uint256 i; i < n - 1; ++i) {
            c.e[i] = type(uint64).max;
        }
        c.m[n - 1] = 1;
        // F itself does not revert on this step.
        Market.stepEnergy(c.p, c.prev, _copy(c.e), _copy(c.m));
        (c.sellC, c.buyC) = _weights(c);
        c.buyC[0] = (n - 1) * uint256(type(uint64).max);
        StepEntry[] memory es = _craft(c);
        Verdicts memory v = _judgeAll(c, es);
        assertEq(v.reverted, 0, "no judge reverts on wrong sums where F does not");
        assertGt(v.faulty, 0, "some judge proves the claim wrong");
    }

    /// @notice The overflow of the attack above in one judgement (entry 0, a seller of 2^64 − 1 Wh, its sums
    /// consistent with fake totals Q = 1,023 · (2^64 − 1)): SellValueFloors, not a panic. The same call is in
    /// `node/test/unit/stepEntriesReview.test.ts` (the twins agree).
    function test_FakeTotalsOverflowValue_OneJudgement() public view {
        (MarketParams memory p, ParticipantState memory prev, StepEntry memory entry, StepEntry memory last) =
            _overflowCase();
        StepEntry memory before;
        assertEq(uint8(probe.judge(p, 1024, prev, before, entry, last)), uint8(EntryFault.SellValueFloors));
    }

    function _overflowCase()
        internal
        pure
        returns (MarketParams memory p, ParticipantState memory prev, StepEntry memory entry, StepEntry memory last)
    {
        p = MarketParams(MarketKind.Mmr, type(uint128).max, type(uint128).max, 0, 0, 0);
        uint256 w = type(uint64).max;
        uint256 sellers = 1023 * w;
        entry.exportWh = type(uint64).max;
        entry.sell = SidePrefix(w, 1, w, 1, 0);
        entry.buy = SidePrefix(sellers, 0, 0, 0, 0);
        last.sell = SidePrefix(sellers, 1023, sellers, 1023, 0);
        last.buy = SidePrefix(sellers + 1, 1, 0, 1, 0);
        last.importWh = 1;
    }

    /// @notice The same attack within the hub's bounds (`Settlement.validateSchedule`: a participant's window
    /// energy below 2^64, its value below 2^127): the largest prices the hub accepts with interval energy of
    /// 2^32 − 1 per meter, N = 1,024 with one meter each. Inflated totals cannot overflow there: caught at 0.
    function test_FakeTotalsAtHubBounds_CaughtAtZero() public view {
        uint256 n = 1024;
        uint256 maxEnergy = uint256(type(uint32).max) * n; // one interval per window, n meters
        uint128 price = uint128(uint256(uint128(type(int128).max)) * 2000 / maxEnergy / 2);
        Crafted memory c;
        c.p = MarketParams(MarketKind.Mmr, price, price, 0, 0, 0);
        Settlement.validateSchedule(900, 1, 1, 1, 1, address(1), n, c.p);
        c.prev = new ParticipantState[](n);
        (c.e, c.m) = (new uint256[](n), new uint256[](n));
        for (uint256 i; i < n - 1; ++i) {
            c.e[i] = type(uint32).max;
        }
        c.m[n - 1] = 1;
        (c.sellC, c.buyC) = _weights(c);
        c.buyC[0] = n * uint256(type(uint64).max) - 1;
        StepEntry[] memory es = _craft(c);
        Verdicts memory v = _judgeAll(c, es);
        assertEq(v.reverted, 0);
        assertEq(v.faulty, 1);
        assertEq(v.firstFaulty, 0);
        assertEq(uint8(v.firstFault), uint8(EntryFault.BuyWeight));
    }

    /// @notice Totals above what N weights below 2^64 can sum to, floors above Q, value floors above v: the
    /// last entry's totals are insane and every judge says Totals (none reverts), j = 0 and j = N − 1 alike.
    function test_InsaneTotals_EveryJudgeSaysTotals() public view {
        Crafted memory c = _smallMmr();
        uint256 n = c.e.length;
        StepEntry[] memory es = _craft(c);
        StepEntry memory last = es[n - 1];
        uint256[4] memory cases = [uint256(0), 1, 2, 3];
        for (uint256 k; k < cases.length; ++k) {
            StepEntry memory bad = _clone(last);
            if (k == 0) bad.sell.weight = n * uint256(type(uint64).max) + 1;
            if (k == 1) bad.buy.weight = type(uint256).max;
            if (k == 2) bad.buy.floors = type(uint256).max;
            if (k == 3) bad.sell.valueFloors = type(uint256).max;
            es[n - 1] = bad;
            Verdicts memory v = _judgeAll(c, es);
            assertEq(v.reverted, 0);
            assertEq(v.faulty, n);
            assertEq(uint8(v.firstFault), uint8(EntryFault.Totals));
        }
    }

    /// @notice Sums that wrap: entry j's sums below entry j−1's, or differing by 2^256 − term. Never a revert.
    function test_WrappingSums_FaultNotRevert() public view {
        Crafted memory c = _smallMmr();
        uint256 n = c.e.length;
        StepEntry[] memory es = _craft(c);
        for (uint256 j; j < n; ++j) {
            StepEntry memory before = j == 0 ? _zero() : es[j - 1];
            StepEntry memory bad = _clone(es[j]);
            bad.sell.floors = before.sell.floors == 0 ? type(uint256).max : before.sell.floors - 1;
            bad.buy.filled = type(uint256).max;
            EntryFault f = probe.judge(c.p, n, c.prev[j], before, bad, j == n - 1 ? bad : es[n - 1]);
            assertTrue(f != EntryFault.None, "wrapped sums are faulty");
        }
    }

    /// @notice Fuzzed crafted lists: random energies and prices, random lies about any participant's claimed
    /// weight on either side (up or down, also at j = 0 and j = N − 1), the remainder moved or not. Whenever
    /// the committed entries are not F's, some judge names a fault, and none reverts.
    function testFuzz_CraftedListsAreCaught(
        uint256 seed,
        uint8 size,
        uint64 cap,
        uint8 at,
        int64 sellLie,
        int64 buyLie,
        uint256 flags
    ) public view {
        // flags: bit 0 Totals, bit 1 remainder from the end; bits 2, 3, 4 enable the weight, floors and count
        // lies (each kind alone or with others); bits 8.. the floors lies, bits 72.. the count lies.
        bool totals = flags & 1 == 1;
        uint256 n = bound(size, 1, 12);
        Crafted memory c;
        c.p = MarketParams(
            totals ? MarketKind.Totals : MarketKind.Mmr,
            uint128(bound(seed >> 128, 0, 1e12)),
            uint128(bound(seed >> 64, 0, 1e12)),
            uint64(bound(cap, 0, 5_000)),
            0,
            0
        );
        c.prev = new ParticipantState[](n);
        (c.e, c.m) = (new uint256[](n), new uint256[](n));
        for (uint256 i; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            c.e[i] = r % 3 == 0 ? 0 : (r >> 8) % 3_000;
            c.m[i] = (r >> 4) % 3 == 0 ? 0 : (r >> 80) % 3_000;
        }
        if (totals) {
            uint256[] memory e0 = _copy(c.m);
            c.prev = Market.stepEnergy(c.p, c.prev, e0, _copy(c.e));
        }
        (c.sellC, c.buyC) = _weights(c);
        uint256 k = bound(at, 0, n - 1);
        if (flags & 4 == 4) {
            c.sellC[k] = _lie(c.sellC[k], sellLie % 5);
            c.buyC[k] = _lie(c.buyC[k], buyLie % 5);
        }
        c.remainderFromEnd = flags & 2 == 2;
        c.lieAt = k;
        int64 floorsLie = flags & 8 == 8 ? int64(uint64(flags >> 8)) : int64(0);
        (c.sellFloorsLie, c.buyFloorsLie) = (floorsLie % 4, floorsLie / 4 % 4);
        (c.sellCountLies, c.buyCountLies) = _countLies(flags & 16 == 16 ? uint64(flags >> 72) : 0);
        StepEntry[] memory es = _craft(c);
        StepEntry[] memory honest = StepEntries.entries(c.p, c.prev, _copy(c.e), _copy(c.m));
        Verdicts memory v = _judgeAll(c, es);
        assertEq(v.reverted, 0, "no judge reverts");
        if (keccak256(abi.encode(es)) != keccak256(abi.encode(honest))) assertGt(v.faulty, 0, "caught");
        else assertEq(v.faulty, 0, "F's own entries pass");
    }

    /// @dev Small count lies (−1, 0 or +1 on each of the six sums, most of them 0).
    function _countLies(uint64 r) internal pure returns (int64 sell, int64 buy) {
        for (uint256 k; k < 3; ++k) {
            sell |= int64(uint64(uint16(int16(_small(r >> (8 * k)))))) << uint64(16 * k);
            buy |= int64(uint64(uint16(int16(_small(r >> (8 * k + 24)))))) << uint64(16 * k);
        }
    }

    function _small(uint64 r) internal pure returns (int256) {
        uint256 x = uint8(r) % 8;
        return x == 1 ? int256(1) : x == 2 ? -1 : int256(0);
    }

    function _lie(uint256 w, int64 delta) internal pure returns (uint256) {
        int256 x = int256(w) + delta;
        return x < 0 ? 0 : uint256(x);
    }

    /// @notice What the judge does not check: E_t[j] itself. Entries built by F's own rule over an E_t other
    /// than the readings' (participant 0's export moved to participant 1) pass every judge though their
    /// states are not F(S_{t−1}, E_t). The judge is sound only together with a dispute that ties each
    /// entry's E_t[j] to the readings (the plan's phase 2: BadEnergy opening entry j); documented, not a fix.
    function test_WrongEnergy_PassesEveryJudge() public view {
        Crafted memory c = _smallMmr();
        uint256[] memory lied = _copy(c.e);
        (lied[0], lied[1]) = (lied[0] - 5, lied[1] + 5);
        StepEntry[] memory es = StepEntries.entries(c.p, c.prev, lied, _copy(c.m));
        assertTrue(_differsFromF(c, es), "not F's states for the readings' E_t");
        Verdicts memory v = _judgeAll(c, es);
        assertEq(v.reverted, 0);
        assertEq(v.faulty, 0, "every judge passes: E_t[j] is taken from the entry");
    }

    /// @notice Never a revert on wrong sums, deep in `judge`: arbitrary `before` and `last` sums (the totals
    /// sane or not), uint128 prices, interval energy below 2^64 from S_0, N up to 1,024, and entry j's sums
    /// each either right for those or one off (so every check is reached). Only a verdict comes back.
    function testFuzz_ArbitrarySumsNeverRevert(
        uint256 seed,
        bool totals,
        uint16 size,
        uint64 e,
        uint64 m,
        uint128 buy,
        uint128 sell,
        uint64 cap
    ) public view {
        uint256 n = bound(size, 1, 1024);
        if (seed % 4 == 0) {
            // At the library's bounds: where fake totals could overflow the judge's own products.
            (n, buy, sell, e, m) = (1024, type(uint128).max - (buy & 0xff), type(uint128).max, type(uint64).max, 0);
        }
        MarketParams memory p = MarketParams(totals ? MarketKind.Totals : MarketKind.Mmr, buy, sell, cap, 0, 0);
        StepEntry memory before;
        StepEntry memory last;
        uint256 r = seed;
        before.sell = _randomSide(r = uint256(keccak256(abi.encode(r))));
        before.buy = _randomSide(r = uint256(keccak256(abi.encode(r))));
        last.sell = _randomSide(r = uint256(keccak256(abi.encode(r))));
        last.buy = _randomSide(r = uint256(keccak256(abi.encode(r))));
        if (r & 1 == 0) {
            // Sane totals: weights within N · (2^64 − 1), floors within Q, value floors within v.
            last.sell.weight %= n * uint256(type(uint64).max) + 1;
            last.buy.weight %= n * uint256(type(uint64).max) + 1;
            if (seed % 8 == 0) (last.sell.weight, last.buy.weight) = (n * uint256(type(uint64).max), n * 2 ** 64 - n);
            uint256 q = last.sell.weight < last.buy.weight ? last.sell.weight : last.buy.weight;
            if (!totals && cap != 0 && cap < q) q = cap;
            uint256 v = Market.value(p, q);
            (last.sell.floors, last.buy.floors) = (last.sell.floors % (q + 1), last.buy.floors % (q + 1));
            (last.sell.valueFloors, last.buy.valueFloors) =
            (last.sell.valueFloors % (v + 1), last.buy.valueFloors % (v + 1));
        }
        StepEntry memory entry;
        (entry.exportWh, entry.importWh) = (e, m);
        (uint256 sw, uint256 bw) = totals ? (uint256(e), uint256(m)) : (e > m ? e - m : 0, m > e ? m - e : 0);
        entry.sell = _nearSide(p, before.sell, last, last.sell, sw, r >> 8);
        entry.buy = _nearSide(p, before.buy, last, last.buy, bw, r >> 40);
        ParticipantState memory prev;
        probe.judge(p, n, prev, before, entry, last);
    }

    /// @dev Random sums of every size (a third near 2^256, a third below 2^80, a third small).
    function _randomSide(uint256 r) internal pure returns (SidePrefix memory s) {
        uint256[5] memory x;
        for (uint256 k; k < 5; ++k) {
            uint256 h = uint256(keccak256(abi.encode(r, k)));
            x[k] = h % 3 == 0 ? type(uint256).max - (h >> 200) : h % 3 == 1 ? h >> 176 : (h >> 8) % 1000;
        }
        s = SidePrefix(x[0], x[1], x[2], x[3], x[4]);
    }

    /// @dev Entry j's side: each sum `before`'s plus j's term as `judge` computes it from `last`, or one off.
    function _nearSide(
        MarketParams memory p,
        SidePrefix memory b,
        StepEntry memory lastEntry,
        SidePrefix memory last,
        uint256 w,
        uint256 r
    ) internal pure returns (SidePrefix memory s) {
        uint256 q = lastEntry.sell.weight < lastEntry.buy.weight ? lastEntry.sell.weight : lastEntry.buy.weight;
        if (p.kind == MarketKind.Mmr && p.feederCapacityWh != 0 && p.feederCapacityWh < q) q = p.feederCapacityWh;
        // The judge's own terms where they exist (insane totals: any value; the test must not revert itself).
        uint256 v = q < 1 << 120 ? Market.value(p, q) : 0;
        uint256 floor_ = last.weight == 0 || q >= 1 << 190 ? 0 : q * w / last.weight;
        uint256 share = floor_ + (w > 0 && q >= last.floors && b.positive < q - last.floors ? 1 : 0);
        uint256 valueFloor = q == 0 || share / 2 > q ? 0 : Math.mulDiv(v, share, q);
        s.weight = _near(b.weight, w, r);
        s.positive = _near(b.positive, w > 0 ? 1 : 0, r >> 2);
        s.floors = _near(b.floors, floor_, r >> 4);
        s.filled = _near(b.filled, share > 0 ? 1 : 0, r >> 6);
        s.valueFloors = _near(b.valueFloors, valueFloor, r >> 8);
    }

    /// @dev `base + term` (wrapping), or one more, as `r` says.
    function _near(uint256 base, uint256 term, uint256 r) internal pure returns (uint256) {
        unchecked {
            return base + term + (r & 3 == 0 ? 1 : 0);
        }
    }

    // ------------------------------------------------------------------ honest steps at the bounds

    /// @notice Complete at the library's bounds: N = 1,024, prices at uint128's maximum, half the participants
    /// selling and half buying 2^64 − 1 Wh (Mmr and Totals): F does not revert and every entry passes.
    function test_HonestAtLibraryBounds_N1024() public view {
        uint256 n = 1024;
        for (uint256 kind; kind < 2; ++kind) {
            MarketParams memory p = MarketParams(MarketKind(kind), type(uint128).max, type(uint128).max - 1, 0, 0, 0);
            (uint256[] memory e, uint256[] memory m) = (new uint256[](n), new uint256[](n));
            for (uint256 i; i < n; ++i) {
                if (i % 2 == 0) e[i] = type(uint64).max - i;
                else m[i] = type(uint64).max - 3 * i;
            }
            _assertHonest(p, new ParticipantState[](n), e, m);
        }
    }

    /// @notice Complete with huge numbers: two steps of up to 8 participants, interval energy below 2^63, any
    /// uint128 prices and feeder (F cannot overflow there): every entry of the second step passes.
    function testFuzz_HonestHugeValues(uint256 seed, bool totals, uint8 size, uint128 buy, uint128 sell, uint64 cap)
        public
        view
    {
        uint256 n = bound(size, 1, 8);
        MarketParams memory p = MarketParams(totals ? MarketKind.Totals : MarketKind.Mmr, buy, sell, cap, 0, 0);
        (uint256[] memory e, uint256[] memory m) = (new uint256[](n), new uint256[](n));
        for (uint256 i; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            (e[i], m[i]) = (r % 4 == 0 ? 0 : uint64(r >> 8) >> 1, (r >> 2) % 4 == 0 ? 0 : uint64(r >> 80) >> 1);
        }
        ParticipantState[] memory prev = Market.stepEnergy(p, new ParticipantState[](n), _copy(m), _copy(e));
        _assertHonest(p, prev, e, m);
    }

    /// @notice Complete where the rounding is at its worst: the feeder binding at 1 Wh and at 1,023 Wh over
    /// 1,024 equal sellers (remainders for all but one), zero weights interleaved, zero prices, everything
    /// matched (S = D), N = 1.
    function test_HonestRoundingEdges() public view {
        uint256 n = 1024;
        (uint256[] memory e, uint256[] memory m) = (new uint256[](n), new uint256[](n));
        for (uint256 i; i < n; ++i) {
            if (i % 3 == 0) e[i] = 1000;
            else if (i % 3 == 1) m[i] = 999;
        }
        uint64[3] memory caps = [uint64(1), 1023, 0];
        for (uint256 k; k < caps.length; ++k) {
            _assertHonest(MarketParams(MarketKind.Mmr, 7, 3, caps[k], 0, 0), new ParticipantState[](n), e, m);
        }
        _assertHonest(MarketParams(MarketKind.Mmr, 0, 0, 0, 0, 0), new ParticipantState[](n), e, m);
        _assertHonest(MarketParams(MarketKind.Totals, 0, 0, 0, 0, 0), new ParticipantState[](n), e, m);
        // Everything matched, no remainder.
        (e, m) = (new uint256[](4), new uint256[](4));
        (e[0], e[1], m[2], m[3]) = (3, 5, 4, 4);
        _assertHonest(MarketParams(MarketKind.Mmr, 1999, 1, 0, 0, 0), new ParticipantState[](4), e, m);
        _assertHonest(MarketParams(MarketKind.Totals, 1999, 1, 0, 0, 0), new ParticipantState[](4), e, m);
        // N = 1: j = 0 = N − 1, nothing to match.
        (e, m) = (new uint256[](1), new uint256[](1));
        (e[0], m[0]) = (9, 4);
        _assertHonest(MarketParams(MarketKind.Mmr, 10, 1, 0, 0, 0), new ParticipantState[](1), e, m);
        _assertHonest(MarketParams(MarketKind.Totals, 10, 1, 0, 0, 0), new ParticipantState[](1), e, m);
    }

    /// @notice Totals' sanity bound is reached, not exceeded, by an honest step: every cumulative weight at
    /// 2^64 − 1 on both sides (W = N · (2^64 − 1)).
    function test_HonestTotalsAtWeightBound() public view {
        uint256 n = 3;
        (uint256[] memory e, uint256[] memory m) = (new uint256[](n), new uint256[](n));
        for (uint256 i; i < n; ++i) {
            (e[i], m[i]) = (type(uint64).max, type(uint64).max);
        }
        _assertHonest(MarketParams(MarketKind.Totals, 3, 1, 0, 0, 0), new ParticipantState[](n), e, m);
    }

    // ------------------------------------------------------------------ helpers

    /// @dev Six participants, sellers and buyers with remainders on both sides, a binding feeder.
    function _smallMmr() internal pure returns (Crafted memory c) {
        uint256 n = 6;
        c.p = MarketParams(MarketKind.Mmr, 250, 100, 40, 0, 0);
        c.prev = new ParticipantState[](n);
        (c.e, c.m) = (new uint256[](n), new uint256[](n));
        (c.e[0], c.e[1], c.e[3], c.e[5]) = (17, 3, 11, 29);
        (c.m[1], c.m[2], c.m[4], c.m[5]) = (7, 13, 19, 2);
        (c.sellC, c.buyC) = _weights(c);
    }

    function _assertHonest(
        MarketParams memory p,
        ParticipantState[] memory prev,
        uint256[] memory e,
        uint256[] memory m
    ) internal view {
        StepEntry[] memory es = StepEntries.entries(p, prev, e, m);
        Crafted memory c;
        (c.p, c.prev, c.e, c.m) = (p, prev, e, m);
        Verdicts memory v = _judgeAll(c, es);
        assertEq(v.reverted, 0, "honest: no revert");
        assertEq(v.faulty, 0, "honest: no fault");
    }

    /// @dev The true weights of `c` (Mmr: surplus and deficit; Totals: cumulative export and import).
    function _weights(Crafted memory c) internal pure returns (uint256[] memory s, uint256[] memory d) {
        uint256 n = c.e.length;
        (s, d) = (new uint256[](n), new uint256[](n));
        for (uint256 i; i < n; ++i) {
            if (c.p.kind == MarketKind.Mmr) {
                (s[i], d[i]) = (c.e[i] > c.m[i] ? c.e[i] - c.m[i] : 0, c.m[i] > c.e[i] ? c.m[i] - c.e[i] : 0);
            } else {
                (s[i], d[i]) = (c.prev[i].exportWh + c.e[i], c.prev[i].importWh + c.m[i]);
            }
        }
    }

    /// @dev The entries `judge`'s rule gives over the claimed weights (value floors in 512 bits: the attacker
    /// need not compute what the judge cannot), states from the true weights.
    function _craft(Crafted memory c) internal pure returns (StepEntry[] memory es) {
        uint256 n = c.e.length;
        es = new StepEntry[](n);
        (SideArgs memory sa, SideArgs memory ba) = _sideArgs(c);
        Flows memory f;
        (f.soldQ, f.received) = _fill(es, c.sellC, sa);
        (f.boughtQ, f.paid) = _fill(es, c.buyC, ba);
        (f.sw, f.bw) = _weights(c);
        for (uint256 i; i < n; ++i) {
            _writeState(c, es[i], f, i);
        }
    }

    /// @dev Both sides' arguments: the claimed totals, Q and v from them, the lies.
    function _sideArgs(Crafted memory c) internal pure returns (SideArgs memory sa, SideArgs memory ba) {
        uint256 sTotal = _sum(c.sellC);
        uint256 bTotal = _sum(c.buyC);
        uint256 q = sTotal < bTotal ? sTotal : bTotal;
        if (c.p.kind == MarketKind.Mmr && c.p.feederCapacityWh != 0 && c.p.feederCapacityWh < q) {
            q = c.p.feederCapacityWh;
        }
        uint256 v = Market.value(c.p, q);
        sa = _args(sTotal, q, v, true, c, c.sellFloorsLie, c.sellCountLies);
        ba = _args(bTotal, q, v, false, c, c.buyFloorsLie, c.buyCountLies);
    }

    /// @dev What each participant got in a crafted step, and its true weights.
    struct Flows {
        uint256[] soldQ;
        uint256[] received;
        uint256[] boughtQ;
        uint256[] paid;
        uint256[] sw;
        uint256[] bw;
    }

    /// @dev Entry i's E_t and state as `judge` writes it from i's true weights and the crafted shares.
    function _writeState(Crafted memory c, StepEntry memory e, Flows memory f, uint256 i) internal pure {
        ParticipantState memory s = e.state;
        ParticipantState memory b = c.prev[i];
        (e.exportWh, e.importWh) = (uint64(c.e[i]), uint64(c.m[i]));
        s.exportWh = uint64(b.exportWh + c.e[i]);
        s.importWh = uint64(b.importWh + c.m[i]);
        uint256 gs = f.sw[i] > f.soldQ[i] ? f.sw[i] - f.soldQ[i] : 0;
        uint256 gb = f.bw[i] > f.boughtQ[i] ? f.bw[i] - f.boughtQ[i] : 0;
        int256 flow = int256(f.received[i]) - int256(f.paid[i]);
        if (c.p.kind == MarketKind.Mmr) {
            s.p2pSoldWh = uint64(b.p2pSoldWh + f.soldQ[i]);
            s.p2pBoughtWh = uint64(b.p2pBoughtWh + f.boughtQ[i]);
            s.gridSoldWh = uint64(b.gridSoldWh + gs);
            s.gridBoughtWh = uint64(b.gridBoughtWh + gb);
            s.net = b.net + flow;
        } else {
            (s.p2pSoldWh, s.p2pBoughtWh, s.gridSoldWh, s.gridBoughtWh) =
            (uint64(f.soldQ[i]), uint64(f.boughtQ[i]), uint64(gs), uint64(gb));
            s.net = flow;
        }
    }

    /// @dev One side of a crafted step: its claimed total, Q, v, which side, where the remainder goes.
    struct SideArgs {
        uint256 total;
        uint256 q;
        uint256 v;
        bool sell;
        bool fromEnd;
        uint256 lieAt;
        int256 lie;
        int256 posLie;
        int256 filledLie;
        int256 vfLie;
    }

    function _args(uint256 total, uint256 q, uint256 v, bool sell, Crafted memory c, int64 floorsLie, int64 counts)
        internal
        pure
        returns (SideArgs memory a)
    {
        a = SideArgs(total, q, v, sell, c.remainderFromEnd, c.lieAt, floorsLie, 0, 0, 0);
        (a.posLie, a.filledLie, a.vfLie) = (int16(counts), int16(counts >> 16), int16(counts >> 32));
    }

    /// @dev x + d, at least 0.
    function _shift(uint256 x, int256 d) internal pure returns (uint256) {
        return d < -int256(x) ? 0 : uint256(int256(x) + d);
    }

    /// @dev One side's running sums over weights `w` (total `total`), the shares and the money.
    function _fill(StepEntry[] memory es, uint256[] memory w, SideArgs memory a)
        internal
        pure
        returns (uint256[] memory shares, uint256[] memory money)
    {
        shares = _shares(w, a);
        uint256 valueRest;
        (money, valueRest) = _moneyFloors(shares, a);
        _prefixes(es, w, shares, money, valueRest, a);
    }

    /// @dev The shares of Q: floors, then the remainder units to the first (F) or the last positive weights.
    function _shares(uint256[] memory w, SideArgs memory a) internal pure returns (uint256[] memory shares) {
        uint256 n = w.length;
        shares = new uint256[](n);
        uint256 floors;
        uint256 positives;
        for (uint256 i; i < n; ++i) {
            shares[i] = a.total == 0 ? 0 : a.q * w[i] / a.total;
            floors += shares[i];
            if (i == a.lieAt && a.lie < -int256(floors)) a.lie = -int256(floors);
            if (w[i] > 0) ++positives;
        }
        // The remainder the judge reads from the (shifted) floors total.
        int256 restI = int256(a.q) - int256(floors) - (a.lieAt < n ? a.lie : int256(0));
        uint256 rest = restI < 0 ? 0 : uint256(restI);
        uint256 seen;
        for (uint256 i; i < n; ++i) {
            if (w[i] > 0) {
                if (a.fromEnd ? (positives > seen ? positives - seen : 0) <= rest : seen < rest) ++shares[i];
                ++seen;
            }
            // The positive count the judge reads after a shifted entry.
            if (i == a.lieAt) seen = _shift(seen, a.posLie);
        }
    }

    /// @dev floor(v · q_i / Q) in 512 bits (the attacker need not compute what the judge cannot), and
    /// v − Σ of them.
    function _moneyFloors(uint256[] memory shares, SideArgs memory a)
        internal
        pure
        returns (uint256[] memory money, uint256 valueRest)
    {
        money = new uint256[](shares.length);
        uint256 floors;
        for (uint256 i; i < shares.length; ++i) {
            money[i] = a.q == 0 ? 0 : Math.mulDiv(a.v, shares[i], a.q);
            floors += money[i];
            if (i == a.lieAt && a.vfLie < -int256(floors)) a.vfLie = -int256(floors);
        }
        // The money remainder the judge reads from the (shifted) value floors total.
        int256 restI = int256(a.v) - int256(floors) - (a.lieAt < shares.length ? a.vfLie : int256(0));
        valueRest = restI < 0 ? 0 : uint256(restI);
    }

    /// @dev Writes the side's running sums into `es` and adds the money's remainder units.
    function _prefixes(
        StepEntry[] memory es,
        uint256[] memory w,
        uint256[] memory shares,
        uint256[] memory money,
        uint256 valueRest,
        SideArgs memory a
    ) internal pure {
        SidePrefix memory acc;
        for (uint256 i; i < w.length; ++i) {
            acc.weight += w[i];
            if (w[i] > 0) ++acc.positive;
            acc.floors += a.total == 0 ? 0 : a.q * w[i] / a.total;
            if (i == a.lieAt) acc.floors = uint256(int256(acc.floors) + a.lie);
            acc.valueFloors += money[i];
            if (shares[i] > 0) {
                if (acc.filled < valueRest) ++money[i];
                ++acc.filled;
            }
            if (i == a.lieAt) {
                acc.positive = _shift(acc.positive, a.posLie);
                acc.filled = _shift(acc.filled, a.filledLie);
                acc.valueFloors = uint256(int256(acc.valueFloors) + a.vfLie);
            }
            SidePrefix memory s = a.sell ? es[i].sell : es[i].buy;
            (s.weight, s.positive, s.floors, s.filled, s.valueFloors) =
            (acc.weight, acc.positive, acc.floors, acc.filled, acc.valueFloors);
        }
    }

    /// @dev Judges every entry of `es` through the probe, counting reverts, faults and passes.
    function _judgeAll(Crafted memory c, StepEntry[] memory es) internal view returns (Verdicts memory v) {
        uint256 n = es.length;
        v.firstFaulty = type(uint256).max;
        for (uint256 j; j < n; ++j) {
            StepEntry memory before = j == 0 ? _zero() : es[j - 1];
            try probe.judge(c.p, n, c.prev[j], before, es[j], es[n - 1]) returns (EntryFault f) {
                if (f == EntryFault.None) {
                    ++v.passed;
                } else {
                    if (v.faulty == 0) (v.firstFaulty, v.firstFault) = (j, f);
                    ++v.faulty;
                }
            } catch {
                ++v.reverted;
            }
        }
    }

    /// @dev Whether some crafted state differs from F's.
    function _differsFromF(Crafted memory c, StepEntry[] memory es) internal pure returns (bool) {
        ParticipantState[] memory f = Market.stepEnergy(c.p, c.prev, _copy(c.e), _copy(c.m));
        for (uint256 i; i < f.length; ++i) {
            if (keccak256(abi.encode(f[i])) != keccak256(abi.encode(es[i].state))) return true;
        }
        return false;
    }

    function _zero() internal pure returns (StepEntry memory z) {}

    function _clone(StepEntry memory e) internal pure returns (StepEntry memory) {
        return abi.decode(abi.encode(e), (StepEntry));
    }

    function _sum(uint256[] memory xs) internal pure returns (uint256 s) {
        for (uint256 i; i < xs.length; ++i) {
            s += xs[i];
        }
    }

    function _copy(uint256[] memory xs) internal pure returns (uint256[] memory ys) {
        ys = new uint256[](xs.length);
        for (uint256 i; i < xs.length; ++i) {
            ys[i] = xs[i];
        }
    }
}
