// The TypeScript twin's answers at the market step's boundaries, pinned in
// contracts/test/review/StepCalldataAttacks.t.sol (TS_* constants): each line is a case name and the state hash
// of F(S_{t-1}, E_t) (`tryStateHash(marketStepOfEnergy(...))`), NO-ENCODING when S_t has no packed encoding, or
// THROW and the MarketError code (where Solidity panics 0x11). Run: npx tsx scripts/review-step-boundaries.ts
import { marketStepOfEnergy } from '../node/src/window/market.js';
import {
  emptyState,
  type LimitPrices,
  MarketKind,
  type MarketParams,
  type ParticipantState,
  tryStateHash,
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
