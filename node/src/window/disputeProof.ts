import { AbiCoder, hexlify, keccak256 } from 'ethers';
import { encodeReading } from '../reading/encoding.js';
import type { SignedReading } from '../reading/signature.js';
import { slotLeaf, intervalProof as windowIntervalProof, type WindowCommitment } from './commitment.js';
import { buildLevels, merkleProof, treeDepth } from './merkle.js';
import { packState, type LimitPrices, type ParticipantState } from './state.js';
import { encodeTariff, type Tariff } from './tariff.js';

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
}

/** What a claimant committed for one window: slots[t][m] (undefined = absent), S_1..S_W, the tree. */
export interface ClaimedWindow {
  firstInterval: number;
  slots: readonly (readonly (SignedReading | undefined)[])[];
  states: readonly (readonly ParticipantState[])[];
  commitment: WindowCommitment;
}

const SIGNED = 'tuple(bytes encoded, bytes signature)';
const INTERVAL = 'tuple(uint32 position, uint32 interval, bytes32 readingsRoot, bytes32 stateHash, bytes32[] proof)';
const STATE =
  'tuple(uint64 exportWh, uint64 importWh, uint64 p2pSoldWh, uint64 p2pBoughtWh, uint64 gridSoldWh, uint64 gridBoughtWh, int256 net)';
const LIMITS = 'tuple(uint128 bidPrice, uint128 askPrice)';
const BALANCE = 'tuple(address participant, uint256 escrow, uint256 debt, uint256 claim)';

/** ABI types of the proof structs, in Dispute.sol order. */
export const DISPUTE_PROOF_TYPES: Record<DisputeKind, string> = {
  [DisputeKind.ReadingMismatch]: `tuple(${SIGNED} reading, ${INTERVAL} leaf, ${SIGNED} committed, bytes32[] slotProof)`,
  [DisputeKind.ForgedReading]: `tuple(${INTERVAL} leaf, uint32 meterIndex, ${SIGNED} committed, bytes32[] slotProof)`,
  [DisputeKind.BadStep]: `tuple(${INTERVAL} previous, ${STATE}[] prevState, ${INTERVAL} current, ${SIGNED}[] slots, bytes32[] padding, ${LIMITS}[] limits, bytes tariff)`,
  [DisputeKind.BadFinalState]: `tuple(${INTERVAL} last)`,
  [DisputeKind.Equivocation]: `tuple(${SIGNED} first, ${SIGNED} second)`,
  [DisputeKind.VoidedSlot]: `tuple(${INTERVAL} leaf, uint32 meterIndex, ${SIGNED} committed, bytes32[] slotProof)`,
  [DisputeKind.BadBalances]: `tuple(${BALANCE}[] previous, uint256 previousTotalClaims, bytes finalState)`,
};

/** A slot as the proof structs (and the game's `Publish`) carry it: encoding and signature, or both empty. */
export const signedSlot = (s: SignedReading | undefined): { encoded: string; signature: string } =>
  s
    ? { encoded: hexlify(encodeReading(s.reading)), signature: hexlify(s.signature) }
    : { encoded: '0x', signature: '0x' };
const signed = signedSlot;

/** A ParticipantState as the proof structs' tuple. */
export const stateTuple = (s: ParticipantState) => [
  s.exportWh,
  s.importWh,
  s.p2pSoldWh,
  s.p2pBoughtWh,
  s.gridSoldWh,
  s.gridBoughtWh,
  s.net,
];

const ZERO = `0x${'00'.repeat(32)}`;

/** abi.encode(<proof struct of kind>) of `value` (its fields as DISPUTE_PROOF_TYPES names them). */
export function encodeProof(kind: DisputeKind, value: unknown): string {
  return encode(kind, value);
}

function encode(kind: DisputeKind, value: unknown): string {
  return AbiCoder.defaultAbiCoder().encode([DISPUTE_PROOF_TYPES[kind]], [value]);
}

/** IntervalProof of the claimed leaf at `position`. */
export function intervalLeafProof(claim: ClaimedWindow, position: number) {
  const c = claim.commitment.intervals[position];
  return {
    position,
    interval: c.interval,
    readingsRoot: c.readingsRoot,
    stateHash: c.stateHash,
    proof: windowIntervalProof(claim.commitment, position),
  };
}

function slotProof(claim: ClaimedWindow, position: number, meter: number): string[] {
  return merkleProof(buildLevels(claim.slots[position].map(slotLeaf)), meter);
}

/** Kind 1: `reading` (validly signed, ours) vs the claimed slot (absent, or not a valid reading of it). */
export function readingMismatchProof(claim: ClaimedWindow, reading: SignedReading): string {
  const position = reading.reading.interval - claim.firstInterval;
  const m = reading.reading.meterIndex;
  return encode(DisputeKind.ReadingMismatch, {
    reading: signed(reading),
    leaf: intervalLeafProof(claim, position),
    committed: signed(claim.slots[position][m]),
    slotProof: slotProof(claim, position, m),
  });
}

/** Kind 2: the claimed slot (position, meter) holds a reading that does not verify or is misbound. */
export function forgedReadingProof(claim: ClaimedWindow, position: number, meter: number): string {
  return encode(DisputeKind.ForgedReading, {
    leaf: intervalLeafProof(claim, position),
    meterIndex: meter,
    committed: signed(claim.slots[position][meter]),
    slotProof: slotProof(claim, position, meter),
  });
}

/**
 * Kind 3: the claimed step at `position` (S_{t-1} from position - 1, or zeros at 0). `limits`: an auction
 * community's standing limit prices (the hub's module checks them against its limits hash); none for the
 * other markets. `tariff`: a time-of-use community's tariff (the hub's verifier checks it against the
 * community's tariff hash and prices the interval with it); none for flat prices.
 */
export function badStepProof(
  claim: ClaimedWindow,
  position: number,
  limits: readonly LimitPrices[] = [],
  tariff?: Tariff,
): string {
  const empty = { position: 0, interval: 0, readingsRoot: ZERO, stateHash: ZERO, proof: [] };
  const meters = claim.slots[position].length;
  return encode(DisputeKind.BadStep, {
    previous: position > 0 ? intervalLeafProof(claim, position - 1) : empty,
    prevState: position > 0 ? claim.states[position - 1].map(stateTuple) : [],
    current: intervalLeafProof(claim, position),
    slots: claim.slots[position].map(signed),
    padding: new Array((1 << treeDepth(meters)) - meters).fill(ZERO),
    limits: limits.map((l) => [l.bidPrice, l.askPrice]),
    tariff: tariff ? encodeTariff(tariff) : '0x',
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
  stateHash: string;
  proof: string[];
}

/**
 * Kind 4 from the last leaf alone, e.g. one a data-availability game opened (its siblings are the
 * children revealed on the way down): no other data of the claim is needed.
 */
export function badFinalStateProofOf(last: IntervalLeafProof): string {
  return encode(DisputeKind.BadFinalState, { last });
}

/** Kind 6: the claimed slot (position, meter) holds a reading although the slot is voided on chain. */
export function voidedSlotProof(claim: ClaimedWindow, position: number, meter: number): string {
  return encode(DisputeKind.VoidedSlot, {
    leaf: intervalLeafProof(claim, position),
    meterIndex: meter,
    committed: signed(claim.slots[position][meter]),
    slotProof: slotProof(claim, position, meter),
  });
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

/** Kind 5: two validly signed, different readings of one meter for one interval. */
export function equivocationProof(first: SignedReading, second: SignedReading): string {
  return encode(DisputeKind.Equivocation, { first: signed(first), second: signed(second) });
}
