import { AbiCoder, hexlify, keccak256 } from 'ethers';
import { encodeReading } from '../reading/encoding.js';
import type { SignedReading } from '../reading/signature.js';
import {
  firstMeterOf,
  lastMeterOf,
  marketSchedule,
  meterOpening,
  previousState,
  readingsTree,
  intervalProof as windowIntervalProof,
  type MeterLayout,
  type MeterLeafOpening,
  type ReadingsTree,
  type WindowCommitment,
} from './commitment.js';
import { packEnergy } from './energy.js';
import { entriesWithStates, entryLeaf, SIDE_FIELDS, STATE_FIELDS, type StepEntry, ZERO_ENTRY } from './entries.js';
import { buildLevels, merkleProof } from './merkle.js';
import { packLimits, packState, stateLevels, type LimitPrices, type ParticipantState } from './state.js';
import { encodeTariff, type Tariff } from './tariff.js';
import {
  METER_RECORD_OPENING,
  meterRecordTuple,
  NO_METER_RECORD,
  type MeterRecordOpening,
  type MeterRegistry,
} from './meters.js';

/**
 * Fraud proofs for `Hub.dispute(communityId, window, kind, proof)` (contracts/src/types/Dispute.sol):
 * `proof` is `abi.encode(<struct of kind>)`. Every proof is built from the *claimant's* window (its
 * slots, states and commitment, served by peers), not from ours: the hub checks it against the
 * claim's windowRoot.
 */
export enum DisputeKind {
  ReadingMismatch = 0,
  ForgedReading = 1,
  BadStep = 2,
  BadFinalState = 3,
  Equivocation = 4,
  VoidedSlot = 5,
  /** The claim's balances root is not the reaction of the previous final balances to its final state. */
  BadBalances = 6,
  /**
   * A committed running sum (meter leaf) or an entry of E_t (the packed E_t, or a participant's step entry) is
   * not what the slots add up to.
   */
  BadEnergy = 7,
  /** One participant's step entry is not F's (`judgeEntry`): judged from O(1) entries (Totals and Mmr only). */
  BadEntry = 8,
  /**
   * The state tree a leaf commits (its stateHash) holds, at one participant, a leaf other than the state of the
   * participant's step entry under the same leaf's entries root.
   */
  StateEntry = 9,
}

/** `EnergyProof.fault` (contracts/src/types/Dispute.sol). */
export enum EnergyFault {
  /** Meter k's running sum is not its base (meter k−1's, same owner) plus its slot's energy. */
  Accumulation = 0,
  /** E_t[j] is not the running sum of participant j's last meter (or zero when j has none). */
  Total = 1,
  /** Total's rule, with E_t[j] read from participant j's step entry (opened under the entries root). */
  Entry = 2,
}

/** What a claimant committed for one window: slots[t][m] (undefined = absent), S_1..S_W, the tree. */
export interface ClaimedWindow {
  firstInterval: number;
  slots: readonly (readonly (SignedReading | undefined)[])[];
  states: readonly (readonly ParticipantState[])[];
  commitment: WindowCommitment;
  /** The community's meter owners (grouped) and participant count: the readings trees' running sums. */
  layout: MeterLayout;
  /**
   * The readings tree of each interval as committed, when it is not the canonical one of `slots` (a claimant
   * that committed wrong running sums or a wrong E_t); absent = `readingsTree(layout, slots[t])`.
   */
  trees?: readonly ReadingsTree[];
  /**
   * The step entries of an interval as committed, when they are not those the commitment derives (a claimant
   * whose entries root holds a wrong entry); absent (or undefined at a position) = the derived ones
   * (`claimedEntries`).
   */
  entries?: readonly (readonly StepEntry[] | undefined)[];
}

/** The readings tree the claim committed for the interval at `position`. */
export function claimedTree(claim: ClaimedWindow, position: number): ReadingsTree {
  return claim.trees?.[position] ?? readingsTree(claim.layout, claim.slots[position]);
}

