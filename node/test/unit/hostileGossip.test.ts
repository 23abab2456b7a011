import { expect } from 'chai';
import * as lp from 'it-length-prefixed';
import { pipe } from 'it-pipe';
import { RPC } from '@chainsafe/libp2p-gossipsub/message';
import { hubDomain, signWindowResult } from '../../src/chain/eip712.js';
import {
  CoSignatureGossipErrorCode,
  GossipAction,
  GossipPeerErrorCode,
  GossipValidationError,
} from '../../src/chain/errors.js';
import { validateCoSignature } from '../../src/chain/validation/coSignature.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { COSIGNATURE_MESSAGE_LENGTH, encodeCoSignature } from '../../src/network/messages.js';
import { TopicValidatorResult, type Message, type PeerId } from '@libp2p/interface';
import { gossipValidatorFn } from '../../src/network/gossipValidatorFn.js';
import { createHost, type DiversityLibp2p } from '../../src/network/host.js';
import { Network } from '../../src/network/network.js';
import { defaultNetworkOptions, gossipRpcLimits } from '../../src/network/options.js';
import { BLS_SHARE_MESSAGE_LENGTH } from '../../src/cosign/messages.js';
import { SIGNED_READING_LENGTH } from '../../src/chain/validation/reading.js';
import { peerKeyFromSecret } from '../../src/network/peerKey.js';
import { topics } from '../../src/network/topics.js';
import { createLogger } from '../../src/util/logger.js';
import { manualClock, tempDb, testCommunity } from '../utils/community.js';

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
    const written = pipe(
      rpcs.map((r) => RPC.encode(r)),
      (s) => lp.encode(s),
      stream.sink,
    ).then(
      () => true,
      () => true,
    );
    // A refused RPC is left unread: give up writing it.
    if (!(await Promise.race([written, sleep(5000).then(() => false)]))) stream.abort(new Error('not read'));
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

  it('a full legitimate RPC batch (5,000 BLS-share-sized signed messages, full control lists) is under maxGossipRpcBytes', () => {
    const topic = `/diversity/${'9'.repeat(16)}/0x${'a'.repeat(40)}/18446744073709551615/cosignatures/1`;
    const ids = (n: number) => Array.from({ length: n }, () => new Uint8Array(32).fill(7));
    const rpc: RPC = {
      subscriptions: Array.from({ length: gossipRpcLimits.maxSubscriptions }, () => ({ subscribe: true, topic })),
      messages: Array.from({ length: gossipRpcLimits.maxMessages }, () => ({
        from: hostile.peerId.toMultihash().bytes,
        seqno: new Uint8Array(8).fill(1),
        topic,
        data: new Uint8Array(BLS_SHARE_MESSAGE_LENGTH).fill(2),
        signature: new Uint8Array(64).fill(3),
      })),
      control: {
        ihave: [{ topicID: topic, messageIDs: ids(gossipRpcLimits.maxIhaveMessageIDs) }],
        iwant: [{ messageIDs: ids(gossipRpcLimits.maxIwantMessageIDs) }],
        idontwant: [{ messageIDs: ids(gossipRpcLimits.maxIdontwantMessageIDs) }],
        graft: Array.from({ length: 100 }, () => ({ topicID: topic })),
        prune: [],
      },
    };
    const bytes = RPC.encode(rpc).length;
    expect(bytes).to.be.below(defaultNetworkOptions.maxGossipRpcBytes);
    expect(BLS_SHARE_MESSAGE_LENGTH).to.be.at.least(COSIGNATURE_MESSAGE_LENGTH).and.at.least(SIGNED_READING_LENGTH);
  });

  it('an RPC past maxGossipRpcBytes: refused at its length prefix, none reaches the node; the next one does', async () => {
    const before = handled;
    await send({
      subscriptions: [],
      messages: [{ topic: victim.topics.readings, data: new Uint8Array(defaultNetworkOptions.maxGossipRpcBytes) }],
    });
    expect(handled - before, 'the oversized RPC').to.equal(0);
    await send({ subscriptions: [], messages: [{ topic: victim.topics.readings, data: Uint8Array.of(9) }] });
    expect(handled - before, 'a normal RPC after it').to.equal(1);
  });

  // Last: before the fix, its unsigned messages graylist the hostile peer. 10,000 messages (twice
  // `maxMessages`) are under `maxGossipRpcBytes`: the decode bound refuses them (50,000 would be refused by size).
  it('one RPC carrying 10,000 messages: refused whole at decode, none reaches the node', async () => {
    const before = handled;
    const messages = Array.from({ length: 10_000 }, (_, i) => ({
      topic: victim.topics.readings,
      data: Uint8Array.of(i & 0xff, (i >> 8) & 0xff, 7),
    }));
    expect(RPC.encode({ subscriptions: [], messages }).length).to.be.below(defaultNetworkOptions.maxGossipRpcBytes);
    await send({ subscriptions: [], messages });
    await sleep(500);
    expect(handled - before).to.equal(0);
  });
});

