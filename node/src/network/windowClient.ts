import { multiaddr } from '@multiformats/multiaddr';
import type { Libp2p } from 'libp2p';
import type { StoredWindowResult } from '../db/index.js';
import { requestOnStream, type WindowRequest } from './reqresp.js';

/**
 * Client side of the window protocol for processes that are not nodes (auditors, disputers):
 * dial a peer, ask, collect the frames.
 */
export async function requestWindow(host: Libp2p, peer: string, protocol: string, req: WindowRequest, timeoutMs = 10_000): Promise<Uint8Array[]> {
  const stream = await host.dialProtocol(multiaddr(peer), protocol, { signal: AbortSignal.timeout(timeoutMs) });
  try {
    return await requestOnStream(stream, req, 16 * 1024 * 1024);
  } finally {
    await stream.close().catch(() => stream.abort(new Error('close failed')));
  }
}

/** Everything one peer holds about a window: readings, equivocation evidence, its commitment. */
export async function fetchWindowData(host: Libp2p, peer: string, protocol: string, window: number) {
  const readings = await requestWindow(host, peer, protocol, { method: 'readings', window });
  const equivocations = await requestWindow(host, peer, protocol, { method: 'equivocations', window });
  const result = await requestWindow(host, peer, protocol, { method: 'windowResult', window });
  const claimed = result[0] ? (JSON.parse(Buffer.from(result[0]).toString('utf8')) as StoredWindowResult) : undefined;
  return { readings: [...readings, ...equivocations], claimed };
}
