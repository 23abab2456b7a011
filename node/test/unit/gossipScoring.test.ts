import { expect } from 'chai';
import { GossipAction, GossipValidationError, ReadingGossipErrorCode } from '../../src/chain/errors.js';
import { createHost, type DiversityLibp2p } from '../../src/network/host.js';
import { Network } from '../../src/network/network.js';
import { defaultNetworkOptions } from '../../src/network/options.js';
import { peerKeyFromSecret } from '../../src/network/peerKey.js';
import { scoreThresholds, UselessMessageCounter } from '../../src/network/scoring.js';
import { createLogger } from '../../src/util/logger.js';
import { testCommunity } from '../utils/community.js';

/**
 * Gossip under attack: a replayed reading (new envelope each time) must be dropped before the
 * node looks at it; a peer sending invalid messages must lose score, be graylisted (its messages
 * no longer reach validation) and be disconnected.
 */
describe('gossipsub scoring and duplicate suppression', function () {
  this.timeout(30_000);
  const { community } = testCommunity(3);
  let victim: Network;
  let rogue: DiversityLibp2p;
  const seen: number[] = [];

  before(async () => {
    victim = new Network(
      { ...defaultNetworkOptions, redialIntervalMs: 300 },
      {
        privateKey: await peerKeyFromSecret('victim'),
        community,
        metrics: null,
        logger: createLogger({ level: 'error', name: 'victim' }),
        handlers: {
          onReading: async (data) => {
            seen.push(data[0]);
            if (data[0] === 0)
              throw new GossipValidationError(GossipAction.REJECT, {
                code: ReadingGossipErrorCode.BAD_SIGNATURE,
                meterIndex: 0,
              });
            if (data[0] === 2)
              throw new GossipValidationError(GossipAction.IGNORE, { code: ReadingGossipErrorCode.DUPLICATE });
          },
          onCoSignature: async () => {},
          serveWindow: async () => [],
        },
      },
    );
    await victim.start();
    rogue = await createHost(defaultNetworkOptions, await peerKeyFromSecret('rogue'));
    rogue.services.pubsub.subscribe(victim.topics.readings);
    await rogue.dial(victim.host.getMultiaddrs()[0]);
    const deadline = Date.now() + 10_000;
    while (rogue.services.pubsub.getSubscribers(victim.topics.readings).length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
  });
  after(async () => {
    await rogue?.stop();
    await victim?.stop();
  });

  const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));
  /** Waits (up to 10 s: machines are loaded) until `cond` holds. */
  async function until(cond: () => boolean): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!cond() && Date.now() < deadline) await settle(50);
  }

  it('a reading replayed 100 times under new envelopes reaches validation once', async () => {
    const reading = new Uint8Array(134).fill(1);
    for (let i = 0; i < 100; i++) await rogue.services.pubsub.publish(victim.topics.readings, reading);
    await until(() => seen.includes(1));
    await settle();
    expect(seen.filter((b) => b === 1).length).to.equal(1);
    expect(victim.score(rogue.peerId)).to.be.greaterThan(scoreThresholds.gossipThreshold);
  });

  it('useless messages (same values, new bytes) lower the application score', async () => {
    for (let i = 0; i < 40; i++) await rogue.services.pubsub.publish(victim.topics.readings, new Uint8Array([2, i]));
    await until(() => seen.filter((b) => b === 2).length === 40);
    expect(victim.useless.score(rogue.peerId.toString())).to.be.lessThan(-1);
  });

  it('invalid messages graylist the sender (no more validation) and get it disconnected', async () => {
    for (let i = 0; i < 8; i++) await rogue.services.pubsub.publish(victim.topics.readings, new Uint8Array([0, i]));
    await until(() => victim.score(rogue.peerId) < scoreThresholds.graylistThreshold);
    expect(victim.score(rogue.peerId)).to.be.lessThan(scoreThresholds.graylistThreshold);
    await settle(1100); // gossipsub caches a peer's score for up to a heartbeat
    const before = seen.length;
    for (let i = 0; i < 5; i++)
      await rogue.services.pubsub.publish(victim.topics.readings, new Uint8Array([3, i])).catch(() => {});
    await settle(1000);
    expect(seen.length - before, 'messages validated after the graylist').to.equal(0);
    await until(() => !victim.connectedPeers().some((p) => p.equals(rogue.peerId)));
    expect(victim.connectedPeers().map((p) => p.toString())).to.not.include(rogue.peerId.toString());
  });

  it('the useless-message count decays', () => {
    let now = 0;
    const c = new UselessMessageCounter(1000, 10, () => now);
    for (let i = 0; i < 100; i++) c.add('p');
    expect(c.score('p')).to.equal(-10);
    now = 1000;
    expect(c.score('p')).to.be.closeTo(-5, 1e-9);
    now = 20_000;
    expect(c.score('p')).to.equal(0);
  });
});
