import { U128_MAX } from '../window/state.js';
import {
  encodeTariff,
  localHour,
  pricesAt,
  tariffCeilings,
  tariffHash,
  type DayPrices,
  type Tariff,
} from '../window/tariff.js';
import { SeededRandom } from './prng.js';

/**
 * Time-of-use tariff vectors (`contracts/test/vectors/tariff.json`): TypeScript's `pricesAt`, `tariffHash`,
 * `encodeTariff` and `tariffCeilings` (node/src/window/tariff.ts) against Solidity's `Tariff` library.
 *
 * ```
 * { tariffCount, tariffs: [ { name, utcOffsetMinutes, weekdayBuy: [24], weekdaySell: [24], weekendBuy: [24],
 *     weekendSell: [24], encoded, hash, maxBuy, maxSell } ],        // prices as decimal strings
 *   count, cases: [ { name, tariff, unixSeconds, hour, weekend, gridBuyPrice, gridSellPrice } ] }
 * ```
 * `tariff` indexes `tariffs`; `hour` and `weekend` are the local hour and whether the local day is a
 * Saturday or Sunday, the prices those `pricesAt` gives.
 */
export interface TariffVector {
  name: string;
  utcOffsetMinutes: number;
  weekdayBuy: string[];
  weekdaySell: string[];
  weekendBuy: string[];
  weekendSell: string[];
  encoded: string;
  hash: string;
  maxBuy: string;
  maxSell: string;
}

export interface TariffCaseVector {
  name: string;
  tariff: number;
  unixSeconds: number;
  hour: number;
  weekend: boolean;
  gridBuyPrice: string;
  gridSellPrice: string;
}

/** 2024-01-01 00:00:00 UTC, a Monday. */
export const MONDAY = 1_704_067_200;
const HOUR = 3600;
const DAY = 86_400;

const day = (buy: (h: number) => bigint, sell: (h: number) => bigint): DayPrices => ({
  buy: Array.from({ length: 24 }, (_, h) => buy(h)),
  sell: Array.from({ length: 24 }, (_, h) => sell(h)),
});

/** Every (day kind, hour, side) has its own price, so a wrong hour or day kind always shows. */
function distinct(utcOffsetMinutes: number): Tariff {
  return {
    utcOffsetMinutes,
    weekday: day(
      (h) => 1000n + 10n * BigInt(h),
      (h) => 100n + BigInt(h),
    ),
    weekend: day(
      (h) => 2000n + 10n * BigInt(h),
      (h) => 300n + BigInt(h),
    ),
  };
}

/** The tariffs of the vectors. */
export function vectorTariffs(): { name: string; tariff: Tariff }[] {
  const rng = new SeededRandom(0x7a41ff);
  const random = (): bigint => (BigInt(rng.nextU32()) << 64n) | (BigInt(rng.nextU32()) << 32n) | BigInt(rng.nextU32());
  return [
    { name: 'utc', tariff: distinct(0) },
    { name: 'utc+14h', tariff: distinct(840) },
    { name: 'utc-14h', tariff: distinct(-840) },
    { name: 'utc+5:30', tariff: distinct(330) },
    { name: 'utc-3:45', tariff: distinct(-225) },
    {
      name: 'maximum prices',
      tariff: {
        utcOffsetMinutes: 60,
        weekday: day(
          (h) => (h === 18 ? U128_MAX : U128_MAX - BigInt(h) - 1n),
          (h) => (h === 12 ? U128_MAX - 1n : BigInt(h)),
        ),
        weekend: day(
          (h) => U128_MAX - 100n - BigInt(h),
          (h) => (h === 3 ? U128_MAX : 0n),
        ),
      },
    },
    { name: 'random', tariff: { utcOffsetMinutes: -300, weekday: day(random, random), weekend: day(random, random) } },
  ];
}

