import { readFileSync } from 'node:fs';
import { parseUnits } from 'ethers';
import { buildCommunity, meterReadings, type Household } from '../../datasets/src/community.js';
import {
  communityReadings as readCommunity,
  readCommunityFile,
  toWh,
  type CommunityFile,
} from '../../datasets/src/communityFile.js';
import type { CommunityRun, RecOptions } from '../../node/src/results/members.js';
import { MarketKind, type LimitPrices, type MarketParams } from '../../node/src/window/state.js';
import { memberLimits } from '../../node/src/window/limits.js';
import { parseTariff, type Tariff } from '../../node/src/window/tariff.js';
import type { CommunityReadings } from './replay/types.js';

/** Payment-token decimals of the replayed community (CommunityToken: 18). */
export const TOKEN_DECIMALS = 18;

export type MarketName = 'totals' | 'mmr' | 'auction';
export const MARKETS: readonly MarketName[] = ['totals', 'mmr', 'auction'];

/** What the market of a run is made of, as the CLI and a community file give it. */
export interface MarketOptions {
  /** '' = the community file's, else the default (totals, the paper's). */
  market: MarketName | '';
  /** Flat grid prices, currency per kWh ('' = the community file's, else 0.25 / 0.05). */
  gridBuy: string;
  gridSell: string;
  feederCapacityKwh: number | null;
  /** A tariff JSON file ('' = the community file's tariff, else flat). */
  tariff: string;
  /** REC incentive, currency per MWh ('' = the community file's, else no REC accounting). */
  recRate: string;
  recKey: RecOptions['key'] | '';
}

export const defaultMarketOptions: MarketOptions = {
  market: '',
  gridBuy: '',
  gridSell: '',
  feederCapacityKwh: null,
  tariff: '',
  recRate: '',
  recKey: '',
};

export class MarketOptionError extends Error {}

const units = (v: unknown, where: string): bigint => {
  try {
    const p = parseUnits(String(v), TOKEN_DECIMALS);
    if (p < 0n) throw new Error();
    return p;
  } catch {
    throw new MarketOptionError(`${where}: not a non-negative decimal price: ${JSON.stringify(v)}`);
  }
};

/** The market parameters, tariff, limits and REC options of a run. */
/** A community file's `market` block as JSON gives it; each field is checked where it is used. */
interface FileMarket {
  kind?: unknown;
  gridBuyPrice?: unknown;
  gridSellPrice?: unknown;
  feederCapacityKwh?: unknown;
  limits?: unknown;
}

/** A community file's `rec` block as JSON gives it. */
interface FileRec {
  incentivePerMWh?: unknown;
  key?: unknown;
}

