import { expect } from 'chai';
import { listeningPort, parseBanner, startAnvil } from '../../node/src/chain/anvil.js';

describe('node/chain anvil helper', function () {
  this.timeout(30_000);

  it('starts on a free loopback port, serves JSON-RPC, and stops', async () => {
    const a = await startAnvil({ accounts: 3 });
    try {
      expect(a.rpcUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      // Anvil bound the port itself (`--port 0`): the URL names the port it listens on, never 0.
      expect(Number(a.rpcUrl.split(':').pop())).to.be.greaterThan(0);
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

  it('two anvils started at once each bind their own port (no port picked here and bound later)', async () => {
    const [a, b] = await Promise.all([startAnvil({ accounts: 1 }), startAnvil({ accounts: 1 })]);
    try {
      expect(a.rpcUrl).to.not.equal(b.rpcUrl);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('reads the port from the "Listening on" line, only once the line is complete', () => {
    expect(listeningPort('Private Keys\n...\nListening on 127.0.0.1:40245\n')).to.equal(40245);
    expect(listeningPort('Listening on 127.0.0.1:402'), 'a chunk cut inside the number').to.equal(undefined);
    expect(listeningPort('Available Accounts\n')).to.equal(undefined);
  });

  it('parses the banner', () => {
    const text =
      'Available Accounts\n==================\n\n(0) 0xAbC (10000 ETH)\n(1) 0xDef (10000 ETH)\n\nPrivate Keys\n==================\n\n(0) 0x01\n(1) 0x02\n\nWallet\n';
    expect(parseBanner(text)).to.deep.equal({ accounts: ['0xAbC', '0xDef'], privateKeys: ['0x01', '0x02'] });
  });
});
