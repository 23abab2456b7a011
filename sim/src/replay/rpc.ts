import { ReplayError, ReplayErrorCode } from './errors.js';

export interface RpcRequest {
  method: string;
  params: unknown[];
}

export interface RpcOptions {
  /** Requests per HTTP body in a batch. */
  batchSize: number;
}

export const defaultRpcOptions: RpcOptions = { batchSize: 500 };

interface RpcResponse {
  id: number;
  result?: unknown;
  error?: { code: number; message: string };
}

/** Minimal JSON-RPC client with batching: a replay sends tens of thousands of calls. */
export class JsonRpc {
  private nextId = 1;

  constructor(
    private readonly opts: RpcOptions,
    private readonly modules: { url: string },
  ) {}

  async call<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const [r] = await this.batch<T>([{ method, params }]);
    return r;
  }

  /** Sends the requests in batches of `batchSize` and returns results in order; throws on any error. */
  async batch<T = unknown>(reqs: RpcRequest[]): Promise<T[]> {
    const out: T[] = new Array(reqs.length);
    for (let i = 0; i < reqs.length; i += this.opts.batchSize) {
      const chunk = reqs.slice(i, i + this.opts.batchSize);
      const first = this.nextId;
      this.nextId += chunk.length;
      const body = chunk.map((r, k) => ({ jsonrpc: '2.0', id: first + k, method: r.method, params: r.params }));
      const res = await fetch(this.modules.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: RpcResponse[] | RpcResponse;
      try {
        parsed = JSON.parse(text) as RpcResponse[] | RpcResponse;
      } catch {
        throw new ReplayError({ code: ReplayErrorCode.RPC, method: chunk[0].method, message: text.slice(0, 300) });
      }
      const list = Array.isArray(parsed) ? parsed : [parsed];
      for (const r of list) {
        const k = r.id - first;
        if (r.error || k < 0 || k >= chunk.length) {
          const method = chunk[k]?.method ?? chunk[0].method;
          throw new ReplayError({ code: ReplayErrorCode.RPC, method, message: r.error?.message ?? 'bad response id' });
        }
        out[i + k] = r.result as T;
      }
    }
    return out;
  }
}
