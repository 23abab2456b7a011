import { expect } from 'chai';
import { GossipValidationError, ReadingGossipErrorCode } from '../../src/chain/errors.js';
import {
  decideReadingBatch,
  type ReadingValidationContext,
  slotKeyOf,
  storeValidReading,
  type ValidReading,
  validateReading,
} from '../../src/chain/validation/reading.js';
import type { NodeDb } from '../../src/db/index.js';
import { NodeEvents } from '../../src/node/events.js';
import {
  HeldSlots,
  Ingest,
  type ProcessBatch,
  RecentlyCommitted,
  type ReadingSource,
  readingProcessor,
} from '../../src/node/ingest.js';
import { MeterKeyRing } from '../../src/reading/meterKeys.js';
import { VerifierPool } from '../../src/reading/verifierPool.js';
import { nullLogger } from '../../src/util/logger.js';
import { meterResumeInterval } from '../../src/node/meterFactory.js';
import { windowProtocolHandlers } from '../../src/node/reqrespHandlers.js';
import { deserializeSignedReading, fastReadingSigner, serializeSignedReading } from '../../src/reading/signature.js';
import { manualClock, tempDb, testCommunity } from '../utils/community.js';

/** The same bytes with one signature bit flipped: a forgery. */
const forged = (b: Uint8Array) => {
  const out = new Uint8Array(b);
  out[80] ^= 1;
  return out;
};

