import { romeLocal } from './time.js';

/** Easter Sunday (Gregorian, anonymous algorithm) as [month 0-based, day]. */
export function easter(year: number): [number, number] {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return [month - 1, day];
}

/** Italian national public holidays of `year` as "month-day" keys (month 0-based). */
export function italianHolidays(year: number): Set<string> {
  const fixed: Array<[number, number]> = [
    [0, 1],
    [0, 6],
    [3, 25],
    [4, 1],
    [5, 2],
    [7, 15],
    [10, 1],
    [11, 8],
    [11, 25],
    [11, 26],
  ];
  const [em, ed] = easter(year);
  const monday = new Date(Date.UTC(year, em, ed + 1));
  fixed.push([monday.getUTCMonth(), monday.getUTCDate()]);
  return new Set(fixed.map(([m, d]) => `${m}-${d}`));
}

export type DayType = 0 | 1 | 2;
export const DAY_TYPES = 3;

/** 0 = working day (Mon–Fri), 1 = Saturday, 2 = Sunday or public holiday (Rome local date). */
export function dayType(utcMs: number, holidays: Set<string>): DayType {
  const l = romeLocal(utcMs);
  if (l.weekday === 0 || holidays.has(`${l.month}-${l.day}`)) return 2;
  return l.weekday === 6 ? 1 : 0;
}

/** Day of year (0-based) of a Rome local date. */
export function dayOfYear(year: number, month: number, day: number): number {
  return Math.round((Date.UTC(year, month, day) - Date.UTC(year, 0, 1)) / 86_400_000);
}
