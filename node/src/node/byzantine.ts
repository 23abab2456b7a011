import type { FoldStrategy } from './committer.js';
import type { CommunityInfo } from '../community/types.js';
import type { AssembledWindow } from '../window/assemble.js';
import type { WindowCommitment } from '../window/commitment.js';
import type { ClaimedWindow } from '../window/disputeProof.js';
import { hashPair } from '../window/merkle.js';
import { commitStates, foldStates, marketAt, type FoldedWindow } from '../window/fold.js';
import { limitsInForce } from '../window/limits.js';
import { marketStep } from '../window/market.js';
import { stateHash, type ParticipantState } from '../window/state.js';
import { toMeterEnergy } from '../window/assemble.js';
import { keccak256, toUtf8Bytes } from 'ethers';

/**
 * Ways a byzantine node cheats, for tests and demos of the dispute game (DESIGN.md §5). Each
 * one leaves exactly the trace its fraud proof needs.
 */
export enum ByzantineMode {
  /** A committed reading's values changed (its meter signature no longer verifies): forged reading. */
  ChangedReading = 'changed-reading',
  /** A validly signed reading left out of the commitment: reading omitted. */
  DroppedReading = 'dropped-reading',
  /** One interval's state is not F of the previous one: bad step. */
  WrongArithmetic = 'wrong-arithmetic',
  /** An honest commitment, but the posted final state differs from its last state: bad final state. */
  WrongFinalState = 'wrong-final-state',
  /**
   * One interval's state is not F of the previous one (as WrongArithmetic), and the commitment is
   * withheld: never served to peers, no game answered. No fraud proof can open the claim; the
   * data-availability game makes it lose (DESIGN.md §5.7).
   */
  WithheldCommitment = 'withheld-commitment',
  /**
   * The same wrong step, the commitment withheld from peers, but every game move answered from it:
   * the game opens the wrong leaf, whose readings are the honest ones, so a bad-step proof applies
   * to it from the challenger's own data (DESIGN.md §5.7).
   */
  WithheldAnswering = 'withheld-answering',
  /**
   * Review R1's claimant: a changed reading (as ChangedReading) folded into well-formed leaves over a
   * readings root that holds it, the commitment withheld from peers, every game move answered and the
   * opened step's data published (all it can do). The game opens the leaf where the claim departs
   * from the honest one; only the published slots show the forged reading, and the challenger proves
   * it from them (DESIGN.md §5.7).
   */
  ForgedAnswering = 'forged-answering',
  /**
   * The thief of the balances root: an honest fold (windowRoot and stateHash as every honest node's), and
   * a balancesRoot that gives the submitter everyone's escrow (`thiefBalances`, balanceBook.ts). Only a
   * BadBalances dispute (the reaction recomputed from the previous final balances) shows it.
   */
  ThiefBalances = 'thief-balances',
  /**
   * Review 5 M2's claimant: the honest fold and result (stateHash, balancesRoot), but junk in the window
   * tree's padding (`junkPadded`: the first leaf past W is not zero; W not a power of two). Its slots and
   * states are served as stored (they rebuild the honest root, not the claim's); every game move is
   * answered from the junk tree. The challenger's pick into the padding wins (`PaddingNotEmpty`,
   * `ClaimantFaulted`, DESIGN.md §5.4).
   */
  JunkPadding = 'junk-padding',
}

/** Whether a node in this mode serves no commitment to its peers. */
export function withholdsCommitment(mode: ByzantineMode | undefined): boolean {
  return (
    mode === ByzantineMode.WithheldCommitment ||
    mode === ByzantineMode.WithheldAnswering ||
    mode === ByzantineMode.ForgedAnswering
  );
}

/** Whether a node in this mode answers games against claims it signed. */
export function answersGames(mode: ByzantineMode | undefined): boolean {
  return mode !== ByzantineMode.WithheldCommitment;
}

export interface ByzantineFold {
  /** The slots as committed (with the cheat). */
  assembled: AssembledWindow;
  folded: FoldedWindow;
  /** What is posted on chain as S_W (differs from the committed one for WrongFinalState). */
  postedState: ParticipantState[];
  postedStateHash: string;
}

/** The slot the cheat touches: the first present reading of the window's middle interval. */
function target(assembled: AssembledWindow): { t: number; m: number } {
  const t = Math.floor(assembled.slots.length / 2);
  const m = Math.max(
    0,
    assembled.slots[t].findIndex((s) => s !== undefined),
  );
  return { t, m };
}

/** Shifts `amount` token units from participant 0 to the last one: Σ net stays 0, so the hub accepts it. */
function shiftMoney(state: ParticipantState[], amount: bigint): ParticipantState[] {
  const out = state.map((s) => ({ ...s }));
  out[0].net -= amount;
  out[out.length - 1].net += amount;
  return out;
}

