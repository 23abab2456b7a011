import type { CommandArgs } from '../args.js';
import type { Argv } from 'yargs';
import { formatUnits, parseUnits } from 'ethers';
import { formatMemberTable, formatPayoutTable } from '../../results/members.js';
import { Devnet, overviewUrl, type DevnetResult } from '../../devnet/devnet.js';
import { defaultDevnetOptions, type DevnetOptions } from '../../devnet/options.js';
import { createLogger } from '../../util/logger.js';
import { CliError, CliErrorCode } from '../errors.js';

const d = defaultDevnetOptions;

function parseProsumers(spec: string): DevnetOptions['prosumers'] {
  const list = spec.split(',').map((s) => Number(s.trim()));
  if (list.length < 2 || list.some((k) => !Number.isFinite(k) || k < 0)) {
    throw new CliError(
      CliErrorCode.BAD_OPTION,
      `--pv: a comma-separated list of kWp per prosumer (0 = no PV), at least two, got "${spec}"`,
    );
  }
  return list.map((pvKwp) => ({ pvKwp }));
}

export function printDevnetReport(r: DevnetResult, print: (l: string) => void): void {
  print('');
  print('== settlement per window');
  print('window  signatures  agree  P2P kWh  grid import kWh  grid export kWh  token flows (cEUR, + = received)');
  for (const w of r.windows) {
    print(
      `${String(w.window).padStart(6)}  ${String(w.signers).padStart(10)}  ${String(w.agreeing).padStart(5)}  ${w.p2pKwh.toFixed(3).padStart(7)}  ` +
        `${w.gridImportKwh.toFixed(3).padStart(15)}  ${w.gridExportKwh.toFixed(3).padStart(15)}  ${w.net.map((n) => formatUnits(n, 18)).join('  ')}`,
    );
  }
  if (r.members) {
    print('');
    print(
      `== per member over the ${r.windows.length} settled windows (${
        r.members.intervals > 0
          ? 'the fold of the replayed readings, equal to the final states on chain; grid legs at each interval’s tariff'
          : 'from the final states on chain; grid legs at the flat prices'
      }; energy kWh, money cEUR)`,
    );
    print(formatMemberTable(r.members, 18, 'cEUR'));
  }
  print('');
  if (r.payouts) {
    print('== close: each member paid by proof from the last balances root (cEUR; bond and credit on chain at close)');
    print(formatPayoutTable(r.payouts, 18));
    print('');
  }
  print('== gas per transaction kind (from receipts)');
  for (const [kind, list] of r.gas.entries) {
    const total = list.reduce((a, b) => a + b, 0n);
    print(
      `${kind.padEnd(26)} ${String(list.length).padStart(3)} tx  ${(total / BigInt(list.length)).toString().padStart(10)} gas each (avg)  ${total.toString().padStart(10)} total`,
    );
  }
  print('');
  print('== nodes');
  for (const n of r.nodes)
    print(
      `${n.name}  ${n.wallet.address}  page ${n.apiUrl}/  status ${n.apiUrl}/status  metrics ${n.apiUrl}/metrics  peer ${n.peerId}`,
    );
  if (r.nodes.length) print(`community overview: ${overviewUrl(r.nodes)}`);
  print('');
  if (r.ok)
    print(
      `OK: all ${r.windows.length} windows final on chain and every node agrees; every member was paid what its own fold says (${r.seconds.toFixed(1)} s)`,
    );
  else print(`FAILED after ${r.seconds.toFixed(1)} s:\n  ${r.problems.join('\n  ')}`);
}

