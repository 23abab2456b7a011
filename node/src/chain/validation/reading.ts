import { ReadingError } from '../../reading/errors.js';
import { CommunityReadingDecoder, READING_ENCODED_LENGTH, sameReadingValues } from '../../reading/encoding.js';
import type { VerifyItem } from '../../reading/verifierPool.js';
import type { MeterKeyRing } from '../../reading/meterKeys.js';
import {
  deserializeSignedReading,
  ED25519_SIGNATURE_LENGTH,
  lowS,
  MeterScheme,
  type SignedReading,
} from '../../reading/signature.js';

/** A signed reading's wire length, whatever the meter's scheme (encoding ‖ 64-byte signature). */
export const SIGNED_READING_LENGTH = READING_ENCODED_LENGTH + ED25519_SIGNATURE_LENGTH;
import type { CommunityClock } from '../../community/clock.js';
import type { CommunityInfo } from '../../community/types.js';
import type { NodeDb, SlotKey } from '../../db/index.js';
import { GossipAction, GossipValidationError, ReadingGossipErrorCode as Code } from '../errors.js';

export interface ReadingValidationContext {
  community: CommunityInfo;
  clock: CommunityClock;
  keys: MeterKeyRing;
  db: NodeDb;
  /** Intervals ahead of the local clock still accepted (meters' clocks drift). */
  maxFutureIntervals: number;
  /** True once a window's result is on chain (pending or final): its input can no longer change. */
  isWindowSettled(window: number): boolean;
}

export type ValidReading =
  | {
      kind: 'new';
      signed: SignedReading;
      window: number;
      /** Its wire bytes when they are its stored form (`serializeSignedReading(signed)`): stored as they are. */
      wire?: Uint8Array;
    }
  /** Second, different reading for a slot: evidence against the meter; the slot is voided. */
  | { kind: 'equivocation'; signed: SignedReading; first: SignedReading; window: number };

export interface Prechecked {
  bytes: Uint8Array;
  /** Index in the batch. */
  i: number;
  /** The signature kept is the one received (not its low-s twin): the bytes are the stored form. */
  asReceived: boolean;
  signed: SignedReading;
  window: number;
  slot: { window: number; interval: number; meter: number };
}

/** Each community's decoder (`CommunityReadingDecoder`), built once. */
const decoders = new WeakMap<CommunityInfo, CommunityReadingDecoder>();

function decoderOf(community: CommunityInfo): CommunityReadingDecoder {
  let d = decoders.get(community);
  if (!d) {
    d = new CommunityReadingDecoder(community.chainId, community.hub, community.communityId);
    decoders.set(community, d);
  }
  return d;
}

/**
 * Decodes a wire reading of `community`: the community's readings through its decoder (the head compared
 * as bytes, the signature a view of the wire bytes); anything else through `deserializeSignedReading`, to
 * say why it is refused.
 */
function decodeSigned(community: CommunityInfo, bytes: Uint8Array): SignedReading {
  if (bytes.length === SIGNED_READING_LENGTH) {
    const reading = decoderOf(community).decode(bytes.subarray(0, READING_ENCODED_LENGTH));
    if (reading) return { reading, signature: bytes.subarray(READING_ENCODED_LENGTH) };
  }
  try {
    deserializeSignedReading(bytes);
  } catch (e) {
    // [REJECT] bytes that do not decode as a signed reading
    if (e instanceof ReadingError)
      throw new GossipValidationError(GossipAction.REJECT, { code: Code.MALFORMED, reason: e.code });
    throw e;
  }
  // [REJECT] a reading of another chain, hub or community: never valid on this topic (a reading of this
  // community decodes above)
  throw new GossipValidationError(GossipAction.REJECT, { code: Code.WRONG_COMMUNITY });
}

