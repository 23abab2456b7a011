import { keccak256, toUtf8Bytes } from 'ethers';
import { encodeReading, type Reading } from '../reading/encoding.js';
import { meterKeyPair, signReading, type SignedReading } from '../reading/signature.js';
import { ABSENT_LEAF, commitWindow, intervalProof, readingsRoot, slotLeaf } from '../window/commitment.js';
import { buildLevels, merkleProof } from '../window/merkle.js';
import { seedFor } from './readings.js';

const hex = (b: Uint8Array): string => '0x' + Buffer.from(b).toString('hex');

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
  return {
    absentLeaf: ABSENT_LEAF,
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
