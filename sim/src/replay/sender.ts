import { Interface, SigningKey, computeAddress } from 'ethers';
import type { Artifact } from '../../../node/src/chain/artifacts.js';
import { ReplayError, ReplayErrorCode } from './errors.js';
import type { JsonRpc } from './rpc.js';
import { serializeEip1559, signEip1559, type Eip1559Fields } from './rawTx.js';

/** One transaction an approach needs, before signing. */
export interface TxSpec {
  /** Index of the sending account. */
  from: number;
  /** null = contract creation. */
  to: string | null;
  data: string;
  gasLimit: bigint;
  value?: bigint;
  /** The interval after which the transaction can be sent (for the cumulative-cost chart). */
  atInterval: number;
  /** Mine everything pending once this transaction is queued (the next ones depend on it). */
  flush?: boolean;
  /** Contract deployment: reported apart from the approach's own transactions. */
  deployment?: boolean;
  /** What the transaction is for ('data', or DIVERSITY's 'setup' / 'update' / 'close'), for per-kind gas. */
  kind?: string;
}

/** What the receipt says about one transaction. */
export interface TxOutcome {
  spec: TxSpec;
  hash: string;
  gasUsed: bigint;
  /** Size of the signed raw transaction, bytes. */
  rawBytes: number;
  contractAddress: string | null;
  blockNumber: number;
}

export interface SenderOptions {
  /**
   * Who signs: 'node' = anvil, for its unlocked dev accounts (`eth_sendTransaction` with every field
   * given: nonce, gas limit, fees, type 2), 'local' = this process (`rawTx.ts`, then
   * `eth_sendRawTransaction`). Same fields, same RFC 6979 signature, same gas; 'node' leaves the
   * secp256k1 signing to anvil's native code, which is most of a large replay's time in JavaScript.
   */
  signing: 'node' | 'local';
  /** Read a batch's receipts while the next batch is sent and mined (false: the old, serial order). */
  overlapReceipts: boolean;
  /** Transactions queued before they are sent and mined in one block. */
  batchTxs: number;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  /** Rounds of `evm_mine` to wait for every queued transaction before giving up. */
  maxMineRounds: number;
}

export const defaultSenderOptions: SenderOptions = {
  signing: 'node',
  overlapReceipts: true,
  // anvil reads receipts of big blocks slowly (superlinear); 500 per block is the sweet spot.
  batchTxs: 500,
  maxFeePerGas: 1_000_000_000n,
  maxPriorityFeePerGas: 0n,
  maxMineRounds: 20,
};

interface Queued {
  spec: TxSpec;
  /** 'local' signing: the signed bytes and hash. 'node' signing: the request, the hash once sent, the raw bytes once mined. */
  raw: string;
  hash: string;
  request?: Record<string, string | null>;
  fields?: Eip1559Fields;
}

interface RpcTx {
  hash: string;
  r: string;
  s: string;
  yParity?: string;
  v: string;
}

interface RpcReceipt {
  transactionHash: string;
  status: string;
  gasUsed: string;
  contractAddress: string | null;
  blockNumber: string;
}

/**
 * The fast path of a replay: pre-signs raw transactions with explicit nonces, gas limits and
 * fees, sends them with batched `eth_sendRawTransaction`, mines them in big blocks and reads
 * the receipts per block (`eth_getBlockReceipts`). Gas always comes from the receipts.
 */
export class TxSender {
  private readonly keys: SigningKey[];
  readonly addresses: string[];
  readonly privateKeys: string[];
  readonly chainId: number;
  private readonly nonces: number[];
  private queue: Queued[] = [];
  /** Where the time goes, ms: signing, sending, mining, reading receipts. */
  readonly timings = { sign: 0, send: 0, mine: 0, receipts: 0 };
  private lastBlock = -1;

  constructor(
    private readonly opts: SenderOptions,
    private readonly modules: {
      rpc: JsonRpc;
      chainId: number;
      privateKeys: string[];
      onOutcome: (o: TxOutcome) => void;
    },
  ) {
    this.keys = modules.privateKeys.map((k) => new SigningKey(k));
    this.privateKeys = modules.privateKeys;
    this.chainId = modules.chainId;
    this.addresses = this.keys.map((k) => computeAddress(k));
    this.nonces = this.keys.map(() => -1);
  }

  get accounts(): number {
    return this.keys.length;
  }

