import type { CommandArgs } from '../args.js';
import { commitLayout } from '../../window/fold.js';
import type { Argv } from 'yargs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chainProvider } from '../../chain/provider.js';
import { auditWindow } from '../../audit/audit.js';
import { HubClient, WindowStatus } from '../../chain/hubClient.js';
import { outsiderBalanceBook } from '../../dispute/disputer.js';
import { describeGame, GameDesk, servedTree } from '../../dispute/gameDesk.js';
import { createLogger } from '../../util/logger.js';
import { NodeDb, type StoredWindowResult } from '../../db/index.js';
import { createHost } from '../../network/host.js';
import { defaultNetworkOptions } from '../../network/options.js';
import { topics } from '../../network/topics.js';
import { fetchWindowData, requestWindow } from '../../network/windowClient.js';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { CliError, CliErrorCode } from '../errors.js';
import { hubOptions, hubTarget, unreachable } from '../hubArgs.js';

const builder = (y: Argv) =>
  hubOptions(y)
    .option('window', { type: 'number', demandOption: true, describe: 'Window to audit' })
    .option('peer', {
      type: 'string',
      array: true,
      demandOption: true,
      describe: 'Nodes to fetch readings from (multiaddrs with /p2p/<id>); the union is replayed',
    })
    .option('json', { type: 'boolean', default: false, describe: 'Print the report as JSON' })
    .option('games', {
      type: 'boolean',
      default: false,
      describe:
        "Also say whether any peer serves the pending claim's data (its commitment) and list the data-availability games open against it",
    });

export const auditCommand = {
  command: 'audit',
  describe: 'Replay a window from the signed readings that peers serve and check the result on chain (no stake needed)',
  examples: [
    [
      '$0 audit --hub 0x.. --community-id 1 --window 0 --peer /ip4/127.0.0.1/tcp/9001/p2p/12D3..',
      'Audit window 0 with the readings node 0 serves',
    ],
    [
      '$0 audit --games --hub 0x.. --window 0 --peer /ip4/127.0.0.1/tcp/9001/p2p/12D3..',
      "Also check that the pending claim's data is served, and list its games (play them with `diversity dispute --game`)",
    ],
  ],
  builder,
  handler: async (args: CommandArgs<typeof builder>) => {
    const provider = chainProvider(args.rpcUrl);
    const hub = new HubClient(hubTarget(args), { runner: provider, provider });
    const community = await hub.communityInfo().catch((e) => {
      throw unreachable(args, e);
    });
    if (!Number.isInteger(args.window) || args.window < 0 || args.window >= community.windowCount) {
      throw new CliError(CliErrorCode.BAD_OPTION, `--window: 0..${community.windowCount - 1}`);
    }
    const record = await hub.windowRecord(args.window);
    // The auditor only asks peers over the window protocol: no gossip topic.
    const host = await createHost(defaultNetworkOptions, (await generateKeyPair('Ed25519')) as unknown as PrivateKey, {
      allowedTopics: [],
    });
    const dir = mkdtempSync(join(tmpdir(), 'diversity-audit-'));
    const db = await NodeDb.open(dir);
    try {
      const readings: Uint8Array[] = [];
      let claimed: StoredWindowResult | undefined;
      for (const peer of args.peer.flatMap((p) => p.split(','))) {
        try {
          const data = await fetchWindowData(host, peer, topics(community).windowProtocol, args.window);
          readings.push(...data.readings);
          if (data.claimed && data.claimed.windowRoot === record.windowRoot) claimed = data.claimed;
        } catch (e) {
          process.stderr.write(`warning: ${peer}: ${(e as Error).message}\n`);
        }
      }
      const peers = args.peer.flatMap((p) => p.split(','));
      const fetchCommitments = async (w: number) =>
        (
          await Promise.all(
            peers.map((p) =>
              requestWindow(host, p, topics(community).windowProtocol, { method: 'commitment', window: w }).catch(
                () => [] as Uint8Array[],
              ),
            ),
          )
        ).filter((f) => f.length > 0);
      const balances = outsiderBalanceBook(
        community,
        db,
        hub,
        fetchCommitments,
        createLogger({ level: 'warn', name: 'balances' }),
      );
      const report = await auditWindow(community, args.window, { db, record, readings, claimed, balances });
      if (args.json) {
        const { folded: _f, assembled: _a, ...rest } = report;
        process.stdout.write(`${JSON.stringify(rest, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
      } else {
        process.stdout.write(
          `${[
            `window ${report.window}: ${report.verdict.toUpperCase()}`,
            `  on chain: ${report.chain.status}, ${report.chain.signers} signers, root ${report.chain.windowRoot}`,
            `  replay:   root ${report.replay.windowRoot} from ${report.replay.readings}/${report.replay.expected} readings` +
              ` (${report.replay.voidedSlots} voided, ${report.replay.rejected} rejected)`,
            report.replay.balancesRoot
              ? `  balances: on chain ${report.chain.balancesRoot}, replay ${report.replay.balancesRoot}`
              : `  balances: not checked (the final balances of window ${report.window - 1} are not known here)`,
            report.firstDifference
              ? `  first difference: interval ${report.firstDifference.interval} (${report.firstDifference.what})`
              : '',
          ]
            .filter(Boolean)
            .join('\n')}\n`,
        );
      }
      process.exitCode = report.verdict === 'disagree' ? 3 : 0;
      if (args.games && record.status === WindowStatus.Pending) {
        const desk = await GameDesk.connect(hub, provider, provider, {
          logger: createLogger({ level: 'warn', name: 'game' }),
        });
        // The tree itself (the window protocol's `commitment`), not a peer's own result: only a
        // commitment whose slots and states hash to the root on chain lets a fraud proof open it.
        const answers = await Promise.all(
          (args.peer as string[])
            .flatMap((p) => p.split(','))
            .map((p) =>
              requestWindow(host, p, topics(community).windowProtocol, {
                method: 'commitment',
                window: args.window,
              }).catch(() => [] as Uint8Array[]),
            ),
        );
        const served = servedTree(commitLayout(community), answers, record.windowRoot) !== undefined;
        const games = await desk.games(args.window);
        const now = (await provider.getBlock('latest'))?.timestamp ?? 0;
        const lines = [
          served
            ? "  data:     a peer serves the claim's commitment (fraud proofs can open it)"
            : `  data:     NO peer serves the claim's commitment: challenge it before its period ends (\`diversity dispute --game challenge --window ${args.window}\`)`,
          `  games:    ${games.length} open`,
          ...games.map((g) => `    ${describeGame(g, now)}`),
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
        if (!served) process.exitCode = 3;
      }
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
      await host.stop();
      provider.destroy();
    }
  },
};
