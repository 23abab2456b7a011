export interface ChainOptions {
  /** JSON-RPC endpoint. */
  rpcUrl: string;
  /** Hub contract address. */
  hub: string;
  communityId: bigint;
  /**
   * First block that can hold the community's events: the hub's deployment block. Every event query starts
   * there, in ranges of at most 5,000 blocks (`MAX_LOG_RANGE`); 0 reads the whole chain (fine on a local one,
   * slow on a public one).
   */
  fromBlock: number;
  /** How often the node reads the hub's state. */
  pollMs: number;
  /** After the grace period, how long to wait for every co-signature before submitting with fewer. */
  signatureDeadlineSeconds: number;
  /** Delay between one submitter's turn and the next one's when a window is not on chain yet. */
  takeoverSeconds: number;
  /** Highest max fee per gas the node pays, in gwei (a replacement never goes past it). */
  maxFeePerGasGwei: number;
  /** Highest priority fee (tip) per gas, in gwei. */
  maxPriorityFeePerGasGwei: number;
  /** A transaction not mined after this long is replaced (same nonce, fees +12.5 %, within the caps). */
  replaceAfterSeconds: number;
  /** Wait after a failed or reverted attempt; doubles on each further failure, up to `backoffMaxSeconds`. */
  backoffSeconds: number;
  backoffMaxSeconds: number;
  /**
   * Once every window is final: close the community (rotation: participant `windowCount mod N` first, each
   * next one `takeoverSeconds` later) and claim this member's balance, then, as a creditor, its share of the
   * repaid pool once every debtor is paid out. Off by default: a member may prefer to send these by hand (`diversity claim`).
   */
  closeAndClaim: boolean;
  /**
   * With `closeAndClaim`, as a creditor: how long after the community closed (chain time, the block of its
   * `CommunityClosed`) the node waits for its debtors to claim before it claims for each one still unpaid
   * (the hub pays the debtor, not us; at most one transaction of ours per debtor), then takes its share.
   */
  claimForDebtorsAfterSeconds: number;
}

export const defaultChainOptions: ChainOptions = {
  rpcUrl: 'http://127.0.0.1:8545',
  hub: '',
  communityId: 1n,
  fromBlock: 0,
  pollMs: 1000,
  signatureDeadlineSeconds: 60,
  takeoverSeconds: 30,
  maxFeePerGasGwei: 50,
  maxPriorityFeePerGasGwei: 2,
  replaceAfterSeconds: 60,
  backoffSeconds: 2,
  backoffMaxSeconds: 300,
  closeAndClaim: false,
  claimForDebtorsAfterSeconds: 86_400,
};
