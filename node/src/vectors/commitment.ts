import { hexlify, keccak256, toUtf8Bytes } from 'ethers';
import { encodeReading, type Reading } from '../reading/encoding.js';
import { meterKeyPair, signReading, type SignedReading } from '../reading/signature.js';
import {
  ABSENT_LEAF,
  commitTrees,
  intervalProof,
  rawReadingLeaf,
  readingsTree,
  type MeterLayout,
} from '../window/commitment.js';
import { packEnergy } from '../window/energy.js';
import { emptySubtreeRoot, merkleProof } from '../window/merkle.js';
import { seedFor } from './readings.js';

const hex = (b: Uint8Array): string => `0x${Buffer.from(b).toString('hex')}`;

/**
 * The meter layout of the commitment vectors: N = 6 participants, M = 7 meters grouped by owner —
 * participant 0 runs three meters, 1 one, 3 two, 4 one; participants 2 and 5 run none (E_t is zero for
 * them). Odd sizes exercise the zero padding of both trees.
 */
export const COMMITMENT_LAYOUT: MeterLayout = { owners: [0, 0, 0, 1, 3, 3, 4], participants: 6 };

/**
 * A window of W = 5 intervals over COMMITMENT_LAYOUT, with absent slots (some in the middle of an owner's
 * range, so a running sum carries over an absent meter), plus every meter leaf (slot leaf and running sums),
 * every meter and interval proof, E_t packed and its hash. State hashes are labels' hashes: the commitment
 * does not care what the state is, only its hash.
 */
export function commitmentVectors() {
  const layout = COMMITMENT_LAYOUT;
  const M = layout.owners.length;
  const firstInterval = 10;
  const W = 5;
  const keys = Array.from({ length: M }, (_, m) => meterKeyPair(seedFor(`meter-${m}`)));
  const absent = (m: number, t: number) => (m + t) % 4 === 3;
  const intervals = [];
  const trees = [];
  const stateHashes: string[] = [];
  // Made-up entries roots, like the state hashes: the commitment binds whatever the claimant put there.
  const entriesRoots: string[] = [];
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
    const tree = readingsTree(layout, slots);
    trees.push(tree);
    stateHashes.push(keccak256(toUtf8Bytes(`state-${t}`)));
    entriesRoots.push(keccak256(toUtf8Bytes(`entries-${t}`)));
    intervals.push({
      interval: t,
      slots: slots.map((s, m) => ({
        present: s !== undefined,
        encoded: s ? hex(encodeReading(s.reading)) : '0x',
        signature: s ? hex(s.signature) : '0x',
        slotLeaf: tree.slotLeaves[m],
        accExportWh: tree.acc[m].exportWh.toString(),
        accImportWh: tree.acc[m].importWh.toString(),
        leaf: tree.meterLeaves[m],
        proof: merkleProof(tree.levels, m),
      })),
      readingsRoot: tree.root,
      energy: hexlify(packEnergy(tree.energy)),
      energyHash: tree.energyHash,
      stateHash: stateHashes[stateHashes.length - 1],
      entriesRoot: entriesRoots[entriesRoots.length - 1],
    });
  }
  const window = commitTrees(firstInterval, trees, stateHashes, entriesRoots);
  // The same bytes split at another boundary (one signature byte moved into the encoding): the
  // length prefixes give it another leaf, so an honest slot can never be re-read as a forged one.
  const first = intervals[0].slots.find((x) => x.present)!;
  const enc = Buffer.from(first.encoded.slice(2), 'hex');
  const sig = Buffer.from(first.signature.slice(2), 'hex');
  const shiftedEnc = Buffer.concat([enc, sig.subarray(0, 1)]);
  const shiftedSig = sig.subarray(1);
  return {
    absentLeaf: ABSENT_LEAF,
    // The empty subtree of every height a tree of W, M or N < 2^32 leaves has (the game's padding rule).
    emptyRoots: Array.from({ length: 33 }, (_, h) => emptySubtreeRoot(h)),
    resplit: {
      encoded: hex(shiftedEnc),
      signature: hex(shiftedSig),
      leaf: rawReadingLeaf(shiftedEnc, shiftedSig),
      honestLeaf: first.slotLeaf,
    },
    participants: layout.participants,
    meters: M,
    owners: [...layout.owners],
    windowIntervals: W,
    windowRoot: window.windowRoot,
    intervals: intervals.map((c, i) => ({
      ...c,
      leaf: window.intervals[i].leaf,
      proof: intervalProof(window, i),
    })),
  };
}
