import { multiaddr } from '@multiformats/multiaddr';
import type { PeerId, PrivateKey } from '@libp2p/interface';
import type { CommunityInfo } from '../community/types.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Logger } from '../util/logger.js';
import { CoSignatureGossipErrorCode, ReadingGossipErrorCode } from '../chain/errors.js';
import { gossipValidatorFn, type GossipHandler } from './gossipValidatorFn.js';
import { createHost, type DiversityLibp2p } from './host.js';
import type { NetworkOptions } from './options.js';
import {
  encodeResponseHeader,
  maxItems,
  ReqRespError,
  ReqRespErrorCode,
  serveStream,
  type WindowRequest,
} from './reqresp.js';
import { scoreThresholds, UselessMessageCounter } from './scoring.js';
import { topics, type Topics } from './topics.js';
import { requestWindowFrom } from './windowClient.js';
import * as lp from 'it-length-prefixed';
import { pipe } from 'it-pipe';

/** IGNOREs the sender could have avoided: charged to its application score. */
const USELESS_CODES = new Set<string>([
  ReadingGossipErrorCode.DUPLICATE,
  ReadingGossipErrorCode.EQUIVOCATION_KNOWN,
  CoSignatureGossipErrorCode.DUPLICATE,
  CoSignatureGossipErrorCode.SUPERSEDED,
]);

/** A token bucket per peer: `rate` tokens a second, `burst` at most. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}
  take(key: string): boolean {
    const now = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.rate);
    b.at = now;
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    this.buckets.set(key, b);
    if (this.buckets.size > 10_000) this.buckets.delete(this.buckets.keys().next().value!);
    return ok;
  }
}

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
  community: Pick<CommunityInfo, 'chainId' | 'hub' | 'communityId' | 'windowIntervals'> & {
    meters: readonly unknown[];
  };
  handlers: NetworkHandlers;
  metrics: Metrics | null;
  logger: Logger;
  /** The clock (ms) of the inbound request rate limit; default Date.now (tests hold it still). */
  now?: () => number;
}

/** The node's libp2p side: gossip topics with validation, the window protocol, peer upkeep. */
export class Network {
  readonly topics: Topics;
  private libp2p?: DiversityLibp2p;
  private redialTimer?: NodeJS.Timeout;
  private status: 'stopped' | 'started' = 'stopped';
  /** Useless messages per peer (application score). */
  readonly useless = new UselessMessageCounter();
  private readonly inboundRequests: RateLimiter;
  /** A peer-store prune is under way (the upkeep starts none while one runs). */
  private pruning = false;
  /** Window-protocol answers being served now (`maxConcurrentServes` at most). */
  private serving = 0;
  /** Peers disconnected for their score: not re-dialled before this time (ms). */
  private readonly banned = new Map<string, number>();
  /** The bootstrap addresses, parsed at the first redial. */
  private bootstrap?: { addr: string; ma: ReturnType<typeof multiaddr>; peer: string | null | undefined }[];

