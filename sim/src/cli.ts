import { readFileSync, writeFileSync } from 'node:fs';
import cliProgress from 'cli-progress';
import type { Argv, Options } from 'yargs';
import { communitySpec, cumulativeSpec, flowsSpec, memberBarsSpec, writeChart } from './charts.js';
import {
  formatMemberTable,
  resultsToCsv,
  type CommunityResults,
  type MemberResult,
} from '../../node/src/results/members.js';
import { MARKETS, type MarketName } from './market.js';
import { monthWindowIntervals } from './sessions.js';
import { defaultSimOptions, type SimOptions } from './options.js';
import { PRESETS } from './presets.js';
import { cumulativePoints, formatTable, paperRefs, toJson } from './report.js';
import { APPROACHES, type ApproachName } from './replay/types.js';
import { simulate, type SimReport } from './simulate.js';
import { defaultSweepOptions, sweep } from './sweep.js';
import { CliError, CliErrorCode } from '../../node/src/cli/errors.js';

export interface SimArgs {
  approaches: string;
  dataset: string;
  period: string;
  prosumers: number;
  'pv-share': number;
  seed: number;
  interval: number;
  session: string;
  window: string;
  community?: string;
  market: string;
  'grid-buy': string;
  'grid-sell': string;
  'feeder-kwh'?: number;
  tariff: string;
  'rec-rate': string;
  'rec-key': string;
  'members-out'?: string;
  'members-csv'?: string;
  'members-chart'?: string;
  'flows-chart'?: string;
  signing: string;
  signatures: string;
  'annual-kwh': number;
  'pv-yield': number;
  preset: string;
  'gas-price-gwei': string;
  'eth-usd': string;
  'data-fee-gwei-per-byte': string;
  out?: string;
  chart?: string;
  'chart-preset': string;
  'community-chart'?: string;
  'sweep-prosumers': string;
  'sweep-windows': string;
  'sweep-signatures': string;
  'sweep-days': number;
  progress: boolean;
  from?: string;
  'hub-root': string;
}

const d = defaultSimOptions;

