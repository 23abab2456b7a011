import { Interface, hexlify } from 'ethers';
import { loadArtifact } from '../../../../node/src/chain/artifacts.js';
import type { TxSpec } from '../sender.js';
import { sessionRanges, type Approach, type ApproachContext, type CommunityReadings } from '../types.js';
import { gasLimitFor, maxWordsPerTx, splitMeters } from './split.js';

/** Per-meter session totals packed as (exportWh uint64, importWh uint64), big-endian. */
export function packAggregates(
  r: CommunityReadings,
  firstMeter: number,
  meterCount: number,
  from: number,
  to: number,
): Uint8Array {
  const out = new Uint8Array(meterCount * 16);
  const view = new DataView(out.buffer);
  for (let k = 0; k < meterCount; k++) {
    let e = 0;
    let i = 0;
    for (let t = from; t < to; t++) {
      e += r.exportWh[firstMeter + k][t];
      i += r.importWh[firstMeter + k][t];
    }
    view.setBigUint64(k * 16, BigInt(e));
    view.setBigUint64(k * 16 + 8, BigInt(i));
  }
  return out;
}

/** SA: one transaction per session carries each meter's session totals (one storage word each). */
export class SaApproach implements Approach {
  readonly name = 'sa' as const;
  readonly artifacts = ['SessionAggregateLogger'] as const;
  address = '';
  private readonly iface = new Interface(loadArtifact('SessionAggregateLogger').abi);

  accountsNeeded(): number {
    return 1;
  }

  async deploy(ctx: ApproachContext): Promise<void> {
    this.address = (await ctx.sender.deploy(loadArtifact('SessionAggregateLogger'))).address;
  }

  *transactions(ctx: ApproachContext): Iterable<TxSpec> {
    const r = ctx.readings;
    const blocks = splitMeters(r.meters, maxWordsPerTx(ctx.opts.txGasCap));
    for (const [s, [from, to]] of sessionRanges(r, ctx.opts).entries()) {
      for (const b of blocks) {
        yield {
          from: 0,
          to: this.address,
          data: this.iface.encodeFunctionData('logAggregate', [
            s,
            b.firstMeter,
            b.meterCount,
            hexlify(packAggregates(r, b.firstMeter, b.meterCount, from, to)),
          ]),
          gasLimit: gasLimitFor(b.meterCount, ctx.opts.txGasCap),
          atInterval: to - 1,
        };
      }
    }
  }
}
