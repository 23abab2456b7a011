import { expect } from 'chai';
import { connect, type Socket } from 'node:net';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Dashboard, type DashboardNode, defaultDashboardOptions } from '../../src/api/dashboard.js';
import { defaultEventFeedOptions, EventFeed } from '../../src/api/events.js';
import { defaultApiOptions } from '../../src/api/options.js';
import { ApiServer } from '../../src/api/server.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { createLogger } from '../../src/util/logger.js';
import { manualClock, testCommunity } from '../utils/community.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The HTTP API as a hostile client sees it: many idle connections, headers sent a byte at a time,
 * a huge body, one server-sent-events stream after another, paths that climb out of the dashboard's
 * folder, query parameters past every range. The API must stay bounded (connections, streams,
 * memory, time) and never serve a file it does not ship.
 */
describe('attack: the HTTP API and dashboard', function () {
  this.timeout(60_000);
  const { community } = testCommunity(3);
  const logger = createLogger({ level: 'error', name: 'test' });
  const opts = {
    ...defaultApiOptions,
    maxConnections: 64,
    headersTimeoutMs: 1000,
  };
  const metrics = createMetrics();
  let api: ApiServer;
  let dashboard: Dashboard;
  let port: number;

  before(async () => {
    const { clock } = manualClock(community, community.start + 5);
    dashboard = new Dashboard({ pollMs: 60_000 } as never, {
      name: 'victim',
      address: community.participants[0],
      participantIndex: 0,
      peerId: 'peer',
      community,
      clock,
      db: {} as never,
      hub: {} as never,
      provider: {} as never,
      peers: () => [],
      lastCommittedWindow: () => -1,
      lastFinalWindow: () => -1,
      finalBalances: async () => undefined,
      logger,
    } satisfies DashboardNode);
    api = new ApiServer(opts, {
      status: async () => ({ ok: true }),
      windowResult: async () => undefined,
      metrics,
      logger,
      // The dashboard's real routes; its chain poll (which needs a hub) is not started.
      dashboard: { handle: dashboard.handle, start: async () => {}, stop: () => dashboard.stop() },
    });
    await api.start();
    port = Number(new URL(api.url!).port);
  });
  after(async () => {
    await api?.stop();
  });

  /** One GET over a fresh connection: status and body. */
  function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
        let body = '';
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** Opens a TCP connection that sends nothing (or what `write` says) and resolves once connected. */
  function rawSocket(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(s));
      s.on('error', () => {});
      s.once('error', reject);
    });
  }
  const closedWithin = (s: Socket, ms: number) =>
    Promise.race([new Promise<boolean>((r) => s.once('close', () => r(true))), sleep(ms).then(() => false)]);

  it('300 idle connections: at most maxConnections are held, the others dropped at once', async () => {
    const sockets = await Promise.all(Array.from({ length: 300 }, () => rawSocket()));
    await sleep(300);
    const open = sockets.filter((s) => !s.destroyed && s.readyState === 'open').length;
    expect(open).to.be.at.most(opts.maxConnections);
    const { values } = await metrics.apiRequests.get();
    const dropped = values.find((v) => v.labels.route === 'connection' && v.labels.code === 'dropped')?.value ?? 0;
    expect(dropped, 'drops counted').to.be.at.least(300 - opts.maxConnections);
    for (const s of sockets) s.destroy();
    await sleep(200);
    expect((await get('/status')).status).to.equal(200);
  });

  it('headers dripped a byte at a time (slowloris): the connection is cut at headersTimeoutMs', async () => {
    const s = await rawSocket();
    const request = `GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'x'.repeat(200)}`;
    let i = 0;
    const drip = setInterval(() => {
      if (!s.destroyed && i < request.length) s.write(request[i++]);
    }, 100);
    const started = Date.now();
    const closed = await closedWithin(s, opts.headersTimeoutMs + 8000);
    clearInterval(drip);
    s.destroy();
    expect(closed, 'cut').to.equal(true);
    expect(Date.now() - started).to.be.lessThan(opts.headersTimeoutMs + 8000);
  });

  it('maxStreams + 4 event streams at once: maxStreams are served, the others 503', async () => {
    const max = defaultEventFeedOptions.maxStreams;
    const streams: { status: number; destroy: () => void }[] = await Promise.all(
      Array.from(
        { length: max + 4 },
        () =>
          new Promise<{ status: number; destroy: () => void }>((resolve, reject) => {
            const req = request({ host: '127.0.0.1', port, path: '/api/events/stream', agent: false }, (res) => {
              res.on('data', () => {});
              resolve({ status: res.statusCode ?? 0, destroy: () => req.destroy() });
            });
            req.on('error', reject);
            req.end();
          }),
      ),
    );
    const ok = streams.filter((s) => s.status === 200).length;
    expect(ok).to.equal(max);
    expect(streams.filter((s) => s.status === 503)).to.have.length(4);
    expect(dashboard.feed.openStreams).to.equal(max);
    for (const s of streams) s.destroy();
    await sleep(300);
    expect(dashboard.feed.openStreams).to.equal(0);
  });

  it('a 64 MB body on a POST: 405 without reading it, memory bounded', async () => {
    const before = process.memoryUsage().rss;
    const status = await new Promise<number>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/status', method: 'POST', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', () => {});
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      let sent = 0;
      const pump = () => {
        while (sent < 64 && req.write(chunk)) sent++;
        if (sent < 64) req.once('drain', pump);
        else req.end();
      };
      pump();
    });
    expect(status).to.equal(405);
    expect(process.memoryUsage().rss - before).to.be.lessThan(64 * 1024 * 1024);
  });

  it('paths that climb out of the dashboard folder: never a file it does not ship', async () => {
    for (const path of [
      '/../../../../etc/passwd',
      '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/vendor/../../package.json',
      '/vendor/%2e%2e%2f%2e%2e%2fpackage.json',
      '//etc/passwd',
      '/app.js/../../../package.json',
      '/..%5c..%5cpackage.json',
      '/index.html%00.js',
    ]) {
      const { status, body } = await get(path);
      expect(status, path).to.be.oneOf([400, 404]);
      expect(body, path).to.not.match(/root:|"name":\s*"diversity/);
    }
    expect((await get('/app.js')).status).to.equal(200);
  });

  it('query parameters past every range: clamped or 400, never a crash', async () => {
    for (const [path, codes] of [
      ['/api/events?since=99999999999999999999999999999&limit=99999999999999', [200]],
      ['/api/events?limit=-5', [200]],
      ['/api/events?since=abc', [400]],
      ['/window/99999999999', [400]],
      ['/window/-1', [400]],
      ['/window/%00', [400]],
      ['/balances/1e9', [400]],
    ] as const) {
      const { status } = await get(path);
      expect(codes, `${path} -> ${status}`).to.include(status);
    }
    const long = await get(`/status?${'a'.repeat(64 * 1024)}`);
    expect(long.status).to.equal(431);
    expect((await get('/status')).status).to.equal(200);
  });
});