/**
 * The step entries the claim committed for the interval at `position`: as the commitment builds them
 * (`windowEntriesRoots`: `entriesWithStates` from the claimed S_{t−1}, zeros at the window's first interval,
 * the claimed tree's E_t and the claimed S_t, at the layout's market of the interval), unless the claim
 * carries its own. Throws where `entriesWithStates` does (the auction has none: UNSUPPORTED_KIND).
 */
export function claimedEntries(claim: ClaimedWindow, position: number): readonly StepEntry[] {
  return (
    claim.entries?.[position] ??
    entriesWithStates(
      marketSchedule(claim.layout)(claim.firstInterval + position),
      previousState(claim.layout, claim.states, position),
      claimedTree(claim, position).energy,
      claim.states[position],
    )
  );
}

const SIGNED = 'tuple(bytes encoded, bytes signature)';
/** `IntervalProof` (contracts/src/types/Dispute.sol): the one ABI of an opened interval leaf. */
export const INTERVAL_PROOF =
  'tuple(uint32 position, uint32 interval, bytes32 readingsRoot, bytes32 energyHash, bytes32 stateHash, bytes32 entriesRoot, bytes32[] proof)';
const INTERVAL = INTERVAL_PROOF;
/** `MeterLeafOpening` (contracts/src/types/Dispute.sol). */
export const METER_OPENING =
  'tuple(uint32 meterIndex, bytes32 slotLeaf, uint64 accExportWh, uint64 accImportWh, bytes32[] path)';
const OPENING = METER_OPENING;
const RECORD = METER_RECORD_OPENING;
const STATE =
  'tuple(uint64 exportWh, uint64 importWh, uint64 p2pSoldWh, uint64 p2pBoughtWh, uint64 gridSoldWh, uint64 gridBoughtWh, int256 net)';
const SIDE = 'tuple(uint256 weight, uint256 positive, uint256 floors, uint256 filled, uint256 valueFloors)';
/** `StepEntry` (contracts/src/libraries/StepEntries.sol): S_t[j], E_t[j] flat, both sides' running sums. */
export const STEP_ENTRY = `tuple(${STATE} state, uint64 exportWh, uint64 importWh, ${SIDE} sell, ${SIDE} buy)`;
/** `EntryOpening` (contracts/src/types/Dispute.sol): a step entry and its path under an entries root. */
export const ENTRY_OPENING = `tuple(${STEP_ENTRY} entry, bytes32[] path)`;
const ENTRY = ENTRY_OPENING;
const BALANCE = 'tuple(address participant, uint256 escrow, uint256 debt, uint256 claim)';

/** ABI types of the proof structs, in Dispute.sol order. */
export const DISPUTE_PROOF_TYPES: Record<DisputeKind, string> = {
  [DisputeKind.ReadingMismatch]: `tuple(${SIGNED} reading, ${INTERVAL} leaf, ${SIGNED} committed, ${OPENING} opening, ${RECORD} meter)`,
  [DisputeKind.ForgedReading]: `tuple(${INTERVAL} leaf, ${SIGNED} committed, ${OPENING} opening, ${RECORD} meter)`,
  [DisputeKind.BadStep]: `tuple(${INTERVAL} previous, bytes prevState, ${INTERVAL} current, bytes energy, bytes limits, bytes tariff)`,
  [DisputeKind.BadFinalState]: `tuple(${INTERVAL} last)`,
  [DisputeKind.Equivocation]: `tuple(${SIGNED} first, ${SIGNED} second, ${RECORD} meter)`,
  [DisputeKind.VoidedSlot]: `tuple(${INTERVAL} leaf, ${SIGNED} committed, ${OPENING} opening, ${RECORD} meter)`,
  [DisputeKind.BadBalances]: `tuple(${BALANCE}[] previous, uint256 previousTotalClaims, bytes finalState)`,
  [DisputeKind.BadEnergy]: `tuple(uint8 fault, ${INTERVAL} leaf, ${SIGNED} slot, ${OPENING} current, ${OPENING} previous, uint32 participant, bytes energy, ${RECORD} meter, ${RECORD} previousMeter, ${RECORD} nextMeter, ${ENTRY} entry)`,
  [DisputeKind.BadEntry]: `tuple(uint32 participant, ${INTERVAL} previous, ${ENTRY} previousEntry, ${INTERVAL} current, ${ENTRY} before, ${ENTRY} entry, ${ENTRY} last, bytes tariff)`,
  [DisputeKind.StateEntry]: `tuple(uint32 participant, ${INTERVAL} leaf, ${ENTRY} entry, bytes32 stateLeaf, bytes32[] statePath)`,
};

