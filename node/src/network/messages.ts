import { DiversityError } from '../util/errors.js';
import { fromHex, toHex } from '../util/hex.js';

/** The three roots a window result is co-signed over (EIP-712 `WindowResult`, `Hub.claimHash`). */
export interface ResultRoots {
  windowRoot: string;
  stateHash: string;
  balancesRoot: string;
}

/** Whether two results are the same co-signed statement (hex compared without regard to case). */
export function sameResult(a: ResultRoots, b: ResultRoots): boolean {
  return (
    a.windowRoot.toLowerCase() === b.windowRoot.toLowerCase() &&
    a.stateHash.toLowerCase() === b.stateHash.toLowerCase() &&
    a.balancesRoot.toLowerCase() === b.balancesRoot.toLowerCase()
  );
}

/**
 * Gossiped co-signature: window u32 | signer u16 | windowRoot 32 | stateHash 32 | balancesRoot 32 |
 * signature 65 (ethers' r ‖ s ‖ v over the EIP-712 `WindowResult`).
 */
export interface CoSignatureMessage extends ResultRoots {
  window: number;
  signer: number;
  signature: string;
}

export const COSIGNATURE_MESSAGE_LENGTH = 4 + 2 + 32 + 32 + 32 + 65;

export enum MessageErrorCode {
  WRONG_LENGTH = 'MESSAGE_WRONG_LENGTH',
}
export class MessageError extends DiversityError<{ code: MessageErrorCode; length: number }> {}

export function encodeCoSignature(m: CoSignatureMessage): Uint8Array {
  const out = Buffer.alloc(COSIGNATURE_MESSAGE_LENGTH);
  out.writeUInt32BE(m.window, 0);
  out.writeUInt16BE(m.signer, 4);
  out.set(fromHex(m.windowRoot), 6);
  out.set(fromHex(m.stateHash), 38);
  out.set(fromHex(m.balancesRoot), 70);
  out.set(fromHex(m.signature), 102);
  return out;
}

export function decodeCoSignature(bytes: Uint8Array): CoSignatureMessage {
  if (bytes.length !== COSIGNATURE_MESSAGE_LENGTH)
    throw new MessageError({ code: MessageErrorCode.WRONG_LENGTH, length: bytes.length });
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  return {
    window: b.readUInt32BE(0),
    signer: b.readUInt16BE(4),
    windowRoot: toHex(b.subarray(6, 38)),
    stateHash: toHex(b.subarray(38, 70)),
    balancesRoot: toHex(b.subarray(70, 102)),
    signature: toHex(b.subarray(102)),
  };
}
