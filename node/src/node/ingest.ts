import { GossipAction, GossipValidationError, ReadingGossipErrorCode } from '../chain/errors.js';
import {
  decideReadingBatch,
  type PreparedReadingBatch,
  prepareReadingBatch,
  type ReadingValidationContext,
  SIGNED_READING_LENGTH,
  slotKeyOf,
  storeValidReadings,
  type ValidReading,
} from '../chain/validation/reading.js';
import type { Metrics } from '../metrics/metrics.js';
import { READING_ENCODED_LENGTH } from '../reading/encoding.js';
import { ReadingErrorCode } from '../reading/errors.js';
import type { SignedReading } from '../reading/signature.js';
import type { VerifierPool } from '../reading/verifierPool.js';
import type { Logger } from '../util/logger.js';
import type { NodeDb, SlotKey } from '../db/index.js';
import type { NodeEvents } from './events.js';

/** Where a reading came from: our own meter, gossip, or a peer's reconciliation answer. */
export type ReadingSource = 'local' | 'gossip' | 'reconcile';

export interface IngestOptions {
  /** Readings waiting from peers (gossip, reconciliation) beyond which new ones are dropped. */
  maxQueued: number;
  /** Accepted reading encodings remembered to drop replays before any look-up or verification. */
  maxRemembered: number;
  /** Readings validated together (one store read, one batch of signature checks, one write). */
  maxBatch: number;
  /**
   * Batches in flight: prepared (checked, read, verified) ahead of the one being decided and written.
   * 1 is one batch at a time; with more, the worker threads verify the next batches while the main
   * thread decides and LevelDB writes the current one.
   */
  depth: number;
}

export const defaultIngestOptions: IngestOptions = {
  maxQueued: 20_000,
  maxRemembered: 200_000,
  maxBatch: 256,
  depth: 3,
};

/** One queued reading as the batch stages see it. */
export interface IngestItem {
  bytes: Uint8Array;
  source: ReadingSource;
}

/** Validates and stores a batch; per reading, what it became or why it was not kept. */
export type ProcessBatch = (batch: readonly IngestItem[]) => Promise<(ValidReading | Error)[]>;

/**
 * A batch processor in two stages. `prepare` may run for up to `depth` batches at once, ahead of the
 * batches before it (it must not depend on their outcome: checks, store reads as hints, signature
 * verification); `commit` runs one batch at a time in the order the batches were formed, and decides
 * against everything committed before it (the outcome is that of one reading at a time in order).
 */
export interface BatchStages<P> {
  prepare(batch: readonly IngestItem[]): Promise<P>;
  commit(prepared: P, batch: readonly IngestItem[]): Promise<(ValidReading | Error)[]>;
}

interface Job extends IngestItem {
  /** `encodingKey` of its bytes (undefined when too short to hold a reading): remembered once accepted. */
  key: string | undefined;
  resolve(v: ValidReading): void;
  reject(e: unknown): void;
}

/**
 * The node's reading intake. Readings are validated and stored in batches of up to `maxBatch`,
 * whose outcome is that of one reading at a time in arrival order (no race between two copies of a
 * slot): the batches are decided and written one at a time, in order, while up to `depth` of them
 * are prepared ahead (checked, read, their signatures verified on worker threads). And:
 * - a reading whose 70-byte encoding was already accepted is dropped at once, before it queues,
 *   before any store look-up or signature check (a replay flood costs a hash-map probe; a P-256
 *   re-signing of the same values is the same encoding, so it is dropped too);
 * - our own meter's readings go first: a flood of others' messages cannot delay them;
 * - the queue of others' readings is bounded (IGNORE BUSY past it: reconciliation fetches what
 *   was dropped).
 * The stages validate, then apply the side effects (store, equivocation report) after Accept.
 */
export class Ingest {
  private readonly own: Job[] = [];
  private readonly others: Job[] = [];
  private readonly accepted = new Set<string>();
  private readonly stages: BatchStages<unknown>;
  /** Batches formed and not yet committed. */
  private inFlight = 0;
  /** The commit of the last batch formed: the next one commits after it. */
  private tail: Promise<void> = Promise.resolve();
  private idle: Promise<void> = Promise.resolve();
  private wakeIdle?: () => void;

  constructor(
    private readonly opts: IngestOptions,
    process: ProcessBatch | BatchStages<unknown>,
    private readonly metrics: Metrics | null,
  ) {
    this.stages =
      typeof process === 'function'
        ? { prepare: async () => undefined, commit: (_p: unknown, batch: readonly IngestItem[]) => process(batch) }
        : process;
  }