/** A slot as the proof structs (and the game's `Publish`) carry it: encoding and signature, or both empty. */
export const signedSlot = (s: SignedReading | undefined): { encoded: string; signature: string } =>
  s
    ? { encoded: hexlify(encodeReading(s.reading)), signature: hexlify(s.signature) }
    : { encoded: '0x', signature: '0x' };
const signed = signedSlot;

const ZERO = `0x${'00'.repeat(32)}`;

/** abi.encode(<proof struct of kind>) of `value` (its fields as DISPUTE_PROOF_TYPES names them). */
export function encodeProof(kind: DisputeKind, value: unknown): string {
  return encode(kind, value);
}

function encode(kind: DisputeKind, value: unknown): string {
  return AbiCoder.defaultAbiCoder().encode([DISPUTE_PROOF_TYPES[kind]], [value]);
}

/** IntervalProof of the claimed leaf at `position`. */
export function intervalLeafProof(claim: ClaimedWindow, position: number): IntervalLeafProof {
  const c = claim.commitment.intervals[position];
  return {
    position,
    interval: c.interval,
    readingsRoot: c.readingsRoot,
    energyHash: c.energyHash,
    stateHash: c.stateHash,
    entriesRoot: c.entriesRoot,
    proof: windowIntervalProof(claim.commitment, position),
  };
}

/** An IntervalProof with nothing in it: `StepProof.previous` at position 0 (not read). */
export const NO_INTERVAL: IntervalLeafProof = Object.freeze({
  position: 0,
  interval: 0,
  readingsRoot: ZERO,
  energyHash: ZERO,
  stateHash: ZERO,
  entriesRoot: ZERO,
  proof: [],
}) as IntervalLeafProof;

/** A MeterLeafOpening with nothing in it (`EnergyProof.previous` at meter 0, an unopened `current`). */
export const noOpening = (meterIndex = 0): MeterLeafOpening => ({
  meterIndex,
  slotLeaf: ZERO,
  accExportWh: 0n,
  accImportWh: 0n,
  path: [],
});

/** A MeterLeafOpening as the proof structs' tuple. */
export const openingTuple = (o: MeterLeafOpening) => [o.meterIndex, o.slotLeaf, o.accExportWh, o.accImportWh, o.path];

/** One step entry opened under its interval's entries root (`EntryOpening`, contracts/src/types/Dispute.sol). */
export interface EntryOpening {
  entry: StepEntry;
  /** Siblings bottom-up, exactly depth(N) of them (the canonical entries tree, merkle.ts). */
  path: string[];
}

/** An EntryOpening with nothing in it (the zero entry, no path): an opening the verifier does not read. */
export const NO_ENTRY_OPENING: EntryOpening = Object.freeze({ entry: ZERO_ENTRY, path: [] }) as EntryOpening;

/** Entry `index` of `entries` with its path in their canonical tree (`entriesRoot`'s). */
export function entryOpening(entries: readonly StepEntry[], index: number): EntryOpening {
  return { entry: entries[index], path: merkleProof(buildLevels(entries.map(entryLeaf)), index) };
}

