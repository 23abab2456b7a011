import { dayType, italianHolidays, type DayType } from '../calendar.js';
import type { EnergySeries } from '../series.js';
import { romeLocal, romeMidnight } from '../time.js';
import { italy2020 } from './calibration.js';
import type { ItalyCalibration } from './calibrationTypes.js';

export interface GeneratorOptions {
  /** Energy of the whole local year, kWh (load) — the paper's per-capita 5,000 kWh. */
  annualKWh: number;
  /** Interval length; must divide an hour. */
  intervalSeconds: number;
}

export const defaultGeneratorOptions: GeneratorOptions = { annualKWh: 5000, intervalSeconds: 900 };

export interface PvOptions {
  kWp: number;
  /** Annual yield, kWh per kWp. Assumption: ~1,150 for Italy in 2020 (see docs/simulator.md). */
  yieldKWhPerKWp: number;
  intervalSeconds: number;
}

export const defaultPvOptions: PvOptions = { kWp: 3, yieldKWhPerKWp: 1150, intervalSeconds: 900 };

/**
 * Builds the year from a shape: each interval gets shape[month][dayType][hour], then every
 * month is scaled to its share of `annual`. Hours are held for their quarter-hours (as in the
 * real per-capita file). Deterministic: same inputs, same bytes.
 */
function build(
  cal: ItalyCalibration,
  part: { monthShare: number[]; smooth: boolean; shapeAt: (month: number, kind: DayType, hour: number) => number },
  annual: number,
  intervalSeconds: number,
  name: string,
): EnergySeries {
  if (3600 % intervalSeconds !== 0) throw new RangeError(`interval ${intervalSeconds} s does not divide an hour`);
  const year = cal.year;
  const start = romeMidnight(year, 0, 1);
  const n = Math.round((romeMidnight(year + 1, 0, 1) - start) / (intervalSeconds * 1000));
  const holidays = italianHolidays(year);
  // Mean power of each month, placed at its middle and interpolated linearly in between, so
  // that the level glides from month to month instead of stepping (monthly totals are
  // restored exactly below).
  const monthStart = Array.from({ length: 13 }, (_, m) => romeMidnight(year, m, 1));
  const level = part.monthShare.map((sh, m) => sh / (monthStart[m + 1] - monthStart[m]));
  const mid = level.map((_, m) => (monthStart[m] + monthStart[m + 1]) / 2);
  const trend = (t: number): number => {
    let m = 0;
    while (m < 11 && t > mid[m + 1]) m++;
    if (t <= mid[0]) return level[0];
    if (m === 11) return level[11];
    const f = (t - mid[m]) / (mid[m + 1] - mid[m]);
    return level[m] * (1 - f) + level[m + 1] * f;
  };
  const values = new Float64Array(n);
  const months = new Uint8Array(n);
  const monthSum = new Array(12).fill(0);
  for (let i = 0; i < n; i++) {
    const t = start + i * intervalSeconds * 1000;
    const l = romeLocal(t);
    const v = part.shapeAt(l.month, dayType(t, holidays), l.hour) * (part.smooth ? trend(t) : 1);
    values[i] = v;
    months[i] = l.month;
    monthSum[l.month] += v;
  }
  const shareSum = part.monthShare.reduce((a, b) => a + b, 0);
  const k = monthSum.map((s, m) => (s > 0 ? (annual * part.monthShare[m]) / shareSum / s : 0));
  for (let i = 0; i < n; i++) values[i] *= k[months[i]];
  return { name, startMs: start, stepSeconds: intervalSeconds, values };
}

/** A full local year of per-capita Italian load (default 5,000 kWh, 15-minute intervals), kWh per interval. */
export function generateItalyLoad(
  opts: Partial<GeneratorOptions> = {},
  cal: ItalyCalibration = italy2020,
): EnergySeries {
  const o = { ...defaultGeneratorOptions, ...opts };
  return build(
    cal,
    { ...cal.load, smooth: true, shapeAt: (m, k, h) => cal.load.hourShape[m][k][h] },
    o.annualKWh,
    o.intervalSeconds,
    `builtin:italy-${cal.year}:load`,
  );
}

/** A full local year of PV output for `kWp` with the Italian 2020 solar shape, kWh per interval. */
export function generateItalyPv(opts: Partial<PvOptions> = {}, cal: ItalyCalibration = italy2020): EnergySeries {
  const o = { ...defaultPvOptions, ...opts };
  return build(
    cal,
    { ...cal.solar, smooth: false, shapeAt: (m, _k, h) => cal.solar.hourShape[m][h] },
    o.kWp * o.yieldKWhPerKWp,
    o.intervalSeconds,
    `builtin:italy-${cal.year}:pv`,
  );
}
