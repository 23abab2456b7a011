import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { projectRoot } from '../../src/chain/artifacts.js';

/**
 * The module graph (value imports; `import type` is erased): node/ never imports sim/, datasets/
 * never imports node/ or sim/, and no new import cycle appears (the one known is a helper shared
 * by the two market rules).
 */
describe('import graph', () => {
  const root = projectRoot();
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  for (const d of ['node/src', 'sim/src', 'datasets/src']) walk(join(root, d));
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const deps: string[] = [];
    for (const m of readFileSync(f, 'utf8').matchAll(/^import\s+(type\s+)?[^'"]*?from\s+'(\.[^']+)'/gm)) {
      if (!m[1]) deps.push(resolve(dirname(f), m[2]).replace(/\.js$/, '.ts'));
    }
    graph.set(
      relative(root, f),
      deps.map((d) => relative(root, d)),
    );
  }

  it('node/src imports nothing from sim/; datasets/src imports nothing from node/ or sim/', () => {
    const bad: string[] = [];
    for (const [f, deps] of graph) {
      for (const d of deps) {
        if (f.startsWith('node/') && d.startsWith('sim/')) bad.push(`${f} -> ${d}`);
        if (f.startsWith('datasets/') && !d.startsWith('datasets/')) bad.push(`${f} -> ${d}`);
      }
    }
    expect(bad).to.deep.equal([]);
  });

  it('no import cycle but the known one (window/market.ts <-> window/auction.ts)', () => {
    // Tarjan's strongly connected components.
    let next = 0;
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const visit = (v: string) => {
      index.set(v, next);
      low.set(v, next++);
      stack.push(v);
      onStack.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!graph.has(w)) continue;
        if (!index.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
      if (low.get(v) === index.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== v);
        if (component.length > 1) cycles.push(component.sort());
      }
    };
    for (const v of graph.keys()) if (!index.has(v)) visit(v);
    expect(cycles).to.deep.equal([['node/src/window/auction.ts', 'node/src/window/market.ts']]);
  });
});