/**
 * The dashboard's JSON routes read the store, fold windows (`/api/member`: up to 96 folds per request)
 * and read the hub: each request costs the node's event loop and its RPC. Many at once from one
 * client must not all run at once.
 */
describe('attack: many concurrent dashboard queries', function () {
  this.timeout(60_000);
  const { community } = testCommunity(3);
  const logger = createLogger({ level: 'error', name: 'test' });

  it('40 concurrent /api/windows requests: at most maxConcurrentQueries run at once, the rest 503 at once', async () => {
    const { clock } = manualClock(community, community.start + 10 * 4 * 3);
    let running = 0;
    let most = 0;
    const hub = {
      // A slow hub read: what makes a query hold the event loop's turn and the RPC.
      windowRecord: async () => {
        running++;
        most = Math.max(most, running);
        await sleep(300);
        running--;
        return { windowRoot: '', stateHash: '', balancesRoot: '', signers: 0n, submittedAt: 0, status: 0 };
      },
    };
    const dashboard = new Dashboard(defaultDashboardOptions, {
      name: 'victim',
      address: community.participants[0],
      participantIndex: 0,
      peerId: 'peer',
      community,
      clock,
      db: { windowResults: { get: async () => undefined } } as never,
      hub: hub as never,
      provider: {} as never,
      peers: () => [],
      lastCommittedWindow: () => -1,
      lastFinalWindow: () => -1,
      finalBalances: async () => undefined,
      logger,
    });
    const api = new ApiServer(defaultApiOptions, {
      status: async () => ({}),
      windowResult: async () => undefined,
      metrics: null,
      logger,
      dashboard: { handle: dashboard.handle, start: async () => {}, stop: () => dashboard.stop() },
    });
    await api.start();
    try {
      const statuses = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          fetch(`${api.url}/api/windows?count=1&from=${i % 3}`).then((r) => r.status),
        ),
      );
      const max = defaultApiOptions.maxConcurrentQueries!;
      expect(most, 'queries running at once').to.be.at.most(max);
      expect(statuses.filter((s) => s === 200).length).to.be.at.least(max);
      expect(statuses.filter((s) => s !== 200 && s !== 503)).to.deep.equal([]);
      // Once the burst is over, the next query is served.
      expect((await fetch(`${api.url}/api/windows?count=1`)).status).to.equal(200);
    } finally {
      await api.stop();
    }
  });
});

