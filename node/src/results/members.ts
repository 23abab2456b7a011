import { formatUnits } from 'ethers';
import { foldWindow, share } from '../window/market.js';
import { emptyState, MarketKind, type LimitPrices, type MarketParams, type ParticipantState } from '../window/state.js';
import { paramsSchedule, pricesAt, type Tariff } from '../window/tariff.js';

/**
 * Per-member results of a community run, computed from the window states of the market fold F (the
 * states whose hashes are co-signed and settled on chain): what each member bought and sold peer to
 * peer, exchanged with the grid, consumed of its own production, and paid against a grid-only bill.
 *
 * Money is in token base units (bigint). A member's bill in the community is what it pays the grid for
 * its grid import minus what the grid pays for its grid export, minus its P2P net (`net` > 0 = received);
 * the grid-only baseline prices the same meter readings with no community (all import from the grid,
 * all export to it). Grid legs are priced at the tariff in force for each interval (mmr, auction); the
 * `totals` market nets a whole window, so its grid legs are priced at the member's own import- (export-)
 * weighted mean tariff of the window.
 */
export interface MemberResult {
  name: string;
  importWh: number;
  exportWh: number;
  p2pBoughtWh: number;
  p2pSoldWh: number;
  gridImportWh: number;
  gridExportWh: number;
  /** Known when the run has load and PV (not from net meters alone). */
  loadWh: number | null;
  pvWh: number | null;
  /** PV used on site: pv − export. */
  selfConsumptionWh: number | null;
  /** Share of the load not imported from the grid: 1 − gridImport / load (own PV and the community). */
  selfSufficiency: number | null;
  /** Share of the metered import bought from the community: p2pBought / import. */
  communityShare: number | null;
  /** Token units, + = received from other members. */
  p2pNet: bigint;
  billGridOnly: bigint;
  bill: bigint;
  savings: bigint;
  /** Renewable-energy-community incentive allocated to the member (when `rec` is set). */
  recIncentive: bigint | null;
}

/** Italian renewable-energy-community (CER) accounting: an incentive on the hourly shared energy. */
export interface RecOptions {
  /** Token units per MWh of shared energy. */
  incentivePerMWh: bigint;
  /** How the incentive is split among members: equally, by withdrawn (imported) or injected (exported) energy. */
  key: 'equal' | 'consumption' | 'production';
}

export interface RecResult {
  /** Σ over hours of min(Σ members' injected, Σ members' withdrawn) in that hour, Wh. */
  sharedWh: number;
  /** floor(sharedWh × incentivePerMWh / 10^6). */
  incentive: bigint;
  key: RecOptions['key'];
  incentivePerMWh: bigint;
}

/** Community totals per interval (for the energy-flow chart). */
export interface IntervalFlow {
  interval: number;
  p2pWh: number;
  gridImportWh: number;
  gridExportWh: number;
}

export interface CommunityRun {
  market: MarketParams;
  tariff?: Tariff;
  /** Auction only: one pair per member. */
  limits?: readonly LimitPrices[];
  /** Auction only: the pairs in force for window w when orders changed them (overrides `limits`). */
  limitsAt?: (window: number) => readonly LimitPrices[];
  names: readonly string[];
  /** Unix seconds of interval 0. */
  startSeconds: number;
  intervalSeconds: number;
  windowIntervals: number;
  /** [member][interval], Wh: one meter per member. */
  exportWh: readonly Uint32Array[];
  importWh: readonly Uint32Array[];
  loadWh?: readonly (Uint32Array | null)[];
  pvWh?: readonly (Uint32Array | null)[];
  rec?: RecOptions;
}

export interface CommunityResults {
  market: string;
  intervals: number;
  windows: number;
  members: MemberResult[];
  totals: MemberResult;
  rec: RecResult | null;
  flows: IntervalFlow[];
  /** Final state of each window (what each window's co-signed stateHash commits to). */
  windowStates: ParticipantState[][];
}

const n = (x: bigint): number => Number(x);

