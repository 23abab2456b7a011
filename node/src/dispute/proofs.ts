import { AbiCoder } from 'ethers';
import type { CommunityInfo } from '../community/types.js';
import { encodeReading, sameReadingValues } from '../reading/encoding.js';
import type { MeterKeyRing } from '../reading/meterKeys.js';
import type { SignedReading } from '../reading/signature.js';
import { toHex } from '../util/hex.js';
import { toMeterEnergy } from '../window/assemble.js';
import { commitWindow, intervalProof, readingsRoot, slotLeaf, type WindowCommitment } from '../window/commitment.js';
import { marketStep } from '../window/market.js';
import { buildLevels, merkleProof, treeDepth, ZERO_HASH } from '../window/merkle.js';
import { emptyState, stateHash, type ParticipantState } from '../window/state.js';

/** Twin of `DisputeKind` in contracts/src/types/Dispute.sol. */
export enum DisputeKind {
  ReadingMismatch = 0,
  ForgedReading = 1,
  BadStep = 2,
  BadFinalState = 3,
  Equivocation = 4,
}

/** A claimant's commitment as served by the window protocol (`commitment`): per interval, slots and S_t. */
export interface ClaimedWindow {
  firstInterval: number;
  slots: (SignedReading | undefined)[][];
  states: ParticipantState[][];
}

export interface Proof {
  kind: DisputeKind;
  /** abi.encode(<proof struct>) as `Hub.dispute` takes it. */
  data: string;
  /** What it proves, for logs and the CLI. */
  summary: string;
}

const SIGNED_READING = 'tuple(bytes encoded, bytes signature)';
const INTERVAL_PROOF = 'tuple(uint32 position, uint32 interval, bytes32 readingsRoot, bytes32 stateHash, bytes32[] proof)';
const STATE = 'tuple(uint64 exportWh, uint64 importWh, uint64 p2pSoldWh, uint64 p2pBoughtWh, uint64 gridSoldWh, uint64 gridBoughtWh, int256 net)';
const TYPES: Record<DisputeKind, string> = {
  [DisputeKind.ReadingMismatch]: `tuple(${SIGNED_READING} reading, ${INTERVAL_PROOF} leaf, ${SIGNED_READING} committed, bytes32[] slotProof)`,
  [DisputeKind.ForgedReading]: `tuple(${INTERVAL_PROOF} leaf, uint32 meterIndex, ${SIGNED_READING} committed, bytes32[] slotProof)`,
  [DisputeKind.BadStep]: `tuple(${INTERVAL_PROOF} previous, ${STATE}[] prevState, ${INTERVAL_PROOF} current, ${SIGNED_READING}[] slots, bytes32[] padding)`,
  [DisputeKind.BadFinalState]: `tuple(${INTERVAL_PROOF} last)`,
  [DisputeKind.Equivocation]: `tuple(${SIGNED_READING} first, ${SIGNED_READING} second)`,
};

export function encodeProof(kind: DisputeKind, value: unknown): string {
  return AbiCoder.defaultAbiCoder().encode([TYPES[kind]], [value]);
}

function signedReadingTuple(s: SignedReading | undefined) {
  return s ? { encoded: toHex(encodeReading(s.reading)), signature: toHex(s.signature) } : { encoded: '0x', signature: '0x' };
}

/** The claimant's commitment rebuilt from what it served: it must reproduce the root on chain. */
export function commitClaim(claim: ClaimedWindow): WindowCommitment {
  return commitWindow(
    claim.slots.map((row, i) => ({ interval: claim.firstInterval + i, readingsRoot: readingsRoot(row), stateHash: stateHash(claim.states[i]) })),
  );
}

function intervalProofTuple(c: WindowCommitment, position: number) {
  const leaf = c.intervals[position];
  return { position, interval: leaf.interval, readingsRoot: leaf.readingsRoot, stateHash: leaf.stateHash, proof: intervalProof(c, position) };
}

function slotProof(row: (SignedReading | undefined)[], meter: number): string[] {
  return merkleProof(buildLevels(row.map(slotLeaf)), meter);
}

/**
 * The cheapest fraud proof against a claim, given the claimant's served commitment and the
 * readings we hold, or undefined when the claim is honest (as far as those readings show).
 * Cost order: bad final state (no crypto) < forged reading, reading mismatch (one signature
 * check) < bad step (F recomputed over every meter of one interval).
 */
export function buildCheapestProof(
  community: Pick<CommunityInfo, 'participants' | 'meters' | 'market' | 'chainId' | 'hub' | 'communityId'>,
  keys: MeterKeyRing,
  claim: ClaimedWindow,
  postedStateHash: string,
  ours: (SignedReading | undefined)[][],
  voided: (interval: number, meter: number) => boolean = () => false,
): Proof | undefined {
  const c = commitClaim(claim);
  const W = claim.slots.length;
  const last = c.intervals[W - 1];
  if (last.stateHash !== postedStateHash) {
    return { kind: DisputeKind.BadFinalState, data: encodeProof(DisputeKind.BadFinalState, { last: intervalProofTuple(c, W - 1) }), summary: `posted S_W is not the state of interval ${last.interval}` };
  }
  for (let i = 0; i < W; i++) {
    const t = claim.firstInterval + i;
    for (let m = 0; m < claim.slots[i].length; m++) {
      const committed = claim.slots[i][m];
      if (!committed) continue;
      const r = committed.reading;
      const bound = r.meterIndex === m && r.interval === t && r.chainId === community.chainId && r.communityId === community.communityId && r.hub.toLowerCase() === community.hub.toLowerCase();
      if (!bound || !keys.verify(committed)) {
        return {
          kind: DisputeKind.ForgedReading,
          data: encodeProof(DisputeKind.ForgedReading, { leaf: intervalProofTuple(c, i), meterIndex: m, committed: signedReadingTuple(committed), slotProof: slotProof(claim.slots[i], m) }),
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
      if (!mine || voided(t, m)) continue;
      if (committed && sameReadingValues(committed.reading, mine.reading)) continue;
      if (committed) continue; // validly signed but different: an equivocation, not the claimant's fraud
      return {
        kind: DisputeKind.ReadingMismatch,
        data: encodeProof(DisputeKind.ReadingMismatch, {
          reading: signedReadingTuple(mine),
          leaf: intervalProofTuple(c, i),
          committed: signedReadingTuple(committed),
          slotProof: slotProof(claim.slots[i], m),
        }),
        summary: `signed reading of meter ${m} at interval ${t} is missing from the commitment`,
      };
    }
  }
  const owners = community.meters.map((x) => x.owner);
  for (let i = 0; i < W; i++) {
    const prev = i === 0 ? emptyState(community.participants.length) : claim.states[i - 1];
    const next = marketStep(community.market, prev, owners, claim.slots[i].map(toMeterEnergy));
    if (stateHash(next) === c.intervals[i].stateHash) continue;
    const M = claim.slots[i].length;
    return {
      kind: DisputeKind.BadStep,
      data: encodeProof(DisputeKind.BadStep, {
        previous: intervalProofTuple(c, Math.max(0, i - 1)),
        prevState: prev,
        current: intervalProofTuple(c, i),
        slots: claim.slots[i].map(signedReadingTuple),
        padding: new Array((1 << treeDepth(M)) - M).fill(ZERO_HASH),
      }),
      summary: `state of interval ${claim.firstInterval + i} is not F of the previous state and readings`,
    };
  }
  return undefined;
}