/** A StepEntry as the `STEP_ENTRY` tuple (E_t[j] as two flat fields). */
export const stepEntryTuple = (e: StepEntry) => ({
  state: e.state,
  exportWh: e.energy.exportWh,
  importWh: e.energy.importWh,
  sell: e.sell,
  buy: e.buy,
});

/** An EntryOpening as the proof structs' (and the game's moves') tuple. */
export const entryOpeningTuple = ({ entry, path }: EntryOpening) => ({ entry: stepEntryTuple(entry), path });

/** A decoded `STEP_ENTRY` tuple (ethers' Result, or its plain fields) as a StepEntry: `stepEntryTuple`'s inverse. */
export function stepEntryOf(t: {
  state: Record<(typeof STATE_FIELDS)[number], bigint>;
  exportWh: bigint;
  importWh: bigint;
  sell: Record<(typeof SIDE_FIELDS)[number], bigint>;
  buy: Record<(typeof SIDE_FIELDS)[number], bigint>;
}): StepEntry {
  const side = (x: Record<(typeof SIDE_FIELDS)[number], bigint>) =>
    Object.fromEntries(SIDE_FIELDS.map((f) => [f, BigInt(x[f])])) as unknown as StepEntry['sell'];
  return {
    state: Object.fromEntries(STATE_FIELDS.map((f) => [f, BigInt(t.state[f])])) as unknown as ParticipantState,
    energy: { exportWh: BigInt(t.exportWh), importWh: BigInt(t.importWh) },
    sell: side(t.sell),
    buy: side(t.buy),
  };
}

/** A decoded `ENTRY_OPENING` tuple as an EntryOpening: `entryOpeningTuple`'s inverse. */
export const entryOpeningOf = (t: {
  entry: Parameters<typeof stepEntryOf>[0];
  path: readonly string[];
}): EntryOpening => ({
  entry: stepEntryOf(t.entry),
  path: [...t.path],
});

/** The meter registry of a claim's community (`meterLayout` builds it from the meter list). */
function registryOf(claim: ClaimedWindow): MeterRegistry {
  const registry = claim.layout.registry;
  if (!registry) throw new Error('the meter layout carries no meter registry: build it with meterLayout(community)');
  return registry;
}

/** Meter k's record opening, or the empty one past the last meter (the verifier refuses such an index first). */
function recordOf(registry: MeterRegistry, k: number): MeterRecordOpening {
  return k >= 0 && k < registry.meters.length ? registry.opening(k) : NO_METER_RECORD;
}

/** Kind 1: `reading` (validly signed, ours) vs the claimed slot (absent, or not a valid reading of it). */
export function readingMismatchProof(claim: ClaimedWindow, reading: SignedReading): string {
  const position = reading.reading.interval - claim.firstInterval;
  const m = reading.reading.meterIndex;
  return readingMismatchProofOf(
    reading,
    intervalLeafProof(claim, position),
    signed(claim.slots[position][m]),
    meterOpening(claimedTree(claim, position), m),
    registryOf(claim),
  );
}

/** Kind 1 from its parts (e.g. a meter leaf a game opened); the reading's meter record from `registry`. */
export function readingMismatchProofOf(
  reading: SignedReading,
  leaf: IntervalLeafProof,
  committed: { encoded: string; signature: string },
  opening: MeterLeafOpening,
  registry: MeterRegistry,
): string {
  return encode(DisputeKind.ReadingMismatch, {
    reading: signed(reading),
    leaf,
    committed,
    opening,
    meter: meterRecordTuple(recordOf(registry, reading.reading.meterIndex)),
  });
}

/** Kind 2: the claimed slot (position, meter) holds a reading that does not verify or is misbound. */
export function forgedReadingProof(claim: ClaimedWindow, position: number, meter: number): string {
  return slotProofOf(
    DisputeKind.ForgedReading,
    intervalLeafProof(claim, position),
    signed(claim.slots[position][meter]),
    meterOpening(claimedTree(claim, position), meter),
    registryOf(claim),
  );
}

