import type { CommandArgs } from '../args.js';
import type { MeterLayout } from '../../window/commitment.js';
import { commitLayout } from '../../window/fold.js';
import type { Argv } from 'yargs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAddress } from 'ethers';
import { chainProvider } from '../../chain/provider.js';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { auditWindow } from '../../audit/audit.js';
import { HubClient, WindowStatus } from '../../chain/hubClient.js';
import { NodeDb, storeFormatProblem } from '../../db/index.js';
import { Disputer, outsiderBalanceBook } from '../../dispute/disputer.js';
import type { MoveOutcome } from '../../dispute/game.js';
import { describeGame, GameDesk, GameMoveError, servedWindow, storedWindow } from '../../dispute/gameDesk.js';
import { createHost } from '../../network/host.js';
import { defaultNetworkOptions } from '../../network/options.js';
import { topics } from '../../network/topics.js';
import { fetchWindowData, requestWindow } from '../../network/windowClient.js';
import { MeterKeyRing } from '../../reading/meterKeys.js';
import { createLogger } from '../../util/logger.js';
import { CliError, CliErrorCode } from '../errors.js';
import { hubOptions, hubTarget, unreachable, walletOption } from '../hubArgs.js';

const builder = (y: Argv) =>
  hubOptions(y)
    .option('window', { type: 'number', demandOption: true, describe: 'The pending window' })
    .option('peer', {
      type: 'string',
      array: true,
      describe: 'Nodes to fetch readings and the claimed commitment from (required for a fraud proof)',
    })
    .option('private-key', {
      type: 'string',
      describe:
        'Account that sends the dispute or the move and receives the challenger reward (DIVERSITY_PRIVATE_KEY); not needed for --game status',
    })
    .option('game', {
      type: 'string',
      choices: ['challenge', 'status', 'pick', 'answer', 'publish', 'resolve'],
      describe: 'Play the data-availability game by hand (DESIGN.md §5.4) instead of sending a fraud proof',
    })
    .option('side', {
      type: 'number',
      choices: [0, 1],
      describe:
        "--game pick: 0 = left, 1 = right (default: where the claim departs from --data-dir's commitment, else left)",
    })
    .option('challenger', {
      type: 'string',
      describe:
        "--game pick/resolve: the game's challenger (default: this account for pick, every late game for resolve)",
    })
    .option('data-dir', {
      type: 'string',
      describe:
        "--game answer/publish/pick: a node's data dir (its store), whose stored commitments answer (reveal, publish the opened step) or guide picks",
    });