describe('node parts', () => {
  const { community, meterKeys } = testCommunity(3);
  const signers = meterKeys.map((k) => fastReadingSigner(k.secretKey.subarray(0, 32)));
  const wire = (meter: number, interval: number, exportWh = 10) =>
    serializeSignedReading(
      signers[meter]({
        chainId: community.chainId,
        hub: community.hub,
        communityId: community.communityId,
        meterIndex: meter,
        interval,
        exportWh,
        importWh: 0,
      }),
    );

  describe('Ingest', () => {
    const accept = async (bytes: Uint8Array): Promise<ValidReading> => ({
      kind: 'new',
      signed: deserializeSignedReading(bytes),
      window: 0,
    });
    /** A batch processor from a one-at-a-time one. */
    const each =
      (f: (b: Uint8Array, source: ReadingSource) => Promise<ValidReading>): ProcessBatch =>
      async (batch) => {
        const out: (ValidReading | Error)[] = [];
        for (const j of batch) out.push(await f(j.bytes, j.source).catch((e) => e as Error));
        return out;
      };

    it('drops a replay of an accepted reading before it is processed (a flood costs a map probe)', async () => {
      let processed = 0;
      const ingest = new Ingest(
        { maxQueued: 100, maxRemembered: 100, maxBatch: 1, depth: 1 },
        each(async (b) => {
          processed++;
          return accept(b);
        }),
        null,
      );
      const r = wire(0, 1);
      await ingest.submit(r, 'gossip');
      const outcomes = await Promise.allSettled(Array.from({ length: 2000 }, () => ingest.submit(r, 'gossip')));
      expect(processed).to.equal(1);
      expect(
        outcomes.every(
          (o) =>
            o.status === 'rejected' && (o.reason as GossipValidationError).code === ReadingGossipErrorCode.DUPLICATE,
        ),
      ).to.equal(true);
      // Same values under another signature (P-256 re-signing) is the same encoding: dropped too.
      const resigned = new Uint8Array(r);
      resigned[100] ^= 1;
      await ingest.submit(resigned, 'gossip').catch((e) => expect(e.code).to.equal(ReadingGossipErrorCode.DUPLICATE));
      expect(processed).to.equal(1);
    });

    it('runs our own readings before queued readings from peers', async () => {
      const order: string[] = [];
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const ingest = new Ingest(
        { maxQueued: 10_000, maxRemembered: 100_000, maxBatch: 1, depth: 1 },
        each(async (b, source) => {
          if (order.length === 0) await gate;
          order.push(source);
          return accept(b);
        }),
        null,
      );
      const all = [ingest.submit(wire(1, 0), 'gossip')];
      for (let i = 1; i <= 500; i++) all.push(ingest.submit(wire(1, i), 'gossip'));
      all.push(ingest.submit(wire(0, 0), 'local'));
      release();
      await Promise.all(all);
      expect(order.indexOf('local')).to.equal(1); // right after the one already running
    });

    it('batches what queued while a batch ran, ours at the head of the next', async () => {
      const batches: ReadingSource[][] = [];
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const ingest = new Ingest(
        { maxQueued: 10_000, maxRemembered: 100_000, maxBatch: 64, depth: 1 },
        async (batch) => {
          if (batches.length === 0) await gate;
          batches.push(batch.map((j) => j.source));
          return Promise.all(batch.map((j) => accept(j.bytes)));
        },
        null,
      );
      const all = [ingest.submit(wire(1, 0), 'gossip')];
      for (let i = 1; i <= 100; i++) all.push(ingest.submit(wire(1, i), 'gossip'));
      all.push(ingest.submit(wire(0, 0), 'local'));
      release();
      await Promise.all(all);
      expect(batches.map((b) => b.length)).to.deep.equal([1, 64, 37]);
      expect(batches[1][0]).to.equal('local');
    });

    it("bounds the queue of peers' readings (IGNORE BUSY), never our own", async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const ingest = new Ingest(
        { maxQueued: 3, maxRemembered: 100, maxBatch: 1, depth: 1 },
        each(async (b) => {
          await gate;
          return accept(b);
        }),
        null,
      );
      const all = [0, 1, 2, 3, 4, 5].map((i) => ingest.submit(wire(1, i), 'gossip'));
      const own = ingest.submit(wire(0, 0), 'local');
      release();
      const outcomes = await Promise.allSettled(all);
      expect(
        outcomes.filter(
          (o) => o.status === 'rejected' && (o.reason as GossipValidationError).code === ReadingGossipErrorCode.BUSY,
        ).length,
      ).to.equal(2);
      expect((await own).kind).to.equal('new');
    });
  });

  describe('Ingest pipeline (batches prepared ahead, decided in order)', () => {
    let db: NodeDb;
    let cleanup: () => Promise<void>;
    beforeEach(async () => ({ db, cleanup } = await tempDb()));
    afterEach(async () => cleanup());
    const { clock } = manualClock(community, community.start + 12 * community.intervalSeconds);
    const validation = (): ReadingValidationContext => ({
      community,
      clock,
      keys: new MeterKeyRing(community.meters),
      db,
      maxFutureIntervals: 1,
      isWindowSettled: () => false,
    });
    const stagesOf = (ctx: ReadingValidationContext, verifier: Pick<VerifierPool, 'verify'>) =>
      readingProcessor({
        validation: ctx,
        verifier,
        events: new NodeEvents(nullLogger),
        metrics: null,
        logger: nullLogger,
      });
    const items = (...bytes: Uint8Array[]) => bytes.map((b) => ({ bytes: b, source: 'gossip' as const }));
    const outcome = (r: ValidReading | Error) =>
      r instanceof GossipValidationError ? r.code : r instanceof Error ? r.message : r.kind;
    it("a batch prepared before the one ahead of it was written still sees that one's readings", async () => {
      // LevelDB reads and writes run on libuv's threads in no set order: batch B's store read,
      // issued while batch A was being decided, does not see A's write. Without the readings A
      // accepted since B's read (`newer`), B would take a second reading of A's slot as new (it
      // would overwrite the first one in the store and the meter's equivocation would go unseen).
      const ctx = validation();
      const stages = stagesOf(ctx, {
        verify: async (list) => list.map((i) => ctx.keys.verifyEncoded(i.meterIndex, i.message, i.signature)),
      });
      const a = items(wire(1, 5, 10));
      const b = items(wire(1, 5, 10), wire(1, 5, 11), wire(2, 5, 7));
      const pa = await stages.prepare(a);
      const pb = await stages.prepare(b);
      expect((await stages.commit(pa, a)).map(outcome)).to.deep.equal(['new']);
      // The race the pipeline closes: B decided on its own store read alone.
      expect((await decideReadingBatch(ctx, pb.prepared)).map(outcome)).to.deep.equal(['new', 'equivocation', 'new']);
      const rb = await stages.commit(pb, b);
      expect(rb.map(outcome)).to.deep.equal([ReadingGossipErrorCode.DUPLICATE, 'equivocation', 'new']);
      expect((rb[1] as ValidReading & { kind: 'equivocation' }).first.reading.exportWh).to.equal(10);
      // Stored as received (the wire form is the stored form: no second encoding).
      expect(serializeSignedReading((await db.readings.get({ window: 1, interval: 5, meter: 1 }))!)).to.deep.equal(
        a[0].bytes,
      );
      expect(await db.equivocations.has({ window: 1, interval: 5, meter: 1 })).to.equal(true);
    });

    it('keeps the readings of recent commits only while a batch opened before them is in flight', () => {
      const recent = new RecentlyCommitted();
      const r = deserializeSignedReading(wire(1, 5));
      const first = recent.open();
      const second = recent.open();
      recent.committed([{ kind: 'new', signed: r, window: 1 }]);
      recent.close(first);
      expect(recent.newer(second, slotKeyOf({ interval: 5, meter: 1 }))).to.equal(r);
      expect(recent.held).to.equal(1);
      recent.close(second);
      expect(recent.held).to.equal(0);
      // A batch opened after the commit read the store after its write: nothing to keep for it.
      const third = recent.open();
      recent.committed([{ kind: 'new', signed: deserializeSignedReading(wire(2, 5)), window: 1 }]);
      expect(recent.newer(third, slotKeyOf({ interval: 5, meter: 2 }))).to.not.equal(undefined);
      recent.close(third);
      expect(recent.held).to.equal(0);
    });

    it('pipelined (depth 3, small batches, a worker thread) ends as one reading at a time would', async () => {
      const list: Uint8Array[] = [];
      // Duplicates, equivocations, third readings, forged signatures, spread over many batches.
      for (let i = 0; i < 60; i++) {
        const meter = i % 3;
        const interval = 4 + (i % 5);
        list.push(wire(meter, interval, i % 7 === 0 ? 1 : i % 4));
        if (i % 9 === 0) list.push(forged(wire(meter, interval, 99)));
      }
      const sequential: string[] = [];
      const ctx = validation();
      for (const b of list) {
        try {
          const valid = await validateReading(ctx, b);
          await storeValidReading(db, valid);
          sequential.push(valid.kind);
        } catch (e) {
          sequential.push((e as GossipValidationError).code);
        }
      }
      const seqReadings = (await db.readings.listWindow(1)).length + (await db.readings.listWindow(2)).length;
      const seqEvidence = (await db.equivocations.listWindow(1)).length + (await db.equivocations.listWindow(2)).length;
      await cleanup();
      ({ db, cleanup } = await tempDb());
      const ctx2 = validation();
      const pool = new VerifierPool(ctx2.keys, community.meters, 1);
      try {
        const ingest = new Ingest(
          { maxQueued: 10_000, maxRemembered: 10_000, maxBatch: 4, depth: 3 },
          stagesOf(ctx2, pool),
          null,
        );
        const got = await Promise.all(
          list.map((b) =>
            ingest.submit(b, 'gossip').then(
              (v) => v.kind as string,
              (e: GossipValidationError) => e.code as string,
            ),
          ),
        );
        expect(got).to.deep.equal(sequential);
        expect((await db.readings.listWindow(1)).length + (await db.readings.listWindow(2)).length).to.equal(
          seqReadings,
        );
        expect((await db.equivocations.listWindow(1)).length + (await db.equivocations.listWindow(2)).length).to.equal(
          seqEvidence,
        );
        await ingest.drained();
      } finally {
        await pool.close();
      }
    });

    it('a slot stored before the ingest started (a restart) is read: the same reading is a duplicate, another an equivocation', async () => {
      // The ingest reads from the store only the slots its `HeldSlots` does not rule out; a window's bitset
      // comes from the store's keys the first time the window is met. Were it empty (no load), the slot
      // stored before the restart would look free: the second reading would overwrite the first one and the
      // meter's equivocation would go unseen.
      const ctx = validation();
      await db.readings.put({ window: 1, interval: 5, meter: 1 }, deserializeSignedReading(wire(1, 5, 10)));
      const stages = stagesOf(ctx, {
        verify: async (list) => list.map((i) => ctx.keys.verifyEncoded(i.meterIndex, i.message, i.signature)),
      });
      const batch = items(wire(1, 5, 10), wire(1, 5, 11), wire(2, 5, 7));
      expect((await stages.commit(await stages.prepare(batch), batch)).map(outcome)).to.deep.equal([
        ReadingGossipErrorCode.DUPLICATE,
        'equivocation',
        'new',
      ]);
      expect(await db.equivocations.has({ window: 1, interval: 5, meter: 1 })).to.equal(true);
      expect(deserializeSignedReading(wire(1, 5, 10)).reading).to.deep.equal(
        (await db.readings.get({ window: 1, interval: 5, meter: 1 }))!.reading,
      );
    });

    it('HeldSlots: new slots cost no store read; held ones are read; only the windows around the clock are loaded', async () => {
      const reads: number[] = [];
      const getMany = db.readings.getMany.bind(db.readings);
      db.readings.getMany = async (slots) => {
        reads.push(slots.length);
        return getMany(slots);
      };
      let scans = 0;
      const slotsOf = db.readings.slotsOf.bind(db.readings);
      db.readings.slotsOf = async (window) => {
        scans++;
        return slotsOf(window);
      };
      const W = community.windowIntervals;
      let current = 0;
      // Three windows kept: the next, the current and the one before.
      const held = new HeldSlots(db, W, community.meters.length, () => current, 3);
      const at = (window: number, offset: number, meter: number) => ({ window, interval: window * W + offset, meter });
      await db.readings.put(at(0, 1, 2), deserializeSignedReading(wire(2, 1)));
      expect(await held.mayHold([at(0, 1, 2), at(0, 1, 1), at(0, 0, 2)])).to.deep.equal([true, false, false]);
      held.held([at(0, 0, 2)]);
      expect(await held.mayHold([at(0, 0, 2), at(0, W - 1, 0), at(1, 0, 0)])).to.deep.equal([true, false, false]);
      expect([held.kept, scans]).to.deep.equal([2, 2]);
      // A window beyond the next: read from the store, never scanned (a peer's readings spread over many
      // windows cannot make every batch scan one).
      expect(await held.mayHold([at(5, 0, 0)])).to.deep.equal([true]);
      expect([held.kept, scans]).to.deep.equal([2, 2]);
      // The clock moves on three windows: 0 and 1 are dropped, and a slot of window 0 is read again.
      current = 3;
      expect(await held.mayHold([at(0, 1, 1), at(3, 0, 0)])).to.deep.equal([true, false]);
      expect([held.kept, scans]).to.deep.equal([1, 3]);
      // Through the ingest: a batch of readings of free slots reads nothing; a held slot is read.
      const ctx = validation();
      const stages = stagesOf(ctx, {
        verify: async (list) => list.map((i) => ctx.keys.verifyEncoded(i.meterIndex, i.message, i.signature)),
      });
      const fresh = items(wire(0, 8), wire(1, 8), wire(2, 9));
      await stages.prepare(fresh);
      expect(reads).to.deep.equal([]);
      const again = items(wire(0, 8, 12), wire(1, 9));
      await stages.commit(await stages.prepare(fresh), fresh);
      await stages.prepare(again);
      expect(reads).to.deep.equal([1]);
    });

    it('a failing batch fails its own readings only; the batches behind it go on', async () => {
      let calls = 0;
      const ingest = new Ingest(
        { maxQueued: 100, maxRemembered: 100, maxBatch: 1, depth: 3 },
        {
          prepare: async (batch) => {
            calls++;
            if (batch[0].bytes[65] === 2) throw new Error('store down');
            return batch;
          },
          commit: async (batch: unknown) =>
            (batch as { bytes: Uint8Array }[]).map((j) => ({
              kind: 'new' as const,
              signed: deserializeSignedReading(j.bytes),
              window: 0,
            })),
        },
        null,
      );
      const outcomes = await Promise.allSettled([1, 2, 3].map((e) => ingest.submit(wire(1, 0, e), 'gossip')));
      expect(outcomes.map((o) => o.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled']);
      expect(calls).to.equal(3);
      await ingest.drained();
    });
  });

  describe('VerifierPool', () => {
    it('with a worker per core the main thread verifies nothing; answers agree with the key ring', async () => {
      const keys = new MeterKeyRing(community.meters);
      const pool = new VerifierPool(keys, community.meters, 2, 2);
      const shared = new VerifierPool(keys, community.meters, 1, 2);
      try {
        expect(pool.mainThreadVerifies).to.equal(false);
        expect(shared.mainThreadVerifies).to.equal(true);
        const good = Array.from({ length: 40 }, (_, i) => wire(i % 3, i));
        const list = good.flatMap((b, i) => (i % 5 === 0 ? [b, forged(b)] : [b]));
        const verifyItems = list.map((b) => {
          const s = deserializeSignedReading(b);
          return { meterIndex: s.reading.meterIndex, message: b.subarray(0, 70), signature: s.signature };
        });
        const expected = verifyItems.map((i) => keys.verifyEncoded(i.meterIndex, i.message, i.signature));
        expect(expected.filter((v) => !v).length).to.equal(8);
        expect(await pool.verify(verifyItems)).to.deep.equal(expected);
        expect(await shared.verify(verifyItems)).to.deep.equal(expected);
        expect(await pool.verify(verifyItems.slice(0, 3))).to.deep.equal(expected.slice(0, 3));
      } finally {
        await pool.close();
        await shared.close();
      }
    });
  });

  describe('VerifierPool: a worker that dies', () => {
    it('never stalls the ingest: its unanswered share is verified on the main thread, later batches go on', async () => {
      const keys = new MeterKeyRing(community.meters);
      const pool = new VerifierPool(keys, community.meters, 2, 2);
      try {
        await pool.ready();
        const list = Array.from({ length: 400 }, (_, i) => (i % 7 === 0 ? forged(wire(i % 3, i)) : wire(i % 3, i)));
        const items = list.map((b) => {
          const s = deserializeSignedReading(b);
          return { meterIndex: s.reading.meterIndex, message: b.subarray(0, 70), signature: s.signature };
        });
        const expected = items.map((i) => keys.verifyEncoded(i.meterIndex, i.message, i.signature));
        const answer = pool.verify(items);
        // Killed with its share in flight.
        await (pool as unknown as { workers: { terminate(): Promise<number> }[] }).workers[0].terminate();
        expect(await answer).to.deep.equal(expected);
        expect(pool.running).to.equal(1);
        expect(pool.mainThreadVerifies).to.equal(true);
        expect(await pool.verify(items)).to.deep.equal(expected);
      } finally {
        await pool.close();
      }
    });
  });

  describe('window protocol handlers: claims stay provable', () => {
    let db: NodeDb;
    let cleanup: () => Promise<void>;
    beforeEach(async () => ({ db, cleanup } = await tempDb()));
    afterEach(async () => cleanup());

    it('serves the commitment as signed, not recomputed from a store that grew since', async () => {
      const rootA = `0x${'aa'.repeat(32)}`;
      const rootB = `0x${'bb'.repeat(32)}`;
      await db.readings.put({ window: 2, interval: 8, meter: 0 }, deserializeSignedReading(wire(0, 8)));
      await db.commitments.put(
        { window: 2, windowRoot: rootA },
        { window: 2, windowRoot: rootA, stateHash: '0x01', frames: ['{"signed":"A"}'], signedAt: 1 },
      );
      // A late reading arrives and the node re-folds and signs B: A is still what it signed first.
      await db.readings.put({ window: 2, interval: 9, meter: 1 }, deserializeSignedReading(wire(1, 9)));
      await db.commitments.put(
        { window: 2, windowRoot: rootB },
        { window: 2, windowRoot: rootB, stateHash: '0x02', frames: ['{"signed":"B"}'], signedAt: 2 },
      );
      let chainRoot: string | undefined;
      const serve = windowProtocolHandlers({ db, chainRoot: () => chainRoot });
      const text = async () => (await serve({ method: 'commitment', window: 2 })).map((f) => Buffer.from(f).toString());
      expect(await text()).to.deep.equal(['{"signed":"B"}']); // not on chain: the latest
      chainRoot = rootA;
      expect(await text()).to.deep.equal(['{"signed":"A"}']); // on chain: the one whose root is there
      expect(await serve({ method: 'commitment', window: 3 })).to.deep.equal([]);
      expect((await serve({ method: 'readings', window: 2 })).length).to.equal(2);
      expect((await db.commitments.listWindow(2)).map((c) => c.windowRoot)).to.deep.equal([rootA, rootB]);
      // The byzantine mode that withholds its commitment serves none (its readings still go out).
      const withholding = windowProtocolHandlers({ db, chainRoot: () => rootA, withholdCommitment: true });
      expect(await withholding({ method: 'commitment', window: 2 })).to.deep.equal([]);
      expect((await withholding({ method: 'readings', window: 2 })).length).to.equal(2);
    });
  });
  describe('meter resume point', () => {
    it('a node stopped before its meter kept a reading resumes from its first start, not from a later window', async () => {
      // Fault run "node offline 3 windows": node 3 stopped in interval 1 before its first reading
      // was kept, and came back in window 4 starting there: 16 readings never signed.
      const { db, cleanup } = await tempDb();
      try {
        const { state, clock } = manualClock(community, community.start + 5 * community.intervalSeconds);
        const first = await meterResumeInterval(db, 2, clock);
        expect(first).to.equal(clock.firstInterval(clock.windowOf(5)));
        state.now = community.start + 17 * community.intervalSeconds;
        expect(await meterResumeInterval(db, 2, clock)).to.equal(first);
        await db.meta.put('meter2.next', 9);
        expect(await meterResumeInterval(db, 2, clock)).to.equal(9);
      } finally {
        await cleanup();
      }
    });
  });
});
