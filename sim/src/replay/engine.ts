import { startAnvil, type AnvilOptions } from '../../../node/src/chain/anvil.js';
import { ensureBuilt } from '../../../node/src/chain/artifacts.js';
import { ReplayError, ReplayErrorCode } from './errors.js';
import { JsonRpc, defaultRpcOptions } from './rpc.js';
import { TxSender, defaultSenderOptions, type SenderOptions, type TxOutcome } from './sender.js';
import {
  sessionRanges,
  type Approach,
  type ApproachName,
  type ApproachResult,
  type CommunityReadings,
  type ReplayOptions,
} from './types.js';
import { RdaApproach } from './approaches/rda.js';
import { SatApproach } from './approaches/sat.js';
import { SaApproach } from './approaches/sa.js';
import { DiversityApproach } from './approaches/diversity.js';

export interface EngineModules {
  /** Builds the approach; the default knows rda, sat, sa and diversity. */
  approachFactory?: (name: ApproachName) => Approach;
  /** Called after every mined transaction of the approach: (done, total). */
  onProgress?: (approach: ApproachName, done: number, total: number) => void;
  anvil?: Partial<AnvilOptions>;
  /** Called with the live chain after the last receipt, before anvil stops (tests read state here). */
  inspect?: (chain: { rpcUrl: string; approach: Approach; sender: TxSender }) => Promise<void>;
  sender?: Partial<SenderOptions>;
}

export const ARTIFACTS: Record<ApproachName, string[]> = {
  rda: ['RawDataLogger'],
  sat: ['SessionTraceLogger'],
  sa: ['SessionAggregateLogger'],
  diversity: ['Hub', 'CommunityToken'],
};

export function defaultApproachFactory(name: ApproachName): Approach {
  switch (name) {
    case 'rda':
      return new RdaApproach();
    case 'sat':
      return new SatApproach();
    case 'sa':
      return new SaApproach();
    case 'diversity':
      return new DiversityApproach();
  }
}

/** How many transactions an approach will send (for the progress bar); exact for the baselines. */
export function expectedTransactions(name: ApproachName, r: CommunityReadings, o: ReplayOptions): number {
  const sessions = sessionRanges(r, o).length;
  switch (name) {
    case 'rda':
      return r.intervals * r.meters;
    case 'diversity':
      return 2 * r.meters + 1 + Math.ceil(r.intervals / o.windowIntervals) + 1; // at most: approve+join ×N, open, updates, close
    default:
      return sessions; // at least; SAT splits add more for big communities
  }
}

/**
 * Replays one approach on a fresh anvil: deploys its contracts, sends every transaction with
 * the fast path, sums gas from the receipts, and stops anvil whatever happens.
 */
export async function runApproach(
  name: ApproachName,
  readings: CommunityReadings,
  opts: ReplayOptions,
  modules: EngineModules = {},
): Promise<ApproachResult> {
  if (opts.sessionStarts ? opts.sessionStarts.some((t) => t % 4 !== 0) : opts.sessionIntervals % 4 !== 0) {
    throw new RangeError('sessions must start at multiples of 4 intervals (SAT packs four readings per word)');
  }
  // DIVERSITY builds (or finds elsewhere) its own artifacts through its hub binding.
  if (name !== 'diversity') ensureBuilt(ARTIFACTS[name]);
  const approach = (modules.approachFactory ?? defaultApproachFactory)(name);
  const t0 = performance.now();
  const anvil = await startAnvil({
    accounts: Math.max(2, approach.accountsNeeded(readings)),
    noMining: true,
    blockGasLimit: 1n << 40n,
    ...modules.anvil,
  });
  const days = Math.ceil((readings.intervals * readings.intervalSeconds) / 86_400);
  const result: ApproachResult = {
    approach: name,
    transactions: 0,
    gasUsed: 0n,
    rawBytes: 0,
    deployTransactions: 0,
    deployGas: 0n,
    maxTxGas: 0n,
    byKind: {},
    gasByDay: new Array<bigint>(Math.max(1, days)).fill(0n),
    seconds: 0,
  };
  const total = expectedTransactions(name, readings, opts);
  const onOutcome = (o: TxOutcome): void => {
    if (o.gasUsed > opts.txGasCap)
      throw new ReplayError({ code: ReplayErrorCode.OVER_TX_GAS_CAP, gas: o.gasUsed, cap: opts.txGasCap });
    // Deployments and test-token minting are nobody's protocol cost: reported apart.
    if (o.spec.deployment || o.spec.kind === 'funding') {
      result.deployTransactions++;
      result.deployGas += o.gasUsed;
      return;
    }
    result.transactions++;
    result.gasUsed += o.gasUsed;
    result.rawBytes += o.rawBytes;
    if (o.gasUsed > result.maxTxGas) result.maxTxGas = o.gasUsed;
    const kind = o.spec.kind ?? 'data';
    result.byKind[kind] ??= { transactions: 0, gasUsed: 0n };
    const k = result.byKind[kind];
    k.transactions++;
    k.gasUsed += o.gasUsed;
    const day = Math.min(
      result.gasByDay.length - 1,
      Math.floor((Math.max(0, o.spec.atInterval) * readings.intervalSeconds) / 86_400),
    );
    result.gasByDay[day] += o.gasUsed;
    modules.onProgress?.(name, result.transactions, Math.max(total, result.transactions));
  };
  try {
    const rpc = new JsonRpc(defaultRpcOptions, { url: anvil.rpcUrl });
    const sender = new TxSender(
      { ...defaultSenderOptions, ...modules.sender },
      {
        rpc,
        chainId: anvil.chainId,
        privateKeys: anvil.privateKeys,
        onOutcome,
      },
    );
    await sender.init();
    const ctx = { readings, opts, sender };
    await approach.deploy(ctx);
    for await (const spec of approach.transactions(ctx)) await sender.push(spec);
    await sender.settle();
    await modules.inspect?.({ rpcUrl: anvil.rpcUrl, approach, sender });
    if (process.env.DIVERSITY_SIM_TIMINGS) console.error(name, sender.timings);
  } finally {
    await anvil.stop();
  }
  result.seconds = (performance.now() - t0) / 1000;
  return result;
}
