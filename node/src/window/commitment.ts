import { concat, keccak256, toBeHex, zeroPadValue } from 'ethers';
import { encodeReading } from '../reading/encoding.js';
import type { SignedReading } from '../reading/signature.js';
import { DiversityError } from '../util/errors.js';
import { type Energy, energyHash, packEnergy, ZERO_ENERGY } from './energy.js';
import { intervalEntriesRoot } from './entries.js';
import { buildLevels, merkleProof } from './merkle.js';
import { type MeterRecord, type MeterRegistry, meterRegistryOf } from './meters.js';
import { emptyState, type MarketParams, type ParticipantState, stateHash } from './state.js';

/**
 * The window commitment of DESIGN.md §4 (twin of `contracts/src/libraries/WindowCommitment.sol`).
 * Every preimage starts with its own domain byte and every variable-length field is length-prefixed,
 * so two different inputs never give the same leaf:
 *
 * - readingLeaf = keccak256(0x00 || uint32 len(encoding) || encoding || uint32 len(signature) || signature);
 * - inner node = keccak256(0x01 || left || right) (merkle.ts);
 * - intervalLeaf_t = keccak256(0x02 || uint32 t || readingsRoot_t || energyHash_t || stateHash_t || entriesRoot_t),
 *   t absolute;
 * - ABSENT_LEAF = keccak256(0x03), a meter slot with no reading; slotLeaf = ABSENT_LEAF or readingLeaf;
 * - meterLeaf_k = keccak256(0x04 || slotLeaf_k || uint64 accExportWh_k || uint64 accImportWh_k), where
 *   acc_k = (acc_{k-1} when meter k-1 has meter k's owner, else 0) + energy(slot_k): the running sums of
 *   the owner's meters up to k (meters are grouped by owner, so each owner's meters are one range);
 * - readingsRoot_t = Merkle root over the M meter leaves of interval t, leaf = meter index;
 * - energyHash_t = keccak256(packed E_t) (energy.ts), E_t[j] = acc of participant j's last meter, or 0;
 * - entriesRoot_t = the root of the step's participant entries (`intervalEntriesRoot`, entries.ts: the claimed
 *   S_t[j], E_t[j] and F's running sums; zero for the auction), from the layout's `paramsAt`;
 * - windowRoot = Merkle root over intervalLeaf for the W intervals of the window, in order.
 */
export const ABSENT_LEAF = keccak256('0x03');

const uint32 = (n: number): string => zeroPadValue(toBeHex(n), 4);
const uint64 = (n: bigint): string => zeroPadValue(toBeHex(n), 8);

/** Leaf of raw slot bytes (also for slots that are not well-formed readings, as a claimant may commit). */
export function rawReadingLeaf(encoded: Uint8Array, signature: Uint8Array): string {
  return keccak256(concat(['0x00', uint32(encoded.length), encoded, uint32(signature.length), signature]));
}

export function readingLeaf(signed: SignedReading): string {
  return rawReadingLeaf(encodeReading(signed.reading), signed.signature);
}

export function slotLeaf(signed: SignedReading | undefined): string {
  return signed ? readingLeaf(signed) : ABSENT_LEAF;
}

/** Energy of a slot: the reading's (exportWh, importWh), (0, 0) when absent. */
export function slotEnergy(signed: SignedReading | undefined): Energy {
  return signed
    ? { exportWh: BigInt(signed.reading.exportWh), importWh: BigInt(signed.reading.importWh) }
    : ZERO_ENERGY;
}

/** meterLeaf = keccak256(0x04 ‖ slotLeaf ‖ uint64 accExportWh ‖ uint64 accImportWh) (49 bytes). */
export function meterLeaf(slotLeafHash: string, acc: Energy): string {
  return keccak256(concat(['0x04', slotLeafHash, uint64(acc.exportWh), uint64(acc.importWh)]));
}

/**
 * Who owns which meter: `owners[k]` is the participant index of meter k, non-decreasing (meters grouped by
 * owner, as `Hub.open` requires), `participants` the community's participant count N.
 */
export interface MeterLayout {
  owners: readonly number[];
  participants: number;
  /** The community's meter registry (records and their openings under `meterRoot`): what proofs carry. */
  registry?: MeterRegistry;
  /**
   * The market parameters in force for an absolute interval (`commitLayout` in fold.ts sets `marketAt`):
   * what the entries roots are computed with; committing slots needs it (`windowEntriesRoots`).
   */
  paramsAt?: (interval: number) => MarketParams;
}

export enum MeterLayoutErrorCode {
  /** Twin of `Hub.MetersNotGroupedByOwner(index)`: meter `index`'s owner is below its predecessor's. */
  NOT_GROUPED = 'METERS_NOT_GROUPED_BY_OWNER',
  OWNER_OUT_OF_RANGE = 'METER_OWNER_OUT_OF_RANGE',
}

export class MeterLayoutError extends DiversityError<
  | { code: MeterLayoutErrorCode.NOT_GROUPED; index: number; owner: number; previousOwner: number }
  | { code: MeterLayoutErrorCode.OWNER_OUT_OF_RANGE; index: number; owner: number; participants: number }