  get queued(): number {
    return this.own.length + this.others.length;
  }

  /** Validates and stores one signed reading; throws GossipValidationError when it is not kept. */
  submit(bytes: Uint8Array, source: ReadingSource): Promise<ValidReading> {
    // [REJECT] bytes of another length are no signed reading (`decodeSigned` says the same): refused
    // before they take a place in the queue, which is then bounded in bytes, not only in count.
    if (bytes.length !== SIGNED_READING_LENGTH) {
      return Promise.reject(
        new GossipValidationError(GossipAction.REJECT, {
          code: ReadingGossipErrorCode.MALFORMED,
          reason: ReadingErrorCode.WRONG_LENGTH,
        }),
      );
    }
    const key = bytes.length > READING_ENCODED_LENGTH ? encodingKey(bytes) : undefined;
    if (key !== undefined && this.accepted.has(key)) {
      this.metrics?.duplicatesDropped.inc();
      return Promise.reject(new GossipValidationError(GossipAction.IGNORE, { code: ReadingGossipErrorCode.DUPLICATE }));
    }
    if (source !== 'local' && this.others.length >= this.opts.maxQueued) {
      return Promise.reject(new GossipValidationError(GossipAction.IGNORE, { code: ReadingGossipErrorCode.BUSY }));
    }
    return new Promise<ValidReading>((resolve, reject) => {
      (source === 'local' ? this.own : this.others).push({ bytes, source, key, resolve, reject });
      this.pump();
    });
  }

  /** Resolves once nothing is queued or in flight (shutdown). */
  drained(): Promise<void> {
    return this.inFlight > 0 ? this.idle : Promise.resolve();
  }

  /** Forms batches while fewer than `depth` are in flight: each is prepared at once, committed in turn. */
  private pump(): void {
    while (this.inFlight < Math.max(1, this.opts.depth) && this.own.length + this.others.length > 0) {
      if (this.inFlight === 0) this.idle = new Promise((r) => (this.wakeIdle = r));
      this.inFlight++;
      // Ours first, then the others in arrival order.
      const batch = this.own.splice(0, this.opts.maxBatch);
      batch.push(...this.others.splice(0, this.opts.maxBatch - batch.length));
      // Started now (it runs beside the batches ahead of it); its failure is the batch's, at its turn.
      const prepared = this.stages.prepare(batch).then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      this.tail = this.tail.then(() => this.commit(batch, prepared));
    }
  }

  private async commit(
    batch: Job[],
    prepared: Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }>,
  ): Promise<void> {
    try {
      const p = await prepared;
      let results: (ValidReading | Error)[];
      try {
        if (!p.ok) throw p.error;
        results = await this.stages.commit(p.value, batch);
      } catch (e) {
        for (const job of batch) job.reject(e);
        return;
      }
      for (let i = 0; i < batch.length; i++) {
        const job = batch[i];
        const r = results[i];
        if (r instanceof Error) {
          job.reject(r);
          continue;
        }
        if (r.kind === 'new' && job.key !== undefined) this.remember(job.key);
        job.resolve(r);
      }
    } finally {
      this.inFlight--;
      this.pump();
      if (this.inFlight === 0) this.wakeIdle?.();
    }
  }

  private remember(key: string): void {
    this.accepted.add(key);
    if (this.accepted.size > this.opts.maxRemembered) this.accepted.delete(this.accepted.values().next().value!);
  }
}

/** The signed values of a wire reading (its canonical encoding), as a map key. */
const encodingKey = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, READING_ENCODED_LENGTH).toString('latin1');

export interface ReadingProcessorModules {
  validation: ReadingValidationContext;
  verifier: Pick<VerifierPool, 'verify'>;
  events: NodeEvents;
  metrics: Metrics | null;
  logger: Logger;
}

/**
 * The node's batch stages for `Ingest`. `prepare` (up to `depth` batches at once): the cheap checks,
 * one store read, duplicates of stored values dropped, the other signatures verified on the
 * verifier pool's worker threads (`prepareReadingBatch`). `commit` (one batch at a time, in order):
 * the outcome decided against everything committed before (`decideReadingBatch`; the readings the
 * batches committed since this one's store read accepted are passed as `newer`: that write may not
 * have been visible to the read), one write for what was accepted, then the side effects of each
 * Accept as events (`readingStored`, `equivocation`): the committer marks the window for a re-fold,
 * the reporter and the dashboard act on an equivocation.
 */
