import { TypedDataEncoder, verifyTypedData, type Signer, type TypedDataDomain } from 'ethers';
import { mulberry32 } from '../../../datasets/src/random.js';
import { DiversityError } from '../util/errors.js';
import { U128_MAX, type LimitPrices } from './state.js';

/**
 * Seeded standing limit prices for `count` participants who gave none: participant i bids a price in
 * [mid, gridBuyPrice] and asks one in [gridSellPrice, mid], mid = (gridBuyPrice + gridSellPrice) / 2, each
 * drawn in steps of 1/1000 of its range (every pair crosses at the flat prices; the merit order and the
 * marginal prices still differ from participant to participant). The same seed gives the same prices in
 * `diversity sim` and `diversity devnet`.
 */
export function seededLimits(count: number, gridBuyPrice: bigint, gridSellPrice: bigint, seed: number): LimitPrices[] {
  const rnd = mulberry32(seed * 7919 + 17);
  const mid = (gridBuyPrice + gridSellPrice) / 2n;
  const within = (lo: bigint, hi: bigint): bigint => lo + (BigInt(Math.floor(rnd() * 1000)) * (hi - lo)) / 1000n;
  return Array.from({ length: count }, () => {
    const bidPrice = within(mid, gridBuyPrice);
    const askPrice = within(gridSellPrice, mid);
    return { bidPrice, askPrice };
  });
}

/**
 * The standing limit prices of named members: a member's `given` bid or ask (a price string or number,
 * parsed by `price`), else its seeded one (`seededLimits`). Throws RangeError for a given name that is no
 * member's.
 */
export function memberLimits(
  names: readonly string[],
  given: Record<string, { bid?: unknown; ask?: unknown }>,
  gridBuyPrice: bigint,
  gridSellPrice: bigint,
  seed: number,
  price: (v: unknown, where: string) => bigint,
): LimitPrices[] {
  for (const k of Object.keys(given))
    if (!names.includes(k)) throw new RangeError(`market.limits: no member named ${k}`);
  const seeded = seededLimits(names.length, gridBuyPrice, gridSellPrice, seed);
  return names.map((name, i) => {
    const g = given[name];
    return {
      bidPrice: g?.bid !== undefined ? price(g.bid, `market.limits.${name}.bid`) : seeded[i].bidPrice,
      askPrice: g?.ask !== undefined ? price(g.ask, `market.limits.${name}.ask`) : seeded[i].askPrice,
    };
  });
}

/**
 * Standing limit prices of the auction market: each participant's pair is fixed at open (on chain, the
 * community's `MarketParams.limitsHash` commits to them). Changing them by a signed order that takes effect
 * from a later window is modelled and validated here, but NOT built on chain nor carried between nodes
 * (DESIGN.md §3): the hub's limits hash is fixed for the community's life.
 *
 * An order is EIP-712 typed data under the hub's domain:
 * `LimitOrder(uint64 communityId,uint32 participant,uint32 fromWindow,uint128 bidPrice,uint128 askPrice,uint64 nonce)`.
 */
export interface LimitOrder {
  communityId: bigint;
  participant: number;
  /** First window whose fold uses the new prices. */
  fromWindow: number;
  bidPrice: bigint;
  askPrice: bigint;
  /** Strictly increasing per participant: an older order cannot be replayed over a newer one. */
  nonce: bigint;
}

export const LIMIT_ORDER_TYPES = {
  LimitOrder: [
    { name: 'communityId', type: 'uint64' },
    { name: 'participant', type: 'uint32' },
    { name: 'fromWindow', type: 'uint32' },
    { name: 'bidPrice', type: 'uint128' },
    { name: 'askPrice', type: 'uint128' },
    { name: 'nonce', type: 'uint64' },
  ],
};

export enum LimitOrderErrorCode {
  /** [REJECT] another community's order. */
  WRONG_COMMUNITY = 'LIMIT_ORDER_ERROR_WRONG_COMMUNITY',
  /** [REJECT] no such participant. */
  UNKNOWN_PARTICIPANT = 'LIMIT_ORDER_ERROR_UNKNOWN_PARTICIPANT',
  /** [REJECT] a price outside uint128. */
  PRICE_OUT_OF_RANGE = 'LIMIT_ORDER_ERROR_PRICE_OUT_OF_RANGE',
  /** [REJECT] not signed by the participant's account. */
  BAD_SIGNATURE = 'LIMIT_ORDER_ERROR_BAD_SIGNATURE',
  /** [IGNORE] takes effect in a window that has begun (or is past): it would change a fold under way. */
  NOT_A_LATER_WINDOW = 'LIMIT_ORDER_ERROR_NOT_A_LATER_WINDOW',
  /** [IGNORE] a nonce not above the participant's last accepted one (a replay or a stale order). */
  STALE_NONCE = 'LIMIT_ORDER_ERROR_STALE_NONCE',
}

