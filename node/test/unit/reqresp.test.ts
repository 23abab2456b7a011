import { expect } from 'chai';
import * as lp from 'it-length-prefixed';
import { pipe } from 'it-pipe';
import type { PeerId, Stream } from '@libp2p/interface';
import { createHost, type DiversityLibp2p } from '../../src/network/host.js';
import { Network, RateLimiter } from '../../src/network/network.js';
import { defaultNetworkOptions } from '../../src/network/options.js';
import { peerKeyFromSecret } from '../../src/network/peerKey.js';
import {
  encodeResponseHeader,
  maxItems,
  parseWindowRequest,
  ReqRespError,
  ReqRespErrorCode,
} from '../../src/network/reqresp.js';
import { topics } from '../../src/network/topics.js';
import { createLogger } from '../../src/util/logger.js';
import { testCommunity } from '../utils/community.js';

/**
 * The window protocol under attack: a peer that accepts a request and never answers, one that
 * announces a billion items and streams large frames, one that drips. The requester must give up
 * at its deadline or its caps, with a typed error, and carry on with the peers that answer.
 */
describe('window protocol (reqresp) bounds', function () {
  this.timeout(30_000);
  const { community } = testCommunity(3); // 4 intervals x 3 meters per window
  const protocol = topics(community).windowProtocol;
  const logger = createLogger({ level: 'error', name: 'test' });
  let network: Network;
  let hostile: DiversityLibp2p;
  let honest: Network;

  type Mode = 'hang' | 'huge' | 'bigframes' | 'drip';
  let mode: Mode = 'hang';
  const frame = (bytes: number) => new Uint8Array(bytes).fill(7);

  async function answer(stream: Stream): Promise<void> {
    const decoded = lp.decode(stream.source);
    const first = await decoded.next();
    parseWindowRequest(first.value!.subarray());
    if (mode === 'hang') return new Promise(() => {}); // accept, read, never answer
    const sink = async function* () {
      if (mode === 'huge') {
        yield encodeResponseHeader({ ok: true, count: 1e9 });
        for (;;) yield frame(512 * 1024);
      }
      if (mode === 'bigframes') {
        yield encodeResponseHeader({ ok: true, count: 12 });
        for (let i = 0; i < 12; i++) yield frame(1000 * 1024);
      }
      if (mode === 'drip') {
        yield encodeResponseHeader({ ok: true, count: 12 });
        for (let i = 0; i < 12; i++) {
          await new Promise((r) => setTimeout(r, 400));
          yield frame(10);
        }
      }
    };
    await pipe(sink(), (s) => lp.encode(s), stream.sink).catch(() => {});
  }

  /** The victim's rate-limit clock: the wall clock, or held still (`frozenAt`) during the flood. */
  let frozenAt: number | undefined;
  const networkFor = async (name: string, serve: (w: number) => Uint8Array[]) => {
    const n = new Network(
      { ...defaultNetworkOptions, maxResponseBytes: 4 * 1024 * 1024 },
      {
        privateKey: await peerKeyFromSecret(name),
        community,
        metrics: null,
        logger,
        now: () => frozenAt ?? Date.now(),
        handlers: {
          onReading: async () => {},
          onCoSignature: async () => {},
          serveWindow: async (req) => serve(req.window),
        },
      },
    );
    await n.start();
    return n;
  };

  before(async () => {
    network = await networkFor('victim', () => []);
    honest = await networkFor('honest', (w) => [Buffer.from(`reading of window ${w}`)]);
    hostile = await createHost(defaultNetworkOptions, await peerKeyFromSecret('hostile'));
    await hostile.handle(protocol, ({ stream }) => void answer(stream).catch(() => {}));
    await network.host.dial(hostile.getMultiaddrs()[0]);
    await network.host.dial(honest.host.getMultiaddrs()[0]);
  });
  after(async () => {
    await network?.stop();
    await honest?.stop();
    await hostile?.stop();
  });

  const hostilePeer = (): PeerId => hostile.peerId;
  async function code(p: Promise<unknown>): Promise<string> {
    try {
      await p;
      return 'resolved';
    } catch (e) {
      return e instanceof ReqRespError ? e.code : `other: ${(e as Error).message}`;
    }
  }

  it('caps items per method from the community shape', () => {
    expect(maxItems('readings', { windowIntervals: 4, meters: 3 })).to.equal(12);
    expect(maxItems('equivocations', { windowIntervals: 4, meters: 3 })).to.equal(24);
    expect(maxItems('windowResult', { windowIntervals: 4, meters: 3 })).to.equal(1);
    expect(maxItems('commitment', { windowIntervals: 4, meters: 3 })).to.equal(4);
  });

  it('a peer that accepts the request and never answers: TIMEOUT at the deadline (idle first)', async () => {
    mode = 'hang';
    const started = Date.now();
    expect(await code(network.request(hostilePeer(), { method: 'readings', window: 0 }, 800))).to.be.oneOf([
      ReqRespErrorCode.TIMEOUT,
      ReqRespErrorCode.IDLE,
    ]);
    expect(Date.now() - started).to.be.lessThan(6000);
  });

  it('a peer announcing a billion items: refused at the header (TOO_MANY_ITEMS)', async () => {
    mode = 'huge';
    const before = process.memoryUsage().rss;
    expect(await code(network.request(hostilePeer(), { method: 'readings', window: 0 }, 5000))).to.equal(
      ReqRespErrorCode.TOO_MANY_ITEMS,
    );
    expect(process.memoryUsage().rss - before).to.be.lessThan(64 * 1024 * 1024);
  });

  it('a response within the item cap but past the byte cap: TOO_LARGE', async () => {
    mode = 'bigframes';
    expect(await code(network.request(hostilePeer(), { method: 'readings', window: 0 }, 10_000))).to.equal(
      ReqRespErrorCode.TOO_LARGE,
    );
  });

  it('a peer that drips frames: TIMEOUT at the whole-request deadline', async () => {
    mode = 'drip';
    const started = Date.now();
    expect(await code(network.request(hostilePeer(), { method: 'readings', window: 0 }, 1500))).to.equal(
      ReqRespErrorCode.TIMEOUT,
    );
    expect(Date.now() - started).to.be.lessThan(6000);
  });

  it('requestAll answers with the peers that answer, within the deadline, whatever the others do', async () => {
    for (const m of ['hang', 'huge', 'drip'] as const) {
      mode = m;
      const started = Date.now();
      const answers = await network.requestAll({ method: 'readings', window: 3 }, 1000);
      expect(
        answers.map((a) => a.peer.toString()),
        m,
      ).to.deep.equal([honest.peerId]);
      expect(Buffer.from(answers[0].items[0]).toString()).to.equal('reading of window 3');
      expect(Date.now() - started, m).to.be.lessThan(6000);
    }
  });

  it('the responder cuts a requester that never sends its request (idle), and rate-limits a flood', async () => {
    const stream = await hostile.dialProtocol(network.host.getMultiaddrs()[0], protocol);
    const started = Date.now();
    // Nothing sent: the responder aborts the stream after its idle timeout.
    let reset = false;
    try {
      for await (const _ of stream.source) void _;
    } catch {
      reset = true;
    }
    expect(reset).to.equal(true);
    expect(Date.now() - started).to.be.within(
      defaultNetworkOptions.requestIdleMs - 200,
      defaultNetworkOptions.requestIdleMs + 6000,
    );

    // The flood at one instant of the limiter's clock: what is served is the burst, however long the 60
    // round trips take on a loaded machine (with the wall clock, 2 s of them refilled 20 more tokens).
    const results: string[] = [];
    frozenAt = Date.now();
    try {
      await flood(results);
    } finally {
      frozenAt = undefined;
    }
    // Burst 40, nothing refilled while the clock stands still: exactly 40 served, the other 20 refused.
    const served = results.filter((r) => r === 'ok').length;
    expect(served).to.equal(4 * defaultNetworkOptions.requestsPerSecondPerPeer);
    expect(results.filter((r) => r === ReqRespErrorCode.RATE_LIMITED).length).to.equal(60 - served);
  });

  async function flood(results: string[]): Promise<void> {
    for (let i = 0; i < 60; i++) {
      const s = await hostile.dialProtocol(network.host.getMultiaddrs()[0], protocol);
      await pipe([Buffer.from(JSON.stringify({ method: 'readings', window: 0 }))], (src) => lp.encode(src), s.sink);
      for await (const f of lp.decode(s.source)) {
        results.push(JSON.parse(Buffer.from(f.subarray()).toString()).error ?? 'ok');
        break;
      }
      await s.close().catch(() => {});
    }
  }

  it('the per-peer token bucket: burst, then the rate, per peer', () => {
    let now = 0;
    const limiter = new RateLimiter(10, 40, () => now);
    const take = (peer: string, n: number) =>
      Array.from({ length: n }, () => limiter.take(peer)).filter(Boolean).length;
    expect(take('a', 60)).to.equal(40);
    expect(take('b', 5)).to.equal(5);
    now = 1000;
    expect(take('a', 60)).to.equal(10);
    now = 100_000;
    expect(take('a', 60)).to.equal(40);
  });
});
