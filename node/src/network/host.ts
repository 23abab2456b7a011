import { createLibp2p, type Libp2p } from 'libp2p';
import { tcp } from '@libp2p/tcp';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify, type Identify } from '@libp2p/identify';
import { gossipsub, type GossipsubEvents } from '@chainsafe/libp2p-gossipsub';
import type { PubSub } from '@libp2p/interface';
import type { PrivateKey } from '@libp2p/interface';
import type { NetworkOptions } from './options.js';

export type DiversityLibp2p = Libp2p<{ identify: Identify; pubsub: PubSub<GossipsubEvents> }>;

/** TCP + noise + yamux + identify + gossipsub (StrictSign): the node's libp2p host. */
export async function createHost(opts: NetworkOptions, privateKey: PrivateKey): Promise<DiversityLibp2p> {
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
      }),
    },
  });
}