  /** Reads nonces and the chain head; call once before queuing. */
  async init(): Promise<void> {
    const nonces = await this.modules.rpc.batch<string>(
      this.addresses.map((a) => ({ method: 'eth_getTransactionCount', params: [a, 'pending'] })),
    );
    for (const [i, n] of nonces.entries()) this.nonces[i] = Number(n);
    this.lastBlock = Number(await this.modules.rpc.call<string>('eth_blockNumber'));
  }

  sign(spec: TxSpec): Queued {
    if (spec.from >= this.keys.length) throw new RangeError(`account ${spec.from} of ${this.keys.length}`);
    if (this.opts.signing === 'node') {
      const hex = (n: bigint | number): string => `0x${n.toString(16)}`;
      const request = {
        type: '0x2',
        chainId: hex(this.modules.chainId),
        from: this.addresses[spec.from],
        nonce: hex(this.nonces[spec.from]++),
        to: spec.to,
        data: spec.data,
        value: hex(spec.value ?? 0n),
        gas: hex(spec.gasLimit),
        maxFeePerGas: hex(this.opts.maxFeePerGas),
        maxPriorityFeePerGas: hex(this.opts.maxPriorityFeePerGas),
      };
      const fields: Eip1559Fields = {
        chainId: this.modules.chainId,
        nonce: Number(request.nonce),
        to: spec.to,
        data: spec.data,
        value: spec.value ?? 0n,
        gasLimit: spec.gasLimit,
        maxFeePerGas: this.opts.maxFeePerGas,
        maxPriorityFeePerGas: this.opts.maxPriorityFeePerGas,
      };
      return { spec, raw: '', hash: '', request, fields };
    }
    const { raw, hash } = signEip1559(
      {
        chainId: this.modules.chainId,
        nonce: this.nonces[spec.from]++,
        to: spec.to,
        data: spec.data,
        value: spec.value ?? 0n,
        gasLimit: spec.gasLimit,
        maxFeePerGas: this.opts.maxFeePerGas,
        maxPriorityFeePerGas: this.opts.maxPriorityFeePerGas,
      },
      this.keys[spec.from],
    );
    return { spec, raw, hash };
  }

  /** Queues one transaction; sends and mines when the batch is full or the spec asks to flush. */
  async push(spec: TxSpec): Promise<void> {
    const t0 = performance.now();
    this.queue.push(this.sign(spec));
    this.timings.sign += performance.now() - t0;
    if (spec.flush || this.queue.length >= this.opts.batchTxs) await this.flush();
    // Let pending I/O (the previous batch's receipts) progress while we keep signing.
    else if (this.queue.length % 32 === 0) await new Promise((r) => setImmediate(r));
  }

  /**
   * Sends everything queued and mines until all of it is included (so later transactions may
   * depend on it). Receipts of the batch are read in the background while the next batch is
   * signed; `settle()` waits for them.
   */
  async flush(): Promise<void> {
    if (this.queue.length === 0) return;
    const queue = this.queue;
    this.queue = [];
    // At most one batch's receipts in flight while this one is sent and mined: reading them overlaps
    // with the next batch (outcomes still arrive in queue order: each collect waits for the previous).
    await (this.opts.overlapReceipts ? this.previous : this.pending);
    const { rpc } = this.modules;
    let t0 = performance.now();
    if (this.opts.signing === 'node') {
      const hashes = await rpc.batch<string>(
        queue.map((q) => ({ method: 'eth_sendTransaction', params: [q.request] })),
      );
      for (const [k, h] of hashes.entries()) queue[k].hash = h;
    } else {
      await rpc.batch(queue.map((q) => ({ method: 'eth_sendRawTransaction', params: [q.raw] })));
    }
    this.timings.send += performance.now() - t0;
    t0 = performance.now();
    const waiting = new Set(queue.map((q) => q.hash));
    const blocks: number[] = [];
    for (let round = 0; waiting.size > 0; round++) {
      if (round >= this.opts.maxMineRounds) {
        throw new ReplayError({ code: ReplayErrorCode.TX_NOT_MINED, pending: waiting.size });
      }
      await rpc.call('evm_mine');
      const head = Number(await rpc.call<string>('eth_blockNumber'));
      const fresh: number[] = [];
      for (let b = this.lastBlock + 1; b <= head; b++) fresh.push(b);
      this.lastBlock = head;
      const bodies = await rpc.batch<{ transactions: string[] }>(
        fresh.map((b) => ({ method: 'eth_getBlockByNumber', params: [`0x${b.toString(16)}`, false] })),
      );
      bodies.forEach((body, k) => {
        if (body.transactions.length > 0) blocks.push(fresh[k]);
        for (const h of body.transactions) waiting.delete(h);
      });
    }
    this.timings.mine += performance.now() - t0;
    const before = this.pending;
    const p = before.then(() => this.collect(queue, blocks));
    p.catch(() => undefined); // surfaced by the next flush or settle()
    this.previous = before;
    this.pending = p;
  }

