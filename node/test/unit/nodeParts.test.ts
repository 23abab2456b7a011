import { expect } from 'chai';
import { type GossipValidationError, ReadingGossipErrorCode } from '../../src/chain/errors.js';
import type { ValidReading } from '../../src/chain/validation/reading.js';
import type { NodeDb } from '../../src/db/index.js';
import { Ingest, type ProcessBatch, type ReadingSource } from '../../src/node/ingest.js';
import { meterResumeInterval } from '../../src/node/meterFactory.js';
import { windowProtocolHandlers } from '../../src/node/reqrespHandlers.js';
import { deserializeSignedReading, fastReadingSigner, serializeSignedReading } from '../../src/reading/signature.js';
import { manualClock, tempDb, testCommunity } from '../utils/community.js';

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
        { maxQueued: 100, maxRemembered: 100, maxBatch: 1 },
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
        { maxQueued: 10_000, maxRemembered: 100_000, maxBatch: 1 },
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
        { maxQueued: 10_000, maxRemembered: 100_000, maxBatch: 64 },
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
        { maxQueued: 3, maxRemembered: 100, maxBatch: 1 },
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