export function marketSetup(
  o: MarketOptions,
  names: readonly string[],
  file: CommunityFile | null,
  seed: number,
): { market: MarketParams; tariff?: Tariff; limits?: LimitPrices[]; rec?: RecOptions } {
  const fm: FileMarket = file?.market ?? {};
  const kindName: unknown = o.market || fm.kind || 'totals';
  if (!MARKETS.includes(kindName as MarketName))
    throw new MarketOptionError(`market: one of ${MARKETS.join(', ')}, got ${JSON.stringify(kindName)}`);
  const kind = kindName === 'mmr' ? MarketKind.Mmr : kindName === 'auction' ? MarketKind.Auction : MarketKind.Totals;
  const gridBuyPrice = units(o.gridBuy || fm.gridBuyPrice || '0.25', 'grid buy price');
  const gridSellPrice = units(o.gridSell || fm.gridSellPrice || '0.05', 'grid sell price');
  const capKwh = o.feederCapacityKwh ?? Number(fm.feederCapacityKwh ?? 0);
  if (!(capKwh >= 0)) throw new MarketOptionError(`feeder capacity: not a non-negative kWh figure: ${capKwh}`);
  const market: MarketParams = {
    kind,
    gridBuyPrice,
    gridSellPrice,
    feederCapacityWh: BigInt(Math.round(capKwh * 1000)),
  };
  const tariffJson = o.tariff ? JSON.parse(readFileSync(o.tariff, 'utf8')) : file?.tariff;
  const tariff = tariffJson ? parseTariff(tariffJson, TOKEN_DECIMALS) : undefined;
  let limits: LimitPrices[] | undefined;
  if (kind === MarketKind.Auction) {
    const given = (fm.limits ?? {}) as Record<string, { bid?: unknown; ask?: unknown }>;
    // Members without given limits: seeded ones (the same as the devnet's for the same seed).
    try {
      limits = memberLimits(names, given, gridBuyPrice, gridSellPrice, seed, units);
    } catch (e) {
      if (e instanceof RangeError) throw new MarketOptionError(e.message);
      throw e;
    }
  }
  const fr: FileRec = file?.rec ?? {};
  const recRate = o.recRate || fr.incentivePerMWh;
  let rec: RecOptions | undefined;
  if (recRate !== undefined && recRate !== '') {
    const key = o.recKey || fr.key || 'equal';
    if (key !== 'equal' && key !== 'consumption' && key !== 'production')
      throw new MarketOptionError(`rec key: equal, consumption or production, got ${JSON.stringify(key)}`);
    rec = { incentivePerMWh: units(recRate, 'rec incentive per MWh'), key };
  }
  return { market, tariff, limits, rec };
}

/** A community file's members as the replay's integer readings, with names, load and PV. */
export function communityFromFile(
  path: string,
  intervalSeconds: number,
): {
  file: CommunityFile;
  readings: CommunityReadings;
  names: string[];
  loadWh: (Uint32Array | null)[];
  pvWh: (Uint32Array | null)[];
} {
  const file = readCommunityFile(path);
  const c = readCommunity(file, intervalSeconds);
  return {
    file,
    names: c.members.map((m) => m.name),
    loadWh: c.members.map((m) => m.loadWh),
    pvWh: c.members.map((m) => m.pvWh),
    readings: {
      meters: c.members.length,
      intervals: c.intervals,
      intervalSeconds,
      startMs: c.startMs,
      exportWh: c.members.map((m) => m.exportWh),
      importWh: c.members.map((m) => m.importWh),
    },
  };
}

/**
 * Load and PV of synthetic households in integer Wh (for self-consumption and self-sufficiency), made
 * consistent with the meters' whole-Wh readings: PV in Wh, then load = PV + import − export per interval.
 */
export function householdEnergy(
  households: readonly Household[],
  meters: readonly { exportWh: Uint32Array; importWh: Uint32Array }[],
): { names: string[]; loadWh: Uint32Array[]; pvWh: (Uint32Array | null)[] } {
  const pvWh = households.map((h) => (h.pv ? toWh(h.pv) : null));
  const loadWh = households.map((_h, k) => {
    const m = meters[k];
    const pv = pvWh[k];
    return m.importWh.map((imp, t) => Math.max(0, (pv ? pv[t] : 0) + imp - m.exportWh[t]));
  });
  return { names: households.map((h) => `H${h.index}${h.pv ? ` (${h.kWp} kWp)` : ''}`), loadWh, pvWh };
}

/** The run the per-member results fold, from the replay's readings. */
export function communityRun(
  readings: CommunityReadings,
  names: readonly string[],
  setup: ReturnType<typeof marketSetup>,
  windowIntervals: number,
  energy: { loadWh?: (Uint32Array | null)[]; pvWh?: (Uint32Array | null)[] } = {},
): CommunityRun {
  return {
    ...setup,
    names,
    startSeconds: Math.floor(readings.startMs / 1000),
    intervalSeconds: readings.intervalSeconds,
    windowIntervals,
    exportWh: readings.exportWh,
    importWh: readings.importWh,
    loadWh: energy.loadWh,
    pvWh: energy.pvWh,
  };
}

export { buildCommunity, meterReadings };
