import type { CommunityInfo } from '../community/types.js';
import { commitWindow, readingsRoot, type WindowCommitment } from './commitment.js';
import type { AssembledWindow } from './assemble.js';
import { toMeterEnergy } from './assemble.js';
import { foldWindow } from './market.js';
import { emptyState, stateHash, type ParticipantState } from './state.js';

export interface FoldedWindow {
  window: number;
  /** S_1 … S_W, one per interval. */
  states: ParticipantState[][];
  finalState: ParticipantState[];
  stateHash: string;
  commitment: WindowCommitment;
}

type FoldCommunity = Pick<CommunityInfo, 'participants' | 'meters' | 'market' | 'limits'>;

/**
 * S_1 … S_W: F folded over the window from S_0 = 0 (DESIGN.md §3), an auction with the community's
 * standing limit prices (the ones its on-chain limits hash commits to).
 */
export function foldStates(community: FoldCommunity, assembled: AssembledWindow): ParticipantState[][] {
  const meterOwner = community.meters.map((m) => m.owner);
  const inputs = assembled.slots.map((row) => row.map(toMeterEnergy));
  return foldWindow(community.market, emptyState(community.participants.length), meterOwner, inputs, {
    limits: community.limits,
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
  const commitment = commitWindow(
    assembled.slots.map((row, t) => ({
      interval: assembled.firstInterval + t,
      readingsRoot: readingsRoot(row),
      stateHash: stateHash(states[t]),
    })),
  );
  const finalState = states[states.length - 1] ?? emptyState(community.participants.length);
  return { window, states, finalState, stateHash: stateHash(finalState), commitment };
}
