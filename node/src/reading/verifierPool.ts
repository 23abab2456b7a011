import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { MeterKeyRing } from './meterKeys.js';
import type { MeterScheme } from './signature.js';

/** One signature to check: the meter, the reading's 70-byte canonical encoding, the signature. */
export interface VerifyItem {
  meterIndex: number;
  message: Uint8Array;
  signature: Uint8Array;
}

/**
 * Meter signature verification on worker threads (node:worker_threads): a batch of readings is
 * split over the workers and the main thread, each verifying its share with node:crypto
 * (OpenSSL). With `workers: 0` everything runs on the main thread (the same code path).
 *
 * The worker is plain JavaScript (no TypeScript loader needed in the worker): it builds the
 * meters' KeyObjects once from their registered public keys and answers
 * `{id, items: [meterIndex, message(70), signature(64)] packed}` with one byte per item.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
const ED_SPKI = Buffer.from('302a300506032b6570032100', 'hex');
const keys = workerData.meters.map((m) => m.scheme === 1
  ? { p256: true, key: createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: Buffer.from(m.publicKey.subarray(0, 32)).toString('base64url'), y: Buffer.from(m.publicKey.subarray(32)).toString('base64url') }, format: 'jwk' }) }
  : { p256: false, key: createPublicKey({ key: Buffer.concat([ED_SPKI, Buffer.from(m.publicKey)]), format: 'der', type: 'spki' }) });
const ITEM = 4 + 70 + 64;
parentPort.on('message', ({ id, buf, count }) => {
  const b = Buffer.from(buf);
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const o = i * ITEM;
    const k = keys[b.readUInt32BE(o)];
    if (!k) continue;
    const msg = b.subarray(o + 4, o + 74);
    const sig = b.subarray(o + 74, o + ITEM);
    try {
      out[i] = (k.p256 ? verify('sha256', msg, { key: k.key, dsaEncoding: 'ieee-p1363' }, sig) : verify(null, msg, k.key, sig)) ? 1 : 0;
    } catch { out[i] = 0; }
  }
  parentPort.postMessage({ id, out }, [out.buffer]);
});
`;

const ITEM_BYTES = 4 + 70 + 64;

export class VerifierPool {
  private readonly workers: Worker[] = [];
  /** Shares sent to a worker and not answered yet: answered on the main thread if that worker dies. */
  private readonly pending = new Map<
    number,
    { worker: Worker; items: readonly VerifyItem[]; resolve: (out: Uint8Array) => void }
  >();
  private nextId = 0;
  private readonly online: Promise<unknown>;

  constructor(
    private readonly keys: MeterKeyRing,
    meters: readonly { publicKey: Uint8Array; scheme: MeterScheme }[],
    readonly size = Math.max(0, availableParallelism() - 1),
    private readonly cores = availableParallelism(),
  ) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { meters: meters.map((m) => ({ publicKey: new Uint8Array(m.publicKey), scheme: m.scheme })) },
      });
      w.on('message', ({ id, out }: { id: number; out: Uint8Array }) => {
        this.pending.get(id)?.resolve(out);
        this.pending.delete(id);
      });
      // A worker that dies (out of memory, a crash, terminated) must not stall the ingest: its
      // unanswered shares are verified here, and later batches go to the others and the main thread.
      w.on('error', () => {});
      w.once('exit', () => this.lost(w));
      w.unref();
      this.workers.push(w);
    }
    this.online = Promise.all(
      this.workers.map(
        (w) =>
          new Promise((r) => {
            w.once('online', r);
            w.once('exit', r);
          }),
      ),
    );
  }

  private lost(worker: Worker): void {
    const i = this.workers.indexOf(worker);
    if (i >= 0) this.workers.splice(i, 1);
    for (const [id, job] of this.pending) {
      if (job.worker !== worker) continue;
      this.pending.delete(id);
      job.resolve(Uint8Array.from(job.items, (s) => (this.here(s) ? 1 : 0)));
    }
  }

  private here(s: VerifyItem): boolean {
    return this.keys.verifyEncoded(s.meterIndex, s.message, s.signature);
  }

  /** Worker threads running (tests). */
  get running(): number {
    return this.workers.length;
  }

  /** Resolves once every worker thread runs (a node starts its pool long before the first reading). */
  async ready(): Promise<void> {
    await this.online;
  }

  /**
   * Whether the main thread takes a share of each batch: only while the workers leave a core free.
   * With a worker per core, the main thread keeps to its own work (gossip, the store, deciding the
   * batches) and the workers verify.
   */
  get mainThreadVerifies(): boolean {
    return this.workers.length === 0 || this.workers.length < this.cores;
  }

  /** Verifies each reading's signature under its meter's key; one boolean per reading. */
  async verify(batch: readonly VerifyItem[]): Promise<boolean[]> {
    const here = (s: VerifyItem) => this.here(s);
    const main = this.mainThreadVerifies ? 1 : 0;
    const shares = this.workers.length + main;
    // A handful is not worth a message to a thread (unless the main thread must not verify).
    if (this.workers.length === 0 || (main === 1 && batch.length < 8 * shares)) return batch.map(here);
    const per = Math.ceil(batch.length / shares);
    const jobs = this.workers.map((w, i) => this.send(w, batch.slice((i + main) * per, (i + main + 1) * per)));
    const local = main === 1 ? batch.slice(0, per).map(here) : [];
    const rest = await Promise.all(jobs);
    const out = local;
    for (const r of rest) for (let i = 0; i < r.length; i++) out.push(r[i] === 1);
    return out;
  }

  private send(worker: Worker, items: readonly VerifyItem[]): Promise<Uint8Array> {
    if (items.length === 0) return Promise.resolve(new Uint8Array(0));
    // One ArrayBuffer, transferred (not cloned): meter index, message and signature per item.
    const ab = new ArrayBuffer(items.length * ITEM_BYTES);
    const bytes = new Uint8Array(ab);
    const view = new DataView(ab);
    for (let i = 0; i < items.length; i++) {
      const s = items[i];
      const o = i * ITEM_BYTES;
      view.setUint32(o, s.meterIndex);
      if (s.message.length === 70) bytes.set(s.message, o + 4);
      if (s.signature.length === 64) bytes.set(s.signature, o + 74);
    }
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { worker, items, resolve });
      worker.postMessage({ id, buf: ab, count: items.length }, [ab]);
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers].map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
