import type { Energy } from '../window/energy.js';
import {
  entriesRoot,
  entryLeaf,
  judgeEntry,
  SIDE_FIELDS,
  type StepEntry,
  stepEntries,
  ZERO_ENTRY,
} from '../window/entries.js';
import { marketStepOfEnergy } from '../window/market.js';
import { emptyState, MarketKind, type MarketParams, type ParticipantState, U64_MAX } from '../window/state.js';
import { SeededRandom } from './prng.js';

/**
 * Vectors of one participant's step (`contracts/test/vectors/stepEntries.json`, replayed by
 * `contracts/test/libraries/StepEntries.t.sol`). Every integer is a decimal string; an entry is flat, 19
 * numbers: S_t[j]'s 7 fields (exportWh, importWh, p2pSoldWh, p2pBoughtWh, gridSoldWh, gridBoughtWh, net),
 * E_t[j] (exportWh, importWh), sell's 5 sums, buy's 5 sums (`SIDE_FIELDS` order).
 *
 * Column layout, so forge reads the whole file with a few `vm.parseJson*` calls (a call per number would copy
 * the file each time): per case c, `kind[c]`, `gridBuyPrice[c]`, …, `participants[c]` = n_c, `roots[c]`; the
 * per-participant columns concatenate the cases in order: `prev` (7 numbers per participant: S_{t−1}),
 * `energy` (2: E_t), `entries` (19: stepEntries(params, prev, energy)), `leaves` (1). `judgements` holds
 * `judgementCount` rows as columns too: caseIndex, participant, fault, mutation, and before / entry / last
 * (19 numbers each per row). Every honest entry judges None; each judgement row is a committed entry with
 * one number changed (`mutation` says which) and the fault the TypeScript judge
 * gives it, which Solidity must give too.
 */
interface StepCase {
  name: string;
  params: MarketParams;
  prev: ParticipantState[];
  energy: Energy[];
}

const STATE_KEYS = ['exportWh', 'importWh', 'p2pSoldWh', 'p2pBoughtWh', 'gridSoldWh', 'gridBoughtWh', 'net'] as const;

/** The 19 numbers of an entry, in the vectors' order. */
export function flattenEntry(e: StepEntry): bigint[] {
  return [
    ...STATE_KEYS.map((k) => e.state[k]),
    e.energy.exportWh,
    e.energy.importWh,
    ...SIDE_FIELDS.map((f) => e.sell[f]),
    ...SIDE_FIELDS.map((f) => e.buy[f]),
  ];
}

/** The inverse of `flattenEntry`. */
export function unflattenEntry(xs: readonly bigint[]): StepEntry {
  const side = (at: number) =>
    Object.fromEntries(SIDE_FIELDS.map((f, k) => [f, xs[at + k]])) as unknown as StepEntry['sell'];
  return {
    state: Object.fromEntries(STATE_KEYS.map((k, i) => [k, xs[i]])) as unknown as ParticipantState,
    energy: { exportWh: xs[7], importWh: xs[8] },
    sell: side(9),
    buy: side(14),
  };
}

const dec = (xs: readonly bigint[]): string[] => xs.map(String);
/** `e` with a net of −2^127: no state F gives, the one net whose 16 bytes `stateHash` refuses. */
const minNetEntry = (e: StepEntry): StepEntry => ({ ...e, state: { ...e.state, net: -(1n << 127n) } });

/** Market parameters of a step case (the unit tests' too). */
export const params = (kind: MarketKind, buy = 250n, sell = 100n, cap = 0n): MarketParams => ({
  kind,
  gridBuyPrice: buy,
  gridSellPrice: sell,
  feederCapacityWh: cap,
});

/** An interval's energy vector from (export, import) pairs in Wh. */
export const en = (pairs: [number, number][]): Energy[] =>
  pairs.map(([e, m]) => ({ exportWh: BigInt(e), importWh: BigInt(m) }));

/** S_{t−1} after one earlier interval `first` from zeros (a real window state, not made-up numbers). */
function after(p: MarketParams, first: Energy[]): ParticipantState[] {
  return marketStepOfEnergy(
    p,
    emptyState(first.length),
    first.map((e) => e.exportWh),
    first.map((e) => e.importWh),
  );
}

