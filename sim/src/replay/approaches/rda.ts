import { Interface } from 'ethers';
import { loadArtifact } from '../../../../node/src/chain/artifacts.js';
import type { TxSpec } from '../sender.js';
import type { Approach, ApproachContext, CommunityReadings } from '../types.js';

/** Gas limit of one RDA transaction: intrinsic 21,000 + one fresh slot 22,100 + call, with margin. */
export const RDA_GAS_LIMIT = 80_000n;

function word(n: number): string {
  return n.toString(16).padStart(64, '0');
}

/** RDA: every meter sends every reading in its own transaction to RawDataLogger. */
export class RdaApproach implements Approach {
  readonly name = 'rda' as const;
  readonly artifacts = ['RawDataLogger'] as const;
  address = '';
  // Hand-encoded calldata: ABI-encoding 35,136 calls through ethers costs more than sending them.
  private readonly selector = new Interface(loadArtifact('RawDataLogger').abi).getFunction('log')!.selector;

  accountsNeeded(r: CommunityReadings): number {
    return r.meters;
  }

  async deploy(ctx: ApproachContext): Promise<void> {
    this.address = (await ctx.sender.deploy(loadArtifact('RawDataLogger'))).address;
  }

  *transactions(ctx: ApproachContext): Iterable<TxSpec> {
    const r = ctx.readings;
    for (let t = 0; t < r.intervals; t++) {
      for (let m = 0; m < r.meters; m++) {
        yield {
          from: m,
          to: this.address,
          data: this.selector + word(m) + word(t) + word(r.exportWh[m][t]) + word(r.importWh[m][t]),
          gasLimit: RDA_GAS_LIMIT,
          atInterval: t,
        };
      }
    }
  }
}
