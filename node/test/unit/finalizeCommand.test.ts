import { expect } from 'chai';
import { runCli } from '../utils/cli.js';

/**
 * `diversity finalize`'s errors before any transaction: one line, exit 2, no key bytes in the output. No chain:
 * port 9 on loopback (the discard port) refuses the connection. On a real hub: `e2e/claimedFinalState.test.ts`.
 */
describe('diversity finalize: errors before anything is sent', function () {
  // Each run is a Node process loading the TypeScript sources.
  this.timeout(60_000);
  const HUB = '0x5fbdb2315678afecb367f032d93f642f64180aa3';
  const KEY = `0x${'ab'.repeat(32)}`;

  it('an RPC that does not answer: one error line, exit 2, the key not echoed', async () => {
    const r = await runCli(['finalize', '--rpc-url', 'http://127.0.0.1:9', '--hub', HUB, '--private-key', KEY]);
    expect(r.code, r.out).to.equal(2);
    expect(r.out).to.match(/^error: cannot read community 1 at http:\/\/127\.0\.0\.1:9: .*ECONNREFUSED/m);
    expect(r.out.match(/^error: /gm)).to.have.length(1);
    expect(r.out).to.not.include('abab');
  });
});
