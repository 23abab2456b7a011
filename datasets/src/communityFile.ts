import { dirname, resolve } from 'node:path';
import { DatasetError, DatasetErrorCode } from './errors.js';
import { cellIsoTime, cellNumber, findColumn, parseCsv, readText, type CsvTable } from './readers/csv.js';
import { resample } from './resample.js';
import type { EnergySeries } from './series.js';

/**
 * An explicit community (`--community FILE`): each member's measured series instead of one profile
 * scaled into synthetic households. The file is JSON:
 *
 * ```
 * { "name": "...",
 *   "unit": "kWh",                      // per interval: "kWh" | "Wh" energy, or "kW" mean power
 *   "csv": "all.csv",                   // optional: one CSV with a column per member series
 *   "members": [
 *     { "name": "A", "load": "A.load", "pv": "A.pv" },            // columns of the shared CSV
 *     { "name": "B", "csv": "b.csv", "load": "load", "pv": "pv" }, // a CSV of its own
 *     { "name": "C", "csv": "c.csv", "import": "imp", "export": "exp" },
 *     { "name": "D", "net": "D.net" } ],                          // net = import - export
 *   "market": { "kind": "mmr" | "totals" | "auction", "gridBuyPrice": "0.25", "gridSellPrice": "0.05",
 *               "feederCapacityKwh": 0, "limits": { "A": { "bid": "0.20", "ask": "0.08" } } },
 *   "tariff": { ... },                  // node/src/window/tariff.ts `parseTariff`
 *   "rec": { "incentivePerMWh": "110", "key": "equal" | "consumption" | "production" } }
 * ```
 * CSV paths are relative to the JSON file. Each CSV has a `timestamp` column (ISO 8601 with a zone) of
 * interval starts at a regular step (hourly, 15-minute, or any whole number of seconds). The market,
 * tariff and rec blocks are kept as given for the caller to parse.
 */
export interface CommunityFile {
  file: string;
  name: string;
  unit: 'kWh' | 'Wh' | 'kW';
  startMs: number;
  /** Step of the source series, seconds. */
  stepSeconds: number;
  members: CommunityMemberSeries[];
  market?: Record<string, unknown>;
  tariff?: unknown;
  rec?: Record<string, unknown>;
}

/** One member's series in kWh per source interval (load and PV, or meter import and export). */
export interface CommunityMemberSeries {
  name: string;
  load: EnergySeries | null;
  pv: EnergySeries | null;
  import: EnergySeries | null;
  export: EnergySeries | null;
}

/** A member's integer meter readings at the replay's interval, with its load and PV when known. */
export interface CommunityMemberReadings {
  name: string;
  exportWh: Uint32Array;
  importWh: Uint32Array;
  loadWh: Uint32Array | null;
  pvWh: Uint32Array | null;
}

const fail = (file: string, reason: string): never => {
  throw new DatasetError({ code: DatasetErrorCode.BAD_COMMUNITY, file, reason });
};

interface Column {
  table: CsvTable;
  index: number;
}