/** The checks that need neither the store nor the signature: decode, community, meter, time. */
function precheck(ctx: ReadingValidationContext, bytes: Uint8Array, i = 0): Prechecked {
  const { community, clock } = ctx;
  let signed = decodeSigned(community, bytes);
  const r = signed.reading;
  // [REJECT] a meter the hub does not know
  if (r.meterIndex >= community.meters.length) {
    throw new GossipValidationError(GossipAction.REJECT, { code: Code.UNKNOWN_METER, meterIndex: r.meterIndex });
  }
  // [REJECT] an interval past the community's last window
  if (r.interval >= clock.totalIntervals) {
    throw new GossipValidationError(GossipAction.REJECT, { code: Code.OUTSIDE_COMMUNITY, interval: r.interval });
  }
  // [IGNORE] an interval that has not started yet (beyond clock-drift tolerance)
  if (r.interval > clock.currentInterval() + ctx.maxFutureIntervals) {
    throw new GossipValidationError(GossipAction.IGNORE, { code: Code.TOO_EARLY, interval: r.interval });
  }
  // A P-256 signature is kept in its low-s form (`lowS`): the malleated twin of a reading is the same
  // slot leaf at every node, whichever twin reached it first.
  let asReceived = true;
  if (community.meters[r.meterIndex].scheme === MeterScheme.P256) {
    const signature = lowS(signed.signature);
    asReceived = signature === signed.signature;
    signed = { reading: r, signature };
  }
  const window = clock.windowOf(r.interval);
  // [IGNORE] the window's result is already on chain: a late reading cannot change it
  if (ctx.isWindowSettled(window)) {
    throw new GossipValidationError(GossipAction.IGNORE, { code: Code.WINDOW_SEALED, window });
  }
  return { bytes, i, asReceived, signed, window, slot: { window, interval: r.interval, meter: r.meterIndex } };
}

// [IGNORE] the same reading again (duplicates arrive through gossip and reconciliation). The
// signed VALUES decide, never the signature bytes: a P-256 meter signs the same reading
// differently each time and anyone can flip s to N - s; the chain takes two readings with the
// same encoding as no equivocation (NotEquivocation). Checked before the signature.
const duplicate = () => new GossipValidationError(GossipAction.IGNORE, { code: Code.DUPLICATE });
// [REJECT] a signature that does not verify under the meter's registered key
const badSignature = (meterIndex: number) =>
  new GossipValidationError(GossipAction.REJECT, { code: Code.BAD_SIGNATURE, meterIndex });
// [IGNORE] evidence already held for this slot: one proof of equivocation is enough
const equivocationKnown = () => new GossipValidationError(GossipAction.IGNORE, { code: Code.EQUIVOCATION_KNOWN });

/**
 * Validates a signed reading from gossip or from a peer's reconciliation response.
 * Cheap checks first; the signature (the only expensive one, ~0.1 ms) last but one.
 */
export async function validateReading(ctx: ReadingValidationContext, bytes: Uint8Array): Promise<ValidReading> {
  const { signed, window, slot } = precheck(ctx, bytes);
  const stored = await ctx.db.readings.get(slot);
  if (stored && sameReadingValues(stored.reading, signed.reading)) throw duplicate();
  if (!ctx.keys.verify(signed)) throw badSignature(signed.reading.meterIndex);
  if (stored) {
    if (await ctx.db.equivocations.has(slot)) throw equivocationKnown();
    // Validly signed but different: the meter equivocated. Accept so every node learns it.
    return { kind: 'equivocation', signed, first: stored, window };
  }
  return { kind: 'new', signed, window };
}

/**
 * A batch after the checks that do not depend on the batches validated before it (`prepareReadingBatch`):
 * decoded, checked against the community and the clock, its slots read from the store, and the
 * signatures of all but the duplicates of stored values verified. The ingest pipeline prepares the
 * next batches while one is decided and written (`decideReadingBatch`, one at a time, in order).
 */
export interface PreparedReadingBatch {
  /** Per reading: its outcome when already decided (a failed check, a duplicate of a stored value). */
  readonly out: (ValidReading | GossipValidationError | undefined)[];
  readonly checked: readonly Prechecked[];
  /** Per checked reading: the reading its slot held in the store when the batch was prepared. */
  readonly stored: readonly (SignedReading | undefined)[];
  /** Per checked reading: its signature verified (undefined: dropped as a duplicate before verification). */
  readonly valid: readonly (boolean | undefined)[];
}

