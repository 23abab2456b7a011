import { expect } from 'chai';
import {
  MarketError,
  MarketErrorCode,
  MarketKind,
  clearAuction,
  emptyState,
  limitsHash,
  marketStep,
  type LimitPrices,
  type MarketParams,
  type MeterEnergy,
  type ParticipantState,
} from '../../src/window/index.js';
import { auctionVectorCases, edgeAuctionCases, randomAuctionCases } from '../../src/vectors/auction.js';
import { SeededRandom } from '../../src/vectors/prng.js';
import { keccak256 } from 'ethers';

const on = (exportWh: number, importWh: number): MeterEnergy => ({ present: true, exportWh, importWh });
const lim = (bidPrice: bigint, askPrice: bigint): LimitPrices => ({ bidPrice, askPrice });
const auction = (gridBuyPrice: bigint, gridSellPrice: bigint, feederCapacityWh = 0n): MarketParams => ({
  kind: MarketKind.Auction,
  gridBuyPrice,
  gridSellPrice,
  feederCapacityWh,
});
const own = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const sum = (xs: bigint[]): bigint => xs.reduce((a, b) => a + b, 0n);

function expectMarketError(fn: () => unknown, code: MarketErrorCode): void {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(MarketError);
    expect((e as MarketError).code).to.equal(code);
    return;
  }
  expect.fail(`expected ${code}`);
}