/** Folds every window of the run with F and accounts per member (see the module comment). */
export function communityResults(run: CommunityRun): CommunityResults {
  const members = run.names.length;
  const T = run.exportWh[0]?.length ?? 0;
  const W = run.windowIntervals;
  const acc = run.names.map(() => ({
    imp: 0n,
    exp: 0n,
    bought: 0n,
    sold: 0n,
    gridImp: 0n,
    gridExp: 0n,
    net: 0n,
    baselineMilli: 0n,
    gridMilli: 0n,
  }));
  const flows: IntervalFlow[] = [];
  const windowStates: ParticipantState[][] = [];
  const meterOwner = run.names.map((_, i) => i);
  const tariff = run.tariff ?? flatOf(run.market);
  const price = (t: number) => pricesAt(tariff, run.startSeconds + t * run.intervalSeconds);
  for (let from = 0; from < T; from += W) {
    const to = Math.min(from + W, T);
    const intervals = [];
    for (let t = from; t < to; t++)
      intervals.push(
        run.names.map((_, m) => ({ present: true, exportWh: run.exportWh[m][t], importWh: run.importWh[m][t] })),
      );
    const schedule = paramsSchedule(
      run.market,
      run.tariff,
      run.startSeconds + from * run.intervalSeconds,
      run.intervalSeconds,
    );
    const states = foldWindow(run.market, emptyState(members), meterOwner, intervals, {
      limits: run.limitsAt ? run.limitsAt(from / W) : run.limits,
      paramsAt: schedule,
    });
    const final = states[states.length - 1];
    windowStates.push(final);
    const weightedBuy = new Array<bigint>(members).fill(0n);
    const weightedSell = new Array<bigint>(members).fill(0n);
    let prev = emptyState(members);
    states.forEach((s, k) => {
      const t = from + k;
      const p = price(t);
      const flow = { interval: t, p2pWh: 0, gridImportWh: 0, gridExportWh: 0 };
      for (let i = 0; i < members; i++) {
        const imp = BigInt(run.importWh[i][t]);
        const exp = BigInt(run.exportWh[i][t]);
        acc[i].baselineMilli += imp * p.gridBuyPrice - exp * p.gridSellPrice;
        weightedBuy[i] += imp * p.gridBuyPrice;
        weightedSell[i] += exp * p.gridSellPrice;
        const dGridImp = s[i].gridBoughtWh - prev[i].gridBoughtWh;
        const dGridExp = s[i].gridSoldWh - prev[i].gridSoldWh;
        if (run.market.kind !== MarketKind.Totals)
          acc[i].gridMilli += dGridImp * p.gridBuyPrice - dGridExp * p.gridSellPrice;
        flow.p2pWh += n(s[i].p2pBoughtWh - prev[i].p2pBoughtWh);
        flow.gridImportWh += n(dGridImp);
        flow.gridExportWh += n(dGridExp);
      }
      flows.push(flow);
      prev = s;
    });
    for (let i = 0; i < members; i++) {
      const f = final[i];
      const a = acc[i];
      a.imp += f.importWh;
      a.exp += f.exportWh;
      a.bought += f.p2pBoughtWh;
      a.sold += f.p2pSoldWh;
      a.gridImp += f.gridBoughtWh;
      a.gridExp += f.gridSoldWh;
      a.net += f.net;
      if (run.market.kind === MarketKind.Totals) {
        if (f.importWh > 0n) a.gridMilli += (f.gridBoughtWh * weightedBuy[i]) / f.importWh;
        if (f.exportWh > 0n) a.gridMilli -= (f.gridSoldWh * weightedSell[i]) / f.exportWh;
      }
    }
  }
  const rec = run.rec ? recAccounting(run, T) : null;
  const recShares = rec
    ? recAllocation(
        rec,
        run.rec!.key,
        acc.map((a) => a.imp),
        acc.map((a) => a.exp),
      )
    : null;
  const sumOf = (xs: readonly (Uint32Array | null)[] | undefined, i: number): number | null => {
    const x = xs?.[i];
    return x ? x.reduce((s, v) => s + v, 0) : null;
  };
  const results = run.names.map((name, i): MemberResult => {
    const a = acc[i];
    return result(name, {
      imp: a.imp,
      exp: a.exp,
      bought: a.bought,
      sold: a.sold,
      gridImp: a.gridImp,
      gridExp: a.gridExp,
      net: a.net,
      baseline: floorDiv(a.baselineMilli, 1000n),
      grid: floorDiv(a.gridMilli, 1000n),
      load: sumOf(run.loadWh, i),
      // A member with a known load and no PV column has no production.
      pv: sumOf(run.pvWh, i) ?? (sumOf(run.loadWh, i) !== null ? 0 : null),
      rec: recShares ? recShares[i] : null,
    });
  });
  return {
    market: MarketKind[run.market.kind].toLowerCase(),
    intervals: T,
    windows: windowStates.length,
    members: results,
    totals: totalsOf(results),
    rec,
    flows,
    windowStates,
  };
}