function edgeCases(): StepCase[] {
  const cases: StepCase[] = [];
  for (const kind of [MarketKind.Totals, MarketKind.Mmr]) {
    const k = MarketKind[kind];
    const flat = params(kind, 250n, 100n);
    cases.push({
      name: `zeros (${k})`,
      params: flat,
      prev: emptyState(3),
      energy: en([
        [0, 0],
        [0, 0],
        [0, 0],
      ]),
    });
    cases.push({ name: `one participant (${k})`, params: flat, prev: emptyState(1), energy: en([[700, 200]]) });
    cases.push({
      name: `sellers only (${k})`,
      params: flat,
      prev: emptyState(3),
      energy: en([
        [5, 0],
        [0, 0],
        [9, 1],
      ]),
    });
    cases.push({
      name: `buyers only (${k})`,
      params: flat,
      prev: emptyState(3),
      energy: en([
        [0, 5],
        [2, 2],
        [0, 1],
      ]),
    });
    // Three equal sellers sharing 2 Wh: two remainder units of energy, then of money.
    cases.push({
      name: `remainders at both levels (${k})`,
      params: params(kind, 333n, 111n),
      prev: emptyState(5),
      energy: en([
        [1, 0],
        [0, 1],
        [1, 0],
        [0, 1],
        [1, 0],
      ]),
    });
    cases.push({
      name: `everything matched, no remainder (${k})`,
      params: flat,
      prev: emptyState(3),
      energy: en([
        [40, 0],
        [0, 40],
        [0, 0],
      ]),
    });
    cases.push({
      name: `large readings and prices (${k})`,
      params: params(kind, (1n << 100n) - 1n, 1n << 99n),
      prev: emptyState(3),
      energy: en([
        [0xffff_ffff, 3],
        [7, 0xffff_fff0],
        [0xffff_fffe, 0xffff_fffe],
      ]),
    });
    const p = params(kind, 300n, 120n);
    const first = en([
      [10, 3],
      [0, 8],
      [6, 6],
      [1, 9],
    ]);
    cases.push({
      name: `second interval (${k})`,
      params: p,
      prev: after(p, first),
      energy: en([
        [4, 0],
        [0, 3],
        [2, 9],
        [5, 1],
      ]),
    });
  }
  const capped = params(MarketKind.Mmr, 250n, 100n, 7n);
  cases.push({
    name: 'feeder binds (Mmr)',
    params: capped,
    prev: after(
      capped,
      en([
        [9, 0],
        [0, 9],
        [3, 3],
      ]),
    ),
    energy: en([
      [6, 1],
      [0, 4],
      [5, 0],
    ]),
  });
  return cases;
}

function randomCases(count: number, seed: number): StepCase[] {
  const rng = new SeededRandom(seed);
  const energy = (n: number, scale: number): Energy[] =>
    Array.from({ length: n }, () => ({
      exportWh: rng.chance(0.3) ? 0n : BigInt(rng.below(scale)),
      importWh: rng.chance(0.3) ? 0n : BigInt(rng.below(scale)),
    }));
  return Array.from({ length: count }, (_, i) => {
    const kind = i % 2 === 0 ? MarketKind.Mmr : MarketKind.Totals;
    const n = rng.int(2, 12);
    const scale = [8, 1_000, 0x1_0000_0000][rng.below(3)];
    const p = params(
      kind,
      BigInt(rng.int(1, 5_000)),
      BigInt(rng.int(0, 2_000)),
      BigInt(rng.chance(0.3) ? rng.int(1, 3 * scale) : 0),
    );
    return {
      name: `random ${i} (${MarketKind[kind]}, N = ${n})`,
      params: p,
      prev: after(p, energy(n, scale)),
      energy: energy(n, scale),
    };
  });
}

/** One changed number of an entry, and its name. */
interface Mutation {
  name: string;
  target: 'entry' | 'before' | 'last';
  /** Index into the flat entry. */
  at: number;
  delta: bigint;
}

const FLAT_NAMES = [
  ...STATE_KEYS,
  'energy.exportWh',
  'energy.importWh',
  ...SIDE_FIELDS.map((f) => `sell.${f}`),
  ...SIDE_FIELDS.map((f) => `buy.${f}`),
];

function mutations(): Mutation[] {
  const out: Mutation[] = [];
  // Every number of the judged entry, up and (where it can go) down.
  FLAT_NAMES.forEach((name, at) => {
    out.push({ name: `entry ${name} + 1`, target: 'entry', at, delta: 1n });
    out.push({ name: `entry ${name} - 1`, target: 'entry', at, delta: -1n });
  });
  // The running sums of the entry before, and the totals of the last entry.
  for (let at = 9; at < 19; at++) {
    out.push({ name: `before ${FLAT_NAMES[at]} + 1`, target: 'before', at, delta: 1n });
    out.push({ name: `last ${FLAT_NAMES[at]} + 1`, target: 'last', at, delta: 1n });
    out.push({ name: `last ${FLAT_NAMES[at]} - 1`, target: 'last', at, delta: -1n });
  }
  // Totals no honest interval has: a weight above N · (2^64 − 1), floors far above Q.
  out.push({ name: 'last sell.weight + 2^80', target: 'last', at: 9, delta: 1n << 80n });
  out.push({ name: 'last buy.floors + 2^70', target: 'last', at: 16, delta: 1n << 70n });
  out.push({ name: 'last sell.valueFloors + 2^200', target: 'last', at: 13, delta: 1n << 200n });
  return out;
}

