import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { isError, Network, type PerformActionRequest } from 'ethers';
import { boundedRequest, ChainProvider, REQUEST_TIMEOUT_MS, RETRIED_READS } from '../../src/chain/provider.js';

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

/**
 * A request the node accepts and never answers fails after the provider's bound (ethers' own is 300 s): the
 * caller gets an error it can handle instead of a wait as long as a whole test's budget. A loopback server
 * that reads the request and says nothing.
 */
describe('ChainProvider: a request that never answers', () => {
  let server: Server | undefined;
  let url = '';
  const held: ServerResponse[] = [];

  before(async () => {
    server = createServer((_req, res) => void held.push(res));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    for (const res of held) res.destroy();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
  });

  it('is bounded by REQUEST_TIMEOUT_MS by default', () => {
    const provider = new ChainProvider(url, Network.from(31337), { staticNetwork: true });
    try {
      expect(provider._getConnection().timeout).to.equal(REQUEST_TIMEOUT_MS);
      expect(REQUEST_TIMEOUT_MS).to.be.below(300_000);
    } finally {
      provider.destroy();
    }
  });

  // A read is sent once more after its first bound (`RETRIED_READS`): two bounds here, well under 5 s.
  it('fails with TIMEOUT after its bound, not after ethers’ 300 s', async () => {
    const provider = new ChainProvider(boundedRequest(url, 200), Network.from(31337), { staticNetwork: true });
    try {
      const outcome = await Promise.race([
        provider.getBlockNumber().then(
          () => 'answered',
          (e: unknown) => (isError(e, 'TIMEOUT') ? 'timeout' : `other: ${(e as Error).message}`),
        ),
        new Promise<string>((resolve) => setTimeout(() => resolve('still waiting'), 5_000)),
      ]);
      expect(outcome).to.equal('timeout');
      expect(held.length, 'the server got the request, then the read once more').to.equal(2);
    } finally {
      provider.destroy();
    }
  });
});

/**
 * A read the node drops once is sent again and answered (a dropped request costs the bound, not the call); a
 * transaction's send is not sent twice. A loopback server that says nothing to the first request of each
 * method and answers the later ones.
 */
describe('ChainProvider: a read dropped once is sent again', () => {
  let server: Server | undefined;
  let url = '';
  const held: ServerResponse[] = [];
  const seen = new Map<string, number>();

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        const { id, method } = JSON.parse(body) as { id: number; method: string };
        const n = (seen.get(method) ?? 0) + 1;
        seen.set(method, n);
        if (n === 1) return void held.push(res);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ jsonrpc: '2.0', id, result: '0x2a' }));
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    for (const res of held) res.destroy();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
  });

  it('retries eth_blockNumber once after its bound and returns the answer', async () => {
    const provider = new ChainProvider(boundedRequest(url, 200), Network.from(31337), {
      staticNetwork: true,
      batchMaxCount: 1,
    });
    const told: unknown[] = [];
    provider.onTimeout = (t) => told.push(t);
    try {
      expect(await provider.getBlockNumber()).to.equal(42);
      expect(seen.get('eth_blockNumber')).to.equal(2);
      expect(told, 'the node counts it (diversity_rpc_timeouts_total)').to.deep.equal([
        { method: 'eth_blockNumber', batch: 1, retried: true },
      ]);
      expect(RETRIED_READS.has('eth_sendRawTransaction')).to.equal(false);
    } finally {
      provider.destroy();
    }
  });

  it('does not send eth_sendRawTransaction again: it fails with TIMEOUT, sent once', async () => {
    const provider = new ChainProvider(boundedRequest(url, 200), Network.from(31337), {
      staticNetwork: true,
      batchMaxCount: 1,
    });
    const told: unknown[] = [];
    provider.onTimeout = (t) => told.push(t);
    try {
      let failed: unknown;
      await provider.send('eth_sendRawTransaction', ['0x00']).catch((e: unknown) => (failed = e));
      expect(isError(failed, 'TIMEOUT')).to.equal(true);
      expect(seen.get('eth_sendRawTransaction')).to.equal(1);
      expect(told).to.deep.equal([{ method: 'eth_sendRawTransaction', batch: 1, retried: false }]);
    } finally {
      provider.destroy();
    }
  });
});
