import { expect } from 'chai';
import {
  EntryFault,
  faultyEntries,
  judgeEntry,
  type SidePrefix,
  type StepEntry,
  ZERO_ENTRY,
} from '../../src/window/entries.js';
import { emptyState, MarketKind, marketStepOfEnergy, type MarketParams, U64_MAX } from '../../src/window/index.js';
import { SeededRandom } from '../../src/vectors/prng.js';

// Review of the one-participant judge (branch review-entries): fake totals that overflow v·q. Twin of
// `contracts/test/review/EntryJudgeAttacks.t.sol` (`test_FakeTotalsOverflowValue_*`).

const U128_MAX = (1n << 128n) - 1n;
const mmr: MarketParams = {
  kind: MarketKind.Mmr,
  gridBuyPrice: U128_MAX,
  gridSellPrice: U128_MAX,
  feederCapacityWh: 0n,
};
const side = (weight: bigint, positive: bigint, floors: bigint, filled: bigint, valueFloors: bigint): SidePrefix => ({
  weight,
  positive,
  floors,
  filled,
  valueFloors,
});
const entryOf = (e: bigint, m: bigint, sell: SidePrefix, buy: SidePrefix): StepEntry => ({
  ...ZERO_ENTRY,
  energy: { exportWh: e, importWh: m },
  sell,
  buy,
});

describe('StepEntries review: fake totals that overflow v·q', () => {
  const sellers = 1023n * U64_MAX;

  it('one judgement: a seller whose sums match the fake totals is judged SellValueFloors, not a throw', () => {
    const entry = entryOf(U64_MAX, 0n, side(U64_MAX, 1n, U64_MAX, 1n, 0n), side(sellers, 0n, 0n, 0n, 0n));
    const last = entryOf(0n, 1n, side(sellers, 1023n, sellers, 1023n, 0n), side(sellers + 1n, 1n, 0n, 1n, 0n));
    const prev = emptyState(1)[0];
    expect(judgeEntry(mmr, 1024, prev, ZERO_ENTRY, entry, last)).to.equal(EntryFault.SellValueFloors);
  });

  it('the whole list (N = 1,024, F matches 1 Wh): faultyEntries names entry 0 instead of throwing', () => {
    const n = 1024;
    const energy = Array.from({ length: n }, (_, i) => ({
      exportWh: i < n - 1 ? U64_MAX : 0n,
      importWh: i < n - 1 ? 0n : 1n,
    }));
    const prev = emptyState(n);
    // F itself does not throw on this step.
    marketStepOfEnergy(
      mmr,
      prev,
      energy.map((e) => e.exportWh),
      energy.map((e) => e.importWh),
    );
    // The attacker's sums: entry 0's buy weight inflated to the sell total, every other sum consistent with
    // Q = 1,023 · (2^64 − 1); the sellers' value floors are never reached, the buyer's are the fake ones.
    const q = sellers;
    const v = (q * (2n * U128_MAX)) / 2000n;
    const committed: StepEntry[] = energy.map((e, i) => {
      const k = BigInt(i + 1);
      const sellers_ = i < n - 1 ? k : 1023n;
      const buyerFloor = (v * 1n) / q;
      return entryOf(
        e.exportWh,
        e.importWh,
        side(sellers_ * U64_MAX, sellers_, sellers_ * U64_MAX, sellers_, 0n),
        i < n - 1 ? side(sellers, 0n, 0n, 0n, 0n) : side(sellers + 1n, 1n, 0n, 1n, buyerFloor),
      );
    });
    const found = faultyEntries(mmr, prev, committed);
    expect(found[0]).to.deep.equal({ participant: 0, fault: EntryFault.SellValueFloors });
  });
});

