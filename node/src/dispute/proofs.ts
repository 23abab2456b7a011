import { getBytes, hexlify, ZeroHash } from 'ethers';
import type { CommunityInfo } from '../community/types.js';
import { decodeReading, sameReadingValues } from '../reading/encoding.js';
import type { MeterKeyRing } from '../reading/meterKeys.js';
import type { SignedReading } from '../reading/signature.js';
import {
  ABSENT_LEAF,
  commitSlots,
  firstMeterOf,
  lastMeterOf,
  marketSchedule,
  meterLeaf,
  meterOpening,
  rawReadingLeaf,
  previousState,
  readingsTree,
  type MeterLayout,
  type MeterLeafOpening,
  type ReadingsTree,
} from '../window/commitment.js';
import {
  badEntryProof,
  badEntryProofOf,
  badFinalStateProof,
  badStepProof,
  badStepProofOf,
  claimedEntries,
  claimedTree,
  DisputeKind,
  EnergyFault,
  energyAccumulationProof,
  energyProofOf,
  energyTotalProof,
  forgedReadingProof,
  NO_INTERVAL,
  noOpening,
  readingMismatchProof,
  readingMismatchProofOf,
  slotProofOf,
  stateEntryProofOf,
  type ClaimedWindow,
  type EntryOpening,
  type IntervalLeafProof,
} from '../window/disputeProof.js';
import { type Energy, packEnergy, sameEnergy, unpackEnergy, ZERO_ENERGY } from '../window/energy.js';
import { EntryFault, faultyEntries, judgeEntry, ZERO_ENTRY } from '../window/entries.js';
import { MarketError } from '../window/errors.js';
import { computeMerkleRoot } from '../window/merkle.js';
import { meterRegistryOf } from '../window/meters.js';
import { marketAt } from '../window/fold.js';
import { marketStepOfEnergy } from '../window/market.js';
import { limitsInForce } from '../window/limits.js';
import {
  emptyState,
  MarketKind,
  PACKED_STATE_STRIDE,
  stateLeaf,
  tryStateHash,
  unpackState,
  type LimitPrices,
  type ParticipantState,
} from '../window/state.js';

export { DisputeKind, type ClaimedWindow };

export interface Proof {
  kind: DisputeKind;
  /** abi.encode(<proof struct>) as `Hub.dispute` takes it. */
  data: string;
  /** What it proves, for logs and the CLI. */
  summary: string;
}

/**
 * A claimant's served window (slots and states) with the commitment they make: it must reproduce the root on
 * chain. `layout` must carry the community's `paramsAt` (`commitLayout`) for the entries roots. Throws where
 * the served states have no encoding or no entries (such a window reproduces no root).
 */
export function claimFromServed(
  layout: MeterLayout,
  firstInterval: number,
  slots: (SignedReading | undefined)[][],
  states: ParticipantState[][],
): ClaimedWindow {
  const commitment = commitSlots(layout, firstInterval, slots, states);
  return { firstInterval, slots, states, commitment, layout };
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
 * check) < bad energy < bad step: for Totals and Mmr one participant's entry judged alone (bad entry, O(log N)),
 * for the auction F recomputed over every participant of one interval (bad step, O(N)).
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
  // The readings trees as committed: a running sum or an E_t entry that is not what the slots add up to.
  for (let i = 0; i < W; i++) {
    const found = energyFault(claim.layout, claimedTree(claim, i), claim.slots[i]);
    if (!found) continue;
    const t = claim.firstInterval + i;
    return found.fault === EnergyFault.Accumulation
      ? {
          kind: DisputeKind.BadEnergy,
          data: energyAccumulationProof(claim, i, found.index),
          summary: `running sum of meter ${found.index} at interval ${t} is not what its slots add up to`,
        }
      : {
          kind: DisputeKind.BadEnergy,
          data: energyTotalProof(claim, i, found.index),
          summary: `energy of participant ${found.index} at interval ${t} is not the sum of its meters`,
        };
  }
  // The limit prices in force for the claim's window (the verifier checks the proof's against their hash).
  const limits = limitsInForce(community, Math.floor(claim.firstInterval / Math.max(1, W)));
  for (let i = 0; i < W; i++) {
    const prev = i === 0 ? emptyState(community.participants.length) : claim.states[i - 1];
    const market = marketAt(community, claim.firstInterval + i);
    const energy = claimedTree(claim, i).energy;
    const next = stepOfEnergy(market, prev, energy, limits);
    // A next state without an encoding (a net past int128) is no committed state's: fraud, as on chain.
    if (next && tryStateHash(next) === claim.commitment.intervals[i].stateHash) continue;
    const faulty = market.kind === MarketKind.Auction ? undefined : faultyEntry(claim, i);
    if (faulty)
      return {
        kind: DisputeKind.BadEntry,
        data: badEntryProof(claim, i, faulty.participant, community.tariff),
        summary: `step of participant ${faulty.participant} at interval ${claim.firstInterval + i} is not F's (${EntryFault[faulty.fault]})`,
      };
    return {
      kind: DisputeKind.BadStep,
      data: badStepProof(claim, i, limits, community.tariff),
      summary: `state of interval ${claim.firstInterval + i} is not F of the previous state and E_t`,
    };
  }
  return undefined;
}

