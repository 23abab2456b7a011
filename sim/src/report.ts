import type { CumulativePoint } from './charts.js';
import type { SimReport } from './simulate.js';

const LABEL: Record<string, string> = { rda: 'RDA', sat: 'SAT', sa: 'SA', diversity: 'DIVERSITY' };

function fmtUsd(x: number): string {
  if (x >= 100) return Math.round(x).toLocaleString('en-US');
  if (x >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

/** The terminal table: one row per approach, USD per preset. */
export function formatTable(r: SimReport): string {
  const presets = r.presets.map((p) => p.name);
  const head = [
    'approach',
    'transactions',
    'gas',
    ...presets.map((p) => `USD ${p}`),
    `USD/prosumer/yr ${presets[0] ?? ''}`,
  ];
  const rows = r.approaches.map((a) => [
    LABEL[a.approach],
    a.transactions.toLocaleString('en-US'),
    BigInt(a.gasUsed).toLocaleString('en-US'),
    ...presets.map((p) => fmtUsd(a.usd[p])),
    presets[0] ? fmtUsd(a.usdPerProsumerYear[presets[0]]) : '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  for (const s of r.skipped) out.push(`${LABEL[s.approach]}: skipped (${s.reason})`);
  const m = r.ratios.measured;
  if (m.rda && m.sat)
    out.push(
      `gas ratio RDA : SAT : SA = ${m.rda} : ${m.sat} : 1   (paper, USD: ${r.ratios.paper.rda} : ${r.ratios.paper.sat} : 1)`,
    );
  return out.join('\n');
}

/** Cumulative USD per day and approach for one preset (chart 1). */
export function cumulativePoints(r: SimReport, preset: string): CumulativePoint[] {
  const p = r.presets.find((x) => x.name === preset) ?? r.presets[0];
  const pts: CumulativePoint[] = [];
  for (const a of r.approaches) {
    const usdPerGas = a.usd[p.name] / Number(a.gasUsed);
    let cum = 0;
    a.gasByDay.forEach((g, day) => {
      cum += Number(g);
      pts.push({ day: day + 1, approach: LABEL[a.approach], usd: cum * usdPerGas });
    });
  }
  return pts;
}

/** The paper's year-end figures as chart references (only for a one-prosumer, whole-year run). */
export function paperRefs(r: SimReport): CumulativePoint[] {
  const days = Math.round((r.inputs.intervals * r.inputs.intervalSeconds) / 86_400);
  if (r.inputs.prosumers !== 1 || days < 365) return [];
  return r.approaches
    .filter((a) => r.paper.usd[a.approach] !== undefined)
    .map((a) => ({ day: days, approach: LABEL[a.approach], usd: r.paper.usd[a.approach] }));
}

/** JSON with bigint-safe numbers (bigints are already strings in the report). */
export function toJson(r: SimReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
