import * as lp from 'it-length-prefixed';
import { pipe } from 'it-pipe';
import type { Stream } from '@libp2p/interface';
import type { Uint8ArrayList } from 'uint8arraylist';
import { DiversityError } from '../util/errors.js';

/**
 * The window protocol: a request/response protocol that serves what a peer or an auditor
 * needs to rebuild or dispute a window. Frames are length-prefixed; the request is one JSON
 * frame, the response a JSON header frame `{ok, count}` followed by `count` item frames.
 *
 * Everything is bounded on both sides (a hostile peer must not stall or exhaust a node):
 * - requester: one deadline for the whole exchange, an idle timeout between frames, a cap on
 *   the announced item count (per method, from the community's shape), on each frame and on
 *   the response's total bytes;
 * - responder: an idle timeout for the request frame and a deadline for the whole answer
 *   (a peer that does not read cannot hold the stream); the per-peer rate limit is the
 *   network's (`network.ts`).
 */
export type WindowRequest =
  | { method: 'readings'; window: number }
  | { method: 'equivocations'; window: number }
  | { method: 'windowResult'; window: number }
  /** Per interval: the committed slots (signed readings or absent) and the state S_t. */
  | { method: 'commitment'; window: number };

export type WindowMethod = WindowRequest['method'];
export const WINDOW_METHODS: readonly WindowMethod[] = ['readings', 'equivocations', 'windowResult', 'commitment'];

export enum ReqRespErrorCode {
  BAD_REQUEST = 'REQRESP_BAD_REQUEST',
  BAD_HEADER = 'REQRESP_BAD_HEADER',
  REMOTE_ERROR = 'REQRESP_REMOTE_ERROR',
  TRUNCATED = 'REQRESP_TRUNCATED',
  /** The whole exchange took longer than its deadline. */
  TIMEOUT = 'REQRESP_TIMEOUT',
  /** No frame for longer than the idle timeout. */
  IDLE = 'REQRESP_IDLE',
  /** The peer announced (or sent) more items than the method can have. */
  TOO_MANY_ITEMS = 'REQRESP_TOO_MANY_ITEMS',
  /** The response's frames add up to more bytes than allowed. */
  TOO_LARGE = 'REQRESP_TOO_LARGE',
  /** The responder refused: this peer asked too often. */
  RATE_LIMITED = 'REQRESP_RATE_LIMITED',
  /** The responder refused: it serves as many answers at once as it may (`maxConcurrentServes`). */
  BUSY = 'REQRESP_BUSY',
}
export class ReqRespError extends DiversityError<{ code: ReqRespErrorCode; detail?: string }> {}

/** Bounds of one request as seen by the requester. */
export interface RequestLimits {
  /** Deadline of the whole exchange (dial included when the caller passes `signal` to the dial). */
  deadlineMs: number;
  /** Longest silence between two frames. */
  idleMs: number;
  /** Largest single frame. */
  maxFrameBytes: number;
  /** Largest response (sum of the item frames). */
  maxResponseBytes: number;
  /** Most items the method can have (see `maxItems`). */
  maxItems: number;
}

/** Bounds of one inbound stream as seen by the responder. */
export interface ServeLimits {
  /** Longest wait for the request frame. */
  idleMs: number;
  /** Deadline of the whole answer: a peer that stops reading is cut off. */
  deadlineMs: number;
  maxFrameBytes: number;
}

/**
 * The most items a method's response can hold in a community of this shape: one reading per
 * slot; two readings per equivocated slot; one window result; one row per interval.
 */
export function maxItems(method: WindowMethod, shape: { windowIntervals: number; meters: number }): number {
  const slots = shape.windowIntervals * shape.meters;
  switch (method) {
    case 'readings':
      return slots;
    case 'equivocations':
      return 2 * slots;
    case 'windowResult':
      return 1;
    case 'commitment':
      return shape.windowIntervals;
  }
}

