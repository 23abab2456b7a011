import { expect } from 'chai';
import { Wallet } from 'ethers';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeDb } from '../../src/db/index.js';
import { freePorts } from '../../src/util/ports.js';
import { fastCommunityOptions, LocalCommunity } from '../utils/localCommunity.js';

/**
 * Start-up failures an operator meets, through the real CLI: each is one line on stderr naming
 * the cause, exit code 2, no stack trace, no key bytes.
 */
describe('e2e: node start-up failures', function () {
  this.timeout(120_000);
  let c: LocalCommunity;
  const dir = mkdtempSync(join(tmpdir(), 'diversity-startup-'));
  const bin = join(process.cwd(), 'bin', 'diversity.js');

  before(async () => {
    c = new LocalCommunity({ ...fastCommunityOptions, startDelaySeconds: 600 });
    await c.setup();
  });
  after(async () => {
    await c?.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The parts of a node config file the cases below change. */
  interface ConfigJson {
    privateKey?: string;
    dataDir: string;
    api: { port: number };
    network: { listen: string[] };
    chain: Record<string, unknown>;
    meter?: unknown;
  }

  /** Node 0's config with `patch` applied, written to a file (0600). */
  function config(name: string, patch: (o: ConfigJson) => void): string {
    const o: ConfigJson = JSON.parse(
      JSON.stringify(c.options[0], (_k, v) => (typeof v === 'bigint' ? v.toString() : v)),
    );
    o.dataDir = join(dir, name);
    o.api.port = 0;
    o.network.listen = ['/ip4/127.0.0.1/tcp/0'];
    delete o.meter;
    patch(o);
    const path = join(dir, `${name}.json`);
    writeFileSync(path, JSON.stringify(o), { mode: 0o600 });
    return path;
  }

  /** `diversity <args>` with no `DIVERSITY_*` from the test's environment (plus `env`): exit code and stderr. */
  function spawnBin(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve) => {
      const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DIVERSITY_')));
      const child = spawn(process.execPath, [bin, ...args], {
        env: { ...clean, ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      // A deadline against a hung start, under the case's 120 s: a start-up that fails takes seconds, tens of
      // seconds on a loaded machine (loading the TypeScript sources).
      const kill = setTimeout(() => child.kill('SIGKILL'), 100_000);
      child.on('exit', (code) => {
        clearTimeout(kill);
        resolve({ code, stderr: stderr.trim() });
      });
    });
  }

  function run(configPath: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stderr: string }> {
    return spawnBin(['node', '--config', configPath], env);
  }

  async function expectFailure(configPath: string, pattern: RegExp, env?: NodeJS.ProcessEnv): Promise<void> {
    const { code, stderr } = await run(configPath, env);
    expect(stderr.split('\n'), stderr).to.have.length(1);
    expect(stderr).to.match(pattern);
    expect(stderr).to.not.match(/\n\s+at /);
    expect(stderr).to.not.include(c.options[0].privateKey.slice(2, 18));
    expect(code).to.equal(2);
  }

  it('a zero key', async () => {
    await expectFailure(
      config('zero', (o) => (o.privateKey = `0x${'00'.repeat(32)}`)),
      /^error: --private-key: not a valid secp256k1 private key/,
    );
  });

  it('an unknown config key', async () => {
    await expectFailure(
      config('typo', (o) => (o.chain.rpcURL = o.chain.rpcUrl)),
      /^error: config file .*: unknown key "chain.rpcURL"/,
    );
  });

  it('an unreachable RPC', async () => {
    const [port] = await freePorts(1);
    await expectFailure(
      config('rpc', (o) => (o.chain.rpcUrl = `http://127.0.0.1:${port}`)),
      /^error: JSON-RPC endpoint http:\/\/127.0.0.1:\d+ (does not answer|did not answer)/,
    );
  });

  it('a data dir locked by another process', async () => {
    const path = config('locked', () => {});
    const db = await NodeDb.open(join(dir, 'locked'));
    try {
      await expectFailure(path, /^error: data dir .*locked is in use by another process/);
    } finally {
      await db.close();
    }
  });

  it('a busy API port', async () => {
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      await expectFailure(
        config('busy', (o) => (o.api.port = port)),
        new RegExp(`^error: API address 127.0.0.1:${port} is already in use`),
      );
    } finally {
      server.close();
    }
  });

  it('a data dir of another participant', async () => {
    // A data dir bound to another participant (as a first run with its key leaves it).
    const shared = join(dir, 'shared');
    const db = await NodeDb.open(shared);
    await db.meta.put('binding', {
      chainId: '31337',
      hub: c.deployment.hubAddress.toLowerCase(),
      communityId: c.communityId.toString(),
      participant: `0x${'99'.repeat(20)}`,
    });
    await db.close();
    await expectFailure(
      config('shared-0', (o) => (o.dataDir = shared)),
      /^error: data dir .*shared belongs to participant 0x9999/,
    );
  });

  /** A store bound to participant 0 of this community, written before formats were recorded: format 1. */
  async function writeFormat1Store(path: string): Promise<void> {
    const db = await NodeDb.open(path);
    await db.meta.put('binding', {
      chainId: '31337',
      hub: c.deployment.hubAddress.toLowerCase(),
      communityId: c.communityId.toString(),
      participant: new Wallet(c.options[0].privateKey).address.toLowerCase(),
    });
    await db.close();
  }

  it('a data dir of an older store format (window commitments before the meter level)', async () => {
    // Bound to this very participant, but written before formats were recorded: format 1.
    const old = join(dir, 'old-format');
    await writeFormat1Store(old);
    await expectFailure(
      config('old-format-0', (o) => (o.dataDir = old)),
      /^error: data dir .*old-format holds a store of format 1; this version reads and writes format 4/,
    );
  });

  it('`diversity dispute --data-dir` refuses a data dir of an older store format as the daemon does', async () => {
    const old = join(dir, 'old-format-cli');
    await writeFormat1Store(old);
    const key = c.options[0].privateKey;
    for (const game of ['answer', 'pick']) {
      const { code, stderr } = await spawnCli(
        ['dispute', '--game', game, '--hub', c.deployment.hubAddress, '--window', '0', '--data-dir', old],
        ['--private-key', key],
      );
      expect(stderr.split('\n'), stderr).to.have.length(1);
      expect(stderr).to.match(
        /^error: data dir .*old-format-cli holds a store of format 1; this version reads and writes format 4/,
      );
      expect(stderr).to.not.include(key.slice(2, 18));
      expect(code).to.equal(2);
    }
  });

  /** The CLI with `args` (and `secret` args, never echoed): exit code and stderr. */
  function spawnCli(args: string[], secret: string[]): Promise<{ code: number | null; stderr: string }> {
    return spawnBin([...args, ...secret]);
  }
});