export function readingProcessor(modules: ReadingProcessorModules): BatchStages<ReadingBatchInFlight> {
  const { validation, verifier, events, metrics, logger } = modules;
  const recent = new RecentlyCommitted();
  const { clock } = validation;
  const held = new HeldSlots(
    validation.db,
    validation.community.windowIntervals,
    validation.community.meters.length,
    () => clock.windowOf(clock.currentInterval()),
  );
  return {
    async prepare(batch) {
      const started = performance.now();
      const since = recent.open();
      try {
        const prepared = await prepareReadingBatch(
          validation,
          batch.map((b) => b.bytes),
          (signed) => verifier.verify(signed),
          (slots) => held.mayHold(slots),
        );
        return { prepared, since, started };
      } catch (e) {
        recent.close(since);
        throw e;
      }
    },
    async commit({ prepared, since, started }, batch) {
      let results: (ValidReading | GossipValidationError)[];
      try {
        results = await decideReadingBatch(validation, prepared, (key) => recent.newer(since, key));
        const valid = results.filter((r): r is ValidReading => !(r instanceof Error));
        await storeValidReadings(validation.db, valid);
        recent.committed(valid);
        held.held(
          valid.map((v) => ({
            window: v.window,
            interval: v.signed.reading.interval,
            meter: v.signed.reading.meterIndex,
          })),
        );
      } finally {
        recent.close(since);
      }
      for (let i = 0; i < results.length; i++) {
        const valid = results[i];
        if (valid instanceof Error) continue;
        const equivocation = valid.kind === 'equivocation';
        await events.emit('readingStored', { window: valid.window, source: batch[i].source, equivocation });
        if (valid.kind === 'equivocation') {
          metrics?.equivocations.inc();
          logger.warn('meter equivocation: slot voided, evidence kept', {
            meter: valid.signed.reading.meterIndex,
            interval: valid.signed.reading.interval,
          });
          await events.emit('equivocation', { window: valid.window, first: valid.first, second: valid.signed });
        } else {
          metrics?.readingsStored.inc({ source: batch[i].source });
        }
      }
      if (metrics) {
        const seconds = (performance.now() - started) / 1000 / Math.max(1, batch.length);
        for (let i = 0; i < batch.length; i++) metrics.readingValidationSeconds.observe(seconds);
      }
      return results;
    },
  };
}

/** A batch between its two stages: what `prepare` found, and which commits its store read may have missed. */
export interface ReadingBatchInFlight {
  prepared: PreparedReadingBatch;
  /** Commits completed when its store read was issued: the later ones' writes may be missing from it. */
  since: number;
  started: number;
}

/**
 * The readings accepted as new by the last commits, kept while a batch prepared before them is in
 * flight (its store read may have missed their writes: LevelDB reads and writes run on libuv's
 * threads in no set order). Bounded by the pipeline: a commit's readings are dropped once no batch
 * in flight was opened before it.
 */
export class RecentlyCommitted {
  private commits = 0;
  private readonly byCommit: { seq: number; slots: Map<number, SignedReading> }[] = [];
  /** Batches in flight by the number of commits done when they were opened. */
  private readonly open_ = new Map<number, number>();

  /** A batch starts preparing: returns its mark. */
  open(): number {
    this.open_.set(this.commits, (this.open_.get(this.commits) ?? 0) + 1);
    return this.commits;
  }

  /** The batch opened at `since` is done (committed or failed). */
  close(since: number): void {
    const n = (this.open_.get(since) ?? 1) - 1;
    if (n > 0) this.open_.set(since, n);
    else this.open_.delete(since);
    this.prune();
  }

  /** A commit's write completed with these accepted readings. */
  committed(valid: readonly ValidReading[]): void {
    const slots = new Map<number, SignedReading>();
    for (const v of valid)
      if (v.kind === 'new')
        slots.set(slotKeyOf({ interval: v.signed.reading.interval, meter: v.signed.reading.meterIndex }), v.signed);
    if (slots.size > 0) this.byCommit.push({ seq: this.commits, slots });
    this.commits++;
    this.prune();
  }

  /** The reading accepted for a slot by a commit at or after `since` (none if none did). */
  newer(since: number, slotKey: number): SignedReading | undefined {
    for (const c of this.byCommit) {
      if (c.seq < since) continue;
      const r = c.slots.get(slotKey);
      if (r) return r;
    }
    return undefined;
  }

