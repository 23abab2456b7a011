import { expect } from 'chai';
import * as lp from 'it-length-prefixed';
import { pipe } from 'it-pipe';
import { RPC } from '@chainsafe/libp2p-gossipsub/message';
import { createHost, type DiversityLibp2p } from '../../src/network/host.js';
import { Network } from '../../src/network/network.js';
import { defaultNetworkOptions } from '../../src/network/options.js';
import { peerKeyFromSecret } from '../../src/network/peerKey.js';
import { createLogger } from '../../src/util/logger.js';
import { testCommunity } from '../utils/community.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the tests read of gossipsub's inside: its topic map and its per-message entry point. */
interface GossipsubInside {
  topics: Map<string, Set<string>>;
  handleReceivedMessage(from: unknown, msg: unknown): Promise<void>;
}

/**
 * Gossip under attack at the RPC level, below the topic validators: a peer writes its own RPCs on a
 * gossipsub stream (subscriptions and messages cost it nothing to make). Made-up topics must not
 * fill the node's maps (gossipsub never forgets a topic it heard of), and one RPC must not carry an
 * unbounded number of entries into the node.
 */
describe('attack: raw gossipsub RPCs from a hostile peer', function () {
  this.timeout(60_000);
  const { community } = testCommunity(3);
  let victim: Network;
  let hostile: DiversityLibp2p;
  let handled = 0;

  before(async () => {
    victim = new Network(defaultNetworkOptions, {
      privateKey: await peerKeyFromSecret('victim-3'),
      community,
      metrics: null,
      logger: createLogger({ level: 'error', name: 'victim' }),
      handlers: { onReading: async () => {}, onCoSignature: async () => {}, serveWindow: async () => [] },
    });
    await victim.start();
    const inside = victim.host.services.pubsub as unknown as GossipsubInside;
    const handle = inside.handleReceivedMessage.bind(inside);
    inside.handleReceivedMessage = (from, msg) => {
      handled++;
      return handle(from, msg);
    };
    hostile = await createHost(defaultNetworkOptions, await peerKeyFromSecret('hostile-3'));
    await hostile.dial(victim.host.getMultiaddrs()[0]);
  });
  after(async () => {
    await hostile?.stop();
    await victim?.stop();
  });

  /** Writes RPCs on a fresh gossipsub stream to the victim, as a peer would. */
  async function send(...rpcs: RPC[]): Promise<void> {
    const stream = await hostile.dialProtocol(victim.host.getMultiaddrs()[0], '/meshsub/1.1.0');
    await pipe(
      rpcs.map((r) => RPC.encode(r)),
      (s) => lp.encode(s),
      stream.sink,
    );
    await sleep(500);
  }

  const topicsHeld = () => (victim.host.services.pubsub as unknown as GossipsubInside).topics.size;

  it('20,000 made-up topics in subscriptions: the node keeps only its own topics', async () => {
    const before = topicsHeld();
    const rpcs: RPC[] = [];
    for (let k = 0; k < 10; k++)
      rpcs.push({
        subscriptions: Array.from({ length: 2000 }, (_, i) => ({
          subscribe: true,
          topic: `/diversity/made-up/${k}/${i}/${'x'.repeat(64)}`,
        })),
        messages: [],
      });
    for (const rpc of rpcs) await send(rpc);
    expect(topicsHeld() - before).to.be.at.most(2);
    // Its real subscription is still heard.
    await send({ subscriptions: [{ subscribe: true, topic: victim.topics.readings }], messages: [] });
    const subscribers = (victim.host.services.pubsub.getSubscribers(victim.topics.readings) ?? []).map(String);
    expect(subscribers).to.include(hostile.peerId.toString());
  });

  it('messages on a topic the node does not serve: dropped before validation', async () => {
    const before = handled;
    await send({
      subscriptions: [],
      messages: [
        { topic: '/diversity/made-up/1', data: Uint8Array.of(1) },
        { topic: victim.topics.readings, data: Uint8Array.of(2) },
      ],
    });
    expect(handled - before, 'only the one on a served topic').to.equal(1);
  });

  // Last: before the fix, its 50,000 unsigned messages graylist the hostile peer.
  it('one RPC carrying 50,000 messages: refused whole at decode, none reaches the node', async () => {
    const before = handled;
    const messages = Array.from({ length: 50_000 }, (_, i) => ({
      topic: victim.topics.readings,
      data: Uint8Array.of(i & 0xff, (i >> 8) & 0xff, 7),
    }));
    await send({ subscriptions: [], messages });
    await sleep(500);
    expect(handled - before).to.equal(0);
  });
});