/**
 * Kinds 2 and 5 (`ForgedReadingProof`, `VoidedSlotProof`) from their parts: the leaf, the slot, its opening,
 * and the meter's record from `registry`.
 */
export function slotProofOf(
  kind: DisputeKind.ForgedReading | DisputeKind.VoidedSlot,
  leaf: IntervalLeafProof,
  committed: { encoded: string; signature: string },
  opening: MeterLeafOpening,
  registry: MeterRegistry,
): string {
  return encode(kind, { leaf, committed, opening, meter: meterRecordTuple(recordOf(registry, opening.meterIndex)) });
}

/**
 * Kind 3: the claimed step at `position` (S_{t-1} from position - 1, or zeros at 0), judged from the
 * committed E_t (no slots: O(N), whatever M). `limits`: an auction community's standing limit prices (the
 * hub's module checks them against its limits hash); none for the other markets. `tariff`: a time-of-use
 * community's tariff (the hub's verifier checks it against the community's tariff hash and prices the
 * interval with it); none for flat prices. S_{t-1} and the limits travel packed (`packState`, `packLimits`:
 * 64 and 32 bytes per participant), so that the proof of a community of 1,000 fits the 128 KiB a client
 * relays (DESIGN.md §5). Throws VALUE_OUT_OF_RANGE when S_{t-1} has a field the packing cannot hold (no
 * honest state has: the step that first committed one is the one to prove).
 */
export function badStepProof(
  claim: ClaimedWindow,
  position: number,
  limits: readonly LimitPrices[] = [],
  tariff?: Tariff,
): string {
  return badStepProofOf(
    position > 0 ? intervalLeafProof(claim, position - 1) : NO_INTERVAL,
    position > 0 ? hexlify(packState(claim.states[position - 1])) : '0x',
    intervalLeafProof(claim, position),
    hexlify(packEnergy(claimedTree(claim, position).energy)),
    limits,
    tariff,
  );
}

/**
 * Kind 3 from its parts: leaf t−1 and S_{t−1} packed (`packState`; a game's published bytes as they are;
 * '0x' at position 0), leaf t and the packed E_t it commits to.
 */
export function badStepProofOf(
  previous: IntervalLeafProof,
  prevState: string,
  current: IntervalLeafProof,
  energy: string,
  limits: readonly LimitPrices[] = [],
  tariff?: Tariff,
): string {
  return encode(DisputeKind.BadStep, {
    previous,
    prevState,
    current,
    energy,
    limits: hexlify(packLimits(limits)),
    tariff: tariff ? encodeTariff(tariff) : '0x',
  });
}

/** `EnergyProof` fields (contracts/src/types/Dispute.sol). */
export interface EnergyProofParts {
  fault: EnergyFault;
  leaf: IntervalLeafProof;
  slot?: { encoded: string; signature: string };
  current: MeterLeafOpening;
  previous?: MeterLeafOpening;
  participant?: number;
  energy?: string;
  /** Fault Entry: entry `participant` under `leaf.entriesRoot` (read in place of `energy`). */
  entry?: EntryOpening;
}

/**
 * The meter records a BadEnergy proof carries (`EnergyProof.meter/previousMeter/nextMeter`), those the rule reads
 * and no others: Accumulation at k, meter k's and (k > 0) meter k−1's (whether both have one owner); Total for j
 * at k, when k is j's meter, meter k's and (k + 1 < M) meter k+1's (k is j's last), else meter k's (k < M) and
 * (k > 0) meter k−1's (k is where j's meters would start).
 */
