import { AbiCoder, keccak256, parseUnits, ZeroHash } from 'ethers';
import { MarketKind, U128_MAX, type MarketParams } from './state.js';

/**
 * Time-of-use grid tariffs, fixed at open: the grid buy and sell prices (token units per kWh) by local
 * hour of day, for weekdays (Monday–Friday) and weekends (Saturday, Sunday). Local time is UTC plus a
 * fixed offset (no daylight-saving switch: a rule every node and, later, the chain can evaluate from an
 * interval's start alone).
 *
 * Which market uses them how (DESIGN.md §3):
 * - `mmr`: the P2P price of an interval is the midpoint of that interval's grid prices;
 * - `auction`: the interval's grid buy price caps every bid, its grid sell price floors every ask;
 * - `totals`: nets the whole window, so its P2P price stays the flat one of `MarketParams`;
 * - every market's grid legs (what members pay the grid and are paid for export) are priced at the
 *   interval's prices in the per-member results (`node/src/results/`).
 */
export interface Tariff {
  utcOffsetMinutes: number;
  weekday: DayPrices;
  weekend: DayPrices;
}

/** 24 prices each, index = local hour. */
export interface DayPrices {
  buy: bigint[];
  sell: bigint[];
}

export interface GridPrices {
  gridBuyPrice: bigint;
  gridSellPrice: bigint;
}

export class TariffError extends Error {
  constructor(message: string) {
    super(`tariff: ${message}`);
  }
}

/** The same prices at every hour of every day. */
export function flatTariff(gridBuyPrice: bigint, gridSellPrice: bigint, utcOffsetMinutes = 0): Tariff {
  const day = (): DayPrices => ({
    buy: new Array<bigint>(24).fill(gridBuyPrice),
    sell: new Array<bigint>(24).fill(gridSellPrice),
  });
  return checkTariff({ utcOffsetMinutes, weekday: day(), weekend: day() });
}

/** Throws TariffError unless the tariff has 24 uint128 prices per list and an offset within ±14 h. */
export function checkTariff(t: Tariff): Tariff {
  if (!Number.isInteger(t.utcOffsetMinutes) || Math.abs(t.utcOffsetMinutes) > MAX_UTC_OFFSET_MINUTES) {
    throw new TariffError(`utcOffsetMinutes must be an integer within ±840, got ${t.utcOffsetMinutes}`);
  }
  for (const day of ['weekday', 'weekend'] as const) {
    for (const side of ['buy', 'sell'] as const) {
      const list = t[day]?.[side];
      if (!Array.isArray(list) || list.length !== 24)
        throw new TariffError(`${day}.${side} must hold 24 hourly prices`);
      list.forEach((p, h) => {
        if (typeof p !== 'bigint' || p < 0n || p > U128_MAX)
          throw new TariffError(`${day}.${side}[${h}] is not a uint128 price: ${String(p)}`);
      });
    }
  }
  return t;
}

/** Most minutes a tariff's local time may be ahead of or behind UTC (Solidity `Tariff.MAX_OFFSET_MINUTES`). */
export const MAX_UTC_OFFSET_MINUTES = 840;

const TARIFF_ABI_TYPE = 'tuple(int32,uint128[24],uint128[24],uint128[24],uint128[24])';

/**
 * Exactly Solidity `abi.encode(TouTariff)` (`contracts/src/libraries/Tariff.sol`): the offset, then the
 * weekday buy, weekday sell, weekend buy and weekend sell prices by hour; 97 words. What a bad-step proof
 * of a time-of-use community carries (`StepProof.tariff`). Throws TariffError for a malformed tariff.
 */
export function encodeTariff(t: Tariff): string {
  checkTariff(t);
  return AbiCoder.defaultAbiCoder().encode(
    [TARIFF_ABI_TYPE],
    [[t.utcOffsetMinutes, t.weekday.buy, t.weekday.sell, t.weekend.buy, t.weekend.sell]],
  );
}

