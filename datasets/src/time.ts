/**
 * Central European time (Europe/Rome) without a time-zone database: CET = UTC+1, CEST = UTC+2
 * from the last Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC (EU rule
 * since 1996). Deterministic and independent of the host's ICU data.
 */

const HOUR = 3_600_000;

/** UTC ms of the last Sunday of `month` (0-based) in `year`, 01:00 UTC. */
function lastSunday0100(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0));
  const back = lastDay.getUTCDay(); // 0 = Sunday
  return Date.UTC(year, month, lastDay.getUTCDate() - back, 1);
}

export function dstStartUtc(year: number): number {
  return lastSunday0100(year, 2);
}

export function dstEndUtc(year: number): number {
  return lastSunday0100(year, 9);
}

/** Offset of Rome from UTC at a UTC instant, in hours (1 or 2). */
export function romeOffsetHours(utcMs: number): number {
  const y = new Date(utcMs).getUTCFullYear();
  return utcMs >= dstStartUtc(y) && utcMs < dstEndUtc(y) ? 2 : 1;
}

/** Wall-clock fields of a UTC instant in Rome. */
export function romeLocal(utcMs: number): {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number;
} {
  const d = new Date(utcMs + romeOffsetHours(utcMs) * HOUR);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth(),
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    weekday: d.getUTCDay(),
  };
}

/**
 * UTC instant of a Rome wall-clock time. `fold` picks the occurrence of a repeated autumn
 * time (0 = first, CEST; 1 = second, CET). Returns null for a wall time that does not exist
 * (the skipped spring hour).
 */
export function romeToUtc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  fold: 0 | 1 = 0,
): number | null {
  const naive = Date.UTC(year, month, day, hour, minute);
  const asCest = naive - 2 * HOUR;
  const asCet = naive - HOUR;
  const cestOk = romeOffsetHours(asCest) === 2;
  const cetOk = romeOffsetHours(asCet) === 1;
  if (cestOk && cetOk) return fold === 0 ? asCest : asCet;
  if (cestOk) return asCest;
  if (cetOk) return asCet;
  return null;
}

/** UTC ms of Rome local midnight starting the given date. */
export function romeMidnight(year: number, month: number, day: number): number {
  return romeToUtc(year, month, day, 0, 0)!;
}
