import { DatasetError, DatasetErrorCode } from '../errors.js';
import type { EnergySeries } from '../series.js';
import { cellIsoTime, cellNumber, findColumn, parseCsv, readText, type CsvTable } from './csv.js';

export interface PlainReadOptions {
  /** Timestamp column (start of interval, ISO 8601 with zone); default: the first column. */
  timeColumn: string;
  /** Energy column; default: the second column. */
  column: string;
  /** Unit of the energy column. */
  unit: 'kWh' | 'Wh';
  /** Interval length when the file has a single row; otherwise inferred. */
  stepSeconds: number;
}

export const defaultPlainReadOptions: PlainReadOptions = { timeColumn: '', column: '', unit: 'kWh', stepSeconds: 900 };

/**
 * Reads a plain `timestamp,kWh` CSV: one row per interval, the energy of the interval that
 * starts at the timestamp. The series must be regular (no gaps, no repeats).
 */
export function readPlainCsv(file: string, opts: Partial<PlainReadOptions> = {}, text?: string): EnergySeries {
  return plainFromTable(parseCsv(text ?? readText(file), file), { ...defaultPlainReadOptions, ...opts });
}

export function plainFromTable(t: CsvTable, o: PlainReadOptions): EnergySeries {
  const timeCol = o.timeColumn ? findColumn(t, o.timeColumn) : 0;
  // Default: the first column named like an energy in kWh/Wh, else the second column.
  const named = t.header.findIndex((h, i) => i !== timeCol && /k?wh/i.test(h));
  const col = o.column ? findColumn(t, o.column) : named >= 0 ? named : 1;
  if (col >= t.header.length)
    throw new DatasetError({ code: DatasetErrorCode.MISSING_COLUMN, file: t.file, column: 'kWh', available: t.header });
  const times = t.rows.map((r) => cellIsoTime(t, r, timeCol));
  const stepMs = times.length > 1 ? times[1] - times[0] : o.stepSeconds * 1000;
  const values = new Float64Array(times.length);
  const unit = o.column ? o.unit : /(^|[^k])wh/i.test(t.header[col]) && !/kwh/i.test(t.header[col]) ? 'Wh' : o.unit;
  const k = unit === 'Wh' ? 1 / 1000 : 1;
  for (let i = 0; i < times.length; i++) {
    const r = t.rows[i];
    if (stepMs <= 0 || times[i] !== times[0] + i * stepMs) {
      throw new DatasetError({
        code: DatasetErrorCode.IRREGULAR,
        file: t.file,
        line: r.line,
        column: timeCol + 1,
        reason: `expected ${new Date(times[0] + i * Math.max(stepMs, 0)).toISOString()}`,
      });
    }
    const v = cellNumber(t, r, col);
    if (v === null || v < 0)
      throw new DatasetError({
        code: DatasetErrorCode.BAD_VALUE,
        file: t.file,
        line: r.line,
        column: col + 1,
        value: r.fields[col],
      });
    values[i] = v * k;
  }
  return { name: t.header[col], startMs: times[0], stepSeconds: stepMs / 1000, values };
}
