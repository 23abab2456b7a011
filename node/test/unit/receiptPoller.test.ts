import { expect } from 'chai';
import { Network, type PerformActionRequest } from 'ethers';
import { ChainProvider } from '../../src/chain/provider.js';

const POLL_MS = 20;
const HASH = `0x${'ab'.repeat(32)}`;

/**
 * A receipt lookup the node never answers (a dropped request: ethers' own fetch gives up only after 300 s)
 * must not stop a pending transaction's polling: the next lookup goes out on time and its receipt ends the
 * wait. No chain: the provider's `_perform` answers from here, the first receipt lookup never.
 */
class StallingFirstLookup extends ChainProvider {
  lookups = 0;
  override async _perform(req: PerformActionRequest): Promise<unknown> {
    if (req.method !== 'getTransactionReceipt') throw new Error(`unexpected ${req.method}`);
    this.lookups++;
    if (this.lookups === 1) return new Promise(() => {});
    return {
      transactionHash: HASH,
      blockHash: `0x${'cd'.repeat(32)}`,
      blockNumber: 5,
      transactionIndex: 0,
      from: `0x${'11'.repeat(20)}`,
      to: `0x${'22'.repeat(20)}`,
      contractAddress: null,
      gasUsed: 21_000,
      cumulativeGasUsed: 21_000,
      effectiveGasPrice: 1,
      logs: [],
      logsBloom: `0x${'00'.repeat(256)}`,
      status: 1,
      type: 2,
      root: null,
    };
  }
}

describe('ChainProvider: a receipt lookup that never answers', () => {
  it('does not stop the polling: a later lookup finds the receipt', async () => {
    const provider = new StallingFirstLookup('http://127.0.0.1:9', Network.from(31337), {
      staticNetwork: true,
      cacheTimeout: -1,
      pollingInterval: POLL_MS,
    });
    try {
      const found = await Promise.race([
        new Promise<string>((resolve) => void provider.once(HASH, () => resolve('found'))),
        new Promise<string>((resolve) => setTimeout(() => resolve('still waiting'), 40 * POLL_MS)),
      ]);
      expect(found).to.equal('found');
      expect(provider.lookups).to.be.at.least(2);
    } finally {
      provider.destroy();
    }
  });
});
