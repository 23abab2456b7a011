import { expect } from 'chai';
import { generateItalyLoad, generateItalyPv } from '../src/embedded/generator.js';
import { italy2020 } from '../src/embedded/calibration.js';
import { buildCommunity, meterReadings } from '../src/community.js';
import { loadProfile } from '../src/load.js';
import { total } from '../src/series.js';
import { romeLocal } from '../src/time.js';
import { DatasetErrorCode } from '../src/errors.js';
import { expectCode } from './helpers.js';

describe('datasets/embedded generator', () => {
  const load = generateItalyLoad();
  const pv = generateItalyPv({ kWp: 3 });

  it('builds the 2020 local year at 15 minutes with 5,000 kWh', () => {
    expect(load.values.length).to.equal(366 * 96);
    expect(new Date(load.startMs).toISOString()).to.equal('2019-12-31T23:00:00.000Z');
    expect(total(load)).to.be.closeTo(5000, 1e-6);
  });

  it('gives every month its calibrated share', () => {
    const byMonth = new Array(12).fill(0);
    load.values.forEach((v, i) => {
      byMonth[romeLocal(load.startMs + i * 900_000).month] += v;
    });
    const shareSum = italy2020.load.monthShare.reduce((a, b) => a + b, 0);
    for (const [m, e] of byMonth.entries())
      expect(e / 5000).to.be.closeTo(italy2020.load.monthShare[m] / shareSum, 1e-9);
    // April 2020 (lockdown) is the lowest month, as in the real data.
    expect(byMonth.indexOf(Math.min(...byMonth))).to.equal(3);
  });

  it('is deterministic', () => {
    expect(Buffer.from(generateItalyLoad().values.buffer).equals(Buffer.from(load.values.buffer))).to.equal(true);
  });

  it('builds PV for a kWp: yield × kWp, nothing at night', () => {
    expect(total(pv)).to.be.closeTo(3 * 1150, 1e-6);
    const midnightJune = (152 * 24 - 2) * 4; // around local midnight, 1 June
    expect(pv.values[midnightJune]).to.equal(0);
    expect(Math.max(...pv.values)).to.be.within(0.3, 0.75); // 1.2–3 kW from 3 kWp
  });

  it('loads builtin:italy-2020 cut to a period, and rejects unknown builtins', () => {
    const p = loadProfile('builtin:italy-2020', { period: '2020-03-29' });
    expect(p.load.values.length).to.equal(23 * 4);
    expect(p.pvPerKWp?.values.length).to.equal(23 * 4);
    expectCode(() => loadProfile('builtin:mars-2020'), DatasetErrorCode.UNKNOWN_BUILTIN);
  });
});

describe('datasets/community', () => {
  const base = loadProfile('builtin:italy-2020', { period: '2020-06' });

  it('keeps household 0 equal to the base profile and varies the others, reproducibly', () => {
    const a = buildCommunity(base, { households: 5, seed: 7 });
    const b = buildCommunity(base, { households: 5, seed: 7 });
    const c = buildCommunity(base, { households: 5, seed: 8 });
    expect(Array.from(a[0].load)).to.deep.equal(Array.from(base.load.values));
    expect(Array.from(a[3].load)).to.deep.equal(Array.from(b[3].load));
    expect(Array.from(a[3].load)).to.not.deep.equal(Array.from(c[3].load));
    expect(a.filter((h) => h.pv).length).to.equal(2); // floor(0.5 × 5)
    expect(buildCommunity(base, { households: 1 }).filter((h) => h.pv).length).to.equal(0);
  });

  it('turns load and PV into whole-Wh net readings', () => {
    const r = meterReadings({
      index: 0,
      kWp: 1,
      load: Float64Array.from([0.1004, 0.2, 0.05]),
      pv: Float64Array.from([0, 0.2006, 0.3]),
    });
    expect(Array.from(r.importWh)).to.deep.equal([100, 0, 0]);
    expect(Array.from(r.exportWh)).to.deep.equal([0, 1, 250]);
  });
});
