import { expect } from 'chai';
import { communityResults, resultsFromWindowStates, resultsToCsv } from '../../src/results/members.js';
import { MarketKind, type MarketParams } from '../../src/window/state.js';
import { flatTariff } from '../../src/window/tariff.js';

const E = 10n ** 18n;
const mmr: MarketParams = { kind: MarketKind.Mmr, gridBuyPrice: E / 4n, gridSellPrice: E / 20n, feederCapacityWh: 0n };
const u32 = (...xs: number[]) => Uint32Array.from(xs);

describe('results/members: per-member accounting from the fold', () => {
  it('bills, baseline and savings by hand: 1 kWh from A to B at the midpoint 0.15', () => {
    const r = communityResults({
      market: mmr,
      names: ['A', 'B'],
      startSeconds: 0,
      intervalSeconds: 900,
      windowIntervals: 96,
      exportWh: [u32(1000), u32(0)],
      importWh: [u32(0), u32(1000)],
    });
    const [a, b] = r.members;
    expect([a.p2pSoldWh, b.p2pBoughtWh]).to.deep.equal([1000, 1000]);
    expect(a.p2pNet).to.equal((15n * E) / 100n);
    expect(a.billGridOnly).to.equal(-E / 20n); // paid 0.05 for its export
    expect(a.bill).to.equal((-15n * E) / 100n);
    expect(b.billGridOnly).to.equal(E / 4n);
    expect(b.bill).to.equal((15n * E) / 100n);
    expect([a.savings, b.savings]).to.deep.equal([E / 10n, E / 10n]);
    expect(r.totals.savings).to.equal(E / 5n);
    expect(resultsToCsv(r).split('\n')[0]).to.match(/^name,importWh,exportWh,p2pBoughtWh/);
  });

  it('a time-of-use tariff prices every interval at its own hour', () => {
    // Interval 0 at 00:00 UTC (buy 0.20), interval 1 at 12:00 UTC (buy 0.40): 1 kWh imported in each.
    const day = {
      buy: Array.from({ length: 24 }, (_, h) => (h < 12 ? E / 5n : (2n * E) / 5n)),
      sell: new Array<bigint>(24).fill(0n),
    };
    const r = communityResults({
      market: mmr,
      tariff: { utcOffsetMinutes: 0, weekday: day, weekend: day },
      names: ['B'],
      startSeconds: 0,
      intervalSeconds: 12 * 3600,
      windowIntervals: 2,
      exportWh: [u32(0, 0)],
      importWh: [u32(1000, 1000)],
    });
    expect(r.members[0].billGridOnly).to.equal((3n * E) / 5n);
    expect(flatTariff(1n, 0n).weekday.buy).to.have.length(24);
  });

  it('from settled final states alone (the devnet): flat prices, net meters', () => {
    const s = (o: Partial<Record<string, bigint>>) => ({
      exportWh: 0n,
      importWh: 0n,
      p2pSoldWh: 0n,
      p2pBoughtWh: 0n,
      gridSoldWh: 0n,
      gridBoughtWh: 0n,
      net: 0n,
      ...o,
    });
    const r = resultsFromWindowStates(['A', 'B'], mmr, [
      [
        s({ exportWh: 1000n, p2pSoldWh: 1000n, net: (15n * E) / 100n }),
        s({ importWh: 1000n, p2pBoughtWh: 1000n, net: (-15n * E) / 100n }),
      ],
    ]);
    expect(r.members.map((m) => m.savings)).to.deep.equal([E / 10n, E / 10n]);
    expect(r.members[0].selfConsumptionWh).to.equal(null);
  });
});
