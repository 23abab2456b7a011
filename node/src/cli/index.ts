import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { nodeCommand } from './commands/node.js';
import { meterCommand } from './commands/meter.js';
import { statusCommand } from './commands/status.js';
import { devnetCommand } from './commands/devnet.js';
import { auditCommand } from './commands/audit.js';
import { disputeCommand } from './commands/dispute.js';
import { claimCommand } from './commands/claim.js';
import { closeCommand } from './commands/close.js';
import { finalizeCommand } from './commands/finalize.js';
import { orderCommand } from './commands/order.js';
import { MeterConsentError } from '../community/meterConsent.js';
import { CliError } from './errors.js';

const commands: object[] = [
  devnetCommand,
  nodeCommand,
  meterCommand,
  statusCommand,
  auditCommand,
  disputeCommand,
  finalizeCommand,
  closeCommand,
  claimCommand,
  orderCommand,
];

async function main(extra: object[]): Promise<void> {
  let cli = yargs(hideBin(process.argv))
    .scriptName('diversity')
    .env('DIVERSITY')
    .parserConfiguration({ 'dot-notation': true, 'camel-case-expansion': true })
    .usage(
      '$0 <command> [options]\n\nDIVERSITY: peer-to-peer energy trading in a community microgrid, settled on Ethereum.',
    )
    .demandCommand(1, 'Give a command; see the list above.')
    .strictCommands()
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .epilogue(
      'Every option can also come from an environment variable: DIVERSITY_<OPTION> (e.g. DIVERSITY_PRIVATE_KEY).',
    )
    .fail((msg, err, y) => {
      if (err) throw err;
      process.stderr.write(`${y.help() ? '' : ''}error: ${msg}\nRun with --help for usage.\n`);
      process.exit(2);
    });
  for (const c of [...commands, ...extra]) {
    // Command objects carry their examples (lodestar style); yargs wants them on the builder.
    const { builder, examples = [] } = c as {
      builder: (y: typeof cli) => typeof cli;
      examples?: (string[] | { command: string; description: string })[];
    };
    const pairs = examples.map((e) => (Array.isArray(e) ? e : [`$0 ${e.command}`, e.description]));
    cli = cli.command({
      ...c,
      builder: (y: typeof cli) => pairs.reduce((acc, [cmd, what]) => acc.example(cmd, what), builder(y)),
    } as never);
  }
  await cli.help().alias('h', 'help').version(false).parseAsync();
}

/**
 * Runs the `diversity` command line. Commands of other packages (the simulator's `sim`) are
 * passed in by the entry point (`bin/diversity.js`): the node imports nothing from them.
 */
export function run(extra: object[] = []): void {
  main(extra).catch(onError);
}

function onError(e: unknown): never {
  if (e instanceof CliError || e instanceof MeterConsentError) {
    process.stderr.write(`error: ${e.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
}
