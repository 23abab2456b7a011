import { decodeG1, encodeG1, type BlsG1Point } from '../crypto/bls.js';
import { DiversityError } from '../util/errors.js';
import { fromHex, toHex } from '../util/hex.js';

/**
 * Gossiped BLS co-signature share (the BLS twin of `network/messages.ts`' co-signature):
 * window u32 | signer u16 | windowRoot 32 | stateHash 32 | balancesRoot 32 | share 128 (G1, EIP-2537
 * encoding).
 * The share is [sk]H(digest) with the digest of the hub's EIP-712 window result (docs/bls.md).
 */
export interface BlsShareMessage {
  window: number;
  signer: number;
  windowRoot: string;
  stateHash: string;
  balancesRoot: string;
  share: BlsG1Point;
}

export const BLS_SHARE_MESSAGE_LENGTH = 4 + 2 + 32 + 32 + 32 + 128;
/** Where the G1 share starts in the message. */
const SHARE_AT = BLS_SHARE_MESSAGE_LENGTH - 128;

export enum BlsShareMessageErrorCode {
  WRONG_LENGTH = 'BLS_SHARE_WRONG_LENGTH',
  INVALID_POINT = 'BLS_SHARE_INVALID_POINT',
}
export class BlsShareMessageError extends DiversityError<{ code: BlsShareMessageErrorCode; length?: number }> {}

export function encodeBlsShare(m: BlsShareMessage): Uint8Array {
  const out = Buffer.alloc(BLS_SHARE_MESSAGE_LENGTH);
  out.writeUInt32BE(m.window, 0);
  out.writeUInt16BE(m.signer, 4);
  out.set(fromHex(m.windowRoot), 6);
  out.set(fromHex(m.stateHash), 38);
  out.set(fromHex(m.balancesRoot), 70);
  out.set(encodeG1(m.share), SHARE_AT);
  return out;
}

/** Decodes and checks the share is a G1 subgroup point other than infinity (~1 ms); no pairing. */
/**
 * The window and signer of a share message, read without decoding its point (the validator's cheap checks
 * come first); throws WRONG_LENGTH for bytes of another length.
 */
export function decodeBlsShareHeader(bytes: Uint8Array): { window: number; signer: number } {
  if (bytes.length !== BLS_SHARE_MESSAGE_LENGTH) {
    throw new BlsShareMessageError({ code: BlsShareMessageErrorCode.WRONG_LENGTH, length: bytes.length });
  }
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  return { window: b.readUInt32BE(0), signer: b.readUInt16BE(4) };
}

export function decodeBlsShare(bytes: Uint8Array): BlsShareMessage {
  const { window, signer } = decodeBlsShareHeader(bytes);
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  let share: BlsG1Point;
  try {
    share = decodeG1(b.subarray(SHARE_AT));
  } catch {
    throw new BlsShareMessageError({ code: BlsShareMessageErrorCode.INVALID_POINT });
  }
  if (share.is0()) throw new BlsShareMessageError({ code: BlsShareMessageErrorCode.INVALID_POINT });
  return {
    window,
    signer,
    windowRoot: toHex(b.subarray(6, 38)),
    stateHash: toHex(b.subarray(38, 70)),
    balancesRoot: toHex(b.subarray(70, SHARE_AT)),
    share,
  };
}
