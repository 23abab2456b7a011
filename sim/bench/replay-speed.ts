// The replay's fast path against the old one, measured in the same run on the same readings: a full
// year of RDA (one transaction per reading). New: anvil signs (`--signing node`, the default) and a
// batch's receipts are read while the next batch is sent and mined. Old: signed in JavaScript, receipts
// read before the next batch is sent. Gas and signed bytes must be identical; only the time differs.
//
//   npx tsx sim/bench/replay-speed.ts [period] [new|old]   (default: the whole built-in year 2020, both paths)
//
// On a shared machine wall time follows the load; run one path per process under `/usr/bin/time` to
// see the CPU time it costs (anvil included: it is a child of the process).
import { defaultSimOptions } from '../src/options.js';
import { communityReadings } from '../src/simulate.js';
import { runApproach } from '../src/replay/engine.js';
import { defaultReplayOptions } from '../src/replay/types.js';

const period = process.argv[2] ?? '';
const only = process.argv[3];
const { readings } = communityReadings({ ...defaultSimOptions, period });
const runs: Record<string, { seconds: number; gas: bigint; bytes: number; tx: number }> = {};
const paths = {
  new: { signing: 'node', overlapReceipts: true },
  old: { signing: 'local', overlapReceipts: false },
} as const;
for (const [name, sender] of Object.entries(paths)) {
  if (only && only !== name) continue;
  const r = await runApproach('rda', readings, defaultReplayOptions, { sender });
  runs[name] = { seconds: r.seconds, gas: r.gasUsed, bytes: r.rawBytes, tx: r.transactions };
  console.log(
    `RDA ${period || 'year 2020'}, ${name} path (${JSON.stringify(sender)}): ${r.transactions} tx, ${r.gasUsed} gas, ${r.rawBytes} signed bytes, ${r.seconds.toFixed(1)} s`,
  );
}
if (only) process.exit(0);
const same = runs.new.gas === runs.old.gas && runs.new.bytes === runs.old.bytes && runs.new.tx === runs.old.tx;
console.log(
  same
    ? `same gas and bytes; new ${runs.new.seconds.toFixed(1)} s against old ${runs.old.seconds.toFixed(1)} s (${(runs.old.seconds / runs.new.seconds).toFixed(2)}x)`
    : 'MISMATCH between the paths',
);
process.exit(same ? 0 : 1);