> {}

/**
 * Throws MeterLayoutError when the meter list is not grouped by owner (owners non-decreasing: all meters of
 * participant 0, then of 1, …) or names an owner that is no participant. Every meter list the node, the
 * devnet and the simulator build goes through here before it is opened or committed to.
 */
export function checkMeterLayout(layout: MeterLayout): void {
  const { owners, participants } = layout;
  for (let k = 0; k < owners.length; k++) {
    const owner = owners[k];
    if (!Number.isInteger(owner) || owner < 0 || owner >= participants)
      throw new MeterLayoutError(
        { code: MeterLayoutErrorCode.OWNER_OUT_OF_RANGE, index: k, owner, participants },
        `meter ${k} is owned by participant ${owner}, but the community has ${participants} participants`,
      );
    if (k > 0 && owner < owners[k - 1])
      throw new MeterLayoutError(
        { code: MeterLayoutErrorCode.NOT_GROUPED, index: k, owner, previousOwner: owners[k - 1] },
        `meters are not grouped by owner: meter ${k} (owner ${owner}) follows a meter of owner ${owners[k - 1]}; list all meters of participant 0, then of 1, …`,
      );
  }
}

/** The layout of a community (its meters' owners and its participant count), checked. */
export function meterLayout(community: {
  participants: readonly unknown[];
  meters: readonly MeterRecord[];
}): MeterLayout {
  const layout = {
    owners: community.meters.map((m) => m.owner),
    participants: community.participants.length,
    registry: meterRegistryOf(community.meters),
  };
  checkMeterLayout(layout);
  return layout;
}

/** Where participant j's meters start: the first k with owners[k] ≥ j (M when none). */
export function firstMeterOf(owners: readonly number[], participant: number): number {
  let k = 0;
  while (k < owners.length && owners[k] < participant) k++;
  return k;
}

/** Participant j's last meter (owner(k) == j and k+1 == M or owner(k+1) ≠ j), or undefined when j has none. */
export function lastMeterOf(owners: readonly number[], participant: number): number | undefined {
  let last: number | undefined;
  for (let k = 0; k < owners.length && owners[k] <= participant; k++) if (owners[k] === participant) last = k;
  return last;
}

/** The readings tree of one interval: its meter leaves (with the running sums), levels, root and E_t. */
export interface ReadingsTree {
  slotLeaves: string[];
  /** acc_k per meter. */
  acc: Energy[];
  meterLeaves: string[];
  /** Levels over the meter leaves (zero padded to 2^depth(M)), leaves first. */
  levels: string[][];
  root: string;
  /** E_t, one entry per participant. */
  energy: Energy[];
  /** keccak256(packed E_t). */
  energyHash: string;
}

/** The readings tree from the slots' leaves and energies (slot k = meter k). */
export function readingsTreeOf(
  layout: MeterLayout,
  slotLeaves: readonly string[],
  energies: readonly Energy[],
): ReadingsTree {
  checkMeterLayout(layout);
  const { owners, participants } = layout;
  if (slotLeaves.length !== owners.length || energies.length !== owners.length)
    throw new RangeError(`${slotLeaves.length} slots for ${owners.length} meters`);
  const acc: Energy[] = [];
  const energy: Energy[] = Array.from({ length: participants }, () => ZERO_ENERGY);
  for (let k = 0; k < owners.length; k++) {
    const base = k > 0 && owners[k - 1] === owners[k] ? acc[k - 1] : ZERO_ENERGY;
    acc.push({ exportWh: base.exportWh + energies[k].exportWh, importWh: base.importWh + energies[k].importWh });
    // The last meter of an owner leaves the owner's total; earlier ones are overwritten.
    energy[owners[k]] = acc[k];
  }
  return readingsTreeFrom(slotLeaves, acc, energy);
}

/**
 * A readings tree from its parts as given, running sums and E_t included, without deriving them: the tree
 * a claimant committed, right or wrong (tests and byzantine modes build wrong ones with it).
 */
export function readingsTreeFrom(
  slotLeaves: readonly string[],
  acc: readonly Energy[],
  energy: readonly Energy[],
): ReadingsTree {
  const meterLeaves = slotLeaves.map((s, k) => meterLeaf(s, acc[k]));
  const levels = buildLevels(meterLeaves);
  return {
    slotLeaves: [...slotLeaves],
    acc: [...acc],
    meterLeaves,
    levels,
    root: levels[levels.length - 1][0],
    energy: [...energy],
    energyHash: energyHash(packEnergy(energy)),
  };
}

/** The readings tree of an interval's slots (slot k = meter k, undefined = absent). */
export function readingsTree(layout: MeterLayout, slots: readonly (SignedReading | undefined)[]): ReadingsTree {
  return readingsTreeOf(layout, slots.map(slotLeaf), slots.map(slotEnergy));
}

/** One opened meter leaf (`MeterLeafOpening`, contracts/src/types/Dispute.sol). */
export interface MeterLeafOpening {
  meterIndex: number;
  slotLeaf: string;
  accExportWh: bigint;
  accImportWh: bigint;
  /** Siblings bottom-up, depth(M) long. */
  path: string[];
}

