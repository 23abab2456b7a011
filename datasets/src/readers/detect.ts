import { DatasetError, DatasetErrorCode } from '../errors.js';
import type { EnergySeries } from '../series.js';
import { parseCsv, readText } from './csv.js';
import { entsoeFromTable, isEntsoe } from './entsoe.js';
import { isOpsd, opsdFromTable } from './opsd.js';
import { defaultPlainReadOptions, plainFromTable } from './plainCsv.js';

export type DatasetFormat = 'entsoe' | 'opsd' | 'plain';

export interface ReadSeriesOptions {
  /** 'load' | 'solar' | an exact column header; for plain files, '' = second column. */
  column: string;
}

/** Which reader a header calls for. */
export function detectFormat(header: string[]): DatasetFormat | null {
  if (isEntsoe(header)) return 'entsoe';
  if (isOpsd(header)) return 'opsd';
  if (header.length >= 2 && /time|date/i.test(header[0])) return 'plain';
  return null;
}

/** Reads one series from a file in any supported format, picking the reader from the header. */
export function readSeries(file: string, opts: ReadSeriesOptions): { format: DatasetFormat; series: EnergySeries } {
  const t = parseCsv(readText(file), file);
  const format = detectFormat(t.header);
  switch (format) {
    case 'entsoe':
      return { format, series: entsoeFromTable(t, { column: opts.column, missing: 'error' }) };
    case 'opsd':
      return { format, series: opsdFromTable(t, { column: opts.column }) };
    case 'plain':
      return {
        format,
        series: plainFromTable(t, { ...defaultPlainReadOptions, column: opts.column === 'load' ? '' : opts.column }),
      };
    default:
      throw new DatasetError({ code: DatasetErrorCode.UNKNOWN_FORMAT, file, header: t.header.join(',') });
  }
}
