// The replay's two signing paths, measured in the same run on the same readings: a full year of RDA
// (one transaction per reading) signed by anvil (`--signing node`, the default) and in JavaScript
// (`--signing local`, the old path). Gas and signed bytes must be identical; only the time differs.
//
//   npx tsx sim/bench/replay-speed.ts [period]      (default: the whole built-in year 2020)
import { defaultSimOptions } from '../src/options.js';
import { communityReadings } from '../src/simulate.js';
import { runApproach } from '../src/replay/engine.js';
import { defaultReplayOptions } from '../src/replay/types.js';

const period = process.argv[2] ?? '';
const { readings } = communityReadings({ ...defaultSimOptions, period });
const runs: Record<string, { seconds: number; gas: bigint; bytes: number; tx: number }> = {};
for (const signing of ['node', 'local'] as const) {
  const r = await runApproach('rda', readings, defaultReplayOptions, { sender: { signing } });
  runs[signing] = { seconds: r.seconds, gas: r.gasUsed, bytes: r.rawBytes, tx: r.transactions };
  console.log(`RDA ${period || 'year 2020'}, signing ${signing.padEnd(5)}: ${r.transactions} tx, ${r.gasUsed} gas, ${r.rawBytes} signed bytes, ${r.seconds.toFixed(1)} s`);
}
const same = runs.node.gas === runs.local.gas && runs.node.bytes === runs.local.bytes && runs.node.tx === runs.local.tx;
console.log(same ? `same gas and bytes; ${(runs.local.seconds / runs.node.seconds).toFixed(2)}x faster with anvil signing` : 'MISMATCH between the signing paths');
process.exit(same ? 0 : 1);