  /** Commits held (tests). */
  get held(): number {
    return this.byCommit.length;
  }

  private prune(): void {
    let oldest = this.commits;
    for (const since of this.open_.keys()) oldest = Math.min(oldest, since);
    while (this.byCommit.length > 0 && this.byCommit[0].seq < oldest) this.byCommit.shift();
  }
}

/**
 * Which slots of a window hold a stored reading: a bitset per window ((interval − first interval) · meters +
 * meter), loaded from the store's keys (`ReadingRepository.slotsOf`) the first time the ingest meets the
 * window and kept up to date by the ingest's commits (`held`). A hint without false negatives, for
 * `prepareReadingBatch`: a slot it says is empty is not read from the store (a new reading costs no LevelDB
 * read); one that may hold a reading is read. Why no false negative: a window's bitset is in the map from
 * before its key scan starts until it is dropped, and every commit marks the bitset in the map after its
 * write completes, so a write completed before the scan is in the scan and one completed after is marked; a
 * dropped window starts over. A batch reads the bitset after it opened its mark in `RecentlyCommitted`, so the
 * commits it may miss are those `newer` covers anyway.
 *
 * Only the `maxWindows` windows around the clock's (the current one, the next, and the ones before) are
 * kept; a reading of an older window is read from the store as before. Why: a key scan costs what the window
 * holds, and a peer can send readings of any window not yet settled before their signatures are checked —
 * were every window loadable, readings spread over more windows than are kept would make every batch scan
 * again. The clock bounds the windows that can ever be loaded to `maxWindows`, whatever the peers send.
 */
export class HeldSlots {
  private readonly windows = new Map<number, { bits: Uint8Array; loaded: Promise<boolean> }>();

  constructor(
    private readonly db: Pick<NodeDb, 'readings'>,
    private readonly windowIntervals: number,
    private readonly meters: number,
    /** The window running now, by this node's clock. */
    private readonly currentWindow: () => number,
    private readonly maxWindows = 8,
  ) {}

  /** Per slot (of a known meter, in its window): false when the store holds nothing for it, true when it may. */
  async mayHold(slots: readonly SlotKey[]): Promise<boolean[]> {
    const current = this.currentWindow();
    const kept = (w: number) => w <= current + 1 && w > current + 1 - this.maxWindows;
    for (const w of this.windows.keys()) if (!kept(w)) this.windows.delete(w);
    const entries = new Map<number, { bits: Uint8Array; loaded: Promise<boolean> }>();
    for (const s of slots) if (kept(s.window) && !entries.has(s.window)) entries.set(s.window, this.entry(s.window));
    const usable = new Map<number, Uint8Array | undefined>();
    for (const [w, e] of entries) usable.set(w, (await e.loaded) ? e.bits : undefined);
    return slots.map((s) => {
      const bits = usable.get(s.window);
      if (!bits) return true;
      const at = this.bitOf(s);
      return (bits[at >>> 3] & (1 << (at & 7))) !== 0;
    });
  }

  /** A commit's write of these slots completed. */
  held(slots: Iterable<SlotKey>): void {
    for (const s of slots) {
      const bits = this.windows.get(s.window)?.bits;
      if (bits) this.mark(bits, s);
    }
  }

  private mark(bits: Uint8Array, s: SlotKey): void {
    const at = this.bitOf(s);
    bits[at >>> 3] |= 1 << (at & 7);
  }

  /** Windows whose bitset is kept (tests). */
  get kept(): number {
    return this.windows.size;
  }

  private bitOf(s: SlotKey): number {
    return (s.interval - s.window * this.windowIntervals) * this.meters + s.meter;
  }

  private entry(window: number): { bits: Uint8Array; loaded: Promise<boolean> } {
    let e = this.windows.get(window);
    if (e) return e;
    const bits = new Uint8Array(Math.ceil((this.windowIntervals * this.meters) / 8));
    // In the map before the scan starts (see the class comment); a failed scan is no hint (every slot read).
    const loaded = this.db.readings.slotsOf(window).then(
      (held) => {
        for (const s of held) this.mark(bits, s);
        return true;
      },
      () => {
        if (this.windows.get(window) === e) this.windows.delete(window);
        return false;
      },
    );
    e = { bits, loaded };
    this.windows.set(window, e);
    return e;
  }
}
