import { expect } from 'chai';
import { parseBanner, startAnvil } from '../../node/src/chain/anvil.js';

describe('node/chain anvil helper', function () {
  this.timeout(30_000);

  it('starts on a free loopback port, serves JSON-RPC, and stops', async () => {
    const a = await startAnvil({ accounts: 3 });
    try {
      expect(a.rpcUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(a.accounts.length).to.equal(3);
      expect(a.privateKeys.length).to.equal(3);
      const res = await fetch(a.rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      });
      expect(((await res.json()) as { result: string }).result).to.equal('0x7a69');
    } finally {
      await a.stop();
    }
    await a.stop(); // twice is fine
    let refused = false;
    await fetch(a.rpcUrl, { method: 'POST', body: '{}' }).catch(() => (refused = true));
    expect(refused).to.equal(true);
  });

  it('parses the banner', () => {
    const text =
      'Available Accounts\n==================\n\n(0) 0xAbC (10000 ETH)\n(1) 0xDef (10000 ETH)\n\nPrivate Keys\n==================\n\n(0) 0x01\n(1) 0x02\n\nWallet\n';
    expect(parseBanner(text)).to.deep.equal({ accounts: ['0xAbC', '0xDef'], privateKeys: ['0x01', '0x02'] });
  });
});