/**
 * The first participant whose committed step entry at `position` fails `judgeEntry` (`faultyEntries` on
 * `claimedEntries`, S_{t−1} the claimed state before), with its fault: what a BadEntry proof names. Undefined
 * when every entry is F's or no faulty entry's judgement goes through (each throws: a uint64 field past its
 * range, where F and the verifier's judge revert too; `faultyEntries` skips those), or when the entries cannot
 * be built: the caller keeps the bad step, as before BadEntry.
 */
export function faultyEntry(
  claim: ClaimedWindow,
  position: number,
): { participant: number; fault: EntryFault } | undefined {
  try {
    return faultyEntries(
      marketSchedule(claim.layout)(claim.firstInterval + position),
      previousState(claim.layout, claim.states, position),
      claimedEntries(claim, position),
    )[0];
  } catch (e) {
    if (e instanceof MarketError) return undefined;
    throw e;
  }
}

/** F(S_{t−1}, E_t), or undefined when F reverts on these inputs (then the step is wrong by itself). */
function stepOfEnergy(
  market: ReturnType<typeof marketAt>,
  prev: readonly ParticipantState[],
  energy: readonly Energy[],
  limits: readonly LimitPrices[] | undefined,
): ParticipantState[] | undefined {
  try {
    return marketStepOfEnergy(
      market,
      prev,
      energy.map((e) => e.exportWh),
      energy.map((e) => e.importWh),
      limits,
    );
  } catch {
    return undefined;
  }
}

/**
 * The first fault of a committed readings tree against the slots it commits to: the leftmost meter whose
 * running sum is not its base plus its slot's energy (its predecessor's is right, so an Accumulation proof
 * at that meter holds), else the first participant whose E_t entry is not its last meter's running sum
 * (or not zero without a meter). Undefined for the canonical tree.
 */
export function energyFault(
  layout: MeterLayout,
  tree: ReadingsTree,
  slots: readonly (SignedReading | undefined)[],
): { fault: EnergyFault; index: number } | undefined {
  const honest = readingsTree(layout, slots);
  for (let k = 0; k < honest.acc.length; k++)
    if (!sameEnergy(honest.acc[k], tree.acc[k])) return { fault: EnergyFault.Accumulation, index: k };
  for (let j = 0; j < layout.participants; j++)
    if (!tree.energy[j] || !sameEnergy(honest.energy[j], tree.energy[j])) return { fault: EnergyFault.Total, index: j };
  return undefined;
}

/** A slot as raw bytes (hex), both empty = absent, as committed (a claimant may commit bytes that are no reading). */
export interface PublishedSlot {
  encoded: string;
  signature: string;
}

const isAbsent = (x: PublishedSlot): boolean => getBytes(x.encoded).length === 0 && getBytes(x.signature).length === 0;

/** WindowCommitment.slotLeaf of raw slot bytes. */
export function rawSlotLeaf(x: PublishedSlot): string {
  return isAbsent(x) ? ABSENT_LEAF : rawReadingLeaf(getBytes(x.encoded), getBytes(x.signature));
}

/**
 * The data a data-availability game opened for one step (review R1): the interval leaf t with its
 * path under the claim's windowRoot (the children revealed on the way down), and what the claimant
 * side published for it in calldata — leaf t-1 with its path, E_t packed, and S_{t-1} packed (the auction;
 * empty for Totals and Mmr, whose step is judged at the entries level).
 */
