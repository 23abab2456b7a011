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
      const child = spawn(process.execPath, [bin, 'devnet', '--windows', '2', '--dir', dir, '--timeout', '200'], { stdio: ['ignore', 'pipe', 'pipe'] });
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
      expect(out).to.match(/community overview: http:\/\/127\.0\.0\.1:\d+\/overview\.html\?nodes=(http:\/\/127\.0\.0\.1:\d+,){3}http:\/\/127\.0\.0\.1:\d+/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