/** A window index that can be a LevelDB key (u32) and a JSON number. */
const isWindowIndex = (w: unknown): w is number =>
  Number.isSafeInteger(w) && (w as number) >= 0 && (w as number) <= 0xffff_ffff;

// ---- the one codec of the protocol: request frame, header frame ----

export function encodeWindowRequest(req: WindowRequest): Uint8Array {
  return Buffer.from(JSON.stringify({ method: req.method, window: req.window }));
}

export function parseWindowRequest(bytes: Uint8Array): WindowRequest {
  let req: unknown;
  try {
    req = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new ReqRespError({ code: ReqRespErrorCode.BAD_REQUEST, detail: 'not JSON' });
  }
  const r = req as { method?: unknown; window?: unknown };
  if (
    typeof r !== 'object' ||
    r === null ||
    !WINDOW_METHODS.includes(r.method as WindowMethod) ||
    !isWindowIndex(r.window)
  ) {
    throw new ReqRespError({ code: ReqRespErrorCode.BAD_REQUEST, detail: 'unknown method or bad window' });
  }
  return { method: r.method as WindowMethod, window: r.window };
}

export type ResponseHeader = { ok: true; count: number } | { ok: false; error: string };

export function encodeResponseHeader(h: ResponseHeader): Uint8Array {
  return Buffer.from(JSON.stringify(h));
}

export function parseResponseHeader(bytes: Uint8Array): ResponseHeader {
  let h: unknown;
  try {
    h = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new ReqRespError({ code: ReqRespErrorCode.BAD_HEADER, detail: 'not JSON' });
  }
  const o = h as { ok?: unknown; count?: unknown; error?: unknown };
  if (typeof o !== 'object' || o === null) throw new ReqRespError({ code: ReqRespErrorCode.BAD_HEADER });
  if (o.ok === true && Number.isSafeInteger(o.count) && (o.count as number) >= 0)
    return { ok: true, count: o.count as number };
  if (o.ok === false) return { ok: false, error: typeof o.error === 'string' ? o.error.slice(0, 64) : 'UNKNOWN' };
  throw new ReqRespError({ code: ReqRespErrorCode.BAD_HEADER });
}

const toBytes = (chunk: Uint8Array | Uint8ArrayList): Uint8Array =>
  chunk instanceof Uint8Array ? chunk : chunk.subarray();

/**
 * The length-prefixed frames of `source`, each at most `maxFrameBytes`: a length prefix past it (a
 * peer announcing a frame of a terabyte) or one that is itself too long is TOO_LARGE, a typed error
 * said and counted like the others (it-length-prefixed throws its own error classes), before any byte
 * of the frame is buffered.
 */
async function* frames(
  source: AsyncIterable<Uint8Array | Uint8ArrayList>,
  maxFrameBytes: number,
): AsyncGenerator<Uint8ArrayList> {
  try {
    yield* lp.decode(source, { maxDataLength: maxFrameBytes });
  } catch (e) {
    const name = (e as Error | undefined)?.name;
    if (name === 'InvalidDataLengthError' || name === 'InvalidDataLengthLengthError')
      throw new ReqRespError({ code: ReqRespErrorCode.TOO_LARGE, detail: `a frame over ${maxFrameBytes} bytes` });
    throw e;
  }
}

/** Aborts `stream` with `code` after `ms`; `touch()` restarts the clock (idle timers). */
function streamTimer(stream: Stream, ms: number, code: ReqRespErrorCode) {
  let fired = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      fired = true;
      stream.abort(new ReqRespError({ code }));
    }, ms);
  };
  arm();
  return {
    touch: arm,
    clear: () => clearTimeout(timer),
    get fired() {
      return fired;
    },
  };
}

/**
 * Serves one inbound stream: one request, one answer. The handler returns the items or throws
 * (a DiversityError's code goes back to the peer, anything else as INTERNAL).
 */