describe('window/auction: uniform-price double auction', () => {
  it('walks the merit order and clears at the midpoint of the marginal bid and ask (hand case)', () => {
    // Asks 100 @60, 100 @180, 100 @90; bids 120 @280, 120 @100, 120 @200. Matching in merit order:
    // 100 (280/60), 20 (280/90), 80 (200/90), 40 (200/180); the bid at 100 is below the ask at 180.
    const c = clearAuction(
      auction(300n, 50n),
      [lim(0n, 60n), lim(0n, 180n), lim(0n, 90n), lim(280n, 0n), lim(100n, 0n), lim(200n, 0n)],
      [100n, 100n, 100n, 0n, 0n, 0n],
      [0n, 0n, 0n, 120n, 120n, 120n],
    );
    expect(c.matchedWh).to.equal(240n);
    expect([c.marginalBid, c.marginalAsk]).to.deep.equal([200n, 180n]);
    expect(c.value).to.equal(45n); // floor(240 * 380 / 2000)
    expect(c.sold).to.deep.equal([100n, 40n, 100n, 0n, 0n, 0n]);
    expect(c.bought).to.deep.equal([0n, 0n, 0n, 120n, 0n, 120n]);
  });

  it('rations orders tied at the margin pro rata, remainders to the lowest index', () => {
    const c = clearAuction(
      auction(300n, 50n),
      [lim(0n, 100n), lim(200n, 0n), lim(200n, 0n), lim(200n, 0n)],
      [100n, 0n, 0n, 0n],
      [0n, 30n, 60n, 90n],
    );
    expect(c.bought).to.deep.equal([0n, 17n, 33n, 50n]);
  });

  it('does not trade when the best bid is below the best ask, or one side is empty', () => {
    expect(clearAuction(auction(300n, 50n), [lim(0n, 250n), lim(120n, 0n)], [500n, 0n], [0n, 300n]).matchedWh).to.equal(
      0n,
    );
    expect(clearAuction(auction(300n, 50n), [lim(0n, 0n), lim(0n, 0n)], [500n, 10n], [0n, 0n]).matchedWh).to.equal(0n);
    expect(clearAuction(auction(300n, 50n), [lim(300n, 0n), lim(300n, 0n)], [0n, 0n], [5n, 10n]).matchedWh).to.equal(
      0n,
    );
  });

  it('caps bids at the grid buy price and floors asks at the grid sell price of the interval', () => {
    // A bid of 10,000 cannot jump the queue: it ties with the bid at 250 and both are rationed.
    const c = clearAuction(
      auction(250n, 80n),
      [lim(0n, 0n), lim(10_000n, 0n), lim(250n, 0n)],
      [60n, 0n, 0n],
      [0n, 60n, 60n],
    );
    expect([c.marginalBid, c.marginalAsk]).to.deep.equal([250n, 80n]);
    expect(c.bought).to.deep.equal([0n, 30n, 30n]);
  });

  it('the feeder capacity cuts the volume and moves the margin to the best orders', () => {
    const c = clearAuction(
      auction(300n, 50n, 250n),
      [lim(0n, 60n), lim(0n, 120n), lim(280n, 0n), lim(150n, 0n)],
      [200n, 200n, 0n, 0n],
      [0n, 0n, 200n, 200n],
    );
    expect(c.matchedWh).to.equal(250n);
    expect(c.sold).to.deep.equal([200n, 50n, 0n, 0n]);
    expect(c.bought).to.deep.equal([0n, 0n, 200n, 50n]);
  });

  it('the step adds flows like mmr: grid takes what the auction did not match', () => {
    const s = marketStep(
      auction(300n, 50n),
      emptyState(2),
      own(2),
      [on(500, 0), on(0, 300)],
      [lim(0n, 100n), lim(200n, 0n)],
    );
    expect(s[0]).to.include({ exportWh: 500n, p2pSoldWh: 300n, gridSoldWh: 200n, net: 45n });
    expect(s[1]).to.include({ importWh: 300n, p2pBoughtWh: 300n, gridBoughtWh: 0n, net: -45n });
  });

  it('rejects limits that are not one pair per participant, or out of uint128', () => {
    expectMarketError(
      () => marketStep(auction(300n, 50n), emptyState(2), own(2), [on(1, 0), on(0, 1)], [lim(1n, 1n)]),
      MarketErrorCode.LIMITS_LENGTH_MISMATCH,
    );
    expectMarketError(
      () => marketStep(auction(300n, 50n), emptyState(1), own(1), [on(1, 0)], [lim(1n << 128n, 0n)]),
      MarketErrorCode.VALUE_OUT_OF_RANGE,
    );
    expectMarketError(
      () => marketStep(auction(300n, 50n), emptyState(1), own(1), [on(1, 0)], [lim(-1n, 0n)]),
      MarketErrorCode.VALUE_OUT_OF_RANGE,
    );
  });

  it('limitsHash is keccak256 of the ABI encoding of (bidPrice, askPrice)[], words written out by hand', () => {
    const word = (v: bigint): string => v.toString(16).padStart(64, '0');
    // abi.encode(LimitPrices[]): offset 0x20, length 2, then each pair's two words in participant order.
    const byHand = `0x${[32n, 2n, 300n, 10n, (1n << 128n) - 1n, 0n].map(word).join('')}`;
    expect(limitsHash([lim(300n, 10n), lim((1n << 128n) - 1n, 0n)])).to.equal(keccak256(byHand));
    // Order is committed: swapping two participants' prices changes the commitment.
    expect(limitsHash([lim(200n, 20n), lim(300n, 10n)])).to.not.equal(limitsHash([lim(300n, 10n), lim(200n, 20n)]));
    expectMarketError(() => limitsHash([lim(1n << 128n, 0n)]), MarketErrorCode.VALUE_OUT_OF_RANGE);
    expectMarketError(() => limitsHash([lim(0n, -1n)]), MarketErrorCode.VALUE_OUT_OF_RANGE);
  });

  it('has at least 60 vector cases, with ties, empty sides, a binding cap, zero and maximum prices', () => {
    const names = edgeAuctionCases()
      .map((c) => c.name)
      .join('|');
    expect(auctionVectorCases().length).to.be.at.least(60);
    for (const w of ['ties', 'only sellers', 'only buyers', 'feeder capacity', 'zero prices', 'maximum values'])
      expect(names).to.contain(w);
  });

  it('conserves money and energy and respects every limit in force (seeded random cases)', () => {
    const rng = new SeededRandom(77);
    for (const c of randomAuctionCases(200, 0x5eed)) {
      let prev: ParticipantState[] = emptyState(c.participants);
      for (const { prices, readings } of c.steps) {
        const params = auction(prices.gridBuyPrice, prices.gridSellPrice, c.feederCapacityWh);
        const next = marketStep(params, prev, c.meterOwner, readings, c.limits);
        expect(sum(next.map((s) => s.net))).to.equal(0n);
        const sold = next.map((s, i) => s.p2pSoldWh - prev[i].p2pSoldWh);
        const bought = next.map((s, i) => s.p2pBoughtWh - prev[i].p2pBoughtWh);
        expect(sum(sold)).to.equal(sum(bought));
        if (c.feederCapacityWh > 0n) expect(sum(sold) <= c.feederCapacityWh).to.equal(true);
        next.forEach((s, i) => {
          const flow = s.net - prev[i].net;
          const bid = c.limits[i].bidPrice < prices.gridBuyPrice ? c.limits[i].bidPrice : prices.gridBuyPrice;
          const ask = c.limits[i].askPrice > prices.gridSellPrice ? c.limits[i].askPrice : prices.gridSellPrice;
          if (bought[i] > 0n)
            expect(-flow * 1000n <= bought[i] * bid + 1000n, `buyer ${i} pays within its bid`).to.equal(true);
          if (sold[i] > 0n) expect(flow * 1000n + 2000n >= sold[i] * ask, `seller ${i} gets its ask`).to.equal(true);
        });
        prev = next;
      }
      rng.nextU32();
    }
  });
});
