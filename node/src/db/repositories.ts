import { deserializeSignedReading, serializeSignedReading, type SignedReading } from '../reading/signature.js';
import { Bucket } from './buckets.js';
import { JsonRepository, Repository, type Db } from './repository.js';
import type { ParticipantState } from '../window/state.js';

function key(...parts: [number, number][]): Uint8Array {
  const size = parts.reduce((s, [, bytes]) => s + bytes, 0);
  const out = Buffer.alloc(size);
  let o = 0;
  for (const [value, bytes] of parts) {
    out.writeUIntBE(value, o, bytes);
    o += bytes;
  }
  return out;
}

export interface SlotKey {
  window: number;
  interval: number;
  meter: number;
}
const slotKey = (k: SlotKey) => key([k.window, 4], [k.interval, 4], [k.meter, 4]);

/** Accepted readings by (window, interval, meter). */
export class ReadingRepository extends Repository<SlotKey, SignedReading> {
  constructor(db: Db) {
    super(db, Bucket.reading);
  }
  protected encodeKey = slotKey;
  protected encodeValue = serializeSignedReading;
  protected decodeValue = deserializeSignedReading;

  async listWindow(window: number): Promise<SignedReading[]> {
    return this.valuesWithPrefix(key([window, 4]));
  }
}

export interface Equivocation {
  first: SignedReading;
  second: SignedReading;
}

/** Evidence of meters that signed two different readings for one interval. */
export class EquivocationRepository extends Repository<SlotKey, Equivocation> {
  constructor(db: Db) {
    super(db, Bucket.equivocation);
  }
  protected encodeKey = slotKey;
  protected encodeValue(e: Equivocation): Uint8Array {
    return Buffer.concat([serializeSignedReading(e.first), serializeSignedReading(e.second)]);
  }
  protected decodeValue(bytes: Uint8Array): Equivocation {
    const half = bytes.length / 2;
    return {
      first: deserializeSignedReading(bytes.subarray(0, half)),
      second: deserializeSignedReading(bytes.subarray(half)),
    };
  }

  async listWindow(window: number): Promise<Equivocation[]> {
    return this.valuesWithPrefix(key([window, 4]));
  }
}

/** This node's fold and commitment of a window. */
export interface StoredWindowResult {
  window: number;
  windowRoot: string;
  stateHash: string;
  finalState: ParticipantState[];
  intervals: { interval: number; readingsRoot: string; stateHash: string }[];
  /** Readings that went into the fold (after voiding equivocations). */
  readingCount: number;
  voidedSlots: number;
  committedAt: number;
}

export class WindowResultRepository extends JsonRepository<number, StoredWindowResult> {
  constructor(db: Db) {
    super(db, Bucket.windowResult);
  }
  protected encodeKey = (w: number) => key([w, 4]);
}

export interface StoredCoSignature {
  window: number;
  signer: number;
  windowRoot: string;
  stateHash: string;
  signature: string;
}

export class CoSignatureRepository extends JsonRepository<{ window: number; signer: number }, StoredCoSignature> {
  constructor(db: Db) {
    super(db, Bucket.coSignature);
  }
  protected encodeKey = (k: { window: number; signer: number }) => key([k.window, 4], [k.signer, 2]);

  async listWindow(window: number): Promise<StoredCoSignature[]> {
    return this.valuesWithPrefix(key([window, 4]));
  }
}

export interface StoredSubmission {
  window: number;
  kind: 'update' | 'finalize';
  /** Hash of the latest transaction sent for this submission (see `hashes` for replaced ones). */
  txHash?: string;
  /** Every transaction sent for it, oldest first: one of them may be the one mined. */
  hashes?: string[];
  nonce?: number;
  /** Fees of the latest transaction, wei (decimal strings). */
  maxFeePerGas?: string;
  maxPriorityFeePerGas?: string;
  signers: number;
  /**
   * 'sending' is written before the transaction leaves, so a crash cannot lead to a blind resend;
   * 'sent' until one of its transactions is mined ('mined', 'reverted') or its nonce went to
   * another transaction ('failed'); 'failed' also when the send itself failed.
   */
  status: 'sending' | 'sent' | 'mined' | 'failed' | 'reverted';
  /** When the latest transaction was sent (ms). */
  at: number;
  /** Failed or reverted attempts for this window and kind so far (the backoff's exponent). */
  failures?: number;
  /** No new attempt before this time (ms): exponential backoff after a failure or a revert. */
  notBefore?: number;
}

export class SubmissionRepository extends JsonRepository<number, StoredSubmission> {
  constructor(db: Db) {
    super(db, Bucket.submission);
  }
  protected encodeKey = (w: number) => key([w, 4]);
}

export class MetaRepository extends JsonRepository<string, unknown> {
  constructor(db: Db) {
    super(db, Bucket.meta);
  }
  protected encodeKey = (name: string) => Buffer.from(name, 'utf8');

  async getNumber(name: string): Promise<number | undefined> {
    const v = await this.get(name);
    return typeof v === 'number' ? v : undefined;
  }
}

/**
 * What this node signed for a window, kept as it was at signing time and served as signed: the
 * window protocol's `commitment` frames (per interval: the slots and the state). A reading that
 * arrives later changes the store, never a commitment already signed; a re-fold signs (and
 * keeps) another one next to it.
 */
export interface StoredCommitment {
  window: number;
  windowRoot: string;
  stateHash: string;
  /** The `commitment` frames, exactly as served (UTF-8 JSON each). */
  frames: string[];
  signedAt: number;
}

export class CommitmentRepository extends JsonRepository<{ window: number; windowRoot: string }, StoredCommitment> {
  constructor(db: Db) {
    super(db, Bucket.commitment);
  }
  protected encodeKey = (k: { window: number; windowRoot: string }) =>
    Buffer.concat([key([k.window, 4]), Buffer.from(k.windowRoot.slice(2), 'hex')]);

  async listWindow(window: number): Promise<StoredCommitment[]> {
    return this.valuesWithPrefix(key([window, 4]));
  }
}