  /** Waits for the receipts of everything flushed; returns the outcomes of the last batch. */
  async settle(): Promise<TxOutcome[]> {
    await this.flush();
    return this.pending;
  }

  private pending: Promise<TxOutcome[]> = Promise.resolve([]);
  /** The receipts of the batch before the last one. */
  private previous: Promise<TxOutcome[]> = Promise.resolve([]);

  private async collect(queue: Queued[], blocks: number[]): Promise<TxOutcome[]> {
    const t0 = performance.now();
    const receiptLists = await this.modules.rpc.batch<RpcReceipt[]>(
      blocks.map((b) => ({ method: 'eth_getBlockReceipts', params: [`0x${b.toString(16)}`] })),
    );
    if (this.opts.signing === 'node') {
      // The signed bytes anvil made (their size prices an L2's data fee): rebuilt from the fields we
      // sent and the signature in the block, and checked against the transaction hash.
      const bodies = await this.modules.rpc.batch<{ transactions: RpcTx[] }>(
        blocks.map((b) => ({ method: 'eth_getBlockByNumber', params: [`0x${b.toString(16)}`, true] })),
      );
      const sigs = new Map(bodies.flatMap((b) => b.transactions.map((t) => [t.hash, t] as const)));
      for (const q of queue) {
        const t = sigs.get(q.hash);
        if (!t) throw new ReplayError({ code: ReplayErrorCode.TX_NOT_MINED, pending: 1 });
        const { raw, hash } = serializeEip1559(q.fields!, Number(t.yParity ?? t.v), BigInt(t.r), BigInt(t.s));
        if (hash !== q.hash)
          throw new ReplayError({
            code: ReplayErrorCode.RPC,
            method: 'eth_getBlockByNumber',
            message: `transaction ${q.hash} does not serialize to its hash`,
          });
        q.raw = raw;
      }
    }
    this.timings.receipts += performance.now() - t0;
    const receipts = new Map(receiptLists.flat().map((r) => [r.transactionHash, r]));
    const outcomes: TxOutcome[] = [];
    // In queue order, which is the approach's own order.
    for (const q of queue) {
      const r = receipts.get(q.hash);
      if (!r) throw new ReplayError({ code: ReplayErrorCode.TX_NOT_MINED, pending: 1 });
      if (r.status !== '0x1')
        throw new ReplayError(
          {
            code: ReplayErrorCode.TX_REVERTED,
            hash: q.hash,
            approach: '',
            kind: q.spec.kind,
            gasUsed: BigInt(r.gasUsed).toString(),
          },
          `${ReplayErrorCode.TX_REVERTED}: ${q.spec.kind ?? 'transaction'} reverted after ${BigInt(r.gasUsed)} gas (limit ${q.spec.gasLimit})`,
        );
      const o: TxOutcome = {
        spec: q.spec,
        hash: q.hash,
        gasUsed: BigInt(r.gasUsed),
        rawBytes: (q.raw.length - 2) / 2,
        contractAddress: r.contractAddress,
        blockNumber: Number(r.blockNumber),
      };
      this.modules.onOutcome(o);
      outcomes.push(o);
    }
    return outcomes;
  }

  /** Timestamp of the latest block. */
  async latestTimestamp(): Promise<number> {
    const b = await this.modules.rpc.call<{ timestamp: string }>('eth_getBlockByNumber', ['latest', false]);
    return Number(b.timestamp);
  }

  /** Deploys a contract from account `from` and returns its address and the deployment gas. */
  async deploy(
    artifact: Artifact,
    args: unknown[] = [],
    from = 0,
    gasLimit = 16_000_000n,
  ): Promise<{ address: string; gasUsed: bigint }> {
    const data = artifact.bytecode + new Interface(artifact.abi).encodeDeploy(args).slice(2);
    await this.settle();
    this.queue.push(this.sign({ from, to: null, data, gasLimit, atInterval: -1, deployment: true }));
    const [o] = await this.settle();
    if (!o.contractAddress)
      throw new ReplayError({ code: ReplayErrorCode.TX_REVERTED, hash: o.hash, approach: artifact.name });
    return { address: o.contractAddress, gasUsed: o.gasUsed };
  }
}
