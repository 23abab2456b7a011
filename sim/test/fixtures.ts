import type { CommunityReadings } from '../src/replay/types.js';

/** Small deterministic readings: meter m, interval t. Meter 1 exports at midday-ish intervals. */
export function tinyReadings(meters: number, intervals: number): CommunityReadings {
  return {
    meters,
    intervals,
    intervalSeconds: 900,
    startMs: Date.UTC(2019, 11, 31, 23),
    exportWh: Array.from({ length: meters }, (_, m) =>
      Uint32Array.from({ length: intervals }, (_, t) => (m % 2 === 1 && t % 3 === 0 ? 40 + t : 0)),
    ),
    importWh: Array.from({ length: meters }, (_, m) =>
      Uint32Array.from({ length: intervals }, (_, t) => (m % 2 === 1 && t % 3 === 0 ? 0 : 100 + 10 * m + t)),
    ),
  };
}
