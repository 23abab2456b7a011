import { expect } from 'chai';
import type { Energy } from '../../src/window/energy.js';
import {
  entriesUnderTotals,
  EntryFault,
  expectedEntry,
  faultyEntries,
  judgeEntry,
  type StepEntry,
  stepEntries,
  ZERO_ENTRY,
} from '../../src/window/entries.js';
import {
  emptyState,
  MarketError,
  MarketErrorCode,
  MarketKind,
  marketStepOfEnergy,
  type MarketParams,
  share,
  U64_MAX,
} from '../../src/window/index.js';
import { SeededRandom } from '../../src/vectors/prng.js';
import { en, flattenEntry, params, stepEntryVectors, unflattenEntry } from '../../src/vectors/stepEntries.js';

/** A random honest second step of n participants (S_{t−1} from a first step). */
function honest(rng: SeededRandom, kind: MarketKind) {
  const n = rng.int(1, 14);
  const scale = [4, 1_000, 0x1_0000_0000][rng.below(3)];
  const energy = (): Energy[] =>
    Array.from({ length: n }, () => ({
      exportWh: rng.chance(0.3) ? 0n : BigInt(rng.below(scale)),
      importWh: rng.chance(0.3) ? 0n : BigInt(rng.below(scale)),
    }));
  const p = params(
    kind,
    BigInt(rng.int(0, 9_000)),
    BigInt(rng.int(0, 3_000)),
    rng.chance(0.3) ? BigInt(rng.int(1, 2 * scale)) : 0n,
  );
  const first = energy();
  const prev = marketStepOfEnergy(
    p,
    emptyState(n),
    first.map((e) => e.exportWh),
    first.map((e) => e.importWh),
  );
  const e = energy();
  return { p, prev, energy: e, entries: stepEntries(p, prev, e) };
}

const judgeAt = (p: MarketParams, prev: ReturnType<typeof honest>['prev'], es: StepEntry[], j: number): EntryFault =>
  judgeEntry(p, es.length, prev[j], j === 0 ? ZERO_ENTRY : es[j - 1], es[j], es[es.length - 1]);

