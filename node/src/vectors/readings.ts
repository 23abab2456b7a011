import { createHash } from 'node:crypto';
import { encodeReading, readingHash, type Reading } from '../reading/encoding.js';
import { meterKeyPair, signReading } from '../reading/signature.js';

export interface ReadingVector {
  chainId: string;
  hub: string;
  communityId: string;
  meterIndex: number;
  interval: number;
  exportWh: number;
  importWh: number;
  encoded: string;
  hash: string;
  publicKey: string;
  signature: string;
}

const hex = (b: Uint8Array): string => `0x${Buffer.from(b).toString('hex')}`;

/** 32-byte seed derived from a label, so every vector key is reproducible. */
export function seedFor(label: string): Uint8Array {
  return createHash('sha256').update(label).digest();
}

const U32_MAX = 0xffff_ffff;
const U64_MAX = (1n << 64n) - 1n;

/** Cases: zero values, maximum values, several meters and intervals on two chains and hubs. */
export function readingVectorCases(): Reading[] {
  const hubA = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
  const hubB = '0xffffffffffffffffffffffffffffffffffffffff';
  const cases: Reading[] = [
    {
      chainId: 0n,
      hub: '0x0000000000000000000000000000000000000000',
      communityId: 0n,
      meterIndex: 0,
      interval: 0,
      exportWh: 0,
      importWh: 0,
    },
    {
      chainId: U64_MAX,
      hub: hubB,
      communityId: U64_MAX,
      meterIndex: U32_MAX,
      interval: U32_MAX,
      exportWh: U32_MAX,
      importWh: U32_MAX,
    },
    { chainId: 31337n, hub: hubA, communityId: 1n, meterIndex: 0, interval: 0, exportWh: 0, importWh: 103 },
  ];
  for (let meter = 0; meter < 4; meter++) {
    for (const interval of [1, 47, 95, 96, 35_039]) {
      cases.push({
        chainId: meter % 2 === 0 ? 31337n : 1n,
        hub: hubA,
        communityId: BigInt(1 + (meter % 3)),
        meterIndex: meter,
        interval,
        exportWh: (meter * 7919 + interval * 31) % 2500,
        importWh: (meter * 104729 + interval * 17) % 1800,
      });
    }
  }
  return cases;
}

export function readingVectors(): ReadingVector[] {
  return readingVectorCases().map((r) => {
    const key = meterKeyPair(seedFor(`meter-${r.meterIndex}`));
    const signed = signReading(r, key.secretKey);
    return {
      chainId: r.chainId.toString(),
      hub: r.hub,
      communityId: r.communityId.toString(),
      meterIndex: r.meterIndex,
      interval: r.interval,
      exportWh: r.exportWh,
      importWh: r.importWh,
      encoded: hex(encodeReading(r)),
      hash: readingHash(r),
      publicKey: hex(key.publicKey),
      signature: hex(signed.signature),
    };
  });
}
