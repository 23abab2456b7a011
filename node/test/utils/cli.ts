import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../src/chain/artifacts.js';

/**
 * Runs `diversity <args>` as a user would (`bin/diversity.js`, a Node process loading the TypeScript
 * sources: seconds), without the caller's `DIVERSITY_*` variables; resolves with its exit code and its
 * stdout and stderr together.
 */
export function runCli(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [join(projectRoot(), 'bin', 'diversity.js'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DIVERSITY_'))),
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}
