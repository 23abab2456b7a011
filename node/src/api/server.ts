import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from '../metrics/metrics.js';
import type { Logger } from '../util/logger.js';
import { checkAccess, type ApiHandler } from './http.js';
import { defaultApiOptions, MAX_MISSING_BALANCES_MEMO, type ApiOptions } from './options.js';
import { WEB_FILES } from './web.js';

export interface ApiModules {
  /** The status document served at `/status` (JSON). */
  status(): Promise<unknown>;
  /** This node's fold and commitment of one window, served at `/window/<n>` (JSON). */
  windowResult(window: number): Promise<unknown | undefined>;
  /**
   * The balances this node holds under window `window`'s final balances root (what members are paid
   * from at close), served at `/balances/<n>` (JSON); undefined while the window is not final or the node
   * holds none under its root.
   */
  balances?(window: number): Promise<unknown | undefined>;
  metrics: Metrics | null;
  logger: Logger;
  /** The dashboard (page at `/` and `/api/*`), started and stopped with the server. */
  dashboard?: { handle: ApiHandler; start(): Promise<void>; stop(): Promise<void> };
}

const ROUTES = new Set([
  '/',
  '/status',
  '/metrics',
  '/api/health',
  '/api/member',
  '/api/windows',
  '/api/accounts',
  '/api/events',
  '/api/events/stream',
]);

/** The routes that read the store, the hub or the peers: at most `maxConcurrentQueries` at once. */
const QUERY_ROUTES = new Set(['/api/health', '/api/member', '/api/windows', '/api/accounts']);
const isQuery = (path: string) => QUERY_ROUTES.has(path) || /^\/(window|balances)\//.test(path);

/** A bounded metric label: known routes by name, static files and everything else grouped. */
function routeLabel(path: string): string {
  if (ROUTES.has(path)) return path;
  if (/^\/window\/\d+$/.test(path)) return '/window/<n>';
  if (/^\/balances\/\d+$/.test(path)) return '/balances/<n>';
  return WEB_FILES[path] ? 'static' : 'other';
}

const json = (value: unknown) => JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2);

/**
 * The node's HTTP API: `GET /status` (JSON), `GET /metrics` (Prometheus text format), `GET /window/<n>`,
 * `GET /balances/<n>`,
 * and the dashboard's page and JSON (docs/api.md).
 */
export class ApiServer {
  private server?: Server;
  /** Queries running now (`maxConcurrentQueries` at most). */
  private queries = 0;
  /** Window -> when its balances were last found missing (`missingBalancesRetryMs`). */
  private readonly missingBalances = new Map<number, number>();

  constructor(
    private readonly opts: ApiOptions,
    private readonly modules: ApiModules,
  ) {}

  get url(): string | undefined {
    const addr = this.server?.address() as AddressInfo | null | undefined;
    return addr ? `http://${this.opts.host}:${addr.port}` : undefined;
  }

