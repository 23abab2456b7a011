/**
 * Node benchmarks (`npm run bench`). Not part of `npm test`: timings belong here, as ratios
 * measured in one run.
 *
 * 1. Ingest: the load of a busy community — every reading arrives once, signed by one of 50
 *    meters — through the node's real path (decode, checks, Ed25519 verify via node:crypto,
 *    LevelDB read + write, serialized like the node's ingest queue), against the raw verify
 *    rate of node:crypto and of tweetnacl in the same run.
 * 2. Finality: 4 in-process nodes on anvil, 1-second intervals, 4 intervals per window; the
 *    time from a window's end to its result being final on chain (fast path).
 */
import { expect } from 'chai';
import nacl from 'tweetnacl';
import { createPrivateKey, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import { storeValidReading, validateReading, type ReadingValidationContext } from '../../src/chain/validation/reading.js';
import { MeterKeyRing } from '../../src/reading/meterKeys.js';
import { encodeReading } from '../../src/reading/encoding.js';
import { ed25519KeyObject, serializeSignedReading, verifyEd25519Reference, type SignedReading } from '../../src/reading/signature.js';
import { seedFor } from '../../src/vectors/readings.js';
import { manualClock, tempDb, testCommunity } from '../utils/community.js';
import { fastCommunityOptions, LocalCommunity } from '../utils/localCommunity.js';

/** Regression threshold: the node must keep at least this share of the raw verify rate. */
const MIN_INGEST_SHARE_OF_RAW_VERIFY = 0.25;

function rate(count: number, ms: number): number {
  return (count * 1000) / ms;
}

describe('perf: node', function () {
  it('ingest rate against the raw Ed25519 verify rate', async () => {
    const meters = 50;
    const intervals = 100;
    const { community, meterKeys } = testCommunity(meters, { windowIntervals: 100, windowCount: 10 });
    const { clock } = manualClock(community, community.start + intervals * community.intervalSeconds + 1);
    // Setup only: Ed25519 is deterministic, so node:crypto makes the very signatures tweetnacl
    // would (the unit tests prove it), 50x faster.
    const pkcs8 = Buffer.from('302e020100300506032b657004220420', 'hex');
    const signingKeys = meterKeys.map((_, m) => createPrivateKey({ key: Buffer.concat([pkcs8, seedFor(`meter-${m}`)]), format: 'der', type: 'pkcs8' }));
    const signed: SignedReading[] = [];
    const signStart = performance.now();
    for (let t = 0; t < intervals; t++) {
      for (let m = 0; m < meters; m++) {
        const reading = { chainId: community.chainId, hub: community.hub, communityId: community.communityId, meterIndex: m, interval: t, exportWh: (m * 7 + t) % 500, importWh: (m * 3 + t) % 300 };
        signed.push({ reading, signature: new Uint8Array(cryptoSign(null, encodeReading(reading), signingKeys[m])) });
      }
    }
    const cryptoSignMs = performance.now() - signStart;
    const naclSignCount = 200;
    const naclSignStart = performance.now();
    for (let i = 0; i < naclSignCount; i++) nacl.sign.detached(encodeReading(signed[i].reading), meterKeys[signed[i].reading.meterIndex].secretKey);
    const naclSignMs = performance.now() - naclSignStart;
    const wire = signed.map(serializeSignedReading);
    const messages = signed.map((s) => encodeReading(s.reading));
    const keyObjects = meterKeys.map((k) => ed25519KeyObject(k.publicKey));

    const rawVerify = (): number => {
      const start = performance.now();
      for (let i = 0; i < signed.length; i++) cryptoVerify(null, messages[i], keyObjects[signed[i].reading.meterIndex], signed[i].signature);
      return performance.now() - start;
    };
    rawVerify(); // warm-up
    const rawBefore = rawVerify();
    let t0: number;

    const naclCount = 200;
    t0 = performance.now();
    for (let i = 0; i < naclCount; i++) verifyEd25519Reference(messages[i], signed[i].signature, meterKeys[signed[i].reading.meterIndex].publicKey);
    const naclMs = performance.now() - t0;

    const { db, cleanup } = await tempDb();
    try {
      const ctx: ReadingValidationContext = { community, clock, keys: new MeterKeyRing(community.meters), db, maxFutureIntervals: 1, isWindowSettled: () => false };
      t0 = performance.now();
      for (const bytes of wire) await storeValidReading(db, await validateReading(ctx, bytes));
      const ingestMs = performance.now() - t0;
      // Raw rate measured on both sides of the ingest run: the machine's load drifts.
      const rawMs = (rawBefore + rawVerify()) / 2;
      const stored = (await db.readings.listWindow(0)).length;
      expect(stored).to.equal(wire.length);

      const raw = rate(signed.length, rawMs);
      const ingest = rate(wire.length, ingestMs);
      console.log(`    readings: ${wire.length} (${meters} meters x ${intervals} intervals)`);
      console.log(`    node:crypto Ed25519 verify (raw limit): ${raw.toFixed(0)} /s`);
      console.log(`    tweetnacl Ed25519 verify:               ${rate(naclCount, naclMs).toFixed(0)} /s`);
      console.log(`    node:crypto Ed25519 sign:               ${rate(signed.length, cryptoSignMs).toFixed(0)} /s`);
      console.log(`    tweetnacl Ed25519 sign:                 ${rate(naclSignCount, naclSignMs).toFixed(0)} /s`);
      console.log(`    node ingest (validate + verify + store): ${ingest.toFixed(0)} /s = ${((100 * ingest) / raw).toFixed(1)} % of the raw verify rate`);
      expect(ingest / raw).to.be.greaterThan(MIN_INGEST_SHARE_OF_RAW_VERIFY);
    } finally {
      await cleanup();
    }
  });

  it('time from window end to finality, 4 nodes, fast path', async function () {
    this.timeout(180_000);
    const c = new LocalCommunity({ ...fastCommunityOptions, windowCount: 4, challengePeriod: 60, signatureDeadlineSeconds: 10, takeoverSeconds: 5 });
    try {
      await c.setup();
      await Promise.all([0, 1, 2, 3].map((i) => c.startNode(i)));
      const latencies: number[] = [];
      let seen = -1;
      await c.waitFor(
        'all windows final',
        async () => {
          const last = await c.lastFinalizedWindow();
          for (let w = seen + 1; w <= last; w++) latencies.push(Date.now() / 1000 - c.windowEnd(w));
          seen = Math.max(seen, last);
          return last === 3;
        },
        120_000,
      );
      console.log(`    window end -> final on chain (grace 1 s included): ${latencies.map((s) => s.toFixed(2) + ' s').join(', ')}`);
      console.log(`    mean ${(latencies.reduce((a, b) => a + b, 0) / latencies.length).toFixed(2)} s`);
    } finally {
      await c.teardown();
    }
  });
});
