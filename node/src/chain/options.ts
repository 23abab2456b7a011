export interface ChainOptions {
  /** JSON-RPC endpoint. */
  rpcUrl: string;
  /** Hub contract address. */
  hub: string;
  communityId: bigint;
  /** How often the node reads the hub's state. */
  pollMs: number;
  /** After the grace period, how long to wait for every co-signature before submitting with fewer. */
  signatureDeadlineSeconds: number;
  /** Delay between one submitter's turn and the next one's when a window is not on chain yet. */
  takeoverSeconds: number;
}

export const defaultChainOptions: ChainOptions = {
  rpcUrl: 'http://127.0.0.1:8545',
  hub: '',
  communityId: 1n,
  pollMs: 1000,
  signatureDeadlineSeconds: 60,
  takeoverSeconds: 30,
};