function energyRecords(p: EnergyProofParts, registry: MeterRegistry) {
  const k = p.current.meterIndex;
  const count = registry.meters.length;
  const none = meterRecordTuple(NO_METER_RECORD);
  const at = (i: number, needed: boolean) => (needed ? meterRecordTuple(recordOf(registry, i)) : none);
  if (p.fault === EnergyFault.Accumulation) {
    return { meter: at(k, k > 0), previousMeter: at(k - 1, k > 0), nextMeter: none };
  }
  const own = k < count && registry.meters[k].owner === (p.participant ?? 0);
  return {
    meter: at(k, k < count),
    previousMeter: at(k - 1, !own && k > 0 && k <= count),
    nextMeter: at(k + 1, own && k + 1 < count),
  };
}

/** Kind 7 from its parts; the meter records the rule needs from `registry`. */
export function energyProofOf(p: EnergyProofParts, registry: MeterRegistry): string {
  return encode(DisputeKind.BadEnergy, {
    ...energyRecords(p, registry),
    fault: p.fault,
    leaf: p.leaf,
    slot: p.slot ?? { encoded: '0x', signature: '0x' },
    current: openingTuple(p.current),
    previous: openingTuple(p.previous ?? noOpening()),
    participant: p.participant ?? 0,
    energy: p.energy ?? '0x',
    entry: entryOpeningTuple(p.entry ?? NO_ENTRY_OPENING),
  });
}

/** Kind 7, Accumulation: meter `meter`'s committed running sum at `position` is not its base plus its slot. */
export function energyAccumulationProof(claim: ClaimedWindow, position: number, meter: number): string {
  const tree = claimedTree(claim, position);
  return energyProofOf(
    {
      fault: EnergyFault.Accumulation,
      leaf: intervalLeafProof(claim, position),
      slot: signed(claim.slots[position][meter]),
      current: meterOpening(tree, meter),
      previous: meter > 0 ? meterOpening(tree, meter - 1) : undefined,
    },
    registryOf(claim),
  );
}

/**
 * Kind 7, Total: E_t[participant] at `position` is not the running sum of the participant's last meter (or
 * not zero when it has none: then `current` names where its meters would start, unopened).
 */
export function energyTotalProof(claim: ClaimedWindow, position: number, participant: number): string {
  return participantEnergyProof(claim, position, participant, EnergyFault.Total);
}

/**
 * Kind 7, Entry: E_t[participant] as the participant's step entry at `position` holds it (`claimedEntries`)
 * is not the running sum of its last meter (or not zero when it has none), whatever the flat E_t holds.
 */
export function entryEnergyProof(claim: ClaimedWindow, position: number, participant: number): string {
  return participantEnergyProof(claim, position, participant, EnergyFault.Entry);
}

/**
 * Kind 7, Total or Entry: the participant's last meter opened (or where its meters would start, unopened), and
 * E_t[j] as `fault` reads it: the packed E_t (Total) or entry j under the leaf's entries root (Entry).
 */
function participantEnergyProof(
  claim: ClaimedWindow,
  position: number,
  participant: number,
  fault: EnergyFault.Total | EnergyFault.Entry,
): string {
  const tree = claimedTree(claim, position);
  const last = lastMeterOf(claim.layout.owners, participant);
  return energyProofOf(
    {
      fault,
      leaf: intervalLeafProof(claim, position),
      current:
        last === undefined ? noOpening(firstMeterOf(claim.layout.owners, participant)) : meterOpening(tree, last),
      participant,
      ...(fault === EnergyFault.Total
        ? { energy: hexlify(packEnergy(tree.energy)) }
        : { entry: entryOpening(claimedEntries(claim, position), participant) }),
    },
    registryOf(claim),
  );
}

/** `EntryProof` fields (contracts/src/types/Dispute.sol); an opening the verifier does not read may be left out. */
export interface EntryProofParts {
  /** j. */
  participant: number;
  /** Leaf t−1 (t > 0) and entry j under its entries root: S_{t−1}[j]. */
  previous?: IntervalLeafProof;
  previousEntry?: EntryOpening;
  /** Leaf t and entries j−1 (j > 0), j and N−1 (j < N−1) under its entries root. */
  current: IntervalLeafProof;
  before?: EntryOpening;
  entry: EntryOpening;
  last?: EntryOpening;
  /** A time-of-use community's tariff (the verifier prices the interval with it); none for flat prices. */
  tariff?: Tariff;
}

