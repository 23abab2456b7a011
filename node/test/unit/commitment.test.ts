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
import {
  ABSENT_LEAF,
  checkMeterLayout,
  commitWindow,
  intervalProof,
  MeterLayoutError,
  meterLeaf,
  readingsTree,
  slotLeaf,
} from '../../src/window/commitment.js';
import { energyHash, EnergyVectorError, packEnergy, unpackEnergy, ZERO_ENERGY } from '../../src/window/energy.js';
import { intervalEnergy } from '../../src/window/market.js';
import { toMeterEnergy } from '../../src/window/assemble.js';
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

  const signedAt = (meterIndex: number, exportWh: number, importWh: number) =>
    signReading({ ...reading, meterIndex, exportWh, importWh }, key.secretKey);

  it('an absent slot differs from any reading and changes the readings root', () => {
    const signed = signedAt(0, 5, 0);
    const two = { owners: [0, 0], participants: 1 };
    expect(readingsTree(two, [signed, undefined]).root).to.not.equal(readingsTree(two, [signed, signed]).root);
    const one = readingsTree({ owners: [0], participants: 1 }, [undefined]);
    expect(one.root).to.equal(meterLeaf(ABSENT_LEAF, ZERO_ENERGY));
  });

  it('running sums restart at each owner, carry over absent meters, and E_t is each owner’s last sum', () => {
    // Participants 0 (meters 0–2), 1 (none), 2 (meter 3), 3 (meters 4–5).
    const layout = { owners: [0, 0, 0, 2, 3, 3], participants: 4 };
    const slots = [
      signedAt(0, 10, 1),
      undefined,
      signedAt(2, 5, 7),
      signedAt(3, 3, 3),
      signedAt(4, 0, 9),
      signedAt(5, 4, 0),
    ];
    const tree = readingsTree(layout, slots);
    expect(tree.acc.map((a) => [a.exportWh, a.importWh])).to.deep.equal([
      [10n, 1n],
      [10n, 1n],
      [15n, 8n],
      [3n, 3n],
      [0n, 9n],
      [4n, 9n],
    ]);
    expect(tree.energy.map((a) => [a.exportWh, a.importWh])).to.deep.equal([
      [15n, 8n],
      [0n, 0n],
      [3n, 3n],
      [4n, 9n],
    ]);
    // E_t is what the market step sums per participant (one rule, two ways to read it).
    const { exported, imported } = intervalEnergy(4, layout.owners, slots.map(toMeterEnergy));
    expect(tree.energy.map((e) => e.exportWh)).to.deep.equal(exported);
    expect(tree.energy.map((e) => e.importWh)).to.deep.equal(imported);
    expect(tree.meterLeaves[1]).to.equal(meterLeaf(slotLeaf(undefined), { exportWh: 10n, importWh: 1n }));
    expect(tree.energyHash).to.equal(energyHash(packEnergy(tree.energy)));
    // Another owner split of the same slots: other running sums, another root.
    expect(readingsTree({ owners: [0, 0, 1, 2, 3, 3], participants: 4 }, slots).root).to.not.equal(tree.root);
  });

  it('refuses a meter list that is not grouped by owner, naming the first meter out of order', () => {
    expect(() => checkMeterLayout({ owners: [0, 1, 0], participants: 2 }))
      .to.throw(MeterLayoutError)
      .with.property('type')
      .that.deep.equals({ code: 'METERS_NOT_GROUPED_BY_OWNER', index: 2, owner: 0, previousOwner: 1 });
    expect(() => checkMeterLayout({ owners: [0, 2], participants: 2 }))
      .to.throw(MeterLayoutError)
      .with.property('code', 'METER_OWNER_OUT_OF_RANGE');
    expect(() => readingsTree({ owners: [1, 0], participants: 2 }, [undefined, undefined])).to.throw(MeterLayoutError);
    expect(() => checkMeterLayout({ owners: [0, 0, 1, 3, 3], participants: 5 })).to.not.throw();
  });

  it('packs E_t as N × 16 bytes big-endian and refuses any other length', () => {
    const packed = packEnergy([
      { exportWh: 1n, importWh: 2n },
      { exportWh: (1n << 64n) - 1n, importWh: 0n },
    ]);
    expect(Buffer.from(packed).toString('hex')).to.equal(
      `${'00'.repeat(7)}01${'00'.repeat(7)}02${'ff'.repeat(8)}${'00'.repeat(8)}`,
    );
    expect(unpackEnergy(packed)[1].exportWh).to.equal((1n << 64n) - 1n);
    expect(() => unpackEnergy(packed.subarray(1)))
      .to.throw(EnergyVectorError)
      .with.property('code', 'ENERGY_VECTOR_BAD_LENGTH');
    expect(() => packEnergy([{ exportWh: 1n << 64n, importWh: 0n }])).to.throw(EnergyVectorError);
  });

  it('the window root commits to each interval state hash, energy hash and entries root', () => {
    const base = [0, 1, 2].map((i) => ({
      interval: 4 + i,
      readingsRoot: leaf(i),
      energyHash: leaf(20 + i),
      stateHash: leaf(10 + i),
      entriesRoot: leaf(30 + i),
    }));
    const c = commitWindow(base);
    const changed = commitWindow(base.map((x, i) => (i === 1 ? { ...x, stateHash: leaf(99) } : x)));
    expect(changed.windowRoot).to.not.equal(c.windowRoot);
    const otherEnergy = commitWindow(base.map((x, i) => (i === 2 ? { ...x, energyHash: leaf(98) } : x)));
    expect(otherEnergy.windowRoot).to.not.equal(c.windowRoot);
    const otherEntries = commitWindow(base.map((x, i) => (i === 0 ? { ...x, entriesRoot: leaf(97) } : x)));
    expect(otherEntries.windowRoot).to.not.equal(c.windowRoot);
    for (let i = 0; i < 3; i++)
      expect(verifyMerkleProof(c.windowRoot, c.intervals[i].leaf, i, intervalProof(c, i))).to.equal(true);
  });
});
