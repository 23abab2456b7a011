import { expect } from 'chai';
import { AbiCoder, Contract, getBytes, hexlify, keccak256, solidityPacked } from 'ethers';
import { loadArtifact } from '../../src/chain/artifacts.js';
import { isValidMeterKey } from '../../src/reading/meterKeys.js';
import { MeterScheme, meterKeyPair } from '../../src/reading/signature.js';
import { MeterListError, metersFromOpen } from '../../src/chain/hubClient.js';
import { encodeMeters, encodeParticipants } from '../../src/chain/openCodec.js';
import { treeDepth } from '../../src/window/merkle.js';
import {
  MeterRegistry,
  meterRecordLeaf,
  meterRoot,
  meterRegistryOf,
  verifyMeterRecord,
  type MeterRecord,
} from '../../src/window/meters.js';

const key = (label: string, length = 32): Uint8Array => getBytes(keccak256(Buffer.from(label))).slice(0, length);
const meters: MeterRecord[] = [
  { owner: 0, scheme: 0, publicKey: key('a') },
  { owner: 0, scheme: 1, publicKey: new Uint8Array([...key('b'), ...key('c')]) },
  { owner: 2, scheme: 0, publicKey: key('d') },
];

describe('meter registry (window/meters.ts, twin of MeterRegistry.sol)', () => {
  it('leaf = keccak256(0x05 ‖ uint32 index ‖ uint32 owner ‖ uint8 scheme ‖ keccak256(key))', () => {
    const expected = keccak256(
      solidityPacked(['uint8', 'uint32', 'uint32', 'uint8', 'bytes32'], [5, 2, 2, 0, keccak256(key('d'))]),
    );
    expect(meterRecordLeaf(2, meters[2])).to.equal(expected);
    // The index is in the leaf: the same record at another position is another leaf.
    expect(meterRecordLeaf(1, meters[2])).to.not.equal(expected);
  });

  it('opens every record at depth(M) and refuses another owner, key, scheme, index or path length', () => {
    const registry = new MeterRegistry(meters);
    expect(registry.root).to.equal(meterRoot(meters));
    for (let k = 0; k < meters.length; k++) {
      const o = registry.opening(k);
      expect(o.path).to.have.length(treeDepth(meters.length));
      expect(verifyMeterRecord(registry.root, meters.length, o)).to.equal(true);
    }
    const o = registry.opening(1);
    expect(verifyMeterRecord(registry.root, 3, { ...o, owner: 1 })).to.equal(false);
    expect(verifyMeterRecord(registry.root, 3, { ...o, scheme: 0 })).to.equal(false);
    expect(verifyMeterRecord(registry.root, 3, { ...o, publicKey: hexlify(key('x')) })).to.equal(false);
    expect(verifyMeterRecord(registry.root, 3, { ...o, index: 0 })).to.equal(false);
    expect(verifyMeterRecord(registry.root, 3, { ...o, path: o.path.slice(1) })).to.equal(false);
    expect(verifyMeterRecord(registry.root, 3, { ...o, path: [...o.path, o.path[0]] })).to.equal(false);
    expect(() => registry.opening(3)).to.throw(RangeError);
  });

  it('builds one registry per meter list', () => {
    expect(meterRegistryOf(meters)).to.equal(meterRegistryOf(meters));
  });

  describe('metersFromOpen (the node reads the meter list from the open calldata)', () => {
    const hub = new Contract('0x000000000000000000000000000000000000dEaD', loadArtifact('Hub').abi);
    const config = {
      participants: encodeParticipants([
        '0x0000000000000000000000000000000000000001',
        '0x0000000000000000000000000000000000000002',
      ]),
      meters: encodeMeters(meters),
      intervalSeconds: 900,
      windowIntervals: 96,
      start: 0,
      windowCount: 1,
      market: {
        kind: 0,
        gridBuyPrice: 250,
        gridSellPrice: 50,
        feederCapacityWh: 0,
        limitsHash: `0x${'00'.repeat(32)}`,
        tariffHash: `0x${'00'.repeat(32)}`,
      },
      token: '0x0000000000000000000000000000000000000003',
      bond: 1,
      escrow: 1,
      challengePeriod: 60,
      modules: {
        verifier: '0x0000000000000000000000000000000000000004',
        market: '0x0000000000000000000000000000000000000005',
        coSignature: '0x0000000000000000000000000000000000000006',
        meterSchemes: ['0x0000000000000000000000000000000000000007'],
        game: '0x0000000000000000000000000000000000000008',
      },
    };
    const data = hub.interface.encodeFunctionData('open', [config]);

    it('returns the listed meters when they have the hub’s meterRoot', () => {
      const read = metersFromOpen(hub, data, { meterRoot: meterRoot(meters), meterCount: 3, communityId: 1n });
      expect(read.map((m) => [m.index, m.owner, m.scheme, hexlify(m.publicKey)])).to.deep.equal(
        meters.map((m, k) => [k, m.owner, m.scheme, hexlify(m.publicKey)]),
      );
    });

    it('reads the same list from openTogether and openTogetherWithPermits, which take the config first', () => {
      const sig = `0x${'11'.repeat(64)}`;
      for (const opening of [
        hub.interface.encodeFunctionData('openTogether', [config, 1n, sig]),
        hub.interface.encodeFunctionData('openTogetherWithPermits', [config, 1n, sig, sig]),
      ]) {
        const read = metersFromOpen(hub, opening, { meterRoot: meterRoot(meters), meterCount: 3, communityId: 1n });
        expect(read.map((m) => hexlify(m.publicKey))).to.deep.equal(meters.map((m) => hexlify(m.publicKey)));
      }
    });

    it('a root or count mismatch is a one-line MeterListError', () => {
      const other = meterRoot(meters.slice(0, 2));
      for (const expected of [
        { meterRoot: other, meterCount: 3, communityId: 1n },
        { meterRoot: meterRoot(meters), meterCount: 2, communityId: 1n },
      ]) {
        expect(() => metersFromOpen(hub, data, expected))
          .to.throw(MeterListError)
          .with.property('message')
          .that.matches(/^community 1: the open calldata's 3 meters have root 0x[0-9a-f]{64}, the hub's meterRoot is/)
          .and.not.include('\n');
      }
    });

    it('a packed meter list that ends inside a record is a one-line MeterListError', () => {
      const cut = hub.interface.encodeFunctionData('open', [{ ...config, meters: encodeMeters(meters).slice(0, -2) }]);
      expect(() => metersFromOpen(hub, cut, { meterRoot: meterRoot(meters), meterCount: 3, communityId: 1n }))
        .to.throw(MeterListError)
        .with.property('message')
        .that.matches(/^community 1: the packed meter list ends inside the record at byte 104$/);
    });

    it('review s12 (F1): reads a meter list laid out last and unpadded, which the hub accepts (same root)', () => {
      // `HubTest.test_Open_AcceptsMetersLaidOutLastUnpadded`: the ABI decoder asks no padding after the
      // calldata's last byte. Move the list to the end (its head offset rewritten), without its padding.
      const canonical = getBytes(data);
      const list = getBytes(config.meters);
      expect(list.length % 32).to.not.equal(0);
      const structBase = 4 + 32;
      const moved = new Uint8Array([
        ...canonical,
        ...getBytes(AbiCoder.defaultAbiCoder().encode(['uint256'], [list.length])),
        ...list,
      ]);
      // Head word 1 of the struct: the meters' offset, from the struct's start.
      moved.set(
        getBytes(AbiCoder.defaultAbiCoder().encode(['uint256'], [canonical.length - structBase])),
        structBase + 32,
      );
      const nonCanonical = hexlify(moved);
      expect(() => hub.interface.parseTransaction({ data: nonCanonical })).to.throw(/data out-of-bounds/);
      const read = metersFromOpen(hub, nonCanonical, { meterRoot: meterRoot(meters), meterCount: 3, communityId: 1n });
      expect(read.map((m) => hexlify(m.publicKey))).to.deep.equal(meters.map((m) => hexlify(m.publicKey)));
    });

    it('calldata that is not a direct Hub.open call is refused', () => {
      const notOpen = AbiCoder.defaultAbiCoder().encode(['uint256'], [1]);
      expect(() =>
        metersFromOpen(hub, notOpen, { meterRoot: meterRoot(meters), meterCount: 3, communityId: 7n }),
      ).to.throw(
        MeterListError,
        'community 7: its open transaction is not a direct Hub.open, Hub.openTogether or Hub.openTogetherWithPermits call',
      );
    });
  });

  it('isValidMeterKey is the schemes’ isValidKey: small-order or off-curve keys are not valid', () => {
    const identity = new Uint8Array(32);
    identity[0] = 1;
    expect(isValidMeterKey(MeterScheme.Ed25519, identity)).to.equal(false);
    const offCurve = new Uint8Array(32);
    offCurve[0] = 2;
    expect(isValidMeterKey(MeterScheme.Ed25519, offCurve)).to.equal(false);
    expect(isValidMeterKey(MeterScheme.Ed25519, meterKeyPair(new Uint8Array(32).fill(7)).publicKey)).to.equal(true);
    expect(isValidMeterKey(MeterScheme.Ed25519, new Uint8Array(33))).to.equal(false);
    expect(isValidMeterKey(MeterScheme.P256, new Uint8Array(64))).to.equal(false);
  });
});
