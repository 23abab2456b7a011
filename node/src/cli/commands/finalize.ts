import type { CommandArgs } from '../args.js';
import type { Argv } from 'yargs';
import { decodeRevert, type HubRevert } from '../../chain/errors.js';
import { TX_TIMEOUT_MS } from '../../chain/hubClient.js';
import { hubOptions, sendingHub, unreachable } from '../hubArgs.js';

const builder = (y: Argv) =>
  hubOptions(y).option('private-key', {
    type: 'string',
    demandOption: true,
    describe: 'Account that sends finalize and pays its gas (DIVERSITY_PRIVATE_KEY); anyone may',
  });

export const finalizeCommand = {
  command: 'finalize',
  describe:
    'Finalize by hand what the nodes finalize: each pending claim whose challenge period is over, oldest first ' +
    '(one finalize a window), until the hub refuses the next, then print why (exit 3 when nothing was finalized ' +
    'and something is still pending). Anyone may, e.g. an auditor, or a member whose node is down',
  examples: [['$0 finalize --hub 0x.. --private-key 0x..', 'Finalize every window of community 1 that is due']],
  builder,
  handler: async (args: CommandArgs<typeof builder>) => {
    const { hub, provider } = sendingHub(args);
    const say = (line: string) => process.stdout.write(`${line}\n`);
    try {
      const info = await hub.contract.community(hub.opts.communityId).catch((e) => {
        throw unreachable(args, e);
      });
      const windowCount = Number(info.windowCount);
      let finalized = 0;
      let refusal: HubRevert | undefined;
      // One finalize a window: at most windowCount sends, whatever the chain answers.
      for (let i = 0; i < windowCount; i++) {
        refusal = await hub.finalizeRefusal();
        if (refusal) break;
        const window = Number((await hub.contract.community(hub.opts.communityId)).finalizedWindows);
        try {
          const receipt = await (await hub.sendFinalize()).wait(1, TX_TIMEOUT_MS);
          say(`window ${window} final: tx ${receipt!.hash} (${receipt!.gasUsed} gas)`);
          finalized++;
        } catch (e) {
          // Another's finalize, update or game move got in between the check and the send.
          refusal = decodeRevert(e, hub.contract.interface);
          if (!refusal) throw e;
          break;
        }
      }
      const done = Number((await hub.contract.community(hub.opts.communityId)).finalizedWindows);
      const why = refusal ? describeRefusal(refusal, done, windowCount) : undefined;
      say(
        `${finalized} window${finalized === 1 ? '' : 's'} finalized now; ${done} of ${windowCount} final${why ? `; ${why}` : ''}`,
      );
      // Nothing finalized while a claim still waits (its challenge period, a game): the caller must come back.
      // Nothing pending, or a community closed (every window final): nothing to come back for.
      if (finalized === 0 && refusal && !NOTHING_TO_WAIT_FOR.has(refusal.name)) process.exitCode = 3;
    } finally {
      provider.destroy();
    }
  },
};

/** Refusals that leave nothing to wait for: exit 0 (README, "Finalizing by hand"). */
const NOTHING_TO_WAIT_FOR = new Set(['NoPendingWindow', 'CommunityAlreadyClosed']);

const iso = (seconds: number | bigint) => new Date(Number(seconds) * 1000).toISOString();

/** The hub's refusal of `finalize` (`HubClient.finalizeRefusal`), as the rest of one line. */
function describeRefusal(refusal: HubRevert, done: number, windowCount: number): string {
  const [, a, b] = refusal.args;
  switch (refusal.name) {
    case 'NoPendingWindow':
      return done < windowCount ? `no claim is pending for window ${done}` : 'every window is final';
    case 'ChallengePeriodNotOver':
      return `window ${a}'s claim is pending until ${iso(BigInt(b))} (its challenge period)`;
    case 'GameInProgress':
      return `a data-availability game is open against window ${a}'s claim: finalize after it ends (\`diversity dispute --game status --window ${a}\`)`;
    case 'CommunityNotActive':
      return 'the community is not active (members are still joining)';
    case 'CommunityAlreadyClosed':
      return 'the community is closed';
    default:
      return `the hub refused: ${refusal.name}(${refusal.args.join(', ')})`;
  }
}
