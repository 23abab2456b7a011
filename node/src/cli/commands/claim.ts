import type { CommandArgs } from '../args.js';
import type { Argv } from 'yargs';
import { Contract, formatUnits, type JsonRpcProvider } from 'ethers';
import {
  claimFor,
  claimForAll,
  closedAt,
  finalBalances,
  nodeApiSource,
  storeSource,
  type ClaimOutcome,
  type FinalBalances,
} from '../../chain/claims.js';
import { ClaimError, ClaimErrorCode } from '../../chain/errors.js';
import { NodeDb } from '../../db/index.js';
import { CliError, CliErrorCode } from '../errors.js';
import { hubOptions, sendingHub, unreachable } from '../hubArgs.js';

const builder = (y: Argv) =>
  hubOptions(y)
    .option('private-key', {
      type: 'string',
      demandOption: true,
      describe:
        'Account that sends the claims and pays their gas (DIVERSITY_PRIVATE_KEY); the money goes to each member',
    })
    .option('member', {
      type: 'number',
      array: true,
      describe: "Participant index to claim for (repeatable; default: the sender's own index)",
    })
    .option('all', {
      type: 'boolean',
      default: false,
      describe:
        'Pay every member not paid yet and every creditor’s share: one claimAll transaction up to 256 members, else a claim per member (debtors first), then the shares',
    })
    .option('node', {
      type: 'string',
      describe: "A node's API URL: the balances it holds under the last final root (checked against the hub's)",
    })
    .option('data-dir', {
      type: 'string',
      describe: "A node's data dir (its store, the node stopped): the balances it stored under that root",
    });

export const claimCommand = {
  command: 'claim',
  describe:
    "After close: pay a member its balance by Merkle proof from the last window's balances root (anyone may claim for anyone)",
  examples: [
    [
      '$0 claim --hub 0x.. --private-key 0x.. --node http://127.0.0.1:9100',
      'Claim your own balance, with the balances your node holds',
    ],
    [
      '$0 claim --hub 0x.. --private-key 0x.. --data-dir .diversity/node --member 3',
      'As an auditor or a creditor: make member 3 (a debtor) settle, so its repaid debt reaches the creditors',
    ],
    [
      '$0 claim --hub 0x.. --private-key 0x.. --node http://127.0.0.1:9100 --all',
      'Pay every member not paid yet, in one transaction',
    ],
  ],
  builder,
  handler: async (args: CommandArgs<typeof builder>) => {
    if (Boolean(args.node) === Boolean(args.dataDir))
      throw new CliError(
        CliErrorCode.BAD_OPTION,
        "give exactly one of --node (a node's API) or --data-dir (a node's store): the balances come from it",
      );
    if (args.all && args.member?.length)
      throw new CliError(CliErrorCode.BAD_OPTION, '--all and --member: give one of them');
    for (const m of args.member ?? [])
      if (!Number.isInteger(m) || m < 0)
        throw new CliError(CliErrorCode.BAD_OPTION, `--member: a participant index (0, 1, ...), got ${m}`);
    const { wallet, hub, provider } = sendingHub(args);
    let db: NodeDb | undefined;
    const say = (line: string) => process.stdout.write(`${line}\n`);
    try {
      const participants = await hub.participants().catch((e) => {
        throw unreachable(args, e);
      });
      if ((await closedAt(hub)) === undefined) {
        say(`community ${args.communityId} is not closed yet: balances are paid after close`);
        process.exitCode = 3;
        return;
      }
      let members = args.member ?? [];
      if (!args.all && members.length === 0) {
        const own = participants.findIndex((p) => p.toLowerCase() === wallet.address.toLowerCase());
        if (own < 0)
          throw new CliError(
            CliErrorCode.BAD_OPTION,
            `${wallet.address} is not a participant of community ${args.communityId}: name the members to claim for (--member or --all)`,
          );
        members = [own];
      }
      for (const m of members)
        if (m >= participants.length)
          throw new CliError(
            CliErrorCode.BAD_OPTION,
            `--member ${m}: the community has ${participants.length} members`,
          );
      if (args.dataDir)
        db = await NodeDb.open(args.dataDir).catch((e) => {
          throw new CliError(CliErrorCode.BAD_OPTION, `--data-dir ${args.dataDir}: ${(e as Error).message}`);
        });
      let balances: FinalBalances;
      try {
        balances = await finalBalances(hub, db ? storeSource(db) : nodeApiSource(args.node!));
      } catch (e) {
        if (!(e instanceof ClaimError)) throw e;
        say(`no claim sent: ${e.message}`);
        process.exitCode = 3;
        return;
      }
      const { symbol, decimals } = await tokenMeta(await hub.token(), provider);
      const money = (v: bigint) => `${formatUnits(v, decimals)} ${symbol}`;
      const line = (o: ClaimOutcome) =>
        `member ${o.index} ${o.participant}: ${o.kind === 'claim' ? 'claimed' : 'claim share'}, paid ${money(o.paid)}` +
        (o.kind === 'claim' ? ` (repaid debt ${money(o.repaid)})` : '') +
        ` from window ${balances.window}'s balances, tx ${o.txHash} (${o.gasUsed} gas)`;
      let failed = 0;
      if (args.all) {
        const { outcomes, refused } = await claimForAll(hub, balances);
        for (const o of outcomes) say(line(o));
        for (const r of refused) say(`refused: ${r.message}`);
        // A member paid meanwhile (its node claimed for itself) is no failure of --all.
        failed = refused.filter((r) => r.code !== ClaimErrorCode.ALREADY_CLAIMED).length;
        if (outcomes.length === 0 && refused.length === 0) say('every member is paid already: nothing to claim');
      } else {
        for (const m of members) {
          try {
            say(line(await claimFor(hub, balances, m)));
          } catch (e) {
            if (!(e instanceof ClaimError)) throw e;
            say(`refused: ${e.message}`);
            failed++;
          }
        }
      }
      // 3, as a refused dispute or game move: the command ran, the hub (or the data) said no.
      if (failed > 0) process.exitCode = 3;
    } finally {
      await db?.close();
      provider.destroy();
    }
  },
};

async function tokenMeta(address: string, provider: JsonRpcProvider): Promise<{ symbol: string; decimals: number }> {
  const erc20 = new Contract(
    address,
    ['function symbol() view returns (string)', 'function decimals() view returns (uint8)'],
    provider,
  );
  try {
    return { symbol: await erc20.symbol(), decimals: Number(await erc20.decimals()) };
  } catch {
    return { symbol: 'token units', decimals: 0 };
  }
}
