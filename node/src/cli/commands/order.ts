import type { Argv } from 'yargs';
import { Contract, formatUnits, parseUnits } from 'ethers';
import { chainProvider } from '../../chain/provider.js';
import type { CommandArgs } from '../args.js';
import { loadArtifact } from '../../chain/artifacts.js';
import { hubDomain } from '../../chain/eip712.js';
import { HubClient } from '../../chain/hubClient.js';
import { BalancesTree, genesisBalances } from '../../window/balances.js';
import {
  firstOpenWindow,
  LimitOrderError,
  signLimitOrder,
  type LimitBook,
  type LimitOrder,
} from '../../window/limits.js';
import { CliError, CliErrorCode } from '../errors.js';
import { hubOptions, hubTarget, unreachable, walletOption } from '../hubArgs.js';

const builder = (y: Argv) =>
  hubOptions(y, 'Community id (an auction community)')
    .option('private-key', {
      type: 'string',
      demandOption: true,
      describe: "The participant's account (DIVERSITY_PRIVATE_KEY): it signs the order and sends it",
    })
    .option('bid', {
      type: 'string',
      demandOption: true,
      describe: 'Most you pay per kWh for your deficit, in currency units (the token’s decimals)',
    })
    .option('ask', {
      type: 'string',
      demandOption: true,
      describe: 'Least you accept per kWh for your surplus, in currency units',
    })
    .option('from-window', {
      type: 'number',
      describe: 'First window folded with the new prices (default: the first window not begun)',
    });

export const orderCommand = {
  command: 'order',
  describe: 'Auction: sign and post an order that changes your standing limit prices from a window that has not begun',
  examples: [
    ['$0 order --hub 0x.. --private-key 0x.. --bid 0.28 --ask 0.09', 'From the next window on'],
    ['$0 order --hub 0x.. --private-key 0x.. --bid 0.3 --ask 0.1 --from-window 12', 'From window 12 on'],
  ],
  builder,
  handler: async (args: CommandArgs<typeof builder>) => {
    const wallet = walletOption(args.privateKey);
    const target = hubTarget(args);
    if (args.fromWindow !== undefined && (!Number.isInteger(args.fromWindow) || args.fromWindow < 0))
      throw new CliError(CliErrorCode.BAD_OPTION, `--from-window: a window number (0, 1, ...), got ${args.fromWindow}`);
    const provider = chainProvider(args.rpcUrl);
    const signer = wallet.connect(provider);
    const hub = new HubClient(target, { runner: signer, provider });
    const say = (line: string) => process.stdout.write(`${line}\n`);
    try {
      const community = await hub.communityInfo().catch((e) => {
        throw unreachable(args, e);
      });
      const book = community.limitBook;
      if (!book)
        throw new CliError(
          CliErrorCode.BAD_OPTION,
          `community ${args.communityId} is not an auction: it has no limit prices`,
        );
      const participant = community.participants.findIndex((p) => p.toLowerCase() === wallet.address.toLowerCase());
      if (participant < 0)
        throw new CliError(
          CliErrorCode.BAD_OPTION,
          `${wallet.address} is not a participant of community ${args.communityId}: only a member sets its own prices`,
        );
      const decimals = Number(
        await new Contract(community.token, loadArtifact('CommunityToken').abi, provider).decimals(),
      );
      const price = (v: string, flag: string): bigint => {
        let p: bigint;
        try {
          p = parseUnits(v, decimals);
        } catch {
          throw new CliError(CliErrorCode.BAD_OPTION, `${flag}: not a price in currency units, got ${v}`);
        }
        if (p < 0n) throw new CliError(CliErrorCode.BAD_OPTION, `${flag}: a price cannot be negative, got ${v}`);
        return p;
      };
      const bidPrice = price(args.bid, '--bid');
      const askPrice = price(args.ask, '--ask');
      const head = await provider.getBlock('latest');
      const now = Math.max(head?.timestamp ?? 0, Math.floor(Date.now() / 1000));
      const firstOpen = firstOpenWindow(now, community.start, community.intervalSeconds * community.windowIntervals);
      const onChainNonce: bigint = await (await hub.limitBookContract()).nonceOf(
        args.hub,
        community.communityId,
        participant,
      );
      const order: LimitOrder = {
        communityId: community.communityId,
        participant,
        fromWindow: args.fromWindow ?? firstOpen,
        bidPrice,
        askPrice,
        nonce: onChainNonce + 1n,
      };
      const signature = await signLimitOrder(wallet, hubDomain(community.chainId, args.hub), order);
      try {
        book.check(order, signature, firstOpen);
      } catch (e) {
        if (!(e instanceof LimitOrderError)) throw e;
        say(`refused: ${describeOrderError(e, book)}`);
        process.exitCode = 3;
        return;
      }
      const proof = new BalancesTree(genesisBalances(community.participants, community.escrow)).proof(participant);
      let receipt: { hash: string; gasUsed: bigint };
      try {
        // Over the latest prices read; once more over the open's if another member's order landed first.
        const relayed = await hub.relayLimitOrder(order, signature, proof, book);
        receipt = relayed.receipt;
        if (relayed.retried)
          say("another member's order landed first: the same signed order was relayed again over the open's prices");
      } catch (e) {
        const err = e as { shortMessage?: string; message: string };
        say(`refused by the book on chain: ${err.shortMessage ?? err.message}`);
        process.exitCode = 3;
        return;
      }
      const fmt = (v: bigint) => formatUnits(v, decimals);
      say(
        `order posted: participant ${participant} bids ${fmt(bidPrice)} and asks ${fmt(askPrice)} per kWh from window ` +
          `${order.fromWindow} (nonce ${order.nonce}), tx ${receipt.hash} (${receipt.gasUsed} gas)`,
      );
    } finally {
      provider.destroy();
    }
  },
};

/** One readable line for a refused order (the code's fields, no key material). */
export function describeOrderError(e: LimitOrderError, book: LimitBook): string {
  const { code, ...fields } = e.type as { code: string } & Record<string, unknown>;
  const detail = Object.entries(fields)
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');
  const latest = book.epochs.at(-1);
  return `${code}${detail ? ` (${detail})` : ''}${latest ? `; latest epoch from window ${latest.fromWindow}` : ''}`;
}