export async function serveStream(
  stream: Stream,
  limits: ServeLimits,
  handle: (req: WindowRequest) => Promise<Uint8Array[]>,
  /** Told of a request refused before the handler (BAD_REQUEST), so that it is counted. */
  onRefused?: (code: string) => void,
): Promise<void> {
  const idle = streamTimer(stream, limits.idleMs, ReqRespErrorCode.IDLE);
  const deadline = streamTimer(stream, limits.deadlineMs, ReqRespErrorCode.TIMEOUT);
  try {
    await pipe(
      stream.source,
      (source) => frames(source, limits.maxFrameBytes),
      async function* (source) {
        for await (const frame of source) {
          idle.clear();
          let items: Uint8Array[];
          try {
            let req: WindowRequest;
            try {
              req = parseWindowRequest(toBytes(frame));
            } catch (e) {
              if (e instanceof ReqRespError) onRefused?.(e.code);
              throw e;
            }
            items = await handle(req);
          } catch (e) {
            yield encodeResponseHeader({ ok: false, error: e instanceof DiversityError ? e.code : 'INTERNAL' });
            return;
          }
          yield encodeResponseHeader({ ok: true, count: items.length });
          yield* items;
          return; // one request per stream
        }
      },
      (source) => lp.encode(source),
      stream.sink,
    );
  } finally {
    idle.clear();
    deadline.clear();
  }
}

/**
 * Sends one request on a fresh stream and collects the item frames, within `limits`: throws a
 * ReqRespError (TIMEOUT, IDLE, TOO_MANY_ITEMS, TOO_LARGE, TRUNCATED, REMOTE_ERROR, BAD_HEADER)
 * and aborts the stream rather than wait or buffer past a bound.
 */
export async function requestOnStream(
  stream: Stream,
  req: WindowRequest,
  limits: RequestLimits,
): Promise<Uint8Array[]> {
  const deadline = streamTimer(stream, limits.deadlineMs, ReqRespErrorCode.TIMEOUT);
  const idle = streamTimer(stream, limits.idleMs, ReqRespErrorCode.IDLE);
  const fail = (code: ReqRespErrorCode, detail?: string): never => {
    const err = new ReqRespError({ code, detail });
    stream.abort(err);
    throw err;
  };
  const items: Uint8Array[] = [];
  let expected = -1;
  let bytes = 0;
  try {
    await pipe([encodeWindowRequest(req)], (source) => lp.encode(source), stream.sink);
    idle.touch();
    for await (const frame of frames(stream.source, limits.maxFrameBytes)) {
      idle.touch();
      const data = toBytes(frame);
      if (expected < 0) {
        const header = parseResponseHeader(data);
        if (!header.ok) throw new ReqRespError({ code: ReqRespErrorCode.REMOTE_ERROR, detail: header.error });
        if (header.count > limits.maxItems)
          fail(ReqRespErrorCode.TOO_MANY_ITEMS, `${header.count} > ${limits.maxItems}`);
        expected = header.count;
        if (expected === 0) break;
        continue;
      }
      bytes += data.length;
      if (bytes > limits.maxResponseBytes) fail(ReqRespErrorCode.TOO_LARGE, `> ${limits.maxResponseBytes} bytes`);
      items.push(data.slice());
      if (items.length === expected) break;
    }
  } catch (e) {
    if (deadline.fired) throw new ReqRespError({ code: ReqRespErrorCode.TIMEOUT, detail: `${limits.deadlineMs} ms` });
    if (idle.fired) throw new ReqRespError({ code: ReqRespErrorCode.IDLE, detail: `${limits.idleMs} ms` });
    if (e instanceof ReqRespError && e.code === ReqRespErrorCode.TOO_LARGE) stream.abort(e);
    throw e;
  } finally {
    deadline.clear();
    idle.clear();
  }
  if (items.length !== Math.max(expected, 0))
    throw new ReqRespError({ code: ReqRespErrorCode.TRUNCATED, detail: `${items.length}/${expected}` });
  return items;
}
