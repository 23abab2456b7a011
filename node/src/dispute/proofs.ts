import type { CommunityInfo } from '../community/types.js';
import { sameReadingValues } from '../reading/encoding.js';
import type { MeterKeyRing } from '../reading/meterKeys.js';
import type { SignedReading } from '../reading/signature.js';
import { toMeterEnergy } from '../window/assemble.js';
import { commitWindow, readingsRoot } from '../window/commitment.js';
import {
  badFinalStateProof,
  badStepProof,
  DisputeKind,
  forgedReadingProof,
  readingMismatchProof,
  type ClaimedWindow,
} from '../window/disputeProof.js';
import { marketAt } from '../window/fold.js';
import { marketStep } from '../window/market.js';
import { emptyState, stateHash, type ParticipantState } from '../window/state.js';

export { DisputeKind, type ClaimedWindow };

export interface Proof {
  kind: DisputeKind;
  /** abi.encode(<proof struct>) as `Hub.dispute` takes it. */
  data: string;
  /** What it proves, for logs and the CLI. */
  summary: string;
}

/** A claimant's served window (slots and states) with the commitment they make: it must reproduce the root on chain. */
export function claimFromServed(
  firstInterval: number,
  slots: (SignedReading | undefined)[][],
  states: ParticipantState[][],
): ClaimedWindow {
  const commitment = commitWindow(
    slots.map((row, i) => ({
      interval: firstInterval + i,
      readingsRoot: readingsRoot(row),
      stateHash: stateHash(states[i]),
    })),
  );
  return { firstInterval, slots, states, commitment };
}

/**
 * Whether an omission of a reading of a meter owned by participant `owner` can be raised by
 * `disputer` against a claim signed by `signers` (twin of DisputeVerifier._omission): always when the
 * owner signed (the owner's fault: the owner alone is slashed, review R7), else only by a participant
 * other than the owner (DESIGN.md §5.5).
 */
export function mayRaiseOmission(owner: number, signers: bigint, disputer: number | undefined): boolean {
  if ((signers >> BigInt(owner)) & 1n) return true;
  return disputer !== undefined && disputer !== owner;
}

/**
 * The cheapest fraud proof against a claim, given the claimant's served commitment and the
 * readings we hold, or undefined when the claim is honest (as far as those readings show).
 * Cost order: bad final state (no crypto) < forged reading, reading mismatch (one signature
 * check) < bad step (F recomputed over every meter of one interval).
 */
export function buildCheapestProof(
  community: Pick<CommunityInfo, 'participants' | 'meters' | 'market' | 'limits' | 'chainId' | 'hub' | 'communityId'> &
    Partial<Pick<CommunityInfo, 'tariff' | 'start' | 'intervalSeconds'>>,
  keys: MeterKeyRing,
  claim: ClaimedWindow,
  postedStateHash: string,
  /** Our slots of the window, equivocated slots already voided (absent). */
  ours: (SignedReading | undefined)[][],
  /**
   * The claim's signer bitmap and our participant index (undefined: not a participant). An omission of
   * a meter whose owner did not sign may only be raised by a participant other than that owner
   * (DESIGN.md §5.5); the hub refuses any other, so none is built.
   */
  omission?: { signers: bigint; disputer?: number },
): Proof | undefined {
  const W = claim.slots.length;
  const last = claim.commitment.intervals[W - 1];
  if (last.stateHash !== postedStateHash) {
    return {
      kind: DisputeKind.BadFinalState,
      data: badFinalStateProof(claim),
      summary: `posted S_W is not the state of interval ${last.interval}`,
    };
  }
  for (let i = 0; i < W; i++) {
    const t = claim.firstInterval + i;
    for (let m = 0; m < claim.slots[i].length; m++) {
      const committed = claim.slots[i][m];
      if (!committed) continue;
      const r = committed.reading;
      const bound =
        r.meterIndex === m &&
        r.interval === t &&
        r.chainId === community.chainId &&
        r.communityId === community.communityId &&
        r.hub.toLowerCase() === community.hub.toLowerCase();
      if (!bound || !keys.verify(committed)) {
        return {
          kind: DisputeKind.ForgedReading,
          data: forgedReadingProof(claim, i, m),
          summary: `committed reading of meter ${m} at interval ${t} is not validly signed for that slot`,
        };
      }
    }
  }
  for (let i = 0; i < W; i++) {
    const t = claim.firstInterval + i;
    for (let m = 0; m < claim.slots[i].length; m++) {
      const mine = ours[i]?.[m];
      const committed = claim.slots[i][m];
      if (!mine) continue;
      if (committed && sameReadingValues(committed.reading, mine.reading)) continue;
      if (committed) continue; // validly signed but different: an equivocation, not the claimant's fraud
      if (omission && !mayRaiseOmission(community.meters[m].owner, omission.signers, omission.disputer)) continue;
      return {
        kind: DisputeKind.ReadingMismatch,
        data: readingMismatchProof(claim, mine),
        summary: `signed reading of meter ${m} at interval ${t} is missing from the commitment`,
      };
    }
  }
  const owners = community.meters.map((x) => x.owner);
  for (let i = 0; i < W; i++) {
    const prev = i === 0 ? emptyState(community.participants.length) : claim.states[i - 1];
    const market = marketAt(community, claim.firstInterval + i);
    const next = marketStep(market, prev, owners, claim.slots[i].map(toMeterEnergy), community.limits);
    if (stateHash(next) === claim.commitment.intervals[i].stateHash) continue;
    return {
      kind: DisputeKind.BadStep,
      data: badStepProof(claim, i, community.limits, community.tariff),
      summary: `state of interval ${claim.firstInterval + i} is not F of the previous state and readings`,
    };
  }
  return undefined;
}
