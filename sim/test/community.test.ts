import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetError, DatasetErrorCode } from '../../datasets/src/errors.js';
import { readCommunityFile, communityReadings, toWh } from '../../datasets/src/communityFile.js';
import { communityResults, formatMemberTable, resultsToCsv } from '../../node/src/results/members.js';
import { communityFromFile, communityRun, defaultMarketOptions, marketSetup } from '../src/market.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'datasets', 'examples', 'three-members-day.json');

function run(
  market: 'mmr' | 'totals' | 'auction',
  intervalSeconds = 3600,
  extra: Partial<typeof defaultMarketOptions> = {},
) {
  const c = communityFromFile(EXAMPLE, intervalSeconds);
  const setup = marketSetup({ ...defaultMarketOptions, market, ...extra }, c.names, c.file, 1);
  return communityResults(
    communityRun(c.readings, c.names, setup, 24 * (3600 / intervalSeconds), { loadWh: c.loadWh, pvWh: c.pvWh }),
  );
}

const byName = (r: ReturnType<typeof run>) => Object.fromEntries(r.members.map((m) => [m.name, m]));

describe('sim: an explicit community (--community), the hand-made three-member day', () => {
  it('replays hourly readings and gives, member by member, the P2P volumes of the hand calculation (mmr)', () => {
    // By hand, per hour h (kWh; + surplus, - deficit; M = min(S, D); sellers share M by surplus,
    // buyers by deficit). Hours 0-7 and 17-23: no member has a surplus, nothing is traded.
    //  h8:  A +0.8  B +0.2  C -0.6   M 0.6  A sells 0.48  B 0.12  C buys 0.6
    //  h9:  A +1.5  B +0.5  C -0.8   M 0.8  A 0.6   B 0.2          C 0.8
    //  h10: A +2.0  B +0.5  C -1.5   M 1.5  A 1.2   B 0.3          C 1.5
    //  h11: A +1.6  B -0.2  C -1.0   M 1.2  A 1.2   B buys 0.2     C 1.0
    //  h12: A +1.0  B +0.4  C -2.1   M 1.4  A 1.0   B 0.4          C 1.4
    //  h13: A +1.6  B +0.4  C -0.5   M 0.5  A 0.4   B 0.1          C 0.5
    //  h14: A +1.4  B -0.4  C -0.6   M 1.0  A 1.0   B buys 0.4     C 0.6
    //  h15: A +0.9  B +0.3  C -0.4   M 0.4  A 0.3   B 0.1          C 0.4
    //  h16: A +0.2  B -0.1  C -0.3   M 0.2  A 0.2   B buys 0.05    C 0.15
    // A sells 6.38; B sells 1.22 and buys 0.65; C buys 6.95 (7.60 kWh each way).
    const m = byName(run('mmr'));
    expect([m.A.p2pSoldWh, m.A.p2pBoughtWh]).to.deep.equal([6380, 0]);
    expect([m.B.p2pSoldWh, m.B.p2pBoughtWh]).to.deep.equal([1220, 650]);
    expect([m.C.p2pSoldWh, m.C.p2pBoughtWh]).to.deep.equal([0, 6950]);
    // Every Wh of import that the community did not supply came from the grid.
    for (const x of Object.values(m)) expect(x.gridImportWh + x.p2pBoughtWh).to.be.at.most(x.importWh);
    expect(m.C.gridImportWh).to.equal(m.C.importWh - 6950);
  });

  it('reads load and PV, so self-consumption and self-sufficiency are known; money is conserved and bills add up', () => {
    const r = run('mmr');
    const m = byName(r);
    // A: PV 18.4 kWh, load 14.8 kWh in the day (sums of the CSV columns).
    expect([m.A.pvWh, m.A.loadWh]).to.deep.equal([18_400, 14_800]);
    expect(m.A.selfConsumptionWh).to.equal(m.A.pvWh! - m.A.exportWh);
    expect(r.members.reduce((s, x) => s + x.p2pNet, 0n)).to.equal(0n);
    expect(r.totals.savings).to.equal(r.members.reduce((s, x) => s + x.savings, 0n));
    expect(m.C.savings > 0n && m.A.savings > 0n).to.equal(true);
    expect(formatMemberTable(r)).to.contain('community');
    expect(resultsToCsv(r).split('\n')[4]).to.match(/^community,/);
  });

  it('Italian REC accounting: hourly shared energy min(injected, withdrawn), split by the key', () => {
    const r = run('mmr');
    // Shared energy per hour is the community's matched volume here (one meter each, no cap): 7.60 kWh.
    expect(r.rec!.sharedWh).to.equal(7600);
    expect(r.rec!.incentive).to.equal((7600n * 110n * 10n ** 18n) / 1_000_000n);
    const m = byName(r);
    const shares = [m.A.recIncentive!, m.B.recIncentive!, m.C.recIncentive!];
    expect(shares.reduce((a, b) => a + b, 0n)).to.equal(r.rec!.incentive);
    // By consumption (withdrawn energy): C withdrew the most.
    expect(shares[2] > shares[0]).to.equal(true);
    const equal = run('mmr', 3600, { recKey: 'equal' }).members.map((x) => x.recIncentive!);
    expect(equal[0] - equal[2] <= 1n).to.equal(true);
  });

  it("every market conserves energy and money on the same day; the auction trades at the members' limits", () => {
    for (const market of ['totals', 'mmr', 'auction'] as const) {
      const r = run(market);
      expect(r.totals.p2pBoughtWh).to.equal(r.totals.p2pSoldWh);
      expect(r.members.reduce((s, x) => s + x.p2pNet, 0n)).to.equal(0n);
    }
    // A's ask 0.08 and B's 0.12 are below C's bid 0.20: the auction matches the same volume as mmr.
    expect(run('auction').totals.p2pBoughtWh).to.equal(7600);
  });

  it('resamples hourly readings energy-conserving to 15 minutes', () => {
    const hourly = communityFromFile(EXAMPLE, 3600).readings;
    const quarter = communityFromFile(EXAMPLE, 900).readings;
    expect(quarter.intervals).to.equal(96);
    for (let m = 0; m < 3; m++) {
      const sum = (a: Uint32Array) => a.reduce((s, v) => s + v, 0);
      expect(sum(quarter.importWh[m]) - sum(quarter.exportWh[m])).to.equal(
        sum(hourly.importWh[m]) - sum(hourly.exportWh[m]),
      );
    }
    expect(Array.from(toWh(Float64Array.from([0.1, 0.1, 0.1])))).to.deep.equal([100, 100, 100]);
  });

  describe('clear errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'community-'));
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const code = (fn: () => unknown): string => {
      try {
        fn();
      } catch (e) {
        expect(e).to.be.instanceOf(DatasetError);
        return (e as DatasetError).code;
      }
      return 'no error';
    };
    const spec = (extra: object) => JSON.stringify({ members: [{ name: 'A', load: 'a' }], csv: 'x.csv', ...extra });

    it('a gap in the timestamps', () => {
      write('x.csv', 'timestamp,a\n2026-01-01T00:00Z,1\n2026-01-01T01:00Z,1\n2026-01-01T03:00Z,1\n');
      expect(code(() => readCommunityFile(write('gap.json', spec({}))))).to.equal(DatasetErrorCode.IRREGULAR);
    });

    it('a bad unit', () => {
      write('x.csv', 'timestamp,a\n2026-01-01T00:00Z,1\n2026-01-01T01:00Z,1\n');
      expect(code(() => readCommunityFile(write('unit.json', spec({ unit: 'MJ' }))))).to.equal(
        DatasetErrorCode.BAD_UNIT,
      );
    });

    it('members of unequal lengths', () => {
      write('a.csv', 'timestamp,load\n2026-01-01T00:00Z,1\n2026-01-01T01:00Z,1\n2026-01-01T02:00Z,1\n');
      write('b.csv', 'timestamp,load\n2026-01-01T00:00Z,1\n2026-01-01T01:00Z,1\n');
      const f = write(
        'len.json',
        JSON.stringify({
          members: [
            { name: 'A', csv: 'a.csv', load: 'load' },
            { name: 'B', csv: 'b.csv', load: 'load' },
          ],
        }),
      );
      expect(code(() => readCommunityFile(f))).to.equal(DatasetErrorCode.LENGTH_MISMATCH);
    });

    it('an empty or negative reading, a missing column', () => {
      write('x.csv', 'timestamp,a\n2026-01-01T00:00Z,\n2026-01-01T01:00Z,1\n');
      expect(code(() => readCommunityFile(write('empty.json', spec({}))))).to.equal(DatasetErrorCode.BAD_VALUE);
      write('x.csv', 'timestamp,a\n2026-01-01T00:00Z,-1\n2026-01-01T01:00Z,1\n');
      expect(code(() => readCommunityFile(write('neg.json', spec({}))))).to.equal(DatasetErrorCode.BAD_VALUE);
      write('x.csv', 'timestamp,b\n2026-01-01T00:00Z,1\n2026-01-01T01:00Z,1\n');
      expect(code(() => readCommunityFile(write('col.json', spec({}))))).to.equal(DatasetErrorCode.MISSING_COLUMN);
    });

    it('kW is mean power: a 15-minute row of 4 kW is 1 kWh', () => {
      write('x.csv', 'timestamp,a\n2026-01-01T00:00Z,4\n2026-01-01T00:15Z,4\n');
      const c = readCommunityFile(write('kw.json', spec({ unit: 'kW' })));
      expect(Array.from(communityReadings(c, 900).members[0].importWh)).to.deep.equal([1000, 1000]);
      expect(code(() => communityReadings(c, 600))).to.equal(DatasetErrorCode.BAD_RESOLUTION);
    });
  });
});
