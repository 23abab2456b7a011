import { dayOfYear, dayType, italianHolidays } from '../calendar.js';
import type { EnergySeries } from '../series.js';
import { romeLocal, romeMidnight } from '../time.js';
import { italy2020, type ItalyCalibration } from './calibration.js';

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
 * Builds the year from a shape: each interval gets shape[month][dayType][hour] × the day's
 * factor, then every month is scaled to its share of `annual`. Hours are held for their
 * quarter-hours (as in the real per-capita file). Deterministic: same inputs, same bytes.
 */
function build(
  cal: ItalyCalibration,
  part: { monthShare: number[]; dailyFactor: number[]; shapeAt: (month: number, kind: 0 | 1, hour: number) => number },
  annual: number,
  intervalSeconds: number,
  name: string,
): EnergySeries {
  if (3600 % intervalSeconds !== 0) throw new RangeError(`interval ${intervalSeconds} s does not divide an hour`);
  const year = cal.year;
  const start = romeMidnight(year, 0, 1);
  const n = Math.round((romeMidnight(year + 1, 0, 1) - start) / (intervalSeconds * 1000));
  const holidays = italianHolidays(year);
  const values = new Float64Array(n);
  const months = new Uint8Array(n);
  const monthSum = new Array(12).fill(0);
  for (let i = 0; i < n; i++) {
    const t = start + i * intervalSeconds * 1000;
    const l = romeLocal(t);
    const v = part.shapeAt(l.month, dayType(t, holidays), l.hour) * part.dailyFactor[dayOfYear(year, l.month, l.day)];
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
export function generateItalyLoad(opts: Partial<GeneratorOptions> = {}, cal: ItalyCalibration = italy2020): EnergySeries {
  const o = { ...defaultGeneratorOptions, ...opts };
  return build(cal, { ...cal.load, shapeAt: (m, k, h) => cal.load.hourShape[m][k][h] }, o.annualKWh, o.intervalSeconds, `builtin:italy-${cal.year}:load`);
}

/** A full local year of PV output for `kWp` with the Italian 2020 solar shape, kWh per interval. */
export function generateItalyPv(opts: Partial<PvOptions> = {}, cal: ItalyCalibration = italy2020): EnergySeries {
  const o = { ...defaultPvOptions, ...opts };
  return build(cal, { ...cal.solar, shapeAt: (m, _k, h) => cal.solar.hourShape[m][h] }, o.kWp * o.yieldKWhPerKWp, o.intervalSeconds, `builtin:italy-${cal.year}:pv`);
}
