import { isAddress, NonceManager, Wallet } from 'ethers';
import { HubClient } from '../chain/hubClient.js';
import { chainProvider } from '../chain/provider.js';
import type { Argv } from 'yargs';
import { CliError, CliErrorCode } from './errors.js';

/**
 * The options of every command that talks to a community's hub: `--rpc-url`, `--hub`, `--community-id`
 * (`communityId` describes the last, e.g. "an auction community"). One home, so the commands agree on
 * names and defaults.
 */
export function hubOptions<T>(y: Argv<T>, communityId = 'Community id') {
  return y
    .option('rpc-url', { type: 'string', default: 'http://127.0.0.1:8545', describe: 'JSON-RPC endpoint' })
    .option('hub', { type: 'string', demandOption: true, describe: 'Hub contract address' })
    .option('community-id', { type: 'string', default: '1', describe: communityId })
    .option('from-block', {
      type: 'string',
      default: '0',
      describe: "First block of the community's events (the hub's deployment block): event queries start there",
    });
}

/**
 * `--hub`, `--community-id` and `--from-block` checked: the hub client's target, or a BAD_OPTION naming the bad
 * one (exit 2).
 */
export function hubTarget(args: { hub: string; communityId: string; fromBlock?: string }): {
  hub: string;
  communityId: bigint;
  fromBlock: number;
} {
  if (!isAddress(args.hub)) throw new CliError(CliErrorCode.BAD_OPTION, `--hub: not an address: ${args.hub}`);
  let communityId: bigint;
  try {
    // BigInt('') and BigInt('  ') are 0n: an empty option is not community 0.
    if (args.communityId.trim() === '') throw new Error('empty');
    communityId = BigInt(args.communityId);
  } catch {
    throw new CliError(CliErrorCode.BAD_OPTION, `--community-id: not an integer: ${args.communityId}`);
  }
  if (communityId < 0n)
    throw new CliError(CliErrorCode.BAD_OPTION, `--community-id: not an integer: ${args.communityId}`);
  // The hub's ids are uint64: a larger one would fail later, in the ABI encoder, as an RPC-looking error.
  if (communityId >= 1n << 64n)
    throw new CliError(CliErrorCode.BAD_OPTION, `--community-id: above 2^64 - 1 (a uint64): ${args.communityId}`);
  const fromBlock = Number(args.fromBlock ?? '0');
  if (!/^\d+$/.test(args.fromBlock ?? '0') || !Number.isSafeInteger(fromBlock))
    throw new CliError(CliErrorCode.BAD_OPTION, `--from-block: not a block number: ${args.fromBlock}`);
  return { hub: args.hub, communityId, fromBlock };
}

/** `--private-key` as a wallet, or a BAD_OPTION that names the option and never echoes the key (exit 2). */
export function walletOption(privateKey: string): Wallet {
  try {
    return new Wallet(privateKey);
  } catch {
    throw new CliError(CliErrorCode.BAD_OPTION, '--private-key: not a 32-byte hex private key');
  }
}

/** The one line of a command that cannot read its community over `--rpc-url` (UNREACHABLE, exit 2). */
export function unreachable(args: { communityId: string; rpcUrl: string }, e: unknown): CliError {
  const { shortMessage, message } = e as { shortMessage?: string; message?: string };
  return new CliError(
    CliErrorCode.UNREACHABLE,
    `cannot read community ${args.communityId} at ${args.rpcUrl}: ${shortMessage ?? message ?? String(e)}`,
  );
}

/**
 * What a command that sends to the hub starts with: `--private-key`'s wallet (checked first), the provider of
 * `--rpc-url`, and a hub client for `hubTarget(args)` whose signer keeps its nonces in sequence (a nonce
 * manager: `finishPendingSlash` resets it when someone else's transaction got in first). The caller destroys
 * the provider.
 */
export function sendingHub(args: {
  privateKey: string;
  rpcUrl: string;
  hub: string;
  communityId: string;
  fromBlock?: string;
}) {
  const wallet = walletOption(args.privateKey);
  const target = hubTarget(args);
  const provider = chainProvider(args.rpcUrl);
  const hub = new HubClient(target, { runner: new NonceManager(wallet.connect(provider)), provider });
  return { wallet, provider, hub };
}
