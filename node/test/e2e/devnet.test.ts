import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../src/chain/artifacts.js';

/** The main job as a user runs it: one OS process per node, anvil, the embedded dataset. */
describe('e2e: diversity devnet (npm run demo)', function () {
  this.timeout(300_000);

  it('settles every window with every node process in agreement, then exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'diversity-devnet-'));
    try {
      const bin = join(projectRoot(), 'bin', 'diversity.js');
      const child = spawn(process.execPath, [bin, 'devnet', '--windows', '2', '--dir', dir, '--timeout', '200'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code, out).to.equal(0);
      expect(out).to.match(/window 0 FINAL on chain: 4\/4 signatures, 4\/4 nodes agree/);
      expect(out).to.match(/window 1 FINAL on chain: \d\/4 signatures, 4\/4 nodes agree/);
      expect(out).to.match(/OK: all 2 windows final on chain and every node agrees/);
      expect(out).to.match(/update \(4 signatures\)\s+\d+ tx/);
      // Each node's page and the community overview page are printed.
      expect(out.match(/node-\d\s.*page http:\/\/127\.0\.0\.1:\d+\//g) ?? []).to.have.length.at.least(4);
      expect(out).to.match(
        /community overview: http:\/\/127\.0\.0\.1:\d+\/overview\.html\?nodes=(http:\/\/127\.0\.0\.1:\d+,){3}http:\/\/127\.0\.0\.1:\d+/,
      );
      // The per-member table: one row per node and the community's, whose P2P net is exactly zero.
      expect(out).to.match(/== per member over the 2 settled windows/);
      for (const n of [0, 1, 2, 3]) expect(out).to.match(new RegExp(`^node-${n}`, 'm'));
      expect(out).to.match(/^community(\s+\S+){9}\s+0\.00\s/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('--signatures bls: nodes join with BLS keys and PoPs, gossip shares, and every window settles with one aggregate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'diversity-devnet-bls-'));
    try {
      const bin = join(projectRoot(), 'bin', 'diversity.js');
      const child = spawn(
        process.execPath,
        [bin, 'devnet', '--signatures', 'bls', '--windows', '2', '--dir', dir, '--timeout', '200'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code, out).to.equal(0);
      expect(out).to.match(/window 0 FINAL on chain: 4\/4 signatures, 4\/4 nodes agree/);
      expect(out).to.match(/window 1 FINAL on chain: \d\/4 signatures, 4\/4 nodes agree/);
      expect(out).to.match(/OK: all 2 windows final on chain and every node agrees/);
      // Every update carried one BLS aggregate, none a list of ECDSA signatures.
      expect(out).to.match(/update \(BLS aggregate\)\s+\d+ tx/);
      expect(out).to.not.match(/update \(\d+ signatures\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('--community: one node per member of a community file; the settled P2P volumes are the hand calculation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'diversity-devnet-community-'));
    try {
      const bin = join(projectRoot(), 'bin', 'diversity.js');
      const file = join(projectRoot(), 'datasets', 'examples', 'three-members-day.json');
      const args = [
        bin,
        'devnet',
        '--community',
        file,
        '--community-offset',
        '36',
        '--windows',
        '2',
        '--dir',
        dir,
        '--timeout',
        '200',
      ];
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code, out).to.equal(0);
      // 09:00-13:00 of the hand-made day at 15 minutes, mmr (sim/test/community.test.ts has the hours):
      // A sells 0.6 + 1.2 + 1.2 + 1.0 kWh; B sells 0.2 + 0.3 + 0.4 and buys 0.2; C buys 0.8 + 1.5 + 1.0 + 1.4.
      const row = (name: string) =>
        out.match(new RegExp(`^node-\\d ${name}\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)`, 'm'))!.slice(3, 5);
      expect(row('A')).to.deep.equal(['0.000', '4.000']);
      expect(row('B')).to.deep.equal(['0.200', '0.900']);
      expect(row('C')).to.deep.equal(['4.700', '0.000']);
      expect(out).to.match(/OK: all 2 windows final on chain and every node agrees/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