export type LimitOrderErrorType =
  | { code: LimitOrderErrorCode.WRONG_COMMUNITY; communityId: string }
  | { code: LimitOrderErrorCode.UNKNOWN_PARTICIPANT; participant: number }
  | { code: LimitOrderErrorCode.PRICE_OUT_OF_RANGE; field: 'bidPrice' | 'askPrice' }
  | { code: LimitOrderErrorCode.BAD_SIGNATURE; participant: number }
  | { code: LimitOrderErrorCode.NOT_A_LATER_WINDOW; fromWindow: number; currentWindow: number }
  | { code: LimitOrderErrorCode.STALE_NONCE; nonce: string; last: string };

export class LimitOrderError extends DiversityError<LimitOrderErrorType> {}

export function limitOrderDigest(domain: TypedDataDomain, order: LimitOrder): string {
  return TypedDataEncoder.hash(domain, LIMIT_ORDER_TYPES, order);
}

export async function signLimitOrder(signer: Signer, domain: TypedDataDomain, order: LimitOrder): Promise<string> {
  return signer.signTypedData(domain, LIMIT_ORDER_TYPES, order);
}

/**
 * The limit prices in force per window: the pairs set at join, then every accepted order from its
 * `fromWindow` on. `accept` validates an order against the window under way (cheap checks first).
 */
export class LimitBook {
  /** Per participant, accepted changes in ascending `fromWindow`. */
  private readonly changes: { fromWindow: number; nonce: bigint; prices: LimitPrices }[][];
  private readonly lastNonce: bigint[];

  constructor(
    private readonly community: { communityId: bigint; participants: readonly string[]; domain: TypedDataDomain },
    initial: readonly LimitPrices[],
  ) {
    if (initial.length !== community.participants.length)
      throw new RangeError('one pair of limit prices per participant');
    for (const p of initial) checkPrices(p);
    this.changes = initial.map((prices) => [{ fromWindow: 0, nonce: 0n, prices }]);
    this.lastNonce = initial.map(() => 0n);
  }

  /** Validates and records a signed order; throws LimitOrderError (codes tagged [REJECT] / [IGNORE]). */
  accept(order: LimitOrder, signature: string, currentWindow: number): void {
    const { communityId, participants, domain } = this.community;
    // [REJECT] an order for another community must not change this one's prices.
    if (order.communityId !== communityId)
      throw new LimitOrderError({ code: LimitOrderErrorCode.WRONG_COMMUNITY, communityId: String(order.communityId) });
    // [REJECT] the participant must exist.
    if (!Number.isInteger(order.participant) || order.participant < 0 || order.participant >= participants.length) {
      throw new LimitOrderError({ code: LimitOrderErrorCode.UNKNOWN_PARTICIPANT, participant: order.participant });
    }
    // [REJECT] prices must fit the on-chain type.
    checkPrices(order);
    // [IGNORE] only later windows: the prices of a window are fixed before its first interval is folded,
    // so no participant can move its limit after seeing the window's readings.
    if (!Number.isInteger(order.fromWindow) || order.fromWindow <= currentWindow) {
      throw new LimitOrderError({
        code: LimitOrderErrorCode.NOT_A_LATER_WINDOW,
        fromWindow: order.fromWindow,
        currentWindow,
      });
    }
    // [IGNORE] a replayed or older order cannot undo a newer one.
    const last = this.lastNonce[order.participant];
    if (order.nonce <= last)
      throw new LimitOrderError({
        code: LimitOrderErrorCode.STALE_NONCE,
        nonce: String(order.nonce),
        last: String(last),
      });
    // [REJECT] only the participant's own account may set its prices (the costliest check, last).
    let signer: string | undefined;
    try {
      signer = verifyTypedData(domain, LIMIT_ORDER_TYPES, order, signature);
    } catch {
      signer = undefined;
    }
    if (!signer || signer.toLowerCase() !== participants[order.participant].toLowerCase()) {
      throw new LimitOrderError({ code: LimitOrderErrorCode.BAD_SIGNATURE, participant: order.participant });
    }
    this.lastNonce[order.participant] = order.nonce;
    // A newer order supersedes the older ones that have not taken effect by its window.
    const list = this.changes[order.participant].filter((c) => c.fromWindow < order.fromWindow);
    list.push({
      fromWindow: order.fromWindow,
      nonce: order.nonce,
      prices: { bidPrice: order.bidPrice, askPrice: order.askPrice },
    });
    this.changes[order.participant] = list;
  }

  /** The limit prices in force in `window`: per participant, the latest accepted change with fromWindow <= window. */
  limitsAt(window: number): LimitPrices[] {
    return this.changes.map((list) => {
      let prices = list[0].prices;
      for (const c of list) if (c.fromWindow <= window) prices = c.prices;
      return prices;
    });
  }
}

function checkPrices(p: { bidPrice: bigint; askPrice: bigint }): void {
  for (const field of ['bidPrice', 'askPrice'] as const) {
    const v = p[field];
    if (typeof v !== 'bigint' || v < 0n || v > U128_MAX)
      throw new LimitOrderError({ code: LimitOrderErrorCode.PRICE_OUT_OF_RANGE, field });
  }
}
