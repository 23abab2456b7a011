import type { LimitPrices, MarketParams } from '../../../node/src/window/state.js';
import type { Tariff } from '../../../node/src/window/tariff.js';
import type { TxSender, TxSpec } from './sender.js';

export type ApproachName = 'rda' | 'sat' | 'sa' | 'diversity';
export const APPROACHES: readonly ApproachName[] = ['rda', 'sat', 'sa', 'diversity'];

/** Integer meter readings of a community: what every approach puts on chain in its own way. */
export interface CommunityReadings {
  meters: number;
  intervals: number;
  intervalSeconds: number;
  /** UTC start of interval 0, ms since the epoch. */
  startMs: number;
  /** [meter][interval], Wh. */
  exportWh: Uint32Array[];
  importWh: Uint32Array[];
}

export interface ReplayOptions {
  /** Intervals per session for SAT and SA (default 96 = one day of 15-minute intervals). */
  sessionIntervals: number;
  /**
   * Calendar sessions instead: the first interval of each session after the first (ascending), e.g. the
   * first interval of each calendar month (`--session month`, `calendarMonthStarts`). Overrides
   * `sessionIntervals` when set.
   */
  sessionStarts?: number[];
  /** The market DIVERSITY opens and folds (default: totals at 0.25 / 0.05 per kWh, `SIM_MARKET`). */
  market?: MarketParams;
  /** Auction: the members' standing limit prices, one pair per participant (published and committed at open). */
  limits?: LimitPrices[];
  /**
   * A time-of-use tariff (Mmr, Auction): published and committed at open, the community's interval 0 then
   * starting at the readings' first instant so that the chain prices every interval at its own local hour.
   */
  tariff?: Tariff;
  /** Intervals per DIVERSITY window. */
  windowIntervals: number;
  /** Per-transaction gas cap (EIP-7825). */
  txGasCap: bigint;
}

export const defaultReplayOptions: ReplayOptions = {
  sessionIntervals: 96,
  windowIntervals: 96,
  txGasCap: 16_777_216n,
};

export interface ApproachContext {
  readings: CommunityReadings;
  opts: ReplayOptions;
  sender: TxSender;
}

/**
 * One way of putting a community's meter data on chain. `deploy` sets up its contracts
 * (deployment gas is reported apart); `transactions` yields, in order, every transaction the
 * approach needs for the whole period; a spec marked `flush` is mined before the next one is
 * yielded, so later transactions may depend on it.
 */
export interface Approach {
  readonly name: ApproachName;
  /** Contract artifacts it needs (for `forge build` on a clean clone). */
  readonly artifacts: readonly string[];
  /** Accounts it needs: meters' accounts plus any others. */
  accountsNeeded(readings: CommunityReadings): number;
  deploy(ctx: ApproachContext): Promise<void>;
  transactions(ctx: ApproachContext): AsyncIterable<TxSpec> | Iterable<TxSpec>;
}

/** Measured outcome of one approach over the period. */
export interface ApproachResult {
  approach: ApproachName;
  transactions: number;
  gasUsed: bigint;
  /** Sum of signed raw transaction sizes (for per-byte L2 data fees). */
  rawBytes: number;
  /** Contract deployments and test-token minting: not part of any approach's cost. */
  deployTransactions: number;
  deployGas: bigint;
  maxTxGas: bigint;
  /** Gas and transactions per kind (TxSpec.kind, default 'data'). */
  byKind: Record<string, { transactions: number; gasUsed: bigint }>;
  /** Gas of the approach's transactions per day of the period (day = 86,400 s from the start). */
  gasByDay: bigint[];
  seconds: number;
}

/** The [from, to) interval ranges of SAT and SA sessions. */
export function sessionRanges(
  r: Pick<CommunityReadings, 'intervals'>,
  o: Pick<ReplayOptions, 'sessionIntervals' | 'sessionStarts'>,
): Array<[number, number]> {
  const starts = o.sessionStarts ? [0, ...o.sessionStarts.filter((t) => t > 0 && t < r.intervals)] : [];
  if (!o.sessionStarts) for (let t = 0; t < r.intervals; t += o.sessionIntervals) starts.push(t);
  return starts.map((from, k) => [from, k + 1 < starts.length ? starts[k + 1] : r.intervals]);
}
