import type { CommandArgs } from '../args.js';
import type { Argv } from 'yargs';
import type { JsonRpcProvider, TransactionReceipt } from 'ethers';
import { decodeRevert, type HubRevert } from '../../chain/errors.js';
import { type HubClient, WindowStatus } from '../../chain/hubClient.js';
import { hubOptions, sendingHub, unreachable } from '../hubArgs.js';

const builder = (y: Argv) =>
  hubOptions(y)
    .option('private-key', {
      type: 'string',
      demandOption: true,
      describe: 'Account that sends continueSlash and close and pays their gas (DIVERSITY_PRIVATE_KEY); anyone may',
    })
    .option('finish-slash', {
      type: 'boolean',
      default: false,
      describe: 'Only finish a pending slash (it blocks updates as well as close: use it mid-life too), do not close',
    });

export const closeCommand = {
  command: 'close',
  describe:
    'Close the community by hand (what a node does at the end): first finish a pending slash (continueSlash until ' +
    'the hub says none is left; a pending slash blocks close), then send close if the hub would accept it, else ' +
    'print why not. Anyone may, e.g. an auditor or a member whose node is down',
  examples: [
    [
      '$0 close --hub 0x.. --private-key 0x..',
      'Close community 1 once every window is final (members are then paid with `diversity claim`)',
    ],
    [
      '$0 close --finish-slash --hub 0x.. --private-key 0x..',
      'Only finish the pending slash that blocks updates and close (continueSlash, 64 member slots a call)',
    ],
  ],
  builder,
  handler: async (args: CommandArgs<typeof builder>) => {
    const { hub, provider } = sendingHub(args);
    const say = (line: string) => process.stdout.write(`${line}\n`);
    try {
      const closed = await hub.isClosed().catch((e) => {
        throw unreachable(args, e);
      });
      // A closed community has no slash pending (close refuses `SlashPending`).
      if (closed) {
        say(`community ${args.communityId} is closed already: members are paid with \`diversity claim\``);
        return;
      }
      await finishSlash(hub, args.communityId, say);
      if (args.finishSlash) return;
      const refusal = await hub.closeRefusal();
      if (refusal) {
        say(`close refused: ${await describeRefusal(hub, provider, refusal)}`);
        process.exitCode = 3;
        return;
      }
      try {
        const receipt = await (await hub.sendClose()).wait(1);
        say(
          `community ${args.communityId} closed: tx ${receipt!.hash} (${receipt!.gasUsed} gas); members are paid with \`diversity claim\``,
        );
      } catch (e) {
        // Another's close or game move got in between the check and the send.
        const revert = decodeRevert(e, hub.contract.interface);
        if (!revert) throw e;
        say(`close refused: ${await describeRefusal(hub, provider, revert)}`);
        process.exitCode = 3;
      }
    } finally {
      provider.destroy();
    }
  },
};

/**
 * Finishes the pending slash with the daemon's `HubClient.finishPendingSlash` (continueSlash while its static
 * call does not revert `NoSlashPending`), printing each transaction's gas and the number of calls.
 */
async function finishSlash(hub: HubClient, communityId: string, say: (line: string) => void): Promise<void> {
  const BATCH = 32;
  let calls = 0;
  let gas = 0n;
  const mined = (r: TransactionReceipt) => {
    calls++;
    gas += r.gasUsed;
    say(`continueSlash ${calls}: tx ${r.hash} (${r.gasUsed} gas)`);
  };
  // `finishPendingSlash` stops after BATCH calls: go on until the hub says `NoSlashPending`.
  while ((await hub.finishPendingSlash(BATCH, mined)) === BATCH);
  say(
    calls === 0
      ? `no slash pending in community ${communityId}`
      : `pending slash finished: ${calls} continueSlash call${calls === 1 ? '' : 's'}, ${gas} gas in all`,
  );
}

const iso = (seconds: number | bigint) => new Date(Number(seconds) * 1000).toISOString();

/** The hub's refusal of `close` (`HubClient.closeRefusal`), as one line: which window, until when. */
async function describeRefusal(hub: HubClient, provider: JsonRpcProvider, refusal: HubRevert): Promise<string> {
  const [, a, b] = refusal.args;
  switch (refusal.name) {
    case 'WindowsNotFinal': {
      const window = Number(a);
      const head = `${a} of ${b} windows final`;
      const record = await hub.windowRecord(window);
      // The raw struct: its schedule and challenge period (`communityInfo` would read the meter list too).
      const info = await hub.contract.community(hub.opts.communityId);
      if (record.status === WindowStatus.Pending) {
        const until = record.submittedAt + Number(info.challengePeriod);
        const now = (await provider.getBlock('latest'))?.timestamp ?? 0;
        return now < until
          ? `${head}: window ${window}'s claim is pending until ${iso(until)} (its challenge period)`
          : `${head}: window ${window}'s challenge period ended at ${iso(until)}; close finalizes one window a call: run \`diversity finalize\` first`;
      }
      const ends = Number(info.start) + (window + 1) * Number(info.windowIntervals) * Number(info.intervalSeconds);
      return `${head}: no result posted for window ${window} (its schedule: it ends at ${iso(ends)})`;
    }
    case 'ChallengePeriodNotOver':
      // The deadline is the latest of the final windows' and the rejected claims' challenge periods.
      return `every window is final (the last is ${a}), but claims stay disputable until ${iso(BigInt(b))} (a challenge period)`;
    case 'GameInProgress':
      return `a data-availability game is open against window ${a}'s claim: close after it ends (\`diversity dispute --game status --window ${a}\`)`;
    case 'SlashPending':
      return 'a slash is pending (another was started meanwhile): run the command again';
    case 'NotJoined':
      return `the community never became active: only a member that joined may abort it, and ${a} did not join`;
    case 'CommunityAlreadyClosed':
      return 'the community is closed already';
    default:
      return `${refusal.name}(${refusal.args.join(', ')})`;
  }
}
