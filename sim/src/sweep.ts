import { romeLocal } from '../../datasets/src/time.js';
import type { CommunityPoint } from './charts.js';
import type { SimOptions } from './options.js';
import { simulate, type SimReport } from './simulate.js';
import type { EngineModules } from './replay/engine.js';
import type { ApproachName } from './replay/types.js';
import type { CoSignatureSchemeName } from '../../node/src/chain/modules.js';

export interface SweepOptions {
  prosumers: number[];
  /** DIVERSITY window lengths, intervals. */
  windows: number[];
  /** Days measured for the baselines (extrapolated linearly to a year: every session costs alike). */
  baselineDays: number;
  /** Windows measured for DIVERSITY (setup + close once, updates scaled to a year). */
  diversityWindows: number;
  preset: string;
  /** DIVERSITY co-signature schemes: one series per scheme and window length. */
  schemes: CoSignatureSchemeName[];
}

export const defaultSweepOptions: SweepOptions = {
  prosumers: [2, 5, 10, 20, 50, 100],
  windows: [96, 672, 2976, 5856],
  baselineDays: 2,
  diversityWindows: 2,
  preset: 'paper-2022',
  schemes: ['ecdsa'],
};

/** Rome-local period of `days` days starting where the dataset starts. */
function firstDays(startMs: number, days: number): string {
  const l = romeLocal(startMs);
  const iso = (d: Date): string => d.toISOString().slice(0, 10);
  return `${iso(new Date(Date.UTC(l.year, l.month, l.day)))}/${iso(new Date(Date.UTC(l.year, l.month, l.day + days)))}`;
}

const LABEL: Record<string, string> = { rda: 'RDA', sat: 'SAT', sa: 'SA' };

export function diversityLabel(
  windowIntervals: number,
  intervalSeconds: number,
  scheme: CoSignatureSchemeName = 'ecdsa',
): string {
  const days = (windowIntervals * intervalSeconds) / 86_400;
  return `DIVERSITY ${scheme.toUpperCase()}, window ${Number.isInteger(days) ? days : days.toFixed(1)} d`;
}

/**
 * Cost per prosumer per year against community size (chart 2). Baselines are measured over
 * `baselineDays` and scaled to 365 days; DIVERSITY over `diversityWindows` windows of each
 * length, with open/join/close counted once and the updates scaled to a year's windows.
 */
export async function sweep(
  base: SimOptions,
  s: SweepOptions,
  startMs: number,
  modules: EngineModules = {},
): Promise<{ points: CommunityPoint[]; notes: string[] }> {
  const points: CommunityPoint[] = [];
  const notes: string[] = [];
  const baselines = base.approaches.filter((a) => a !== 'diversity');
  const intervalsPerYear = (365 * 86_400) / base.intervalSeconds;
  for (const n of s.prosumers) {
    if (baselines.length > 0) {
      const r = await simulate(
        {
          ...base,
          prosumers: n,
          approaches: baselines,
          period: firstDays(startMs, s.baselineDays),
          presets: [s.preset],
        },
        modules,
      );
      for (const a of r.approaches)
        points.push({ prosumers: n, series: LABEL[a.approach], usdPerProsumerYear: a.usdPerProsumerYear[s.preset] });
    }
    if (base.approaches.includes('diversity')) {
      for (const scheme of s.schemes)
        for (const w of s.windows) {
          const days = Math.ceil((w * s.diversityWindows * base.intervalSeconds) / 86_400);
          let r: SimReport;
          try {
            r = await simulate(
              {
                ...base,
                prosumers: n,
                approaches: ['diversity' as ApproachName],
                windowIntervals: w,
                signatures: scheme,
                period: firstDays(startMs, days),
                presets: [s.preset],
              },
              modules,
            );
          } catch (e) {
            // A transaction past the per-transaction gas limit (open, an update) ends the series here.
            notes.push(
              `DIVERSITY ${scheme.toUpperCase()} at N = ${n}, window ${w}: ${(e as Error).message.slice(0, 200)}`,
            );
            continue;
          }
          const d = r.approaches[0];
          if (!d) {
            notes.push(`DIVERSITY ${scheme.toUpperCase()} at N = ${n}: ${r.skipped[0]?.reason ?? 'not run'}`);
            continue;
          }
          const upd = d.byKind.update;
          const once = Number(d.gasUsed) - Number(upd?.gasUsed ?? 0);
          const perWindow = upd ? Number(upd.gasUsed) / upd.transactions : 0;
          const yearGas = once + perWindow * (intervalsPerYear / w);
          points.push({
            prosumers: n,
            series: diversityLabel(w, base.intervalSeconds, scheme),
            usdPerProsumerYear: (yearGas * (d.usd[s.preset] / Number(d.gasUsed))) / n,
          });
        }
    }
  }
  return { points, notes };
}
