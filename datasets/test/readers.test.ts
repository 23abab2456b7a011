import { expect } from 'chai';
import { readEntsoe } from '../src/readers/entsoe.js';
import { readOpsd } from '../src/readers/opsd.js';
import { readPlainCsv } from '../src/readers/plainCsv.js';
import { detectFormat, readSeries } from '../src/readers/detect.js';
import { DatasetErrorCode } from '../src/errors.js';
import { expectCode, fixtures } from './helpers.js';

const LOAD_HEADER =
  '"Time (CET/CEST)","Day-ahead Total Load Forecast [MW] - Italy (IT)","Actual Total Load [MW] - Italy (IT)"';
const row = (d: string, h: number, v: string): string => {
  const hh = String(h).padStart(2, '0');
  const h2 = String(h + 1).padStart(2, '0');
  return `"${d} ${hh}:00 - ${d} ${h2}:00","${v}","${v}"`;
};
const iso = (ms: number): string => new Date(ms).toISOString();

describe('datasets/readers', () => {
  const fx = fixtures();
  after(() => fx.cleanup());

  describe('ENTSO-E', () => {
    it('drops the empty spring hour and keeps UTC regular', () => {
      const f = fx.write(
        'spring.csv',
        [
          LOAD_HEADER,
          row('29.03.2020', 0, '1000'),
          row('29.03.2020', 1, '2000'),
          row('29.03.2020', 2, ''),
          row('29.03.2020', 3, '3000'),
          row('29.03.2020', 4, '4000'),
        ].join('\n'),
      );
      const s = readEntsoe(f, { column: 'load' });
      expect(iso(s.startMs)).to.equal('2020-03-28T23:00:00.000Z');
      expect(s.stepSeconds).to.equal(3600);
      expect(Array.from(s.values)).to.deep.equal([1e6, 2e6, 3e6, 4e6]); // MW over 1 h -> kWh
    });

    it('splits the doubled autumn hour into two UTC hours (CEST first)', () => {
      const f = fx.write(
        'autumn.csv',
        [
          LOAD_HEADER,
          row('25.10.2020', 0, '10'),
          row('25.10.2020', 1, '11'),
          row('25.10.2020', 2, '12'),
          row('25.10.2020', 2, '13'),
          row('25.10.2020', 3, '14'),
        ].join('\n'),
      );
      const s = readEntsoe(f);
      expect(iso(s.startMs)).to.equal('2020-10-24T22:00:00.000Z');
      expect(s.values.length).to.equal(5);
      expect(s.values[2]).to.equal(12_000);
      expect(s.values[3]).to.equal(13_000);
    });

    it('reads the solar column of a generation-per-type export', () => {
      const header = '"Area","MTU","Biomass - Actual Aggregated [MW]","Solar - Actual Aggregated [MW]"';
      const f = fx.write(
        'gen.csv',
        [
          header,
          '"Italy (IT)","01.07.2020 12:00 - 01.07.2020 13:00 (CET/CEST)","n/e","9000"',
          '"Italy (IT)","01.07.2020 13:00 - 01.07.2020 14:00 (CET/CEST)","n/e","8500.5"',
        ].join('\n'),
      );
      const s = readEntsoe(f, { column: 'solar' });
      expect(iso(s.startMs)).to.equal('2020-07-01T10:00:00.000Z');
      expect(Array.from(s.values)).to.deep.equal([9e6, 8.5005e6]);
    });

    it('reports a bad value with its line and column', () => {
      const f = fx.write('bad.csv', [LOAD_HEADER, row('01.01.2020', 0, '1'), row('01.01.2020', 1, 'abc')].join('\n'));
      const t = expectCode(() => readEntsoe(f), DatasetErrorCode.BAD_VALUE);
      expect(t).to.include({ line: 3, column: 3 }); // the actual-load column
    });

    it('reports a missing value outside the spring hour', () => {
      const f = fx.write(
        'missing.csv',
        [LOAD_HEADER, row('01.01.2020', 0, '1'), `"01.01.2020 01:00 - 01.01.2020 02:00","5",""`].join('\n'),
      );
      expect(expectCode(() => readEntsoe(f), DatasetErrorCode.BAD_VALUE)).to.include({ line: 3, column: 3 });
    });

    it('reports a gap, a bad label and a spring hour with values', () => {
      const gap = fx.write('gap.csv', [LOAD_HEADER, row('01.01.2020', 0, '1'), row('01.01.2020', 2, '1')].join('\n'));
      expect(expectCode(() => readEntsoe(gap), DatasetErrorCode.IRREGULAR)).to.include({ line: 3, column: 1 });
      const label = fx.write(
        'label.csv',
        [LOAD_HEADER, row('01.01.2020', 0, '1'), '"2020-01-01 01:00","1","1"'].join('\n'),
      );
      expect(expectCode(() => readEntsoe(label), DatasetErrorCode.BAD_TIMESTAMP)).to.include({ line: 3, column: 1 });
      const spring = fx.write(
        'spring-bad.csv',
        [LOAD_HEADER, row('29.03.2020', 1, '1'), row('29.03.2020', 2, '7'), row('29.03.2020', 3, '1')].join('\n'),
      );
      expect(expectCode(() => readEntsoe(spring), DatasetErrorCode.BAD_TIMESTAMP)).to.include({ line: 3 });
    });

    it('reports a row with the wrong number of fields', () => {
      const f = fx.write(
        'fields.csv',
        [LOAD_HEADER, row('01.01.2020', 0, '1'), '"01.01.2020 01:00 - 01.01.2020 02:00","1"'].join('\n'),
      );
      expect(expectCode(() => readEntsoe(f), DatasetErrorCode.BAD_CSV)).to.include({ line: 3 });
    });
  });

  describe('OPSD', () => {
    const header = 'utc_timestamp,cet_cest_timestamp,IT_load_actual_entsoe_transparency,IT_solar_generation_actual';
    it('reads MW columns as kWh and trims the empty ends', () => {
      const f = fx.write(
        'opsd.csv',
        [
          header,
          '2019-12-31T22:00:00Z,x,,',
          '2019-12-31T23:00:00Z,x,30000,0',
          '2020-01-01T00:00:00Z,x,29000,0',
          '2020-01-01T01:00:00Z,x,,',
        ].join('\n'),
      );
      const load = readOpsd(f, { column: 'load' });
      expect(iso(load.startMs)).to.equal('2019-12-31T23:00:00.000Z');
      expect(Array.from(load.values)).to.deep.equal([3e7, 2.9e7]);
      expect(readOpsd(f, { column: 'solar' }).values.length).to.equal(2);
    });

    it('rejects an interior gap with the line', () => {
      const f = fx.write(
        'opsd-gap.csv',
        [header, '2020-01-01T00:00:00Z,x,1,0', '2020-01-01T01:00:00Z,x,,0', '2020-01-01T02:00:00Z,x,1,0'].join('\n'),
      );
      expect(expectCode(() => readOpsd(f), DatasetErrorCode.BAD_VALUE)).to.include({ line: 3, column: 3 });
      const f2 = fx.write(
        'opsd-skip.csv',
        [header, '2020-01-01T00:00:00Z,x,1,0', '2020-01-01T01:00:00Z,x,1,0', '2020-01-01T03:00:00Z,x,1,0'].join('\n'),
      );
      expect(expectCode(() => readOpsd(f2), DatasetErrorCode.IRREGULAR)).to.include({ line: 4, column: 1 });
    });

    it('names the missing column', () => {
      const f = fx.write(
        'opsd-col.csv',
        ['utc_timestamp,DE_load_actual_entsoe_transparency', '2020-01-01T00:00:00Z,1'].join('\n'),
      );
      expectCode(() => readOpsd(f, { column: 'solar' }), DatasetErrorCode.MISSING_COLUMN);
    });
  });

  describe('plain timestamp,kWh', () => {
    it('reads kWh per interval with zone offsets', () => {
      const f = fx.write(
        'plain.csv',
        [
          'timestamp,kWh',
          '2020-01-01T00:00:00+01:00,0.1',
          '2020-01-01T00:15:00+01:00,0.2',
          '2020-01-01T00:30:00+01:00,0.3',
        ].join('\n'),
      );
      const s = readPlainCsv(f);
      expect(iso(s.startMs)).to.equal('2019-12-31T23:00:00.000Z');
      expect(s.stepSeconds).to.equal(900);
      expect(Array.from(s.values)).to.deep.equal([0.1, 0.2, 0.3]);
    });

    it('reads Wh columns and picks the energy column by name', () => {
      const f = fx.write(
        'plain-wh.csv',
        ['utc_timestamp,note,energy_Wh', '2020-06-01T00:00:00Z,a,500', '2020-06-01T01:00:00Z,b,250'].join('\n'),
      );
      const s = readPlainCsv(f);
      expect(Array.from(s.values)).to.deep.equal([0.5, 0.25]);
      expect(s.stepSeconds).to.equal(3600);
    });

    it('rejects timestamps without a zone, repeats and negative energy', () => {
      const naive = fx.write('naive.csv', ['timestamp,kWh', '2020-01-01T00:00:00,1'].join('\n'));
      expect(expectCode(() => readPlainCsv(naive), DatasetErrorCode.BAD_TIMESTAMP)).to.include({ line: 2, column: 1 });
      const rep = fx.write(
        'rep.csv',
        ['timestamp,kWh', '2020-01-01T00:00:00Z,1', '2020-01-01T00:15:00Z,1', '2020-01-01T00:15:00Z,1'].join('\n'),
      );
      expect(expectCode(() => readPlainCsv(rep), DatasetErrorCode.IRREGULAR)).to.include({ line: 4 });
      const neg = fx.write('neg.csv', ['timestamp,kWh', '2020-01-01T00:00:00Z,-1'].join('\n'));
      expect(expectCode(() => readPlainCsv(neg), DatasetErrorCode.BAD_VALUE)).to.include({ line: 2, column: 2 });
    });
  });

  describe('format detection', () => {
    it('tells the formats apart by header', () => {
      expect(detectFormat(['Time (CET/CEST)', 'x'])).to.equal('entsoe');
      expect(detectFormat(['Area', 'MTU', 'Solar - Actual Aggregated [MW]'])).to.equal('entsoe');
      expect(detectFormat(['utc_timestamp', 'IT_load_actual_entsoe_transparency'])).to.equal('opsd');
      expect(detectFormat(['timestamp', 'kWh'])).to.equal('plain');
      expect(detectFormat(['a', 'b'])).to.equal(null);
      const f = fx.write('unknown.csv', 'a,b\n1,2\n');
      expectCode(() => readSeries(f, { column: 'load' }), DatasetErrorCode.UNKNOWN_FORMAT);
      expectCode(() => readSeries(`${f}.nope`, { column: 'load' }), DatasetErrorCode.FILE_NOT_FOUND);
    });
  });
});
