import * as lp from 'it-length-prefixed';
import { pipe } from 'it-pipe';
import type { Stream } from '@libp2p/interface';
import type { Uint8ArrayList } from 'uint8arraylist';
import { DiversityError } from '../util/errors.js';

/**
 * The window protocol: a request/response protocol that serves what a peer or an auditor
 * needs to rebuild or dispute a window. Frames are length-prefixed; the request is one JSON
 * frame, the response a JSON header frame `{ok, count}` followed by `count` item frames.
 */
export type WindowRequest =
  | { method: 'readings'; window: number }
  | { method: 'equivocations'; window: number }
  | { method: 'windowResult'; window: number }
  /** Per interval: the committed slots (signed readings or absent) and the state S_t. */
  | { method: 'commitment'; window: number };

export enum ReqRespErrorCode {
  BAD_REQUEST = 'REQRESP_BAD_REQUEST',
  REMOTE_ERROR = 'REQRESP_REMOTE_ERROR',
  TRUNCATED = 'REQRESP_TRUNCATED',
}
export class ReqRespError extends DiversityError<{ code: ReqRespErrorCode; detail?: string }> {}

export function parseWindowRequest(bytes: Uint8Array): WindowRequest {
  let req: unknown;
  try {
    req = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new ReqRespError({ code: ReqRespErrorCode.BAD_REQUEST, detail: 'not JSON' });
  }
  const r = req as { method?: unknown; window?: unknown };
  if (!['readings', 'equivocations', 'windowResult', 'commitment'].includes(r.method as string) || !Number.isInteger(r.window) || (r.window as number) < 0) {
    throw new ReqRespError({ code: ReqRespErrorCode.BAD_REQUEST, detail: 'unknown method or bad window' });
  }
  return r as WindowRequest;
}

const toBytes = (chunk: Uint8Array | Uint8ArrayList): Uint8Array => (chunk instanceof Uint8Array ? chunk : chunk.subarray());

/** Serves one inbound stream. */
export async function serveStream(stream: Stream, maxFrameBytes: number, handle: (req: WindowRequest) => Promise<Uint8Array[]>): Promise<void> {
  await pipe(
    stream.source,
    (source) => lp.decode(source, { maxDataLength: maxFrameBytes }),
    async function* (source) {
      for await (const frame of source) {
        let items: Uint8Array[];
        try {
          items = await handle(parseWindowRequest(toBytes(frame)));
        } catch (e) {
          yield Buffer.from(JSON.stringify({ ok: false, error: e instanceof DiversityError ? e.code : 'INTERNAL' }));
          return;
        }
        yield Buffer.from(JSON.stringify({ ok: true, count: items.length }));
        yield* items;
        return; // one request per stream
      }
    },
    (source) => lp.encode(source),
    stream.sink,
  );
}

/** Sends one request on a fresh stream and collects the item frames. */
export async function requestOnStream(stream: Stream, req: WindowRequest, maxFrameBytes: number): Promise<Uint8Array[]> {
  const items: Uint8Array[] = [];
  let expected = -1;
  await pipe([Buffer.from(JSON.stringify(req))], (source) => lp.encode(source), stream.sink);
  for await (const frame of lp.decode(stream.source, { maxDataLength: maxFrameBytes })) {
    const bytes = toBytes(frame);
    if (expected < 0) {
      const header = JSON.parse(Buffer.from(bytes).toString('utf8')) as { ok: boolean; count?: number; error?: string };
      if (!header.ok) throw new ReqRespError({ code: ReqRespErrorCode.REMOTE_ERROR, detail: header.error });
      expected = header.count ?? 0;
      if (expected === 0) break;
      continue;
    }
    items.push(bytes.slice());
    if (items.length === expected) break;
  }
  if (items.length !== Math.max(expected, 0)) throw new ReqRespError({ code: ReqRespErrorCode.TRUNCATED, detail: `${items.length}/${expected}` });
  return items;
}

