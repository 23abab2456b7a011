import { DatasetError, DatasetErrorCode } from '../errors.js';
import type { EnergySeries } from '../series.js';
import { cellIsoTime, cellNumber, findColumn, parseCsv, readText, type CsvTable } from './csv.js';

export interface OpsdReadOptions {
  /** 'load', 'solar' or an exact header such as IT_load_actual_entsoe_transparency. */
  column: string;
}

export const defaultOpsdReadOptions: OpsdReadOptions = { column: 'load' };

const ALIASES: Record<string, RegExp> = {
  load: /_load_actual_entsoe_transparency$/,
  solar: /_solar_generation_actual$/,
};

export function isOpsd(header: string[]): boolean {
  return header[0] === 'utc_timestamp' && header.some((h) => /_(load_actual|generation_actual)/.test(h));
}

/**
 * Reads an Open Power System Data style time series (`utc_timestamp` + columns in MW, mean
 * power per interval). Empty cells before the first and after the last value are trimmed
 * (OPSD pads every country to the full range); an empty cell in between is an error.
 */
export function readOpsd(file: string, opts: Partial<OpsdReadOptions> = {}, text?: string): EnergySeries {
  return opsdFromTable(parseCsv(text ?? readText(file), file), { ...defaultOpsdReadOptions, ...opts });
}

export function opsdFromTable(t: CsvTable, o: OpsdReadOptions): EnergySeries {
  const timeCol = findColumn(t, 'utc_timestamp');
  const col = findColumn(t, o.column, ALIASES[o.column]);
  const cells = t.rows.map((r) => cellNumber(t, r, col));
  const first = cells.findIndex((v) => v !== null);
  let last = cells.length - 1;
  while (last >= 0 && cells[last] === null) last--;
  if (first < 0) throw new DatasetError({ code: DatasetErrorCode.EMPTY, file: t.file });
  const times = t.rows.slice(first, last + 1).map((r) => cellIsoTime(t, r, timeCol));
  const stepMs = times.length > 1 ? times[1] - times[0] : 3_600_000;
  if (stepMs <= 0) {
    const r = t.rows[first + 1];
    throw new DatasetError({
      code: DatasetErrorCode.IRREGULAR,
      file: t.file,
      line: r.line,
      column: timeCol + 1,
      reason: 'timestamps not increasing',
    });
  }
  const values = new Float64Array(times.length);
  for (let k = 0; k < times.length; k++) {
    const r = t.rows[first + k];
    if (times[k] !== times[0] + k * stepMs) {
      throw new DatasetError({
        code: DatasetErrorCode.IRREGULAR,
        file: t.file,
        line: r.line,
        column: timeCol + 1,
        reason: `expected ${new Date(times[0] + k * stepMs).toISOString()}`,
      });
    }
    const v = cells[first + k];
    if (v === null)
      throw new DatasetError({
        code: DatasetErrorCode.BAD_VALUE,
        file: t.file,
        line: r.line,
        column: col + 1,
        value: r.fields[col],
      });
    values[k] = ((v * stepMs) / 3_600_000) * 1000; // MW over the step -> kWh
  }
  return { name: t.header[col], startMs: times[0], stepSeconds: stepMs / 1000, values };
}