/** Inverse of `encodeTariff` (a proof's tariff); throws TariffError. */
export function decodeTariff(encoded: string): Tariff {
  const [fields] = AbiCoder.defaultAbiCoder().decode([TARIFF_ABI_TYPE], encoded);
  return tariffFromAbi([fields[0], fields[1], fields[2], fields[3], fields[4]]);
}

/**
 * A tariff from the fields of an ABI-decoded `TouTariff` (offset, weekday buy, weekday sell, weekend buy,
 * weekend sell), e.g. a `TariffPublished` event's; throws TariffError.
 */
export function tariffFromAbi([offset, wb, ws, eb, es]: readonly unknown[]): Tariff {
  const list = (v: unknown): bigint[] => Array.from(v as ArrayLike<bigint>, (x) => BigInt(x));
  return checkTariff({
    utcOffsetMinutes: Number(offset),
    weekday: { buy: list(wb), sell: list(ws) },
    weekend: { buy: list(eb), sell: list(es) },
  });
}

/** tariffHash(t) = keccak256(abi.encode(TouTariff)), equal to Solidity `Tariff.hash`. 0x-prefixed. */
export function tariffHash(t: Tariff): string {
  return keccak256(encodeTariff(t));
}

/**
 * The tariff's highest buy and highest sell price over every hour (Solidity `Tariff.ceilings`): what a
 * time-of-use community's `MarketParams.gridBuyPrice` / `gridSellPrice` hold on chain, so that the hub's
 * bounds at open (`ValueBoundOverflow`) cover every hour's prices.
 */
export function tariffCeilings(t: Tariff): GridPrices {
  const max = (xs: bigint[]) => xs.reduce((a, b) => (b > a ? b : a), 0n);
  return {
    gridBuyPrice: max([...t.weekday.buy, ...t.weekend.buy]),
    gridSellPrice: max([...t.weekday.sell, ...t.weekend.sell]),
  };
}

/**
 * The market parameters a community with `tariff` is opened with: `market` committing to the tariff
 * (`tariffHash`) with the tariff's ceilings as its flat prices. Totals is never priced by the hour (its P2P
 * price stays the flat one), so it is opened without a tariff: the market unchanged.
 */
export function marketWithTariff(market: MarketParams, tariff: Tariff | undefined): MarketParams {
  if (!tariff || market.kind === MarketKind.Totals) return { ...market, tariffHash: ZeroHash };
  return { ...market, ...tariffCeilings(tariff), tariffHash: tariffHash(tariff) };
}

/**
 * Throws TariffError unless `tariff` is the one `market` commits to on chain and the market's flat prices
 * are its ceilings (what an honest node checks of a community before it folds or joins it: a tariff that
 * does not hash to the commitment cannot be carried in a bad-step proof, and flat prices below the hourly
 * ones would let honest states overflow the bounds checked at open).
 */
export function checkMarketTariff(market: MarketParams, tariff: Tariff): void {
  const hash = tariffHash(tariff);
  if (hash !== market.tariffHash) {
    throw new TariffError(`the tariff hashes to ${hash}, the community commits to ${market.tariffHash}`);
  }
  const c = tariffCeilings(tariff);
  if (c.gridBuyPrice !== market.gridBuyPrice || c.gridSellPrice !== market.gridSellPrice) {
    throw new TariffError(
      `the market's flat prices (${market.gridBuyPrice}, ${market.gridSellPrice}) are not the tariff's ceilings ` +
        `(${c.gridBuyPrice}, ${c.gridSellPrice})`,
    );
  }
}

/**
 * Local hour (0–23) at `unixSeconds` and whether the local day is a Saturday or Sunday (Solidity
 * `Tariff.localHour`): local = unixSeconds + 60 · offset, floor division throughout.
 */
export function localHour(utcOffsetMinutes: number, unixSeconds: number): { hour: number; weekend: boolean } {
  const local = unixSeconds + utcOffsetMinutes * 60;
  const hour = Math.floor((((local % 86_400) + 86_400) % 86_400) / 3600);
  // 1970-01-01 was a Thursday: day 0 -> weekday 4 (0 = Sunday).
  const weekday = (((Math.floor(local / 86_400) + 4) % 7) + 7) % 7;
  return { hour, weekend: weekday === 0 || weekday === 6 };
}

