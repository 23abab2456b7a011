import {
  FetchRequest,
  isError,
  type JsonRpcApiProviderOptions,
  type JsonRpcPayload,
  JsonRpcProvider,
  type JsonRpcResult,
  type Networkish,
  type Subscriber,
  type Subscription,
} from 'ethers';

/**
 * How long one JSON-RPC request may go unanswered before it fails (ethers' own bound is 300 s). A request the
 * node drops must end in an error the caller handles (a daemon tick logs it and the next tick tries again),
 * never in a wait as long as a test's whole budget: an e2e run hung exactly 300 s inside a settlement tick.
 */
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * The JSON-RPC methods a request may be sent again for after it timed out: they read and change nothing, so
 * a second answer is as good as the first. Not a transaction's send (a resend of the same signed bytes is
 * harmless, but its error says "already known" instead of the hash, which callers would mistake for a
 * refusal) and not the test nodes' state changes (`evm_mine`, `anvil_*`).
 */
export const RETRIED_READS: ReadonlySet<string> = new Set([
  'eth_blockNumber',
  'eth_call',
  'eth_chainId',
  'eth_estimateGas',
  'eth_feeHistory',
  'eth_gasPrice',
  'eth_getBalance',
  'eth_getBlockByHash',
  'eth_getBlockByNumber',
  'eth_getCode',
  'eth_getLogs',
  'eth_getStorageAt',
  'eth_getTransactionByHash',
  'eth_getTransactionCount',
  'eth_getTransactionReceipt',
  'eth_maxPriorityFeePerGas',
  'net_version',
]);

/**
 * The JSON-RPC provider of every part of the project (daemon, CLI commands, devnet, tests).
 *
 * Why not ethers' own: a node answers `eth_sendRawTransaction` before it mines (anvil in automine: 447 of
 * 1,000 receipts asked for at once after the hash came back were not there yet), and ethers' `tx.wait()`
 * then listens for the receipt on *new blocks*. Its block poller's first poll only records the head as a
 * baseline. A transaction mined after the waiter's last receipt lookup and before that baseline is in a
 * block that is never announced; if nothing else is mined (a script sending one transaction at a time),
 * `wait()` never returns (the likely cause of two CI runs that hung 300 s on the 600 sequential transactions
 * of `wideSignerRecord.test.ts`).
 * Here a pending transaction's receipt is asked for on a timer, every `pollingInterval`, whatever the blocks,
 * and every request is bounded in time (`REQUEST_TIMEOUT_MS` unless a `FetchRequest` of the caller's says); a
 * read that timed out is sent once more (`RETRIED_READS`).
 */
export class ChainProvider extends JsonRpcProvider {
  constructor(url: string | FetchRequest, network?: Networkish, options?: JsonRpcApiProviderOptions) {
    super(typeof url === 'string' ? boundedRequest(url, REQUEST_TIMEOUT_MS) : url, network, options);
  }

  /**
   * Told of every request that timed out: its method (a batch's first, with the batch's size) and whether it is
   * sent once more. The daemon counts them (`diversity_rpc_timeouts_total`) and logs them.
   */
  onTimeout?: (timedOut: { method: string; batch: number; retried: boolean }) => void;

  /** A request (or batch) of reads only (`RETRIED_READS`) that timed out is sent once more; anything else fails. */
  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    const all = Array.isArray(payload) ? payload : [payload];
    const attempt = async (retry: boolean): Promise<JsonRpcResult[]> => {
      try {
        return await super._send(payload);
      } catch (e) {
        if (!isError(e, 'TIMEOUT')) throw e;
        const retried = retry && all.every((p) => RETRIED_READS.has(p.method));
        this.onTimeout?.({ method: all[0]?.method ?? '', batch: all.length, retried });
        if (!retried) throw e;
        return attempt(false);
      }
    };
    return attempt(true);
  }

  override _getSubscriber(sub: Subscription): Subscriber {
    if (sub.type === 'transaction') return new ReceiptPoller(this, sub.hash, this.pollingInterval);
    return super._getSubscriber(sub);
  }
}

/** A request to `url` that fails after `timeoutMs` without an answer. */
export function boundedRequest(url: string, timeoutMs: number): FetchRequest {
  const request = new FetchRequest(url);
  request.timeout = timeoutMs;
  return request;
}

/** Options every caller shares: a fixed network (no detection round trip), no response cache. */
export function chainProvider(rpcUrl: string, pollMs?: number): ChainProvider {
  return new ChainProvider(rpcUrl, undefined, {
    staticNetwork: true,
    cacheTimeout: -1,
    ...(pollMs === undefined ? {} : { pollingInterval: pollMs }),
  });
}

/** Asks for one transaction's receipt now and every `pollingInterval` ms until stopped; emits it once found. */
class ReceiptPoller implements Subscriber {
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by every start and stop: a lookup still in flight from an earlier run never re-arms the timer. */
  #run = 0;
  #running = false;
  /** The receipt was emitted in the current run. */
  #found = false;

  constructor(
    private readonly provider: ChainProvider,
    private readonly hash: string,
    public pollingInterval: number,
  ) {}

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#found = false;
    void this.#poll(++this.#run);
  }

  stop(): void {
    this.#running = false;
    this.#run++;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  pause(): void {
    this.stop();
  }

  resume(): void {
    this.start();
  }

  async #poll(run: number): Promise<void> {
    // The next lookup is armed before this one is awaited: a lookup the node never answers (a dropped
    // request; ethers' fetch gives up only after 300 s) must not stop the polling (`receiptPoller.test.ts`).
    if (run !== this.#run || this.provider.destroyed) return;
    this.#timer = setTimeout(() => void this.#poll(run), this.pollingInterval);
    try {
      const receipt = await this.provider.getTransactionReceipt(this.hash);
      // Once per run: a slower lookup that answers after a later one found the receipt emits nothing.
      if (receipt && run === this.#run && !this.#found) {
        this.#found = true;
        await this.provider.emit(this.hash, receipt);
      }
    } catch {
      // A failed lookup (node restarting, provider destroyed) is retried at the next tick, or ends with stop().
    }
  }
}
