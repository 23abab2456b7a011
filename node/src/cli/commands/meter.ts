import type { Argv } from 'yargs';
import { chainProvider } from '../../chain/provider.js';
import { multiaddr } from '@multiformats/multiaddr';
import { HubClient } from '../../chain/hubClient.js';
import { CommunityClock } from '../../community/clock.js';
import { MeterService } from '../../meter/meterService.js';
import { createHost } from '../../network/host.js';
import { defaultNetworkOptions } from '../../network/options.js';
import { peerKeyFromSecret } from '../../network/peerKey.js';
import { topics } from '../../network/topics.js';
import { createSimulatedMeter } from '../../node/meterFactory.js';
import { createLogger } from '../../util/logger.js';
import type { CommandArgs } from '../args.js';
import { CliError, CliErrorCode } from '../errors.js';
import { hubTarget } from '../hubArgs.js';

const builder = (y: Argv) =>
  y
    .option('rpc-url', {
      type: 'string',
      default: 'http://127.0.0.1:8545',
      describe: 'JSON-RPC endpoint (to read the community schedule)',
    })
    .option('hub', { type: 'string', demandOption: true, describe: 'Hub contract address' })
    .option('community-id', { type: 'string', default: '1', describe: 'Community id' })
    .option('meter-index', { type: 'number', demandOption: true, describe: 'Meter index on the hub' })
    .option('secret-key', {
      type: 'string',
      demandOption: true,
      describe: 'Ed25519 seed (32 bytes) or tweetnacl secret key (64 bytes), hex',
    })
    .option('profile', {
      type: 'string',
      demandOption: true,
      describe: 'builtin:italy-2020?pvKwp=3&seed=1, csv:PATH or constant:loadWh=..,pvWh=..',
    })
    .option('profile-offset', { type: 'number', default: 0, describe: 'Profile interval replayed as interval 0' })
    .option('bootstrap', {
      type: 'string',
      array: true,
      demandOption: true,
      describe: 'Node multiaddrs to publish to',
    })
    .option('log-level', { choices: ['error', 'warn', 'info', 'verbose', 'debug'] as const, default: 'info' as const });

export const meterCommand = {
  command: 'meter',
  describe: 'Run a simulated smart meter: replay a profile and publish signed readings over gossip',
  examples: [
    [
      '$0 meter --rpc-url http://127.0.0.1:8545 --hub 0x.. --community-id 1 --meter-index 0 --secret-key 0x.. --profile builtin:italy-2020?pvKwp=3 --bootstrap /ip4/127.0.0.1/tcp/9001/p2p/12D3..',
      'Meter 0 of community 1',
    ],
  ],
  builder,
  handler: async (args: CommandArgs<typeof builder>) => {
    const logger = createLogger({ level: args.logLevel, name: `meter-${args.meterIndex}` });
    const provider = chainProvider(args.rpcUrl);
    const hub = new HubClient(hubTarget(args), { runner: provider, provider });
    const community = await hub.communityInfo().catch((e) => {
      throw new CliError(
        CliErrorCode.UNREACHABLE,
        `cannot read community ${args.communityId} from hub ${args.hub} at ${args.rpcUrl}: ${e.shortMessage ?? e.message}`,
      );
    });
    provider.destroy();
    const meter = createSimulatedMeter(
      {
        meterIndex: args.meterIndex,
        secretKey: args.secretKey,
        profile: args.profile,
        profileOffset: args.profileOffset,
      },
      community,
    );
    const topic = topics(community).readings;
    // The meter publishes readings and hears of no other topic.
    const host = await createHost({ ...defaultNetworkOptions }, await peerKeyFromSecret(`meter:${args.secretKey}`), {
      allowedTopics: [topic],
    });
    host.services.pubsub.subscribe(topic);
    const bootstrap = args.bootstrap.flatMap((s) => s.split(','));
    const dialAll = () => {
      for (const a of bootstrap) host.dial(multiaddr(a)).catch(() => {});
    };
    dialAll();
    const redial = setInterval(() => host.getPeers().length < bootstrap.length && dialAll(), 2000);
    const clock = new CommunityClock(community);
    const service = new MeterService(
      {
        tickMs: Math.max(100, (community.intervalSeconds * 1000) / 4),
        lastInterval: clock.totalIntervals - 1,
        profileOffset: args.profileOffset,
      },
      { meter, clock, logger, publish: async (bytes) => void (await host.services.pubsub.publish(topic, bytes)) },
    );
    service.start(Math.max(0, clock.currentInterval() - 1));
    logger.info('meter running', { meter: args.meterIndex, community: community.communityId, topic });
    const stop = async () => {
      await service.stop();
      clearInterval(redial);
      await host.stop();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  },
};