export function byzantineFold(
  mode: ByzantineMode,
  community: Pick<CommunityInfo, 'participants' | 'meters' | 'market' | 'limits'> &
    Partial<Pick<CommunityInfo, 'limitBook' | 'windowIntervals'>>,
  window: number,
  honest: AssembledWindow,
): ByzantineFold {
  const assembled: AssembledWindow = { ...honest, slots: honest.slots.map((row) => [...row]) };
  const { t, m } = target(assembled);
  const meterOwner = community.meters.map((x) => x.owner);
  let states: ParticipantState[][];
  switch (mode) {
    case ByzantineMode.ChangedReading:
    case ByzantineMode.ForgedAnswering: {
      const slot = assembled.slots[t][m];
      if (slot)
        assembled.slots[t][m] = {
          reading: { ...slot.reading, exportWh: slot.reading.exportWh + 1000 },
          signature: slot.signature,
        };
      states = foldStates(community, assembled);
      break;
    }
    case ByzantineMode.DroppedReading:
      assembled.slots[t][m] = undefined;
      states = foldStates(community, assembled);
      break;
    case ByzantineMode.WrongArithmetic:
    case ByzantineMode.WithheldCommitment:
    case ByzantineMode.WithheldAnswering: {
      const honestStates = foldStates(community, assembled);
      states = honestStates.slice(0, t);
      let prev = shiftMoney(honestStates[t], 10n ** 15n);
      states.push(prev);
      for (let i = t + 1; i < assembled.slots.length; i++) {
        const market = marketAt(community, assembled.firstInterval + i);
        const limits = limitsInForce(community, window);
        prev = marketStep(market, prev, meterOwner, assembled.slots[i].map(toMeterEnergy), limits);
        states.push(prev);
      }
      break;
    }
    case ByzantineMode.WrongFinalState:
    case ByzantineMode.ThiefBalances:
    case ByzantineMode.JunkPadding:
      states = foldStates(community, assembled);
      break;
  }
  const committed = commitStates(community, window, assembled, states);
  const folded =
    mode === ByzantineMode.JunkPadding ? { ...committed, commitment: junkPadded(committed.commitment) } : committed;
  const postedState =
    mode === ByzantineMode.WrongFinalState ? shiftMoney(folded.finalState, 10n ** 15n) : folded.finalState;
  return { assembled, folded, postedState, postedStateHash: stateHash(postedState) };
}

/** The junk a `junk-padding` claimant commits as its window tree's first padding leaf. */
export const JUNK_LEAF = keccak256(toUtf8Bytes('DIVERSITY junk padding'));

/**
 * `commitment` with junk in its padding: the first leaf past the interval leaves (position W) is `JUNK_LEAF`
 * instead of zero, and every node above it rehashed. The interval leaves are untouched. W must not be a
 * power of two (a full tree has no padding): a RangeError otherwise.
 */
export function junkPadded(commitment: WindowCommitment): WindowCommitment {
  const w = commitment.intervals.length;
  const levels = commitment.levels.map((l) => [...l]);
  if (w >= levels[0].length) throw new RangeError(`a window of ${w} intervals has no padding to fill with junk`);
  let index = w;
  levels[0][index] = JUNK_LEAF;
  for (let h = 1; h < levels.length; h++) {
    index >>= 1;
    levels[h][index] = hashPair(levels[h - 1][2 * index], levels[h - 1][2 * index + 1]);
  }
  return { ...commitment, levels, windowRoot: levels[levels.length - 1][0] };
}

/**
 * A byzantine mode's change to a stored commitment as the node rebuilds it from its frames (slots and states:
 * the canonical tree) before it answers a game: `junk-padding` answers from its junk tree. None (undefined)
 * for the other modes and an honest node: their stored frames are the claim. One home with the fold's.
 */
export function byzantineClaimed(
  mode: ByzantineMode | undefined,
): ((claimed: ClaimedWindow) => ClaimedWindow) | undefined {
  if (mode !== ByzantineMode.JunkPadding) return undefined;
  return (claimed) => ({ ...claimed, commitment: junkPadded(claimed.commitment) });
}

/** A byzantine mode as the committer's fold strategy: the daemon has no byzantine branches. */
export function byzantineStrategy(mode: ByzantineMode): FoldStrategy {
  return (community, window, assembled) => {
    const b = byzantineFold(mode, community, window, assembled);
    return { assembled: b.assembled, folded: b.folded, posted: b.postedState, postedHash: b.postedStateHash };
  };
}