export interface OpenedStep {
  leaf: IntervalLeafProof;
  previous: IntervalLeafProof;
  prevState: string;
  energy: string;
}

type Community = Pick<
  CommunityInfo,
  'participants' | 'meters' | 'market' | 'limits' | 'chainId' | 'hub' | 'communityId'
> &
  Partial<Pick<CommunityInfo, 'tariff' | 'start' | 'intervalSeconds' | 'windowIntervals' | 'limitBook'>>;

/**
 * A fraud proof against the step a game opened and published, from that data alone, or from our own readings
 * tree of interval t when it has the claim's readingsRoot: for the auction a state that is not F of the
 * published S_{t−1} and E_t (bad step), else an E_t entry that is not the running sum of the participant's
 * last meter in our tree — the claim's tree too, as the roots agree — or not zero for a participant without
 * meters (bad energy, Total). Totals and Mmr publish no S_{t−1} (entriesRoot ≠ 0): their step is judged at the
 * entries level (`proofFromOpenedEntry`). Undefined when nothing shows: the fault, if any, is in the entries
 * or below the readingsRoot (the game goes on).
 */
export function proofFromOpenedStep(
  community: Community,
  opened: OpenedStep,
  /** Our readings tree of interval t, when we hold the interval. */
  ownTree?: ReadingsTree,
): Proof | undefined {
  const { leaf } = opened;
  const t = leaf.interval;
  const n = community.participants.length;
  const packedState = getBytes(opened.prevState);
  const packedEnergy = getBytes(opened.energy);
  const first = leaf.position === 0;
  // The limit prices in force for the window of interval t (t = w·W + position).
  const limits = limitsInForce(community, community.windowIntervals ? Math.floor(t / community.windowIntervals) : 0);
  // S_{t−1} is published for the auction only (no entries root).
  const published = leaf.entriesRoot === ZeroHash;
  // A committed S_{t-1} or E_t of another length is wrong by itself (the verifier's BadStep says so).
  const prev = first ? emptyState(n) : unpackState(packedState, Math.floor(packedState.length / PACKED_STATE_STRIDE));
  const wellFormed = (!published || prev.length === n) && packedEnergy.length === 16 * n;
  const energy = wellFormed ? unpackEnergy(packedEnergy) : [];
  const badStep = (summary: string): Proof => ({
    kind: DisputeKind.BadStep,
    data: badStepProofOf(
      first ? NO_INTERVAL : opened.previous,
      // The published bytes as they are (the game checked them: whole participants, hashing to leaf t−1's).
      first ? '0x' : opened.prevState,
      leaf,
      opened.energy,
      limits,
      community.tariff,
    ),
    summary,
  });
  // (An E_t of another length with an entries root: the module refused its publication.)
  if (!wellFormed)
    return published
      ? badStep(`published S_{t-1} or E_t of interval ${t} is not one entry per participant`)
      : undefined;
  if (published) {
    const next = stepOfEnergy(marketAt(community, t), prev, energy, limits);
    // F reverting on a well-formed S_{t−1} puts the fault in the step before: not provable from this one.
    if (!next) return undefined;
    if (tryStateHash(next) !== leaf.stateHash)
      return badStep(`state of interval ${t} is not F of the published S_{t-1} and E_t`);
  }
  // A participant without a meter has E_t = 0 whatever the readings tree holds: provable with no opening
  // (review 5, M1: before, only when our readingsRoot was the claim's, which junk padding prevents).
  // One with meters needs its last meter's leaf: from our tree when it is the claim's, else from the game's
  // meter level, which goes down to it (`energyTarget`).
  const sameTree = ownTree !== undefined && ownTree.root.toLowerCase() === leaf.readingsRoot.toLowerCase();
  const owners = community.meters.map((m) => m.owner);
  for (let j = 0; j < n; j++) {
    const last = lastMeterOf(owners, j);
    if (last !== undefined && !sameTree) continue;
    const expected = last === undefined ? ZERO_ENERGY : ownTree!.acc[last];
    if (sameEnergy(expected, energy[j])) continue;
    return {
      kind: DisputeKind.BadEnergy,
      data: energyProofOf(
        {
          fault: EnergyFault.Total,
          leaf,
          current: last === undefined ? noOpening(firstMeterOf(owners, j)) : meterOpening(ownTree!, last),
          participant: j,
          energy: opened.energy,
        },
        meterRegistryOf(community.meters),
      ),
      summary: `published energy of participant ${j} at interval ${t} is not the sum of its meters`,
    };
  }
  return undefined;
}

