import { expect } from 'chai';
import { GossipAction, GossipValidationError, ReadingGossipErrorCode } from '../../src/chain/errors.js';
import type { NodeDb } from '../../src/db/index.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { BalanceBook } from '../../src/node/balanceBook.js';
import { honestFold, WindowCommitter } from '../../src/node/committer.js';
import { NodeEvents } from '../../src/node/events.js';
import { MeterKeyRing } from '../../src/reading/meterKeys.js';
import { createLogger } from '../../src/util/logger.js';
import { manualClock, tempDb, testCommunity } from '../utils/community.js';

/**
 * A peer answers the `readings` request with junk items: validation refuses each (the same path as
 * gossip), and each refusal is counted by its code, so an operator sees which peer-fed data was
 * thrown away and why (the reconcile path used to drop them silently).
 */
describe('attack: a peer answers `readings` with junk', () => {
  const { community } = testCommunity(3);
  const logger = createLogger({ level: 'error', name: 'test' });
  let db: NodeDb;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ db, cleanup } = await tempDb());
  });
  afterEach(async () => cleanup());

  it('every junk item is refused by validation and counted by code; the fetch goes on', async () => {
    const metrics = createMetrics();
    const { clock } = manualClock(community, community.start + 10 * 4 * 3);
    const junk = [Uint8Array.of(1, 2, 3), new Uint8Array(70_000), Buffer.from('{"not":"a reading"}')];
    const committer = new WindowCommitter(
      { graceSeconds: 5, reconcileTimeoutMs: 100, maxPeerWaitSeconds: 30 },
      {
        community,
        keys: new MeterKeyRing(community.meters),
        clock,
        db,
        network: {
          connectedPeers: () => ['p' as never],
          requestAll: async (req) => (req.method === 'readings' ? [{ peer: 'p' as never, items: junk }] : []),
        },
        fold: honestFold,
        balances: new BalanceBook({ community, db, finalRecord: async () => undefined, metrics: null, logger }),
        // The node's ingest refuses what does not decode as a reading of this community.
        ingest: async () => {
          throw new GossipValidationError(GossipAction.REJECT, { code: ReadingGossipErrorCode.MALFORMED });
        },
        isWindowSettled: () => false,
        bootstrapPeers: 1,
        events: new NodeEvents(logger),
        metrics,
        logger,
      },
    );
    expect(await committer.reconcile(1)).to.equal(0);
    const { values } = await metrics.reconciledReadingsRefused.get();
    expect(values.find((v) => v.labels.code === ReadingGossipErrorCode.MALFORMED)?.value).to.equal(junk.length);
  });
});