export const disputeCommand = {
  command: 'dispute',
  describe:
    'Replay a pending window from the readings peers serve and, if the claim is wrong, send the cheapest fraud proof',
  examples: [
    [
      '$0 dispute --hub 0x.. --window 3 --peer /ip4/127.0.0.1/tcp/9001/p2p/12D3.. --private-key 0x..',
      'Dispute window 3 (anyone may: no stake needed)',
    ],
    [
      '$0 dispute --game challenge --hub 0x.. --window 3 --private-key 0x..',
      "Challenge window 3's pending claim in the data-availability game (posts the challenge bond)",
    ],
    ['$0 dispute --game status --hub 0x.. --window 3', 'List the games open against the claim and whose move it is'],
    [
      '$0 dispute --game answer --hub 0x.. --window 3 --data-dir .diversity/node --private-key 0x..',
      "Answer every game against the claim from a node's stored commitment (or --peer: from the one a peer serves): a reveal, or the opened step's data",
    ],
    [
      '$0 dispute --game publish --hub 0x.. --window 3 --data-dir .diversity/node --private-key 0x..',
      "The same (an alias): publish the opened step's slots and S_{t-1} where a game waits for them",
    ],
    ['$0 dispute --game pick --hub 0x.. --window 3 --private-key 0x..', 'As challenger: descend one level'],
    ['$0 dispute --game resolve --hub 0x.. --window 3 --private-key 0x..', 'End the games whose deadline passed'],
  ],
  builder,
  handler: async (args: CommandArgs<typeof builder>) => {
    if (args.game) return playGameByHand(args as GameArgs);
    if (!args.peer)
      throw new CliError(CliErrorCode.BAD_OPTION, '--peer: give at least one node to fetch the window from');
    if (!args.privateKey)
      throw new CliError(CliErrorCode.BAD_OPTION, '--private-key: the account that sends the dispute');
    const provider = chainProvider(args.rpcUrl);
    const wallet = walletOption(args.privateKey).connect(provider);
    const hub = new HubClient(hubTarget(args), { runner: wallet, provider });
    const community = await hub.communityInfo().catch((e) => {
      throw unreachable(args, e);
    });
    const record = await hub.windowRecord(args.window);
    if (record.status !== WindowStatus.Pending)
      throw new CliError(
        CliErrorCode.BAD_OPTION,
        `window ${args.window} is ${WindowStatus[record.status].toLowerCase()}, not pending: nothing to dispute`,
      );
    const host = await createHost(defaultNetworkOptions, (await generateKeyPair('Ed25519')) as unknown as PrivateKey, {
      allowedTopics: [],
    });
    const dir = mkdtempSync(join(tmpdir(), 'diversity-dispute-'));
    const db = await NodeDb.open(dir);
    const protocol = topics(community).windowProtocol;
    const peers = (args.peer as string[]).flatMap((p) => p.split(','));
    try {
      const readings: Uint8Array[] = [];
      for (const peer of peers) {
        const data = await fetchWindowData(host, peer, protocol, args.window).catch(() => undefined);
        if (data) readings.push(...data.readings);
      }
      const logger = createLogger({ level: 'info', name: 'dispute' });
      const fetchCommitments = async (w: number) =>
        (
          await Promise.all(
            peers.map((p) =>
              requestWindow(host, p, protocol, { method: 'commitment', window: w }).catch(() => [] as Uint8Array[]),
            ),
          )
        ).filter((f) => f.length > 0);
      const balances = outsiderBalanceBook(community, db, hub, fetchCommitments, logger);
      const report = await auditWindow(community, args.window, { db, record, readings, balances });
      process.stdout.write(
        `window ${args.window}: ${report.verdict.toUpperCase()} (replay of ${report.replay.readings}/${report.replay.expected} readings)\n`,
      );
      if (report.verdict !== 'disagree') return;
      const index = community.participants.findIndex((p) => p.toLowerCase() === wallet.address.toLowerCase());
      const disputer = new Disputer({
        community,
        participantIndex: index < 0 ? undefined : index,
        keys: new MeterKeyRing(community.meters),
        db,
        hub,
        // An auditor holds no balances: it rebuilds the final ones from genesis, window by window, from the
        // final claims' states the peers serve (each checked against its final record).
        balances,
        metrics: null,
        logger,
        fetchCommitments,
      });
      const accepted = await disputer.dispute(args.window, record);
      process.stdout.write(
        accepted
          ? `dispute accepted: the claim is rejected and its signers' bonds slashed\n`
          : `no dispute sent (see the log above)\n`,
      );
      process.exitCode = accepted ? 0 : 3;
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
      await host.stop();
      provider.destroy();
    }
  },
};

/** `diversity dispute --game ...`: one move (or a status) of the data-availability game, with clear output. */
interface GameArgs {
  game: 'challenge' | 'status' | 'pick' | 'answer' | 'publish' | 'resolve';
  rpcUrl: string;
  hub: string;
  communityId: string;
  window: number;
  peer?: string[];
  privateKey?: string;
  side?: number;
  challenger?: string;
  dataDir?: string;
}