/** The grid prices in force for an interval that starts at `unixSeconds` (Solidity `Tariff.pricesAt`). */
export function pricesAt(t: Tariff, unixSeconds: number): GridPrices {
  const { hour, weekend } = localHour(t.utcOffsetMinutes, unixSeconds);
  const day = weekend ? t.weekend : t.weekday;
  return { gridBuyPrice: day.buy[hour], gridSellPrice: day.sell[hour] };
}

/**
 * The market parameters in force for each interval of a window whose first interval starts at
 * `startSeconds` (see the module comment for what each market takes from the tariff).
 */
export function paramsSchedule(
  market: MarketParams,
  tariff: Tariff | undefined,
  startSeconds: number,
  intervalSeconds: number,
): (t: number) => MarketParams {
  if (!tariff || market.kind === MarketKind.Totals) return () => market;
  return (t) => ({ ...market, ...pricesAt(tariff, startSeconds + t * intervalSeconds) });
}

/**
 * A tariff from its JSON form, prices in currency units per kWh (decimal strings or numbers) turned into
 * token units with `decimals`:
 *
 * ```
 * { "utcOffsetMinutes": 60,
 *   "weekday": { "buy": 0.25 | [24 prices] | [{ "from": 8, "to": 19, "price": 0.30 }, ...], "sell": ... },
 *   "weekend": { ... } }            // absent = the weekday prices
 * ```
 * Bands cover hours [from, to); hours no band covers are an error.
 */
export function parseTariff(json: unknown, decimals = 18): Tariff {
  if (!json || typeof json !== 'object') throw new TariffError('expected an object');
  const o = json as Record<string, unknown>;
  const price = (v: unknown, where: string): bigint => {
    if (typeof v !== 'number' && typeof v !== 'string')
      throw new TariffError(`${where}: expected a price, got ${JSON.stringify(v)}`);
    try {
      const p = parseUnits(String(v), decimals);
      if (p < 0n) throw new Error('negative');
      return p;
    } catch {
      throw new TariffError(`${where}: not a non-negative decimal price: ${JSON.stringify(v)}`);
    }
  };
  const hours = (v: unknown, where: string): bigint[] => {
    if (typeof v === 'number' || typeof v === 'string') return new Array<bigint>(24).fill(price(v, where));
    if (!Array.isArray(v)) throw new TariffError(`${where}: expected a price, 24 prices or bands`);
    if (v.length === 24 && v.every((x) => typeof x !== 'object')) return v.map((x, h) => price(x, `${where}[${h}]`));
    const out = new Array<bigint | undefined>(24).fill(undefined);
    v.forEach((band: unknown, k) => {
      const b = (band ?? {}) as { from?: unknown; to?: unknown; price?: unknown };
      const { from, to } = b;
      if (typeof from !== 'number' || typeof to !== 'number' || !Number.isInteger(from) || !Number.isInteger(to)) {
        throw new TariffError(`${where}[${k}]: a band needs integer hours 0 <= from < to <= 24`);
      }
      if (from < 0 || to > 24 || from >= to) {
        throw new TariffError(`${where}[${k}]: a band needs integer hours 0 <= from < to <= 24`);
      }
      for (let h = from; h < to; h++) out[h] = price(b.price, `${where}[${k}].price`);
    });
    const gap = out.indexOf(undefined);
    if (gap >= 0) throw new TariffError(`${where}: no price for hour ${gap}`);
    return out as bigint[];
  };
  const day = (v: unknown, where: string): DayPrices => {
    if (!v || typeof v !== 'object') throw new TariffError(`${where}: expected { buy, sell }`);
    const d = v as { buy?: unknown; sell?: unknown };
    return { buy: hours(d.buy, `${where}.buy`), sell: hours(d.sell, `${where}.sell`) };
  };
  const weekday = day(o.weekday, 'weekday');
  return checkTariff({
    utcOffsetMinutes: (o.utcOffsetMinutes ?? 0) as number,
    weekday,
    weekend: o.weekend ? day(o.weekend, 'weekend') : weekday,
  });
}
