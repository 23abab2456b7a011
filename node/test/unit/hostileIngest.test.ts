import { expect } from 'chai';
import { type GossipValidationError, ReadingGossipErrorCode } from '../../src/chain/errors.js';
import { Ingest, type ProcessBatch } from '../../src/node/ingest.js';

/**
 * The reading queue is bounded in count (`maxQueued`, 20,000): a message of any size took a place, and
 * gossip carries messages up to 4 MB. A signed reading is 134 bytes whatever its scheme: anything else
 * is refused before it is queued, so what the queue holds is bounded in bytes too.
 */
describe('attack: oversized readings fill the ingest queue', () => {
  it('2,000 messages of 64 KB while a batch runs: refused at once (MALFORMED), none queued', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const process: ProcessBatch = async (batch) => {
      await gate;
      return batch.map(() => new Error('not a reading'));
    };
    const ingest = new Ingest({ maxQueued: 20_000, maxRemembered: 1000, maxBatch: 1, depth: 1 }, process, null);
    const outcomes = Array.from({ length: 2000 }, (_, i) =>
      ingest.submit(new Uint8Array(64 * 1024).fill(i & 0xff), 'gossip').then(
        () => 'kept',
        (e) => (e as GossipValidationError).code ?? 'error',
      ),
    );
    // Nothing oversized waits in the queue (at most the one batch taken before the gate).
    expect(ingest.queued, 'queued').to.equal(0);
    release();
    const codes = await Promise.all(outcomes);
    expect(codes.filter((c) => c === ReadingGossipErrorCode.MALFORMED).length).to.equal(2000);
  });
});
