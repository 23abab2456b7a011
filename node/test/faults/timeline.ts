/**
 * Where a window's time goes between its end and its update mined, from the node logs a fault run kept
 * (`FAULTS_LOG_LEVEL=info FAULTS_KEEP_LOGS=<dir> npm run faults -- "finality, 10"`):
 *
 *   npx tsx node/test/faults/timeline.ts <dir with node-*.log>
 *
 * Per window and stage, the milliseconds after the window's end (each node logs them against its own
 * clock, `CommunityClock.msAfterWindowEnd`): last reading stored, fold done (`window committed`), own
 * co-signature published, every co-signature held; min / median / max over the nodes, then the first
 * update sent (by whom, its rank) and the first node to see the window final.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const STAGES = [
  ['last reading', /window committed .*lastReadingMs=(-?\d+)/],
  ['folded', /window committed .*afterEndMs=(-?\d+)/],
  ['signed+published', /co-signature published .*afterEndMs=(-?\d+)/],
  ['all signatures', /every co-signature held .*afterEndMs=(-?\d+)/],
  ['submitting', /submitting window \(all signatures\) .*afterEndMs=(-?\d+)/],
  ['update sent', /update sent .*afterEndMs=(-?\d+)/],
  ['update mined (seen)', /update mined .*afterEndMs=(-?\d+)/],
  ['final (seen)', /window final on chain .*afterEndMs=(-?\d+)/],
] as const;

const dir = process.argv[2];
if (!dir) {
  console.error('usage: tsx node/test/faults/timeline.ts <dir with node-*.log>');
  process.exit(2);
}
const files = readdirSync(dir)
  .filter((f) => /^node-\d+\.log$/.test(f))
  .sort((a, b) => Number(a.slice(5, -4)) - Number(b.slice(5, -4)));
const nodes = files.length;
/** stage -> window -> [node, ms][] */
const seen = new Map<string, Map<number, [number, number][]>>();
for (const f of files) {
  const node = Number(f.slice(5, -4));
  for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
    const w = /\bwindow=(\d+)/.exec(line);
    if (!w) continue;
    for (const [stage, re] of STAGES) {
      const m = re.exec(line);
      if (!m) continue;
      const byWindow = seen.get(stage) ?? new Map<number, [number, number][]>();
      seen.set(stage, byWindow);
      const list = byWindow.get(Number(w[1])) ?? [];
      byWindow.set(Number(w[1]), list);
      // The first time per node (a re-fold or a replacement logs again).
      if (!list.some(([n]) => n === node)) list.push([node, Number(m[1])]);
    }
  }
}
const windows = [...new Set([...seen.values()].flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
for (const w of windows) {
  console.log(`window ${w} (rank 0: node ${w % nodes}), ms after its end, over the nodes:`);
  for (const [stage] of STAGES) {
    const list = seen.get(stage)?.get(w) ?? [];
    if (list.length === 0) continue;
    const ms = list.map(([, v]) => v).sort((a, b) => a - b);
    const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))];
    const slowest = list.reduce((a, b) => (b[1] > a[1] ? b : a));
    const first = list.reduce((a, b) => (b[1] < a[1] ? b : a));
    console.log(
      `  ${stage.padEnd(20)} n=${String(list.length).padStart(2)}  min ${String(ms[0]).padStart(6)}  median ${String(at(0.5)).padStart(6)}  max ${String(ms.at(-1)).padStart(6)} (node ${slowest[0]})${list.length < nodes ? `  first: node ${first[0]}` : ''}`,
    );
  }
}
