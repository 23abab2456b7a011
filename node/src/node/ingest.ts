import { GossipAction, GossipValidationError, ReadingGossipErrorCode } from '../chain/errors.js';
import {
  type ReadingValidationContext,
  storeValidReadings,
  type ValidReading,
  validateReadingBatch,
} from '../chain/validation/reading.js';
import type { Metrics } from '../metrics/metrics.js';
import { READING_ENCODED_LENGTH } from '../reading/encoding.js';
import type { VerifierPool } from '../reading/verifierPool.js';
import type { Logger } from '../util/logger.js';
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
}

export const defaultIngestOptions: IngestOptions = { maxQueued: 20_000, maxRemembered: 200_000, maxBatch: 256 };

/** Validates and stores a batch; per reading, what it became or why it was not kept. */
export type ProcessBatch = (
  batch: readonly { bytes: Uint8Array; source: ReadingSource }[],
) => Promise<(ValidReading | Error)[]>;

interface Job {
  bytes: Uint8Array;
  source: ReadingSource;
  resolve(v: ValidReading): void;
  reject(e: unknown): void;
}

/**
 * The node's reading intake. Validation and storage run one batch at a time (no race between
 * two copies of a slot; within a batch, the order of arrival decides, as one at a time would):
 * up to `maxBatch` queued readings are validated together (one store read, signatures verified
 * on worker threads, one LevelDB write). And:
 * - a reading whose 70-byte encoding was already accepted is dropped at once, before it queues,
 *   before any store look-up or signature check (a replay flood costs a hash-map probe; a P-256
 *   re-signing of the same values is the same encoding, so it is dropped too);
 * - our own meter's readings go first: a flood of others' messages cannot delay them;
 * - the queue of others' readings is bounded (IGNORE BUSY past it: reconciliation fetches what
 *   was dropped).
 * `process` validates, then applies the side effects (store, equivocation report) after Accept.
 */
export class Ingest {
  private readonly own: Job[] = [];
  private readonly others: Job[] = [];
  private readonly accepted = new Set<string>();
  private running = false;
  private idle: Promise<void> = Promise.resolve();
  private wakeIdle?: () => void;

  constructor(
    private readonly opts: IngestOptions,
    private readonly process: ProcessBatch,
    private readonly metrics: Metrics | null,
  ) {}

  get queued(): number {
    return this.own.length + this.others.length;
  }

  /** Validates and stores one signed reading; throws GossipValidationError when it is not kept. */
  submit(bytes: Uint8Array, source: ReadingSource): Promise<ValidReading> {
    if (bytes.length > READING_ENCODED_LENGTH && this.accepted.has(encodingKey(bytes))) {
      this.metrics?.duplicatesDropped.inc();
      return Promise.reject(new GossipValidationError(GossipAction.IGNORE, { code: ReadingGossipErrorCode.DUPLICATE }));
    }
    if (source !== 'local' && this.others.length >= this.opts.maxQueued) {
      return Promise.reject(new GossipValidationError(GossipAction.IGNORE, { code: ReadingGossipErrorCode.BUSY }));
    }
    return new Promise<ValidReading>((resolve, reject) => {
      (source === 'local' ? this.own : this.others).push({ bytes, source, resolve, reject });
      void this.drain();
    });
  }

  /** Resolves once nothing is queued or running (shutdown). */
  drained(): Promise<void> {
    return this.running ? this.idle : Promise.resolve();
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.idle = new Promise((r) => (this.wakeIdle = r));
    try {
      while (this.own.length + this.others.length > 0) {
        // Ours first, then the others in arrival order.
        const batch = this.own.splice(0, this.opts.maxBatch);
        batch.push(...this.others.splice(0, this.opts.maxBatch - batch.length));
        let results: (ValidReading | Error)[];
        try {
          results = await this.process(batch);
        } catch (e) {
          for (const job of batch) job.reject(e);
          continue;
        }
        for (let i = 0; i < batch.length; i++) {
          const job = batch[i];
          const r = results[i];
          if (r instanceof Error) {
            job.reject(r);
            continue;
          }
          if (r.kind === 'new') this.remember(encodingKey(job.bytes));
          job.resolve(r);
        }
      }
    } finally {
      this.running = false;
      this.wakeIdle?.();
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
 * The node's batch processor for `Ingest`: validation of a batch (signatures on the verifier
 * pool's worker threads), one write for what was accepted, then the side effects of each
 * Accept as events (`readingStored`, `equivocation`): the committer marks the window for a
 * re-fold, the reporter and the dashboard act on an equivocation.
 */
export function readingProcessor(modules: ReadingProcessorModules): ProcessBatch {
  const { validation, verifier, events, metrics, logger } = modules;
  return async (batch) => {
    const started = performance.now();
    const results = await validateReadingBatch(
      validation,
      batch.map((b) => b.bytes),
      (signed) => verifier.verify(signed),
    );
    await storeValidReadings(
      validation.db,
      results.filter((r): r is ValidReading => !(r instanceof Error)),
    );
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
    const seconds = (performance.now() - started) / 1000;
    for (let i = 0; i < batch.length; i++) metrics?.readingValidationSeconds.observe(seconds / batch.length);
    return results;
  };
}
