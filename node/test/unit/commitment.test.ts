import { expect } from 'chai';
import { keccak256, toUtf8Bytes } from 'ethers';
import {
  buildLevels,
  merkleProof,
  merkleRoot,
  treeDepth,
  verifyMerkleProof,
  ZERO_HASH,
  hashPair,
} from '../../src/window/merkle.js';
import { ABSENT_LEAF, commitWindow, intervalProof, readingsRoot } from '../../src/window/commitment.js';
import { meterKeyPair, signReading } from '../../src/reading/index.js';
import { seedFor } from '../../src/vectors/readings.js';

const leaf = (i: number) => keccak256(toUtf8Bytes(`leaf-${i}`));

describe('position-binding Merkle tree', () => {
  it('pads to a power of two with zero and hashes pairs in order', () => {
    expect(treeDepth(1)).to.equal(0);
    expect(treeDepth(3)).to.equal(2);
    expect(treeDepth(96)).to.equal(7);
    expect(merkleRoot([leaf(0)])).to.equal(leaf(0));
    expect(merkleRoot([leaf(0), leaf(1), leaf(2)])).to.equal(
      hashPair(hashPair(leaf(0), leaf(1)), hashPair(leaf(2), ZERO_HASH)),
    );
    expect(hashPair(leaf(0), leaf(1))).to.not.equal(hashPair(leaf(1), leaf(0)));
  });

  it('every proof verifies at its index and at no other', () => {
    const leaves = Array.from({ length: 11 }, (_, i) => leaf(i));
    const levels = buildLevels(leaves);
    const root = merkleRoot(leaves);
    for (let i = 0; i < leaves.length; i++) {
      const proof = merkleProof(levels, i);
      expect(proof.length).to.equal(4);
      expect(verifyMerkleProof(root, leaves[i], i, proof)).to.equal(true);
      expect(verifyMerkleProof(root, leaves[i], i ^ 1, proof)).to.equal(false);
      expect(verifyMerkleProof(root, leaves[(i + 1) % 11], i, proof)).to.equal(false);
    }
    expect(verifyMerkleProof(root, leaves[0], 16, merkleProof(levels, 0))).to.equal(false);
  });
});

describe('window commitment', () => {
  const key = meterKeyPair(seedFor('meter-0'));
  const reading = {
    chainId: 1n,
    hub: `0x${'11'.repeat(20)}`,
    communityId: 1n,
    meterIndex: 0,
    interval: 4,
    exportWh: 5,
    importWh: 0,
  };

  it('an absent slot differs from any reading and changes the readings root', () => {
    const signed = signReading(reading, key.secretKey);
    expect(readingsRoot([signed, undefined])).to.not.equal(readingsRoot([signed, signed]));
    expect(readingsRoot([undefined])).to.equal(ABSENT_LEAF);
  });

  it('the window root commits to each interval state hash', () => {
    const base = [0, 1, 2].map((i) => ({ interval: 4 + i, readingsRoot: leaf(i), stateHash: leaf(10 + i) }));
    const c = commitWindow(base);
    const changed = commitWindow(base.map((x, i) => (i === 1 ? { ...x, stateHash: leaf(99) } : x)));
    expect(changed.windowRoot).to.not.equal(c.windowRoot);
    for (let i = 0; i < 3; i++)
      expect(verifyMerkleProof(c.windowRoot, c.intervals[i].leaf, i, intervalProof(c, i))).to.equal(true);
  });
});
