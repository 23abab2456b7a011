import { buildCommunity, meterReadings } from '../../datasets/src/community.js';
import { loadProfile } from '../../datasets/src/load.js';
import { cost, yearFactor } from './costModel.js';
import { PAPER, type SimOptions } from './options.js';
import { PRESETS, type CostPreset } from './presets.js';
import { defaultApproachFactory, runApproach, type EngineModules } from './replay/engine.js';
import { DiversityApproach, hubBinding } from './replay/approaches/diversity.js';
import { loadArtifact } from '../../node/src/chain/artifacts.js';
import {
  defaultReplayOptions,
  type Approach,
  type ApproachName,
  type ApproachResult,
  type CommunityReadings,
} from './replay/types.js';
import {
  communityResults,
  resultsToJson,
  type CommunityResults,
  type IntervalFlow,
} from '../../node/src/results/members.js';
import { stateHash } from '../../node/src/window/state.js';
import { communityFromFile, communityRun, householdEnergy, marketSetup } from './market.js';
import { calendarMonthStarts } from './sessions.js';

export interface ApproachReport {
  approach: ApproachName;
  transactions: number;
  gasUsed: string;
  deployTransactions: number;
  deployGas: string;
  rawBytes: number;
  maxTxGas: string;
  seconds: number;
  /** Per preset: USD of the approach's transactions over the period (deployment excluded). */
  usd: Record<string, number>;
  usdExact: Record<string, string>;
  usdPerProsumerYear: Record<string, number>;
  /** Transactions and gas per kind (DIVERSITY: setup / update / close). */
  byKind: Record<string, { transactions: number; gasUsed: string }>;
  /** Gas per day of the period (for the cumulative chart). */
  gasByDay: string[];
}

export interface SimReport {
  tool: 'diversity sim';
  inputs: {
    approaches: ApproachName[];
    dataset: string;
    datasetFormat: string;
    period: string;
    startUtc: string;
    endUtc: string;
    intervals: number;
    intervalSeconds: number;
    prosumers: number;
    prosumersWithPv: number;
    pvShare: number;
    seed: number;
    sessionIntervals: number;
    /** 'month' = calendar-month sessions. */
    session: string;
    sessionCount: number;
    windowIntervals: number;
    hubRoot: string;
    community: string;
    market: string;
    tariff: boolean;
    annualKWh: number;
    pvYieldKWhPerKWp: number;
    txGasCap: string;
    readingsPerProsumer: number;
    totalImportKWh: number;
    totalExportKWh: number;
  };
  presets: CostPreset[];
  approaches: ApproachReport[];
  /** Approaches a report could not run (kept so that reports written before the hub landed still load). */
  skipped: Array<{ approach: ApproachName; code: string; reason: string }>;
  /**
   * The community's market outcome per member, from the fold F whose window states DIVERSITY co-signs
   * (`node/src/results/members.ts`); money in token base units (18 decimals) as decimal strings.
   */
  members: unknown;
  /** Community energy flows, Wh, per interval (runs up to two days) or per day. */
  flows: { bucketSeconds: number; points: IntervalFlow[] };
  /** Transaction-cost ratios relative to SA, and the paper's. */
  ratios: { measured: Record<string, number>; paper: Record<string, number> };
  paper: typeof PAPER;
  runtimeSeconds: number;
}

export function presetsFor(o: SimOptions): CostPreset[] {
  const list = o.presets.map((n) => {
    const p = PRESETS[n];
    if (!p) throw new RangeError(`unknown preset ${n} (known: ${Object.keys(PRESETS).join(', ')})`);
    return p;
  });
  if (o.gasPriceGwei || o.ethUsd) {
    list.push({
      name: 'custom',
      gasPriceGwei: o.gasPriceGwei || '1',
      ethUsd: o.ethUsd || '3000',
      dataFeeGweiPerByte: o.dataFeeGweiPerByte || '0',
      note: 'from --gas-price-gwei / --eth-usd / --data-fee-gwei-per-byte',
    });
  }
  return list;
}

