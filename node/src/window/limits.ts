import { TypedDataEncoder, verifyTypedData, type Signer, type TypedDataDomain } from 'ethers';
import { mulberry32 } from '../../../datasets/src/random.js';
import { DiversityError } from '../util/errors.js';
import { limitsHash, U128_MAX, type LimitPrices } from './state.js';

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
 * Standing limit prices of the auction market (DESIGN.md §3, "Standing limit prices"): each participant's
 * pair is set at open (the community's `MarketParams.limitsHash`, the prices published by
 * `AuctionMarketStep.publishLimits`) and changed by a signed order that takes effect from a window that has
 * not begun. Orders are carried on chain: posted to the community's auction module (`ILimitBook.postOrder`),
 * which checks them and keeps one limits hash per epoch; its `LimitOrderPosted` events carry the full new
 * array, from which `LimitBook` rebuilds the prices of every window (`limitsAt`).
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

/** Most windows an order may take effect after the first window not begun (`ILimitBook.MAX_LEAD_WINDOWS`). */
export const MAX_LEAD_WINDOWS = 2;

/** Each code's twin on chain is named: the book refuses what these refuse, in the same order. */
export enum LimitOrderErrorCode {
  /** [REJECT] another community's order. */
  WRONG_COMMUNITY = 'LIMIT_ORDER_ERROR_WRONG_COMMUNITY',
  /** [REJECT] no such participant (`ParticipantOutOfRange`). */
  UNKNOWN_PARTICIPANT = 'LIMIT_ORDER_ERROR_UNKNOWN_PARTICIPANT',
  /** [REJECT] a price outside uint128. */
  PRICE_OUT_OF_RANGE = 'LIMIT_ORDER_ERROR_PRICE_OUT_OF_RANGE',
  /** [REJECT] not a window of the community (`OrderWindowOutOfRange`). */
  WINDOW_OUT_OF_RANGE = 'LIMIT_ORDER_ERROR_WINDOW_OUT_OF_RANGE',
  /** [IGNORE] takes effect in a window that has begun (`OrderWindowStarted`): it would change a fold under way. */
  NOT_A_LATER_WINDOW = 'LIMIT_ORDER_ERROR_NOT_A_LATER_WINDOW',
  /** [REJECT] more than MAX_LEAD_WINDOWS after the first window not begun (`OrderTooFarAhead`). */
  TOO_FAR_AHEAD = 'LIMIT_ORDER_ERROR_TOO_FAR_AHEAD',
  /** [IGNORE] a nonce not above the participant's last posted one (`StaleNonce`: a replay or a stale order). */
  STALE_NONCE = 'LIMIT_ORDER_ERROR_STALE_NONCE',
  /** [IGNORE] before the latest epoch's window (`OrderBeforeLatestEpoch`): epochs only grow. */
  BEFORE_LATEST_EPOCH = 'LIMIT_ORDER_ERROR_BEFORE_LATEST_EPOCH',
  /** [REJECT] not signed by the participant's account (`NotParticipantSigner`). */
  BAD_SIGNATURE = 'LIMIT_ORDER_ERROR_BAD_SIGNATURE',
  /** A posted order's event whose prices are not one pair per participant hashing to its limits hash. */
  BAD_EVENT = 'LIMIT_ORDER_ERROR_BAD_EVENT',
  /** The book is not known to cover the window yet (the chain's orders not read up to its start). */
  NOT_SYNCED = 'LIMIT_ORDER_ERROR_NOT_SYNCED',
}

export type LimitOrderErrorType =
  | { code: LimitOrderErrorCode.WRONG_COMMUNITY; communityId: string }
  | { code: LimitOrderErrorCode.UNKNOWN_PARTICIPANT; participant: number }
  | { code: LimitOrderErrorCode.PRICE_OUT_OF_RANGE; field: 'bidPrice' | 'askPrice' }
  | { code: LimitOrderErrorCode.WINDOW_OUT_OF_RANGE; fromWindow: number; windowCount: number }
  | { code: LimitOrderErrorCode.NOT_A_LATER_WINDOW; fromWindow: number; firstOpen: number }
  | { code: LimitOrderErrorCode.TOO_FAR_AHEAD; fromWindow: number; latestAllowed: number }
  | { code: LimitOrderErrorCode.STALE_NONCE; nonce: string; last: string }
  | { code: LimitOrderErrorCode.BEFORE_LATEST_EPOCH; fromWindow: number; latestFromWindow: number }
  | { code: LimitOrderErrorCode.BAD_SIGNATURE; participant: number }
  | { code: LimitOrderErrorCode.BAD_EVENT; fromWindow: number }
  | { code: LimitOrderErrorCode.NOT_SYNCED; window: number; windowStart: number; syncedTo: number };