/**
 * The meter the challenger must go down to at the meter level of a game (review 5, M1): the last meter of the
 * first participant whose published E_t entry is not the sum of its meters in our own readings tree of the
 * interval. Its opening proves BadEnergy Total whatever else the claimant's tree holds (junk in its padding
 * changes its root, so our own openings do not verify, and the leftmost difference may lie in the padding,
 * where no pick goes). Undefined when the published E_t agrees with ours, is malformed (BadStep's case), or
 * we hold no tree: the leftmost differing meter leaf is then the target (`pickFrom`).
 */
export function energyTarget(
  community: Community,
  publishedEnergy: string | undefined,
  ownTree: ReadingsTree | undefined,
): number | undefined {
  if (!publishedEnergy || !ownTree) return undefined;
  const packed = getBytes(publishedEnergy);
  if (packed.length !== 16 * community.participants.length) return undefined;
  const energy = unpackEnergy(packed);
  const owners = community.meters.map((m) => m.owner);
  for (let j = 0; j < energy.length; j++) {
    const last = lastMeterOf(owners, j);
    if (last !== undefined && !sameEnergy(ownTree.acc[last], energy[j])) return last;
  }
  return undefined;
}

/**
 * What a game's `OpenEntry` showed of participant j's step at interval t (Totals, Mmr): leaf t with its path,
 * from the publication leaf t−1 (t > 0), E_t packed and entry N−1 (T), and from the entries level entry j with
 * its path under the leaf's entries root (the entries children revealed on the way down), entry j−1 (j > 0)
 * and leaf t−1's entry j (t > 0) from the `OpenEntry` calldata, and the state tree's leaf j with its path under
 * the leaf's stateHash (the state children revealed on the way down: no preimage needed).
 */
export interface OpenedEntry {
  leaf: IntervalLeafProof;
  previous: IntervalLeafProof;
  energy: string;
  last: EntryOpening;
  participant: number;
  entry: EntryOpening;
  before: EntryOpening;
  previousEntry: EntryOpening;
  stateLeaf: string;
  statePath: string[];
}

/**
 * The cheapest fraud proof at an opened step entry j, from the game's data (and our own readings tree of
 * interval t when it has the claim's readingsRoot), cheapest first: E_t[j] as entry j holds it that is not
 * zero for a participant without meters, or not our tree's running sum of j's last meter (bad energy, Entry);
 * the state tree's leaf j that is not entry j's state (StateEntry); entry j that `judgeEntry` faults after
 * entry j−1, from S_{t−1}[j] = leaf t−1's entry j's state (zeros at the window's first interval) under the
 * totals of entry N−1 (BadEntry). Undefined when none shows (or the judgement throws, where the verifier's
 * reverts): an energy fault is then proven at j's last meter (`entryEnergyTarget`), a reading's at the meter
 * level.
 */
