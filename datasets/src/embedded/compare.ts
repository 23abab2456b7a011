import type { EnergySeries } from '../series.js';

export interface SeriesComparison {
  intervals: number;
  totalA: number;
  totalB: number;
  /** Pearson correlation of the two series. */
  correlation: number;
  /** Root-mean-square difference relative to B's mean. */
  nrmse: number;
  /** Mean absolute difference relative to B's mean. */
  nmae: number;
  maxA: number;
  maxB: number;
}

/** Compares two series on the same grid (A = generated, B = reference). */
export function compareSeries(a: EnergySeries, b: EnergySeries): SeriesComparison {
  if (a.startMs !== b.startMs || a.stepSeconds !== b.stepSeconds || a.values.length !== b.values.length) {
    throw new RangeError(
      `grids differ: ${a.startMs}/${a.stepSeconds}/${a.values.length} vs ${b.startMs}/${b.stepSeconds}/${b.values.length}`,
    );
  }
  const n = a.values.length;
  let sa = 0,
    sb = 0;
  for (let i = 0; i < n; i++) {
    sa += a.values[i];
    sb += b.values[i];
  }
  const ma = sa / n,
    mb = sb / n;
  let cov = 0,
    va = 0,
    vb = 0,
    se = 0,
    ae = 0,
    maxA = -Infinity,
    maxB = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = a.values[i] - ma,
      y = b.values[i] - mb,
      d = a.values[i] - b.values[i];
    cov += x * y;
    va += x * x;
    vb += y * y;
    se += d * d;
    ae += Math.abs(d);
    if (a.values[i] > maxA) maxA = a.values[i];
    if (b.values[i] > maxB) maxB = b.values[i];
  }
  const r4 = (x: number): number => Number(x.toFixed(4));
  return {
    intervals: n,
    totalA: r4(sa),
    totalB: r4(sb),
    correlation: r4(cov / Math.sqrt(va * vb)),
    nrmse: r4(Math.sqrt(se / n) / mb),
    nmae: r4(ae / n / mb),
    maxA: r4(maxA),
    maxB: r4(maxB),
  };
}
