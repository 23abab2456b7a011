import { keccak256 } from 'ethers';

/**
 * The signer-set rules of the hub (twin of `contracts/src/libraries/SignerBitmap.sol`): a set of the
 * participants of a community of `n` is ⌈n/256⌉ 256-bit words, participant i being bit i % 256 of word
 * i / 256, with no bit at or beyond `n`. Co-signature blobs start with these words (ECDSA and BLS alike)
 * and the hub's events carry them (`WindowClaimed`, `WindowFinalized`, `ClaimRejected`: `uint256[]`).
 */

/** Most participants a community can have (`Hub.MAX_PARTICIPANTS`, `SignerBitmap.MAX_PARTICIPANTS`). */
export const MAX_PARTICIPANTS = 1024;

/** ⌈n/256⌉: the words of a bitmap over `n` participants. */
export function bitmapWords(n: number): number {
  return Math.ceil(n / 256);
}

/** The words of the set of `indices` among `n` participants; throws on an index outside 0..n-1. */
export function toWords(indices: Iterable<number>, n: number): bigint[] {
  const words: bigint[] = Array.from({ length: bitmapWords(n) }, () => 0n);
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new RangeError(`signer ${i} outside 0..${n - 1}`);
    words[i >> 8] |= 1n << BigInt(i & 255);
  }
  return words;
}

/** The indices in a set of words, ascending (bits at or beyond `n`, when given, are ignored). */
export function fromWords(words: readonly bigint[], n = words.length * 256): number[] {
  const out: number[] = [];
  for (let w = 0; w < words.length; w++) {
    const word = BigInt(words[w]);
    for (let b = 0; b < 256 && w * 256 + b < n; b++) if ((word >> BigInt(b)) & 1n) out.push(w * 256 + b);
  }
  return out;
}

/** Whether `words` is a bitmap over `n` participants: ⌈n/256⌉ words, no bit at or beyond `n`. */
export function isValidBitmap(words: readonly bigint[], n: number): boolean {
  if (words.length !== bitmapWords(n)) return false;
  return words.every((word, w) => word >= 0n && word >> BigInt(Math.max(0, Math.min(256, n - w * 256))) === 0n);
}

/** The 32-byte big-endian words of a blob's head. */
export function wordsToBytes(words: readonly bigint[]): Buffer {
  return Buffer.concat(words.map((w) => Buffer.from(w.toString(16).padStart(64, '0'), 'hex')));
}

/**
 * A set's words as one integer, participant i being bit i (any n): the node's in-memory form of a record's
 * signers (`WindowRecord.signers`), so that a count (`popcount`) or a membership test is the same at any N.
 */
export function joinWords(words: readonly bigint[]): bigint {
  return words.reduce((set, word, w) => set | (BigInt(word) << BigInt(256 * w)), 0n);
}

/** The ⌈n/256⌉ words of a set held as one integer (`joinWords`' inverse). */
export function splitWords(set: bigint, n: number): bigint[] {
  const mask = (1n << 256n) - 1n;
  return Array.from({ length: bitmapWords(n) }, (_, w) => (set >> BigInt(256 * w)) & mask);
}

/** Everyone of `n`, as words: bits 0..n-1 (`SignerBitmap.all`). */
export function allWords(n: number): bigint[] {
  return splitWords((1n << BigInt(n)) - 1n, n);
}

/**
 * The one word a hub record keeps of a set (`SignerBitmap.ref`): the word itself for one word (n ≤ 256),
 * otherwise keccak256 of the words (32 bytes each, big-endian), under which the hub stores them.
 */
export function ref(words: readonly bigint[]): bigint {
  return words.length === 1 ? BigInt(words[0]) : BigInt(keccak256(wordsToBytes(words)));
}
