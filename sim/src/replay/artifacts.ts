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

let built = false;

/**
 * Runs `forge build` when an artifact is missing (a clean clone has no contracts/out), at most
 * once per process: an artifact still missing afterwards belongs to code not merged yet.
 */
export function ensureBuilt(names: string[], root = repoRoot()): void {
  if (built || names.every((n) => existsSync(artifactPath(n, root)))) return;
  built = true;
  const forge = join(root, 'node_modules', '.bin', 'forge');
  try {
    execFileSync(forge, ['build'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`forge build failed:\n${err.stdout?.toString() ?? ''}${err.stderr?.toString() ?? ''}`);
  }
}

export function loadArtifact(name: string, root = repoRoot()): Artifact {
  const path = artifactPath(name, root);
  if (!existsSync(path)) throw new ReplayError({ code: ReplayErrorCode.ARTIFACT_MISSING, name, path });
  const json = JSON.parse(readFileSync(path, 'utf8')) as { abi: InterfaceAbi; bytecode: { object: string } };
  return { name, abi: json.abi, bytecode: json.bytecode.object };
}
