import { DatasetError, DatasetErrorCode } from './errors.js';
import { endMs, type EnergySeries } from './series.js';

/**
 * Resamples to `stepSeconds` conserving energy: each source interval's energy is spread
 * uniformly over its span and every target interval takes the part that overlaps it.
 * Upsampling hourly to 15 minutes gives each quarter a quarter of the hour (the hourly mean
 * power held); downsampling sums. A trailing part shorter than one target step is dropped,
 * so energy is conserved exactly when the span is a whole number of target steps.
 */
export function resample(s: EnergySeries, stepSeconds: number): EnergySeries {
  if (!(stepSeconds > 0))
    throw new DatasetError({ code: DatasetErrorCode.BAD_RESOLUTION, reason: `step ${stepSeconds} s` });
  if (stepSeconds === s.stepSeconds) return s;
  const src = s.stepSeconds * 1000;
  const dst = stepSeconds * 1000;
  const n = Math.floor((endMs(s) - s.startMs) / dst);
  const out = new Float64Array(n);
  let i = 0;
  for (let j = 0; j < n; j++) {
    const a = j * dst;
    const b = a + dst;
    while ((i + 1) * src <= a) i++;
    let sum = 0;
    for (let k = i; k < s.values.length && k * src < b; k++) {
      const lo = Math.max(a, k * src);
      const hi = Math.min(b, (k + 1) * src);
      if (hi > lo) sum += (s.values[k] * (hi - lo)) / src;
    }
    out[j] = sum;
  }
  return { ...s, stepSeconds, values: out };
}

/** The part of `s` in [fromMs, toMs); both must fall on interval boundaries inside the series. */
export function slice(s: EnergySeries, fromMs: number, toMs: number): EnergySeries {
  const step = s.stepSeconds * 1000;
  const a = (fromMs - s.startMs) / step;
  const b = (toMs - s.startMs) / step;
  if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b > s.values.length || b <= a) {
    throw new DatasetError({
      code: DatasetErrorCode.BAD_PERIOD,
      value: `${new Date(fromMs).toISOString()}/${new Date(toMs).toISOString()}`,
      reason: `series covers ${new Date(s.startMs).toISOString()}/${new Date(endMs(s)).toISOString()} in steps of ${s.stepSeconds} s`,
    });
  }
  return { ...s, startMs: fromMs, values: s.values.slice(a, b) };
}
