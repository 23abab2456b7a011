import { expect } from 'chai';
import { CliError, CliErrorCode } from '../../src/cli/errors.js';
import { hubTarget, walletOption } from '../../src/cli/hubArgs.js';
import { runCli } from '../utils/cli.js';

const HUB = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
/** Anvil's first account key, public. */
const KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';

/** The CliError `run` throws (its code and message). */
function cliError(run: () => unknown): CliError {
  try {
    run();
  } catch (e) {
    expect(e).to.be.instanceOf(CliError);
    return e as CliError;
  }
  throw new Error('expected a CliError');
}

describe('cli: the hub options every hub command shares (one home: cli/hubArgs.ts)', () => {
  it('hubTarget gives the hub client its target (and where its event queries start), and names the bad option (BAD_OPTION, exit 2)', () => {
    expect(hubTarget({ hub: HUB, communityId: '7' })).to.deep.equal({ hub: HUB, communityId: 7n, fromBlock: 0 });
    expect(hubTarget({ hub: HUB, communityId: '7', fromBlock: '1234' }).fromBlock).to.equal(1234);
    for (const block of ['-1', 'x', '1.5', '1e3', '']) {
      const e = cliError(() => hubTarget({ hub: HUB, communityId: '1', fromBlock: block }));
      expect([e.code, e.message]).to.deep.equal([
        CliErrorCode.BAD_OPTION,
        `--from-block: not a block number: ${block}`,
      ]);
    }
    const hub = cliError(() => hubTarget({ hub: '0x1234', communityId: '1' }));
    expect([hub.code, hub.message]).to.deep.equal([CliErrorCode.BAD_OPTION, '--hub: not an address: 0x1234']);
    for (const id of ['one', '1.5', '-1', '', ' ']) {
      const e = cliError(() => hubTarget({ hub: HUB, communityId: id }));
      expect([e.code, e.message]).to.deep.equal([CliErrorCode.BAD_OPTION, `--community-id: not an integer: ${id}`]);
    }
    // Review s13: the hub's ids are uint64; 2^64 - 1 is the largest the hub could have.
    expect(hubTarget({ hub: HUB, communityId: '18446744073709551615' }).communityId).to.equal((1n << 64n) - 1n);
    const big = cliError(() => hubTarget({ hub: HUB, communityId: '18446744073709551616' }));
    expect([big.code, big.message]).to.deep.equal([
      CliErrorCode.BAD_OPTION,
      '--community-id: above 2^64 - 1 (a uint64): 18446744073709551616',
    ]);
  });

  it('walletOption refuses a key that is not one without echoing it', () => {
    expect(walletOption(KEY).address).to.equal('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266');
    const secret = '0xdeadbeefdeadbeef';
    const e = cliError(() => walletOption(secret));
    expect([e.code, e.message]).to.deep.equal([
      CliErrorCode.BAD_OPTION,
      '--private-key: not a 32-byte hex private key',
    ]);
    expect(e.message).to.not.include('deadbeef');
  });

  it('the hub commands (order, audit, claim, finalize) refuse a bad --community-id before any RPC (exit 2, one line)', async () => {
    // An RPC URL nothing listens on: the option check comes first.
    const target = ['--rpc-url', 'http://127.0.0.1:9', '--hub', HUB, '--community-id', 'x'];
    const runs = await Promise.all([
      runCli(['order', ...target, '--private-key', KEY, '--bid', '0.3', '--ask', '0.1']),
      runCli(['audit', ...target, '--window', '0', '--peer', '/ip4/127.0.0.1/tcp/9']),
      runCli(['claim', ...target, '--private-key', KEY, '--node', 'http://127.0.0.1:9']),
      runCli(['finalize', ...target, '--private-key', KEY]),
    ]);
    for (const r of runs) {
      expect(r.code).to.equal(2);
      expect(r.out).to.equal('error: --community-id: not an integer: x\n');
    }
  });
});