/**
 * A meter's and an auditor's host join no community gossip (no scoring), but a peer can still open a
 * gossipsub stream to them and name topics: they keep only the topics they use (a meter its readings
 * topic, an auditor none), like a node.
 */
describe("attack: made-up topics at a meter's and an auditor's host", function () {
  this.timeout(60_000);
  const { community } = testCommunity(3);
  const readings = topics(community).readings;
  const hosts: DiversityLibp2p[] = [];
  after(async () => {
    for (const h of hosts) await h.stop();
  });

  /** 2,000 made-up topics and the readings topic, 50 a RPC (under the decode bound of 64). */
  async function flood(victim: DiversityLibp2p, hostile: DiversityLibp2p): Promise<void> {
    const stream = await hostile.dialProtocol(victim.getMultiaddrs()[0], '/meshsub/1.1.0');
    const rpcs: RPC[] = Array.from({ length: 40 }, (_, k) => ({
      subscriptions: Array.from({ length: 50 }, (_, i) => ({ subscribe: true, topic: `/diversity/made-up/${k}/${i}` })),
      messages: [],
    }));
    rpcs.push({ subscriptions: [{ subscribe: true, topic: readings }], messages: [] });
    await pipe(
      rpcs.map((r) => RPC.encode(r)),
      (s) => lp.encode(s),
      stream.sink,
    );
    await sleep(500);
  }

  for (const [role, allowedTopics] of [
    ['meter', [readings]],
    ['auditor', []],
  ] as const) {
    it(`${role}: 2,000 made-up topics leave its topic map at ${allowedTopics.length}`, async () => {
      const victim = await createHost(defaultNetworkOptions, await peerKeyFromSecret(`${role}-victim`), {
        allowedTopics: [...allowedTopics],
      });
      const hostile = await createHost(defaultNetworkOptions, await peerKeyFromSecret(`${role}-hostile`));
      hosts.push(victim, hostile);
      await hostile.dial(victim.getMultiaddrs()[0]);
      await sleep(500);
      await flood(victim, hostile);
      const held = (victim.services.pubsub as unknown as GossipsubInside).topics;
      expect([...held.keys()]).to.deep.equal([...allowedTopics]);
    });
  }

  it('a meter host with its allow-list still publishes its readings to a node', async () => {
    const seen: number[] = [];
    const node = new Network(defaultNetworkOptions, {
      privateKey: await peerKeyFromSecret('meter-node'),
      community,
      metrics: null,
      logger: createLogger({ level: 'error', name: 'node' }),
      handlers: {
        onReading: async (data) => void seen.push(data[0]),
        onCoSignature: async () => {},
        serveWindow: async () => [],
      },
    });
    await node.start();
    const meter = await createHost(defaultNetworkOptions, await peerKeyFromSecret('meter-publisher'), {
      allowedTopics: [readings],
    });
    hosts.push(meter);
    try {
      meter.services.pubsub.subscribe(readings);
      await meter.dial(node.host.getMultiaddrs()[0]);
      const deadline = Date.now() + 10_000;
      while (meter.services.pubsub.getSubscribers(readings).length === 0 && Date.now() < deadline) await sleep(50);
      await meter.services.pubsub.publish(readings, new Uint8Array(134).fill(5));
      while (!seen.includes(5) && Date.now() < deadline) await sleep(50);
      expect(seen).to.include(5);
    } finally {
      await node.stop();
    }
  });
});

/**
 * A co-signature costs an EIP-712 recovery (~1 ms; a BLS share a pairing, tens of ms) after its
 * cheap checks. Gossipsub hands every message of a peer to the validator at once (it neither
 * awaits one before the next nor looks at the score between them; the score it checks per RPC is
 * cached for a second), so a peer's burst of well-formed co-signatures with wrong signatures would
 * each be recovered. The validator must stop doing crypto for a peer soon after it proved hostile.
 */
