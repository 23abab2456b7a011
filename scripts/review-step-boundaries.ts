// The TypeScript twin's answers at the market step's boundaries, pinned in
// contracts/test/review/StepCalldataAttacks.t.sol (TS_* constants): each line is a case name and the state hash
// of F(S_{t-1}, E_t) (`tryStateHash(marketStepOfEnergy(...))`), NO-ENCODING when S_t has no packed encoding, or
// THROW and the MarketError code (where Solidity panics 0x11). Run: npx tsx scripts/review-step-boundaries.ts
// (with --write: also the random packed steps below)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SeededRandom } from '../node/src/vectors/prng.js';
import { unpackEnergy } from '../node/src/window/energy.js';
import { marketStepOfEnergy } from '../node/src/window/market.js';
import {
  emptyState,
  type LimitPrices,
  limitsHash,
  MarketKind,
  type MarketParams,
  type ParticipantState,
  packLimits,
  tryStateHash,
  unpackState,
} from '../node/src/window/state.js';

const U64 = (1n << 64n) - 1n;
const U128 = (1n << 128n) - 1n;
const I128_MAX = (1n << 127n) - 1n;

function params(kind: MarketKind, buy: bigint, sell: bigint, cap: bigint): MarketParams {
  return { kind, gridBuyPrice: buy, gridSellPrice: sell, feederCapacityWh: cap };
}

function run(name: string, step: () => ParticipantState[]): void {
  try {
    console.log(name, tryStateHash(step()) ?? 'NO-ENCODING');
  } catch (e) {
    console.log(name, 'THROW', (e as { code?: string }).code ?? String(e));
  }
}

// N = 1,024: even participants export 2^64 - 1, odd ones import it (test_LargestCommunityAtTheTopOfUint64_Attack).
const n = 1024;
const ex = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? U64 : 0n));
const im = Array.from({ length: n }, (_, i) => (i % 2 === 1 ? U64 : 0n));
const limits: LimitPrices[] = Array.from({ length: n }, () => ({ bidPrice: 1000n, askPrice: 1000n }));
run('TS_N1024 (Mmr)', () => marketStepOfEnergy(params(MarketKind.Mmr, 1000n, 1000n, 0n), emptyState(n), ex, im));
run('TS_N1024 (Totals)', () => marketStepOfEnergy(params(MarketKind.Totals, 1000n, 1000n, 0n), emptyState(n), ex, im));
run('TS_N1024 (Auction)', () =>
  marketStepOfEnergy(params(MarketKind.Auction, 1000n, 1000n, 0n), emptyState(n), ex, im, limits),
);
run('TS_N1024_FEEDER_1', () => marketStepOfEnergy(params(MarketKind.Mmr, 1000n, 1000n, 1n), emptyState(n), ex, im));

// Every participant 2^64 - 1 both ways under Totals (test_RevertWhen_ValueProductWraps_Attack).
const all = Array.from({ length: n }, () => U64);
run('Totals at top prices', () =>
  marketStepOfEnergy(params(MarketKind.Totals, U128, U128, 0n), emptyState(n), all, all),
);
run('TS_N1024_TOTALS_QUARTER_PRICE', () =>
  marketStepOfEnergy(params(MarketKind.Totals, U128 / 4n, U128 / 4n, 0n), emptyState(n), all, all),
);

// A previous net of -2^127 (test_MinNetInPrevIsCarriedOrRecomputed_Attack).
const minPrev = emptyState(2);
minPrev[0].net = -(1n << 127n);
run('min net, Mmr, no energy', () =>
  marketStepOfEnergy(params(MarketKind.Mmr, 100n, 50n, 0n), minPrev, [0n, 0n], [0n, 0n]),
);
run('TS_MIN_NET_TOTALS', () =>
  marketStepOfEnergy(params(MarketKind.Totals, 100n, 50n, 0n), minPrev, [0n, 0n], [0n, 0n]),
);
run('TS_MIN_NET_LIFTED', () =>
  marketStepOfEnergy(params(MarketKind.Mmr, 1000n, 1000n, 0n), minPrev, [1n, 0n], [0n, 1n]),
);

// Every field at its top (test_RevertWhen_FieldAtItsTopGrows_Attack).
const topOf = (net: bigint): ParticipantState => ({
  exportWh: U64,
  importWh: U64,
  p2pSoldWh: U64,
  p2pBoughtWh: U64,
  gridSoldWh: U64,
  gridBoughtWh: U64,
  net,
});
const top = [topOf(I128_MAX), topOf(-I128_MAX)];
run('TS_TOP_MMR_ZERO', () => marketStepOfEnergy(params(MarketKind.Mmr, 100n, 50n, 0n), top, [0n, 0n], [0n, 0n]));
run('TS_TOP_TOTALS_ZERO', () => marketStepOfEnergy(params(MarketKind.Totals, 100n, 50n, 0n), top, [0n, 0n], [0n, 0n]));
run('top, Mmr, one more Wh exported', () =>
  marketStepOfEnergy(params(MarketKind.Mmr, 100n, 50n, 0n), top, [1n, 1n], [0n, 0n]),
);
run('top, Totals, one more Wh imported', () =>
  marketStepOfEnergy(params(MarketKind.Totals, 100n, 50n, 0n), top, [0n, 0n], [1n, 1n]),
);

