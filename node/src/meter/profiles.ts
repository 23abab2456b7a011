import { readFileSync } from 'node:fs';
import { DiversityError } from '../util/errors.js';
import { generateItalyLoad, generateItalyPv } from '../../../datasets/src/embedded/generator.js';
import { mulberry32 } from '../../../datasets/src/random.js';
import type { EnergyProfile } from './simulatedMeter.js';

export enum ProfileErrorCode {
  UNKNOWN_SOURCE = 'PROFILE_UNKNOWN_SOURCE',
  BAD_SPEC = 'PROFILE_BAD_SPEC',
  BAD_FILE = 'PROFILE_BAD_FILE',
}
export class ProfileError extends DiversityError<{ code: ProfileErrorCode; detail: string }> {}

function params(query: string): Map<string, string> {
  return new Map(
    query
      .split(/[&,]/)
      .filter(Boolean)
      .map((kv) => kv.split('=') as [string, string]),
  );
}

function num(p: Map<string, string>, key: string, fallback: number): number {
  const v = p.get(key);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new ProfileError({ code: ProfileErrorCode.BAD_SPEC, detail: `${key}=${v}` });
  return n;
}

let italyBase: { load: Float64Array; pvPerKWp: Float64Array } | undefined;

/**
 * One household of the embedded Italian 2020 year (15-minute intervals, 5,000 kWh/yr per capita):
 * a seeded consumption level in [0.7, 1.3], ±20 % per-interval variation, and `pvKwp` of PV.
 */
export function italyHousehold(opts: { seed: number; pvKwp: number }): EnergyProfile {
  italyBase ??= { load: generateItalyLoad().values, pvPerKWp: generateItalyPv({ kWp: 1 }).values };
  const rnd = mulberry32(opts.seed);
  const level = 0.7 + 0.6 * rnd();
  const loadWh = italyBase.load.map((kWh) => kWh * 1000 * level * (0.8 + 0.4 * rnd()));
  const pvWh = italyBase.pvPerKWp.map((kWh) => kWh * 1000 * opts.pvKwp);
  return { loadWh, pvWh };
}

/**
 * A meter's load/PV profile from a spec:
 * - `builtin:italy-2020?pvKwp=3&seed=1` — a household of the embedded Italian year;
 * - `constant:loadWh=120,pvWh=300,intervals=96` — flat profile (tests);
 * - `csv:PATH` — `loadWh[,pvWh]` per line, one line per interval (a header line is skipped).
 */
export function loadProfile(spec: string): EnergyProfile {
  const [source, rest = ''] = spec.split(/:(.*)/s);
  switch (source) {
    case 'builtin': {
      const [name, query = ''] = rest.split('?');
      if (name !== 'italy-2020')
        throw new ProfileError({
          code: ProfileErrorCode.UNKNOWN_SOURCE,
          detail: `builtin:${name} (known: italy-2020)`,
        });
      const p = params(query);
      return italyHousehold({ seed: num(p, 'seed', 1), pvKwp: num(p, 'pvKwp', 0) });
    }
    case 'constant': {
      const p = params(rest);
      const n = num(p, 'intervals', 96);
      return { loadWh: new Array(n).fill(num(p, 'loadWh', 0)), pvWh: new Array(n).fill(num(p, 'pvWh', 0)) };
    }
    case 'csv': {
      const loadWh: number[] = [];
      const pvWh: number[] = [];
      const lines = readFileSync(rest, 'utf8').split(/\r?\n/);
      lines.forEach((line, i) => {
        if (!line.trim() || (i === 0 && /[a-z]/i.test(line))) return;
        const [load, pv = '0'] = line.split(',');
        const l = Number(load);
        const s = Number(pv);
        if (!Number.isFinite(l) || !Number.isFinite(s) || l < 0 || s < 0) {
          throw new ProfileError({
            code: ProfileErrorCode.BAD_FILE,
            detail: `${rest}:${i + 1}: expected loadWh[,pvWh], got "${line}"`,
          });
        }
        loadWh.push(l);
        pvWh.push(s);
      });
      return { loadWh, pvWh };
    }
    default:
      throw new ProfileError({ code: ProfileErrorCode.UNKNOWN_SOURCE, detail: spec });
  }
}
