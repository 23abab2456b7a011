import { expect } from 'chai';
import { runCli } from '../utils/cli.js';

/**
 * `diversity close`'s argument errors: one line, exit 2, nothing sent, no key bytes in the output. No chain:
 * an unreachable RPC is one of them (port 9 on loopback, the discard port, refuses the connection).
 */
describe('diversity close: argument errors', function () {
  // Each run is a Node process loading the TypeScript sources.
  this.timeout(60_000);
  const HUB = '0x5fbdb2315678afecb367f032d93f642f64180aa3';
  const KEY = `0x${'ab'.repeat(32)}`;
  const rpc = ['--rpc-url', 'http://127.0.0.1:9'];

  it('a private key that is not 32 bytes: exit 2, the key not echoed', async () => {
    const short = `0x${'cd'.repeat(31)}`;
    const r = await runCli(['close', ...rpc, '--hub', HUB, '--private-key', short]);
    expect(r.code, r.out).to.equal(2);
    expect(r.out).to.equal('error: --private-key: not a 32-byte hex private key\n');
    expect(r.out).to.not.include('cdcd');
  });

  it('a hub that is not an address, a community id that is not an integer: exit 2', async () => {
    const hub = await runCli(['close', ...rpc, '--hub', '0x1234', '--private-key', KEY]);
    expect(hub.code, hub.out).to.equal(2);
    expect(hub.out).to.equal('error: --hub: not an address: 0x1234\n');
    const id = await runCli(['close', ...rpc, '--hub', HUB, '--community-id', 'one', '--private-key', KEY]);
    expect(id.code, id.out).to.equal(2);
    expect(id.out).to.equal('error: --community-id: not an integer: one\n');
  });

  it('no --hub or no --private-key: exit 2 (yargs)', async () => {
    const r = await runCli(['close', ...rpc, '--private-key', KEY]);
    expect(r.code, r.out).to.equal(2);
    expect(r.out).to.match(/^error: Missing required argument: hub$/m);
    const k = await runCli(['close', ...rpc, '--hub', HUB, '--finish-slash']);
    expect(k.code, k.out).to.equal(2);
    expect(k.out).to.match(/^error: Missing required argument: private-key$/m);
  });

  it('an RPC that does not answer: one error line, exit 2, the key not echoed', async () => {
    const r = await runCli(['close', ...rpc, '--hub', HUB, '--private-key', KEY, '--finish-slash']);
    expect(r.code, r.out).to.equal(2);
    // (ethers adds its own line, "JsonRpcProvider failed to detect network ...".)
    expect(r.out).to.match(/^error: cannot read community 1 at http:\/\/127\.0\.0\.1:9: .*ECONNREFUSED/m);
    expect(r.out.match(/^error: /gm)).to.have.length(1);
    expect(r.out).to.not.include('abab');
  });
});