describe('one participant’s step (entries.ts, twin of StepEntries.sol)', () => {
  it('the entries carry F’s states, and each side’s shares are `share` of Q then of its value', () => {
    // Three equal sellers share 2 Wh: the remainder units go to the first two, of energy and of money.
    const p = params(MarketKind.Mmr, 333_000n, 111_000n);
    const energy = en([
      [1, 0],
      [0, 1],
      [1, 0],
      [0, 1],
      [1, 0],
    ]);
    const es = stepEntries(p, emptyState(5), energy);
    const next = marketStepOfEnergy(
      p,
      emptyState(5),
      energy.map((e) => e.exportWh),
      energy.map((e) => e.importWh),
    );
    expect(es.map((e) => e.state)).to.deep.equal(next);
    expect(es.map((e) => e.state.p2pSoldWh)).to.deep.equal(share(2n, [1n, 0n, 1n, 0n, 1n]));
    expect(es[4].sell).to.deep.equal({ weight: 3n, positive: 3n, floors: 0n, filled: 2n, valueFloors: 444n });
    expect(es[4].buy).to.deep.equal({ weight: 2n, positive: 2n, floors: 2n, filled: 2n, valueFloors: 444n });
    expect(es.map((e) => e.state.net)).to.deep.equal([222n, -222n, 222n, -222n, 0n]);
  });

  it('every honest entry is judged None (random steps, Totals and Mmr)', () => {
    const rng = new SeededRandom(0xe771);
    for (let i = 0; i < 300; i++) {
      const c = honest(rng, i % 2 ? MarketKind.Totals : MarketKind.Mmr);
      expect(faultyEntries(c.p, c.prev, c.entries)).to.deep.equal([]);
    }
  });

  it('a changed number anywhere in the committed entries is caught at some entry (soundness)', () => {
    const rng = new SeededRandom(0x50d);
    let tried = 0;
    while (tried < 1_500) {
      const c = honest(rng, tried % 2 ? MarketKind.Totals : MarketKind.Mmr);
      const victim = rng.below(c.entries.length);
      const flat = flattenEntry(c.entries[victim]);
      const at = rng.below(19);
      const delta = BigInt(rng.int(1, 3)) * (rng.chance(0.5) ? 1n : -1n) * (rng.chance(0.2) ? 1n << 40n : 1n);
      flat[at] += delta;
      if (flat[at] < 0n && at !== 6) continue;
      if ((at < 6 || at === 7 || at === 8) && flat[at] > U64_MAX) continue;
      const es = [...c.entries];
      es[victim] = unflattenEntry(flat);
      tried++;
      const faults = faultyEntries(c.p, c.prev, es);
      expect(faults, `entry ${victim} number ${at} moved by ${delta}`).to.not.deep.equal([]);
    }
  });

  it('faultyEntries skips a judgement that throws (the verifier reverts there) and still names the earlier fault', () => {
    const p = params(MarketKind.Totals);
    const prev = emptyState(3);
    const es = stepEntries(
      p,
      prev,
      en([
        [5, 0],
        [0, 5],
        [3, 0],
      ]),
    );
    // Entry 0's state is wrong; entry 1 is judged after a claimed S_{t−1}[1] whose export is at 2^64 − 1, so
    // its cumulative weight overflows uint64 and its judgement throws FIELD_OVERFLOW.
    const wrong = [{ ...es[0], state: { ...es[0].state, gridSoldWh: es[0].state.gridSoldWh + 1n } }, es[1], es[2]];
    const before = [prev[0], { ...prev[1], exportWh: U64_MAX }, prev[2]];
    const entry1 = { ...es[1], energy: { ...es[1].energy, exportWh: 1n } };
    expect(() => judgeEntry(p, 3, before[1], wrong[0], entry1, wrong[2])).to.throw(MarketError);
    const faults = faultyEntries(p, before, [wrong[0], entry1, wrong[2]]);
    expect(faults[0]).to.deep.equal({ participant: 0, fault: EntryFault.State });
    expect(faults.map((f) => f.participant)).to.not.include(1);
  });

  it('names the fault: a wrong state, a wrong running sum, totals no honest interval has, an excess share', () => {
    const p = params(MarketKind.Mmr, 333_000n, 111_000n);
    const prev = emptyState(5);
    const es = stepEntries(
      p,
      prev,
      en([
        [1, 0],
        [0, 1],
        [1, 0],
        [0, 1],
        [1, 0],
      ]),
    );
    const moved = (j: number, f: (e: StepEntry) => StepEntry) => es.map((e, i) => (i === j ? f(e) : e));

    const net = moved(2, (e) => ({ ...e, state: { ...e.state, net: e.state.net + 1n } }));
    expect(judgeAt(p, prev, net, 2)).to.equal(EntryFault.State);
    const sum = moved(2, (e) => ({ ...e, buy: { ...e.buy, valueFloors: e.buy.valueFloors + 1n } }));
    expect(judgeAt(p, prev, sum, 2)).to.equal(EntryFault.BuyValueFloors);
    // The entry after a wrong sum is judged wrong too (its predecessor's plus its own term differs).
    expect(judgeAt(p, prev, sum, 3)).to.equal(EntryFault.BuyValueFloors);
    // Σ floors above Q in the last entry: every entry's judge says Totals, without a revert.
    const totals = moved(4, (e) => ({ ...e, sell: { ...e.sell, floors: 3n } }));
    for (let j = 0; j < 5; j++) expect(judgeAt(p, prev, totals, j)).to.equal(EntryFault.Totals);

    // Everything matched: floors are exact, so a last entry claiming a remainder unit would hand the
    // buyer q = w + 1 (Excess), not a revert on the grid subtraction.
    const all = stepEntries(
      p,
      emptyState(3),
      en([
        [40, 0],
        [0, 40],
        [0, 0],
      ]),
    );
    const bogus = all.map((e, i) => (i === 2 ? { ...e, buy: { ...e.buy, floors: e.buy.floors - 1n } } : e));
    expect(judgeEntry(p, 3, emptyState(1)[0], all[0], bogus[1], bogus[2])).to.equal(EntryFault.BuyExcess);
  });

  it('fails where F fails (a cumulative uint64 field) and refuses the auction', () => {
    const totals = params(MarketKind.Totals);
    const prev = { ...emptyState(1)[0], exportWh: U64_MAX };
    const entry: StepEntry = { ...ZERO_ENTRY, energy: { exportWh: 1n, importWh: 0n } };
    expect(() => judgeEntry(totals, 1, prev, ZERO_ENTRY, entry, entry))
      .to.throw(MarketError)
      .with.property('code', MarketErrorCode.FIELD_OVERFLOW);
    const auction = params(MarketKind.Auction);
    expect(() => stepEntries(auction, emptyState(1), en([[1, 1]])))
      .to.throw(MarketError)
      .with.property('code', MarketErrorCode.UNSUPPORTED_KIND);
    expect(() => judgeEntry(auction, 1, prev, ZERO_ENTRY, ZERO_ENTRY, ZERO_ENTRY))
      .to.throw(MarketError)
      .with.property('code', MarketErrorCode.UNSUPPORTED_KIND);
  });

  it('the vectors’ judgement rows reach every fault', () => {
    const v = stepEntryVectors() as { judgements: { fault: number[] } };
    const seen = new Set(v.judgements.fault);
    for (const f of Object.values(EntryFault).filter((x) => typeof x === 'number'))
      expect(seen.has(f as number), EntryFault[f as number]).to.equal(true);
  });

  it('expectedEntry is the one entry the judge accepts: an honest entry is it, a changed one is judged a fault', () => {
    const rng = new SeededRandom(0xe4e);
    for (let i = 0; i < 200; i++) {
      const c = honest(rng, i % 2 ? MarketKind.Totals : MarketKind.Mmr);
      const n = c.entries.length;
      const j = rng.below(n);
      const before = j === 0 ? ZERO_ENTRY : c.entries[j - 1];
      const expected = expectedEntry(c.p, n, c.prev[j], before, c.energy[j], c.entries[n - 1]);
      expect(expected).to.deep.equal(c.entries[j]);
      const flat = flattenEntry(c.entries[j]);
      const at = rng.below(19);
      if (at === 7 || at === 8) continue; // its energy: another expected entry, judged against that one
      flat[at] += 1n;
      if (j === n - 1) continue; // the last entry carries the totals it is judged by
      const changed = unflattenEntry(flat);
      expect(judgeAt(c.p, c.prev, c.entries.with(j, changed), j)).to.not.equal(EntryFault.None);
    }
  });

  it('chain*(T): stepEntries when T is F’s last entry; otherwise its leftmost difference with the claim is an entry the judge faults', () => {
    const rng = new SeededRandom(0xc4a1);
    for (let i = 0; i < 300; i++) {
      const c = honest(rng, i % 2 ? MarketKind.Totals : MarketKind.Mmr);
      const n = c.entries.length;
      const last = c.entries[n - 1];
      expect(entriesUnderTotals(c.p, c.prev, c.energy, last)).to.deep.equal(c.entries);
      // One number of one entry changed (not its energy: the claim's E_t is the one the chain uses).
      const victim = rng.below(n);
      const flat = flattenEntry(c.entries[victim]);
      const at = [0, 1, 2, 3, 4, 5, 6, ...Array.from({ length: 10 }, (_, k) => 9 + k)][rng.below(17)];
      flat[at] += BigInt(rng.int(1, 3));
      const claim = c.entries.with(victim, unflattenEntry(flat));
      const chain = entriesUnderTotals(c.p, c.prev, c.energy, claim[n - 1]);
      const differs = (j: number) =>
        j >= chain.length ||
        JSON.stringify(flattenEntry(chain[j]).map(String)) !== JSON.stringify(flattenEntry(claim[j]).map(String));
      const first = Array.from({ length: n }, (_, j) => j).find(differs);
      expect(first, `entry ${victim} number ${at}`).to.not.equal(undefined);
      expect(judgeAt(c.p, c.prev, claim, first!), `entry ${victim} number ${at}`).to.not.equal(EntryFault.None);
    }
  });

  it('chain*(T) under totals no honest interval has is empty: the judge faults every entry (pick left)', () => {
    const p = params(MarketKind.Mmr, 333_000n, 111_000n);
    const prev = emptyState(5);
    const energy = en([
      [1, 0],
      [0, 1],
      [1, 0],
      [0, 1],
      [1, 0],
    ]);
    const es = stepEntries(p, prev, energy);
    const fake = { ...es[4], sell: { ...es[4].sell, floors: 3n } };
    expect(entriesUnderTotals(p, prev, energy, fake)).to.deep.equal([]);
    expect(judgeAt(p, prev, es.with(4, fake), 0)).to.equal(EntryFault.Totals);
    // An excess share at entry 1 (fake floors of the last entry): the chain stops there, the judge faults it.
    const all = en([
      [40, 0],
      [0, 40],
      [0, 0],
    ]);
    const three = stepEntries(p, emptyState(3), all);
    const bogus = { ...three[2], buy: { ...three[2].buy, floors: three[2].buy.floors - 1n } };
    const chain = entriesUnderTotals(p, emptyState(3), all, bogus);
    expect(chain).to.have.length(1);
    expect(judgeEntry(p, 3, emptyState(1)[0], chain[0], three[1], bogus)).to.equal(EntryFault.BuyExcess);
  });
});
