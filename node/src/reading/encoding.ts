import { keccak256 } from 'ethers';
import { ReadingError, ReadingErrorCode } from './errors.js';

/**
 * A meter reading: the energy one meter exported and imported during one interval.
 * `interval` counts intervals of the community's `intervalSeconds` from its start.
 */
export interface Reading {
  chainId: bigint;
  /** Hub contract address, 0x-prefixed, 20 bytes (any case). */
  hub: string;
  communityId: bigint;
  meterIndex: number;
  interval: number;
  exportWh: number;
  importWh: number;
}

/** Domain separator: a signature over a reading can never be mistaken for anything else. */
export const READING_DOMAIN = new TextEncoder().encode('DIVERSITY.reading');
export const READING_VERSION = 1;

const U32_MAX = 0xffff_ffff;
const U64_MAX = (1n << 64n) - 1n;

/**
 * Canonical encoding, big-endian, fixed width (70 bytes):
 *
 * | bytes | field |
 * |---|---|
 * | 0..17   | "DIVERSITY.reading" |
 * | 17      | version (1) |
 * | 18..26  | chainId uint64 |
 * | 26..46  | hub address |
 * | 46..54  | communityId uint64 |
 * | 54..58  | meterIndex uint32 |
 * | 58..62  | interval uint32 |
 * | 62..66  | exportWh uint32 |
 * | 66..70  | importWh uint32 |
 *
 * Solidity twin: `contracts/src/libraries/ReadingCodec.sol`.
 */
export const READING_ENCODED_LENGTH = READING_DOMAIN.length + 1 + 8 + 20 + 8 + 4 * 4;

const OFFSET = {
  version: 17,
  chainId: 18,
  hub: 26,
  communityId: 46,
  meterIndex: 54,
  interval: 58,
  exportWh: 62,
  importWh: 66,
} as const;

function checkU32(field: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > U32_MAX) {
    throw new ReadingError({ code: ReadingErrorCode.OUT_OF_RANGE, field, value: String(value) });
  }
}

function checkU64(field: string, value: bigint): void {
  if (typeof value !== 'bigint' || value < 0n || value > U64_MAX) {
    throw new ReadingError({ code: ReadingErrorCode.OUT_OF_RANGE, field, value: String(value) });
  }
}

export function hubBytes(hub: string): Uint8Array {
  if (!/^0x[0-9a-fA-F]{40}$/.test(hub)) throw new ReadingError({ code: ReadingErrorCode.BAD_ADDRESS, value: hub });
  return Buffer.from(hub.slice(2), 'hex');
}

export function encodeReading(r: Reading): Uint8Array {
  checkU64('chainId', r.chainId);
  checkU64('communityId', r.communityId);
  checkU32('meterIndex', r.meterIndex);
  checkU32('interval', r.interval);
  checkU32('exportWh', r.exportWh);
  checkU32('importWh', r.importWh);
  const out = Buffer.alloc(READING_ENCODED_LENGTH);
  out.set(READING_DOMAIN, 0);
  out[OFFSET.version] = READING_VERSION;
  out.writeBigUInt64BE(r.chainId, OFFSET.chainId);
  out.set(hubBytes(r.hub), OFFSET.hub);
  out.writeBigUInt64BE(r.communityId, OFFSET.communityId);
  out.writeUInt32BE(r.meterIndex, OFFSET.meterIndex);
  out.writeUInt32BE(r.interval, OFFSET.interval);
  out.writeUInt32BE(r.exportWh, OFFSET.exportWh);
  out.writeUInt32BE(r.importWh, OFFSET.importWh);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

export function decodeReading(bytes: Uint8Array): Reading {
  if (bytes.length !== READING_ENCODED_LENGTH) {
    throw new ReadingError({
      code: ReadingErrorCode.WRONG_LENGTH,
      expected: READING_ENCODED_LENGTH,
      actual: bytes.length,
    });
  }
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (!b.subarray(0, READING_DOMAIN.length).equals(READING_DOMAIN)) {
    throw new ReadingError({ code: ReadingErrorCode.WRONG_DOMAIN });
  }
  if (b[OFFSET.version] !== READING_VERSION) {
    throw new ReadingError({
      code: ReadingErrorCode.WRONG_VERSION,
      expected: READING_VERSION,
      actual: b[OFFSET.version],
    });
  }
  return {
    chainId: b.readBigUInt64BE(OFFSET.chainId),
    hub: `0x${b.subarray(OFFSET.hub, OFFSET.hub + 20).toString('hex')}`,
    communityId: b.readBigUInt64BE(OFFSET.communityId),
    meterIndex: b.readUInt32BE(OFFSET.meterIndex),
    interval: b.readUInt32BE(OFFSET.interval),
    exportWh: b.readUInt32BE(OFFSET.exportWh),
    importWh: b.readUInt32BE(OFFSET.importWh),
  };
}

/**
 * `decodeReading` for one community, for the ingest's hot path: the first 54 bytes (domain, version,
 * chainId, hub, communityId) must equal those of every reading of `(chainId, hub, communityId)`, compared
 * as bytes; the rest is read as `decodeReading` reads it. The reading shares the community's chainId, hub
 * (lower case, as `decodeReading` gives it) and communityId values instead of building them per reading.
 * `decode` returns undefined when the head differs (another community, domain or version, or not 70
 * bytes): `decodeReading` then says which (or the caller rejects it as another community's).
 */
export class CommunityReadingDecoder {
  private readonly head: Buffer;
  private readonly hub: string;

  constructor(
    private readonly chainId: bigint,
    hub: string,
    private readonly communityId: bigint,
  ) {
    const sample = Buffer.from(
      encodeReading({ chainId, hub, communityId, meterIndex: 0, interval: 0, exportWh: 0, importWh: 0 }),
    );
    this.head = sample.subarray(0, OFFSET.meterIndex);
    this.hub = hub.toLowerCase();
  }

  decode(bytes: Uint8Array): Reading | undefined {
    if (bytes.length !== READING_ENCODED_LENGTH) return undefined;
    const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    if (this.head.compare(b, 0, OFFSET.meterIndex) !== 0) return undefined;
    return {
      chainId: this.chainId,
      hub: this.hub,
      communityId: this.communityId,
      meterIndex: b.readUInt32BE(OFFSET.meterIndex),
      interval: b.readUInt32BE(OFFSET.interval),
      exportWh: b.readUInt32BE(OFFSET.exportWh),
      importWh: b.readUInt32BE(OFFSET.importWh),
    };
  }
}

/** keccak256 of the canonical encoding; equals `ReadingCodec.hash` on chain. */
export function readingHash(r: Reading): string {
  return keccak256(encodeReading(r));
}

/** Two readings have the same payload (used to tell duplicates from equivocation). */
export function sameReadingValues(a: Reading, b: Reading): boolean {
  return a.exportWh === b.exportWh && a.importWh === b.importWh;
}
