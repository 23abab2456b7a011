import { expect } from 'chai';
import { join } from 'node:path';
import { readEntsoe } from '../src/readers/entsoe.js';
import { readOpsd } from '../src/readers/opsd.js';
import { readPlainCsv } from '../src/readers/plainCsv.js';
import { loadProfile } from '../src/load.js';
import { generateItalyLoad } from '../src/embedded/generator.js';
import { compareSeries } from '../src/embedded/compare.js';
import { resample, slice } from '../src/resample.js';
import { total } from '../src/series.js';
import { romeMidnight } from '../src/time.js';
import { sharedDatasets } from './helpers.js';

// The real files beside the project (../shared/datasets); skipped when absent.
const dir = sharedDatasets();
const describeShared = dir ? describe : describe.skip;

describeShared('datasets on ../shared/datasets', function () {
  this.timeout(60_000);
  const raw = join(dir ?? '', 'raw', 'entsoe_it_Energy_Forecaster');

  it('reads the raw ENTSO-E 2020 load export: 8,784 hours, 273.20 TWh', () => {
    const s = readEntsoe(join(raw, 'entsoe_IT_total_load_2020.csv'), { column: 'load' });
    expect(s.values.length).to.equal(8784);
    expect(new Date(s.startMs).toISOString()).to.equal('2019-12-31T23:00:00.000Z');
    expect(total(s) / 1e9).to.be.closeTo(273.2, 0.01);
  });

  it('agrees with the OPSD-style file on the same hours (same UTC conversion)', () => {
    const e = readEntsoe(join(raw, 'entsoe_IT_total_load_2020.csv'));
    const o = readOpsd(join(dir!, 'IT_load_solar_hourly_2019_2021_utc.csv'), { column: 'load' });
    expect(o.values.length).to.equal(26_304);
    const part = slice(o, e.startMs, e.startMs + e.values.length * 3_600_000);
    expect(Array.from(part.values)).to.deep.equal(Array.from(e.values));
  });

  it('reads the 15-minute per-capita file: 35,136 intervals, 5,000 kWh', () => {
    const p = readPlainCsv(join(dir!, 'IT_percapita_5000kWh_15min_2020_utc.csv'), {
      timeColumn: 'utc_timestamp',
      column: 'energy_kWh_per_15min',
    });
    expect(p.values.length).to.equal(35_136);
    expect(total(p)).to.be.closeTo(5000, 0.01);
  });

  it('scales a national file to the per-capita level, resampled with energy conserved', () => {
    const file = join(dir!, 'IT_load_solar_hourly_2019_2021_utc.csv');
    const whole = loadProfile(file);
    // 5,000 kWh per 8,760 h (the file starts in 2019) over its 26,304 hours.
    expect(total(whole.load)).to.be.closeTo((5000 * 26_304) / 8760, 1e-6);
    expect(whole.load.values.length).to.equal(26_304 * 4);
    const y2020 = loadProfile(file, { period: '2020' });
    expect(y2020.load.values.length).to.equal(35_136);
    expect(y2020.pvPerKWp).to.not.equal(null);
  });

  it('generates a year close to the real 2020 per-capita profile', () => {
    const real = readPlainCsv(join(dir!, 'IT_percapita_5000kWh_15min_2020_utc.csv'), {
      timeColumn: 'utc_timestamp',
      column: 'energy_kWh_per_15min',
    });
    const gen = generateItalyLoad();
    const q = compareSeries(gen, real);
    // Monthly statistics only (see docs/simulator.md): 15-min correlation 0.963, NRMSE 6.5%.
    expect(q.correlation).to.be.greaterThan(0.95);
    expect(q.nrmse).to.be.lessThan(0.075);
    const daily = compareSeries(resample(gen, 86_400), resample(real, 86_400));
    expect(daily.nrmse).to.be.lessThan(0.065);
    expect(gen.startMs).to.equal(romeMidnight(2020, 0, 1));
  });
});
