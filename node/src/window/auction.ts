import { MarketError, MarketErrorCode } from './errors.js';
import { share } from './market.js';
import type { LimitPrices, MarketParams } from './state.js';

/**
 * The `auction` market's clearing of one interval: a uniform-price double auction over standing limit
 * prices with metered quantities. Twin of `contracts/src/libraries/Auction.sol`; the shared vectors in
 * `contracts/test/vectors/auction.json` keep both byte-identical. Integer arithmetic only.
 *
 * Per participant i with surplus s_i > 0 (an ask) or deficit d_i > 0 (a bid):
 *
 * 1. **Limits in force.** bid_i = min(bidPrice_i, gridBuyPrice), ask_i = max(askPrice_i, gridSellPrice),
 *    with the grid prices in force for the interval: nobody pays more for community energy than the grid
 *    would charge, nobody sells it for less than the grid would pay.
 * 2. **Merit order.** Bids by price descending, asks by price ascending; equal prices by participant
 *    index ascending (the deterministic tie-break).
 * 3. **Volume.** Q* = the volume matched walking both books while the current bid's price is at least the
 *    current ask's; Q = min(Q*, feederCapacityWh) (0 = no limit).
 * 4. **Fills.** On each side, price levels (orders of one price) in merit order are filled whole while the
 *    level fits in what is left of Q; the level where Q runs out (the margin) shares the rest pro rata to
 *    its orders' quantities with `share` (remainder units to the lowest indices), the levels after it
 *    get nothing.
 * 5. **Price.** The marginal bid price pb (the last bid level filled at all) and marginal ask price pa;
 *    the clearing price is their midpoint, (pb + pa) / 2 per kWh. pb ≥ pa because every unit of Q was
 *    matched bid ≥ ask, so the price lies within every filled order's limit.
 * 6. **Money.** value = floor(Q · (pb + pa) / 2000) token units, rounded once; sellers receive
 *    share(value, sold), buyers pay share(value, bought): Σ received = Σ paid = value, exactly.
 */
export interface AuctionClearing {
  /** Wh sold to the community, per participant (≤ its surplus). */
  sold: bigint[];
  /** Wh bought from the community, per participant (≤ its deficit). */
  bought: bigint[];
  /** Matched volume Q, Wh. */
  matchedWh: bigint;
  /** Marginal bid and ask prices (token units per kWh); 0 when nothing matched. */
  marginalBid: bigint;
  marginalAsk: bigint;
  /** Token value of the matched volume at the clearing price. */
  value: bigint;
}

interface Order {
  participant: number;
  price: bigint;
  quantity: bigint;
}

const U256_LIMIT = 1n << 256n;

/** Throws LIMITS_LENGTH_MISMATCH unless there is one pair of limit prices per participant. */
export function assertLimitsLength(limits: readonly LimitPrices[], participants: number): void {
  if (limits.length !== participants) {
    throw new MarketError({ code: MarketErrorCode.LIMITS_LENGTH_MISMATCH, participants, limits: limits.length });
  }
}

/** Clears one interval given each participant's surplus and deficit (at most one of them non-zero). */
export function clearAuction(
  params: MarketParams,
  limits: readonly LimitPrices[],
  surplus: readonly bigint[],
  deficit: readonly bigint[],
): AuctionClearing {
  const n = surplus.length;
  const bids: Order[] = [];
  const asks: Order[] = [];
  for (let i = 0; i < n; i++) {
    if (deficit[i] > 0n) {
      const p = limits[i].bidPrice < params.gridBuyPrice ? limits[i].bidPrice : params.gridBuyPrice;
      bids.push({ participant: i, price: p, quantity: deficit[i] });
    } else if (surplus[i] > 0n) {
      const p = limits[i].askPrice > params.gridSellPrice ? limits[i].askPrice : params.gridSellPrice;
      asks.push({ participant: i, price: p, quantity: surplus[i] });
    }
  }
  // Stable sorts over orders already in participant order: ties stay by index ascending.
  bids.sort((a, b) => (a.price === b.price ? 0 : a.price > b.price ? -1 : 1));
  asks.sort((a, b) => (a.price === b.price ? 0 : a.price < b.price ? -1 : 1));

  let matched = crossedVolume(bids, asks);
  if (params.feederCapacityWh !== 0n && params.feederCapacityWh < matched) matched = params.feederCapacityWh;
  const sold = new Array<bigint>(n).fill(0n);
  const bought = new Array<bigint>(n).fill(0n);
  if (matched === 0n) return { sold, bought, matchedWh: 0n, marginalBid: 0n, marginalAsk: 0n, value: 0n };
  const marginalBid = fill(bids, matched, bought);
  const marginalAsk = fill(asks, matched, sold);
  const product = matched * (marginalBid + marginalAsk);
  if (product >= U256_LIMIT)
    throw new MarketError({ code: MarketErrorCode.ARITHMETIC_OVERFLOW, operation: 'auctionValue' });
  return { sold, bought, matchedWh: matched, marginalBid, marginalAsk, value: product / 2000n };
}

/** Q*: walks both books in merit order while the bid's price is at least the ask's. */
function crossedVolume(bids: readonly Order[], asks: readonly Order[]): bigint {
  let volume = 0n;
  let i = 0;
  let j = 0;
  let bidLeft = bids[0]?.quantity ?? 0n;
  let askLeft = asks[0]?.quantity ?? 0n;
  while (i < bids.length && j < asks.length && bids[i].price >= asks[j].price) {
    const q = bidLeft < askLeft ? bidLeft : askLeft;
    volume += q;
    bidLeft -= q;
    askLeft -= q;
    if (bidLeft === 0n && ++i < bids.length) bidLeft = bids[i].quantity;
    if (askLeft === 0n && ++j < asks.length) askLeft = asks[j].quantity;
  }
  return volume;
}

/**
 * Fills `volume` (> 0, at most the side's total) over one side's price levels in merit order into
 * `filled` (by participant) and returns the marginal level's price.
 */
function fill(orders: readonly Order[], volume: bigint, filled: bigint[]): bigint {
  let left = volume;
  let k = 0;
  for (;;) {
    let end = k;
    let levelQuantity = 0n;
    while (end < orders.length && orders[end].price === orders[k].price) levelQuantity += orders[end++].quantity;
    if (levelQuantity >= left) {
      const parts = share(
        left,
        orders.slice(k, end).map((o) => o.quantity),
      );
      for (const [x, q] of parts.entries()) filled[orders[k + x].participant] = q;
      return orders[k].price;
    }
    for (let x = k; x < end; x++) filled[orders[x].participant] = orders[x].quantity;
    left -= levelQuantity;
    k = end;
  }
}