// An interval energy past 2^64 - 1 (test_EnergyPastUint64OnlyThroughTheUnusedStepEntry_Attack): refused here,
// taken by Solidity's `IMarketStep.step`.
const big = U64 + 6n;
run('energy 2^64 + 5', () =>
  marketStepOfEnergy(params(MarketKind.Mmr, 1000n, 1000n, 0n), emptyState(2), [big, 0n], [0n, big]),
);

// ---------------------------------------------------------------- random packed steps (`--write`)
//
// With `--write`, also writes contracts/test/vectors/reviewStep.json: packed steps of random, boundary-biased
// inputs (S_{t−1} bytes unpacked by `unpackState`, so a net of −2^127 and fields at 2^64 − 1 occur; E_t; the
// auction's prices; the three market kinds) and the TypeScript outcome of each: the state hash, NO-ENCODING, or
// the MarketError code. `StepCalldataAttacksTest.test_TypeScriptTwinOnRandomPackedSteps` replays them through
// the modules' `stepHash` and the memory path.
if (process.argv.includes('--write')) writeRandomSteps();

function writeRandomSteps(): void {
  const rnd = new SeededRandom(0x5eed_0016);
  const u64 = (): bigint => (BigInt(rnd.nextU32()) << 32n) | BigInt(rnd.nextU32());
  const u128 = (): bigint => (u64() << 64n) | u64();
  // A uint64 biased to the boundaries (wild) or small.
  const field = (wild: boolean): bigint => {
    if (!wild) return BigInt(rnd.below(1000));
    const k = rnd.below(8);
    if (k === 0) return 0n;
    if (k === 1) return U64;
    if (k === 2) return U64 - BigInt(rnd.below(4));
    if (k === 3) return u64();
    if (k === 4) return 1n << 63n;
    return BigInt(rnd.below(100_000));
  };
  const net = (wild: boolean): bigint => {
    const k = rnd.below(8);
    if (!wild || k > 5) return BigInt(rnd.below(2001)) - 1000n;
    if (k === 0) return -(1n << 127n);
    if (k === 1) return I128_MAX;
    if (k === 2) return -I128_MAX;
    if (k === 3) return BigInt.asIntN(128, u128());
    return -1n;
  };
  const price = (wild: boolean): bigint => {
    const k = rnd.below(6);
    if (!wild || k > 3) return BigInt(rnd.below(5000));
    if (k === 0) return 0n;
    if (k === 1) return U128;
    if (k === 2) return u128();
    return 1n << 100n;
  };
  const hex = (b: Uint8Array): string => `0x${Buffer.from(b).toString('hex')}`;
  const word = (v: bigint): string => `0x${v.toString(16)}`;
  const cases: unknown[] = [];
  for (let c = 0; c < 120; c++) {
    const wild = rnd.below(3) !== 0;
    const n = rnd.chance(0.05) ? 24 : rnd.below(13);
    const kind = rnd.below(3) as MarketKind;
    const p = params(kind, price(wild), price(wild), rnd.below(4) === 0 ? 0n : field(wild));
    const prev = Buffer.alloc(n * 64);
    const energy = Buffer.alloc(n * 16);
    const limits: LimitPrices[] = [];
    for (let i = 0; i < n; i++) {
      const w = wild && rnd.below(4) === 0;
      for (let f = 0; f < 6; f++) prev.writeBigUInt64BE(field(w), i * 64 + 8 * f);
      const x = BigInt.asUintN(128, net(w));
      prev.writeBigUInt64BE(x >> 64n, i * 64 + 48);
      prev.writeBigUInt64BE(x & U64, i * 64 + 56);
      const side = rnd.below(3);
      energy.writeBigUInt64BE(side === 0 ? 0n : field(w), i * 16);
      energy.writeBigUInt64BE(side === 1 ? 0n : field(w), i * 16 + 8);
      limits.push({ bidPrice: price(wild), askPrice: price(wild) });
    }
    const e = unpackEnergy(energy);
    let outcome: string;
    let hash = `0x${'00'.repeat(32)}`;
    try {
      const next = marketStepOfEnergy(
        p,
        unpackState(prev, n),
        e.map((x) => x.exportWh),
        e.map((x) => x.importWh),
        kind === MarketKind.Auction ? limits : [],
      );
      const h = tryStateHash(next);
      outcome = h === undefined ? 'NO-ENCODING' : 'OK';
      if (h !== undefined) hash = h;
    } catch (err) {
      outcome = (err as { code?: string }).code ?? String(err);
    }
    cases.push({
      kind,
      gridBuyPrice: word(p.gridBuyPrice),
      gridSellPrice: word(p.gridSellPrice),
      feederCapacityWh: word(p.feederCapacityWh),
      limitsHash: limitsHash(limits),
      prevState: hex(prev),
      energy: hex(energy),
      limits: hex(packLimits(limits)),
      outcome,
      hash,
    });
  }
  const out = join(import.meta.dirname, '..', 'contracts', 'test', 'vectors', 'reviewStep.json');
  writeFileSync(out, `${JSON.stringify({ count: cases.length, cases }, null, 2)}\n`);
  const tally = new Map<string, number>();
  for (const c of cases as { outcome: string }[]) tally.set(c.outcome, (tally.get(c.outcome) ?? 0) + 1);
  console.log('wrote', out, Object.fromEntries(tally));
}