/** The opening of meter k's leaf in `tree`. */
export function meterOpening(tree: ReadingsTree, meter: number): MeterLeafOpening {
  return {
    meterIndex: meter,
    slotLeaf: tree.slotLeaves[meter],
    accExportWh: tree.acc[meter].exportWh,
    accImportWh: tree.acc[meter].importWh,
    path: merkleProof(tree.levels, meter),
  };
}

export function intervalLeaf(
  interval: number,
  readingsRootHash: string,
  energyHashHex: string,
  stateHashHex: string,
  entriesRootHex: string,
): string {
  return keccak256(concat(['0x02', uint32(interval), readingsRootHash, energyHashHex, stateHashHex, entriesRootHex]));
}

/** What one interval leaf commits to. */
export interface IntervalPreimage {
  interval: number;
  readingsRoot: string;
  energyHash: string;
  stateHash: string;
  entriesRoot: string;
}

export interface IntervalCommitment extends IntervalPreimage {
  leaf: string;
}

export interface WindowCommitment {
  windowRoot: string;
  intervals: IntervalCommitment[];
  /** Tree levels over the interval leaves, kept to serve proofs. */
  levels: string[][];
}

export function commitWindow(intervals: readonly IntervalPreimage[]): WindowCommitment {
  const withLeaves = intervals.map((c) => ({
    interval: c.interval,
    readingsRoot: c.readingsRoot,
    energyHash: c.energyHash,
    stateHash: c.stateHash,
    entriesRoot: c.entriesRoot,
    leaf: intervalLeaf(c.interval, c.readingsRoot, c.energyHash, c.stateHash, c.entriesRoot),
  }));
  const levels = buildLevels(withLeaves.map((c) => c.leaf));
  return { windowRoot: levels[levels.length - 1][0], intervals: withLeaves, levels };
}

/**
 * The commitment to a window's slots (row t = interval firstInterval + t) and states S_1 … S_W (each interval's
 * state hash and entries root, `windowEntriesRoots`): the one place a node, a disputer and the vectors build a
 * window root from slots. Throws where a state has no packed encoding or the entries cannot be computed.
 */
export function commitSlots(
  layout: MeterLayout,
  firstInterval: number,
  slots: readonly (readonly (SignedReading | undefined)[])[],
  states: readonly (readonly ParticipantState[])[],
): WindowCommitment {
  const trees = slots.map((row) => readingsTree(layout, row));
  return commitTrees(
    firstInterval,
    trees,
    states.map((s) => stateHash(s)),
    windowEntriesRoots(
      layout,
      firstInterval,
      states,
      trees.map((t) => t.energy),
    ),
  );
}

/**
 * Each interval's entries root (`intervalEntriesRoot`) with the layout's `paramsAt`, S_{t−1} the state of
 * the interval before (zeros at the window's first). Throws when the layout carries no `paramsAt` (a layout
 * from `meterLayout` alone): a root computed without the market would silently differ from the claimant's.
 */
export function windowEntriesRoots(
  layout: Pick<MeterLayout, 'participants' | 'paramsAt'>,
  firstInterval: number,
  states: readonly (readonly ParticipantState[])[],
  energies: readonly (readonly Energy[])[],
): string[] {
  const paramsAt = marketSchedule(layout);
  return states.map((s, t) =>
    intervalEntriesRoot(paramsAt(firstInterval + t), previousState(layout, states, t), energies[t], s),
  );
}

/**
 * The layout's `paramsAt`: the market in force at an absolute interval, with which the entries roots are
 * computed (`windowEntriesRoots`) and a participant's step is judged (`badEntryProof`). Throws when the
 * layout carries none (a layout from `meterLayout` alone): a root computed without the market would silently
 * differ from the claimant's.
 */
export function marketSchedule(layout: Pick<MeterLayout, 'paramsAt'>): (interval: number) => MarketParams {
  const { paramsAt } = layout;
  if (!paramsAt)
    throw new Error('the meter layout carries no market (paramsAt): build it with commitLayout(community)');
  return paramsAt;
}

/** S_{t−1} of the window's row t: `states[t − 1]`, zeros at the window's first interval (S_0 = 0). */
export function previousState(
  layout: Pick<MeterLayout, 'participants'>,
  states: readonly (readonly ParticipantState[])[],
  t: number,
): readonly ParticipantState[] {
  return t === 0 ? emptyState(layout.participants) : states[t - 1];
}

/** The commitment to given readings trees (one per interval, in order), state hashes and entries roots. */
export function commitTrees(
  firstInterval: number,
  trees: readonly ReadingsTree[],
  stateHashes: readonly string[],
  entriesRoots: readonly string[],
): WindowCommitment {
  return commitWindow(
    trees.map((tree, t) => ({
      interval: firstInterval + t,
      readingsRoot: tree.root,
      energyHash: tree.energyHash,
      stateHash: stateHashes[t],
      entriesRoot: entriesRoots[t],
    })),
  );
}

export function intervalProof(commitment: WindowCommitment, position: number): string[] {
  return merkleProof(commitment.levels, position);
}
