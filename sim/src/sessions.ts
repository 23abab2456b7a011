import { romeLocal } from '../../datasets/src/time.js';

/**
 * First interval of every calendar month (Rome local time, as the datasets' periods) after the first
 * interval: the session starts of `--session month`, the paper's monthly bill (Marcozzi et al. 2022, §5).
 */
export function calendarMonthStarts(startMs: number, intervals: number, intervalSeconds: number): number[] {
  const out: number[] = [];
  let month = romeLocal(startMs).month;
  for (let t = 1; t < intervals; t++) {
    const m = romeLocal(startMs + t * intervalSeconds * 1000).month;
    if (m !== month) out.push(t);
    month = m;
  }
  return out;
}

/** Intervals of the longest calendar month (31 days): the fixed window of `--window month`. */
export function monthWindowIntervals(intervalSeconds: number): number {
  return Math.round((31 * 86_400) / intervalSeconds);
}