  constructor(
    private readonly opts: NetworkOptions,
    private readonly modules: NetworkModules,
  ) {
    this.topics = topics(modules.community);
    this.inboundRequests = new RateLimiter(
      opts.requestsPerSecondPerPeer,
      Math.max(1, 4 * opts.requestsPerSecondPerPeer),
      modules.now,
    );
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
    const libp2p = await createHost(this.opts, this.modules.privateKey, {
      topics: this.topics,
      appSpecificScore: (p) => this.useless.score(p),
    });
    this.libp2p = libp2p;
    const pubsub = libp2p.services.pubsub as unknown as {
      topicValidators: Map<string, ReturnType<typeof gossipValidatorFn>>;
      subscribe(t: string): void;
    };
    const onIgnore = (from: PeerId, code: string) => {
      if (USELESS_CODES.has(code)) this.useless.add(from.toString());
    };
    pubsub.topicValidators.set(
      this.topics.readings,
      gossipValidatorFn('readings', handlers.onReading, metrics, logger, onIgnore),
    );
    pubsub.topicValidators.set(
      this.topics.coSignatures,
      // A co-signature costs a signature recovery (a BLS share a pairing): one peer's at a time.
      gossipValidatorFn('cosignatures', handlers.onCoSignature, metrics, logger, onIgnore, { serialPerPeer: true }),
    );
    pubsub.subscribe(this.topics.readings);
    pubsub.subscribe(this.topics.coSignatures);
    const serveLimits = {
      idleMs: this.opts.requestIdleMs,
      deadlineMs: this.opts.serveDeadlineMs,
      maxFrameBytes: this.opts.maxFrameBytes,
    };
    await libp2p.handle(
      this.topics.windowProtocol,
      ({ stream, connection }) => {
        const peer = connection.remotePeer.toString();
        if (!this.inboundRequests.take(peer)) {
          metrics?.reqRespRequests.inc({ method: 'any', result: 'rate_limited' });
          void pipe(
            [encodeResponseHeader({ ok: false, error: ReqRespErrorCode.RATE_LIMITED })],
            (src) => lp.encode(src),
            stream.sink,
          )
            .catch(() => {})
            .finally(() => stream.close().catch(() => stream.abort(new Error('close failed'))));
          return;
        }
        let holds = false;
        serveStream(
          stream,
          serveLimits,
          async (req) => {
            if (this.serving >= (this.opts.maxConcurrentServes ?? 64)) {
              metrics?.reqRespRequests.inc({ method: req.method, result: ReqRespErrorCode.BUSY });
              throw new ReqRespError({ code: ReqRespErrorCode.BUSY });
            }
            // Held until the answer is written (or cut): what is held in memory is bounded.
            this.serving++;
            holds = true;
            try {
              const items = await handlers.serveWindow(req);
              metrics?.reqRespRequests.inc({ method: req.method, result: 'ok' });
              return items;
            } catch (e) {
              metrics?.reqRespRequests.inc({ method: req.method, result: 'error' });
              throw e;
            }
          },
          (code) => metrics?.reqRespRequests.inc({ method: 'any', result: code }),
        )
          .catch((e) => {
            // Cut by a bound (IDLE, TIMEOUT, TOO_LARGE) or by the peer: counted by its code.
            metrics?.reqRespRequests.inc({
              method: 'any',
              result: e instanceof ReqRespError ? e.code : 'stream_error',
            });
            logger.verbose('window protocol stream failed', { peer }, e);
            stream.abort(e instanceof Error ? e : new Error(String(e)));
          })
          .finally(() => {
            if (holds) this.serving--;
          });
      },
      { maxInboundStreams: this.opts.maxInboundStreams },
    );
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

  /** Gossipsub score of a peer (0 for an unknown one). */
  score(peer: PeerId | string): number {
    return (this.host.services.pubsub as unknown as { getScore(p: string): number }).getScore(peer.toString());
  }

  /**
   * Upkeep: disconnects peers whose score fell below the graylist threshold (gossipsub already
   * drops their messages; the connection and its streams go too, and they are not re-dialled for
   * ten minutes), then dials every bootstrap peer we are not connected to.
   */
  private redial(): void {
    if (this.status !== 'started') return;
    const now = Date.now();
    for (const peer of this.host.getPeers()) {
      const score = this.score(peer);
      if (score >= scoreThresholds.graylistThreshold) continue;
      this.banned.set(peer.toString(), now + 10 * 60 * 1000);
      this.modules.metrics?.peersDisconnected.inc({ reason: 'score' });
      this.modules.logger.warn('disconnecting a peer for its gossip score', {
        peer: peer.toString(),
        score: score.toFixed(1),
      });
      this.host.hangUp(peer).catch(() => {});
    }
    for (const [peer, until] of this.banned) if (until < now) this.banned.delete(peer);
    const connected = new Set(this.host.getPeers().map((p) => p.toString()));
    // Parsed once: this runs every `redialIntervalMs` (500 ms in the test communities) for the node's life.
    this.bootstrap ??= this.opts.bootstrap.map((addr) => {
      const ma = multiaddr(addr);
      return { addr, ma, peer: ma.getPeerId() };
    });
    for (const { addr, ma, peer } of this.bootstrap) {
      if (peer === this.peerId || (peer && connected.has(peer)) || (peer && this.banned.has(peer))) continue;
      this.host.dial(ma).catch((e) => this.modules.logger.debug('dial failed', { addr }, e));
    }
    if (!this.pruning) {
      this.pruning = true;
      this.prunePeerStore(connected)
        .catch((e) => this.modules.logger.debug('peer store prune failed', {}, e))
        .finally(() => {
          this.pruning = false;
        });
    }
  }

  /**
   * Past `maxKnownPeers` entries of peers neither connected nor bootstrap, drops them all from the peer
   * store (libp2p keeps one for every identity that ever connected: identities are free). Bootstrap peers
   * are dialled by their configured address, and scores and bans are kept elsewhere.
   */
  private async prunePeerStore(connected: Set<string>): Promise<void> {
    const keep = new Set([...connected, this.peerId]);
    for (const b of this.bootstrap ?? []) if (b.peer) keep.add(b.peer);
    const gone = (await this.host.peerStore.all()).filter((p) => !keep.has(p.id.toString()));
    if (gone.length <= (this.opts.maxKnownPeers ?? 256)) return;
    for (const p of gone) if (this.status === 'started') await this.host.peerStore.delete(p.id);
    this.modules.metrics?.peersForgotten.inc(gone.length);
  }

  async publishReading(bytes: Uint8Array): Promise<void> {
    await this.host.services.pubsub.publish(this.topics.readings, bytes);
  }

  async publishCoSignature(bytes: Uint8Array): Promise<void> {
    await this.host.services.pubsub.publish(this.topics.coSignatures, bytes);
  }

  /**
   * Asks one peer over the window protocol, within the deadline and every bound of the protocol
   * (item count for the method, frame and response bytes, idle time): throws a ReqRespError
   * rather than wait or buffer past them.
   */
  async request(peer: PeerId, req: WindowRequest, deadlineMs = 5000): Promise<Uint8Array[]> {
    if (this.banned.has(peer.toString()))
      throw new ReqRespError({ code: ReqRespErrorCode.REMOTE_ERROR, detail: 'peer disconnected for its score' });
    const { community } = this.modules;
    return requestWindowFrom(this.host, peer, this.topics.windowProtocol, req, {
      deadlineMs,
      idleMs: Math.min(deadlineMs, this.opts.requestIdleMs),
      maxFrameBytes: this.opts.maxFrameBytes,
      maxResponseBytes: this.opts.maxResponseBytes,
      maxItems: maxItems(req.method, { windowIntervals: community.windowIntervals, meters: community.meters.length }),
    });
  }

  /**
   * Asks the connected peers at once (at most `maxRequestPeers`: bootstrap peers first, then the best
   * gossip scores; every answer is held until the last is in) and returns the answers of those that
   * answered in time (never waits on the slowest: each request has its own deadline; failures are reported).
   */
  async requestAll(req: WindowRequest, deadlineMs: number): Promise<{ peer: PeerId; items: Uint8Array[] }[]> {
    const bootstrap = new Set((this.bootstrap ?? []).map((b) => b.peer).filter((p): p is string => Boolean(p)));
    const peers = this.connectedPeers()
      .filter((p) => !this.banned.has(p.toString()))
      .map((peer) => ({ peer, first: bootstrap.has(peer.toString()) ? 1 : 0, score: this.score(peer) }))
      .sort((a, b) => b.first - a.first || b.score - a.score)
      .slice(0, Math.max(1, this.opts.maxRequestPeers ?? 16))
      .map((p) => p.peer);
    const settled = await Promise.allSettled(peers.map((peer) => this.request(peer, req, deadlineMs)));
    const out: { peer: PeerId; items: Uint8Array[] }[] = [];
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') {
        out.push({ peer: peers[i], items: s.value });
        this.modules.metrics?.reqRespOutbound.inc({ method: req.method, result: 'ok' });
      } else {
        const code = s.reason instanceof ReqRespError ? s.reason.code : 'OTHER';
        this.modules.metrics?.reqRespOutbound.inc({ method: req.method, result: code });
        this.modules.logger.verbose('window request failed', {
          peer: peers[i].toString(),
          method: req.method,
          window: req.window,
          code,
        });
      }
    });
    return out;
  }
}
