import { expect } from 'chai';
import { resample, slice } from '../src/resample.js';
import { total, type EnergySeries } from '../src/series.js';
import { DatasetErrorCode } from '../src/errors.js';
import { parsePeriod } from '../src/period.js';
import { expectCode } from './helpers.js';

const hourly: EnergySeries = {
  name: 'x',
  startMs: Date.UTC(2020, 0, 1),
  stepSeconds: 3600,
  values: Float64Array.from([4, 8, 2]),
};

describe('datasets/resample', () => {
  it('upsamples hourly to 15 minutes conserving energy', () => {
    const q = resample(hourly, 900);
    expect(q.values.length).to.equal(12);
    expect(Array.from(q.values.slice(0, 5))).to.deep.equal([1, 1, 1, 1, 2]);
    expect(total(q)).to.equal(total(hourly));
  });

  it('downsamples by summing, and handles steps that do not nest', () => {
    const q = resample(hourly, 900);
    expect(Array.from(resample(q, 3600).values)).to.deep.equal([4, 8, 2]);
    const h90 = resample(hourly, 5400); // 1.5 h: 4 + 8/2, 8/2 + 2
    expect(Array.from(h90.values)).to.deep.equal([8, 6]);
    expect(total(h90)).to.equal(14);
  });

  it('drops a trailing part shorter than a step', () => {
    expect(Array.from(resample(hourly, 7200).values)).to.deep.equal([12]);
  });

  it('slices on interval boundaries only', () => {
    const s = slice(hourly, Date.UTC(2020, 0, 1, 1), Date.UTC(2020, 0, 1, 3));
    expect(Array.from(s.values)).to.deep.equal([8, 2]);
    expectCode(() => slice(hourly, Date.UTC(2020, 0, 1, 0, 30), Date.UTC(2020, 0, 1, 2)), DatasetErrorCode.BAD_PERIOD);
    expectCode(() => slice(hourly, Date.UTC(2020, 0, 1), Date.UTC(2020, 0, 2)), DatasetErrorCode.BAD_PERIOD);
  });

  it('parses Rome-local periods', () => {
    const y = parsePeriod('2020');
    expect(new Date(y.fromMs).toISOString()).to.equal('2019-12-31T23:00:00.000Z');
    expect(new Date(y.toMs).toISOString()).to.equal('2020-12-31T23:00:00.000Z');
    const m = parsePeriod('2020-07');
    expect(new Date(m.fromMs).toISOString()).to.equal('2020-06-30T22:00:00.000Z');
    expect((m.toMs - m.fromMs) / 3_600_000).to.equal(31 * 24);
    const mar = parsePeriod('2020-03-29');
    expect((mar.toMs - mar.fromMs) / 3_600_000).to.equal(23); // the spring day is 23 h long
    const r = parsePeriod('2020-10-25/2020-10-26');
    expect((r.toMs - r.fromMs) / 3_600_000).to.equal(25);
    expectCode(() => parsePeriod('2020-13-x'), DatasetErrorCode.BAD_PERIOD);
    expectCode(() => parsePeriod('2020-02/2020-01'), DatasetErrorCode.BAD_PERIOD);
  });
});
