import { expect } from 'chai';
import { dstEndUtc, dstStartUtc, romeLocal, romeOffsetHours, romeToUtc } from '../src/time.js';
import { dayType, easter, italianHolidays } from '../src/calendar.js';

describe('datasets/time', () => {
  it('knows the 2020 clock changes', () => {
    expect(new Date(dstStartUtc(2020)).toISOString()).to.equal('2020-03-29T01:00:00.000Z');
    expect(new Date(dstEndUtc(2020)).toISOString()).to.equal('2020-10-25T01:00:00.000Z');
    expect(new Date(dstStartUtc(2021)).toISOString()).to.equal('2021-03-28T01:00:00.000Z');
    expect(romeOffsetHours(Date.UTC(2020, 0, 1))).to.equal(1);
    expect(romeOffsetHours(Date.UTC(2020, 6, 1))).to.equal(2);
  });

  it('maps Rome wall time to UTC, with the gap and the fold', () => {
    expect(romeToUtc(2020, 2, 29, 2, 30)).to.equal(null);
    expect(new Date(romeToUtc(2020, 2, 29, 3, 0)!).toISOString()).to.equal('2020-03-29T01:00:00.000Z');
    expect(new Date(romeToUtc(2020, 9, 25, 2, 0, 0)!).toISOString()).to.equal('2020-10-25T00:00:00.000Z');
    expect(new Date(romeToUtc(2020, 9, 25, 2, 0, 1)!).toISOString()).to.equal('2020-10-25T01:00:00.000Z');
    expect(romeLocal(Date.UTC(2020, 9, 25, 1)).hour).to.equal(2);
  });

  it('finds Easter and the Italian holidays', () => {
    expect(easter(2020)).to.deep.equal([3, 12]);
    expect(easter(2021)).to.deep.equal([3, 4]);
    const h = italianHolidays(2020);
    expect(h.has('3-13')).to.equal(true); // Easter Monday
    expect(h.has('11-25')).to.equal(true);
    expect(h.size).to.equal(11);
    expect(dayType(Date.UTC(2020, 3, 13, 10), h)).to.equal(2); // Easter Monday
    expect(dayType(Date.UTC(2020, 3, 18, 10), h)).to.equal(1); // a Saturday
    expect(dayType(Date.UTC(2020, 3, 20, 10), h)).to.equal(0);
  });
});
