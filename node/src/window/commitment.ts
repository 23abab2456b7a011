import { concat, keccak256, zeroPadValue, toBeHex } from 'ethers';
import { encodeReading } from '../reading/encoding.js';
import type { SignedReading } from '../reading/signature.js';
import { buildLevels, merkleProof, merkleRoot } from './merkle.js';

/**
 * The window commitment of DESIGN.md §4 (twin of `contracts/src/libraries/WindowCommitment.sol`).
 * Every preimage starts with its own domain byte and every variable-length field is length-prefixed,
 * so two different inputs never give the same leaf:
 *
 * - readingLeaf = keccak256(0x00 || uint32 len(encoding) || encoding || uint32 len(signature) || signature);
 * - inner node = keccak256(0x01 || left || right) (merkle.ts);
 * - intervalLeaf_t = keccak256(0x02 || uint32 t || readingsRoot_t || stateHash_t), t absolute;
 * - ABSENT_LEAF = keccak256(0x03), a meter slot with no reading;
 * - readingsRoot_t = Merkle root over the M meter slots of interval t, slot = meter index;
 * - windowRoot = Merkle root over intervalLeaf for the W intervals of the window, in order.
 */
export const ABSENT_LEAF = keccak256('0x03');

const uint32 = (n: number): string => zeroPadValue(toBeHex(n), 4);

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

export function readingsRoot(slots: readonly (SignedReading | undefined)[]): string {
  return merkleRoot(slots.map(slotLeaf));
}

export function intervalLeaf(interval: number, readingsRootHash: string, stateHashHex: string): string {
  return keccak256(concat(['0x02', uint32(interval), readingsRootHash, stateHashHex]));
}

export interface IntervalCommitment {
  interval: number;
  readingsRoot: string;
  stateHash: string;
  leaf: string;
}

export interface WindowCommitment {
  windowRoot: string;
  intervals: IntervalCommitment[];
  /** Tree levels over the interval leaves, kept to serve proofs. */
  levels: string[][];
}

export function commitWindow(
  intervals: { interval: number; readingsRoot: string; stateHash: string }[],
): WindowCommitment {
  const withLeaves = intervals.map((c) => ({ ...c, leaf: intervalLeaf(c.interval, c.readingsRoot, c.stateHash) }));
  const levels = buildLevels(withLeaves.map((c) => c.leaf));
  return { windowRoot: levels[levels.length - 1][0], intervals: withLeaves, levels };
}

export function intervalProof(commitment: WindowCommitment, position: number): string[] {
  return merkleProof(commitment.levels, position);
}
