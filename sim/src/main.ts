/**
 * Temporary entry point until bin/diversity.js registers `simCommand`:
 *   tsx sim/src/main.ts sim --approaches rda,sat,sa --out report.json --chart report.svg
 * (the leading `sim` may be omitted).
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { simCommand } from './cli.js';

let argv = hideBin(process.argv);
if (argv[0] !== 'sim' && !argv.includes('--help')) argv = ['sim', ...argv];

await yargs(argv)
  .scriptName('diversity')
  .command({ ...simCommand, builder: simCommand.builder })
  .demandCommand(1)
  .strict()
  .env('DIVERSITY')
  .help()
  .parseAsync();