/** Reads and checks a community file and every CSV it names. */
export function readCommunityFile(file: string): CommunityFile {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readText(file));
  } catch (e) {
    if (e instanceof DatasetError) throw e;
    return fail(file, `not JSON: ${(e as Error).message}`);
  }
  if (!json || typeof json !== 'object') return fail(file, 'expected a JSON object');
  const unit = json.unit ?? 'kWh';
  if (unit !== 'kWh' && unit !== 'Wh' && unit !== 'kW') {
    throw new DatasetError({
      code: DatasetErrorCode.BAD_UNIT,
      file,
      value: String(unit),
      reason: 'unit must be kWh, Wh (energy per interval) or kW (mean power)',
    });
  }
  if (!Array.isArray(json.members) || json.members.length === 0)
    return fail(file, 'members: expected a non-empty list');
  const dir = dirname(file);
  const tables = new Map<string, CsvTable>();
  const table = (path: string): CsvTable => {
    const full = resolve(dir, path);
    let t = tables.get(full);
    if (!t) {
      t = parseCsv(readText(full), full);
      tables.set(full, t);
    }
    return t;
  };
  const names = new Set<string>();
  const columns = (json.members as unknown[]).map((raw, k) => {
    if (!raw || typeof raw !== 'object') return fail(file, `members[${k}]: expected an object`);
    const m = raw as Record<string, unknown>;
    if (typeof m.name !== 'string' || m.name === '') return fail(file, `members[${k}]: a name is required`);
    if (names.has(m.name)) return fail(file, `members[${k}]: duplicate name ${m.name}`);
    names.add(m.name);
    const source = m.csv ?? json.csv;
    if (typeof source !== 'string')
      return fail(file, `members[${k}] (${m.name}): no CSV (give "csv" for the member or the community)`);
    const t = table(source);
    const col = (key: string): Column | null => {
      const header = m[key];
      return typeof header === 'string' ? { table: t, index: findColumn(t, header) } : null;
    };
    const c = { load: col('load'), pv: col('pv'), import: col('import'), export: col('export'), net: col('net') };
    const kinds = [
      c.load || c.pv ? 'load/pv' : '',
      c.import || c.export ? 'import/export' : '',
      c.net ? 'net' : '',
    ].filter(Boolean);
    if (kinds.length !== 1)
      return fail(
        file,
        `members[${k}] (${m.name}): give exactly one of load (+ pv), import + export, or net; got ${kinds.join(', ') || 'none'}`,
      );
    if ((c.import && !c.export) || (c.export && !c.import))
      return fail(file, `members[${k}] (${m.name}): import and export go together`);
    if (c.pv && !c.load) return fail(file, `members[${k}] (${m.name}): pv without load`);
    return { name: m.name as string, ...c };
  });
  // Time axis of each table: regular, and the same for every table.
  const axes = new Map<CsvTable, { startMs: number; stepSeconds: number; count: number }>();
  for (const t of tables.values()) axes.set(t, timeAxis(t));
  const [first, ...rest] = [...axes.entries()];
  for (const [t, a] of rest) {
    if (a.startMs !== first[1].startMs || a.stepSeconds !== first[1].stepSeconds || a.count !== first[1].count) {
      throw new DatasetError({
        code: DatasetErrorCode.LENGTH_MISMATCH,
        file: t.file,
        reason: `${a.count} rows of ${a.stepSeconds} s from ${new Date(a.startMs).toISOString()}, but ${first[0].file} has ${first[1].count} rows of ${first[1].stepSeconds} s from ${new Date(first[1].startMs).toISOString()}`,
      });
    }
  }
  const { startMs, stepSeconds } = first[1];
  // kW mean power over a step of h hours is kW * h kWh; Wh / 1000 kWh.
  const factor = unit === 'kW' ? stepSeconds / 3600 : unit === 'Wh' ? 1 / 1000 : 1;
  const series = (c: Column | null, name: string, allowNegative = false): EnergySeries | null => {
    if (!c) return null;
    const values = new Float64Array(c.table.rows.length);
    c.table.rows.forEach((row, i) => {
      const v = cellNumber(c.table, row, c.index);
      if (v === null || (!allowNegative && v < 0)) {
        throw new DatasetError({
          code: DatasetErrorCode.BAD_VALUE,
          file: c.table.file,
          line: row.line,
          column: c.index + 1,
          value: row.fields[c.index],
        });
      }
      values[i] = v * factor;
    });
    return { name, startMs, stepSeconds, values };
  };
  const members = columns.map((c): CommunityMemberSeries => {
    if (c.net) {
      const net = series(c.net, `${c.name}.net`, true)!;
      return {
        name: c.name,
        load: null,
        pv: null,
        import: { ...net, name: `${c.name}.import`, values: net.values.map((x) => Math.max(x, 0)) },
        export: { ...net, name: `${c.name}.export`, values: net.values.map((x) => Math.max(-x, 0)) },
      };
    }
    return {
      name: c.name,
      load: series(c.load, `${c.name}.load`),
      pv: series(c.pv, `${c.name}.pv`),
      import: series(c.import, `${c.name}.import`),
      export: series(c.export, `${c.name}.export`),
    };
  });
  return {
    file,
    name: typeof json.name === 'string' ? json.name : file,
    unit,
    startMs,
    stepSeconds,
    members,
    market: optionalObject(file, json.market, 'market'),
    tariff: json.tariff,
    rec: optionalObject(file, json.rec, 'rec'),
  };
}

