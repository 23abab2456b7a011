import { expect } from 'chai';
import { generateKeyPairSync, sign } from 'node:crypto';
import { encodeReading } from '../../src/reading/encoding.js';
import { deserializeSignedReading, lowS, MeterScheme } from '../../src/reading/signature.js';
import { readingLeaf } from '../../src/window/commitment.js';
import { GossipAction, GossipValidationError, ReadingGossipErrorCode as Code } from '../../src/chain/errors.js';
import {
  storeValidReading,
  storeValidReadings,
  validateReading,
  validateReadingBatch,
  type ReadingValidationContext,
  type ValidReading,
} from '../../src/chain/validation/reading.js';
import { VerifierPool } from '../../src/reading/verifierPool.js';
import { MeterKeyRing } from '../../src/reading/meterKeys.js';
import { serializeSignedReading, signReading, type SignedReading } from '../../src/reading/signature.js';
import type { Reading } from '../../src/reading/encoding.js';
import type { NodeDb } from '../../src/db/index.js';
import { manualClock, tempDb, testCommunity } from '../utils/community.js';

describe('reading gossip validation', () => {
  const { community, meterKeys } = testCommunity(3);
  let db: NodeDb;
  let cleanup: () => Promise<void>;
  let ctx: ReadingValidationContext;
  const { clock, state } = manualClock(community, community.start + 10 * 5 + 1); // interval 5, window 1

  const reading = (over: Partial<Reading> = {}): Reading => ({
    chainId: community.chainId,
    hub: community.hub,
    communityId: community.communityId,
    meterIndex: 1,
    interval: 4,
    exportWh: 10,
    importWh: 0,
    ...over,
  });
  const signed = (over: Partial<Reading> = {}, meter = over.meterIndex ?? 1): SignedReading =>
    signReading(reading(over), meterKeys[meter % 3].secretKey);
  const bytes = (s: SignedReading) => serializeSignedReading(s);

  async function outcome(data: Uint8Array): Promise<string> {
    try {
      const valid = await validateReading(ctx, data);
      await storeValidReading(db, valid);
      return valid.kind === 'new' ? 'ACCEPT' : 'ACCEPT equivocation';
    } catch (e) {
      if (e instanceof GossipValidationError) return `${e.action} ${e.code}`;
      throw e;
    }
  }

  beforeEach(async () => {
    ({ db, cleanup } = await tempDb());
    state.now = community.start + 10 * 5 + 1;
    ctx = {
      community,
      clock,
      keys: new MeterKeyRing(community.meters),
      db,
      maxFutureIntervals: 1,
      isWindowSettled: (w) => w < 1,
    };
  });
  afterEach(async () => cleanup());

  it('accepts a valid reading and stores it in its slot', async () => {
    expect(await outcome(bytes(signed()))).to.equal('ACCEPT');
    const stored = await db.readings.get({ window: 1, interval: 4, meter: 1 });
    expect(stored?.reading.exportWh).to.equal(10);
  });

  it('[REJECT] malformed bytes', async () => {
    expect(await outcome(new Uint8Array(10))).to.equal(`${GossipAction.REJECT} ${Code.MALFORMED}`);
    const b = bytes(signed());
    b[17] = 9; // version
    expect(await outcome(b)).to.equal(`${GossipAction.REJECT} ${Code.MALFORMED}`);
  });

  it('[REJECT] another chain, hub or community', async () => {
    expect(await outcome(bytes(signed({ chainId: 1n })))).to.equal(`REJECT ${Code.WRONG_COMMUNITY}`);
    expect(await outcome(bytes(signed({ hub: `0x${'33'.repeat(20)}` })))).to.equal(`REJECT ${Code.WRONG_COMMUNITY}`);
    expect(await outcome(bytes(signed({ communityId: 2n })))).to.equal(`REJECT ${Code.WRONG_COMMUNITY}`);
  });

  it('[REJECT] unknown meter', async () => {
    expect(await outcome(bytes(signed({ meterIndex: 7 }, 1)))).to.equal(`REJECT ${Code.UNKNOWN_METER}`);
  });

  it('[REJECT] an interval past the last window', async () => {
    expect(await outcome(bytes(signed({ interval: 40 })))).to.equal(`REJECT ${Code.OUTSIDE_COMMUNITY}`);
  });

  it("[REJECT] a bad signature or another meter's key", async () => {
    const s = signed();
    s.signature[3] ^= 1;
    expect(await outcome(bytes(s))).to.equal(`REJECT ${Code.BAD_SIGNATURE}`);
    expect(await outcome(bytes(signed({ meterIndex: 1 }, 2)))).to.equal(`REJECT ${Code.BAD_SIGNATURE}`);
  });

  it('[IGNORE] too far in the future', async () => {
    expect(await outcome(bytes(signed({ interval: 6 })))).to.equal('ACCEPT');
    expect(await outcome(bytes(signed({ interval: 7 })))).to.equal(`IGNORE ${Code.TOO_EARLY}`);
  });

  it('[IGNORE] a duplicate', async () => {
    expect(await outcome(bytes(signed()))).to.equal('ACCEPT');
    expect(await outcome(bytes(signed()))).to.equal(`IGNORE ${Code.DUPLICATE}`);
  });

  it('[IGNORE] a reading for a window whose result is already on chain', async () => {
    expect(await outcome(bytes(signed({ interval: 3 })))).to.equal(`IGNORE ${Code.WINDOW_SEALED}`);
    expect(await outcome(bytes(signed({ interval: 4 })))).to.equal('ACCEPT');
  });

  it('keeps equivocation evidence once, without losing the first reading', async () => {
    expect(await outcome(bytes(signed({ exportWh: 10 })))).to.equal('ACCEPT');
    expect(await outcome(bytes(signed({ exportWh: 11 })))).to.equal('ACCEPT equivocation');
    expect(await outcome(bytes(signed({ exportWh: 12 })))).to.equal(`IGNORE ${Code.EQUIVOCATION_KNOWN}`);
    const e = await db.equivocations.get({ window: 1, interval: 4, meter: 1 });
    expect([e?.first.reading.exportWh, e?.second.reading.exportWh]).to.deep.equal([10, 11]);
    expect((await db.readings.get({ window: 1, interval: 4, meter: 1 }))?.reading.exportWh).to.equal(10);
  });

  it('a forged equivocation (bad signature) is rejected, not kept', async () => {
    expect(await outcome(bytes(signed({ exportWh: 10 })))).to.equal('ACCEPT');
    const forged = signed({ exportWh: 99 });
    forged.signature[0] ^= 1;
    expect(await outcome(bytes(forged))).to.equal(`REJECT ${Code.BAD_SIGNATURE}`);
    expect(await db.equivocations.has({ window: 1, interval: 4, meter: 1 })).to.equal(false);
  });

  describe('a P-256 meter (ECDSA signatures are not unique)', () => {
    // Meter 1 is a secure element: every signature over the same 70 bytes differs (random k), and
    // anyone can turn (r, s) into (r, N - s), which verifies too. Neither is an equivocation: the
    // chain's rule is two validly signed readings with DIFFERENT encodings (else NotEquivocation).
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const raw = new Uint8Array(Buffer.concat([Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]));
    const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const p256Signed = (over: Partial<Reading> = {}): SignedReading => {
      const r = reading(over);
      return {
        reading: r,
        signature: new Uint8Array(sign('sha256', encodeReading(r), { key: privateKey, dsaEncoding: 'ieee-p1363' })),
      };
    };
    const malleate = (s: SignedReading): SignedReading => {
      const sig = Buffer.from(s.signature);
      const high = (N - BigInt(`0x${sig.subarray(32).toString('hex')}`)).toString(16).padStart(64, '0');
      return {
        reading: s.reading,
        signature: new Uint8Array(Buffer.concat([sig.subarray(0, 32), Buffer.from(high, 'hex')])),
      };
    };

    beforeEach(() => {
      const meters = community.meters.map((m, i) => (i === 1 ? { ...m, publicKey: raw, scheme: MeterScheme.P256 } : m));
      ctx = { ...ctx, community: { ...community, meters }, keys: new MeterKeyRing(meters) };
    });

    it('a second signature over the same reading is a duplicate, not an equivocation', async () => {
      expect(await outcome(bytes(p256Signed()))).to.equal('ACCEPT');
      const again = p256Signed();
      expect(ctx.keys.verify(again)).to.equal(true);
      expect(await outcome(bytes(again))).to.equal(`IGNORE ${Code.DUPLICATE}`);
      expect(await db.equivocations.has({ window: 1, interval: 4, meter: 1 })).to.equal(false);
    });

    it('the malleated twin (s -> N - s) is a duplicate, not an equivocation', async () => {
      const first = p256Signed();
      expect(await outcome(bytes(first))).to.equal('ACCEPT');
      const twin = malleate(first);
      expect(ctx.keys.verify(twin)).to.equal(true);
      expect(await outcome(bytes(twin))).to.equal(`IGNORE ${Code.DUPLICATE}`);
      expect(await db.equivocations.has({ window: 1, interval: 4, meter: 1 })).to.equal(false);
    });

    it('whichever twin arrives first, every node keeps the low-s one: the same slot leaf, the same root', async () => {
      // A hostile peer re-sends a P-256 reading with s flipped: the reading leaf hashes the signature,
      // so a node that kept the twin would fold another window root than one that kept the original.
      const original = p256Signed();
      const twin = malleate(original);
      const low =
        BigInt(`0x${Buffer.from(original.signature.subarray(32)).toString('hex')}`) <= N / 2n ? original : twin;
      const slot = { window: 1, interval: 4, meter: 1 };
      const kept: string[] = [];
      for (const order of [
        [original, twin],
        [twin, original],
      ]) {
        // One at a time, and in batches (which store the bytes as received when they are the stored form).
        for (const batched of [false, true]) {
          const fresh = await tempDb();
          const c = { ...ctx, db: fresh.db };
          try {
            for (const x of order) {
              if (batched) {
                const [v] = await validateReadingBatch(c, [bytes(x)], async (items) =>
                  items.map((i) => c.keys.verifyEncoded(i.meterIndex, i.message, i.signature)),
                );
                if (!(v instanceof GossipValidationError)) await storeValidReadings(fresh.db, [v]);
                continue;
              }
              const v = await validateReading(c, bytes(x)).catch((e: unknown) => e);
              if (!(v instanceof GossipValidationError)) await storeValidReading(fresh.db, v as ValidReading);
            }
            kept.push(Buffer.from((await fresh.db.readings.get(slot))!.signature).toString('hex'));
          } finally {
            await fresh.cleanup();
          }
        }
      }
      expect(kept).to.deep.equal(Array.from({ length: 4 }, () => Buffer.from(low.signature).toString('hex')));
      expect(readingLeaf({ reading: original.reading, signature: lowS(twin.signature) })).to.equal(
        readingLeaf({ reading: original.reading, signature: lowS(original.signature) }),
      );
    });

    it('two validly signed, different values still are an equivocation', async () => {
      expect(await outcome(bytes(p256Signed({ exportWh: 10 })))).to.equal('ACCEPT');
      expect(await outcome(bytes(p256Signed({ exportWh: 11 })))).to.equal('ACCEPT equivocation');
    });
  });

  it('a batch validates (and stores) exactly as one at a time would, signatures on worker threads', async () => {
    const bad = signed({ interval: 5 });
    bad.signature[0] ^= 1;
    const list = [
      bytes(signed({ interval: 4, exportWh: 10 })),
      bytes(signed({ interval: 4, exportWh: 10 })), // duplicate of the one before, in the same batch
      bytes(signed({ interval: 4, exportWh: 11 })), // equivocation against the batch's first
      bytes(signed({ interval: 4, exportWh: 12 })), // evidence already held
      bytes(bad),
      bytes(signed({ interval: 5 })),
      bytes(signed({ chainId: 1n })),
      bytes(signed({ interval: 3 })), // sealed window
      new Uint8Array(5),
      ...Array.from({ length: 40 }, (_, i) =>
        bytes(signed({ interval: 4 + (i % 2), meterIndex: 2, exportWh: i < 2 ? 1 : i }, 2)),
      ),
    ];
    const describe = (r: ValidReading | Error) =>
      r instanceof GossipValidationError
        ? `${r.action} ${r.code}`
        : r instanceof Error
          ? r.message
          : `ACCEPT ${r.kind}`;
    const sequential: string[] = [];
    for (const b of list) sequential.push(await outcome(b).then((o) => (o === 'ACCEPT' ? 'ACCEPT new' : o)));
    const seqReadings = (await db.readings.listWindow(1)).length;
    const seqEvidence = (await db.equivocations.listWindow(1)).length;
    await cleanup();
    ({ db, cleanup } = await tempDb());
    ctx = { ...ctx, db };
    const pool = new VerifierPool(ctx.keys, community.meters, 2);
    try {
      const results = await validateReadingBatch(ctx, list, (batch) => pool.verify(batch));
      await storeValidReadings(
        db,
        results.filter((r): r is ValidReading => !(r instanceof Error)),
      );
      expect(results.map(describe)).to.deep.equal(sequential);
      expect((await db.readings.listWindow(1)).length).to.equal(seqReadings);
      expect((await db.equivocations.listWindow(1)).length).to.equal(seqEvidence);
      // The pool agrees with the key ring on every signature, good or bad.
      const all = list.slice(0, 6).map((b) => deserializeSignedReading(b));
      const many = Array.from({ length: 10 }, () => all).flat();
      const items = many.map((x, i) => ({
        meterIndex: x.reading.meterIndex,
        message: list[i % 6].subarray(0, 70),
        signature: x.signature,
      }));
      expect(await pool.verify(items)).to.deep.equal(many.map((x) => ctx.keys.verify(x)));
    } finally {
      await pool.close();
    }
  });
  it('batch: evidence already stored for a slot still makes a third reading EQUIVOCATION_KNOWN (looked up only for held slots)', async () => {
    expect(await outcome(bytes(signed({ exportWh: 10 })))).to.equal('ACCEPT');
    expect(await outcome(bytes(signed({ exportWh: 11 })))).to.equal('ACCEPT equivocation');
    const results = await validateReadingBatch(
      ctx,
      [bytes(signed({ exportWh: 12 })), bytes(signed({ interval: 5 }))],
      async (batch) => batch.map(() => true),
    );
    expect(results.map((r) => (r instanceof GossipValidationError ? r.code : r.kind))).to.deep.equal([
      Code.EQUIVOCATION_KNOWN,
      'new',
    ]);
  });
});
