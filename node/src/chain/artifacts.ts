import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InterfaceAbi } from 'ethers';
import { DiversityError } from '../util/errors.js';

export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'foundry.toml'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`foundry.toml not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

export interface Artifact {
  name: string;
  abi: InterfaceAbi;
  bytecode: string;
  /** Unlinked library references (solc `linkReferences`): file -> library -> byte ranges in `bytecode`. */
  linkReferences?: Record<string, Record<string, { start: number; length: number }[]>>;
}

export enum ArtifactErrorCode {
  ARTIFACT_MISSING = 'ARTIFACT_MISSING',
  UNLINKED_LIBRARY = 'ARTIFACT_UNLINKED_LIBRARY',
  BUILD_FAILED = 'ARTIFACT_BUILD_FAILED',
}
export class ArtifactError extends DiversityError<{
  code: ArtifactErrorCode;
  name?: string;
  path?: string;
  output?: string;
}> {}

/** forge's output for contract `name` (defined in `<name>.sol`) under `root`. */
export function artifactPath(name: string, root = projectRoot()): string {
  return join(root, 'contracts', 'out', `${name}.sol`, `${name}.json`);
}

/**
 * What the artifacts are built from: every `.sol` under contracts/src and foundry.toml (compiler
 * settings), hashed by path and content. A checkout that changes a contract changes it, whatever the
 * files' timestamps say.
 */
export function sourcesFingerprint(root = projectRoot()): string {
  const hash = createHash('sha256');
  const files = [join(root, 'foundry.toml')];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.sol')) files.push(path);
    }
  };
  walk(join(root, 'contracts', 'src'));
  for (const file of files.sort()) {
    hash.update(relative(root, file));
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Where the fingerprint of the sources of the last `forge build` run from here is kept. */
export function sourcesStampPath(root = projectRoot()): string {
  return join(root, 'contracts', 'out', '.sources.sha256');
}

const built = new Set<string>();

/**
 * Runs `forge build` when an artifact is missing (a clean clone has no contracts/out) or when the
 * sources changed since the last build run from here (an operator who pulls new contracts must not
 * run the old ABIs: ethers would fail with "no matching fragment" far from the cause), at most once
 * per process and root. forge's own cache makes the build incremental; the stamp is written after
 * a successful build only.
 */
export function ensureBuilt(names: readonly string[], root = projectRoot()): void {
  if (built.has(root)) return;
  built.add(root);
  const fingerprint = sourcesFingerprint(root);
  if (!artifactsStale(names, root, fingerprint)) return;
  const why = existsSync(sourcesStampPath(root)) ? 'sources changed since the last build' : 'no build yet';
  process.stderr.write(`compiling contracts (forge build): ${why}; several minutes on 2 cores, silent until done...\n`);
  try {
    execFileSync(join(root, 'node_modules', '.bin', 'forge'), ['build'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    built.delete(root);
    const err = e as { stdout?: Buffer; stderr?: Buffer };
    throw new ArtifactError({
      code: ArtifactErrorCode.BUILD_FAILED,
      output: `${err.stdout?.toString() ?? ''}${err.stderr?.toString() ?? ''}`,
    });
  }
  // Written whole then renamed: a process reading it concurrently sees the old or the new stamp.
  const stamp = sourcesStampPath(root);
  const tmp = `${stamp}.${process.pid}`;
  writeFileSync(tmp, `${fingerprint}\n`);
  renameSync(tmp, stamp);
}

/** True when one of `names` has no artifact or the sources differ from those of the last build. */
export function artifactsStale(
  names: readonly string[],
  root = projectRoot(),
  fingerprint = sourcesFingerprint(root),
): boolean {
  const stamp = sourcesStampPath(root);
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8').trim() !== fingerprint) return true;
  return !names.every((n) => existsSync(artifactPath(n, root)));
}

const cache = new Map<string, Artifact>();

/** ABI and creation bytecode of a contract, built on first use when missing. */
export function loadArtifact(name: string, root = projectRoot()): Artifact {
  const path = artifactPath(name, root);
  const hit = cache.get(path);
  if (hit) return hit;
  ensureBuilt([name], root);
  if (!existsSync(path)) throw new ArtifactError({ code: ArtifactErrorCode.ARTIFACT_MISSING, name, path });
  const json = JSON.parse(readFileSync(path, 'utf8')) as {
    abi: InterfaceAbi;
    bytecode: { object: string; linkReferences?: Artifact['linkReferences'] };
  };
  const artifact = {
    name,
    abi: json.abi,
    bytecode: json.bytecode.object,
    linkReferences: json.bytecode.linkReferences,
  };
  cache.set(path, artifact);
  return artifact;
}

/**
 * `artifact` with every external library it references linked to its deployed address (`libraries`:
 * library name -> address); throws UNLINKED_LIBRARY when one is missing.
 */
export function linkArtifact(artifact: Artifact, libraries: Record<string, string>): Artifact {
  let code = artifact.bytecode.startsWith('0x') ? artifact.bytecode.slice(2) : artifact.bytecode;
  for (const libs of Object.values(artifact.linkReferences ?? {})) {
    for (const [lib, ranges] of Object.entries(libs)) {
      const address = libraries[lib];
      if (!address)
        throw new ArtifactError({ code: ArtifactErrorCode.UNLINKED_LIBRARY, name: `${artifact.name} needs ${lib}` });
      const hex = address.toLowerCase().replace(/^0x/, '');
      for (const { start, length } of ranges) {
        code = code.slice(0, start * 2) + hex.padStart(length * 2, '0') + code.slice((start + length) * 2);
      }
    }
  }
  return { ...artifact, bytecode: `0x${code}`, linkReferences: {} };
}
