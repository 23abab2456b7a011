import { ZeroHash } from 'ethers';
import { emptyState, foldWindow } from '../window/market.js';
import {
  MarketKind,
  U128_MAX,
  U32_MAX,
  tryStateHash,
  type MarketParams,
  type MeterEnergy,
  type ParticipantState,
} from '../window/state.js';
import { SeededRandom } from './prng.js';

/** One market case: parameters, meter ownership and the readings of each interval, folded from S_0. */
export interface MarketCase {
  name: string;
  params: MarketParams;
  participants: number;
  meterOwner: number[];
  intervals: MeterEnergy[][];
}

/**
 * JSON layout (`contracts/test/vectors/market.json`), chosen so forge reads it with one
 * `vm.parseJson*` call per path. Integers beyond 2^53 (uint64/uint128/int256) are decimal strings,
 * which `vm.parseJsonUint(Array)` / `vm.parseJsonInt(Array)` accept.
 *
 * ```
 * { count, cases: [ { name, kind (0 Totals, 1 Mmr), gridBuyPrice, gridSellPrice, feederCapacityWh,
 *     participants, meters, meterOwner: [uint32], stepCount,
 *     steps: [ { present: [bool], exportWh: [uint32], importWh: [uint32],   // R_t, by meter
 *                state: { exportWh, importWh, p2pSoldWh, p2pBoughtWh, gridSoldWh, gridBoughtWh, net }, // S_t, by participant, decimal strings
 *                hash } ] } ] }                                           // stateHash(S_t), 0 if S_t has none
 * ```
 * Steps fold from S_0 = all zeros: steps[t].state = F(steps[t-1].state, steps[t] readings).
 */
export interface MarketVector {
  name: string;
  kind: number;
  gridBuyPrice: string;
  gridSellPrice: string;
  feederCapacityWh: string;
  participants: number;
  meters: number;
  meterOwner: number[];
  stepCount: number;
  steps: MarketStepVector[];
}

export interface MarketStepVector {
  present: boolean[];
  exportWh: number[];
  importWh: number[];
  state: Record<keyof ParticipantState, string[]>;
  hash: string;
}

const on = (exportWh: number, importWh: number): MeterEnergy => ({ present: true, exportWh, importWh });
/** Absent, with non-zero fields: both twins must ignore them. */
const off = (exportWh = 0, importWh = 0): MeterEnergy => ({ present: false, exportWh, importWh });

const params = (
  kind: MarketKind,
  gridBuyPrice: bigint,
  gridSellPrice: bigint,
  feederCapacityWh = 0n,
): MarketParams => ({
  kind,
  gridBuyPrice,
  gridSellPrice,
  feederCapacityWh,
});

const bothKinds = (name: string, build: (kind: MarketKind) => Omit<MarketCase, 'name'>): MarketCase[] =>
  [MarketKind.Totals, MarketKind.Mmr].map((kind) => ({ name: `${name} (${MarketKind[kind]})`, ...build(kind) }));

/** Hand-picked edge cases; each is folded over all its intervals. */
export function edgeMarketCases(): MarketCase[] {
  return [
    ...bothKinds('zero readings', (kind) => ({
      params: params(kind, 250n, 80n),
      participants: 3,
      meterOwner: [0, 1, 2],
      intervals: [
        [on(0, 0), on(0, 0), on(0, 0)],
        [on(0, 0), on(0, 0), on(0, 0)],
      ],
    })),
    ...bothKinds('absent meters count as zero', (kind) => ({
      params: params(kind, 250n, 80n),
      participants: 3,
      meterOwner: [0, 1, 2, 2],
      intervals: [
        [on(500, 0), off(9999, 9999), on(0, 300), off()],
        [off(1, 1), off(), off(), off()],
        [on(120, 10), on(0, 77), off(4000, 0), on(5, 60)],
      ],
    })),
    ...bothKinds('one participant', (kind) => ({
      params: params(kind, 300n, 100n),
      participants: 1,
      meterOwner: [0, 0],
      intervals: [
        [on(700, 0), on(0, 200)],
        [on(0, 0), on(0, 900)],
      ],
    })),
    ...bothKinds('no surplus', (kind) => ({
      params: params(kind, 250n, 80n),
      participants: 3,
      meterOwner: [0, 1, 2],
      intervals: [
        [on(0, 100), on(0, 250), on(0, 3)],
        [on(0, 1), on(0, 0), on(0, 999)],
      ],
    })),
    ...bothKinds('no deficit', (kind) => ({
      params: params(kind, 250n, 80n),
      participants: 2,
      meterOwner: [0, 1],
      intervals: [[on(400, 0), on(10, 0)]],
    })),
    ...bothKinds('feeder capacity binding', (kind) => ({
      params: params(kind, 280n, 60n, 150n),
      participants: 4,
      meterOwner: [0, 1, 2, 3],
      intervals: [
        [on(400, 0), on(200, 50), on(0, 300), on(0, 500)],
        [on(100, 0), on(0, 20), on(0, 0), on(0, 30)],
      ],
    })),
    ...bothKinds('remainders exercise the tie-break', (kind) => ({
      // share(2, [0,1,1,1]) gives units to indices 1 and 2; odd prices leave value remainders too.
      params: params(kind, 3_333_331n, 1_000_003n),
      participants: 6,
      meterOwner: [0, 1, 2, 3, 4, 5],
      intervals: [
        [on(0, 0), on(1, 0), on(1, 0), on(1, 0), on(0, 1), on(0, 1)],
        [on(7, 0), on(0, 3), on(7, 0), on(0, 0), on(7, 0), on(0, 3)],
        [on(0, 5), on(2, 0), on(0, 5), on(2, 0), on(0, 5), on(3, 0)],
      ],
    })),
    ...bothKinds('multi-meter participants', (kind) => ({
      params: params(kind, 250n, 80n),
      participants: 3,
      meterOwner: [0, 0, 0, 1, 2, 2],
      intervals: [
        [on(300, 0), on(0, 120), on(50, 50), on(0, 400), on(90, 0), on(0, 10)],
        [on(0, 500), on(600, 0), off(), on(200, 0), on(0, 80), on(0, 80)],
      ],
    })),
    ...bothKinds('uint32 max per meter, uint128 prices', (kind) => ({
      params: params(kind, U128_MAX, U128_MAX - 12345n, kind === MarketKind.Mmr ? 2n ** 63n + 1n : 0n),
      participants: 4,
      meterOwner: [0, 0, 0, 1, 2, 2, 3],
      intervals: [
        [
          on(U32_MAX, 0),
          on(U32_MAX, 0),
          on(U32_MAX, 1),
          on(0, U32_MAX),
          on(0, U32_MAX),
          on(0, U32_MAX),
          on(U32_MAX, U32_MAX),
        ],
        [
          on(U32_MAX, U32_MAX),
          on(0, U32_MAX),
          on(U32_MAX, 0),
          on(U32_MAX, 0),
          on(1, U32_MAX),
          off(),
          on(0, U32_MAX - 7),
        ],
        [on(U32_MAX, 0), on(U32_MAX, 0), on(U32_MAX, 0), on(0, U32_MAX), on(0, U32_MAX), on(0, 3), on(0, U32_MAX)],
      ],
    })),
  ];
}