/** The instants of the vectors, by tariff index: hour and day edges, week boundaries, negative local time. */
function instants(): { name: string; tariff: number; unixSeconds: number }[] {
  const out: { name: string; tariff: number; unixSeconds: number }[] = [];
  const add = (name: string, tariff: number, unixSeconds: number) => out.push({ name, tariff, unixSeconds });
  // UTC: the hours of a Monday, its edges, and the week's day boundaries.
  add('monday 00:00', 0, MONDAY);
  add('monday 00:59:59', 0, MONDAY + HOUR - 1);
  add('monday 01:00', 0, MONDAY + HOUR);
  add('monday 12:34:56', 0, MONDAY + 12 * HOUR + 34 * 60 + 56);
  add('monday 23:59:59', 0, MONDAY + DAY - 1);
  add('friday 23:59:59 (last weekday second)', 0, MONDAY + 5 * DAY - 1);
  add('saturday 00:00 (first weekend second)', 0, MONDAY + 5 * DAY);
  add('saturday 13:00', 0, MONDAY + 5 * DAY + 13 * HOUR);
  add('sunday 23:59:59 (last weekend second)', 0, MONDAY + 7 * DAY - 1);
  add('next monday 00:00', 0, MONDAY + 7 * DAY);
  add('unix epoch (a thursday)', 0, 0);
  add('1970-01-03 00:00 (first saturday)', 0, 2 * DAY);
  add('1970-01-02 23:59:59', 0, 2 * DAY - 1);
  add('uint32 max seconds (2106)', 0, 0xffff_ffff);
  add('2^50 seconds', 0, 2 ** 50);
  // +14 h: the local day starts at 10:00 UTC of the day before.
  add('+14h: sunday 09:59:59 utc = sunday 23:59:59 local', 1, MONDAY - 14 * HOUR - 1);
  add('+14h: sunday 10:00 utc = monday 00:00 local', 1, MONDAY - 14 * HOUR);
  add('+14h: friday 09:59:59 utc = friday 23:59:59 local', 1, MONDAY + 4 * DAY + 10 * HOUR - 1);
  add('+14h: friday 10:00 utc = saturday 00:00 local', 1, MONDAY + 4 * DAY + 10 * HOUR);
  add('+14h: epoch', 1, 0);
  // −14 h: the local day starts at 14:00 UTC.
  add('-14h: monday 13:59:59 utc = sunday 23:59:59 local', 2, MONDAY + 14 * HOUR - 1);
  add('-14h: monday 14:00 utc = monday 00:00 local', 2, MONDAY + 14 * HOUR);
  add('-14h: saturday 13:59:59 utc = friday 23:59:59 local', 2, MONDAY + 5 * DAY + 14 * HOUR - 1);
  add('-14h: saturday 14:00 utc = saturday 00:00 local', 2, MONDAY + 5 * DAY + 14 * HOUR);
  add('-14h: epoch (local 1969-12-31 10:00, a wednesday)', 2, 0);
  add('-14h: 13:59:59 after epoch (local 1969-12-31 23:59:59)', 2, 14 * HOUR - 1);
  add('-14h: 14:00 after epoch (local 1970-01-01 00:00)', 2, 14 * HOUR);
  // Half- and quarter-hour offsets: the local hour turns at :30 and :45 / :15 UTC.
  add('+5:30: 18:29:59 utc = 23:59:59 local', 3, MONDAY + 18 * HOUR + 29 * 60 + 59);
  add('+5:30: 18:30 utc = tuesday 00:00 local', 3, MONDAY + 18 * HOUR + 30 * 60);
  add('+5:30: friday 18:30 utc = saturday 00:00 local', 3, MONDAY + 4 * DAY + 18 * HOUR + 30 * 60);
  add('-3:45: monday 03:44:59 utc = sunday 23:59:59 local', 4, MONDAY + 3 * HOUR + 44 * 60 + 59);
  add('-3:45: monday 03:45 utc = monday 00:00 local', 4, MONDAY + 3 * HOUR + 45 * 60);
  add('-3:45: epoch', 4, 0);
  // The maximum prices, at the hours that hold them.
  add('max: weekday 18:00 local (buy = 2^128 - 1)', 5, MONDAY + 17 * HOUR);
  add('max: weekday 12:00 local (sell = 2^128 - 2)', 5, MONDAY + 11 * HOUR);
  add('max: weekend 03:00 local (sell = 2^128 - 1)', 5, MONDAY + 5 * DAY + 2 * HOUR);
  add('max: weekend 23:00 local', 5, MONDAY + 6 * DAY + 22 * HOUR);
  // Random instants over a year, 15-minute aligned (interval starts), on every tariff.
  const rng = new SeededRandom(0x70e);
  for (let k = 0; k < 21; k++) {
    add(`random ${k}`, k % 7, MONDAY + rng.below(365 * 96) * 900);
  }
  return out;
}

export function tariffVectors(): {
  tariffCount: number;
  tariffs: TariffVector[];
  count: number;
  cases: TariffCaseVector[];
} {
  const tariffs = vectorTariffs();
  const s = (xs: bigint[]) => xs.map(String);
  const tv = tariffs.map(({ name, tariff: t }): TariffVector => {
    const c = tariffCeilings(t);
    return {
      name,
      utcOffsetMinutes: t.utcOffsetMinutes,
      weekdayBuy: s(t.weekday.buy),
      weekdaySell: s(t.weekday.sell),
      weekendBuy: s(t.weekend.buy),
      weekendSell: s(t.weekend.sell),
      encoded: encodeTariff(t),
      hash: tariffHash(t),
      maxBuy: String(c.gridBuyPrice),
      maxSell: String(c.gridSellPrice),
    };
  });
  const cases = instants().map(({ name, tariff, unixSeconds }): TariffCaseVector => {
    const t = tariffs[tariff].tariff;
    const p = pricesAt(t, unixSeconds);
    return {
      name,
      tariff,
      unixSeconds,
      ...localHour(t.utcOffsetMinutes, unixSeconds),
      gridBuyPrice: String(p.gridBuyPrice),
      gridSellPrice: String(p.gridSellPrice),
    };
  });
  return { tariffCount: tv.length, tariffs: tv, count: cases.length, cases };
}