/** A block of the community file that is an object when given (its fields are the caller's to parse). */
function optionalObject(file: string, v: unknown, what: string): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return fail(file, `${what}: expected an object`);
  return v as Record<string, unknown>;
}

/** Start, step and row count of a table's `timestamp` column; IRREGULAR on a gap, a repeat or a step change. */
function timeAxis(t: CsvTable): { startMs: number; stepSeconds: number; count: number } {
  const col = findColumn(t, 'timestamp');
  const times = t.rows.map((row) => cellIsoTime(t, row, col));
  if (times.length < 2) throw new DatasetError({ code: DatasetErrorCode.EMPTY, file: t.file });
  const step = times[1] - times[0];
  if (step <= 0 || step % 1000 !== 0) {
    throw new DatasetError({
      code: DatasetErrorCode.IRREGULAR,
      file: t.file,
      line: t.rows[1].line,
      column: col + 1,
      reason: 'timestamps must increase by whole seconds',
    });
  }
  for (let i = 2; i < times.length; i++) {
    const d = times[i] - times[i - 1];
    if (d !== step) {
      throw new DatasetError({
        code: DatasetErrorCode.IRREGULAR,
        file: t.file,
        line: t.rows[i].line,
        column: col + 1,
        reason:
          d > step
            ? `gap: ${d / 1000} s after the previous row, the step is ${step / 1000} s`
            : `${d <= 0 ? 'out of order or repeated' : 'step changes'}: ${d / 1000} s after the previous row`,
      });
    }
  }
  return { startMs: times[0], stepSeconds: step / 1000, count: times.length };
}

/**
 * kWh per interval -> integer Wh, rounding the running total so that the sum of the integers is the
 * rounded sum of the values (no rounding drift over a year).
 */
export function toWh(values: Float64Array): Uint32Array {
  const out = new Uint32Array(values.length);
  let sum = 0;
  let given = 0;
  for (let t = 0; t < values.length; t++) {
    sum += values[t] * 1000;
    const next = Math.round(sum);
    out[t] = next - given;
    given = next;
  }
  return out;
}

/**
 * Each member's meter readings at `intervalSeconds`: series resampled with energy conserved (an hour
 * split into four equal quarters; quarters summed into hours), then integer Wh; with load and PV the
 * meter sees the net flow (PV feeds the member's own load first).
 */
export function communityReadings(
  c: CommunityFile,
  intervalSeconds: number,
): { startMs: number; intervals: number; members: CommunityMemberReadings[] } {
  const ratio = intervalSeconds / c.stepSeconds;
  if (!(Number.isInteger(ratio) || Number.isInteger(1 / ratio))) {
    throw new DatasetError({
      code: DatasetErrorCode.BAD_RESOLUTION,
      reason: `cannot resample ${c.stepSeconds} s readings to ${intervalSeconds} s intervals (one must divide the other)`,
    });
  }
  const wh = (s: EnergySeries | null): Uint32Array | null => (s ? toWh(resample(s, intervalSeconds).values) : null);
  const members = c.members.map((m): CommunityMemberReadings => {
    if (m.import) return { name: m.name, importWh: wh(m.import)!, exportWh: wh(m.export)!, loadWh: null, pvWh: null };
    const loadWh = wh(m.load)!;
    const pvWh = wh(m.pv) ?? new Uint32Array(loadWh.length);
    const exportWh = new Uint32Array(loadWh.length);
    const importWh = new Uint32Array(loadWh.length);
    for (let t = 0; t < loadWh.length; t++) {
      const net = pvWh[t] - loadWh[t];
      if (net > 0) exportWh[t] = net;
      else importWh[t] = -net;
    }
    return { name: m.name, exportWh, importWh, loadWh, pvWh: m.pv ? pvWh : null };
  });
  const intervals = members[0].exportWh.length;
  if (intervals === 0) throw new DatasetError({ code: DatasetErrorCode.EMPTY, file: c.file });
  return { startMs: c.startMs, intervals, members };
}