export const simOptions: Record<keyof SimArgs, Options> = {
  approaches: {
    type: 'string',
    default: d.approaches.join(','),
    description: `comma list of ${APPROACHES.join(', ')}`,
  },
  dataset: {
    type: 'string',
    default: d.dataset,
    description:
      'builtin:italy-2020, or a CSV: ENTSO-E export, OPSD (utc_timestamp, IT_load_actual_...), or timestamp,kWh',
  },
  period: {
    type: 'string',
    default: d.period,
    description: "Rome-local period: YYYY, YYYY-MM, YYYY-MM-DD or from/to (to exclusive); '' = whole dataset",
  },
  prosumers: { type: 'number', default: d.prosumers, description: 'households in the community' },
  'pv-share': { type: 'number', default: d.pvShare, description: 'share of households with PV (floor(share x N))' },
  seed: { type: 'number', default: d.seed, description: 'seed of the household variation' },
  interval: { type: 'number', default: d.intervalSeconds, description: 'meter interval, seconds' },
  session: {
    type: 'string',
    default: String(d.sessionIntervals),
    description: "SAT/SA session: intervals (96 = one day), or 'month' (calendar months, the paper's monthly bill)",
  },
  window: {
    type: 'string',
    default: String(d.windowIntervals),
    description: "DIVERSITY window: intervals, or 'month' (31 days: the hub's windows have one fixed length)",
  },
  community: {
    type: 'string',
    description:
      "a community file (JSON + CSVs: each member's load and PV or meter readings, market, tariff, REC); replaces --dataset/--prosumers",
  },
  market: {
    type: 'string',
    default: '',
    description: `market F: ${MARKETS.join(', ')} (default: the community file's, else totals)`,
  },
  'grid-buy': { type: 'string', default: '', description: 'flat grid buy price, currency per kWh (default 0.25)' },
  'grid-sell': { type: 'string', default: '', description: 'flat grid sell price, currency per kWh (default 0.05)' },
  'feeder-kwh': { type: 'number', description: 'feeder capacity per interval, kWh (0 = no limit)' },
  tariff: {
    type: 'string',
    default: '',
    description: 'a time-of-use tariff JSON (grid prices by hour, weekday/weekend)',
  },
  'rec-rate': {
    type: 'string',
    default: '',
    description: 'Italian REC accounting: incentive per MWh of hourly shared energy (currency)',
  },
  'rec-key': { type: 'string', default: '', description: 'REC allocation key: equal, consumption or production' },
  'members-out': { type: 'string', description: 'write the per-member results (JSON)' },
  'members-csv': { type: 'string', description: 'write the per-member results (CSV)' },
  'members-chart': { type: 'string', description: 'write the per-member energy bars (SVG, and PNG beside it)' },
  'flows-chart': {
    type: 'string',
    description: 'write the community energy flows per interval or day (SVG, and PNG beside it)',
  },
  signing: {
    type: 'string',
    default: d.signing,
    choices: ['node', 'local'],
    description: "who signs the replay's transactions: anvil (node, fast) or this process (local)",
  },
  signatures: {
    type: 'string',
    default: d.signatures,
    choices: ['ecdsa', 'bls'],
    description:
      "DIVERSITY's co-signature scheme: the ECDSA signer set or BLS12-381 aggregates (one pairing per update)",
  },
  'annual-kwh': { type: 'number', default: d.annualKWh, description: 'per-capita consumption per year, kWh' },
  'pv-yield': { type: 'number', default: d.pvYieldKWhPerKWp, description: 'PV yield, kWh per kWp per year' },
  preset: {
    type: 'string',
    default: d.presets.join(','),
    description: `cost presets: ${Object.keys(PRESETS).join(', ')}`,
  },
  'gas-price-gwei': { type: 'string', default: '', description: 'adds a custom preset with this gas price' },
  'eth-usd': { type: 'string', default: '', description: 'adds a custom preset with this ETH price' },
  'data-fee-gwei-per-byte': {
    type: 'string',
    default: '0',
    description: 'custom preset: fee per raw transaction byte (L1 data fee of an L2)',
  },
  out: { type: 'string', description: 'write the JSON report here' },
  chart: { type: 'string', description: 'write the cumulative-cost chart (SVG, and PNG beside it)' },
  'chart-preset': { type: 'string', default: 'paper-2022', description: 'preset the charts are priced with' },
  'community-chart': {
    type: 'string',
    description: 'write the cost-per-prosumer vs community-size chart (runs a sweep)',
  },
  'sweep-prosumers': {
    type: 'string',
    default: defaultSweepOptions.prosumers.join(','),
    description: 'community sizes of the sweep',
  },
  'sweep-windows': {
    type: 'string',
    default: defaultSweepOptions.windows.join(','),
    description: 'DIVERSITY window lengths of the sweep, intervals',
  },
  'sweep-signatures': {
    type: 'string',
    default: defaultSweepOptions.schemes.join(','),
    description: 'DIVERSITY co-signature schemes of the sweep (ecdsa, bls): one series each',
  },
  'sweep-days': {
    type: 'number',
    default: defaultSweepOptions.baselineDays,
    description: 'days measured per baseline run of the sweep (scaled to a year)',
  },
  progress: { type: 'boolean', default: true, description: 'show a progress bar' },
  from: { type: 'string', description: 'no replay: print and chart an earlier --out report' },
  'hub-root': {
    type: 'string',
    default: '',
    description: 'a built checkout whose contracts/out holds Hub and CommunityToken (default: this repository)',
  },
};

const list = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** A positive whole number of intervals, or 'month'. */
function intervalsOrMonth(flag: string, v: string): number | 'month' {
  if (String(v) === 'month') return 'month';
  const x = Number(v);
  if (!Number.isInteger(x) || x <= 0)
    throw new RangeError(`--${flag}: a positive number of intervals or 'month', got ${v}`);
  return x;
}