  async start(): Promise<void> {
    if (!this.opts.enabled || this.server) return;
    const { metrics, logger } = this.modules;
    const bounds = { ...defaultApiOptions, ...this.opts };
    const headersTimeout = bounds.headersTimeoutMs ?? defaultApiOptions.headersTimeoutMs;
    const requestTimeout = Math.max(headersTimeout, bounds.requestTimeoutMs ?? defaultApiOptions.requestTimeoutMs);
    // Every connection is bounded in time (headers, whole request: Node checks them every
    // `connectionsCheckingInterval`, 30 s by default) and in number (`maxConnections`, DESIGN §6.6).
    const serverOptions = {
      headersTimeout,
      requestTimeout,
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(headersTimeout / 2))),
    };
    this.server = createServer(serverOptions, (req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = url.pathname;
      res.once('finish', () => metrics?.apiRequests.inc({ route: routeLabel(path), code: String(res.statusCode) }));
      const send = (code: number, type: string, body: string) => {
        res.writeHead(code, { 'content-type': type });
        res.end(body);
      };
      if (req.method !== 'GET') return send(405, 'application/json', json({ error: 'method not allowed' }));
      const access = checkAccess(req, this.opts);
      if (!access.ok) return send(403, 'application/json', json({ error: access.reason }));
      if (access.allowOrigin) {
        res.setHeader('access-control-allow-origin', access.allowOrigin);
        res.setHeader('vary', 'Origin');
      }
      const maxQueries = bounds.maxConcurrentQueries ?? defaultApiOptions.maxConcurrentQueries;
      const retryMs = bounds.missingBalancesRetryMs ?? defaultApiOptions.missingBalancesRetryMs;
      const handle = async () => {
        if (path === '/status' || (path === '/' && !this.modules.dashboard))
          return send(200, 'application/json', json(await this.modules.status()));
        if (path === '/metrics' && metrics)
          return send(200, metrics.register.contentType, await metrics.register.metrics());
        const windowMatch = /^\/(window|balances)\/([^/]*)$/.exec(path);
        if (windowMatch) {
          // A window is a u32: anything else (1e20, -1, 0x10, 99999999999) is the client's error.
          const w = /^\d{1,10}$/.test(windowMatch[2]) ? Number(windowMatch[2]) : NaN;
          if (!(w <= 0xffff_ffff))
            return send(400, 'application/json', json({ error: 'window must be an integer from 0 to 4294967295' }));
          const balances = windowMatch[1] === 'balances';
          // A missing window's balances are looked for (chain reads, a fetch from the peers) once per
          // `missingBalancesRetryMs`; in between, 404 at once.
          const missedAt = balances ? this.missingBalances.get(w) : undefined;
          const memoed = missedAt !== undefined && Date.now() - missedAt < retryMs;
          const result = memoed
            ? undefined
            : balances
              ? await this.modules.balances?.(w)
              : await this.modules.windowResult(w);
          if (balances && !memoed) {
            if (result) this.missingBalances.delete(w);
            else this.rememberMissing(w);
          }
          return result
            ? send(200, 'application/json', json(result))
            : send(
                404,
                'application/json',
                json({ error: balances ? 'no balances of this final window here' : 'window not committed here' }),
              );
        }
        if (this.modules.dashboard && (await this.modules.dashboard.handle(req, res, url))) return;
        return send(
          404,
          'application/json',
          json({
            error: 'not found',
            paths: [
              '/',
              '/status',
              '/metrics',
              '/window/<n>',
              '/balances/<n>',
              '/api/health',
              '/api/member',
              '/api/windows',
              '/api/accounts',
              '/api/events',
              '/api/events/stream',
            ],
          }),
        );
      };
      const run = async () => {
        if (!isQuery(path)) return handle();
        if (this.queries >= maxQueries) {
          res.setHeader('retry-after', '1');
          return send(503, 'application/json', json({ error: 'too many queries at once' }));
        }
        this.queries++;
        try {
          return await handle();
        } finally {
          this.queries--;
        }
      };
      run().catch((e) => {
        logger.warn('api request failed', { path }, e);
        if (!res.headersSent) send(500, 'application/json', json({ error: 'internal error' }));
        else res.end();
      });
    });
    this.server.maxConnections = bounds.maxConnections ?? defaultApiOptions.maxConnections;
    this.server.on('drop', () => metrics?.apiRequests.inc({ route: 'connection', code: 'dropped' }));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.opts.port, this.opts.host, () => resolve());
    });
    await this.modules.dashboard?.start();
    logger.info('api listening', { url: this.url });
  }

  private rememberMissing(window: number): void {
    this.missingBalances.delete(window);
    this.missingBalances.set(window, Date.now());
    if (this.missingBalances.size > MAX_MISSING_BALANCES_MEMO)
      this.missingBalances.delete(this.missingBalances.keys().next().value!);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await this.modules.dashboard?.stop();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
