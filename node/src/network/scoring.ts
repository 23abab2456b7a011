import { createHash } from 'node:crypto';
import type { Message } from '@libp2p/interface';
import type { PeerScoreParams, PeerScoreThresholds, TopicScoreParams } from '@chainsafe/libp2p-gossipsub/score';
import type { Topics } from './topics.js';

/**
 * Gossipsub peer scoring for a community (a small, fully meshed network, flood publishing).
 *
 * - P4 (invalid messages) is the rule that matters: every REJECT (bad signature, malformed,
 *   wrong community, unknown meter) counts, squared, with a slow decay. Five rejected messages
 *   take a peer below the graylist threshold: its RPCs are then dropped before validation, and the
 *   network's upkeep loop disconnects it.
 * - P5 (application score) charges useless messages that cost us a look-up: readings whose
 *   values we already hold under another signature (a P-256 re-signing flood) and other IGNOREs
 *   a peer keeps sending (`UselessMessageCounter`).
 * - P2 (first deliveries) and P1 (time in mesh) give honest peers a small positive score.
 * - P3 (mesh delivery deficit) is off: honest members of a quiet community send few messages,
 *   and a penalty for silence would graylist them.
 */
export const scoreThresholds: PeerScoreThresholds = {
  gossipThreshold: -20,
  publishThreshold: -40,
  graylistThreshold: -80,
  acceptPXThreshold: 100,
  opportunisticGraftThreshold: 1,
};

/** Invalid messages (squared, times this) that take a peer to the graylist: 5 (-4 * 25 = -100). */
const INVALID_WEIGHT = -4;

function topicParams(weight: number): TopicScoreParams {
  return {
    topicWeight: weight,
    timeInMeshWeight: 0.01,
    timeInMeshQuantum: 1000,
    timeInMeshCap: 300,
    firstMessageDeliveriesWeight: 0.5,
    firstMessageDeliveriesDecay: 0.9,
    firstMessageDeliveriesCap: 20,
    meshMessageDeliveriesWeight: 0,
    meshMessageDeliveriesDecay: 0.5,
    meshMessageDeliveriesCap: 100,
    meshMessageDeliveriesThreshold: 1,
    meshMessageDeliveriesWindow: 10,
    meshMessageDeliveriesActivation: 60_000,
    meshFailurePenaltyWeight: 0,
    meshFailurePenaltyDecay: 0.5,
    invalidMessageDeliveriesWeight: INVALID_WEIGHT,
    // Per decay interval (1 s): half-life about 10 minutes.
    invalidMessageDeliveriesDecay: 0.9989,
  };
}

export function scoreParams(topics: Topics, appSpecificScore: (peer: string) => number): Partial<PeerScoreParams> {
  return {
    topics: { [topics.readings]: topicParams(1), [topics.coSignatures]: topicParams(1) },
    topicScoreCap: 10,
    appSpecificScore,
    appSpecificWeight: 1,
    // Loopback devnets and a neighbourhood behind one NAT share an address: no colocation penalty.
    IPColocationFactorWeight: 0,
    behaviourPenaltyWeight: -10,
    behaviourPenaltyThreshold: 0,
    behaviourPenaltyDecay: 0.9,
    decayInterval: 1000,
    decayToZero: 0.01,
    retainScore: 60 * 60 * 1000,
  };
}

/**
 * Per-peer count of useless messages (IGNOREd for a reason the sender controls), decaying by
 * half every `halfLifeMs`; the application score is minus the count over `perPoint`.
 */
export class UselessMessageCounter {
  private readonly counts = new Map<string, { value: number; at: number }>();

  constructor(
    private readonly halfLifeMs = 30_000,
    private readonly perPoint = 20,
    private readonly now: () => number = Date.now,
  ) {}

  private current(peer: string): number {
    const c = this.counts.get(peer);
    if (!c) return 0;
    return c.value * 0.5 ** ((this.now() - c.at) / this.halfLifeMs);
  }

  add(peer: string, n = 1): void {
    this.counts.set(peer, { value: this.current(peer) + n, at: this.now() });
    if (this.counts.size > 10_000) this.counts.delete(this.counts.keys().next().value!);
  }

  score(peer: string): number {
    const v = this.current(peer);
    if (v < 1) {
      this.counts.delete(peer);
      return 0;
    }
    return -v / this.perPoint;
  }
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest();

/**
 * Message ids. A reading is identified by its bytes: the same reading replayed under new
 * envelopes (new seqno, another sender) is one message, dropped by the seen-cache before any
 * signature is checked (`fastMsgId` runs before the envelope's signature is verified). Other
 * topics keep the sender + seqno identity, so a co-signature can be sent again to a peer that
 * was away.
 */
export function messageIdFns(readingsTopic: string) {
  return {
    fastMsgIdFn: (rpc: { topic?: string; data?: Uint8Array; from?: Uint8Array; seqno?: Uint8Array }): string => {
      if (rpc.topic === readingsTopic) return `r${sha256(rpc.data ?? new Uint8Array()).toString('base64')}`;
      return (
        'o' +
        Buffer.from(rpc.from ?? []).toString('base64') +
        ':' +
        Buffer.from(rpc.seqno ?? []).toString('base64') +
        ':' +
        sha256(rpc.data ?? new Uint8Array()).toString('base64')
      );
    },
    msgIdFn: (msg: Message): Uint8Array => {
      if (msg.topic === readingsTopic) return sha256(msg.data);
      const from = msg.type === 'signed' ? `${msg.from.toString()}:${msg.sequenceNumber}` : 'unsigned';
      return createHash('sha256').update(from).update(msg.data).digest();
    },
  };
}