export function toSimOptions(a: SimArgs): SimOptions {
  const approaches = a.approaches === 'none' ? [] : list(a.approaches);
  if (a.market && !MARKETS.includes(a.market as MarketName))
    throw new RangeError(`--market: one of ${MARKETS.join(', ')}, got ${a.market}`);
  if (a['rec-key'] && !['equal', 'consumption', 'production'].includes(a['rec-key']))
    throw new RangeError(`--rec-key: equal, consumption or production, got ${a['rec-key']}`);
  const session = intervalsOrMonth('session', a.session);
  const window = intervalsOrMonth('window', a.window);
  for (const x of approaches)
    if (!APPROACHES.includes(x as ApproachName)) throw new RangeError(`unknown approach ${x}`);
  return {
    approaches: approaches as ApproachName[],
    dataset: a.dataset,
    period: a.period,
    prosumers: a.prosumers,
    pvShare: a['pv-share'],
    seed: a.seed,
    intervalSeconds: a.interval,
    sessionIntervals: session === 'month' ? d.sessionIntervals : session,
    calendarSessions: session === 'month',
    windowIntervals: window === 'month' ? monthWindowIntervals(a.interval) : window,
    community: a.community ?? '',
    market: (a.market ?? '') as MarketName | '',
    gridBuy: a['grid-buy'] ?? '',
    gridSell: a['grid-sell'] ?? '',
    feederCapacityKwh: a['feeder-kwh'] ?? null,
    tariff: a.tariff ?? '',
    recRate: a['rec-rate'] ?? '',
    recKey: (a['rec-key'] ?? '') as SimOptions['recKey'],
    signing: a.signing === 'local' ? 'local' : 'node',
    signatures: a.signatures === 'bls' ? 'bls' : 'ecdsa',
    annualKWh: a['annual-kwh'],
    pvYieldKWhPerKWp: a['pv-yield'],
    presets: list(a.preset),
    gasPriceGwei: a['gas-price-gwei'],
    ethUsd: a['eth-usd'],
    dataFeeGweiPerByte: a['data-fee-gwei-per-byte'],
    hubRoot: a['hub-root'],
  };
}

export async function runSim(a: SimArgs): Promise<void> {
  let o: SimOptions;
  try {
    o = toSimOptions(a);
  } catch (e) {
    // A bad option: one line and exit 2, as every other command (`CliError`).
    if (e instanceof RangeError) throw new CliError(CliErrorCode.BAD_OPTION, e.message);
    throw e;
  }
  const bar =
    a.progress && process.stderr.isTTY
      ? new cliProgress.SingleBar(
          { format: ' {approach} [{bar}] {value}/{total} tx | {duration_formatted}', stream: process.stderr },
          cliProgress.Presets.shades_classic,
        )
      : null;
  let current = '';
  const onProgress = (approach: string, done: number, total: number): void => {
    if (!bar) return;
    if (approach !== current) {
      if (current) bar.stop();
      current = approach;
      bar.start(total, done, { approach: approach.toUpperCase().padEnd(9) });
    }
    bar.setTotal(total);
    bar.update(done);
  };
  const report: SimReport = a.from
    ? (JSON.parse(readFileSync(a.from, 'utf8')) as SimReport)
    : await simulate(o, { onProgress, onApproachStart: (x) => !bar && process.stderr.write(`replaying ${x}...\n`) });
  bar?.stop();
  if (report.approaches.length > 0 || report.skipped.length > 0) console.log(formatTable(report));
  console.log(
    `${report.inputs.intervals} intervals x ${report.inputs.prosumers} prosumer(s), ${report.inputs.startUtc} .. ${report.inputs.endUtc}; ${report.runtimeSeconds} s`,
  );
  if (report.members) {
    console.log('');
    console.log(
      `== per member, market ${report.inputs.market}${report.inputs.tariff ? ' (time-of-use tariff)' : ''}, ${report.inputs.windowIntervals}-interval windows (energy kWh, money EUR)`,
    );
    console.log(formatMemberTable(membersFromJson(report.members)));
  }
  if (a.out) {
    writeFileSync(a.out, toJson(report));
    console.log(`report: ${a.out}`);
  }
  if (a['members-out']) {
    writeFileSync(a['members-out'], `${JSON.stringify(report.members, null, 2)}\n`);
    console.log(`members: ${a['members-out']}`);
  }
  if (a['members-csv']) {
    writeFileSync(a['members-csv'], membersCsv(report.members));
    console.log(`members: ${a['members-csv']}`);
  }
  const subtitle = `${report.inputs.community || report.inputs.dataset}, ${report.inputs.prosumers} members, market ${report.inputs.market}${report.inputs.tariff ? ', time-of-use tariff' : ''}`;
  if (a['members-chart']) {
    const files = await writeChart(
      memberBarsSpec(membersFromJson(report.members).members, 'Energy per member', subtitle),
      a['members-chart'],
    );
    console.log(`members chart: ${files.join(', ')}`);
  }
  if (a['flows-chart']) {
    const files = await writeChart(flowsSpec(report.flows, 'Community energy flows', subtitle), a['flows-chart']);
    console.log(`flows chart: ${files.join(', ')}`);
  }
  if (a.chart) {
    const preset = a['chart-preset'];
    const files = await writeChart(
      cumulativeSpec(
        cumulativePoints(report, preset),
        'Cumulative on-chain cost per approach',
        [
          `${report.inputs.dataset}, ${report.inputs.prosumers} prosumer(s), preset ${preset}, gas from anvil receipts`,
          ...(report.approaches.some((x) => x.approach === 'diversity')
            ? [
                `DIVERSITY window ${(report.inputs.windowIntervals * report.inputs.intervalSeconds) / 86_400} days` +
                  (report.inputs.hubRoot ? ', hub from --hub-root (before the merge)' : ''),
              ]
            : []),
        ],
        preset === 'paper-2022' ? paperRefs(report) : [],
      ),
      a.chart,
    );
    console.log(`chart: ${files.join(', ')}`);
  }
  if (a['community-chart']) {
    const s = {
      ...defaultSweepOptions,
      prosumers: list(a['sweep-prosumers']).map(Number),
      windows: list(a['sweep-windows']).map(Number),
      schemes: list(a['sweep-signatures']).map((x) => {
        if (x !== 'ecdsa' && x !== 'bls') throw new RangeError(`--sweep-signatures: ecdsa or bls, got ${x}`);
        return x as 'ecdsa' | 'bls';
      }),
      baselineDays: a['sweep-days'],
      preset: a['chart-preset'],
    };
    const { points, notes } = await sweep({ ...o, presets: [s.preset] }, s, Date.parse(report.inputs.startUtc), {
      onProgress,
    });
    bar?.stop();
    const files = await writeChart(
      communitySpec(points, 'Cost per prosumer per year vs community size', [
        `preset ${s.preset}; baselines measured over ${s.baselineDays} days, DIVERSITY over ${s.diversityWindows} windows, scaled to a year`,
        ...notes,
      ]),
      a['community-chart'],
    );
    writeFileSync(
      `${a['community-chart'].replace(/\.svg$/i, '')}.json`,
      `${JSON.stringify({ sweep: s, points, notes }, null, 2)}\n`,
    );
    console.log(`community chart: ${files.join(', ')}`);
    for (const n of notes) console.log(n);
  }
}

