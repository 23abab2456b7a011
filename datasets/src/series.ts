/**
 * A regular energy time series: `values[i]` is the energy (kWh) in
 * [startMs + i·step, startMs + (i+1)·step), UTC. Readers turn power (MW means) into energy so
 * that every later step (resampling, scaling, slicing) conserves energy by construction.
 */
export interface EnergySeries {
  name: string;
  startMs: number;
  stepSeconds: number;
  values: Float64Array;
}

export function endMs(s: EnergySeries): number {
  return s.startMs + s.values.length * s.stepSeconds * 1000;
}

export function total(s: EnergySeries | Float64Array): number {
  const v = s instanceof Float64Array ? s : s.values;
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i];
  return sum;
}

export function scale(s: EnergySeries, factor: number, name = s.name): EnergySeries {
  return { ...s, name, values: s.values.map((x) => x * factor) };
}