describe('attack: a burst of co-signatures with wrong signatures', function () {
  this.timeout(90_000);
  const { community, wallets } = testCommunity(3);
  const domain = hubDomain(community.chainId, community.hub);
  const { clock } = manualClock(community, community.start + 10 * 4 * 3); // window 2 running, 0 and 1 over
  const metrics = createMetrics();
  let victim: Network;
  let hostile: DiversityLibp2p;
  let cleanup: () => Promise<void>;

  before(async () => {
    const store = await tempDb();
    cleanup = store.cleanup;
    const ctx = { community, clock, domain, db: store.db, lastFinalWindow: () => -1 };
    victim = new Network(defaultNetworkOptions, {
      privateKey: await peerKeyFromSecret('victim-4'),
      community,
      metrics,
      logger: createLogger({ level: 'error', name: 'victim' }),
      handlers: {
        onReading: async () => {},
        onCoSignature: async (data) => {
          await validateCoSignature(ctx, data);
        },
        serveWindow: async () => [],
      },
    });
    await victim.start();
    hostile = await createHost(defaultNetworkOptions, await peerKeyFromSecret('hostile-4'));
    hostile.services.pubsub.subscribe(victim.topics.coSignatures);
    await hostile.dial(victim.host.getMultiaddrs()[0]);
    const deadline = Date.now() + 10_000;
    while (hostile.services.pubsub.getSubscribers(victim.topics.coSignatures).length === 0 && Date.now() < deadline)
      await sleep(50);
  });
  after(async () => {
    await hostile?.stop();
    await victim?.stop();
    await cleanup?.();
  });

  const count = async (code: string) =>
    (await metrics.gossipErrors.get()).values.find((v) => v.labels.topic === 'cosignatures' && v.labels.code === code)
      ?.value ?? 0;

  it('1,000 at once: only a handful are recovered, the rest dropped unverified and counted', async () => {
    // A real signature, by someone else, over other roots: each message costs a full recovery.
    const signature = await signWindowResult(wallets[2], domain, {
      communityId: community.communityId,
      window: 1,
      windowRoot: `0x${'ab'.repeat(32)}`,
      stateHash: `0x${'cd'.repeat(32)}`,
      balancesRoot: `0x${'ba'.repeat(32)}`,
    });
    const burst = Array.from({ length: 1000 }, (_, i) =>
      encodeCoSignature({
        window: 1,
        signer: 0,
        windowRoot: `0x${i.toString(16).padStart(64, '0')}`,
        stateHash: `0x${'cd'.repeat(32)}`,
        balancesRoot: `0x${'ba'.repeat(32)}`,
        signature,
      }),
    );
    await Promise.all(burst.map((m) => hostile.services.pubsub.publish(victim.topics.coSignatures, m)));
    const deadline = Date.now() + 30_000;
    let seen = 0;
    while (Date.now() < deadline) {
      const { values } = await metrics.gossipMessages.get();
      seen = values.filter((v) => v.labels.topic === 'cosignatures').reduce((n, v) => n + v.value, 0);
      if (seen >= 1000) break;
      await sleep(200);
    }
    const recovered = await count(CoSignatureGossipErrorCode.BAD_SIGNATURE);
    expect(recovered, 'signatures recovered').to.be.at.most(16);
    expect(seen, 'every message validated or dropped, and counted').to.equal(1000);
    expect(await count(GossipPeerErrorCode.PEER_REJECTED), 'dropped unverified').to.be.at.least(1);
  });
});

describe('gossipValidatorFn: the per-peer gate', () => {
  const logger = createLogger({ level: 'error', name: 'gate' });
  const peer = (id: string) => ({ toString: () => id }) as unknown as PeerId;
  const message = { data: Uint8Array.of(1) } as unknown as Message;
  const reject = () => {
    throw new GossipValidationError(GossipAction.REJECT, { code: CoSignatureGossipErrorCode.BAD_SIGNATURE });
  };

  it('a peer rejected maxRejectsPerPeer times is not validated again until the memo expires; others are', async () => {
    let now = 0;
    let calls = 0;
    const validate = gossipValidatorFn(
      'cosignatures',
      async () => {
        calls++;
        reject();
      },
      null,
      logger,
      undefined,
      { maxRejectsPerPeer: 5, rejectMemoMs: 1000 },
      () => now,
    );
    const results = [];
    for (let i = 0; i < 10; i++) results.push(await validate(peer('hostile'), message));
    expect(calls).to.equal(5);
    expect(results.slice(0, 5).every((r) => r === TopicValidatorResult.Reject)).to.equal(true);
    expect(results.slice(5).every((r) => r === TopicValidatorResult.Ignore)).to.equal(true);
    await validate(peer('other'), message);
    expect(calls, 'another peer is validated').to.equal(6);
    now = 1001;
    await validate(peer('hostile'), message);
    expect(calls, 'after the memo').to.equal(7);
  });

  it('serialPerPeer: one at a time per peer, at most maxQueuedPerPeer waiting (GOSSIP_PEER_BUSY past it)', async () => {
    const metrics = createMetrics();
    let running = 0;
    let most = 0;
    const release: (() => void)[] = [];
    const validate = gossipValidatorFn(
      'cosignatures',
      async () => {
        running++;
        most = Math.max(most, running);
        await new Promise<void>((r) => release.push(r));
        running--;
      },
      metrics,
      logger,
      undefined,
      { serialPerPeer: true, maxQueuedPerPeer: 2 },
    );
    const pending = [1, 2, 3, 4].map(() => validate(peer('a'), message));
    const other = validate(peer('b'), message);
    expect(await pending[2]).to.equal(TopicValidatorResult.Ignore);
    expect(await pending[3]).to.equal(TopicValidatorResult.Ignore);
    while (release.length < 2) await sleep(5);
    expect(running, 'one of a, one of b').to.equal(2);
    for (let k = 0; k < 3; k++) {
      while (release.length === 0) await sleep(5);
      release.shift()!();
      await sleep(5);
    }
    expect(await pending[0]).to.equal(TopicValidatorResult.Accept);
    expect(await pending[1]).to.equal(TopicValidatorResult.Accept);
    expect(await other).to.equal(TopicValidatorResult.Accept);
    expect(most).to.equal(2);
    const { values } = await metrics.gossipErrors.get();
    expect(values.find((v) => v.labels.code === GossipPeerErrorCode.PEER_BUSY)?.value).to.equal(2);
  });
});
