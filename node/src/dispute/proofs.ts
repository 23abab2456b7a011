import { getBytes, ZeroHash } from 'ethers';
import type { CommunityInfo } from '../community/types.js';
import { decodeReading, sameReadingValues } from '../reading/encoding.js';
import type { MeterKeyRing } from '../reading/meterKeys.js';
import type { SignedReading } from '../reading/signature.js';
import { toMeterEnergy } from '../window/assemble.js';
import { ABSENT_LEAF, commitWindow, rawReadingLeaf, readingsRoot } from '../window/commitment.js';
import {
  badFinalStateProof,
  badStepProof,
  DisputeKind,
  encodeProof,
  forgedReadingProof,
  readingMismatchProof,
  signedSlot,
  stateTuple,
  type ClaimedWindow,
  type IntervalLeafProof,
} from '../window/disputeProof.js';
import { buildLevels, merkleProof, treeDepth } from '../window/merkle.js';
import { marketAt } from '../window/fold.js';
import { marketStep } from '../window/market.js';
import { encodeTariff } from '../window/tariff.js';
import { limitsInForce } from '../window/limits.js';
import { emptyState, PACKED_STATE_STRIDE, stateHash, unpackState, type ParticipantState } from '../window/state.js';

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
    Partial<Pick<CommunityInfo, 'tariff' | 'start' | 'intervalSeconds' | 'windowIntervals' | 'limitBook'>>,
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
  // The limit prices in force for the claim's window (the verifier checks the proof's against their hash).
  const limits = limitsInForce(community, Math.floor(claim.firstInterval / Math.max(1, W)));
  for (let i = 0; i < W; i++) {
    const prev = i === 0 ? emptyState(community.participants.length) : claim.states[i - 1];
    const market = marketAt(community, claim.firstInterval + i);
    const next = marketStep(market, prev, owners, claim.slots[i].map(toMeterEnergy), limits);
    if (stateHash(next) === claim.commitment.intervals[i].stateHash) continue;
    return {
      kind: DisputeKind.BadStep,
      data: badStepProof(claim, i, limits, community.tariff),
      summary: `state of interval ${claim.firstInterval + i} is not F of the previous state and readings`,
    };
  }
  return undefined;
}

/** One published slot: raw bytes (hex), both empty = absent (`PublishedStep.slots`, contracts/src/types/Game.sol). */
export interface PublishedSlot {
  encoded: string;
  signature: string;
}

/**
 * The data a data-availability game opened for one step (review R1): the interval leaf t with its
 * path under the claim's windowRoot (the children revealed on the way down), and what the claimant
 * side published for it in calldata — the M slots, leaf t-1 with its path and S_{t-1} packed.
 */
export interface OpenedStep {
  leaf: IntervalLeafProof;
  slots: readonly PublishedSlot[];
  previous: IntervalLeafProof;
  prevState: string;
}

type Community = Pick<
  CommunityInfo,
  'participants' | 'meters' | 'market' | 'limits' | 'chainId' | 'hub' | 'communityId'
> &
  Partial<Pick<CommunityInfo, 'tariff' | 'start' | 'intervalSeconds' | 'windowIntervals' | 'limitBook'>>;

/**
 * The cheapest fraud proof against the step a game opened and published, from that data and our own
 * readings of the interval, in `buildCheapestProof`'s order: a committed slot that is not a valid
 * reading of its meter and interval (forged reading), a reading of ours the claim leaves out
 * (reading mismatch, when the omission rule lets us raise it), a state that is not F of S_{t-1} and
 * the committed readings (bad step). Undefined when the step is right as far as our readings show.
 * The slots are taken as published bytes: a committed slot that is no reading at all is provable too.
 */
