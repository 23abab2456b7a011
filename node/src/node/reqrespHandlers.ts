import type { NodeDb } from '../db/index.js';
import type { WindowRequest } from '../network/reqresp.js';
import { serializeSignedReading } from '../reading/signature.js';

const json = (v: unknown) => Buffer.from(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)));

/**
 * The node's answers to the window protocol, from its store:
 * - `readings`, `equivocations`: every validly signed reading (and evidence) it holds;
 * - `windowResult`: its current fold;
 * - `commitment`: what it SIGNED, as stored at signing time (never recomputed: a reading that
 *   arrived later must not make a signed claim unprovable). When it signed more than one root
 *   (a re-fold), the one on chain is served if the window is there, else the latest.
 */
export function windowProtocolHandlers(modules: {
  db: NodeDb;
  chainRoot(window: number): string | undefined;
  /** Byzantine test mode only: serve no commitment (the data-availability game's target). */
  withholdCommitment?: boolean;
}) {
  const { db } = modules;
  return async (req: WindowRequest): Promise<Uint8Array[]> => {
    switch (req.method) {
      case 'readings':
        return (await db.readings.listWindow(req.window)).map(serializeSignedReading);
      case 'equivocations':
        return (await db.equivocations.listWindow(req.window)).flatMap((e) => [
          serializeSignedReading(e.first),
          serializeSignedReading(e.second),
        ]);
      case 'windowResult': {
        const result = await db.windowResults.get(req.window);
        return result ? [json(result)] : [];
      }
      case 'commitment': {
        if (modules.withholdCommitment) return [];
        const signed = await db.commitments.listWindow(req.window);
        if (signed.length === 0) return [];
        const onChain = modules.chainRoot(req.window);
        const pick =
          signed.find((c) => c.windowRoot === onChain) ?? signed.reduce((a, b) => (b.signedAt >= a.signedAt ? b : a));
        return pick.frames.map((f) => Buffer.from(f, 'utf8'));
      }
    }
  };
}
