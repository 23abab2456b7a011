import { expect } from 'chai';
import * as lp from 'it-length-prefixed';
import { pipe } from 'it-pipe';
import type { Stream } from '@libp2p/interface';
import { createHost, type DiversityLibp2p } from '../../src/network/host.js';
import { Network } from '../../src/network/network.js';
import { defaultNetworkOptions } from '../../src/network/options.js';
import { peerKeyFromSecret } from '../../src/network/peerKey.js';
import { encodeResponseHeader, parseWindowRequest, ReqRespError, ReqRespErrorCode } from '../../src/network/reqresp.js';
import { topics } from '../../src/network/topics.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { createLogger } from '../../src/util/logger.js';
import { testCommunity } from '../utils/community.js';

/** A varint (as it-length-prefixed writes a frame's length) of `n`. */
function varint(n: number): Uint8Array {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Uint8Array.from(out);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * More of the window protocol under attack, both sides, over real libp2p hosts on loopback (the
 * neighbour of `reqresp.test.ts`): a responder that answers and then holds its stream open, one that
 * announces a frame of a terabyte, junk headers, a frame that starts and never ends; a requester that
 * announces a huge request frame, sends deeply nested JSON, drips its request, or opens many streams
 * at once. Each side must give up within its bounds with a typed error and keep serving others.
 */
describe('attack: the window protocol, more hostile peers', function () {
  this.timeout(60_000);
  const { community } = testCommunity(3);
  const protocol = topics(community).windowProtocol;
  const logger = createLogger({ level: 'error', name: 'test' });
  let victim: Network;
  let hostile: DiversityLibp2p;
  let served = 0;
  const metrics = createMetrics();
  /** The victim's count of `counter` with these labels. */
  async function counted(counter: 'reqRespRequests' | 'reqRespOutbound', method: string, result: string) {
    const { values } = await metrics[counter].get();
    return values.find((v) => v.labels.method === method && v.labels.result === result)?.value ?? 0;
  }

  type Mode = 'answer-then-hold' | 'huge-prefix' | 'junk-header' | 'half-frame';
  let mode: Mode = 'answer-then-hold';

  async function answer(stream: Stream): Promise<void> {
    const decoded = lp.decode(stream.source);
    const first = await decoded.next();
    parseWindowRequest(first.value!.subarray());
    const forever = new Promise<never>(() => {});
    const sink = async function* () {
      if (mode === 'answer-then-hold') {
        // A correct answer, then the stream is never closed from this side.
        yield* lp.encode([encodeResponseHeader({ ok: true, count: 1 }), Buffer.from('an item')]);
        await forever;
      }
      if (mode === 'huge-prefix') {
        yield varint(2 ** 40); // "a frame of a terabyte follows", then silence
        await forever;
      }
      if (mode === 'junk-header') yield* lp.encode([Buffer.from('{"ok": tru')]);
      if (mode === 'half-frame') {
        yield varint(500 * 1024);
        yield new Uint8Array(10);
        await forever;
      }
    };
    await pipe(sink(), stream.sink).catch(() => {});
  }

  before(async () => {
    victim = new Network(defaultNetworkOptions, {
      privateKey: await peerKeyFromSecret('victim-2'),
      community,
      metrics,
      logger,
      handlers: {
        onReading: async () => {},
        onCoSignature: async () => {},
        serveWindow: async (req) => {
          served++;
          return [Buffer.from(`reading of window ${req.window}`)];
        },
      },
    });
    await victim.start();
    hostile = await createHost(defaultNetworkOptions, await peerKeyFromSecret('hostile-2'));
    await hostile.handle(protocol, ({ stream }) => void answer(stream).catch(() => {}), { maxInboundStreams: 64 });
    await victim.host.dial(hostile.getMultiaddrs()[0]);
  });
  after(async () => {
    await victim?.stop();
    await hostile?.stop();
  });

  async function outcome(p: Promise<unknown>): Promise<string> {
    try {
      await p;
      return 'resolved';
    } catch (e) {
      return e instanceof ReqRespError ? e.code : `other: ${(e as Error).name}`;
    }
  }

  describe('the requester (this node asks a hostile peer)', () => {
    it('a peer that answers in full and never closes its stream: the request returns, no hang in close', async () => {
      mode = 'answer-then-hold';
      const started = Date.now();
      const items = await Promise.race([
        victim.request(hostile.peerId, { method: 'readings', window: 0 }, 2000),
        sleep(10_000).then(() => 'hung' as const),
      ]);
      expect(items).to.not.equal('hung');
      expect((items as Uint8Array[]).map((i) => Buffer.from(i).toString())).to.deep.equal(['an item']);
      expect(Date.now() - started).to.be.lessThan(5000);
    });

    it('a peer announcing a frame of 2^40 bytes: refused at once as TOO_LARGE, nothing buffered, no hang', async () => {
      mode = 'huge-prefix';
      const started = Date.now();
      const before = process.memoryUsage().rss;
      const got = await Promise.race([
        outcome(victim.request(hostile.peerId, { method: 'readings', window: 0 }, 3000)),
        sleep(10_000).then(() => 'hung'),
      ]);
      expect(got).to.equal(ReqRespErrorCode.TOO_LARGE);
      expect(Date.now() - started).to.be.lessThan(2500);
      expect(process.memoryUsage().rss - before).to.be.lessThan(64 * 1024 * 1024);
      // Asking every peer: no answer from it, and the refusal counted by its code.
      expect(await victim.requestAll({ method: 'readings', window: 0 }, 3000)).to.deep.equal([]);
      expect(await counted('reqRespOutbound', 'readings', ReqRespErrorCode.TOO_LARGE)).to.equal(1);
    });

    it('a header that is not JSON: BAD_HEADER', async () => {
      mode = 'junk-header';
      expect(await outcome(victim.request(hostile.peerId, { method: 'readings', window: 0 }, 3000))).to.equal(
        ReqRespErrorCode.BAD_HEADER,
      );
    });

    it('a frame that starts and never ends: IDLE or TIMEOUT within the deadline', async () => {
      mode = 'half-frame';
      const started = Date.now();
      expect(await outcome(victim.request(hostile.peerId, { method: 'readings', window: 0 }, 1500))).to.be.oneOf([
        ReqRespErrorCode.IDLE,
        ReqRespErrorCode.TIMEOUT,
      ]);
      expect(Date.now() - started).to.be.lessThan(5000);
    });
  });

  describe('the responder (a hostile peer asks this node)', () => {
    const dial = () => hostile.dialProtocol(victim.host.getMultiaddrs()[0], protocol);

    /** Reads what the victim answers on `s` until it ends or resets: the first frame, or 'reset'/'ended'. */
    async function reply(s: Stream): Promise<string> {
      try {
        for await (const f of lp.decode(s.source)) return Buffer.from(f.subarray()).toString();
        return 'ended';
      } catch {
        return 'reset';
      }
    }

    /** An honest request on a fresh stream: the victim still serves. */
    async function stillServes(): Promise<void> {
      const s = await dial();
      await pipe([Buffer.from(JSON.stringify({ method: 'readings', window: 7 }))], (src) => lp.encode(src), s.sink);
      expect(await reply(s)).to.equal(JSON.stringify({ ok: true, count: 1 }));
      await s.close().catch(() => {});
    }

    it('a request frame announced at 2^40 bytes: the stream is cut at once, nothing served', async () => {
      const before = served;
      const s = await dial();
      const started = Date.now();
      void pipe(
        (async function* () {
          yield varint(2 ** 40);
          await new Promise(() => {});
        })(),
        s.sink,
      ).catch(() => {});
      expect(await reply(s)).to.be.oneOf(['reset', 'ended']);
      expect(Date.now() - started).to.be.lessThan(2000);
      expect(served).to.equal(before);
      await stillServes();
      expect(await counted('reqRespRequests', 'any', ReqRespErrorCode.TOO_LARGE)).to.equal(1);
    });

    it('a request of 1 MB of nested JSON arrays: answered BAD_REQUEST, nothing served', async () => {
      const before = served;
      const depth = defaultNetworkOptions.maxFrameBytes / 2 - 8;
      const s = await dial();
      await pipe([Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`)], (src) => lp.encode(src), s.sink);
      expect(JSON.parse(await reply(s))).to.deep.equal({ ok: false, error: ReqRespErrorCode.BAD_REQUEST });
      expect(served).to.equal(before);
      await s.close().catch(() => {});
      await stillServes();
      expect(await counted('reqRespRequests', 'any', ReqRespErrorCode.BAD_REQUEST)).to.equal(1);
    });

    it('a request dripped one byte every 200 ms (slowloris): cut at the idle timeout, not held', async () => {
      const s = await dial();
      const started = Date.now();
      const request = lp.encode.single(
        Buffer.from(JSON.stringify({ method: 'readings', window: 0, pad: 'x'.repeat(200) })),
      );
      void pipe(
        (async function* () {
          for (const b of request.subarray()) {
            yield Uint8Array.of(b);
            await sleep(200);
          }
        })(),
        s.sink,
      ).catch(() => {});
      expect(await reply(s)).to.be.oneOf(['reset', 'ended']);
      const held = Date.now() - started;
      expect(held).to.be.within(defaultNetworkOptions.requestIdleMs - 200, defaultNetworkOptions.requestIdleMs + 3000);
      await stillServes();
      expect(await counted('reqRespRequests', 'any', ReqRespErrorCode.IDLE)).to.be.at.least(1);
    });

    it('64 streams opened at once on one connection: at most maxInboundStreams are held, the rest refused', async () => {
      const results = await Promise.allSettled(Array.from({ length: 64 }, () => dial()));
      const opened = results
        .filter((r): r is PromiseFulfilledResult<Stream> => r.status === 'fulfilled')
        .map((r) => r.value);
      // Streams beyond the limit are reset by the victim's muxer at once: reading them ends or fails.
      const started = Date.now();
      const endedAfter = await Promise.all(
        opened.map((s) =>
          Promise.race([reply(s), sleep(defaultNetworkOptions.requestIdleMs + 3000).then(() => 'held')]).then((r) =>
            r === 'held' ? Number.POSITIVE_INFINITY : Date.now() - started,
          ),
        ),
      );
      // Refused streams end at once; the few let in are cut at the responder's idle timeout; none is held.
      const refused = results.length - opened.length + endedAfter.filter((ms) => ms < 1000).length;
      expect(refused).to.be.at.least(64 - defaultNetworkOptions.maxInboundStreams);
      expect(endedAfter.filter((ms) => ms === Number.POSITIVE_INFINITY)).to.have.length(0);
      for (const s of opened) s.abort(new Error('done'));
      await sleep(200);
      await stillServes();
    });
  });
});

describe('attack: a requester that never reads the answer', function () {
  this.timeout(60_000);
  const { community } = testCommunity(3);
  const protocol = topics(community).windowProtocol;
  const serveDeadlineMs = 1500;
  let victim: Network;
  let hostile: DiversityLibp2p;
  let answered = 0;

  before(async () => {
    victim = new Network(
      { ...defaultNetworkOptions, serveDeadlineMs },
      {
        privateKey: await peerKeyFromSecret('victim-5'),
        community,
        metrics: null,
        logger: createLogger({ level: 'error', name: 'test' }),
        handlers: {
          onReading: async () => {},
          onCoSignature: async () => {},
          // 12 frames of 1 MB: far more than the muxer's window, so the answer waits on the reader.
          serveWindow: async () => {
            answered++;
            return Array.from({ length: 12 }, () => new Uint8Array(1000 * 1024).fill(1));
          },
        },
      },
    );
    await victim.start();
    hostile = await createHost(defaultNetworkOptions, await peerKeyFromSecret('hostile-5'));
  });
  after(async () => {
    await hostile?.stop();
    await victim?.stop();
  });

  it('the answer is cut at the serve deadline: the stream is not held, the node serves again', async () => {
    const s = await hostile.dialProtocol(victim.host.getMultiaddrs()[0], protocol);
    await pipe([Buffer.from(JSON.stringify({ method: 'readings', window: 0 }))], (src) => lp.encode(src), s.sink);
    const started = Date.now();
    // Never read: wait until the victim resets the stream (the muxer reports it as the stream's status).
    while (s.status === 'open' && Date.now() - started < serveDeadlineMs + 8000) await sleep(100);
    expect(s.status, 'cut by the victim').to.not.equal('open');
    expect(Date.now() - started).to.be.lessThan(serveDeadlineMs + 8000);
    expect(answered).to.equal(1);
    // And a reader that does read is served.
    const s2 = await hostile.dialProtocol(victim.host.getMultiaddrs()[0], protocol);
    await pipe([Buffer.from(JSON.stringify({ method: 'readings', window: 1 }))], (src) => lp.encode(src), s2.sink);
    let frames = 0;
    for await (const _ of lp.decode(s2.source, { maxDataLength: 2 * 1024 * 1024 })) frames++;
    expect(frames).to.equal(13);
  });
});

/**
 * Each served answer is built in memory (up to W·M readings: ~13 MB at W = 96, M = 1,024) and held
 * until the requester has read it or the serve deadline passes. The per-connection stream limit and
 * the per-peer rate bound one identity; identities are free, so the node bounds the answers it
 * serves at once, whoever asks.
 */
describe('attack: many identities ask at once', function () {
  this.timeout(60_000);
  const { community } = testCommunity(3);
  const protocol = topics(community).windowProtocol;
  const maxConcurrentServes = 4;
  let victim: Network;
  const sybils: DiversityLibp2p[] = [];
  let running = 0;
  let most = 0;

  before(async () => {
    victim = new Network(
      { ...defaultNetworkOptions, maxConcurrentServes },
      {
        privateKey: await peerKeyFromSecret('victim-6'),
        community,
        metrics: null,
        logger: createLogger({ level: 'error', name: 'test' }),
        handlers: {
          onReading: async () => {},
          onCoSignature: async () => {},
          serveWindow: async () => {
            running++;
            most = Math.max(most, running);
            await sleep(400);
            running--;
            return [Buffer.from('item')];
          },
        },
      },
    );
    await victim.start();
    for (let i = 0; i < 3; i++)
      sybils.push(await createHost(defaultNetworkOptions, await peerKeyFromSecret(`sybil-${i}`)));
  });
  after(async () => {
    for (const s of sybils) await s.stop();
    await victim?.stop();
  });

  it('12 requests at once from 3 identities: at most maxConcurrentServes are served at once, the rest BUSY', async () => {
    const ask = async (host: DiversityLibp2p): Promise<string> => {
      const s = await host.dialProtocol(victim.host.getMultiaddrs()[0], protocol);
      await pipe([Buffer.from(JSON.stringify({ method: 'readings', window: 0 }))], (src) => lp.encode(src), s.sink);
      for await (const f of lp.decode(s.source)) {
        const h = JSON.parse(Buffer.from(f.subarray()).toString());
        await s.close().catch(() => {});
        return h.ok ? 'ok' : h.error;
      }
      return 'ended';
    };
    const answers = await Promise.all(sybils.flatMap((h) => Array.from({ length: 4 }, () => ask(h))));
    expect(most, 'answers being served at once').to.be.at.most(maxConcurrentServes);
    expect(answers.filter((a) => a === 'ok').length).to.be.at.least(maxConcurrentServes);
    expect(answers.filter((a) => a !== 'ok')).to.satisfy((rest: string[]) =>
      rest.every((a) => a === ReqRespErrorCode.BUSY),
    );
  });
});

/**
 * libp2p keeps a peer-store entry (keys, addresses, protocols) for every identity that ever connected,
 * connected or not, for the life of the process; identities are free (one IP is throttled to a few
 * connections a second by libp2p, which still adds up to hundreds of thousands a day).
 */
describe('attack: identity churn fills the peer store', function () {
  this.timeout(120_000);
  const { community } = testCommunity(3);
  const maxKnownPeers = 10;
  let victim: Network;

  before(async () => {
    victim = new Network(
      { ...defaultNetworkOptions, redialIntervalMs: 300, maxKnownPeers },
      {
        privateKey: await peerKeyFromSecret('victim-7'),
        community,
        metrics: null,
        logger: createLogger({ level: 'error', name: 'test' }),
        handlers: { onReading: async () => {}, onCoSignature: async () => {}, serveWindow: async () => [] },
      },
    );
    await victim.start();
  });
  after(async () => {
    await victim?.stop();
  });

  it('25 identities connect and leave: the peer store keeps at most maxKnownPeers of the gone', async () => {
    for (let i = 0; i < 25; i++) {
      const h = await createHost(defaultNetworkOptions, await peerKeyFromSecret(`churn-${i}`));
      await h.dial(victim.host.getMultiaddrs()[0]);
      await sleep(250); // libp2p throttles inbound connections per address
      await h.stop();
    }
    await sleep(1500);
    const known = (await victim.host.peerStore.all()).length;
    expect(known, 'peer-store entries').to.be.at.most(maxKnownPeers + victim.host.getPeers().length);
  });
});

/**
 * `requestAll` asks every connected peer at once and holds every answer until all are in: each may be
 * up to `maxResponseBytes` (16 MB), and libp2p lets up to 300 peers connect. Peers are free to make:
 * the fan-out is bounded, bootstrap (configured) peers asked first, then the best gossip scores.
 */
describe('attack: many connected peers answer a fetch with the most they may', function () {
  this.timeout(120_000);
  const { community } = testCommunity(3);
  const protocol = topics(community).windowProtocol;
  const maxRequestPeers = 3;
  let victim: Network;
  let honest: Network;
  const hostiles: DiversityLibp2p[] = [];
  let asked = 0;

  before(async () => {
    honest = new Network(defaultNetworkOptions, {
      privateKey: await peerKeyFromSecret('honest-8'),
      community,
      metrics: null,
      logger: createLogger({ level: 'error', name: 'test' }),
      handlers: {
        onReading: async () => {},
        onCoSignature: async () => {},
        serveWindow: async () => {
          asked++;
          return [Buffer.from('the honest answer')];
        },
      },
    });
    await honest.start();
    victim = new Network(
      {
        ...defaultNetworkOptions,
        maxRequestPeers,
        bootstrap: [`${honest.multiaddrs()[0]}`],
      },
      {
        privateKey: await peerKeyFromSecret('victim-8'),
        community,
        metrics: null,
        logger: createLogger({ level: 'error', name: 'test' }),
        handlers: { onReading: async () => {}, onCoSignature: async () => {}, serveWindow: async () => [] },
      },
    );
    await victim.start();
    for (let i = 0; i < 6; i++) {
      const h = await createHost(defaultNetworkOptions, await peerKeyFromSecret(`flooder-${i}`));
      await h.handle(protocol, ({ stream }) => {
        asked++;
        // 12 frames of ~1 MB: within the item cap (12) and the victim's 16 MB response cap.
        void (async () => {
          const decoded = lp.decode(stream.source);
          await decoded.next();
          await pipe(
            (async function* () {
              yield encodeResponseHeader({ ok: true, count: 12 });
              for (let k = 0; k < 12; k++) yield new Uint8Array(1000 * 1024).fill(9);
            })(),
            (s) => lp.encode(s),
            stream.sink,
          );
        })().catch(() => {});
      });
      await h.dial(victim.host.getMultiaddrs()[0]);
      await sleep(250); // libp2p throttles inbound connections per address
      hostiles.push(h);
    }
    const deadline = Date.now() + 10_000;
    while (victim.connectedPeers().length < 7 && Date.now() < deadline) await sleep(100);
  });
  after(async () => {
    for (const h of hostiles) await h.stop();
    await victim?.stop();
    await honest?.stop();
  });

  it('7 connected peers, 6 of them flooding: at most maxRequestPeers are asked, the bootstrap peer first', async () => {
    expect(victim.connectedPeers().length).to.equal(7);
    asked = 0;
    const answers = await victim.requestAll({ method: 'readings', window: 0 }, 10_000);
    expect(asked, 'peers asked').to.be.at.most(maxRequestPeers);
    expect(answers.map((a) => a.peer.toString())).to.include(honest.peerId);
    const held = answers.reduce((n, a) => n + a.items.reduce((m, i) => m + i.length, 0), 0);
    expect(held, 'bytes held').to.be.at.most(maxRequestPeers * defaultNetworkOptions.maxResponseBytes);
  });
});
