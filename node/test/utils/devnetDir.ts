import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Lines of each node's log printed when a devnet test fails. */
const TAIL_LINES = 40;

/** The last `lines` lines of every `<dir>/<node>/node.log`, each under a header naming its file. */
export function nodeLogTails(dir: string, lines = TAIL_LINES): string {
  if (!existsSync(dir)) return '';
  const parts: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const log = join(dir, name, 'node.log');
    if (!existsSync(log)) continue;
    const tail = readFileSync(log, 'utf8').trimEnd().split('\n').slice(-lines);
    parts.push(`--- ${name}/node.log (last ${tail.length} lines) ---`, ...tail);
  }
  return parts.join('\n');
}

/**
 * Runs `run` in a fresh devnet directory (`--dir`) and removes it afterwards. When `run` fails, the tail
 * of every node's log is written to stderr first: the directory goes with the test, and a CI run keeps
 * only what was printed (a devnet failure in CI used to leave no node log to read).
 */
export async function inDevnetDir<T>(prefix: string, run: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    return await run(dir);
  } catch (error) {
    const tails = nodeLogTails(dir);
    if (tails) process.stderr.write(`${tails}\n`);
    throw error;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