/**
 * Kind 9 (`DisputeKind.BadEntry`, enum value 8): participant `participant`'s step entry at `position` is not F's
 * (`judgeEntry` names a fault), from the claim's entries (`claimedEntries`) of leaves t−1 and t: entry j of
 * both, entries j−1 and N−1 of t. O(log N) data whatever N and M. Totals and Mmr (an auction community has no
 * entries: this throws UNSUPPORTED_KIND, its bad step is `badStepProof`). `tariff` as in `badStepProof`.
 */
export function badEntryProof(claim: ClaimedWindow, position: number, participant: number, tariff?: Tariff): string {
  const entries = claimedEntries(claim, position);
  const n = entries.length;
  return badEntryProofOf({
    participant,
    previous: position > 0 ? intervalLeafProof(claim, position - 1) : undefined,
    previousEntry: position > 0 ? entryOpening(claimedEntries(claim, position - 1), participant) : undefined,
    current: intervalLeafProof(claim, position),
    before: participant > 0 ? entryOpening(entries, participant - 1) : undefined,
    entry: entryOpening(entries, participant),
    last: participant + 1 < n ? entryOpening(entries, n - 1) : undefined,
    tariff,
  });
}

/** Kind 9 from its parts; an opening left out is the empty one (`NO_INTERVAL`, `NO_ENTRY_OPENING`). */
export function badEntryProofOf(p: EntryProofParts): string {
  return encode(DisputeKind.BadEntry, {
    participant: p.participant,
    previous: p.previous ?? NO_INTERVAL,
    previousEntry: entryOpeningTuple(p.previousEntry ?? NO_ENTRY_OPENING),
    current: p.current,
    before: entryOpeningTuple(p.before ?? NO_ENTRY_OPENING),
    entry: entryOpeningTuple(p.entry),
    last: entryOpeningTuple(p.last ?? NO_ENTRY_OPENING),
    tariff: p.tariff ? encodeTariff(p.tariff) : '0x',
  });
}

/** `StateEntryProof` fields (contracts/src/types/Dispute.sol). */
export interface StateEntryProofParts {
  /** j. */
  participant: number;
  /** Leaf t under the claim's windowRoot. */
  leaf: IntervalLeafProof;
  /** Entry j under `leaf.entriesRoot`. */
  entry: EntryOpening;
  /** The committed state tree's leaf j (its hash alone) and its path under `leaf.stateHash`, bottom-up. */
  stateLeaf: string;
  statePath: string[];
}

/**
 * Kind 10 (`DisputeKind.StateEntry`, enum value 9): the state tree the claimed leaf at `position` commits (built
 * from the claimed S_t, `stateLevels`) holds at `participant` a leaf other than the state of entry j of the same
 * leaf (`claimedEntries`), which the verifier hashes with `stateLeaf(entry.state, { minNet: true })`. O(log N)
 * data whatever N and M. Throws a RangeError for a participant outside the community (the verifier's
 * `ParticipantOutOfRange`), UNSUPPORTED_KIND where `claimedEntries` does (the auction has no entries).
 */
export function stateEntryProof(claim: ClaimedWindow, position: number, participant: number): string {
  const states = claim.states[position];
  if (!Number.isInteger(participant) || participant < 0 || participant >= states.length)
    throw new RangeError(`participant ${participant} out of range: the community has ${states.length}`);
  const levels = stateLevels(states);
  return stateEntryProofOf({
    participant,
    leaf: intervalLeafProof(claim, position),
    entry: entryOpening(claimedEntries(claim, position), participant),
    stateLeaf: levels[0][participant],
    statePath: merkleProof(levels, participant),
  });
}

