import { hexlify, keccak256, toUtf8Bytes } from 'ethers';
import { MeterRegistry, meterRecordLeaf, type MeterRecord } from '../window/meters.js';

/**
 * Meter-registry vectors (`contracts/test/vectors/meters.json`): TypeScript's `meterRecordLeaf`, `MeterRegistry`
 * root and openings (node/src/window/meters.ts) against Solidity's `MeterRegistry.leaf` / `MeterRegistry.root`
 * and `MerkleTree.verify` (replayed by `contracts/test/libraries/MeterRegistryVectors.t.sol`).
 *
 * ```
 * { count, cases: [ { name, owners: [], schemes: [], keys: [], leaves: [], root, paths: [[]] } ] }
 * ```
 * `paths[k]` is meter k's record opening (siblings bottom-up, depth(M) of them).
 */
export interface MeterRegistryCase {
  name: string;
  owners: number[];
  schemes: number[];
  keys: string[];
  leaves: string[];
  root: string;
  paths: string[][];
}

/** A deterministic key of `length` bytes (the registry hashes keys; it never checks them). */
const keyOf = (label: string, length: number): Uint8Array => {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 32) out.set(bytesOf(`${label}/${i}`).subarray(0, Math.min(32, length - i)), i);
  return out;
};
const bytesOf = (s: string): Uint8Array => Buffer.from(keccak256(toUtf8Bytes(s)).slice(2), 'hex');

function caseOf(name: string, meters: MeterRecord[]): MeterRegistryCase {
  const registry = new MeterRegistry(meters);
  return {
    name,
    owners: meters.map((m) => m.owner),
    schemes: meters.map((m) => m.scheme),
    keys: meters.map((m) => hexlify(m.publicKey)),
    leaves: meters.map((m, k) => meterRecordLeaf(k, m)),
    root: registry.root,
    paths: meters.map((_, k) => registry.opening(k).path),
  };
}

export function meterRegistryVectors(): { count: number; cases: MeterRegistryCase[] } {
  const ed = (owner: number, label: string): MeterRecord => ({ owner, scheme: 0, publicKey: keyOf(label, 32) });
  const p256 = (owner: number, label: string): MeterRecord => ({ owner, scheme: 1, publicKey: keyOf(label, 64) });
  const cases = [
    caseOf('one meter', [ed(0, 'a')]),
    caseOf('two meters, two schemes', [ed(0, 'a'), p256(1, 'b')]),
    // The commitment vectors' layout (§4): owners 0, 0, 0, 1, 3, 3, 4 — padded to 8.
    caseOf(
      'seven meters grouped by owner',
      [0, 0, 0, 1, 3, 3, 4].map((o, k) => (k % 3 === 2 ? p256(o, `m${k}`) : ed(o, `m${k}`))),
    ),
    // Past a power of two: 33 meters (depth 6), an owner with many meters, large owner indexes.
    caseOf(
      'thirty-three meters',
      Array.from({ length: 33 }, (_, k) => ed(k < 20 ? 7 : 200 + k, `n${k}`)),
    ),
    // A key of another length than its scheme's: the registry commits to it as given.
    caseOf('odd key lengths', [{ owner: 0, scheme: 0, publicKey: keyOf('short', 5) }, p256(0, 'x'), ed(2, 'y')]),
  ];
  return { count: cases.length, cases };
}
