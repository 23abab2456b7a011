import { concat, keccak256, toUtf8Bytes, zeroPadValue, toBeHex } from 'ethers';
import { encodeReading } from '../reading/encoding.js';
import type { SignedReading } from '../reading/signature.js';
import { buildLevels, merkleProof, merkleRoot } from './merkle.js';

/**
 * The window commitment of DESIGN.md §4 (twin of `contracts/src/libraries/WindowCommitment.sol`):
 *
 * - readingLeaf = keccak256(0x00 || encoding (70 B) || signature (64 B)), or ABSENT_LEAF;
 * - readingsRoot_t = Merkle root over the M meter slots of interval t, slot = meter index;
 * - intervalLeaf_t = keccak256(0x02 || uint32 t || readingsRoot_t || stateHash_t), t absolute;
 * - windowRoot = Merkle root over intervalLeaf for the W intervals of the window, in order.
 */
export const ABSENT_LEAF = keccak256(toUtf8Bytes('DIVERSITY.absent'));

export function readingLeaf(signed: SignedReading): string {
  return keccak256(concat(['0x00', encodeReading(signed.reading), signed.signature]));
}

export function slotLeaf(signed: SignedReading | undefined): string {
  return signed ? readingLeaf(signed) : ABSENT_LEAF;
}

export function readingsRoot(slots: readonly (SignedReading | undefined)[]): string {
  return merkleRoot(slots.map(slotLeaf));
}

export function intervalLeaf(interval: number, readingsRootHash: string, stateHashHex: string): string {
  return keccak256(concat(['0x02', zeroPadValue(toBeHex(interval), 4), readingsRootHash, stateHashHex]));
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

export function commitWindow(intervals: { interval: number; readingsRoot: string; stateHash: string }[]): WindowCommitment {
  const withLeaves = intervals.map((c) => ({ ...c, leaf: intervalLeaf(c.interval, c.readingsRoot, c.stateHash) }));
  const levels = buildLevels(withLeaves.map((c) => c.leaf));
  return { windowRoot: levels[levels.length - 1][0], intervals: withLeaves, levels };
}

export function intervalProof(commitment: WindowCommitment, position: number): string[] {
  return merkleProof(commitment.levels, position);
}
