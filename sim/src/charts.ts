import { writeFileSync } from 'node:fs';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

export interface CumulativePoint {
  day: number;
  approach: string;
  usd: number;
}

export interface CommunityPoint {
  prosumers: number;
  series: string;
  usdPerProsumerYear: number;
}

const FONT = 'DejaVu Sans';

/** Renders a vega-lite spec to SVG in node (no canvas: a headless vega View). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** SVG to PNG with resvg, using the system fonts; null when resvg is unavailable. */
export async function svgToPng(svg: string): Promise<Buffer | null> {
  try {
    const { Resvg } = await import('@resvg/resvg-js');
    const r = new Resvg(svg, {
      background: 'white',
      fitTo: { mode: 'zoom', value: 2 },
      font: { loadSystemFonts: true, defaultFontFamily: FONT },
    });
    return r.render().asPng();
  } catch {
    return null;
  }
}

/** Writes `file` (.svg) and, beside it, the .png. Returns the paths written. */
export async function writeChart(spec: TopLevelSpec, file: string): Promise<string[]> {
  const svg = await renderSvg(spec);
  writeFileSync(file, svg);
  const out = [file];
  const png = await svgToPng(svg);
  if (png) {
    const pngFile = `${file.replace(/\.svg$/i, '')}.png`;
    writeFileSync(pngFile, png);
    out.push(pngFile);
  }
  return out;
}

/**
 * Cumulative cost over the period per approach, log scale (the paper's Figure 3). `refs`
 * (e.g. the paper's year-end figures) are drawn as diamonds in the approach's colour.
 */
export function cumulativeSpec(
  points: CumulativePoint[],
  title: string,
  subtitle: string | string[],
  refs: CumulativePoint[] = [],
): TopLevelSpec {
  const x = { field: 'day', type: 'quantitative' as const, title: 'day of the period' };
  const y = {
    field: 'usd',
    type: 'quantitative' as const,
    title: 'cumulative cost (USD, log scale)',
    scale: { type: 'log' as const },
  };
  const color = {
    field: 'approach',
    type: 'nominal' as const,
    title: 'approach (◆ paper)',
    legend: { titleLimit: 300 },
    sort: ['RDA', 'SAT', 'SA', 'DIVERSITY'],
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: title, subtitle, font: FONT, subtitleFont: FONT },
    width: 640,
    height: 360,
    background: 'white',
    config: { font: FONT },
    layer: [
      {
        data: { values: points.filter((p) => p.usd > 0) },
        mark: { type: 'line', strokeWidth: 2 },
        encoding: { x, y, color },
      },
      ...(refs.length
        ? [
            {
              data: { values: refs },
              mark: { type: 'point' as const, shape: 'diamond', size: 120, filled: true },
              encoding: { x, y, color },
            },
          ]
        : []),
    ],
  };
}

/** Cost per prosumer per year against community size, one line per approach / window length. */
export function communitySpec(points: CommunityPoint[], title: string, subtitle: string | string[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: title, subtitle, font: FONT, subtitleFont: FONT },
    width: 640,
    height: 360,
    background: 'white',
    config: { font: FONT },
    // Legend order: baselines first, then DIVERSITY by window length.
    data: {
      values: points
        .filter((p) => p.usdPerProsumerYear > 0)
        .map((p) => ({
          ...p,
          order:
            ['RDA', 'SAT', 'SA'].indexOf(p.series) >= 0
              ? ['RDA', 'SAT', 'SA'].indexOf(p.series)
              : 3 + parseFloat(p.series.replace(/^\D+/, '')) + (p.series.includes('BLS') ? 0.5 : 0),
        })),
    },
    mark: { type: 'line', point: true, strokeWidth: 2 },
    encoding: {
      x: { field: 'prosumers', type: 'quantitative', title: 'community size N (prosumers)', scale: { type: 'log' } },
      y: {
        field: 'usdPerProsumerYear',
        type: 'quantitative',
        title: 'USD per prosumer per year (log scale)',
        scale: { type: 'log' },
      },
      color: {
        field: 'series',
        type: 'nominal',
        title: 'approach',
        legend: { labelLimit: 300 },
        sort: { field: 'order' },
      },
    },
  };
}

/** Per member: kWh bought and sold peer to peer and imported from / exported to the grid (grouped bars). */
export function memberBarsSpec(
  members: Array<{ name: string; p2pBoughtWh: number; p2pSoldWh: number; gridImportWh: number; gridExportWh: number }>,
  title: string,
  subtitle: string | string[],
): TopLevelSpec {
  const flows = ['P2P bought', 'P2P sold', 'grid import', 'grid export'];
  const values = members.flatMap((m) => [
    { member: m.name, flow: flows[0], kwh: m.p2pBoughtWh / 1000 },
    { member: m.name, flow: flows[1], kwh: m.p2pSoldWh / 1000 },
    { member: m.name, flow: flows[2], kwh: m.gridImportWh / 1000 },
    { member: m.name, flow: flows[3], kwh: m.gridExportWh / 1000 },
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: title, subtitle, font: FONT, subtitleFont: FONT },
    width: { step: 14 },
    height: 320,
    background: 'white',
    config: { font: FONT },
    data: { values },
    mark: 'bar',
    encoding: {
      x: {
        field: 'member',
        type: 'nominal',
        title: 'member',
        sort: members.map((m) => m.name),
        axis: { labelAngle: -30 },
      },
      xOffset: { field: 'flow', type: 'nominal', sort: flows },
      y: { field: 'kwh', type: 'quantitative', title: 'kWh' },
      color: {
        field: 'flow',
        type: 'nominal',
        title: 'energy',
        sort: flows,
        scale: { range: ['#2ca02c', '#98df8a', '#d62728', '#ff9896'] },
      },
    },
  };
}

/** Community energy per interval (or day): P2P, grid import and grid export, as lines. */
export function flowsSpec(
  flows: {
    bucketSeconds: number;
    points: Array<{ interval: number; p2pWh: number; gridImportWh: number; gridExportWh: number }>;
  },
  title: string,
  subtitle: string | string[],
): TopLevelSpec {
  const unit = flows.bucketSeconds >= 86_400 ? 'day' : 'interval';
  const series = ['P2P (community)', 'grid import', 'grid export'];
  const values = flows.points.filter(Boolean).flatMap((p) => [
    { at: p.interval, flow: series[0], kwh: p.p2pWh / 1000 },
    { at: p.interval, flow: series[1], kwh: p.gridImportWh / 1000 },
    { at: p.interval, flow: series[2], kwh: p.gridExportWh / 1000 },
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: title, subtitle, font: FONT, subtitleFont: FONT },
    width: 640,
    height: 320,
    background: 'white',
    config: { font: FONT },
    data: { values },
    mark: { type: 'line', strokeWidth: 1.5, interpolate: 'step-after' },
    encoding: {
      x: {
        field: 'at',
        type: 'quantitative',
        title: `${unit} (${flows.bucketSeconds / 60} min each)`.replace(' (1440 min each)', ''),
      },
      y: { field: 'kwh', type: 'quantitative', title: `kWh per ${unit}` },
      color: {
        field: 'flow',
        type: 'nominal',
        title: 'energy',
        sort: series,
        scale: { range: ['#2ca02c', '#d62728', '#ff7f0e'] },
      },
    },
  };
}
