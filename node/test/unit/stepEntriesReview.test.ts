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