export class LimitOrderError extends DiversityError<LimitOrderErrorType> {}

export function limitOrderDigest(domain: TypedDataDomain, order: LimitOrder): string {
  return TypedDataEncoder.hash(domain, LIMIT_ORDER_TYPES, order);
}

export async function signLimitOrder(signer: Signer, domain: TypedDataDomain, order: LimitOrder): Promise<string> {
  return signer.signTypedData(domain, LIMIT_ORDER_TYPES, order);
}

/**
 * The first window that has not begun at `nowSeconds` (0 before the start): the earliest an order may take
 * effect from. Twin of `AuctionMarketStep._checkWindow` (block time there).
 */
export function firstOpenWindow(nowSeconds: number, start: number, windowSeconds: number): number {
  return nowSeconds < start ? 0 : Math.floor((nowSeconds - start) / windowSeconds) + 1;
}

/** One epoch of the book: the full limits array in force from `fromWindow` on, and its hash. */
export interface LimitEpoch {
  fromWindow: number;
  limitsHash: string;
  limits: LimitPrices[];
}

/** An order as the book records it (`LimitOrderPosted`): the participant's nonce and the full new array. */
export interface PostedOrder {
  participant: number;
  fromWindow: number;
  nonce: bigint;
  limitsHash: string;
  limits: LimitPrices[];
}

export interface LimitBookCommunity {
  communityId: bigint;
  participants: readonly string[];
  domain: TypedDataDomain;
  windowCount: number;
  /** Unix seconds at which window `w` begins; absent for a book fed by no chain (every window known). */
  windowStart?: (window: number) => number;
}

/**
 * The limit prices in force per window, as the community's order book on chain keeps them: the open's
 * prices, then one epoch per window that an order changed (the hash of the last epoch with fromWindow ≤ w
 * is the one the dispute verifier checks a bad-step proof of window w against). `check` applies the book's
 * own rules to an order before it is sent (the same refusals, with typed codes); `apply` records an order
 * the chain accepted (from its event, checked against its hash).
 */
export class LimitBook {
  private readonly epochList: LimitEpoch[] = [];
  private readonly nonces: bigint[];
  /**
   * Unix seconds up to which the chain's orders are read: an order for window w is mined before w begins,
   * so once `syncedTo` ≥ start(w) the prices of w are final. Infinite for a book fed by no chain.
   */
  syncedTo = Number.POSITIVE_INFINITY;

  constructor(
    private readonly community: LimitBookCommunity,
    readonly open: readonly LimitPrices[],
  ) {
    if (open.length !== community.participants.length) throw new RangeError('one pair of limit prices per participant');
    for (const p of open) checkPrices(p);
    this.nonces = open.map(() => 0n);
  }

  get epochs(): readonly LimitEpoch[] {
    return this.epochList;
  }

  /**
   * The limits of the latest epoch (the open's before any order): what the next order is relayed over (the
   * cheaper relay; `open` is never stale on chain, `HubClient.relayLimitOrder`).
   */
  latest(): LimitPrices[] {
    return [...(this.epochList.at(-1)?.limits ?? this.open)];
  }

  nonceOf(participant: number): bigint {
    return this.nonces[participant] ?? 0n;
  }

