import { keccak256, toUtf8Bytes } from 'ethers';
import { encodeReading, type Reading } from '../reading/encoding.js';
import { meterKeyPair, signReading, type SignedReading } from '../reading/signature.js';
import {
  ABSENT_LEAF,
  commitWindow,
  intervalProof,
  rawReadingLeaf,
  readingsRoot,
  slotLeaf,
} from '../window/commitment.js';
import { buildLevels, merkleProof } from '../window/merkle.js';
import { seedFor } from './readings.js';

const hex = (b: Uint8Array): string => `0x${Buffer.from(b).toString('hex')}`;

/**
 * A window of W = 5 intervals over M = 3 meters (odd sizes exercise the zero padding), with
 * absent slots, plus every slot and interval proof. State hashes are labels' hashes: the
 * commitment does not care what the state is, only its hash.
 */
export function commitmentVectors() {
  const M = 3;
  const firstInterval = 10;
  const W = 5;
  const keys = Array.from({ length: M }, (_, m) => meterKeyPair(seedFor(`meter-${m}`)));
  const absent = (m: number, t: number) => (m + t) % 4 === 3;
  const intervals = [];
  for (let t = firstInterval; t < firstInterval + W; t++) {
    const slots: (SignedReading | undefined)[] = [];
    for (let m = 0; m < M; m++) {
      const r: Reading = {
        chainId: 31337n,
        hub: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
        communityId: 1n,
        meterIndex: m,
        interval: t,
        exportWh: (m * 37 + t * 11) % 300,
        importWh: (m * 53 + t * 7) % 200,
      };
      slots.push(absent(m, t) ? undefined : signReading(r, keys[m].secretKey));
    }
    const leaves = slots.map(slotLeaf);
    const levels = buildLevels(leaves);
    intervals.push({
      interval: t,
      slots: slots.map((s, m) => ({
        present: s !== undefined,
        encoded: s ? hex(encodeReading(s.reading)) : '0x',
        signature: s ? hex(s.signature) : '0x',
        leaf: leaves[m],
        proof: merkleProof(levels, m),
      })),
      readingsRoot: readingsRoot(slots),
      stateHash: keccak256(toUtf8Bytes(`state-${t}`)),
    });
  }
  const window = commitWindow(intervals);
  // The same bytes split at another boundary (one signature byte moved into the encoding): the
  // length prefixes give it another leaf, so an honest slot can never be re-read as a forged one.
  const first = intervals[0].slots.find((x) => x.present)!;
  const enc = Buffer.from(first.encoded.slice(2), 'hex');
  const sig = Buffer.from(first.signature.slice(2), 'hex');
  const shiftedEnc = Buffer.concat([enc, sig.subarray(0, 1)]);
  const shiftedSig = sig.subarray(1);
  return {
    absentLeaf: ABSENT_LEAF,
    resplit: {
      encoded: hex(shiftedEnc),
      signature: hex(shiftedSig),
      leaf: rawReadingLeaf(shiftedEnc, shiftedSig),
      honestLeaf: first.leaf,
    },
    meters: M,
    windowIntervals: W,
    windowRoot: window.windowRoot,
    intervals: intervals.map((c, i) => ({
      ...c,
      leaf: window.intervals[i].leaf,
      proof: intervalProof(window, i),
    })),
  };
}
