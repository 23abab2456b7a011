import { type BytesLike, getAddress, getBytes, hexlify } from 'ethers';
import { DiversityError } from '../util/errors.js';
import type { MeterRecord } from '../window/meters.js';

/**
 * The compact encoding of `Hub.open`'s two lists (twin of `contracts/src/libraries/OpenCodec.sol`, vectors
 * `open.json`; DESIGN.md §5.1). The ABI's `address[]` and `Meter[]` cost 32 bytes per address and about 192 per
 * Ed25519 meter (224,900 bytes at N = M = 1,000, over the 128 KiB clients relay); packed:
 * - participants: N × 20 bytes, participant i's address at [20 i, 20 i + 20);
 * - meters: record k = uint8 scheme ‖ uint16 owner ‖ uint8 keyLength ‖ key, one after another, the list ending
 *   exactly at its last record.
 * The hub commits to the decoded lists (genesis balances root, meter root) as before.
 */
export const ADDRESS_LENGTH = 20;
/** Bytes of a meter record before its key: scheme (1), owner (2), key length (1). */
export const METER_HEADER = 4;

export enum OpenCodecErrorCode {
  /** A packed participant list that is not a whole number of 20-byte addresses (`MalformedParticipants`). */
  MALFORMED_PARTICIPANTS = 'OPEN_MALFORMED_PARTICIPANTS',
  /** A packed meter list that ends inside a record (`MalformedMeters`). */
  MALFORMED_METERS = 'OPEN_MALFORMED_METERS',
  /** A meter whose owner or key length does not fit its field (`MeterNotEncodable`). */
  NOT_ENCODABLE = 'OPEN_METER_NOT_ENCODABLE',
}

export class OpenCodecError extends DiversityError<{ code: OpenCodecErrorCode; at: number }> {}

/** Packs `participants` (20 bytes each), as `OpenCodec.encodeParticipants`. */
export function encodeParticipants(participants: readonly string[]): string {
  const out = new Uint8Array(participants.length * ADDRESS_LENGTH);
  for (const [i, p] of participants.entries()) out.set(getBytes(getAddress(p)), i * ADDRESS_LENGTH);
  return hexlify(out);
}

/** The addresses of a packed participant list (checksummed, in index order). */
export function decodeParticipants(data: BytesLike): string[] {
  const bytes = getBytes(data);
  if (bytes.length % ADDRESS_LENGTH !== 0) {
    throw new OpenCodecError(
      { code: OpenCodecErrorCode.MALFORMED_PARTICIPANTS, at: bytes.length },
      `a packed participant list of ${bytes.length} bytes is not a whole number of addresses`,
    );
  }
  const out: string[] = [];
  for (let at = 0; at < bytes.length; at += ADDRESS_LENGTH) {
    out.push(getAddress(hexlify(bytes.subarray(at, at + ADDRESS_LENGTH))));
  }
  return out;
}

/** Packs `meters` (scheme ‖ uint16 owner ‖ uint8 key length ‖ key each), as `OpenCodec.encodeMeters`. */
export function encodeMeters(meters: readonly MeterRecord[]): string {
  const total = meters.reduce((s, m) => s + METER_HEADER + m.publicKey.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  meters.forEach((m, k) => {
    const fits = Number.isInteger(m.owner) && m.owner >= 0 && m.owner <= 0xffff && m.scheme >= 0 && m.scheme <= 0xff;
    if (!fits || m.publicKey.length > 0xff) {
      throw new OpenCodecError(
        { code: OpenCodecErrorCode.NOT_ENCODABLE, at: k },
        `meter ${k}: owner ${m.owner}, scheme ${m.scheme} or a ${m.publicKey.length}-byte key does not fit its field`,
      );
    }
    out[at] = m.scheme;
    out[at + 1] = m.owner >> 8;
    out[at + 2] = m.owner & 0xff;
    out[at + 3] = m.publicKey.length;
    out.set(m.publicKey, at + METER_HEADER);
    at += METER_HEADER + m.publicKey.length;
  });
  return hexlify(out);
}

/** The records of a packed meter list, in order. */
export function decodeMeters(data: BytesLike): MeterRecord[] {
  const bytes = getBytes(data);
  const out: MeterRecord[] = [];
  for (let at = 0; at < bytes.length; ) {
    const keyStart = at + METER_HEADER;
    const keyEnd = keyStart + (bytes[at + 3] ?? 0);
    if (keyStart > bytes.length || keyEnd > bytes.length) {
      throw new OpenCodecError(
        { code: OpenCodecErrorCode.MALFORMED_METERS, at },
        `the packed meter list ends inside the record at byte ${at}`,
      );
    }
    out.push({
      scheme: bytes[at],
      owner: (bytes[at + 1] << 8) | bytes[at + 2],
      publicKey: bytes.slice(keyStart, keyEnd),
    });
    at = keyEnd;
  }
  return out;
}
