export interface NetworkOptions {
  /** Multiaddrs to listen on; loopback by default. */
  listen: string[];
  /** Multiaddrs (with /p2p/<peerId>) of peers to keep connected to. */
  bootstrap: string[];
  /** How often to re-dial bootstrap peers that are not connected. */
  redialIntervalMs: number;
  /** Largest request/response frame accepted. */
  maxFrameBytes: number;
  /** Largest window-protocol response accepted (sum of its frames). */
  maxResponseBytes: number;
  /** Longest silence between two frames of a window-protocol exchange, either side. */
  requestIdleMs: number;
  /** Deadline of an inbound window-protocol stream (a peer that does not read is cut off). */
  serveDeadlineMs: number;
  /** Window-protocol requests a peer may make per second (token bucket, burst = 4 s worth). */
  requestsPerSecondPerPeer: number;
  /** Inbound window-protocol streams open at once, per connection. */
  maxInboundStreams: number;
  /**
   * Window-protocol answers served at once, whoever asks (one more is answered `REQRESP_BUSY`): each is
   * built in memory (up to W·M readings) and held until read or the serve deadline.
   */
  maxConcurrentServes: number;
  /**
   * Peer-store entries of peers neither connected nor bootstrap kept at most: past it the upkeep drops
   * them (libp2p keeps an entry for every identity that ever connected, for the life of the process).
   */
  maxKnownPeers: number;
  /**
   * Peers a fetch from "every peer" (`requestAll`) asks at most: bootstrap peers first, then the best
   * gossip scores. Each answer may be `maxResponseBytes` and all are held until the last is in.
   */
  maxRequestPeers: number;
}

export const defaultNetworkOptions: NetworkOptions = {
  listen: ['/ip4/127.0.0.1/tcp/0'],
  bootstrap: [],
  redialIntervalMs: 2000,
  maxFrameBytes: 1024 * 1024,
  maxResponseBytes: 16 * 1024 * 1024,
  requestIdleMs: 3000,
  serveDeadlineMs: 15_000,
  requestsPerSecondPerPeer: 10,
  maxInboundStreams: 4,
  maxConcurrentServes: 64,
  maxKnownPeers: 256,
  maxRequestPeers: 16,
};

/**
 * Bounds of one gossipsub RPC a peer sends, checked at decode (a bound passed refuses the whole RPC,
 * before any of it is handled; gossipsub's defaults are all unbounded). A legitimate RPC carries one
 * published message, or at most an IWANT answer: never more than gossipsub's IHAVE length (5,000).
 */
export const gossipRpcLimits = {
  maxSubscriptions: 64,
  maxMessages: 5000,
  maxIhaveMessageIDs: 5000,
  maxIwantMessageIDs: 5000,
  maxIdontwantMessageIDs: 5000,
  maxControlMessages: 256,
  maxPeerInfos: 16,
};

/** How the gossip adapter keeps one peer from making a topic's validation costly (`gossipValidatorFn`). */
export interface GossipGateOptions {
  /**
   * REJECTs of one peer after which its messages on the topic are dropped unvalidated
   * (`GOSSIP_PEER_REJECTED`) until `rejectMemoMs` after its last; gossipsub graylists such a peer too,
   * but only at its next RPC and through a score cached for a second.
   */
  maxRejectsPerPeer: number;
  rejectMemoMs: number;
  /**
   * Validate one peer's messages one at a time (a topic whose check is costly: gossipsub hands every
   * message of a burst to the validator at once), with at most `maxQueuedPerPeer` waiting
   * (`GOSSIP_PEER_BUSY` past it).
   */
  serialPerPeer: boolean;
  maxQueuedPerPeer: number;
}

export const defaultGossipGateOptions: GossipGateOptions = {
  maxRejectsPerPeer: 5,
  rejectMemoMs: 10 * 60 * 1000,
  serialPerPeer: false,
  maxQueuedPerPeer: 4096,
};