/**
 * The key of a slot within the ingest (window, interval and meter: the interval fixes the window), a number:
 * interval · 2^20 + meter, exact (an interval is a uint32, so below 2^52; a meter index is below the
 * community's meter count, at most `MeterRegistry.MAX_METERS` = 1,024 on chain, checked before any key).
 */
export const slotKeyOf = (s: { interval: number; meter: number }): number => s.interval * 0x10_0000 + s.meter;

/**
 * The part of `validateReadingBatch` that may run ahead of the batches before it: the cheap checks,
 * one `getMany` of the slots, duplicates of stored values dropped BEFORE verification (a replay costs
 * no signature check), the rest verified together by `verify` (worker threads).
 */
export async function prepareReadingBatch(
  ctx: ReadingValidationContext,
  list: readonly Uint8Array[],
  verify: (items: VerifyItem[]) => Promise<boolean[]>,
  mayHold?: (slots: readonly SlotKey[]) => Promise<boolean[]>,
): Promise<PreparedReadingBatch> {
  const out: (ValidReading | GossipValidationError | undefined)[] = new Array(list.length);
  const checked: Prechecked[] = [];
  for (let i = 0; i < list.length; i++) {
    try {
      checked.push(precheck(ctx, list[i], i));
    } catch (e) {
      if (!(e instanceof GossipValidationError)) throw e;
      out[i] = e;
    }
  }
  const stored = await readSlots(
    ctx.db,
    checked.map((c) => c.slot),
    mayHold,
  );
  // A reading whose values are already stored is a duplicate whatever else the batch holds.
  const toVerify: number[] = [];
  for (let k = 0; k < checked.length; k++) {
    const s = stored[k];
    if (s && sameReadingValues(s.reading, checked[k].signed.reading)) out[checked[k].i] = duplicate();
    else toVerify.push(k);
  }
  const verified = await verify(
    toVerify.map((k) => ({
      meterIndex: checked[k].signed.reading.meterIndex,
      message: checked[k].bytes.subarray(0, READING_ENCODED_LENGTH),
      signature: checked[k].signed.signature,
    })),
  );
  const valid: (boolean | undefined)[] = new Array(checked.length);
  for (let j = 0; j < toVerify.length; j++) valid[toVerify[j]] = verified[j];
  return { out, checked, stored, valid };
}

/**
 * The readings the store holds for `slots` (undefined where none), in one `getMany` of the slots `mayHold`
 * does not rule out (all of them without it: `HeldSlots` in the ingest).
 */
async function readSlots(
  db: NodeDb,
  slots: SlotKey[],
  mayHold?: (slots: readonly SlotKey[]) => Promise<boolean[]>,
): Promise<(SignedReading | undefined)[]> {
  if (!mayHold) return db.readings.getMany(slots);
  const may = await mayHold(slots);
  const at: number[] = [];
  for (let k = 0; k < slots.length; k++) if (may[k]) at.push(k);
  const out: (SignedReading | undefined)[] = new Array(slots.length).fill(undefined);
  if (at.length === 0) return out;
  const read = await db.readings.getMany(at.map((k) => slots[k]));
  for (let j = 0; j < at.length; j++) out[at[j]] = read[j];
  return out;
}

/**
 * Decides a prepared batch against the store as it is now, with the same outcome as validating its
 * readings one after the other in this order: `newer(slot)` is the reading a batch decided after
 * this one was prepared accepted for the slot (its write may not have been visible to the batch's
 * store read); slots seen earlier in the batch count as held. Equivocation evidence is read here
 * (only for slots already held: the common batch, every slot new, reads nothing more).
 */
