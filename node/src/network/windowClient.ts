import { multiaddr } from '@multiformats/multiaddr';
import type { PeerId, Stream } from '@libp2p/interface';
import type { Multiaddr } from '@multiformats/multiaddr';
import type { Libp2p } from 'libp2p';
import type { StoredWindowResult } from '../db/index.js';
import { ReqRespError, ReqRespErrorCode, requestOnStream, type RequestLimits, type WindowRequest } from './reqresp.js';

/** Bounds for processes that do not know the community's shape (auditors, disputers). */
export const defaultRequestLimits: RequestLimits = {
  deadlineMs: 10_000,
  idleMs: 5_000,
  maxFrameBytes: 64 * 1024,
  maxResponseBytes: 32 * 1024 * 1024,
  maxItems: 1 << 16,
};

/**
 * The one client of the window protocol (nodes, auditors, disputers): dial a peer, ask, collect
 * the frames; the deadline covers the dial and the whole exchange, and every bound of `limits`
 * holds (see `requestOnStream`).
 */
export async function requestWindowFrom(
  host: Pick<Libp2p, 'dialProtocol'>,
  peer: PeerId | Multiaddr,
  protocol: string,
  req: WindowRequest,
  limits: RequestLimits,
): Promise<Uint8Array[]> {
  const started = Date.now();
  let stream: Stream;
  try {
    stream = await host.dialProtocol(peer, protocol, { signal: AbortSignal.timeout(limits.deadlineMs) });
  } catch (e) {
    if (Date.now() - started >= limits.deadlineMs)
      throw new ReqRespError({ code: ReqRespErrorCode.TIMEOUT, detail: 'dial' });
    throw e;
  }
  try {
    return await requestOnStream(stream, req, {
      ...limits,
      deadlineMs: Math.max(1, limits.deadlineMs - (Date.now() - started)),
    });
  } finally {
    await stream.close().catch(() => stream.abort(new Error('close failed')));
  }
}

/** `requestWindowFrom` with a multiaddr string and default bounds (CLI tools). */
export async function requestWindow(
  host: Libp2p,
  peer: string,
  protocol: string,
  req: WindowRequest,
  timeoutMs = 10_000,
): Promise<Uint8Array[]> {
  return requestWindowFrom(host, multiaddr(peer), protocol, req, { ...defaultRequestLimits, deadlineMs: timeoutMs });
}

/** Everything one peer holds about a window: readings, equivocation evidence, its commitment. */
export async function fetchWindowData(host: Libp2p, peer: string, protocol: string, window: number) {
  const readings = await requestWindow(host, peer, protocol, { method: 'readings', window });
  const equivocations = await requestWindow(host, peer, protocol, { method: 'equivocations', window });
  const result = await requestWindow(host, peer, protocol, { method: 'windowResult', window });
  const claimed = result[0] ? (JSON.parse(Buffer.from(result[0]).toString('utf8')) as StoredWindowResult) : undefined;
  return { readings: [...readings, ...equivocations], claimed };
}
