import { DatasetError, DatasetErrorCode } from './errors.js';
import { romeMidnight } from './time.js';

/**
 * A period in Rome local dates: `2020` (the year), `2020-03` (a month), `2020-03-01` (a day)
 * or `2020-01-01/2020-02-01` (from, to exclusive). Returns UTC [fromMs, toMs).
 */
export function parsePeriod(text: string): { fromMs: number; toMs: number } {
  const one = (s: string, end: boolean): number => {
    const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(s.trim());
    if (!m)
      throw new DatasetError({
        code: DatasetErrorCode.BAD_PERIOD,
        value: text,
        reason: 'use YYYY, YYYY-MM, YYYY-MM-DD or from/to',
      });
    const y = +m[1];
    const mo = m[2] ? +m[2] - 1 : 0;
    const d = m[3] ? +m[3] : 1;
    if (!end) return romeMidnight(y, mo, d);
    if (!m[2]) return romeMidnight(y + 1, 0, 1);
    if (!m[3]) return romeMidnight(y, mo + 1, 1);
    return romeMidnight(y, mo, d + 1);
  };
  const parts = text.split('/');
  const fromMs = one(parts[0], false);
  const toMs = parts.length > 1 ? one(parts[1], false) : one(parts[0], true);
  if (!(toMs > fromMs))
    throw new DatasetError({ code: DatasetErrorCode.BAD_PERIOD, value: text, reason: 'empty period' });
  return { fromMs, toMs };
}
