import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from '../../src/api/server.js';
import { CliError } from '../../src/cli/errors.js';
import { nodeOptionsFromArgs } from '../../src/cli/nodeOptions.js';
import { devnetNodeEnv } from '../../src/devnet/devnet.js';
import { meterKeyFromSecret } from '../../src/node/meterFactory.js';
import { fromHex } from '../../src/util/hex.js';
import { createLogger } from '../../src/util/logger.js';

describe('operator hygiene', () => {
  const secret = `f00dfeedbeefcafezz${'11'.repeat(23)}`;

  it('a malformed key never appears in the error', () => {
    for (const f of [
      () => fromHex(secret),
      () => meterKeyFromSecret(secret),
      () => meterKeyFromSecret(`0x${'ab'.repeat(20)}`),
    ]) {
      let message = '';
      try {
        f();
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).to.not.equal('');
      expect(message).to.not.match(/f00d|feed|beef|abab/);
    }
  });

  describe('node options', () => {
    const dir = mkdtempSync(join(tmpdir(), 'diversity-cfg-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const base = { privateKey: `0x${'01'.repeat(32)}`, chain: { hub: `0x${'22'.repeat(20)}`, communityId: '1' } };
    const withConfig = (config: unknown) => {
      const path = join(dir, `c${Math.random()}.json`);
      writeFileSync(path, JSON.stringify(config));
      return () => nodeOptionsFromArgs({ config: path });
    };

    it('accepts a config with known keys only', () => {
      expect(
        withConfig({
          ...base,
          window: { graceSeconds: 3 },
          meter: { meterIndex: 0, secretKey: '00', profile: 'constant:loadWh=1,pvWh=1' },
        })().window.graceSeconds,
      ).to.equal(3);
    });

    it('chain.closeAndClaim: off unless asked; a boolean, or a clear error', () => {
      expect(withConfig(base)().chain.closeAndClaim).to.equal(false);
      expect(withConfig({ ...base, chain: { ...base.chain, closeAndClaim: true } })().chain.closeAndClaim).to.equal(
        true,
      );
      expect(withConfig({ ...base, chain: { ...base.chain, closeAndClaim: 'yes' } })).to.throw(
        CliError,
        /--chain.close-and-claim: must be true or false/,
      );
    });

    it('chain.claimForDebtorsAfterSeconds: a day unless set; a non-negative number, or a clear error', () => {
      expect(withConfig(base)().chain.claimForDebtorsAfterSeconds).to.equal(86_400);
      const set = (v: unknown) => withConfig({ ...base, chain: { ...base.chain, claimForDebtorsAfterSeconds: v } });
      expect(set(600)().chain.claimForDebtorsAfterSeconds).to.equal(600);
      expect(set(-1)).to.throw(CliError, /claimForDebtorsAfterSeconds: must be a non-negative number/);
      expect(set('soon')).to.throw(CliError, /claimForDebtorsAfterSeconds: must be a non-negative number/);
    });

    it('chain.fromBlock: 0 unless set; a block number, or a clear error', () => {
      expect(withConfig(base)().chain.fromBlock).to.equal(0);
      const set = (v: unknown) => withConfig({ ...base, chain: { ...base.chain, fromBlock: v } });
      expect(set(19_000_000)().chain.fromBlock).to.equal(19_000_000);
      for (const bad of [-1, 1.5, 'deploy'])
        expect(set(bad), String(bad)).to.throw(CliError, /--chain.from-block: must be a block number/);
    });

    it('rejects unknown config keys, top-level and nested, naming them', () => {
      expect(withConfig({ ...base, privatekey: 'x' })).to.throw(CliError, /unknown key "privatekey"/);
      expect(withConfig({ ...base, chain: { ...base.chain, maxFeeGwei: 3 } })).to.throw(
        CliError,
        /unknown key "chain.maxFeeGwei"/,
      );
      expect(withConfig({ ...base, meter: { meterIndex: 0, secret: '00' } })).to.throw(
        CliError,
        /unknown key "meter.secret"/,
      );
    });

    it('rejects a zero key and one not below the group order, without echoing it', () => {
      for (const privateKey of [`0x${'00'.repeat(32)}`, `0x${'ff'.repeat(32)}`]) {
        let message = '';
        try {
          withConfig({ ...base, privateKey })();
        } catch (e) {
          expect(e).to.be.instanceOf(CliError);
          message = (e as Error).message;
        }
        expect(message).to.match(/--private-key: not a valid secp256k1 private key/);
        expect(message).to.not.include('ffff');
      }
    });
  });

  it('devnet nodes do not inherit DIVERSITY_* variables', () => {
    const env = devnetNodeEnv({
      PATH: '/bin',
      DIVERSITY_PRIVATE_KEY: '0x01',
      diversity_chain_rpc_url: 'http://evil',
      HOME: '/h',
    });
    expect(env).to.deep.equal({ PATH: '/bin', HOME: '/h' });
  });

  it('the API answers 400 to an out-of-range window, 404 to one not committed', async () => {
    const api = new ApiServer(
      { enabled: true, host: '127.0.0.1', port: 0 },
      {
        status: async () => ({}),
        windowResult: async (w) => (w === 1 ? { window: 1 } : undefined),
        metrics: null,
        logger: createLogger({ level: 'error', name: 'api' }),
      },
    );
    await api.start();
    try {
      const code = async (path: string) => (await fetch(`${api.url}${path}`)).status;
      expect(await code('/window/1e20')).to.equal(400);
      expect(await code('/window/100000000000000000000')).to.equal(400);
      expect(await code('/window/4294967296')).to.equal(400);
      expect(await code('/window/-1')).to.equal(400);
      expect(await code('/window/')).to.equal(400);
      expect(await code('/window/4294967295')).to.equal(404);
      expect(await code('/window/1')).to.equal(200);
    } finally {
      await api.stop();
    }
  });
});