export async function decideReadingBatch(
  ctx: ReadingValidationContext,
  prepared: PreparedReadingBatch,
  newer: (slotKey: number) => SignedReading | undefined = () => undefined,
): Promise<(ValidReading | GossipValidationError)[]> {
  const { checked, stored, valid } = prepared;
  const out = prepared.out.slice();
  const pending: number[] = [];
  for (let k = 0; k < checked.length; k++) if (out[checked[k].i] === undefined) pending.push(k);
  // The first reading held for each pending slot: in the store, accepted since, or earlier in the batch.
  const held: (SignedReading | undefined)[] = new Array(checked.length);
  const seen = new Set<number>();
  const heldKeys = new Set<number>();
  const heldSlots: Prechecked['slot'][] = [];
  for (const k of pending) {
    const key = slotKeyOf(checked[k].slot);
    held[k] = stored[k] ?? newer(key);
    if ((held[k] !== undefined || seen.has(key)) && !heldKeys.has(key)) {
      heldKeys.add(key);
      heldSlots.push(checked[k].slot);
    }
    seen.add(key);
  }
  const evidence = new Set<number>();
  if (heldSlots.length > 0)
    (await ctx.db.equivocations.getMany(heldSlots)).forEach((e, k) => {
      if (e !== undefined) evidence.add(slotKeyOf(heldSlots[k]));
    });
  const firstInBatch = new Map<number, SignedReading>();
  const equivocated = new Set<number>();
  for (const k of pending) {
    const c = checked[k];
    const key = slotKeyOf(c.slot);
    const prior = held[k] ?? firstInBatch.get(key);
    if (prior && sameReadingValues(prior.reading, c.signed.reading)) out[c.i] = duplicate();
    else if (valid[k] !== true) out[c.i] = badSignature(c.signed.reading.meterIndex);
    else if (!prior) {
      firstInBatch.set(key, c.signed);
      out[c.i] = c.asReceived
        ? { kind: 'new', signed: c.signed, window: c.window, wire: c.bytes }
        : { kind: 'new', signed: c.signed, window: c.window };
    } else if (evidence.has(key) || equivocated.has(key)) out[c.i] = equivocationKnown();
    else {
      equivocated.add(key);
      out[c.i] = { kind: 'equivocation', signed: c.signed, first: prior, window: c.window };
    }
  }
  return out as (ValidReading | GossipValidationError)[];
}

/**
 * `validateReading` for many readings at once, with the same outcome as validating them one
 * after the other in this order: the store is read with one `getMany` per bucket, the
 * signatures are verified together by `verify` (worker threads), and slots seen earlier in the
 * batch count as stored. Returns a ValidReading or the GossipValidationError of each.
 */
export async function validateReadingBatch(
  ctx: ReadingValidationContext,
  list: readonly Uint8Array[],
  verify: (items: VerifyItem[]) => Promise<boolean[]>,
): Promise<(ValidReading | GossipValidationError)[]> {
  return decideReadingBatch(ctx, await prepareReadingBatch(ctx, list, verify));
}

/** Stores what a batch validation accepted, in one atomic LevelDB write. */
export async function storeValidReadings(db: NodeDb, valid: readonly ValidReading[]): Promise<void> {
  await db.batch(
    valid.map((v) => {
      const r = v.signed.reading;
      const slot = { window: v.window, interval: r.interval, meter: r.meterIndex };
      if (v.kind === 'equivocation') return db.equivocations.putOp(slot, { first: v.first, second: v.signed });
      // The bytes as received are the stored form (no second encoding of each reading).
      return v.wire ? db.readings.putEncodedOp(slot, v.wire) : db.readings.putOp(slot, v.signed);
    }),
  );
}

/** Stores what validation accepted; equivocation evidence is kept next to the first reading. */
export async function storeValidReading(db: NodeDb, valid: ValidReading): Promise<void> {
  const r = valid.signed.reading;
  const slot = { window: valid.window, interval: r.interval, meter: r.meterIndex };
  if (valid.kind === 'equivocation') await db.equivocations.put(slot, { first: valid.first, second: valid.signed });
  else await db.readings.put(slot, valid.signed);
}
