import type { Argv } from 'yargs';
import { defaultNodeOptions } from '../../node/options.js';
import { DiversityNode } from '../../node/node.js';
import { nodeOptionsFromArgs } from '../nodeOptions.js';
import { NodeStartError } from '../../node/errors.js';
import { CliError, CliErrorCode } from '../errors.js';

const d = defaultNodeOptions;

export const nodeCommand = {
  command: 'node',
  describe: "Run a community member's node: gossip, validate, store, fold, co-sign, settle",
  examples: [
    ['$0 node --config node.json', 'Run from a config file (same keys as the flags, nested: {"chain": {"hub": ...}})'],
    [
      '$0 node --private-key 0x.. --chain.hub 0x.. --chain.community-id 1 --network.bootstrap /ip4/127.0.0.1/tcp/9001/p2p/12D3..',
      'Run from flags',
    ],
  ],
  builder: (y: Argv) =>
    y
      .option('config', { type: 'string', describe: 'JSON config file (flags override it)' })
      .option('name', { type: 'string', describe: 'Name shown in logs', defaultDescription: d.name })
      .option('data-dir', { type: 'string', describe: 'LevelDB directory', defaultDescription: d.dataDir })
      .option('private-key', {
        type: 'string',
        describe: 'Participant Ethereum key (0x hex); prefer DIVERSITY_PRIVATE_KEY',
      })
      .option('log-level', { choices: ['error', 'warn', 'info', 'verbose', 'debug'], defaultDescription: d.logLevel })
      .option('chain.rpc-url', { type: 'string', describe: 'JSON-RPC endpoint', defaultDescription: d.chain.rpcUrl })
      .option('chain.hub', { type: 'string', describe: 'Hub contract address' })
      .option('chain.community-id', {
        type: 'string',
        describe: 'Community id on the hub',
        defaultDescription: String(d.chain.communityId),
      })
      .option('chain.signature-deadline-seconds', {
        type: 'number',
        describe: 'Wait this long for all co-signatures, then submit with fewer',
        defaultDescription: String(d.chain.signatureDeadlineSeconds),
      })
      .option('chain.takeover-seconds', {
        type: 'number',
        describe: 'Delay before the next node in the rotation submits',
        defaultDescription: String(d.chain.takeoverSeconds),
      })
      .option('chain.max-fee-per-gas-gwei', {
        type: 'number',
        describe: 'Highest max fee per gas paid, gwei (replacements never exceed it)',
        defaultDescription: String(d.chain.maxFeePerGasGwei),
      })
      .option('chain.max-priority-fee-per-gas-gwei', {
        type: 'number',
        describe: 'Highest priority fee per gas, gwei',
        defaultDescription: String(d.chain.maxPriorityFeePerGasGwei),
      })
      .option('chain.replace-after-seconds', {
        type: 'number',
        describe: 'Replace a transaction not mined after this long (same nonce, fees +12.5 %)',
        defaultDescription: String(d.chain.replaceAfterSeconds),
      })
      .option('chain.from-block', {
        type: 'number',
        describe: "First block of the community's events (the hub's deployment block); event queries start there",
        defaultDescription: String(d.chain.fromBlock),
      })
      .option('chain.close-and-claim', {
        type: 'boolean',
        describe: "Once every window is final, close the community and claim this member's balance",
        defaultDescription: String(d.chain.closeAndClaim),
      })
      .option('chain.claim-for-debtors-after-seconds', {
        type: 'number',
        describe:
          'With close-and-claim, as a creditor: wait this long after the close (chain time), then claim for each debtor still unpaid and take the share',
        defaultDescription: String(d.chain.claimForDebtorsAfterSeconds),
      })
      .option('network.listen', {
        type: 'string',
        array: true,
        describe: 'libp2p listen multiaddrs',
        defaultDescription: d.network.listen.join(','),
      })
      .option('network.bootstrap', {
        type: 'string',
        array: true,
        describe: 'Peers to keep connected to (multiaddrs with /p2p/<id>)',
      })
      .option('window.grace-seconds', {
        type: 'number',
        describe: 'Wait after a window ends before folding it',
        defaultDescription: String(d.window.graceSeconds),
      })
      .option('game.availability-fraction', {
        type: 'number',
        describe:
          "Share of the challenge period within which a peer must serve a pending claim's data; past it the node challenges the claim (data-availability game)",
        defaultDescription: String(d.game.availabilityFraction),
      })
      .option('api.port', {
        type: 'number',
        describe: 'HTTP API port (0 = any free port)',
        defaultDescription: String(d.api.port),
      })
      .option('api.host', { type: 'string', describe: 'HTTP API address', defaultDescription: d.api.host })
      .option('meter.meter-index', {
        type: 'number',
        describe: 'Run a simulated meter inside the node for this meter index',
      })
      .option('meter.secret-key', {
        type: 'string',
        describe: "The simulated meter's Ed25519 seed or secret key (hex)",
      })
      .option('meter.profile', {
        type: 'string',
        describe: 'Meter profile: builtin:italy-2020?pvKwp=3&seed=1, csv:PATH or constant:loadWh=..,pvWh=..',
      })
      .option('meter.profile-offset', { type: 'number', describe: 'Profile interval replayed as interval 0' }),
  handler: async (args: Record<string, unknown>) => {
    const opts = nodeOptionsFromArgs(args);
    const node = new DiversityNode(opts);
    const shutdown = async (signal: string) => {
      node.logger.info('shutting down', { signal });
      await node.stop();
      process.exit(0);
    };
    process.once('SIGINT', () => void shutdown('SIGINT'));
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    try {
      await node.start();
    } catch (e) {
      // One line naming the cause, exit 2 (the CLI's convention for errors the operator fixes).
      if (e instanceof NodeStartError) throw new CliError(CliErrorCode.STARTUP, e.message);
      throw e;
    }
  },
};
