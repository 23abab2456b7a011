import { Interface, hexlify } from 'ethers';
import { loadArtifact } from '../../../../node/src/chain/artifacts.js';
import type { TxSpec } from '../sender.js';
import { sessionRanges, type Approach, type ApproachContext, type CommunityReadings } from '../types.js';
import { gasLimitFor, maxWordsPerTx, splitTrace } from './split.js';

/** The packed trace of a chunk: meter-major runs of (exportWh uint32, importWh uint32), big-endian. */
export function packTrace(
  r: CommunityReadings,
  c: { firstMeter: number; meterCount: number; firstInterval: number; intervalCount: number },
): Uint8Array {
  const out = new Uint8Array(c.meterCount * c.intervalCount * 8);
  const view = new DataView(out.buffer);
  let o = 0;
  for (let m = c.firstMeter; m < c.firstMeter + c.meterCount; m++) {
    for (let t = c.firstInterval; t < c.firstInterval + c.intervalCount; t++) {
      view.setUint32(o, r.exportWh[m][t]);
      view.setUint32(o + 4, r.importWh[m][t]);
      o += 8;
    }
  }
  return out;
}

/**
 * SAT: one transaction per session carries every meter's readings of the session and stores
 * them (four readings per storage word). Sessions too big for the per-transaction gas cap are
 * split into several transactions by meters, then by intervals; all are sent by meter 0's
 * account, as by a community aggregator.
 */
export class SatApproach implements Approach {
  readonly name = 'sat' as const;
  readonly artifacts = ['SessionTraceLogger'] as const;
  address = '';
  private readonly iface = new Interface(loadArtifact('SessionTraceLogger').abi);

  accountsNeeded(): number {
    return 1;
  }

  async deploy(ctx: ApproachContext): Promise<void> {
    this.address = (await ctx.sender.deploy(loadArtifact('SessionTraceLogger'))).address;
  }

  *transactions(ctx: ApproachContext): Iterable<TxSpec> {
    const r = ctx.readings;
    const maxWords = maxWordsPerTx(ctx.opts.txGasCap);
    for (const [s, [from, to]] of sessionRanges(r, ctx.opts).entries()) {
      for (const c of splitTrace(r.meters, from, to, maxWords)) {
        const words = c.meterCount * Math.ceil(c.intervalCount / 4);
        yield {
          from: 0,
          to: this.address,
          data: this.iface.encodeFunctionData('logSession', [
            s,
            c.firstMeter,
            c.meterCount,
            c.firstInterval,
            c.intervalCount,
            hexlify(packTrace(r, c)),
          ]),
          gasLimit: gasLimitFor(words, ctx.opts.txGasCap),
          atInterval: to - 1,
        };
      }
    }
  }
}
