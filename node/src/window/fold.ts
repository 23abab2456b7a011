import type { CommunityInfo } from '../community/types.js';
import { commitSlots, type MeterLayout, meterLayout, type WindowCommitment } from './commitment.js';
import type { AssembledWindow } from './assemble.js';
import { toMeterEnergy } from './assemble.js';
import { foldWindow } from './market.js';
import { emptyState, MarketKind, stateHash, type MarketParams, type ParticipantState } from './state.js';
import { paramsSchedule } from './tariff.js';
import { limitsInForce } from './limits.js';

export interface FoldedWindow {
  window: number;
  /** S_1 … S_W, one per interval. */
  states: ParticipantState[][];
  finalState: ParticipantState[];
  stateHash: string;
  commitment: WindowCommitment;
}

type FoldCommunity = Pick<CommunityInfo, 'participants' | 'meters' | 'market' | 'limits'> &
  Partial<Pick<CommunityInfo, 'tariff' | 'start' | 'intervalSeconds' | 'windowIntervals' | 'limitBook'>>;

/** The window an assembled window is (its first interval over W). */
export function windowOfAssembled(community: Partial<Pick<CommunityInfo, 'windowIntervals'>>, a: AssembledWindow) {
  return Math.floor(a.firstInterval / Math.max(1, community.windowIntervals ?? a.slots.length));
}

/**
 * The market parameters in force for the community's interval `interval` (absolute, from interval 0):
 * with a time-of-use tariff, the prices of the local hour at which the interval starts
 * (start + interval · intervalSeconds), except for Totals (`paramsSchedule`, Solidity `Tariff.paramsAt`,
 * which the hub's verifier applies to a bad-step proof); else the community's flat market.
 */
export function marketAt(community: FoldCommunity, interval: number): MarketParams {
  const { tariff, market } = community;
  if (!tariff || market.kind === MarketKind.Totals) return market;
  if (community.start === undefined || community.intervalSeconds === undefined) {
    throw new RangeError('a time-of-use community needs its start and interval length to be folded');
  }
  return paramsSchedule(market, tariff, community.start, community.intervalSeconds)(interval);
}

/**
 * The community's layout for committing (`MeterLayout` with `paramsAt` = `marketAt`): what every window root a
 * node builds, from its own fold or from a claimant's served window, is computed with.
 */
export function commitLayout(community: FoldCommunity): MeterLayout {
  return { ...meterLayout(community), paramsAt: (interval) => marketAt(community, interval) };
}

/**
 * S_1 … S_W: F folded over the window from S_0 = 0 (DESIGN.md §3), an auction with the standing limit
 * prices in force for the window (`limitsInForce`: the order book's epoch, whose hash the verifier checks a
 * bad-step proof of the window against), every interval at the prices in force for it (`marketAt`).
 */
export function foldStates(community: FoldCommunity, assembled: AssembledWindow): ParticipantState[][] {
  const meterOwner = community.meters.map((m) => m.owner);
  const inputs = assembled.slots.map((row) => row.map(toMeterEnergy));
  return foldWindow(community.market, emptyState(community.participants.length), meterOwner, inputs, {
    limits: limitsInForce(community, windowOfAssembled(community, assembled)),
    paramsAt: community.tariff ? (t) => marketAt(community, assembled.firstInterval + t) : undefined,
  });
}

/** Folds F over an assembled window from S_0 = 0 and commits to every step (DESIGN.md §3–§4). */
export function foldAndCommit(community: FoldCommunity, window: number, assembled: AssembledWindow): FoldedWindow {
  return commitStates(community, window, assembled, foldStates(community, assembled));
}

/** Commits to given per-interval states (DESIGN.md §4). */
export function commitStates(
  community: FoldCommunity,
  window: number,
  assembled: AssembledWindow,
  states: ParticipantState[][],
): FoldedWindow {
  const commitment = commitSlots(commitLayout(community), assembled.firstInterval, assembled.slots, states);
  const finalState = states[states.length - 1] ?? emptyState(community.participants.length);
  return { window, states, finalState, stateHash: stateHash(finalState), commitment };
}