async function playGameByHand(args: GameArgs): Promise<void> {
  const action = args.game;
  if (action !== 'status' && !args.privateKey)
    throw new CliError(CliErrorCode.BAD_OPTION, `--private-key: the account that plays the move (--game ${action})`);
  if (args.challenger !== undefined && !isAddress(args.challenger))
    throw new CliError(CliErrorCode.BAD_OPTION, `--challenger: not an address: ${args.challenger}`);
  // A node's data dir of another store format is refused first, as the daemon refuses it (exit 2).
  const db = args.dataDir ? await openDataDir(args.dataDir) : undefined;
  // No response cache: the bond's approval and the challenge must not read the same cached nonce.
  const provider = chainProvider(args.rpcUrl);
  const runner = args.privateKey ? walletOption(args.privateKey).connect(provider) : undefined;
  const hub = new HubClient(hubTarget(args), { runner: runner ?? provider, provider });
  let host: Awaited<ReturnType<typeof createHost>> | undefined;
  try {
    const desk = await GameDesk.connect(hub, runner ?? provider, provider, {
      logger: createLogger({ level: 'warn', name: 'game' }),
    }).catch((e) => {
      throw unreachable(args, e);
    });
    const window = args.window;
    const say = (line: string) => process.stdout.write(`${line}\n`);
    const moved = (what: string, o: MoveOutcome) => {
      say(o.mined ? `${what}: mined (tx ${o.txHash}, ${o.gasUsed} gas)` : `${what}: refused: ${o.reason}`);
      if (!o.mined) process.exitCode = 3;
    };
    const me = runner?.address ?? '';
    /** The commitment to answer or pick with: the data dir's stored one for the claim's root, or a peer's. */
    const dataFor = async (windowRoot: string) => {
      if (db) return storedWindow(commitLayout(await hub.communityInfo()), db, window, windowRoot);
      if (!args.peer) return undefined;
      const community = await hub.communityInfo();
      host = await createHost(defaultNetworkOptions, (await generateKeyPair('Ed25519')) as unknown as PrivateKey, {
        allowedTopics: [],
      });
      const peers = args.peer.flatMap((p) => p.split(','));
      const answers = await Promise.all(
        peers.map((p) =>
          requestWindow(host!, p, topics(community).windowProtocol, { method: 'commitment', window }).catch(
            () => [] as Uint8Array[],
          ),
        ),
      );
      return servedWindow(
        commitLayout(community),
        answers.filter((a) => a.length > 0),
        windowRoot,
      );
    };
    switch (action) {
      case 'status': {
        const { record } = await desk.pendingClaim(window);
        const games = await desk.games(window);
        const block = await provider.getBlock('latest');
        say(`window ${window}: pending claim, root ${record.windowRoot}, ${games.length} open game(s)`);
        for (const g of games) say(`  ${describeGame(g, block?.timestamp ?? 0)}`);
        break;
      }
      case 'challenge': {
        const out = await desk.challenge(window, me);
        moved(`challenge of window ${window} (bond ${out.bond})`, out);
        if (out.mined) {
          const { state } = await desk.gameOf(window, me);
          say(`the claimant side must reveal by ${new Date(state.deadline * 1000).toISOString()}`);
        }
        break;
      }
      case 'pick': {
        const own = db ? await ownTree(commitLayout(await hub.communityInfo()), db, window) : undefined;
        moved(`pick in window ${window}`, await desk.pick(window, args.challenger ?? me, args.side, own));
        break;
      }
      case 'answer':
      case 'publish': {
        // One path: each game gets what it waits for (a reveal, or the opened step's data).
        if (!args.dataDir && !args.peer)
          throw new CliError(CliErrorCode.BAD_OPTION, `--game ${action} needs the claim's data: --data-dir or --peer`);
        const { record } = await desk.pendingClaim(window);
        const data = await dataFor(record.windowRoot);
        if (!data)
          throw new GameMoveError(
            `no commitment with the claim's root ${record.windowRoot} in ${args.dataDir ? `--data-dir ${args.dataDir}` : "the peers' answers"}: cannot answer`,
          );
        for (const { challenger, outcome } of await desk.answer(window, data))
          moved(`answer to ${challenger} in window ${window}`, outcome);
        break;
      }
      case 'resolve':
        for (const { challenger, outcome } of await desk.resolve(window, args.challenger))
          moved(`resolve of ${challenger}'s game in window ${window}`, outcome);
        break;
    }
  } catch (e) {
    if (e instanceof GameMoveError) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exitCode = 3;
      return;
    }
    throw e;
  } finally {
    await db?.close();
    await host?.stop();
    provider.destroy();
  }
}

/** The window's latest fold in a node's store (to pick where the claim departs from it). */
async function ownTree(layout: MeterLayout, db: NodeDb, window: number) {
  const own = await db.windowResults.get(window);
  return own ? storedWindow(layout, db, window, own.windowRoot) : undefined;
}

/** Opens a node's data dir (`--data-dir`): one line and exit 2 when it cannot be opened or is of another format. */
async function openDataDir(dir: string): Promise<NodeDb> {
  const db = await NodeDb.open(dir).catch((e) => {
    throw new CliError(CliErrorCode.BAD_OPTION, `--data-dir ${dir}: ${(e as Error).message}`);
  });
  const problem = await storeFormatProblem(db, dir);
  if (problem) {
    await db.close();
    throw new CliError(CliErrorCode.BAD_OPTION, problem);
  }
  return db;
}
