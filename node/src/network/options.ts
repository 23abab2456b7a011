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

/**
 * Bytes one gossipsub message takes in an RPC at most: the largest payload the node gossips (a BLS share,
 * 230 bytes; a co-signature is 167, a reading 134), its topic (~110 bytes), the sender's peer id (38), seqno
 * (8), signature (64) and the protobuf tags, ~470 bytes, rounded up.
 */
export const GOSSIP_MESSAGE_RPC_BYTES = 512;
/** Bytes of one message id in an RPC's control lists at most (a 32-byte SHA-256 and its tags), rounded up. */
const GOSSIP_MESSAGE_ID_RPC_BYTES = 40;
/** Bytes of one subscription or control entry's topic at most, rounded up. */
const GOSSIP_TOPIC_RPC_BYTES = 128;

/**
 * The largest legitimate gossipsub RPC: a full batch under `gossipRpcLimits` (5,000 messages of the largest
 * kind, full IHAVE/IWANT/IDONTWANT lists, every subscription and control entry), ~3.05 MiB.
 */
export const MAX_LEGITIMATE_GOSSIP_RPC_BYTES =
  gossipRpcLimits.maxMessages * GOSSIP_MESSAGE_RPC_BYTES +
  (gossipRpcLimits.maxIhaveMessageIDs + gossipRpcLimits.maxIwantMessageIDs + gossipRpcLimits.maxIdontwantMessageIDs) *
    GOSSIP_MESSAGE_ID_RPC_BYTES +
  (gossipRpcLimits.maxSubscriptions + gossipRpcLimits.maxControlMessages) * GOSSIP_TOPIC_RPC_BYTES;

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
  /**
   * Largest gossipsub RPC accepted from a peer (`maxInboundDataLength`; gossipsub's default is 4 MB): one
   * past it is refused at its length prefix, before it is read or decoded. At least
   * `MAX_LEGITIMATE_GOSSIP_RPC_BYTES`.
   */
  maxGossipRpcBytes: number;
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
  maxGossipRpcBytes: MAX_LEGITIMATE_GOSSIP_RPC_BYTES,
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