/**
 * `/window/<n>` and `/balances/<n>` read the store and, for balances not held, the chain (the claim's
 * record, its transaction) and the peers (the final state): under the same cap as the dashboard's
 * queries, and a window whose balances are missing is not looked for again on every request.
 */
describe('attack: many /window/<n> and /balances/<n> requests', function () {
  this.timeout(60_000);
  const logger = createLogger({ level: 'error', name: 'test' });

  it('40 concurrent /balances/<n> and /window/<n> requests: at most maxConcurrentQueries run at once, the rest 503 with retry-after', async () => {
    let running = 0;
    let most = 0;
    const slow = async () => {
      running++;
      most = Math.max(most, running);
      await sleep(300);
      running--;
      return { ok: true };
    };
    const api = new ApiServer(defaultApiOptions, {
      status: async () => ({}),
      windowResult: slow,
      balances: slow,
      metrics: null,
      logger,
    });
    await api.start();
    try {
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          fetch(`${api.url}/${i % 2 ? 'window' : 'balances'}/${i}`).then((r) => ({
            status: r.status,
            retryAfter: r.headers.get('retry-after'),
          })),
        ),
      );
      const max = defaultApiOptions.maxConcurrentQueries!;
      expect(most, 'queries running at once').to.be.at.most(max);
      expect(answers.filter((a) => a.status === 200).length).to.be.at.least(max);
      const refused = answers.filter((a) => a.status === 503);
      expect(refused.length).to.be.at.least(40 - 2 * max);
      expect(refused.every((a) => a.retryAfter === '1')).to.equal(true);
      expect(answers.filter((a) => a.status !== 200 && a.status !== 503)).to.deep.equal([]);
      expect((await fetch(`${api.url}/balances/1`)).status).to.equal(200);
    } finally {
      await api.stop();
    }
  });

  it('a missing /balances/<n> asked 30 times: the peers are asked once per missingBalancesRetryMs', async () => {
    let peerFetches = 0;
    const api = new ApiServer(
      { ...defaultApiOptions, missingBalancesRetryMs: 1000 },
      {
        status: async () => ({}),
        windowResult: async () => undefined,
        // The node's lookup of balances not held: the claim's record, then the final state from the peers.
        balances: async () => {
          peerFetches++;
          await sleep(10);
          return undefined;
        },
        metrics: null,
        logger,
      },
    );
    await api.start();
    try {
      for (let i = 0; i < 30; i++) expect((await fetch(`${api.url}/balances/5`)).status).to.equal(404);
      expect(peerFetches, 'fetches for window 5').to.equal(1);
      // Another window is its own lookup; the same one is looked for again after the interval.
      expect((await fetch(`${api.url}/balances/6`)).status).to.equal(404);
      expect(peerFetches).to.equal(2);
      await sleep(1100);
      expect((await fetch(`${api.url}/balances/5`)).status).to.equal(404);
      expect(peerFetches).to.equal(3);
    } finally {
      await api.stop();
    }
  });
});

describe('attack: an event stream whose client never reads', function () {
  this.timeout(60_000);

  it('the node ends the stream once maxBufferedBytes wait for the client, instead of buffering every event', async () => {
    const feed = new EventFeed({ heartbeatMs: 60_000 });
    const server = createServer((req, res) => feed.stream(req, res, 0));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    try {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => {});
      await new Promise<void>((r) => socket.once('connect', () => r()));
      socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      socket.pause(); // never reads: the kernel buffers fill, then the node's
      while (feed.openStreams === 0) await sleep(10);
      const message = 'x'.repeat(4096);
      // 64 MB of events for a client that reads nothing.
      for (let i = 0; i < 16_384 && feed.openStreams > 0; i++) {
        feed.push({ source: 'node', type: 'disagreement', severity: 'info', window: i, message, data: {} });
        if (i % 256 === 0) await sleep(1);
      }
      expect(feed.openStreams, 'the stream is ended').to.equal(0);
      socket.destroy();
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
