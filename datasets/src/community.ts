import { mulberry32 } from './random.js';
import type { EnergySeries } from './series.js';

export interface CommunityOptions {
  households: number;
  /** Share of households with PV: floor(share × N) of them, picked by the seed. */
  pvShare: number;
  seed: number;
  /** Spread of household annual consumption around the base profile: factor in [1-s, 1+s]. */
  consumptionSpread: number;
  /** Per-interval multiplicative noise amplitude: factor in [1-v, 1+v]. */
  variation: number;
  /** Installed PV of a PV household, kWp, uniform in this range (rounded to 0.5 kWp). */
  kWpRange: [number, number];
}

export const defaultCommunityOptions: CommunityOptions = {
  households: 1,
  pvShare: 0.5,
  seed: 1,
  consumptionSpread: 0.3,
  variation: 0.2,
  kWpRange: [2, 6],
};

export interface Household {
  index: number;
  kWp: number;
  /** kWh per interval. */
  load: Float64Array;
  pv: Float64Array | null;
}

/**
 * N households from one base load profile and one 1-kWp PV profile. Household 0 is the base
 * profile itself (so a community of one is exactly the per-capita profile); the others get a
 * seeded consumption level and per-interval noise. PV goes to floor(pvShare × N) households
 * picked by the seed.
 */
export function buildCommunity(
  base: { load: EnergySeries; pvPerKWp: EnergySeries | null },
  opts: Partial<CommunityOptions> = {},
): Household[] {
  const o = { ...defaultCommunityOptions, ...opts };
  const rnd = mulberry32(o.seed);
  const n = base.load.values.length;
  const order = Array.from({ length: o.households }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const withPv = new Set(base.pvPerKWp ? order.slice(0, Math.floor(o.pvShare * o.households)) : []);
  const out: Household[] = [];
  for (let h = 0; h < o.households; h++) {
    let load: Float64Array;
    if (h === 0) load = base.load.values.slice();
    else {
      const level = 1 - o.consumptionSpread + 2 * o.consumptionSpread * rnd();
      load = new Float64Array(n);
      for (let t = 0; t < n; t++) load[t] = base.load.values[t] * level * (1 - o.variation + 2 * o.variation * rnd());
    }
    let kWp = 0;
    let pv: Float64Array | null = null;
    if (withPv.has(h) && base.pvPerKWp) {
      const [lo, hi] = o.kWpRange;
      kWp = Math.round((lo + (hi - lo) * rnd()) * 2) / 2;
      pv = base.pvPerKWp.values.map((x) => x * kWp);
    }
    out.push({ index: h, kWp, load, pv });
  }
  return out;
}

/**
 * Integer meter readings (Wh) of a household: PV first feeds the household's own load and the
 * meter sees the net flow — the rule of node/src/meter/simulatedMeter.ts.
 */
export function meterReadings(h: Household): { exportWh: Uint32Array; importWh: Uint32Array } {
  const n = h.load.length;
  const exportWh = new Uint32Array(n);
  const importWh = new Uint32Array(n);
  for (let t = 0; t < n; t++) {
    const net = Math.round(((h.pv?.[t] ?? 0) - h.load[t]) * 1000);
    if (net > 0) exportWh[t] = net;
    else importWh[t] = -net;
  }
  return { exportWh, importWh };
}