describe('StepEntries review: judgeEntry never throws on wrong sums', () => {
  // Twin of `testFuzz_ArbitrarySumsNeverRevert`: arbitrary sums in entries j−1 and N−1 (the totals sane or
  // not), entry j's sums right or one off, a quarter at N = 1,024 with uint128 prices and 2^64 − 1 Wh.
  const rng = new SeededRandom(0x5e17);
  const big = (bits: number): bigint => {
    let x = 0n;
    for (let b = 0; b < bits; b += 32) x = (x << 32n) | BigInt(rng.nextU32());
    return x & ((1n << BigInt(bits)) - 1n);
  };
  const anySum = (): bigint =>
    [() => (1n << 256n) - 1n - big(56), () => big(80), () => BigInt(rng.below(1000))][rng.below(3)]();
  const anySide = (): SidePrefix => side(anySum(), anySum(), anySum(), anySum(), anySum());

  it('2,000 random judgements return a verdict', () => {
    for (let k = 0; k < 2000; k++) {
      const extreme = rng.chance(0.25);
      const kind = rng.chance(0.5) ? MarketKind.Totals : MarketKind.Mmr;
      const n = extreme ? 1024 : rng.int(1, 1024);
      const p: MarketParams = {
        kind,
        gridBuyPrice: extreme ? U128_MAX : big(128),
        gridSellPrice: extreme ? U128_MAX - big(8) : big(128),
        feederCapacityWh: rng.chance(0.5) ? 0n : big(40),
      };
      const e = extreme ? U64_MAX : big(64);
      const m = extreme ? 0n : big(64);
      const last = entryOf(0n, 0n, anySide(), anySide());
      if (rng.chance(0.5)) {
        const bound = BigInt(n) * U64_MAX;
        last.sell.weight = extreme ? bound : last.sell.weight % (bound + 1n);
        last.buy.weight = extreme ? bound - 1n : last.buy.weight % (bound + 1n);
        let q = last.sell.weight < last.buy.weight ? last.sell.weight : last.buy.weight;
        if (kind === MarketKind.Mmr && p.feederCapacityWh !== 0n && p.feederCapacityWh < q) q = p.feederCapacityWh;
        const v = (q * (p.gridBuyPrice + p.gridSellPrice)) / 2000n;
        last.sell.floors %= q + 1n;
        last.buy.floors %= q + 1n;
        last.sell.valueFloors %= v + 1n;
        last.buy.valueFloors %= v + 1n;
      }
      const before = entryOf(0n, 0n, anySide(), anySide());
      const sw = kind === MarketKind.Totals ? e : e > m ? e - m : 0n;
      const bw = kind === MarketKind.Totals ? m : m > e ? m - e : 0n;
      const near = (b: SidePrefix, l: SidePrefix, w: bigint): SidePrefix => {
        let q = last.sell.weight < last.buy.weight ? last.sell.weight : last.buy.weight;
        if (kind === MarketKind.Mmr && p.feederCapacityWh !== 0n && p.feederCapacityWh < q) q = p.feederCapacityWh;
        const v = (q * (p.gridBuyPrice + p.gridSellPrice)) / 2000n;
        const floor = l.weight === 0n ? 0n : (q * w) / l.weight;
        const share = floor + (w > 0n && q >= l.floors && b.positive < q - l.floors ? 1n : 0n);
        const valueFloor = q === 0n ? 0n : (v * share) / q;
        const off = (x: bigint): bigint => (x + (rng.chance(0.25) ? 1n : 0n)) % (1n << 256n);
        return side(
          off(b.weight + w),
          off(b.positive + (w > 0n ? 1n : 0n)),
          off(b.floors + floor),
          off(b.filled + (share > 0n ? 1n : 0n)),
          off(b.valueFloors + valueFloor),
        );
      };
      const entry = entryOf(e, m, near(before.sell, last.sell, sw), near(before.buy, last.buy, bw));
      const verdict = judgeEntry(p, n, emptyState(1)[0], before, entry, last);
      expect(verdict).to.be.a('number');
    }
  });
});