export function proofFromOpenedEntry(
  community: Community,
  opened: OpenedEntry,
  /** Our readings tree of interval t, when we hold the interval. */
  ownTree?: ReadingsTree,
): Proof | undefined {
  const { leaf, participant: j, entry } = opened;
  const t = leaf.interval;
  const n = community.participants.length;
  const owners = community.meters.map((m) => m.owner);
  const last = lastMeterOf(owners, j);
  const sameTree = ownTree !== undefined && ownTree.root.toLowerCase() === leaf.readingsRoot.toLowerCase();
  if (last === undefined || sameTree) {
    const expected = last === undefined ? ZERO_ENERGY : ownTree!.acc[last];
    if (!sameEnergy(expected, entry.entry.energy))
      return {
        kind: DisputeKind.BadEnergy,
        data: energyProofOf(
          {
            fault: EnergyFault.Entry,
            leaf,
            current: last === undefined ? noOpening(firstMeterOf(owners, j)) : meterOpening(ownTree!, last),
            participant: j,
            entry,
          },
          meterRegistryOf(community.meters),
        ),
        summary: `energy of participant ${j} in its step entry at interval ${t} is not the sum of its meters`,
      };
  }
  if (!sameStateLeaf(entry.entry.state, opened.stateLeaf))
    return {
      kind: DisputeKind.StateEntry,
      data: stateEntryProofOf({
        participant: j,
        leaf,
        entry,
        stateLeaf: opened.stateLeaf,
        statePath: opened.statePath,
      }),
      summary: `state leaf of participant ${j} at interval ${t} is not the state of its step entry`,
    };
  const later = leaf.position > 0;
  let fault: EntryFault;
  try {
    fault = judgeEntry(
      marketAt(community, t),
      n,
      later ? opened.previousEntry.entry.state : ZERO_ENTRY.state,
      j > 0 ? opened.before.entry : ZERO_ENTRY,
      entry.entry,
      j + 1 < n ? opened.last.entry : entry.entry,
    );
  } catch (e) {
    if (e instanceof MarketError) return undefined;
    throw e;
  }
  if (fault === EntryFault.None) return undefined;
  return {
    kind: DisputeKind.BadEntry,
    data: badEntryProofOf({
      participant: j,
      previous: later ? opened.previous : undefined,
      previousEntry: later ? opened.previousEntry : undefined,
      current: leaf,
      before: j > 0 ? opened.before : undefined,
      entry,
      last: j + 1 < n ? opened.last : undefined,
      tariff: community.tariff,
    }),
    summary: `step of participant ${j} at interval ${t} is not F's (${EntryFault[fault]})`,
  };
}

/** Whether `leaf` is the state tree's leaf of `state` as the verifier hashes an entry's state (any net in 16 bytes). */
function sameStateLeaf(state: ParticipantState, leaf: string): boolean {
  try {
    return stateLeaf(state, { minNet: true }).toLowerCase() === leaf.toLowerCase();
  } catch (e) {
    // No 16 bytes hold its net: no entry leaf does either, and the game opened none.
    if (e instanceof MarketError) return true;
    throw e;
  }
}

/**
 * The meter the challenger must go down to at the meter level once entry j is open (the entries level's
 * energy fault): participant j's last meter when entry j's energy is not the published E_t[j] — one of the two
 * is not that meter's running sum, and its opening proves it (bad energy, Entry or Total). Undefined when they
 * agree, or j has no meter (then `proofFromOpenedEntry` and `proofFromOpenedStep` prove it without one).
 */
export function entryEnergyTarget(
  community: Community,
  opened: Pick<OpenedEntry, 'participant' | 'entry' | 'energy'>,
): number | undefined {
  const last = lastMeterOf(
    community.meters.map((m) => m.owner),
    opened.participant,
  );
  const packed = getBytes(opened.energy);
  if (last === undefined || packed.length !== 16 * community.participants.length) return undefined;
  return sameEnergy(unpackEnergy(packed)[opened.participant], opened.entry.entry.energy) ? undefined : last;
}

/**
 * What a game's `OpenMeter` showed of meter k at interval t: the interval leaf (with its path), the meter
 * leaf's preimage (slot bytes and running sums) with its sibling path under the readingsRoot (the children
 * revealed on the way down the meter level), meter k−1's opening (k > 0), and E_t as published.
 */
export interface OpenedMeter {
  leaf: IntervalLeafProof;
  meter: number;
  slot: PublishedSlot;
  acc: Energy;
  path: string[];
  previous?: MeterLeafOpening;
  /** E_t packed, from the game's `Publish`. */
  energy?: string;
  /** Entry j with its path under the leaf's entries root, from the game's `OpenEntry` (Totals, Mmr). */
  entry?: { participant: number; opening: EntryOpening };
}

/**
 * The cheapest fraud proof at an opened meter leaf, from the game's data and our own reading of that slot:
 * a committed slot that is not a valid reading of its meter and interval (forged reading), our reading the
 * claim leaves out (reading mismatch, when the omission rule lets us raise it), a running sum that is not its
 * base plus the slot's energy (bad energy, Accumulation), when it is the owner's last meter the owner's energy
 * that is not its running sum, as the opened step entry holds it (bad energy, Entry) or as the published E_t
 * does (Total). Undefined when the meter leaf is right as far as we see.
 */
