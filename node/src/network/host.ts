import { createLibp2p, type Libp2p } from 'libp2p';
import { tcp } from '@libp2p/tcp';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify, type Identify } from '@libp2p/identify';
import { gossipsub, type GossipsubEvents } from '@chainsafe/libp2p-gossipsub';
import type { PubSub } from '@libp2p/interface';
import type { PrivateKey } from '@libp2p/interface';
import { defaultNetworkOptions, gossipRpcLimits, type NetworkOptions } from './options.js';
import { messageIdFns, scoreParams, scoreThresholds } from './scoring.js';
import type { Topics } from './topics.js';

export type DiversityLibp2p = Libp2p<{ identify: Identify; pubsub: PubSub<GossipsubEvents> }>;

/** A community member's gossip: its topics (for scoring and message ids) and the application score. */
export interface CommunityGossip {
  topics: Topics;
  appSpecificScore: (peer: string) => number;
}

/**
 * A host outside the community's gossip (a meter, an auditor, a disputer): the only topics it hears of
 * (`[]`: none). Without a list gossipsub keeps every topic a peer names, for good.
 */
export interface OutsiderGossip {
  allowedTopics: string[];
}

/**
 * TCP + noise + yamux + identify + gossipsub (StrictSign): the node's libp2p host. With
 * `gossip` (nodes), peer scoring is on and readings are identified by their bytes (see
 * `scoring.ts`); with `{ allowedTopics }` (auditors, meters), plain gossipsub on those topics only;
 * without it (tests' rogue peers), plain gossipsub on any topic.
 */
export async function createHost(
  opts: NetworkOptions,
  privateKey: PrivateKey,
  gossip?: CommunityGossip | OutsiderGossip,
): Promise<DiversityLibp2p> {
  return createLibp2p({
    privateKey,
    addresses: { listen: opts.listen },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      pubsub: gossipsub({
        globalSignaturePolicy: 'StrictSign',
        emitSelf: false,
        // A community is small: publish to every subscribed peer, not only the mesh.
        floodPublish: true,
        allowPublishToZeroTopicPeers: true,
        // Seen-cache long enough to cover a window's reconciliation.
        seenTTL: 10 * 60 * 1000,
        // A peer's RPC is bounded at decode (gossipsub's defaults are unbounded).
        decodeRpcLimits: gossipRpcLimits,
        // And in bytes, at its length prefix (before any of it is read).
        maxInboundDataLength: opts.maxGossipRpcBytes ?? defaultNetworkOptions.maxGossipRpcBytes,
        ...(gossip && !('topics' in gossip) ? { allowedTopics: gossip.allowedTopics } : {}),
        ...(gossip && 'topics' in gossip
          ? {
              // Only the community's topics: gossipsub keeps every topic it hears of for good (a
              // peer subscribing to made-up topics grew its maps without bound), and a message on
              // another topic is dropped before any work.
              allowedTopics: [gossip.topics.readings, gossip.topics.coSignatures],
              scoreParams: scoreParams(gossip.topics, gossip.appSpecificScore),
              scoreThresholds,
              ...messageIdFns(gossip.topics.readings),
            }
          : {}),
      }),
    },
  });
}
