import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { DatasetError, DatasetErrorCode } from '../errors.js';

export interface CsvRow {
  /** 1-based line of the record in the file. */
  line: number;
  fields: string[];
}

export interface CsvTable {
  file: string;
  header: string[];
  rows: CsvRow[];
}

export function readText(file: string): string {
  if (!existsSync(file)) throw new DatasetError({ code: DatasetErrorCode.FILE_NOT_FOUND, file });
  return readFileSync(file, 'utf8');
}

/** Parses CSV text (comma, quotes, BOM) keeping each record's line for error messages. */
export function parseCsv(text: string, file: string): CsvTable {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { bom: true, info: true, skip_empty_lines: true, relax_column_count: true }) as never;
  } catch (e) {
    const err = e as { lines?: number; message?: string };
    throw new DatasetError({
      code: DatasetErrorCode.BAD_CSV,
      file,
      line: err.lines ?? 0,
      column: 0,
      reason: err.message ?? String(e),
    });
  }
  if (records.length === 0) throw new DatasetError({ code: DatasetErrorCode.EMPTY, file });
  const header = records[0].record.map((h) => h.trim());
  const rows: CsvRow[] = [];
  for (let i = 1; i < records.length; i++) {
    const { record, info } = records[i];
    if (record.length !== header.length) {
      throw new DatasetError({
        code: DatasetErrorCode.BAD_CSV,
        file,
        line: info.lines,
        column: Math.min(record.length, header.length) + 1,
        reason: `${record.length} fields, header has ${header.length}`,
      });
    }
    rows.push({ line: info.lines, fields: record });
  }
  if (rows.length === 0) throw new DatasetError({ code: DatasetErrorCode.EMPTY, file });
  return { file, header, rows };
}

/** Index of a column by exact name, or by the first header matching `pattern`. */
export function findColumn(t: CsvTable, name: string, pattern?: RegExp): number {
  let i = t.header.indexOf(name);
  if (i < 0 && pattern) i = t.header.findIndex((h) => pattern.test(h));
  if (i < 0)
    throw new DatasetError({ code: DatasetErrorCode.MISSING_COLUMN, file: t.file, column: name, available: t.header });
  return i;
}

/** A numeric cell; `null` for the empty / not-expected markers ("", "n/e", "N/A", "-"). */
export function cellNumber(t: CsvTable, row: CsvRow, col: number): number | null {
  const s = row.fields[col].trim();
  if (s === '' || s === 'n/e' || s === 'N/A' || s === '-') return null;
  const v = Number(s);
  if (!Number.isFinite(v)) {
    throw new DatasetError({
      code: DatasetErrorCode.BAD_VALUE,
      file: t.file,
      line: row.line,
      column: col + 1,
      value: s,
    });
  }
  return v;
}

/** An ISO-8601 timestamp with an explicit zone (Z or ±hh:mm / ±hhmm). */
export function cellIsoTime(t: CsvTable, row: CsvRow, col: number): number {
  const s = row.fields[col].trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.exec(s);
  if (!m)
    throw new DatasetError({
      code: DatasetErrorCode.BAD_TIMESTAMP,
      file: t.file,
      line: row.line,
      column: col + 1,
      value: s,
    });
  const [, y, mo, d, h, mi, sec, z] = m;
  let ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +(sec ?? 0));
  if (z !== 'Z') {
    const sign = z[0] === '-' ? -1 : 1;
    const digits = z.slice(1).replace(':', '');
    ms -= sign * (+digits.slice(0, 2) * 60 + +digits.slice(2)) * 60_000;
  }
  const check = new Date(Date.UTC(+y, +mo - 1, +d, +h, +mi));
  if (check.getUTCDate() !== +d || check.getUTCMonth() !== +mo - 1 || +h > 23 || +mi > 59) {
    throw new DatasetError({
      code: DatasetErrorCode.BAD_TIMESTAMP,
      file: t.file,
      line: row.line,
      column: col + 1,
      value: s,
    });
  }
  return ms;
}