const builder = (y: Argv) =>
  y
    .option('pv', {
      type: 'string',
      default: d.prosumers.map((p) => p.pvKwp).join(','),
      describe: 'kWp of PV per prosumer (0 = none); one node per entry',
    })
    .option('windows', { type: 'number', default: d.windowCount, describe: 'Windows to settle' })
    .option('window-intervals', { type: 'number', default: d.windowIntervals, describe: 'Intervals per window (W)' })
    .option('interval-seconds', {
      type: 'number',
      default: d.intervalSeconds,
      describe: 'Real seconds per interval (each replays 15 minutes of the profile)',
    })
    .option('market', {
      choices: ['mmr', 'totals', 'auction'] as const,
      default: d.market,
      describe:
        "Market function F: mmr (pro rata at the mid-market rate), totals (window totals, the paper) or auction (uniform-price double auction over standing limit prices, seeded or the community file's)",
    })
    .option('signatures', {
      choices: ['ecdsa', 'bls'],
      default: d.signatures,
      describe:
        'Co-signature scheme the community names at open: ECDSA signer set, or BLS12-381 aggregates (one pairing per update)',
    })
    .option('community', {
      type: 'string',
      describe: 'A community file (JSON + CSVs): one node per member replaying its own readings (replaces --pv)',
    })
    .option('community-offset', {
      type: 'number',
      default: 0,
      describe: "With --community: the file's quarter-hour replayed as interval 0",
    })
    .option('escrow', {
      type: 'string',
      default: formatUnits(d.escrow, 18),
      describe:
        'Escrow per participant (cEUR); a small one makes debtors run out: their debt is repaid from their bond at close and shared by the creditors',
    })
    .option('challenge-period', {
      type: 'number',
      default: d.challengePeriod,
      describe: 'Seconds a pending claim can be disputed',
    })
    .option('start-delay', {
      type: 'number',
      default: d.startDelaySeconds,
      describe:
        'Seconds from the open to interval 0: time for the node processes to start and meet (raise it on a busy machine)',
    })
    .option('dir', { type: 'string', default: d.dir, describe: 'Node data and logs (wiped at start)' })
    .option('timeout', { type: 'number', default: d.timeoutSeconds, describe: 'Give up after this many seconds' })
    .option('seed', { type: 'number', default: d.seed, describe: "Seed of the households' variation" })
    .option('keep-alive', {
      type: 'boolean',
      default: false,
      describe: 'Keep chain and nodes running after the run (Ctrl-C to stop)',
    })
    .option('verbose', { type: 'boolean', default: false, describe: "Show the nodes' logs" });

export const devnetCommand = {
  command: 'devnet',
  describe: 'The main job: a local community on an embedded chain (anvil) and the embedded Italian dataset',
  examples: [
    ['$0 devnet', 'Four prosumers (two with PV), two windows, then exit 0 if all is final and agreed'],
    [
      '$0 devnet --pv 6,4,3,0,0,0 --windows 3 --keep-alive',
      "Six prosumers, three windows, keep running to explore the nodes' APIs",
    ],
    [
      '$0 devnet --community datasets/examples/three-members-day.json --community-offset 36',
      'One node per member of a community file, from 09:00 of its day',
    ],
  ],
  builder,
  handler: async (args: CommandArgs<typeof builder>) => {
    const print = (l: string) => process.stdout.write(`${l}\n`);
    if (!Number.isInteger(args.startDelay) || args.startDelay < 0)
      throw new CliError(CliErrorCode.BAD_OPTION, `--start-delay: whole seconds >= 0, got ${args.startDelay}`);
    let escrow: bigint;
    try {
      escrow = parseUnits(String(args.escrow), 18);
    } catch {
      throw new CliError(CliErrorCode.BAD_OPTION, `--escrow: a decimal amount of cEUR, got "${args.escrow}"`);
    }
    if (escrow < 0n) throw new CliError(CliErrorCode.BAD_OPTION, `--escrow: not negative, got "${args.escrow}"`);
    const opts: DevnetOptions = {
      ...d,
      escrow,
      prosumers: parseProsumers(String(args.pv)),
      windowCount: args.windows,
      windowIntervals: args.windowIntervals,
      intervalSeconds: args.intervalSeconds,
      market: args.market,
      signatures: args.signatures as DevnetOptions['signatures'],
      community: args.community,
      communityOffset: args.communityOffset,
      challengePeriod: args.challengePeriod,
      startDelaySeconds: args.startDelay,
      dir: args.dir,
      timeoutSeconds: args.timeout,
      seed: args.seed,
      keepAlive: args.keepAlive,
      verbose: args.verbose,
    };
    const devnet = new Devnet(opts, { print, logger: createLogger({ level: 'info', name: 'devnet' }) });
    let stopping = false;
    const stop = async (code: number) => {
      if (stopping) return;
      stopping = true;
      await devnet.stop();
      process.exit(code);
    };
    process.once('SIGINT', () => void stop(130));
    process.once('SIGTERM', () => void stop(143));
    let result: DevnetResult;
    try {
      result = await devnet.run();
    } catch (e) {
      await devnet.stop();
      throw e;
    }
    printDevnetReport(result, print);
    if (opts.keepAlive) {
      print(
        'keep-alive: chain and nodes keep running (the chain and the hub: the "open on hub" line above, for the hub commands\' --rpc-url and --hub); Ctrl-C to stop',
      );
      return;
    }
    await stop(result.ok ? 0 : 1);
  },
};
