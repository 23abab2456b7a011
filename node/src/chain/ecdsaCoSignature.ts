import { Signature } from 'ethers';
import { DiversityError } from '../util/errors.js';
import { fromHex, toHex } from '../util/hex.js';
import { bitmapWords, fromWords, isValidBitmap, MAX_PARTICIPANTS, wordsToBytes } from './signerBitmap.js';

/**
 * The co-signature blob of the ECDSA signer set (twin of `contracts/src/modules/EcdsaSignerSet.sol`):
 * `signers (⌈n/256⌉ words, `signerBitmap.ts`) ‖ r ‖ yParityAndS (EIP-2098, 64 bytes)` per set bit, in
 * ascending index order. Gossip keeps the 65-byte r ‖ s ‖ v form ethers signs; this is the hub's form.
 */
export const ECDSA_COMPACT_SIGNATURE_LENGTH = 64;
/** Most participants a blob can name (the bitmap is at most four words). */
export const ECDSA_MAX_SIGNERS = MAX_PARTICIPANTS;
/** Half the secp256k1 group order: the module rejects a larger s. */
const HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

export enum EcdsaCoSignatureErrorCode {
  /** No signature given. */
  EMPTY = 'ECDSA_COSIG_EMPTY',
  /** A signer index outside 0..n-1. */
  SIGNER_OUT_OF_RANGE = 'ECDSA_COSIG_SIGNER_OUT_OF_RANGE',
  /** Two signatures for one signer. */
  DUPLICATE_SIGNER = 'ECDSA_COSIG_DUPLICATE_SIGNER',
  /** Not a 64- or 65-byte secp256k1 signature with s in the lower half of the order. */
  MALFORMED_SIGNATURE = 'ECDSA_COSIG_MALFORMED_SIGNATURE',
  /** A blob whose length is not 32·⌈n/256⌉ + 64 per bit set, or whose bitmap sets a bit at or beyond n. */
  MALFORMED_BLOB = 'ECDSA_COSIG_MALFORMED_BLOB',
}

export type EcdsaCoSignatureErrorType =
  | { code: EcdsaCoSignatureErrorCode.EMPTY }
  | { code: EcdsaCoSignatureErrorCode.SIGNER_OUT_OF_RANGE; signer: number }
  | { code: EcdsaCoSignatureErrorCode.DUPLICATE_SIGNER; signer: number }
  | { code: EcdsaCoSignatureErrorCode.MALFORMED_SIGNATURE; signer: number }
  | { code: EcdsaCoSignatureErrorCode.MALFORMED_BLOB; length: number };

export class EcdsaCoSignatureError extends DiversityError<EcdsaCoSignatureErrorType> {}

/** One participant's co-signature: its index and its signature (65-byte r ‖ s ‖ v or 64-byte compact, hex). */
export interface IndexedSignature {
  signer: number;
  signature: string;
}

/** The 64-byte EIP-2098 form of a secp256k1 signature; throws MALFORMED_SIGNATURE for a high s or bad bytes. */
export function compactSignature(signature: string, signer = -1): Uint8Array {
  let sig: Signature;
  try {
    sig = Signature.from(signature);
  } catch {
    throw new EcdsaCoSignatureError({ code: EcdsaCoSignatureErrorCode.MALFORMED_SIGNATURE, signer });
  }
  if (BigInt(sig.s) > HALF_ORDER)
    throw new EcdsaCoSignatureError({ code: EcdsaCoSignatureErrorCode.MALFORMED_SIGNATURE, signer });
  return fromHex(sig.compactSerialized);
}

/**
 * The module's blob for these co-signatures of a community of `participantCount` (any order in, ascending
 * index out): ⌈participantCount/256⌉ bitmap words, then the compact signatures.
 */
export function encodeEcdsaCoSignature(signatures: readonly IndexedSignature[], participantCount: number): string {
  if (signatures.length === 0) throw new EcdsaCoSignatureError({ code: EcdsaCoSignatureErrorCode.EMPTY });
  const n = Math.min(participantCount, ECDSA_MAX_SIGNERS);
  const sorted = [...signatures].sort((a, b) => a.signer - b.signer);
  const words: bigint[] = Array.from({ length: bitmapWords(n) }, () => 0n);
  const head = words.length * 32;
  const out = Buffer.alloc(head + sorted.length * ECDSA_COMPACT_SIGNATURE_LENGTH);
  for (const [k, s] of sorted.entries()) {
    if (!Number.isInteger(s.signer) || s.signer < 0 || s.signer >= n)
      throw new EcdsaCoSignatureError({ code: EcdsaCoSignatureErrorCode.SIGNER_OUT_OF_RANGE, signer: s.signer });
    const bit = 1n << BigInt(s.signer & 255);
    if (words[s.signer >> 8] & bit)
      throw new EcdsaCoSignatureError({ code: EcdsaCoSignatureErrorCode.DUPLICATE_SIGNER, signer: s.signer });
    words[s.signer >> 8] |= bit;
    out.set(compactSignature(s.signature, s.signer), head + k * ECDSA_COMPACT_SIGNATURE_LENGTH);
  }
  out.set(wordsToBytes(words), 0);
  return toHex(out);
}

/**
 * The signer indices and compact signatures of a blob of a community of `participantCount` (ascending);
 * throws MALFORMED_BLOB (length, or a bit at or beyond the count) or EMPTY.
 */
export function decodeEcdsaCoSignature(blob: string, participantCount: number): IndexedSignature[] {
  const bytes = fromHex(blob);
  const n = Math.min(participantCount, ECDSA_MAX_SIGNERS);
  const head = bitmapWords(n) * 32;
  if (bytes.length < head)
    throw new EcdsaCoSignatureError({ code: EcdsaCoSignatureErrorCode.MALFORMED_BLOB, length: bytes.length });
  const words = Array.from({ length: head / 32 }, (_, w) => BigInt(toHex(bytes.subarray(w * 32, w * 32 + 32))));
  if (!isValidBitmap(words, n))
    throw new EcdsaCoSignatureError({ code: EcdsaCoSignatureErrorCode.MALFORMED_BLOB, length: bytes.length });
  const signers = fromWords(words, n);
  if (signers.length === 0) throw new EcdsaCoSignatureError({ code: EcdsaCoSignatureErrorCode.EMPTY });
  if (bytes.length !== head + signers.length * ECDSA_COMPACT_SIGNATURE_LENGTH)
    throw new EcdsaCoSignatureError({ code: EcdsaCoSignatureErrorCode.MALFORMED_BLOB, length: bytes.length });
  return signers.map((signer, k) => ({
    signer,
    signature: toHex(
      bytes.subarray(head + k * ECDSA_COMPACT_SIGNATURE_LENGTH, head + (k + 1) * ECDSA_COMPACT_SIGNATURE_LENGTH),
    ),
  }));
}
