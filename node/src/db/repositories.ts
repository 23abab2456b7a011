import { deserializeSignedReading, serializeSignedReading, type SignedReading } from '../reading/signature.js';
import { Bucket } from './buckets.js';
import { JsonRepository, Repository, type Db } from './repository.js';
import type { ParticipantState } from '../window/state.js';
import { type Balance, balancesRoot } from '../window/balances.js';
import { getAddress } from 'ethers';
import { DiversityError } from '../util/errors.js';
import { fromHex, toHex } from '../util/hex.js';

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
/**
 * A slot's LevelDB key: the bucket byte, then window, interval and meter (uint32 big-endian each), written
 * at once (the ingest's hot path reads and writes these).
 */
function slotKeyBytes(bucket: Bucket, k: SlotKey): Uint8Array {
  // As `key` (writeUIntBE): a value that is not a uint32 is a RangeError, never a wrapped key.
  if (k.window >>> 0 !== k.window || k.interval >>> 0 !== k.interval || k.meter >>> 0 !== k.meter)
    throw new RangeError(`slot key out of range: ${k.window}/${k.interval}/${k.meter}`);
  const out = new Uint8Array(13);
  out[0] = bucket;
  const values = [k.window, k.interval, k.meter];
  for (let f = 0, o = 1; f < 3; f++, o += 4) {
    const v = values[f];
    out[o] = v >>> 24;
    out[o + 1] = v >>> 16;
    out[o + 2] = v >>> 8;
    out[o + 3] = v;
  }
  return out;
}
const slotKey = (k: SlotKey) => slotKeyBytes(0 as Bucket, k).subarray(1);

/** Accepted readings by (window, interval, meter). */
export class ReadingRepository extends Repository<SlotKey, SignedReading> {
  constructor(db: Db) {
    super(db, Bucket.reading);
  }
  protected encodeKey = slotKey;
  protected override keyBytes(k: SlotKey): Uint8Array {
    return slotKeyBytes(this.bucket, k);
  }
  protected encodeValue = serializeSignedReading;
  protected decodeValue = deserializeSignedReading;

  async listWindow(window: number): Promise<SignedReading[]> {
    return this.valuesWithPrefix(key([window, 4]));
  }

