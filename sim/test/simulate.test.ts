import { expect } from 'chai';
import { calendarMonthStarts } from '../src/sessions.js';
import { sessionRanges } from '../src/replay/types.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cost } from '../src/costModel.js';
import { artifactPath } from '../../node/src/chain/artifacts.js';
import { defaultSimOptions } from '../src/options.js';
import { PRESETS } from '../src/presets.js';
import { cumulativePoints, formatTable } from '../src/report.js';
import { simulate } from '../src/simulate.js';
import { runCli } from '../../node/test/utils/cli.js';
import { toSimOptions, simOptions, type SimArgs } from '../src/cli.js';

describe('sim/simulate (one day, two prosumers, anvil)', function () {
  this.timeout(180_000);

  it('replays every approach, counts transactions exactly and prices them exactly', async () => {
    const report = await simulate({ ...defaultSimOptions, period: '2020-01-02', prosumers: 2, pvShare: 0.5 });
    expect(report.inputs.intervals).to.equal(96);
    expect(report.inputs.prosumersWithPv).to.equal(1);
    const by = Object.fromEntries(report.approaches.map((a) => [a.approach, a]));
    expect(by.rda.transactions).to.equal(192);
    expect(by.sat.transactions).to.equal(1);
    expect(by.sa.transactions).to.equal(1);
    if (existsSync(artifactPath('Hub'))) {
      // openTogetherWithPermits (no approvals), one daily window, close, one claimAll
      expect(by.diversity.transactions).to.equal(1 + 1 + 1 + 1);
      expect(by.diversity.byKind.claim.transactions).to.equal(1);
    } else {
      expect(report.skipped.map((s) => s.approach)).to.deep.equal(['diversity']);
    }
    for (const a of report.approaches) {
      for (const p of ['paper-2022', 'mainnet', 'l2']) {
        expect(a.usdExact[p]).to.equal(cost(BigInt(a.gasUsed), a.rawBytes, PRESETS[p]).usdExact);
      }
      // paper-2022: gas × 17.5 gwei × 1,900 USD, in micro-dollars.
      const micro = (BigInt(a.gasUsed) * 17_500_000_000n * 1_900_000_000n) / 10n ** 18n;
      expect(a.usdExact['paper-2022']).to.equal((Number(micro) / 1e6).toString());
      // One day scaled to 365, per prosumer (DIVERSITY's open/join, close and claims are counted once).
      if (a.approach !== 'diversity')
        expect(a.usdPerProsumerYear['paper-2022']).to.be.closeTo((a.usd['paper-2022'] * 365) / 2, 1e-6);
    }
    expect(report.ratios.measured.sa).to.equal(1);
    expect(formatTable(report)).to.match(/^approach/);
    const pts = cumulativePoints(report, 'paper-2022');
    expect(pts.filter((p) => p.approach === 'RDA').at(-1)!.usd).to.be.closeTo(by.rda.usd['paper-2022'], 1e-6);
  });
});

describe('sim/simulate: the auction and a time-of-use tariff replayed through the real contracts', function () {
  this.timeout(180_000);
  const EXAMPLE = join(import.meta.dirname, '..', '..', 'datasets', 'examples', 'three-members-day.json');

  for (const market of ['auction', 'mmr'] as const) {
    it(`${market}: limits and tariff published and committed at open; the settled states are the fold's`, async function () {
      if (!existsSync(artifactPath('Hub'))) this.skip();
      // `simulate` throws unless every state DIVERSITY posted is the state of the fold it reports.
      const report = await simulate({ ...defaultSimOptions, community: EXAMPLE, market, approaches: ['diversity'] });
      expect(report.skipped).to.deep.equal([]);
      expect(report.inputs.tariff).to.equal(true);
      const d = report.approaches.find((a) => a.approach === 'diversity')!;
      // publishLimits (auction) + publishTariff, openTogetherWithPermits | one daily window | close.
      expect(d.byKind.setup.transactions).to.equal((market === 'auction' ? 2 : 1) + 1);
      expect(d.byKind.update.transactions).to.equal(1);
    });
  }
});

describe('sim/cli', () => {
  it('turns flags into options', () => {
    const defaults = Object.fromEntries(
      Object.entries(simOptions).map(([k, v]) => [k, v.default]),
    ) as unknown as SimArgs;
    const o = toSimOptions({ ...defaults, approaches: 'rda, sa', preset: 'l2', prosumers: 3 });
    expect(o.approaches).to.deep.equal(['rda', 'sa']);
    expect(o.presets).to.deep.equal(['l2']);
    expect(o.prosumers).to.equal(3);
    expect(() => toSimOptions({ ...defaults, approaches: 'rda,xyz' })).to.throw(/unknown approach/);
  });

  it('a bad option is one line and exit 2, as for every other command (no stack)', async function () {
    this.timeout(60_000);
    const r = await runCli(['sim', '--approaches', 'rda,xyz']);
    expect(r.code, r.out).to.equal(2);
    expect(r.out.trim()).to.equal('error: unknown approach xyz');
  });

  it('takes calendar-month sessions, month windows, a market and no chain at all', () => {
    const defaults = Object.fromEntries(
      Object.entries(simOptions).map(([k, v]) => [k, v.default]),
    ) as unknown as SimArgs;
    const o = toSimOptions({ ...defaults, approaches: 'none', session: 'month', window: 'month', market: 'auction' });
    expect(o.approaches).to.deep.equal([]);
    expect(o.calendarSessions).to.equal(true);
    expect(o.windowIntervals).to.equal(2976);
    expect(o.market).to.equal('auction');
    expect(() => toSimOptions({ ...defaults, market: 'barter' })).to.throw(/--market/);
    expect(() => toSimOptions({ ...defaults, session: '0' })).to.throw(/--session/);
  });

  it('calendar months of 2020 at 15 minutes: twelve sessions, each a whole number of SAT words', () => {
    const start = Date.UTC(2019, 11, 31, 23);
    const starts = calendarMonthStarts(start, 35_136, 900);
    expect(starts).to.have.length(11);
    // February 2020 (29 days) starts after January's 31 days; March loses an hour to daylight saving.
    expect(starts[0]).to.equal(31 * 96);
    expect(starts[2] - starts[1]).to.equal(31 * 96 - 4);
    expect(starts.every((t) => t % 4 === 0)).to.equal(true);
    expect(sessionRanges({ intervals: 35_136 }, { sessionIntervals: 96, sessionStarts: starts })).to.have.length(12);
  });
});
