import { DatasetError, DatasetErrorCode } from '../errors.js';
import type { EnergySeries } from '../series.js';
import { romeToUtc } from '../time.js';
import { cellNumber, findColumn, parseCsv, readText, type CsvTable } from './csv.js';

export interface EntsoeReadOptions {
  /** 'load' (Actual Total Load), 'solar' (Solar - Actual Aggregated) or an exact header. */
  column: string;
  /** What to do with an empty cell outside the skipped spring hour. */
  missing: 'error' | 'zero';
}

export const defaultEntsoeReadOptions: EntsoeReadOptions = { column: 'load', missing: 'error' };

const ALIASES: Record<string, RegExp> = {
  load: /^Actual Total Load \[MW\]/,
  solar: /^Solar - Actual Aggregated \[MW\]/,
};

/** True when the header looks like an ENTSO-E Transparency export. */
export function isEntsoe(header: string[]): boolean {
  return (
    header.some((h) => /^Time \((CET\/CEST|UTC)\)$/.test(h)) || (header.includes('MTU') && header.includes('Area'))
  );
}

const LABEL =
  /^(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2}) - (\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2})(?: \((CET\/CEST|UTC)\))?$/;

/**
 * Reads an ENTSO-E Transparency export ("Total Load - Day Ahead / Actual" or "Actual
 * Generation per Production Type"). Interval labels are local (CET/CEST) unless marked UTC:
 * the non-existent spring hour is an empty row and is dropped; the repeated autumn hour
 * appears twice, first CEST then CET. Values are mean MW per interval; the series holds kWh.
 */
export function readEntsoe(file: string, opts: Partial<EntsoeReadOptions> = {}, text?: string): EnergySeries {
  return entsoeFromTable(parseCsv(text ?? readText(file), file), { ...defaultEntsoeReadOptions, ...opts });
}

export function entsoeFromTable(t: CsvTable, o: EntsoeReadOptions): EnergySeries {
  const timeCol = t.header.findIndex((h) => /^Time \(/.test(h) || h === 'MTU');
  if (timeCol < 0)
    throw new DatasetError({
      code: DatasetErrorCode.MISSING_COLUMN,
      file: t.file,
      column: 'Time (CET/CEST) | MTU',
      available: t.header,
    });
  const utcHeader = t.header[timeCol] === 'Time (UTC)';
  const col = findColumn(t, o.column, ALIASES[o.column]);
  const seen = new Map<string, number>();
  const values: number[] = [];
  let startMs = NaN;
  let stepMs = NaN;
  let nextMs = NaN;
  for (const row of t.rows) {
    const label = row.fields[timeCol].trim();
    const m = LABEL.exec(label);
    if (!m)
      throw new DatasetError({
        code: DatasetErrorCode.BAD_TIMESTAMP,
        file: t.file,
        line: row.line,
        column: timeCol + 1,
        value: label,
      });
    const [, d, mo, y, h, mi, d2, mo2, y2, h2, mi2, zone] = m;
    const isUtc = utcHeader || zone === 'UTC';
    const lenMs = Date.UTC(+y2, +mo2 - 1, +d2, +h2, +mi2) - Date.UTC(+y, +mo - 1, +d, +h, +mi);
    const key = `${y}${mo}${d}${h}${mi}`;
    const occurrence = seen.get(key) ?? 0;
    seen.set(key, occurrence + 1);
    const v = cellNumber(t, row, col);
    const utc = isUtc
      ? Date.UTC(+y, +mo - 1, +d, +h, +mi)
      : romeToUtc(+y, +mo - 1, +d, +h, +mi, occurrence > 0 ? 1 : 0);
    if (utc === null) {
      // The skipped spring hour: the export lists it, empty.
      if (v === null) continue;
      throw new DatasetError({
        code: DatasetErrorCode.BAD_TIMESTAMP,
        file: t.file,
        line: row.line,
        column: timeCol + 1,
        value: `${label} (does not exist in CET/CEST)`,
      });
    }
    if (Number.isNaN(startMs)) {
      startMs = utc;
      // The label's own length would read 2 h for the doubled autumn hour; the step is the
      // difference between consecutive starts, checked against the first label.
      stepMs = lenMs > 0 ? lenMs : NaN;
      if (Number.isNaN(stepMs))
        throw new DatasetError({
          code: DatasetErrorCode.BAD_TIMESTAMP,
          file: t.file,
          line: row.line,
          column: timeCol + 1,
          value: label,
        });
      nextMs = utc;
    }
    if (utc !== nextMs) {
      throw new DatasetError({
        code: DatasetErrorCode.IRREGULAR,
        file: t.file,
        line: row.line,
        column: timeCol + 1,
        reason: `expected an interval starting ${new Date(nextMs).toISOString()}, got ${new Date(utc).toISOString()}`,
      });
    }
    nextMs += stepMs;
    if (v === null && o.missing === 'error') {
      throw new DatasetError({
        code: DatasetErrorCode.BAD_VALUE,
        file: t.file,
        line: row.line,
        column: col + 1,
        value: row.fields[col],
      });
    }
    values.push((((v ?? 0) * stepMs) / 3_600_000) * 1000); // MW over the step -> kWh
  }
  return { name: t.header[col], startMs, stepSeconds: stepMs / 1000, values: Float64Array.from(values) };
}