  /**
   * Throws LimitOrderError unless the book on chain would accept `order` signed by `signature` while window
   * `firstOpen` is the first not begun (cheap checks first, as the contract does).
   */
  check(order: LimitOrder, signature: string, firstOpen: number): void {
    const { communityId, participants, domain, windowCount } = this.community;
    // [REJECT] an order for another community must not change this one's prices.
    if (order.communityId !== communityId)
      throw new LimitOrderError({ code: LimitOrderErrorCode.WRONG_COMMUNITY, communityId: String(order.communityId) });
    // [REJECT] the participant must exist.
    if (!Number.isInteger(order.participant) || order.participant < 0 || order.participant >= participants.length) {
      throw new LimitOrderError({ code: LimitOrderErrorCode.UNKNOWN_PARTICIPANT, participant: order.participant });
    }
    // [REJECT] prices must fit the on-chain type.
    checkPrices(order);
    const { fromWindow } = order;
    // [REJECT] a window of the community.
    if (!Number.isInteger(fromWindow) || fromWindow < 0 || fromWindow >= windowCount)
      throw new LimitOrderError({ code: LimitOrderErrorCode.WINDOW_OUT_OF_RANGE, fromWindow, windowCount });
    // [IGNORE] only windows not begun: nobody moves a limit after seeing a window's readings, and a fold
    // under way (or a pending claim of it) keeps its prices.
    if (fromWindow < firstOpen)
      throw new LimitOrderError({ code: LimitOrderErrorCode.NOT_A_LATER_WINDOW, fromWindow, firstOpen });
    // [REJECT] epochs only grow: a far-future order would freeze the others' prices until then.
    if (fromWindow > firstOpen + MAX_LEAD_WINDOWS)
      throw new LimitOrderError({
        code: LimitOrderErrorCode.TOO_FAR_AHEAD,
        fromWindow,
        latestAllowed: firstOpen + MAX_LEAD_WINDOWS,
      });
    // [IGNORE] a replayed or older order cannot undo a newer one.
    const last = this.nonces[order.participant];
    if (order.nonce <= last)
      throw new LimitOrderError({
        code: LimitOrderErrorCode.STALE_NONCE,
        nonce: String(order.nonce),
        last: String(last),
      });
    const top = this.epochList.at(-1);
    // [IGNORE] epochs are kept in window order.
    if (top && fromWindow < top.fromWindow)
      throw new LimitOrderError({
        code: LimitOrderErrorCode.BEFORE_LATEST_EPOCH,
        fromWindow,
        latestFromWindow: top.fromWindow,
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
  }

  /** What the book records for `order` (not checked): the latest limits with the participant's pair replaced. */
  posted(order: LimitOrder): PostedOrder {
    const limits = this.latest();
    limits[order.participant] = { bidPrice: order.bidPrice, askPrice: order.askPrice };
    return { ...order, limitsHash: limitsHash(limits), limits };
  }

  /** `check`, then records the order as the chain would. */
  accept(order: LimitOrder, signature: string, firstOpen: number): PostedOrder {
    this.check(order, signature, firstOpen);
    const p = this.posted(order);
    this.apply(p);
    return p;
  }

  /**
   * Records an order the chain accepted (its `LimitOrderPosted` event, in chain order): its prices must be
   * one pair per participant hashing to its hash, its window not before the latest epoch's. An order for the
   * latest epoch's window replaces that epoch's array.
   */
  apply(p: PostedOrder): void {
    const top = this.epochList.at(-1);
    if (
      p.limits.length !== this.open.length ||
      limitsHash(p.limits) !== p.limitsHash.toLowerCase() ||
      (top && p.fromWindow < top.fromWindow)
    ) {
      throw new LimitOrderError({ code: LimitOrderErrorCode.BAD_EVENT, fromWindow: p.fromWindow });
    }
    const epoch = { fromWindow: p.fromWindow, limitsHash: p.limitsHash.toLowerCase(), limits: p.limits };
    if (top && top.fromWindow === p.fromWindow) this.epochList[this.epochList.length - 1] = epoch;
    else this.epochList.push(epoch);
    if (p.participant >= 0 && p.participant < this.nonces.length) this.nonces[p.participant] = p.nonce;
  }

  /**
   * The limit prices in force in `window`: the last epoch's with fromWindow ≤ window, else the open's. Throws
   * NOT_SYNCED while the chain's orders are not read up to the window's start (an order for it may still be
   * unseen: folding now could differ from every other honest node).
   */
  limitsAt(window: number): LimitPrices[] {
    const start = this.community.windowStart?.(window);
    if (start !== undefined && this.syncedTo < start)
      throw new LimitOrderError({
        code: LimitOrderErrorCode.NOT_SYNCED,
        window,
        windowStart: start,
        syncedTo: this.syncedTo,
      });
    let limits: readonly LimitPrices[] = this.open;
    for (const e of this.epochList) if (e.fromWindow <= window) limits = e.limits;
    return [...limits];
  }

  /** `limitsHash(limitsAt(window))`: what `ILimitBook.limitsHashAt` answers on chain. */
  limitsHashAt(window: number): string {
    return limitsHash(this.limitsAt(window));
  }
}

/**
 * The standing limit prices a community folds window `window` with: its order book's (`LimitBook.limitsAt`),
 * else its fixed ones (a community read without a book: tools and the simulator); none for Totals and Mmr.
 */
export function limitsInForce(
  community: { limits?: readonly LimitPrices[]; limitBook?: LimitBook },
  window: number,
): LimitPrices[] | undefined {
  if (community.limitBook) return community.limitBook.limitsAt(window);
  return community.limits ? [...community.limits] : undefined;
}

function checkPrices(p: { bidPrice: bigint; askPrice: bigint }): void {
  for (const field of ['bidPrice', 'askPrice'] as const) {
    const v = p[field];
    if (typeof v !== 'bigint' || v < 0n || v > U128_MAX)
      throw new LimitOrderError({ code: LimitOrderErrorCode.PRICE_OUT_OF_RANGE, field });
  }
}
