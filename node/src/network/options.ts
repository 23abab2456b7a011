export interface NetworkOptions {
  /** Multiaddrs to listen on; loopback by default. */
  listen: string[];
  /** Multiaddrs (with /p2p/<peerId>) of peers to keep connected to. */
  bootstrap: string[];
  /** How often to re-dial bootstrap peers that are not connected. */
  redialIntervalMs: number;
  /** Largest request/response frame accepted. */
  maxFrameBytes: number;
}

export const defaultNetworkOptions: NetworkOptions = {
  listen: ['/ip4/127.0.0.1/tcp/0'],
  bootstrap: [],
  redialIntervalMs: 2000,
  maxFrameBytes: 4 * 1024 * 1024,
};
