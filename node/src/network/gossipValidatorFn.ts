import { TopicValidatorResult, type PeerId, type Message } from '@libp2p/interface';
import { GossipAction, GossipPeerErrorCode, GossipValidationError } from '../chain/errors.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Logger } from '../util/logger.js';
import { defaultGossipGateOptions, type GossipGateOptions } from './options.js';

export type GossipHandler = (data: Uint8Array, from: PeerId) => Promise<void>;

/** Most peers remembered by a gate (the oldest forgotten first). */
const MAX_PEERS = 10_000;

/**
 * Per topic and peer: the peers whose messages were rejected lately (not validated again), and,
 * for a costly topic, one validation at a time per peer with a bounded queue.
 */
class PeerGate {
  private readonly rejected = new Map<string, { count: number; until: number }>();
  private readonly queues = new Map<string, { tail: Promise<unknown>; queued: number }>();

  constructor(
    private readonly opts: GossipGateOptions,
    private readonly now: () => number,
  ) {}

  /** Whether this peer's messages are dropped unvalidated for now. */
  barred(peer: string): boolean {
    const r = this.rejected.get(peer);
    if (!r) return false;
    if (r.until <= this.now()) {
      this.rejected.delete(peer);
      return false;
    }
    return r.count >= this.opts.maxRejectsPerPeer;
  }

  reject(peer: string): void {
    const r = this.rejected.get(peer) ?? { count: 0, until: 0 };
    this.rejected.delete(peer); // re-inserted last: the map drops the oldest first
    this.rejected.set(peer, { count: r.count + 1, until: this.now() + this.opts.rejectMemoMs });
    if (this.rejected.size > MAX_PEERS) this.rejected.delete(this.rejected.keys().next().value!);
  }

  /** Runs `fn` after this peer's earlier messages (serial), or at once; undefined when its queue is full. */
  run<T>(peer: string, fn: () => Promise<T>): Promise<T> | undefined {
    if (!this.opts.serialPerPeer) return fn();
    const q = this.queues.get(peer) ?? { tail: Promise.resolve(), queued: 0 };
    if (q.queued >= this.opts.maxQueuedPerPeer) return undefined;
    q.queued++;
    const out = q.tail.then(fn);
    q.tail = out.catch(() => {});
    this.queues.set(peer, q);
    void q.tail.then(() => {
      if (--q.queued === 0 && this.queues.get(peer) === q) this.queues.delete(peer);
    });
    return out;
  }
}

/**
 * The one adapter between validation and gossipsub: a handler that returns accepts, a
 * GossipValidationError maps to Ignore/Reject and is counted by code; anything else is a bug
 * on our side, logged and ignored (never blamed on the peer, never crashing the node).
 * A peer rejected `maxRejectsPerPeer` times lately is not validated again (`GOSSIP_PEER_REJECTED`),
 * and with `serialPerPeer` one peer's messages are validated one at a time, at most
 * `maxQueuedPerPeer` waiting (`GOSSIP_PEER_BUSY`): a burst from a hostile peer costs a handful of
 * checks, not one per message (DESIGN §6.4).
 */
export function gossipValidatorFn(
  topicName: string,
  handler: GossipHandler,
  metrics: Metrics | null,
  logger: Logger,
  /** Told of every IGNORE, so that useless senders can be charged (see `scoring.ts`). */
  onIgnore?: (from: PeerId, code: string) => void,
  gateOptions: Partial<GossipGateOptions> = {},
  now: () => number = Date.now,
) {
  const gate = new PeerGate({ ...defaultGossipGateOptions, ...gateOptions }, now);
  const dropped = (code: GossipPeerErrorCode) => {
    metrics?.gossipErrors.inc({ topic: topicName, code });
    metrics?.gossipMessages.inc({ topic: topicName, result: 'ignore' });
    return TopicValidatorResult.Ignore;
  };
  const validate = async (from: PeerId, msg: Message): Promise<TopicValidatorResult> => {
    const peer = from.toString();
    if (gate.barred(peer)) return dropped(GossipPeerErrorCode.PEER_REJECTED);
    try {
      await handler(msg.data, from);
      metrics?.gossipMessages.inc({ topic: topicName, result: 'accept' });
      return TopicValidatorResult.Accept;
    } catch (e) {
      if (e instanceof GossipValidationError) {
        metrics?.gossipErrors.inc({ topic: topicName, code: e.code });
        metrics?.gossipMessages.inc({
          topic: topicName,
          result: e.action === GossipAction.REJECT ? 'reject' : 'ignore',
        });
        if (e.action === GossipAction.REJECT) {
          gate.reject(peer);
          logger.verbose('gossip message rejected', { topic: topicName, code: e.code, from: peer });
        } else onIgnore?.(from, e.code);
        return e.action === GossipAction.REJECT ? TopicValidatorResult.Reject : TopicValidatorResult.Ignore;
      }
      logger.error('gossip handler failed', { topic: topicName }, e);
      metrics?.gossipMessages.inc({ topic: topicName, result: 'error' });
      return TopicValidatorResult.Ignore;
    }
  };
  return async (from: PeerId, msg: Message): Promise<TopicValidatorResult> => {
    const peer = from.toString();
    if (gate.barred(peer)) return dropped(GossipPeerErrorCode.PEER_REJECTED);
    return gate.run(peer, () => validate(from, msg)) ?? dropped(GossipPeerErrorCode.PEER_BUSY);
  };
}
