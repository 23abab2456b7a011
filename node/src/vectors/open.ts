import { getAddress, hexlify, keccak256, toUtf8Bytes } from 'ethers';
import { encodeMeters, encodeParticipants } from '../chain/openCodec.js';
import { balancesRoot, genesisBalances } from '../window/balances.js';
import { meterRoot, type MeterRecord } from '../window/meters.js';

/**
 * `Hub.open` list vectors (`contracts/test/vectors/open.json`): TypeScript's packed lists
 * (node/src/chain/openCodec.ts) and the roots the hub stores for them, against Solidity's `OpenCodec`
 * encoders and `Settlement.genesisRoot` / `Settlement.meterRoot` decoding the same bytes (replayed by
 * `contracts/test/libraries/OpenCodec.t.sol`).
 *
 * ```
 * { count, cases: [ { name, participants: [], escrow, packedParticipants, genesisRoot,
 *                     owners: [], schemes: [], keys: [], packedMeters, meterRoot } ] }
 * ```
 */
export interface OpenListsCase {
  name: string;
  participants: string[];
  escrow: string;
  packedParticipants: string;
  genesisRoot: string;
  owners: number[];
  schemes: number[];
  keys: string[];
  packedMeters: string;
  meterRoot: string;
}

const bytesOf = (s: string, length: number): Uint8Array => {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 32) {
    out.set(Buffer.from(keccak256(toUtf8Bytes(`${s}/${i}`)).slice(2), 'hex').subarray(0, Math.min(32, length - i)), i);
  }
  return out;
};
const addressOf = (label: string): string => getAddress(hexlify(bytesOf(`participant ${label}`, 20)));

function caseOf(name: string, n: number, escrow: bigint, meters: MeterRecord[]): OpenListsCase {
  const participants = Array.from({ length: n }, (_, i) => addressOf(`${name}/${i}`));
  return {
    name,
    participants,
    escrow: escrow.toString(),
    packedParticipants: encodeParticipants(participants),
    genesisRoot: balancesRoot(genesisBalances(participants, escrow), 0n),
    owners: meters.map((m) => m.owner),
    schemes: meters.map((m) => m.scheme),
    keys: meters.map((m) => hexlify(m.publicKey)),
    packedMeters: encodeMeters(meters),
    meterRoot: meterRoot(meters),
  };
}

export function openListVectors(): { count: number; cases: OpenListsCase[] } {
  const ed = (owner: number, label: string): MeterRecord => ({ owner, scheme: 0, publicKey: bytesOf(label, 32) });
  const p256 = (owner: number, label: string): MeterRecord => ({ owner, scheme: 1, publicKey: bytesOf(label, 64) });
  const cases = [
    caseOf('one participant, one meter', 1, 0n, [ed(0, 'a')]),
    caseOf('three participants, two schemes', 3, 1_000_000n, [ed(0, 'a'), p256(0, 'b'), ed(2, 'c')]),
    // Owners past one byte (the uint16 field's high byte), keys of other lengths (0 and 5 bytes).
    caseOf('three hundred participants, odd keys', 300, 7n, [
      { owner: 0, scheme: 0, publicKey: new Uint8Array(0) },
      { owner: 1, scheme: 2, publicKey: bytesOf('short', 5) },
      ed(256, 'x'),
      p256(299, 'y'),
    ]),
    // Past a power of two on both lists: 33 participants, 33 meters (depth 6).
    caseOf(
      'thirty-three of each',
      33,
      123n,
      Array.from({ length: 33 }, (_, k) => (k % 4 === 3 ? p256(k, `m${k}`) : ed(k, `m${k}`))),
    ),
  ];
  return { count: cases.length, cases };
}
