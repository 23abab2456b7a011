import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';

/** A temp folder for fixture files written by the tests, removed by `cleanup`. */
export function fixtures(): { write(name: string, text: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'diversity-datasets-'));
  return {
    write(name, text) {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** ../shared/datasets relative to the repository root, or null when absent. */
export function sharedDatasets(): string | null {
  const p = join(import.meta.dirname, '..', '..', '..', 'shared', 'datasets');
  return existsSync(join(p, 'IT_load_solar_hourly_2019_2021_utc.csv')) ? p : null;
}

export function expectCode(fn: () => unknown, code: string): { line?: number; column?: number } {
  try {
    fn();
  } catch (e) {
    const err = e as { code?: string; type?: { line?: number; column?: number } };
    if (err.code !== code) throw new Error(`expected ${code}, got ${err.code ?? String(e)}`);
    return err.type ?? {};
  }
  throw new Error(`expected ${code}, nothing thrown`);
}