/** Seeded random cases: N up to 12 participants (some without meters), a few intervals each. */
export function randomMarketCases(count = 30, seed = 0xd1e5): MarketCase[] {
  const rng = new SeededRandom(seed);
  const cases: MarketCase[] = [];
  for (let c = 0; c < count; c++) {
    const participants = rng.int(1, 12);
    const meterOwner = randomMeterOwners(rng, participants, 4);
    const meters = meterOwner.length;
    // Small energies stress the remainders, large ones the arithmetic.
    const scale = [4, 100, 5000, U32_MAX][rng.below(4)];
    const kind = rng.chance(0.5) ? MarketKind.Totals : MarketKind.Mmr;
    const feederCapacityWh =
      kind === MarketKind.Mmr && rng.chance(0.4) ? BigInt(rng.int(1, Math.min(scale * 3, U32_MAX))) : 0n;
    const gridBuyPrice = BigInt(rng.int(0, 400));
    const gridSellPrice = BigInt(rng.int(0, Number(gridBuyPrice)));
    const steps = rng.int(1, 5);
    const intervals = Array.from({ length: steps }, () => randomReadings(rng, meters, scale, 0.85));
    cases.push({
      name: `random ${c}`,
      params: { kind, gridBuyPrice, gridSellPrice, feederCapacityWh },
      participants,
      meterOwner,
      intervals,
    });
  }
  return cases;
}

/**
 * 1 to participants + extra meters, meter k < participants mostly owned by participant k, the others by
 * a random participant (some participants without meters). The random vectors of every market share it.
 */
export function randomMeterOwners(rng: SeededRandom, participants: number, extra: number): number[] {
  const meters = rng.int(1, participants + extra);
  return Array.from({ length: meters }, (_, k) => (k < participants && rng.chance(0.8) ? k : rng.below(participants)));
}

/** One interval's readings of `meters` meters: present with probability `present`, energies up to `scale`. */
export function randomReadings(rng: SeededRandom, meters: number, scale: number, present: number): MeterEnergy[] {
  return Array.from({ length: meters }, (): MeterEnergy => {
    const p = rng.chance(present);
    const exportWh = rng.chance(0.45) ? rng.below(scale + 1) : 0;
    const importWh = rng.chance(0.6) ? rng.below(scale + 1) : 0;
    return { present: p, exportWh, importWh };
  });
}

export function marketVectorCases(): MarketCase[] {
  return [...edgeMarketCases(), ...randomMarketCases()];
}

/** A state as the vector files hold it: one column of decimal strings per field, by participant. */
export const stateColumns = (states: readonly ParticipantState[]): Record<keyof ParticipantState, string[]> => ({
  exportWh: states.map((s) => s.exportWh.toString()),
  importWh: states.map((s) => s.importWh.toString()),
  p2pSoldWh: states.map((s) => s.p2pSoldWh.toString()),
  p2pBoughtWh: states.map((s) => s.p2pBoughtWh.toString()),
  gridSoldWh: states.map((s) => s.gridSoldWh.toString()),
  gridBoughtWh: states.map((s) => s.gridBoughtWh.toString()),
  net: states.map((s) => s.net.toString()),
});

export function toMarketVector(c: MarketCase): MarketVector {
  const states = foldWindow(c.params, emptyState(c.participants), c.meterOwner, c.intervals);
  return {
    name: c.name,
    kind: c.params.kind,
    gridBuyPrice: c.params.gridBuyPrice.toString(),
    gridSellPrice: c.params.gridSellPrice.toString(),
    feederCapacityWh: c.params.feederCapacityWh.toString(),
    participants: c.participants,
    meters: c.meterOwner.length,
    meterOwner: c.meterOwner,
    stepCount: c.intervals.length,
    steps: c.intervals.map((readings, t) => ({
      present: readings.map((r) => r.present),
      exportWh: readings.map((r) => r.exportWh),
      importWh: readings.map((r) => r.importWh),
      state: stateColumns(states[t]),
      // The zero hash for a state without a packed encoding (prices beyond the hub's bounds at open).
      hash: tryStateHash(states[t]) ?? ZeroHash,
    })),
  };
}

export function marketVectors(): MarketVector[] {
  return marketVectorCases().map(toMarketVector);
}
