import type { Argv } from 'yargs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonRpcProvider, Wallet } from 'ethers';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { auditWindow } from '../../audit/audit.js';
import { HubClient, WindowStatus } from '../../chain/hubClient.js';
import { NodeDb } from '../../db/index.js';
import { Disputer } from '../../dispute/disputer.js';
import { createHost } from '../../network/host.js';
import { defaultNetworkOptions } from '../../network/options.js';
import { topics } from '../../network/topics.js';
import { fetchWindowData, requestWindow } from '../../network/windowClient.js';
import { MeterKeyRing } from '../../reading/meterKeys.js';
import { createLogger } from '../../util/logger.js';
import { CliError, CliErrorCode } from '../errors.js';

export const disputeCommand = {
  command: 'dispute',
  describe:
    'Replay a pending window from the readings peers serve and, if the claim is wrong, send the cheapest fraud proof',
  examples: [
    [
      '$0 dispute --hub 0x.. --window 3 --peer /ip4/127.0.0.1/tcp/9001/p2p/12D3.. --private-key 0x..',
      'Dispute window 3 (anyone may: no stake needed)',
    ],
  ],
  builder: (y: Argv) =>
    y
      .option('rpc-url', { type: 'string', default: 'http://127.0.0.1:8545', describe: 'JSON-RPC endpoint' })
      .option('hub', { type: 'string', demandOption: true, describe: 'Hub contract address' })
      .option('community-id', { type: 'string', default: '1', describe: 'Community id' })
      .option('window', { type: 'number', demandOption: true, describe: 'The pending window' })
      .option('peer', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'Nodes to fetch readings and the claimed commitment from',
      })
      .option('private-key', {
        type: 'string',
        demandOption: true,
        describe: 'Account that sends the dispute and receives the challenger reward (DIVERSITY_PRIVATE_KEY)',
      }),
  handler: async (args: Record<string, any>) => {
    const provider = new JsonRpcProvider(args.rpcUrl, undefined, { staticNetwork: true });
    const wallet = new Wallet(args.privateKey, provider);
    const hub = new HubClient({ hub: args.hub, communityId: BigInt(args.communityId) }, { runner: wallet, provider });
    const community = await hub.communityInfo().catch((e) => {
      throw new CliError(
        CliErrorCode.UNREACHABLE,
        `cannot read community ${args.communityId} at ${args.rpcUrl}: ${e.shortMessage ?? e.message}`,
      );
    });
    const record = await hub.windowRecord(args.window);
    if (record.status !== WindowStatus.Pending)
      throw new CliError(
        CliErrorCode.BAD_OPTION,
        `window ${args.window} is ${WindowStatus[record.status].toLowerCase()}, not pending: nothing to dispute`,
      );
    const host = await createHost(defaultNetworkOptions, (await generateKeyPair('Ed25519')) as unknown as PrivateKey);
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
      const report = await auditWindow(community, args.window, { db, record, readings });
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
        metrics: null,
        logger: createLogger({ level: 'info', name: 'dispute' }),
        fetchCommitments: async (w) =>
          (
            await Promise.all(
              peers.map((p) =>
                requestWindow(host, p, protocol, { method: 'commitment', window: w }).catch(() => [] as Uint8Array[]),
              ),
            )
          ).filter((f) => f.length > 0),
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
