import { generateItalyLoad, generateItalyPv } from './embedded/generator.js';
import { DatasetError, DatasetErrorCode } from './errors.js';
import { parsePeriod } from './period.js';
import { readSeries, type DatasetFormat } from './readers/detect.js';
import { resample, slice } from './resample.js';
import { endMs, scale, total, type EnergySeries } from './series.js';
import { romeLocal } from './time.js';

export interface ProfileOptions {
  intervalSeconds: number;
  /** Per-capita consumption per year, kWh (national files are scaled to it). */
  annualKWh: number;
  /** PV yield, kWh per kWp per year (the PV shape is scaled to it). */
  pvYieldKWhPerKWp: number;
  /** Period (see parsePeriod); '' = everything the dataset holds. */
  period: string;
}

export const defaultProfileOptions: ProfileOptions = {
  intervalSeconds: 900,
  annualKWh: 5000,
  pvYieldKWhPerKWp: 1150,
  period: '',
};

export interface Profile {
  source: string;
  format: DatasetFormat | 'builtin';
  /** Per-capita load, kWh per interval. */
  load: EnergySeries;
  /** PV output of 1 kWp, kWh per interval (null: the dataset has no solar column). */
  pvPerKWp: EnergySeries | null;
}

export const BUILTINS = ['builtin:italy-2020'] as const;

function hoursInYear(ms: number): number {
  const y = romeLocal(ms).year;
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 8784 : 8760;
}

/** Scales a national series so that its mean power is `annual` per year (year of its start). */
function toAnnual(s: EnergySeries, annual: number): EnergySeries {
  const hours = (endMs(s) - s.startMs) / 3_600_000;
  return scale(s, (annual * hours) / hoursInYear(s.startMs) / total(s));
}

/**
 * The per-capita load and 1-kWp PV profile of a dataset: `builtin:italy-2020` (the embedded
 * generator) or a file (ENTSO-E, OPSD or plain CSV, detected from the header), resampled to
 * the interval with energy conserved and cut to the period.
 */
export function loadProfile(dataset: string, opts: Partial<ProfileOptions> = {}): Profile {
  const o = { ...defaultProfileOptions, ...opts };
  let p: Profile;
  if (dataset.startsWith('builtin:')) {
    if (dataset !== 'builtin:italy-2020')
      throw new DatasetError({ code: DatasetErrorCode.UNKNOWN_BUILTIN, name: dataset, known: [...BUILTINS] });
    p = {
      source: dataset,
      format: 'builtin',
      load: generateItalyLoad({ annualKWh: o.annualKWh, intervalSeconds: o.intervalSeconds }),
      pvPerKWp: generateItalyPv({ kWp: 1, yieldKWhPerKWp: o.pvYieldKWhPerKWp, intervalSeconds: o.intervalSeconds }),
    };
  } else {
    const { format, series } = readSeries(dataset, { column: 'load' });
    const national = format !== 'plain';
    let load = resample(series, o.intervalSeconds);
    if (national) load = toAnnual(load, o.annualKWh);
    let pvPerKWp: EnergySeries | null = null;
    if (format === 'opsd' || format === 'entsoe') {
      try {
        const solar = resample(readSeries(dataset, { column: 'solar' }).series, o.intervalSeconds);
        if (solar.startMs === load.startMs && solar.values.length === load.values.length)
          pvPerKWp = toAnnual(solar, o.pvYieldKWhPerKWp);
      } catch (e) {
        if (!(e instanceof DatasetError && e.code === DatasetErrorCode.MISSING_COLUMN)) throw e;
      }
    }
    p = { source: dataset, format, load, pvPerKWp };
  }
  if (o.period) {
    const { fromMs, toMs } = parsePeriod(o.period);
    p = { ...p, load: slice(p.load, fromMs, toMs), pvPerKWp: p.pvPerKWp && slice(p.pvPerKWp, fromMs, toMs) };
  }
  return p;
}
