import type { IncomingMessage, ServerResponse } from 'node:http';

/** Handles a GET request if the path is one of its routes; false hands it to the next handler. */
export type ApiHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

/** JSON with bigints as decimal strings. */
export const toJson = (value: unknown) => JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2);

/**
 * Sends a JSON answer. Every JSON route is a read-only view and may be read from another origin
 * (the community overview page reads every node's API), so it allows any origin.
 */
export function sendJson(res: ServerResponse, code: number, value: unknown): true {
  res.writeHead(code, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'access-control-allow-origin': '*' });
  res.end(toJson(value));
  return true;
}
