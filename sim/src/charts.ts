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
    const r = new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: FONT } });
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
    const pngFile = file.replace(/\.svg$/i, '') + '.png';
    writeFileSync(pngFile, png);
    out.push(pngFile);
  }
  return out;
}

/**
 * Cumulative cost over the period per approach, log scale (the paper's Figure 3). `refs`
 * (e.g. the paper's year-end figures) are drawn as diamonds in the approach's colour.
 */
export function cumulativeSpec(points: CumulativePoint[], title: string, subtitle: string | string[], refs: CumulativePoint[] = []): TopLevelSpec {
  const x = { field: 'day', type: 'quantitative' as const, title: 'day of the period' };
  const y = { field: 'usd', type: 'quantitative' as const, title: 'cumulative cost (USD, log scale)', scale: { type: 'log' as const } };
  const color = { field: 'approach', type: 'nominal' as const, title: 'approach (◆ paper)', legend: { titleLimit: 300 }, sort: ['RDA', 'SAT', 'SA', 'DIVERSITY'] };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: title, subtitle, font: FONT, subtitleFont: FONT },
    width: 640,
    height: 360,
    background: 'white',
    config: { font: FONT },
    layer: [
      { data: { values: points.filter((p) => p.usd > 0) }, mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y, color } },
      ...(refs.length
        ? [{ data: { values: refs }, mark: { type: 'point' as const, shape: 'diamond', size: 120, filled: true }, encoding: { x, y, color } }]
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
        .map((p) => ({ ...p, order: ['RDA', 'SAT', 'SA'].indexOf(p.series) >= 0 ? ['RDA', 'SAT', 'SA'].indexOf(p.series) : 3 + parseFloat(p.series.replace(/^\D+/, '')) })),
    },
    mark: { type: 'line', point: true, strokeWidth: 2 },
    encoding: {
      x: { field: 'prosumers', type: 'quantitative', title: 'community size N (prosumers)', scale: { type: 'log' } },
      y: { field: 'usdPerProsumerYear', type: 'quantitative', title: 'USD per prosumer per year (log scale)', scale: { type: 'log' } },
      color: { field: 'series', type: 'nominal', title: 'approach', legend: { labelLimit: 300 }, sort: { field: 'order' } },
    },
  };
}
