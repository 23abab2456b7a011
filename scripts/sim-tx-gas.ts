/**
 * Gas of each DIVERSITY transaction of a `diversity sim` replay, by function (approve, open, join, update,
 * close, claim): min, max, mean over the receipts of the live chain (the sim's report sums them by kind only).
 * Used for the per-transaction breakdown in docs/simulator.md.
 *
 *   npx tsx scripts/sim-tx-gas.ts --prosumers 10 --window 2880 --period 2020-01-01/2020-03-01 --signatures ecdsa
 */
import { Interface } from 'ethers';
import { parseArgs } from 'node:util';
import { loadArtifact } from '../node/src/chain/artifacts.js';
import { chainProvider } from '../node/src/chain/provider.js';
import { defaultSimOptions } from '../sim/src/options.js';
import { simulate } from '../sim/src/simulate.js';

const { values } = parseArgs({
  options: {
    prosumers: { type: 'string', default: '10' },
    window: { type: 'string', default: '2880' },
    period: { type: 'string', default: '2020-01-01/2020-03-01' },
    signatures: { type: 'string', default: 'ecdsa' },
  },
});

const ifaces = [new Interface(loadArtifact('Hub').abi), new Interface(loadArtifact('CommunityToken').abi)];
const nameOf = (data: string): string => {
  for (const i of ifaces) {
    const f = i.getFunction(data.slice(0, 10));
    if (f) return f.name;
  }
  return data.slice(0, 10);
};

const byFn = new Map<string, bigint[]>();
/** Largest calldata per function, bytes (geth's pool refuses transactions over 128 KiB). */
const dataBytes = new Map<string, number>();
const report = await simulate(
  {
    ...defaultSimOptions,
    approaches: ['diversity'],
    prosumers: Number(values.prosumers),
    windowIntervals: Number(values.window),
    period: values.period,
    signatures: values.signatures as 'ecdsa' | 'bls',
  },
  {
    inspect: async ({ rpcUrl }) => {
      const p = chainProvider(rpcUrl);
      const head = await p.getBlockNumber();
      for (let b = 1; b <= head; b++) {
        const block = await p.getBlock(b, true);
        for (const tx of block!.prefetchedTransactions) {
          const r = await p.getTransactionReceipt(tx.hash);
          if (r!.contractAddress) continue;
          const fn = nameOf(tx.data);
          byFn.set(fn, [...(byFn.get(fn) ?? []), r!.gasUsed]);
          dataBytes.set(fn, Math.max(dataBytes.get(fn) ?? 0, (tx.data.length - 2) / 2));
        }
      }
      p.destroy();
    },
  },
);
const d = report.approaches[0];
console.log(
  `N = ${values.prosumers}, window ${values.window}, ${values.period}, ${values.signatures}: ${d.transactions} transactions, ${d.gasUsed} gas`,
);
for (const [fn, gas] of byFn) {
  const sum = gas.reduce((a, b) => a + b, 0n);
  const min = gas.reduce((a, b) => (b < a ? b : a));
  const max = gas.reduce((a, b) => (b > a ? b : a));
  console.log(
    `${fn.padEnd(10)} ${String(gas.length).padStart(5)} tx  min ${min}  max ${max}  mean ${sum / BigInt(gas.length)}  sum ${sum}  calldata ≤ ${dataBytes.get(fn)} B`,
  );
}
