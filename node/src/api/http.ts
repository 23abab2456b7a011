import type { IncomingMessage, ServerResponse } from 'node:http';

/** Handles a GET request if the path is one of its routes; false hands it to the next handler. */
export type ApiHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

/** JSON with bigints as decimal strings. */
export const toJson = (value: unknown) =>
  JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2);

/** Sends a JSON answer (the server has set the CORS headers the request may have). */
export function sendJson(res: ServerResponse, code: number, value: unknown): true {
  res.writeHead(code, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(toJson(value));
  return true;
}

function hostnameOf(hostAndPort: string): string | undefined {
  try {
    return new URL(`http://${hostAndPort}`).hostname;
  } catch {
    return undefined;
  }
}

export function isLoopback(hostname: string | undefined): boolean {
  return (
    hostname === 'localhost' ||
    hostname === '[::1]' ||
    hostname === '::1' ||
    (hostname !== undefined && /^127\.\d+\.\d+\.\d+$/.test(hostname))
  );
}

export type Access = { ok: true; allowOrigin?: string } | { ok: false; reason: string };

/**
 * Who may read the API from a browser. The JSON tells a member's consumption per interval (when
 * someone is home), so not every web page the member visits may read it:
 * - an API on loopback answers only requests addressed to a loopback name: a site whose name
 *   was rebound to 127.0.0.1 (DNS rebinding) is refused;
 * - a page from another origin may read the answer (CORS) only when it is served from the same
 *   host name (another node's page on this machine: the community overview) or is listed in
 *   `corsOrigins`.
 */
export function checkAccess(req: IncomingMessage, opts: { host: string; corsOrigins?: string[] }): Access {
  const host = hostnameOf(req.headers.host ?? '');
  if (isLoopback(opts.host) && !isLoopback(host))
    return { ok: false, reason: 'host not allowed: this API answers only loopback names' };
  const origin = req.headers.origin;
  if (!origin || origin === 'null') return { ok: true };
  let originHost: string;
  try {
    originHost = new URL(origin).hostname;
  } catch {
    return { ok: true };
  }
  const allowed = opts.corsOrigins ?? [];
  const sameHost = originHost === host || (isLoopback(originHost) && isLoopback(host));
  return sameHost || allowed.includes('*') || allowed.includes(origin)
    ? { ok: true, allowOrigin: origin }
    : { ok: true };
}
