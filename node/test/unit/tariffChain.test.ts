import { expect } from 'chai';
import { AbiCoder, ZeroHash, keccak256 } from 'ethers';
import { DISPUTE_START, DISPUTE_TARIFF } from '../../src/vectors/dispute.js';
import { tariffVectors } from '../../src/vectors/tariff.js';
import { marketAt } from '../../src/window/fold.js';
import { DISPUTE_PROOF_TYPES, badStepProof, type ClaimedWindow } from '../../src/window/disputeProof.js';
import { DisputeKind } from '../../src/window/disputeProof.js';
import { MarketKind, U128_MAX, type MarketParams } from '../../src/window/state.js';
import {
  TariffError,
  checkMarketTariff,
  decodeTariff,
  encodeTariff,
  marketWithTariff,
  paramsSchedule,
  pricesAt,
  tariffCeilings,
  tariffHash,
  type Tariff,
} from '../../src/window/tariff.js';

const flat: MarketParams = { kind: MarketKind.Auction, gridBuyPrice: 250n, gridSellPrice: 50n, feederCapacityWh: 0n };

describe('window/tariff: the on-chain tariff (twin of Solidity Tariff)', () => {
  it('encodeTariff is abi.encode(TouTariff): 97 words, the offset in two’s complement, then 4 × 24 prices', () => {
    const t: Tariff = { ...DISPUTE_TARIFF, utcOffsetMinutes: -225 };
    const hex = encodeTariff(t).slice(2);
    expect(hex.length).to.equal(97 * 64);
    const word = (k: number) => BigInt(`0x${hex.slice(64 * k, 64 * (k + 1))}`);
    expect(word(0)).to.equal((1n << 256n) - 225n);
    expect(word(1)).to.equal(t.weekday.buy[0]);
    expect(word(24)).to.equal(t.weekday.buy[23]);
    expect(word(25)).to.equal(t.weekday.sell[0]);
    expect(word(49)).to.equal(t.weekend.buy[0]);
    expect(word(96)).to.equal(t.weekend.sell[23]);
    expect(decodeTariff(encodeTariff(t))).to.deep.equal(t);
    expect(tariffHash(t)).to.equal(keccak256(encodeTariff(t)));
    expect(tariffHash(t)).to.not.equal(tariffHash(DISPUTE_TARIFF));
  });

  it('ceilings are the highest buy and sell of any hour, weekday or weekend', () => {
    expect(tariffCeilings(DISPUTE_TARIFF)).to.deep.equal({ gridBuyPrice: 260n, gridSellPrice: 104n });
  });

  it('marketWithTariff commits to the tariff with its ceilings as flat prices; Totals is never hourly', () => {
    const m = marketWithTariff(flat, DISPUTE_TARIFF);
    expect(m).to.deep.equal({
      ...flat,
      gridBuyPrice: 260n,
      gridSellPrice: 104n,
      tariffHash: tariffHash(DISPUTE_TARIFF),
    });
    expect(() => checkMarketTariff(m, DISPUTE_TARIFF)).to.not.throw();
    const totals = { ...flat, kind: MarketKind.Totals };
    expect(marketWithTariff(totals, DISPUTE_TARIFF)).to.deep.equal({ ...totals, tariffHash: ZeroHash });
    expect(marketWithTariff(flat, undefined).tariffHash).to.equal(ZeroHash);
  });

  it('a node refuses a tariff that is not the committed one, or flat prices that are not its ceilings', () => {
    const m = marketWithTariff(flat, DISPUTE_TARIFF);
    const other: Tariff = { ...DISPUTE_TARIFF, utcOffsetMinutes: 0 };
    expect(() => checkMarketTariff(m, other)).to.throw(TariffError, /the community commits to/);
    expect(() => checkMarketTariff({ ...m, gridBuyPrice: 259n }, DISPUTE_TARIFF)).to.throw(TariffError, /ceilings/);
    expect(() => checkMarketTariff({ ...m, gridSellPrice: 105n }, DISPUTE_TARIFF)).to.throw(TariffError, /ceilings/);
  });

  it('refuses to encode a malformed tariff (offset beyond ±14 h, a price beyond uint128)', () => {
    expect(() => encodeTariff({ ...DISPUTE_TARIFF, utcOffsetMinutes: 841 })).to.throw(TariffError);
    const big = {
      ...DISPUTE_TARIFF,
      weekend: { ...DISPUTE_TARIFF.weekend, buy: [U128_MAX + 1n, ...DISPUTE_TARIFF.weekend.buy.slice(1)] },
    };
    expect(() => encodeTariff(big)).to.throw(TariffError);
  });

  it('marketAt prices an absolute interval of a community at its local hour (one rule with paramsSchedule)', () => {
    const community = {
      participants: [],
      meters: [],
      market: marketWithTariff(flat, DISPUTE_TARIFF),
      tariff: DISPUTE_TARIFF,
      start: DISPUTE_START,
      intervalSeconds: 900,
    };
    const schedule = paramsSchedule(community.market, DISPUTE_TARIFF, DISPUTE_START, 900);
    for (let t = 0; t < 200; t += 13) {
      expect(marketAt(community, t)).to.deep.equal(schedule(t));
      expect(marketAt(community, t)).to.deep.include(pricesAt(DISPUTE_TARIFF, DISPUTE_START + 900 * t));
    }
    // 1970-01-12 13:46:40 UTC = 14:46:40 local (UTC+1), a Monday: weekday hour 14.
    expect(marketAt(community, 0)).to.deep.include({ gridBuyPrice: 150n, gridSellPrice: 80n });
    const totals = { ...community, market: { ...community.market, kind: MarketKind.Totals } };
    expect(marketAt(totals, 0)).to.equal(totals.market);
    expect(() => marketAt({ ...community, start: undefined }, 0)).to.throw(RangeError);
  });

  it('a bad-step proof carries the tariff’s encoding (empty for flat prices)', () => {
    const zero = `0x${'00'.repeat(32)}`;
    const claim: ClaimedWindow = {
      firstInterval: 0,
      slots: [[undefined]],
      states: [
        [{ exportWh: 0n, importWh: 0n, p2pSoldWh: 0n, p2pBoughtWh: 0n, gridSoldWh: 0n, gridBoughtWh: 0n, net: 0n }],
      ],
      commitment: {
        windowRoot: zero,
        intervals: [
          { interval: 0, readingsRoot: zero, energyHash: zero, stateHash: zero, entriesRoot: zero, leaf: zero },
        ],
        levels: [[zero]],
      },
      layout: { owners: [0], participants: 1 },
    } as unknown as ClaimedWindow;
    const decode = (proof: string) =>
      AbiCoder.defaultAbiCoder().decode([DISPUTE_PROOF_TYPES[DisputeKind.BadStep]], proof)[0];
    expect(decode(badStepProof(claim, 0, [], DISPUTE_TARIFF)).tariff).to.equal(encodeTariff(DISPUTE_TARIFF));
    expect(decode(badStepProof(claim, 0)).tariff).to.equal('0x');
  });

  it('the vectors hold at least 30 cases over hour, day and week edges, offsets ±14 h and the maximum prices', () => {
    const v = tariffVectors();
    expect(v.count).to.be.at.least(30);
    const offsets = v.tariffs.map((t) => t.utcOffsetMinutes);
    expect(offsets).to.include.members([840, -840, 330, -225]);
    expect(v.tariffs.some((t) => t.maxBuy === String(U128_MAX))).to.equal(true);
    expect(v.cases.some((c) => c.weekend) && v.cases.some((c) => !c.weekend)).to.equal(true);
  });
});