/** The community's integer readings for the options: dataset → profile → households → meters. */
export function communityReadings(o: SimOptions): {
  readings: CommunityReadings;
  format: string;
  withPv: number;
  names: string[];
  loadWh: (Uint32Array | null)[];
  pvWh: (Uint32Array | null)[];
  file: ReturnType<typeof communityFromFile>['file'] | null;
} {
  if (o.community) {
    const c = communityFromFile(o.community, o.intervalSeconds);
    return {
      readings: c.readings,
      format: 'community',
      withPv: c.pvWh.filter(Boolean).length,
      names: c.names,
      loadWh: c.loadWh,
      pvWh: c.pvWh,
      file: c.file,
    };
  }
  const profile = loadProfile(o.dataset, {
    intervalSeconds: o.intervalSeconds,
    annualKWh: o.annualKWh,
    pvYieldKWhPerKWp: o.pvYieldKWhPerKWp,
    period: o.period,
  });
  const households = buildCommunity(profile, { households: o.prosumers, pvShare: o.pvShare, seed: o.seed });
  const meters = households.map(meterReadings);
  return {
    ...householdEnergy(households, meters),
    file: null,
    format: profile.format,
    withPv: households.filter((h) => h.pv).length,
    readings: {
      meters: households.length,
      intervals: profile.load.values.length,
      intervalSeconds: o.intervalSeconds,
      startMs: profile.load.startMs,
      exportWh: meters.map((m) => m.exportWh),
      importWh: meters.map((m) => m.importWh),
    },
  };
}

function approachReport(
  r: ApproachResult,
  presets: CostPreset[],
  prosumers: number,
  periodSeconds: number,
): ApproachReport {
  const usd: Record<string, number> = {};
  const usdExact: Record<string, string> = {};
  const perYear: Record<string, number> = {};
  // A year's worth: recurring transactions scale with the period, DIVERSITY's open/join, close and
  // claims happen once whatever the period.
  const once = Number(
    (r.byKind.setup?.gasUsed ?? 0n) + (r.byKind.close?.gasUsed ?? 0n) + (r.byKind.claim?.gasUsed ?? 0n),
  );
  const total = Number(r.gasUsed);
  const yearShare = total > 0 ? (once + (total - once) * yearFactor(periodSeconds)) / total : 0;
  for (const p of presets) {
    const c = cost(r.gasUsed, r.rawBytes, p);
    usd[p.name] = c.usd;
    usdExact[p.name] = c.usdExact;
    perYear[p.name] = (c.usd * yearShare) / prosumers;
  }
  return {
    approach: r.approach,
    transactions: r.transactions,
    gasUsed: r.gasUsed.toString(),
    deployTransactions: r.deployTransactions,
    deployGas: r.deployGas.toString(),
    rawBytes: r.rawBytes,
    maxTxGas: r.maxTxGas.toString(),
    seconds: Number(r.seconds.toFixed(2)),
    usd,
    usdExact,
    usdPerProsumerYear: perYear,
    byKind: Object.fromEntries(
      Object.entries(r.byKind).map(([k, v]) => [k, { transactions: v.transactions, gasUsed: v.gasUsed.toString() }]),
    ),
    gasByDay: r.gasByDay.map(String),
  };
}