/** Kind 10 from its parts (e.g. a leaf a game opened, a state leaf and entry served by peers). */
export function stateEntryProofOf(p: StateEntryProofParts): string {
  return encode(DisputeKind.StateEntry, {
    participant: p.participant,
    leaf: p.leaf,
    entry: entryOpeningTuple(p.entry),
    stateLeaf: p.stateLeaf,
    statePath: p.statePath,
  });
}

/** Kind 4: the last claimed leaf commits to a state other than the posted S_W. */
export function badFinalStateProof(claim: ClaimedWindow): string {
  return badFinalStateProofOf(intervalLeafProof(claim, claim.commitment.intervals.length - 1));
}

/** An IntervalProof (contracts/src/types/Dispute.sol): a leaf's preimage and its sibling path, bottom up. */
export interface IntervalLeafProof {
  position: number;
  interval: number;
  readingsRoot: string;
  energyHash: string;
  stateHash: string;
  entriesRoot: string;
  proof: string[];
}

/**
 * Kind 4 from the last leaf alone, e.g. one a data-availability game opened (its siblings are the
 * children revealed on the way down): no other data of the claim is needed.
 */
export function badFinalStateProofOf(last: IntervalLeafProof): string {
  return encode(DisputeKind.BadFinalState, { last });
}

/** Kind 5: the claimed slot (position, meter) holds a reading although the slot is voided on chain. */
export function voidedSlotProof(claim: ClaimedWindow, position: number, meter: number): string {
  return slotProofOf(
    DisputeKind.VoidedSlot,
    intervalLeafProof(claim, position),
    signed(claim.slots[position][meter]),
    meterOpening(claimedTree(claim, position), meter),
    registryOf(claim),
  );
}

/**
 * Commit–reveal (Hub.commitDispute): the commitment `challenger` sends a block before its dispute,
 * keccak256(abi.encode(challenger, communityId, window, kind, keccak256(proof))).
 */
export function disputeCommitment(
  challenger: string,
  communityId: bigint,
  window: number,
  kind: DisputeKind,
  proof: string,
): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(
      ['address', 'uint64', 'uint32', 'uint8', 'bytes32'],
      [challenger, communityId, window, kind, keccak256(proof)],
    ),
  );
}

/**
 * claimHash = keccak256(abi.encode(window, windowRoot, stateHash, balancesRoot)): how the hub names a claim
 * (a claim is the whole co-signed result: two claims differing only in their balances root are two claims).
 */
export function claimHash(window: number, windowRoot: string, stateHashHex: string, balancesRootHex: string): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(
      ['uint32', 'bytes32', 'bytes32', 'bytes32'],
      [window, windowRoot, stateHashHex, balancesRootHex],
    ),
  );
}

/**
 * Kind 6 (`BalancesProof`): the balances of window w−1 as final on chain (the genesis for w = 0) with their
 * total of claims, and the claim's final state S_w packed (`packState`, 64 bytes per participant). The
 * verifier checks both against the claim's context and recomputes the reaction.
 */
export function badBalancesProof(
  previous: readonly { participant: string; escrow: bigint; debt: bigint; claim: bigint }[],
  previousTotalClaims: bigint,
  finalState: readonly ParticipantState[],
): string {
  return encode(DisputeKind.BadBalances, {
    previous: previous.map((b) => [b.participant, b.escrow, b.debt, b.claim]),
    previousTotalClaims,
    finalState: hexlify(packState(finalState)),
  });
}

/** Kind 5: two validly signed, different readings of one meter for one interval; the meter's record from `registry`. */
export function equivocationProof(first: SignedReading, second: SignedReading, registry: MeterRegistry): string {
  return encode(DisputeKind.Equivocation, {
    first: signed(first),
    second: signed(second),
    meter: meterRecordTuple(recordOf(registry, first.reading.meterIndex)),
  });
}
