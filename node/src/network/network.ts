import { multiaddr } from '@multiformats/multiaddr';
import type { PeerId, PrivateKey } from '@libp2p/interface';
import type { CommunityInfo } from '../community/types.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Logger } from '../util/logger.js';
import { gossipValidatorFn, type GossipHandler } from './gossipValidatorFn.js';
import { createHost, type DiversityLibp2p } from './host.js';
import type { NetworkOptions } from './options.js';
import { requestOnStream, serveStream, type WindowRequest } from './reqresp.js';
import { topics, type Topics } from './topics.js';

export interface NetworkHandlers {
  /** Validates (and on success stores) a gossiped signed reading; throws GossipValidationError. */
  onReading: GossipHandler;
  /** Validates (and on success stores) a gossiped co-signature; throws GossipValidationError. */
  onCoSignature: GossipHandler;
  /** Answers a window-protocol request. */
  serveWindow(req: WindowRequest): Promise<Uint8Array[]>;
}

export interface NetworkModules {
  privateKey: PrivateKey;
  community: Pick<CommunityInfo, 'chainId' | 'hub' | 'communityId'>;
  handlers: NetworkHandlers;
  metrics: Metrics | null;
  logger: Logger;
}

/** The node's libp2p side: gossip topics with validation, the window protocol, peer upkeep. */
export class Network {
  readonly topics: Topics;
  private libp2p?: DiversityLibp2p;
  private redialTimer?: NodeJS.Timeout;
  private status: 'stopped' | 'started' = 'stopped';

  constructor(
    private readonly opts: NetworkOptions,
    private readonly modules: NetworkModules,
  ) {
    this.topics = topics(modules.community);
  }

  get host(): DiversityLibp2p {
    if (!this.libp2p) throw new Error('network not started');
    return this.libp2p;
  }

  get peerId(): string {
    return this.host.peerId.toString();
  }

  multiaddrs(): string[] {
    return this.host.getMultiaddrs().map((a) => a.toString());
  }

  connectedPeers(): PeerId[] {
    return this.host.getPeers();
  }

  async start(): Promise<void> {
    if (this.status === 'started') return;
    const { handlers, metrics, logger } = this.modules;
    const libp2p = await createHost(this.opts, this.modules.privateKey);
    this.libp2p = libp2p;
    const pubsub = libp2p.services.pubsub as unknown as {
      topicValidators: Map<string, ReturnType<typeof gossipValidatorFn>>;
      subscribe(t: string): void;
    };
    pubsub.topicValidators.set(this.topics.readings, gossipValidatorFn('readings', handlers.onReading, metrics, logger));
    pubsub.topicValidators.set(this.topics.coSignatures, gossipValidatorFn('cosignatures', handlers.onCoSignature, metrics, logger));
    pubsub.subscribe(this.topics.readings);
    pubsub.subscribe(this.topics.coSignatures);
    await libp2p.handle(this.topics.windowProtocol, ({ stream }) => {
      serveStream(stream, this.opts.maxFrameBytes, async (req) => {
        try {
          const items = await handlers.serveWindow(req);
          metrics?.reqRespRequests.inc({ method: req.method, result: 'ok' });
          return items;
        } catch (e) {
          metrics?.reqRespRequests.inc({ method: req.method, result: 'error' });
          throw e;
        }
      }).catch((e) => logger.verbose('window protocol stream failed', {}, e));
    });
    libp2p.addEventListener('connection:open', () => metrics?.peers.set(libp2p.getPeers().length));
    libp2p.addEventListener('connection:close', () => metrics?.peers.set(libp2p.getPeers().length));
    this.status = 'started';
    this.redial();
    this.redialTimer = setInterval(() => this.redial(), this.opts.redialIntervalMs);
    logger.info('network started', { peerId: this.peerId, listen: this.multiaddrs() });
  }

  async stop(): Promise<void> {
    if (this.status === 'stopped') return;
    this.status = 'stopped';
    clearInterval(this.redialTimer);
    await this.libp2p?.stop();
  }

  /** Dials every bootstrap peer we are not connected to; failures are retried next round. */
  private redial(): void {
    if (this.status !== 'started') return;
    const connected = new Set(this.host.getPeers().map((p) => p.toString()));
    for (const addr of this.opts.bootstrap) {
      const ma = multiaddr(addr);
      const peer = ma.getPeerId();
      if (peer === this.peerId || (peer && connected.has(peer))) continue;
      this.host.dial(ma).catch((e) => this.modules.logger.debug('dial failed', { addr }, e));
    }
  }

  async publishReading(bytes: Uint8Array): Promise<void> {
    await this.host.services.pubsub.publish(this.topics.readings, bytes);
  }

  async publishCoSignature(bytes: Uint8Array): Promise<void> {
    await this.host.services.pubsub.publish(this.topics.coSignatures, bytes);
  }

  /** Asks one peer over the window protocol. */
  async request(peer: PeerId, req: WindowRequest, timeoutMs = 5000): Promise<Uint8Array[]> {
    const signal = AbortSignal.timeout(timeoutMs);
    const stream = await this.host.dialProtocol(peer, this.topics.windowProtocol, { signal });
    try {
      return await requestOnStream(stream, req, this.opts.maxFrameBytes);
    } finally {
      await stream.close().catch(() => stream.abort(new Error('close failed')));
    }
  }
}
