import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from '../metrics/metrics.js';
import type { Logger } from '../util/logger.js';
import type { ApiOptions } from './options.js';

export interface ApiModules {
  /** The status document served at `/status` (JSON). */
  status(): Promise<unknown>;
  /** This node's fold and commitment of one window, served at `/window/<n>` (JSON). */
  windowResult(window: number): Promise<unknown | undefined>;
  metrics: Metrics | null;
  logger: Logger;
}

const json = (value: unknown) => JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2);

/** The node's HTTP API: `GET /status` (JSON) and `GET /metrics` (Prometheus text format). */
export class ApiServer {
  private server?: Server;

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
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const send = (code: number, type: string, body: string) => {
        res.writeHead(code, { 'content-type': type });
        res.end(body);
      };
      if (req.method !== 'GET') return send(405, 'application/json', json({ error: 'method not allowed' }));
      const handle = async () => {
        if (path === '/status' || path === '/') return send(200, 'application/json', json(await this.modules.status()));
        if (path === '/metrics' && metrics) return send(200, metrics.register.contentType, await metrics.register.metrics());
        const windowMatch = /^\/window\/([^/]*)$/.exec(path);
        if (windowMatch) {
          // A window is a u32: anything else (1e20, -1, 0x10, 99999999999) is the client's error.
          const w = /^\d{1,10}$/.test(windowMatch[1]) ? Number(windowMatch[1]) : NaN;
          if (!(w <= 0xffff_ffff)) return send(400, 'application/json', json({ error: 'window must be an integer from 0 to 4294967295' }));
          const result = await this.modules.windowResult(w);
          return result ? send(200, 'application/json', json(result)) : send(404, 'application/json', json({ error: 'window not committed here' }));
        }
        return send(404, 'application/json', json({ error: 'not found', paths: ['/status', '/metrics', '/window/<n>'] }));
      };
      handle().catch((e) => {
        logger.warn('api request failed', { path }, e);
        send(500, 'application/json', json({ error: 'internal error' }));
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.opts.port, this.opts.host, () => resolve());
    });
    logger.info('api listening', { url: this.url });
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