export function proofFromOpenedStep(
  community: Community,
  keys: MeterKeyRing,
  opened: OpenedStep,
  /** Our slots of interval t (equivocated ones voided), when we hold them. */
  ours: readonly (SignedReading | undefined)[] | undefined,
  omission?: { signers: bigint; disputer?: number },
): Proof | undefined {
  const { leaf, slots } = opened;
  const t = leaf.interval;
  const absent = (x: PublishedSlot) => getBytes(x.encoded).length === 0 && getBytes(x.signature).length === 0;
  const levels = buildLevels(
    slots.map((x) => (absent(x) ? ABSENT_LEAF : rawReadingLeaf(getBytes(x.encoded), getBytes(x.signature)))),
  );
  const committed: (SignedReading | undefined)[] = [];
  for (let m = 0; m < slots.length; m++) {
    const x = slots[m];
    if (absent(x)) {
      committed.push(undefined);
      continue;
    }
    let valid: SignedReading | undefined;
    try {
      const reading = decodeReading(getBytes(x.encoded));
      const s = { reading, signature: getBytes(x.signature) };
      const bound =
        reading.meterIndex === m &&
        reading.interval === t &&
        reading.chainId === community.chainId &&
        reading.communityId === community.communityId &&
        reading.hub.toLowerCase() === community.hub.toLowerCase();
      if (bound && keys.verify(s)) valid = s;
    } catch {
      // Not a reading at all: forged.
    }
    if (!valid) {
      return {
        kind: DisputeKind.ForgedReading,
        data: encodeProof(DisputeKind.ForgedReading, {
          leaf,
          meterIndex: m,
          committed: x,
          slotProof: merkleProof(levels, m),
        }),
        summary: `published reading of meter ${m} at interval ${t} is not validly signed for that slot`,
      };
    }
    committed.push(valid);
  }
  for (let m = 0; m < slots.length; m++) {
    const mine = ours?.[m];
    const theirs = committed[m];
    if (!mine || theirs) continue; // a different valid reading is an equivocation, not the claimant's fraud
    if (omission && !mayRaiseOmission(community.meters[m].owner, omission.signers, omission.disputer)) continue;
    return {
      kind: DisputeKind.ReadingMismatch,
      data: encodeProof(DisputeKind.ReadingMismatch, {
        reading: signedSlot(mine),
        leaf,
        committed: slots[m],
        slotProof: merkleProof(levels, m),
      }),
      summary: `signed reading of meter ${m} at interval ${t} is missing from the published step`,
    };
  }
  const n = community.participants.length;
  const packed = getBytes(opened.prevState);
  const first = leaf.position === 0;
  // The limit prices in force for the window of interval t (t = w·W + position).
  const limits = limitsInForce(community, community.windowIntervals ? Math.floor(t / community.windowIntervals) : 0);
  // A committed S_{t-1} of another length is wrong by itself (the verifier's BadStep says so).
  const prev = first ? emptyState(n) : unpackState(packed, Math.floor(packed.length / PACKED_STATE_STRIDE));
  if (prev.length === n) {
    const owners = community.meters.map((x) => x.owner);
    let next: ParticipantState[];
    try {
      next = marketStep(marketAt(community, t), prev, owners, committed.map(toMeterEnergy), limits);
    } catch {
      return undefined; // F reverts: the step that produced S_{t-1} is the wrong one, not this
    }
    if (stateHash(next) === leaf.stateHash) return undefined;
  }
  const meters = slots.length;
  return {
    kind: DisputeKind.BadStep,
    data: encodeProof(DisputeKind.BadStep, {
      previous: first
        ? { position: 0, interval: 0, readingsRoot: ZeroHash, stateHash: ZeroHash, proof: [] }
        : opened.previous,
      prevState: first ? [] : prev.map(stateTuple),
      current: leaf,
      slots,
      padding: new Array((1 << treeDepth(meters)) - meters).fill(ZeroHash),
      limits: (limits ?? []).map((l) => [l.bidPrice, l.askPrice]),
      tariff: community.tariff ? encodeTariff(community.tariff) : '0x',
    }),
    summary: `state of interval ${t} is not F of the published S_{t-1} and readings`,
  };
}
