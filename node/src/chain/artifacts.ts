import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InterfaceAbi } from 'ethers';

export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'foundry.toml'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('foundry.toml not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

export interface Artifact {
  abi: InterfaceAbi;
  bytecode: string;
}

const cache = new Map<string, Artifact>();

/**
 * ABI and creation bytecode of a contract, from forge's output (contracts/out). Built on first
 * use when missing, so the artifacts always match the sources they come from.
 */
export function loadArtifact(contract: string, file = `${contract}.sol`): Artifact {
  const key = `${file}:${contract}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const root = projectRoot();
  const path = join(root, 'contracts', 'out', file, `${contract}.json`);
  if (!existsSync(path)) {
    process.stderr.write(`compiling contracts (forge build), first run only...\n`);
    execFileSync(join(root, 'node_modules', '.bin', 'forge'), ['build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const json = JSON.parse(readFileSync(path, 'utf8')) as { abi: InterfaceAbi; bytecode: { object: string } };
  const artifact = { abi: json.abi, bytecode: json.bytecode.object };
  cache.set(key, artifact);
  return artifact;
}
