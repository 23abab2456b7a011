import type { ArgumentsCamelCase, Argv } from 'yargs';

/**
 * The parsed arguments of a command, typed from its options: `builder` is the command's yargs builder,
 * and each option is reachable by its camel-case name (`--rpc-url` as `rpcUrl`), as the CLI parses them.
 */
export type CommandArgs<B extends (y: Argv) => Argv<unknown>> = ArgumentsCamelCase<Awaited<ReturnType<B>['argv']>>;