/** Whether a flat entry is still an entry the contracts can take (uint fields ≥ 0, net packable, < 2^64). */
function representable(xs: readonly bigint[]): boolean {
  return xs.every((x, i) => {
    if (i === 6) return x <= (1n << 127n) - 1n && x >= -((1n << 127n) - 1n);
    if (i < 9) return x >= 0n && x <= U64_MAX;
    return x >= 0n && x < 1n << 256n;
  });
}

export function stepEntryVectors(): Record<string, unknown> {
  const all = [...edgeCases(), ...randomCases(12, 0x57e9)];
  const edges = edgeCases().length;
  const rng = new SeededRandom(0x3a11);
  const cases = all.map((c) => ({ ...c, entries: stepEntries(c.params, c.prev, c.energy) }));
  const judgements = {
    caseIndex: [] as number[],
    participant: [] as number[],
    fault: [] as number[],
    mutation: [] as string[],
    before: [] as string[],
    entry: [] as string[],
    last: [] as string[],
  };
  cases.forEach((c, caseIndex) => {
    const n = c.entries.length;
    for (const j of caseIndex < edges ? c.entries.keys() : [rng.below(n)]) {
      const flat = {
        before: flattenEntry(j === 0 ? ZERO_ENTRY : c.entries[j - 1]),
        entry: flattenEntry(c.entries[j]),
        last: flattenEntry(c.entries[n - 1]),
      };
      // A sample of the mutations per judged entry keeps the file small; `stepEntries.test.ts` checks that
      // the sample still reaches every fault.
      for (const m of mutations().filter((m) => m.name.endsWith('floors - 1') || rng.chance(0.07))) {
        // The last entry of j = N−1 is the entry itself; entry −1 is zeros by rule, not committed.
        if (m.target === 'last' && j === n - 1) continue;
        if (m.target === 'before' && j === 0) continue;
        const mutated = { ...flat, [m.target]: flat[m.target].map((x, i) => (i === m.at ? x + m.delta : x)) };
        if (!representable(mutated[m.target])) continue;
        const fault = judgeEntry(
          c.params,
          n,
          c.prev[j],
          unflattenEntry(mutated.before),
          unflattenEntry(mutated.entry),
          unflattenEntry(mutated.last),
        );
        judgements.caseIndex.push(caseIndex);
        judgements.participant.push(j);
        judgements.fault.push(fault);
        judgements.mutation.push(m.name);
        judgements.before.push(...dec(mutated.before));
        judgements.entry.push(...dec(mutated.entry));
        judgements.last.push(...dec(mutated.last));
      }
    }
  });
  const column = <T>(f: (c: (typeof cases)[number]) => T[]): T[] => cases.flatMap(f);
  return {
    count: cases.length,
    names: cases.map((c) => c.name),
    kind: cases.map((c) => c.params.kind as number),
    gridBuyPrice: cases.map((c) => String(c.params.gridBuyPrice)),
    gridSellPrice: cases.map((c) => String(c.params.gridSellPrice)),
    feederCapacityWh: cases.map((c) => String(c.params.feederCapacityWh)),
    participants: cases.map((c) => c.entries.length),
    prev: column((c) => c.prev.flatMap((s) => dec(STATE_KEYS.map((k) => s[k])))),
    energy: column((c) => c.energy.flatMap((e) => dec([e.exportWh, e.importWh]))),
    entries: column((c) => c.entries.flatMap((e) => dec(flattenEntry(e)))),
    leaves: column((c) => c.entries.map(entryLeaf)),
    roots: cases.map((c) => entriesRoot(c.entries)),
    // An entry whose state's net is −2^127 (the first case's entry 0 with that net): F never gives it, but a
    // claimant may commit its 16 bytes, and the entry has a leaf so that a proof can open and fault it.
    minNetEntry: dec(flattenEntry(minNetEntry(cases[0].entries[0]))),
    minNetLeaf: entryLeaf(minNetEntry(cases[0].entries[0])),
    judgementCount: judgements.fault.length,
    judgements,
  };
}