export function proofFromOpenedMeter(
  community: Community,
  keys: MeterKeyRing,
  opened: OpenedMeter,
  /** Our reading of the slot (equivocated: voided, undefined). */
  mine: SignedReading | undefined,
  omission?: { signers: bigint; disputer?: number },
): Proof | undefined {
  const { leaf, meter: k, slot } = opened;
  const t = leaf.interval;
  const opening: MeterLeafOpening = {
    meterIndex: k,
    slotLeaf: rawSlotLeaf(slot),
    accExportWh: opened.acc.exportWh,
    accImportWh: opened.acc.importWh,
    path: opened.path,
  };
  // The opening must be under the leaf's readingsRoot (the game checked it; a caller's mistake otherwise).
  if (
    computeMerkleRoot(meterLeaf(opening.slotLeaf, opened.acc), k, opened.path).toLowerCase() !==
    leaf.readingsRoot.toLowerCase()
  )
    return undefined;
  let committed: SignedReading | undefined;
  if (!isAbsent(slot)) {
    try {
      const reading = decodeReading(getBytes(slot.encoded));
      const s = { reading, signature: getBytes(slot.signature) };
      const bound =
        reading.meterIndex === k &&
        reading.interval === t &&
        reading.chainId === community.chainId &&
        reading.communityId === community.communityId &&
        reading.hub.toLowerCase() === community.hub.toLowerCase();
      if (bound && keys.verify(s)) committed = s;
    } catch {
      // Not a reading at all: forged.
    }
    if (!committed)
      return {
        kind: DisputeKind.ForgedReading,
        data: slotProofOf(DisputeKind.ForgedReading, leaf, slot, opening, meterRegistryOf(community.meters)),
        summary: `committed reading of meter ${k} at interval ${t} is not validly signed for that slot`,
      };
  }
  if (
    mine &&
    !committed &&
    (!omission || mayRaiseOmission(community.meters[k].owner, omission.signers, omission.disputer))
  )
    return {
      kind: DisputeKind.ReadingMismatch,
      data: readingMismatchProofOf(mine, leaf, slot, opening, meterRegistryOf(community.meters)),
      summary: `signed reading of meter ${k} at interval ${t} is missing from the commitment`,
    };
  const owners = community.meters.map((m) => m.owner);
  const sameOwner = k > 0 && owners[k - 1] === owners[k];
  if (!sameOwner || opened.previous) {
    const base: Energy =
      sameOwner && opened.previous
        ? { exportWh: opened.previous.accExportWh, importWh: opened.previous.accImportWh }
        : ZERO_ENERGY;
    const e: Energy = committed
      ? { exportWh: BigInt(committed.reading.exportWh), importWh: BigInt(committed.reading.importWh) }
      : ZERO_ENERGY;
    if (!sameEnergy(opened.acc, { exportWh: base.exportWh + e.exportWh, importWh: base.importWh + e.importWh }))
      return {
        kind: DisputeKind.BadEnergy,
        data: energyProofOf(
          {
            fault: EnergyFault.Accumulation,
            leaf,
            slot,
            current: opening,
            previous: k > 0 ? opened.previous : undefined,
          },
          meterRegistryOf(community.meters),
        ),
        summary: `running sum of meter ${k} at interval ${t} is not its base plus its reading`,
      };
  }
  const owner = owners[k];
  if (lastMeterOf(owners, owner) !== k) return undefined;
  const entry = opened.entry;
  if (entry?.participant === owner && !sameEnergy(entry.opening.entry.energy, opened.acc))
    return {
      kind: DisputeKind.BadEnergy,
      data: energyProofOf(
        { fault: EnergyFault.Entry, leaf, current: opening, participant: owner, entry: entry.opening },
        meterRegistryOf(community.meters),
      ),
      summary: `energy of participant ${owner} in its step entry at interval ${t} is not the sum of its meters`,
    };
  if (opened.energy) {
    const packed = getBytes(opened.energy);
    if (packed.length === 16 * community.participants.length) {
      const energy = unpackEnergy(packed);
      if (!sameEnergy(energy[owner], opened.acc))
        return {
          kind: DisputeKind.BadEnergy,
          data: energyProofOf(
            {
              fault: EnergyFault.Total,
              leaf,
              current: opening,
              participant: owner,
              energy: hexlify(packed),
            },
            meterRegistryOf(community.meters),
          ),
          summary: `energy of participant ${owner} at interval ${t} is not the sum of its meters`,
        };
    }
  }
  return undefined;
}

/** Our E_t packed (hex) of a readings tree. */
export const packedEnergyOf = (tree: ReadingsTree): string => hexlify(packEnergy(tree.energy));