/** Replays the dataset through every requested approach and prices the gas. */
export async function simulate(
  o: SimOptions,
  modules: EngineModules & { onApproachStart?: (a: ApproachName) => void } = {},
): Promise<SimReport> {
  const t0 = performance.now();
  const presets = presetsFor(o);
  const { readings, format, withPv, names, loadWh, pvWh, file } = communityReadings(o);
  const setup = marketSetup(o, names, file, o.seed);
  const market = await marketOutcome(readings, names, setup, o.windowIntervals, { loadWh, pvWh });
  const sessionStarts = o.calendarSessions
    ? calendarMonthStarts(readings.startMs, readings.intervals, readings.intervalSeconds)
    : undefined;
  const replay = {
    ...defaultReplayOptions,
    sessionIntervals: o.sessionIntervals,
    sessionStarts,
    windowIntervals: o.windowIntervals,
    market: setup.market,
    limits: setup.limits,
    tariff: setup.tariff,
  };
  const periodSeconds = readings.intervals * readings.intervalSeconds;
  const results: ApproachReport[] = [];
  const skipped: SimReport['skipped'] = [];
  for (const a of o.approaches) {
    modules.onApproachStart?.(a);
    let built: Approach | undefined;
    const approachFactory = (name: ApproachName): Approach =>
      (built =
        modules.approachFactory?.(name) ??
        (name === 'diversity'
          ? new DiversityApproach(
              o.hubRoot ? { ...hubBinding, loadArtifact: (n) => loadArtifact(n, o.hubRoot) } : hubBinding,
              o.signatures,
            )
          : defaultApproachFactory(name)));
    const sender = { ...modules.sender, signing: o.signing };
    results.push(
      approachReport(
        await runApproach(a, readings, replay, { ...modules, sender, approachFactory }),
        presets,
        readings.meters,
        periodSeconds,
      ),
    );
    // The per-member results must come from the very states DIVERSITY co-signed and settled.
    if (built instanceof DiversityApproach) {
      const posted = built.posted.map(stateHash);
      const folded = market.windowStates.map(stateHash);
      if (posted.length !== folded.length || posted.some((h, w) => h !== folded[w])) {
        throw new Error(
          `per-member results: the fold differs from the states settled on chain (${posted.length} windows posted, ${folded.length} folded)`,
        );
      }
    }
  }
  const sum = (arr: Uint32Array[]): number => arr.reduce((s, a) => s + a.reduce((x, y) => x + y, 0), 0) / 1000;
  const gasOf = (name: string): number | undefined => {
    const r = results.find((x) => x.approach === name);
    return r ? Number(r.gasUsed) : undefined;
  };
  const measured: Record<string, number> = {};
  const sa = gasOf('sa');
  if (sa) for (const r of results) measured[r.approach] = Number((Number(r.gasUsed) / sa).toFixed(2));
  const paper = {
    rda: Number((PAPER.usd.rda / PAPER.usd.sa).toFixed(2)),
    sat: Number((PAPER.usd.sat / PAPER.usd.sa).toFixed(2)),
    sa: 1,
  };
  return {
    tool: 'diversity sim',
    inputs: {
      approaches: o.approaches,
      dataset: o.dataset,
      datasetFormat: format,
      period: o.period,
      startUtc: new Date(readings.startMs).toISOString(),
      endUtc: new Date(readings.startMs + periodSeconds * 1000).toISOString(),
      intervals: readings.intervals,
      intervalSeconds: readings.intervalSeconds,
      prosumers: readings.meters,
      prosumersWithPv: withPv,
      pvShare: o.pvShare,
      seed: o.seed,
      sessionIntervals: o.sessionIntervals,
      session: o.calendarSessions ? 'month' : String(o.sessionIntervals),
      sessionCount: sessionStarts ? sessionStarts.length + 1 : Math.ceil(readings.intervals / o.sessionIntervals),
      windowIntervals: o.windowIntervals,
      hubRoot: o.hubRoot,
      community: o.community,
      market: market.market,
      tariff: setup.tariff !== undefined,
      annualKWh: o.annualKWh,
      pvYieldKWhPerKWp: o.pvYieldKWhPerKWp,
      txGasCap: replay.txGasCap.toString(),
      readingsPerProsumer: readings.intervals,
      totalImportKWh: Number(sum(readings.importWh).toFixed(3)),
      totalExportKWh: Number(sum(readings.exportWh).toFixed(3)),
    },
    presets,
    approaches: results,
    skipped,
    members: resultsToJson(market),
    flows: flowBuckets(market, readings),
    ratios: { measured, paper },
    paper: PAPER,
    runtimeSeconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
  };
}

/** The market outcome per member: the fold F over every window and its accounting. */
export async function marketOutcome(
  readings: CommunityReadings,
  names: readonly string[],
  setup: ReturnType<typeof marketSetup>,
  windowIntervals: number,
  energy: { loadWh?: (Uint32Array | null)[]; pvWh?: (Uint32Array | null)[] },
): Promise<CommunityResults> {
  return communityResults(communityRun(readings, names, setup, windowIntervals, energy));
}

/** Flows per interval for runs up to two days, else summed per day (from the first interval). */
export function flowBuckets(r: CommunityResults, readings: CommunityReadings): SimReport['flows'] {
  const perDay = Math.round(86_400 / readings.intervalSeconds);
  if (r.flows.length <= 2 * perDay) return { bucketSeconds: readings.intervalSeconds, points: r.flows };
  const points: IntervalFlow[] = [];
  for (const f of r.flows) {
    const b = Math.floor(f.interval / perDay);
    points[b] ??= { interval: b, p2pWh: 0, gridImportWh: 0, gridExportWh: 0 };
    const p = points[b];
    p.p2pWh += f.p2pWh;
    p.gridImportWh += f.gridImportWh;
    p.gridExportWh += f.gridExportWh;
  }
  return { bucketSeconds: 86_400, points };
}
