import { Signature } from 'ethers';
import { DiversityError } from '../util/errors.js';
import { fromHex, toHex } from '../util/hex.js';

/**
 * The co-signature blob of the ECDSA signer set (twin of `contracts/src/modules/EcdsaSignerSet.sol`):
 * `signers (32 bytes, bit i = participant i) ‖ r ‖ yParityAndS (EIP-2098, 64 bytes)` per set bit, in
 * ascending index order. Gossip keeps the 65-byte r ‖ s ‖ v form ethers signs; this is the hub's form.
 */
export const ECDSA_COMPACT_SIGNATURE_LENGTH = 64;
/** Most signers one blob names (the bitmap is one word). */
export const ECDSA_MAX_SIGNERS = 256;
/** Half the secp256k1 group order: the module rejects a larger s. */
const HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

export enum EcdsaCoSignatureErrorCode {
  /** No signature given. */
  EMPTY = 'ECDSA_COSIG_EMPTY',
  /** A signer index outside 0..255. */
  SIGNER_OUT_OF_RANGE = 'ECDSA_COSIG_SIGNER_OUT_OF_RANGE',
  /** Two signatures for one signer. */
  DUPLICATE_SIGNER = 'ECDSA_COSIG_DUPLICATE_SIGNER',
  /** Not a 64- or 65-byte secp256k1 signature with s in the lower half of the order. */
  MALFORMED_SIGNATURE = 'ECDSA_COSIG_MALFORMED_SIGNATURE',
  /** A blob whose length is not 32 + 64 per bit set. */
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

/** The module's blob for these co-signatures (any order in, ascending index out). */
export function encodeEcdsaCoSignature(signatures: readonly IndexedSignature[]): string {
  if (signatures.length === 0) throw new EcdsaCoSignatureError({ code: EcdsaCoSignatureErrorCode.EMPTY });
  const sorted = [...signatures].sort((a, b) => a.signer - b.signer);
  let bitmap = 0n;
  const out = Buffer.alloc(32 + sorted.length * ECDSA_COMPACT_SIGNATURE_LENGTH);
  sorted.forEach((s, k) => {
    if (!Number.isInteger(s.signer) || s.signer < 0 || s.signer >= ECDSA_MAX_SIGNERS)
      throw new EcdsaCoSignatureError({ code: EcdsaCoSignatureErrorCode.SIGNER_OUT_OF_RANGE, signer: s.signer });
    const bit = 1n << BigInt(s.signer);
    if (bitmap & bit)
      throw new EcdsaCoSignatureError({ code: EcdsaCoSignatureErrorCode.DUPLICATE_SIGNER, signer: s.signer });
    bitmap |= bit;
    out.set(compactSignature(s.signature, s.signer), 32 + k * ECDSA_COMPACT_SIGNATURE_LENGTH);
  });
  out.set(fromHex(`0x${bitmap.toString(16).padStart(64, '0')}`), 0);
  return toHex(out);
}

/** The signer indices and compact signatures of a blob (ascending); throws MALFORMED_BLOB or EMPTY. */
export function decodeEcdsaCoSignature(blob: string): IndexedSignature[] {
  const bytes = fromHex(blob);
  if (bytes.length < 32)
    throw new EcdsaCoSignatureError({ code: EcdsaCoSignatureErrorCode.MALFORMED_BLOB, length: bytes.length });
  const bitmap = BigInt(toHex(bytes.subarray(0, 32)));
  if (bitmap === 0n) throw new EcdsaCoSignatureError({ code: EcdsaCoSignatureErrorCode.EMPTY });
  const signers: number[] = [];
  for (let i = 0; i < ECDSA_MAX_SIGNERS; i++) if ((bitmap >> BigInt(i)) & 1n) signers.push(i);
  if (bytes.length !== 32 + signers.length * ECDSA_COMPACT_SIGNATURE_LENGTH)
    throw new EcdsaCoSignatureError({ code: EcdsaCoSignatureErrorCode.MALFORMED_BLOB, length: bytes.length });
  return signers.map((signer, k) => ({
    signer,
    signature: toHex(
      bytes.subarray(32 + k * ECDSA_COMPACT_SIGNATURE_LENGTH, 32 + (k + 1) * ECDSA_COMPACT_SIGNATURE_LENGTH),
    ),
  }));
}
