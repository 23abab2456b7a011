import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InterfaceAbi } from 'ethers';
import { ReplayError, ReplayErrorCode } from './errors.js';

export interface Artifact {
  name: string;
  abi: InterfaceAbi;
  bytecode: string;
}

export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'foundry.toml'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('foundry.toml not found');
    dir = up;
  }
  return dir;
}

export function artifactPath(name: string, root = repoRoot()): string {
  return join(root, 'contracts', 'out', `${name}.sol`, `${name}.json`);
}

/** Runs `forge build` once when an artifact is missing (a clean clone has no contracts/out). */
export function ensureBuilt(names: string[], root = repoRoot()): void {
  if (names.every((n) => existsSync(artifactPath(n, root)))) return;
  const forge = join(root, 'node_modules', '.bin', 'forge');
  execFileSync(forge, ['build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}

export function loadArtifact(name: string, root = repoRoot()): Artifact {
  const path = artifactPath(name, root);
  if (!existsSync(path)) throw new ReplayError({ code: ReplayErrorCode.ARTIFACT_MISSING, name, path });
  const json = JSON.parse(readFileSync(path, 'utf8')) as { abi: InterfaceAbi; bytecode: { object: string } };
  return { name, abi: json.abi, bytecode: json.bytecode.object };
}