  /** The slots of `window` that hold a reading, from the keys alone (no value is read). */
  async slotsOf(window: number): Promise<SlotKey[]> {
    const gte = slotKeyBytes(this.bucket, { window, interval: 0, meter: 0 });
    const lt =
      window === 0xffff_ffff ? undefined : slotKeyBytes(this.bucket, { window: window + 1, interval: 0, meter: 0 });
    const out: SlotKey[] = [];
    for await (const k of this.db.keys(lt ? { gte, lt } : { gte })) {
      const b = Buffer.from(k.buffer, k.byteOffset, k.length);
      out.push({ window, interval: b.readUInt32BE(5), meter: b.readUInt32BE(9) });
    }
    return out;
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
  protected override keyBytes(k: SlotKey): Uint8Array {
    return slotKeyBytes(this.bucket, k);
  }
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
  /** The balances root after this window's reaction (its leaves: `BalancesRepository`). */
  balancesRoot: string;
  finalState: ParticipantState[];
  intervals: { interval: number; readingsRoot: string; energyHash: string; stateHash: string; entriesRoot: string }[];
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
  balancesRoot: string;
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
  /**
   * The window; `windowCount` (the community's end) for `close`, `claim` and `share`; `windowCount + 1 + i`
   * for `claimFor` (a claim this node sent for debtor `i`).
   */
  window: number;
  /**
   * `close`, then this member's `claim`, then, as a creditor, `claimFor` a debtor still unpaid after the wait,
   * then `share` (`claimShare`).
   */
  kind: 'update' | 'finalize' | 'close' | 'claim' | 'share' | 'claimFor';
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
  /**
   * Of those, the sends the hub refused (the gas estimate reverted: CALL_EXCEPTION); a network failure is not
   * one. A claim for a debtor is given up after `CLAIM_FOR_ATTEMPTS` of them, never for an RPC outage.
   */
  refusals?: number;
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

/**
 * The balances after one window's reaction, as this node computed them (from its own fold or from the
 * final claim's state) or as the genesis: the leaves of the balances root in participant order, their
 * total of claims and the root they make.
 */
export interface StoredBalances {
  window: number;
  balancesRoot: string;
  totalClaims: bigint;
  leaves: Balance[];
}

export enum BalancesCodecErrorCode {
  WRONG_LENGTH = 'BALANCES_CODEC_WRONG_LENGTH',
  ROOT_MISMATCH = 'BALANCES_CODEC_ROOT_MISMATCH',
}
export class BalancesCodecError extends DiversityError<{
  code: BalancesCodecErrorCode;
  expected?: number;
  actual?: number;
}> {}

/** Bytes of one leaf: participant 20 ‖ escrow 32 ‖ debt 32 ‖ claim 32. */
const BALANCE_LEAF_LENGTH = 20 + 32 * 3;
/** Bytes before the leaves: window 4 ‖ balancesRoot 32 ‖ totalClaims 32 ‖ count 4. */
const BALANCES_HEADER_LENGTH = 4 + 32 + 32 + 4;
/** Leaves one stored value may hold: the co-signature schemes' widest signer set (BLS `verifyWide`). */
export const MAX_STORED_BALANCES = 1024;

const word = (v: bigint): Buffer => Buffer.from(v.toString(16).padStart(64, '0'), 'hex');
const readWord = (b: Buffer, at: number): bigint => BigInt(`0x${b.subarray(at, at + 32).toString('hex')}`);

/**
 * Binary codec of `StoredBalances`. Decoding checks the length against the count and recomputes the
 * root from the leaves: a value that was damaged or written by another build is refused
 * (`BalancesCodecError`), never signed, posted or used in a proof.
 */
export const BalancesCodec = {
  encode(b: StoredBalances): Uint8Array {
    if (b.leaves.length > MAX_STORED_BALANCES)
      throw new BalancesCodecError({ code: BalancesCodecErrorCode.WRONG_LENGTH, actual: b.leaves.length });
    const out = Buffer.alloc(BALANCES_HEADER_LENGTH + BALANCE_LEAF_LENGTH * b.leaves.length);
    out.writeUInt32BE(b.window, 0);
    out.set(fromHex(b.balancesRoot), 4);
    out.set(word(b.totalClaims), 36);
    out.writeUInt32BE(b.leaves.length, 68);
    b.leaves.forEach((leaf, i) => {
      const at = BALANCES_HEADER_LENGTH + i * BALANCE_LEAF_LENGTH;
      out.set(fromHex(leaf.participant), at);
      out.set(word(leaf.escrow), at + 20);
      out.set(word(leaf.debt), at + 52);
      out.set(word(leaf.claim), at + 84);
    });
    return out;
  },
  decode(bytes: Uint8Array): StoredBalances {
    const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    const count = b.length >= BALANCES_HEADER_LENGTH ? b.readUInt32BE(68) : 0;
    const expected = BALANCES_HEADER_LENGTH + BALANCE_LEAF_LENGTH * count;
    if (b.length < BALANCES_HEADER_LENGTH || count > MAX_STORED_BALANCES || b.length !== expected)
      throw new BalancesCodecError({ code: BalancesCodecErrorCode.WRONG_LENGTH, expected, actual: b.length });
    const leaves: Balance[] = [];
    for (let i = 0; i < count; i++) {
      const at = BALANCES_HEADER_LENGTH + i * BALANCE_LEAF_LENGTH;
      leaves.push({
        participant: getAddress(toHex(b.subarray(at, at + 20))),
        escrow: readWord(b, at + 20),
        debt: readWord(b, at + 52),
        claim: readWord(b, at + 84),
      });
    }
    const stored: StoredBalances = {
      window: b.readUInt32BE(0),
      balancesRoot: toHex(b.subarray(4, 36)),
      totalClaims: readWord(b, 36),
      leaves,
    };
    if (balancesRoot(leaves, stored.totalClaims).toLowerCase() !== stored.balancesRoot.toLowerCase())
      throw new BalancesCodecError({ code: BalancesCodecErrorCode.ROOT_MISMATCH });
    return stored;
  },
};

/** Balances per (window, balancesRoot): a window may have several (re-folds, the chain's final one). */
export class BalancesRepository extends Repository<{ window: number; balancesRoot: string }, StoredBalances> {
  constructor(db: Db) {
    super(db, Bucket.balances);
  }
  protected encodeKey = (k: { window: number; balancesRoot: string }) =>
    Buffer.concat([key([k.window, 4]), Buffer.from(fromHex(k.balancesRoot))]);
  protected encodeValue = BalancesCodec.encode;
  protected decodeValue = BalancesCodec.decode;

  async listWindow(window: number): Promise<StoredBalances[]> {
    return this.valuesWithPrefix(key([window, 4]));
  }
}
