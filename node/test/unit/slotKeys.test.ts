import { expect } from 'chai';
import { Bucket } from '../../src/db/buckets.js';
import { deserializeSignedReading, serializeSignedReading, type SignedReading } from '../../src/reading/signature.js';
import { tempDb } from '../utils/community.js';

const signed: SignedReading = {
  reading: {
    chainId: 31337n,
    hub: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
    communityId: 7n,
    meterIndex: 1023,
    interval: 0x0102_0304,
    exportWh: 1,
    importWh: 2,
  },
  signature: new Uint8Array(64).fill(9),
};

describe('store: slot keys (the layout of buckets.ts)', () => {
  it('a reading and an equivocation are keyed bucket | window | interval | meter, uint32 big-endian each', async () => {
    const { db, cleanup } = await tempDb();
    try {
      const slot = { window: 0xa0b0c0d, interval: 0x0102_0304, meter: 1023 };
      await db.readings.put(slot, signed);
      await db.equivocations.put(slot, { first: signed, second: signed });
      const keys: string[] = [];
      for await (const key of db.level.keys()) keys.push(Buffer.from(key).toString('hex'));
      const suffix = '0a0b0c0d' + '01020304' + '000003ff';
      expect(keys).to.deep.equal([`0${Bucket.reading}${suffix}`, `0${Bucket.equivocation}${suffix}`]);
      const [stored] = await db.readings.getMany([slot]);
      expect(serializeSignedReading(stored!)).to.deep.equal(serializeSignedReading(signed));
      expect(await db.equivocations.has(slot)).to.equal(true);
      expect((await db.readings.listWindow(0xa0b0c0d)).map(serializeSignedReading)).to.deep.equal([
        serializeSignedReading(deserializeSignedReading(serializeSignedReading(signed))),
      ]);
    } finally {
      await cleanup();
    }
  });

  it('a slot that is not three uint32 is a RangeError, never a wrapped key', async () => {
    const { db, cleanup } = await tempDb();
    try {
      for (const slot of [
        { window: 2 ** 32, interval: 0, meter: 0 },
        { window: 0, interval: -1, meter: 0 },
        { window: 0, interval: 0, meter: 1.5 },
      ]) {
        expect(() => db.readings.putOp(slot, signed), JSON.stringify(slot)).to.throw(RangeError);
        let error: unknown;
        await db.equivocations.get(slot).catch((e: unknown) => (error = e));
        expect(error, JSON.stringify(slot)).to.be.instanceOf(RangeError);
      }
    } finally {
      await cleanup();
    }
  });
});
