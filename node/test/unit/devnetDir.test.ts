import { expect } from 'chai';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inDevnetDir, nodeLogTails } from '../utils/devnetDir.js';

/** What `run` writes to stderr while it runs. */
async function stderrOf(run: () => Promise<unknown>): Promise<string> {
  const write = process.stderr.write.bind(process.stderr);
  let captured = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    captured += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    await run().catch(() => undefined);
  } finally {
    process.stderr.write = write;
  }
  return captured;
}

describe('test utils: a devnet test keeps its node logs in the output when it fails', () => {
  it('a failing run prints the tail of each node log, rethrows, and the directory is removed', async () => {
    let used = '';
    let thrown: unknown;
    const out = await stderrOf(async () => {
      await inDevnetDir('diversity-devnetdir-test-', async (dir) => {
        used = dir;
        for (const [name, lines] of [
          ['node-0', 50],
          ['node-1', 3],
        ] as const) {
          mkdirSync(join(dir, name));
          const text = Array.from({ length: lines }, (_, i) => `${name} line ${i}`).join('\n');
          writeFileSync(join(dir, name, 'node.log'), `${text}\n`);
        }
        mkdirSync(join(dir, 'anvil'));
        throw new Error('window 1 never final');
      }).catch((e) => {
        thrown = e;
        throw e;
      });
    });
    expect((thrown as Error).message).to.equal('window 1 never final');
    expect(out).to.include('--- node-0/node.log (last 40 lines) ---');
    expect(out).to.include('node-0 line 49');
    expect(out).to.include('node-0 line 10');
    expect(out).to.not.include('node-0 line 9\n');
    expect(out).to.include('--- node-1/node.log (last 3 lines) ---');
    expect(out).to.include('node-1 line 0');
    expect(out).to.not.include('anvil');
    expect(existsSync(used)).to.equal(false);
  });

  it('a passing run prints nothing, gives its value, and the directory is removed', async () => {
    let used = '';
    let value = 0;
    const out = await stderrOf(async () => {
      value = await inDevnetDir('diversity-devnetdir-test-', async (dir) => {
        used = dir;
        mkdirSync(join(dir, 'node-0'));
        writeFileSync(join(dir, 'node-0', 'node.log'), 'fine\n');
        return 7;
      });
    });
    expect(value).to.equal(7);
    expect(out).to.equal('');
    expect(existsSync(used)).to.equal(false);
    expect(nodeLogTails(used)).to.equal('');
  });
});