/** The results as `formatMemberTable` takes them, from the report's JSON form (bigints as strings). */
function membersFromJson(j: unknown): CommunityResults {
  // The money fields arrive as decimal strings; every other field has its JSON type already.
  type MemberJson = Omit<MemberResult, 'p2pNet' | 'billGridOnly' | 'bill' | 'savings' | 'recIncentive'> &
    Record<'p2pNet' | 'billGridOnly' | 'bill' | 'savings', string> & { recIncentive: string | null };
  const r = j as Omit<CommunityResults, 'members' | 'totals'> & { members: MemberJson[]; totals: MemberJson };
  const m = (x: MemberJson): MemberResult => ({
    ...x,
    p2pNet: BigInt(x.p2pNet),
    billGridOnly: BigInt(x.billGridOnly),
    bill: BigInt(x.bill),
    savings: BigInt(x.savings),
    recIncentive: x.recIncentive === null ? null : BigInt(x.recIncentive),
  });
  return {
    ...r,
    members: r.members.map(m),
    totals: m(r.totals),
    rec: r.rec
      ? { ...r.rec, incentive: BigInt(r.rec.incentive), incentivePerMWh: BigInt(r.rec.incentivePerMWh) }
      : null,
    flows: [],
    windowStates: [],
  };
}

function membersCsv(j: unknown): string {
  return resultsToCsv(membersFromJson(j));
}

/** The `diversity sim` command (lodestar-style command object; the lead registers it in bin/diversity.js). */
export const simCommand = {
  command: 'sim',
  describe: 'Replay a dataset through RDA, SAT, SA and DIVERSITY contracts on anvil and report gas and USD',
  examples: [
    {
      command:
        'sim --approaches rda,sat,sa,diversity --dataset builtin:italy-2020 --prosumers 1 --out report.json --chart report.svg',
      description: "A full year of the per-capita Italian profile, the paper's comparison",
    },
    {
      command: 'sim --approaches sa,diversity --prosumers 20 --period 2020-06',
      description: 'One month of a 20-household community',
    },
    {
      command: 'sim --approaches none --community datasets/examples/three-members-day.json --interval 3600 --window 24',
      description: 'The market outcome per member of a hand-made three-member day, no chain',
    },
    {
      command: 'sim --approaches rda,sat,sa,diversity --session month --window month --prosumers 1',
      description: "The paper's comparison: monthly sessions and windows",
    },
  ],
  options: simOptions,
  builder: (y: Argv) => y.options(simOptions),
  handler: async (args: unknown) => runSim(args as SimArgs),
};