function flatOf(m: MarketParams): Tariff {
  const day = { buy: new Array<bigint>(24).fill(m.gridBuyPrice), sell: new Array<bigint>(24).fill(m.gridSellPrice) };
  return { utcOffsetMinutes: 0, weekday: day, weekend: day };
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

function result(
  name: string,
  x: {
    imp: bigint;
    exp: bigint;
    bought: bigint;
    sold: bigint;
    gridImp: bigint;
    gridExp: bigint;
    net: bigint;
    baseline: bigint;
    grid: bigint;
    load: number | null;
    pv: number | null;
    rec: bigint | null;
  },
): MemberResult {
  const bill = x.grid - x.net - (x.rec ?? 0n);
  return {
    name,
    importWh: n(x.imp),
    exportWh: n(x.exp),
    p2pBoughtWh: n(x.bought),
    p2pSoldWh: n(x.sold),
    gridImportWh: n(x.gridImp),
    gridExportWh: n(x.gridExp),
    loadWh: x.load,
    pvWh: x.pv,
    selfConsumptionWh: x.pv !== null ? x.pv - n(x.exp) : null,
    selfSufficiency: x.load ? 1 - n(x.gridImp) / x.load : null,
    communityShare: x.imp > 0n ? n(x.bought) / n(x.imp) : null,
    p2pNet: x.net,
    billGridOnly: x.baseline,
    bill,
    savings: x.baseline - bill,
    recIncentive: x.rec,
  };
}

function totalsOf(ms: MemberResult[]): MemberResult {
  const sum = (f: (m: MemberResult) => number | null): number | null =>
    ms.every((m) => f(m) !== null) ? ms.reduce((s, m) => s + f(m)!, 0) : null;
  const big = (f: (m: MemberResult) => bigint | null): bigint | null =>
    ms.every((m) => f(m) !== null) ? ms.reduce((s, m) => s + f(m)!, 0n) : null;
  const load = sum((m) => m.loadWh);
  const gridImp = sum((m) => m.gridImportWh)!;
  const imp = sum((m) => m.importWh)!;
  return {
    name: 'community',
    importWh: imp,
    exportWh: sum((m) => m.exportWh)!,
    p2pBoughtWh: sum((m) => m.p2pBoughtWh)!,
    p2pSoldWh: sum((m) => m.p2pSoldWh)!,
    gridImportWh: gridImp,
    gridExportWh: sum((m) => m.gridExportWh)!,
    loadWh: load,
    pvWh: sum((m) => m.pvWh),
    selfConsumptionWh: sum((m) => m.selfConsumptionWh),
    selfSufficiency: load ? 1 - gridImp / load : null,
    communityShare: imp > 0 ? sum((m) => m.p2pBoughtWh)! / imp : null,
    p2pNet: big((m) => m.p2pNet)!,
    billGridOnly: big((m) => m.billGridOnly)!,
    bill: big((m) => m.bill)!,
    savings: big((m) => m.savings)!,
    recIncentive: big((m) => m.recIncentive),
  };
}

/** Hourly shared energy: per clock hour (UTC-aligned), min(Σ injected, Σ withdrawn) of the members. */
function recAccounting(run: CommunityRun, T: number): RecResult {
  const byHour = new Map<number, { inj: number; wd: number }>();
  for (let t = 0; t < T; t++) {
    const hour = Math.floor((run.startSeconds + t * run.intervalSeconds) / 3600);
    let h = byHour.get(hour);
    if (!h) {
      h = { inj: 0, wd: 0 };
      byHour.set(hour, h);
    }
    for (let m = 0; m < run.names.length; m++) {
      h.inj += run.exportWh[m][t];
      h.wd += run.importWh[m][t];
    }
  }
  let sharedWh = 0;
  for (const h of byHour.values()) sharedWh += Math.min(h.inj, h.wd);
  const rate = run.rec!.incentivePerMWh;
  return { sharedWh, incentive: (BigInt(sharedWh) * rate) / 1_000_000n, key: run.rec!.key, incentivePerMWh: rate };
}

/** Splits the incentive with `share` (remainder units to the lowest indices) by the allocation key. */
function recAllocation(rec: RecResult, key: RecOptions['key'], imported: bigint[], exported: bigint[]): bigint[] {
  const weights = key === 'equal' ? imported.map(() => 1n) : key === 'consumption' ? imported : exported;
  return share(rec.incentive, weights);
}

// ---------------------------------------------------------------- output

const kwh = (wh: number | null): string => (wh === null ? '-' : (wh / 1000).toFixed(3));
const pct = (x: number | null): string => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
const money = (x: bigint | null, decimals: number): string =>
  x === null ? '-' : Number(formatUnits(x, decimals)).toFixed(2);

/** A fixed-width table, one row per member and the community totals; money in currency units. */
export function formatMemberTable(r: CommunityResults, decimals = 18, currency = 'EUR'): string {
  const head = [
    'member',
    'import kWh',
    'export kWh',
    'P2P bought',
    'P2P sold',
    'grid import',
    'grid export',
    'self-cons. kWh',
    'self-suff.',
    'from community',
    `P2P net ${currency}`,
    `grid-only bill`,
    `bill`,
    `savings`,
  ];
  if (r.rec) head.push(`REC ${currency}`);
  const row = (m: MemberResult): string[] => {
    const cells = [
      m.name,
      kwh(m.importWh),
      kwh(m.exportWh),
      kwh(m.p2pBoughtWh),
      kwh(m.p2pSoldWh),
      kwh(m.gridImportWh),
      kwh(m.gridExportWh),
      kwh(m.selfConsumptionWh),
      pct(m.selfSufficiency),
      pct(m.communityShare),
      money(m.p2pNet, decimals),
      money(m.billGridOnly, decimals),
      money(m.bill, decimals),
      money(m.savings, decimals),
    ];
    if (r.rec) cells.push(money(m.recIncentive, decimals));
    return cells;
  };
  const rows = [head, ...r.members.map(row), row(r.totals)];
  const widths = head.map((_, c) => Math.max(...rows.map((x) => x[c].length)));
  const line = (x: string[]) => x.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  const out = [
    line(head),
    ...rows.slice(1, -1).map(line),
    '-'.repeat(widths.reduce((a, b) => a + b + 2, -2)),
    line(rows[rows.length - 1]),
  ];
  if (r.rec)
    out.push(
      `REC: ${kwh(r.rec.sharedWh)} kWh shared (hourly min of injected and withdrawn), incentive ${money(r.rec.incentive, decimals)} ${currency}, key ${r.rec.key}`,
    );
  return out.join('\n');
}

/** JSON-ready form: bigints as decimal strings of token units. */
export function resultsToJson(r: CommunityResults): unknown {
  const m = (x: MemberResult) => ({
    ...x,
    p2pNet: String(x.p2pNet),
    billGridOnly: String(x.billGridOnly),
    bill: String(x.bill),
    savings: String(x.savings),
    recIncentive: x.recIncentive === null ? null : String(x.recIncentive),
  });
  return {
    market: r.market,
    intervals: r.intervals,
    windows: r.windows,
    members: r.members.map(m),
    totals: m(r.totals),
    rec: r.rec
      ? { ...r.rec, incentive: String(r.rec.incentive), incentivePerMWh: String(r.rec.incentivePerMWh) }
      : null,
  };
}

/** CSV, one row per member and a last row `community`; energy in Wh, money in token units. */
export function resultsToCsv(r: CommunityResults): string {
  const cols: (keyof MemberResult)[] = [
    'name',
    'importWh',
    'exportWh',
    'p2pBoughtWh',
    'p2pSoldWh',
    'gridImportWh',
    'gridExportWh',
    'loadWh',
    'pvWh',
    'selfConsumptionWh',
    'selfSufficiency',
    'communityShare',
    'p2pNet',
    'billGridOnly',
    'bill',
    'savings',
    'recIncentive',
  ];
  const cell = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  return `${[cols.join(','), ...[...r.members, r.totals].map((m) => cols.map((c) => cell(m[c])).join(','))].join('\n')}\n`;
}

/**
 * Per-member results from the final states of settled windows alone (what a node or the devnet reads
 * back): flat grid prices of `market` (the hub's), net meters only (no load or PV, so no
 * self-consumption), no REC.
 */
export function resultsFromWindowStates(
  names: readonly string[],
  market: MarketParams,
  finals: readonly (readonly ParticipantState[])[],
): CommunityResults {
  const members = names.map((name, i) => {
    const x = { imp: 0n, exp: 0n, bought: 0n, sold: 0n, gridImp: 0n, gridExp: 0n, net: 0n };
    for (const f of finals) {
      const s = f[i];
      x.imp += s.importWh;
      x.exp += s.exportWh;
      x.bought += s.p2pBoughtWh;
      x.sold += s.p2pSoldWh;
      x.gridImp += s.gridBoughtWh;
      x.gridExp += s.gridSoldWh;
      x.net += s.net;
    }
    const baseline = floorDiv(x.imp * market.gridBuyPrice - x.exp * market.gridSellPrice, 1000n);
    const grid = floorDiv(x.gridImp * market.gridBuyPrice - x.gridExp * market.gridSellPrice, 1000n);
    return result(name, { ...x, baseline, grid, load: null, pv: null, rec: null });
  });
  return {
    market: MarketKind[market.kind].toLowerCase(),
    intervals: 0,
    windows: finals.length,
    members,
    totals: totalsOf(members),
    rec: null,
    flows: [],
    windowStates: finals.map((f) => [...f]),
  };
}

/**
 * What a member was paid at close (`Hub.claim`, then `claimShare`), beside what its own fold says: the
 * leaf of the final balances root (escrow, debt, claim), its bond and credit on chain at close.
 */
export interface MemberPayout {
  name: string;
  participant: string;
  escrow: bigint;
  debt: bigint;
  claim: bigint;
  bond: bigint;
  credit: bigint;
  /** Debt repaid from its funds at close. */
  repaid: bigint;
  /** Its share of the repaid pool (a creditor), all takes. */
  share: bigint;
  /** Tokens the hub sent it since close. */
  received: bigint;
  /** escrow + bond + credit − repaid + share with the pool complete: what its own fold says it is owed. */
  expected: bigint;
}

/** The payout table of `diversity devnet` and `diversity claim --all`: one row per member. */
export function formatPayoutTable(rows: readonly MemberPayout[], decimals: number): string {
  const money = (v: bigint) => formatUnits(v, decimals);
  const head = ['member', 'escrow', 'debt', 'claim', 'bond', 'credit', 'repaid', 'share', 'received', 'fold says', ''];
  const body = rows.map((r) => [
    r.name,
    money(r.escrow),
    money(r.debt),
    money(r.claim),
    money(r.bond),
    money(r.credit),
    money(r.repaid),
    money(r.share),
    money(r.received),
    money(r.expected),
    r.received === r.expected ? 'ok' : 'MISMATCH',
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((b) => b[c].length)));
  const line = (x: string[]) => x.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  return [line(head), ...body.map(line)].join('\n').replace(/ +$/gm, '');
}
