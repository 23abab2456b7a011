import { ReadingError } from '../../reading/errors.js';
import { sameReadingValues } from '../../reading/encoding.js';
import type { MeterKeyRing } from '../../reading/meterKeys.js';
import { deserializeSignedReading, type SignedReading } from '../../reading/signature.js';
import type { CommunityClock } from '../../community/clock.js';
import type { CommunityInfo } from '../../community/types.js';
import type { NodeDb } from '../../db/index.js';
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
  | { kind: 'new'; signed: SignedReading; window: number }
  /** Second, different reading for a slot: evidence against the meter; the slot is voided. */
  | { kind: 'equivocation'; signed: SignedReading; first: SignedReading; window: number };

/**
 * Validates a signed reading from gossip or from a peer's reconciliation response.
 * Cheap checks first; the signature (the only expensive one, ~0.2 ms) last but one.
 */
export async function validateReading(ctx: ReadingValidationContext, bytes: Uint8Array): Promise<ValidReading> {
  const { community, clock } = ctx;
  let signed: SignedReading;
  try {
    signed = deserializeSignedReading(bytes);
  } catch (e) {
    // [REJECT] bytes that do not decode as a signed reading
    if (e instanceof ReadingError) throw new GossipValidationError(GossipAction.REJECT, { code: Code.MALFORMED, reason: e.code });
    throw e;
  }
  const r = signed.reading;

  // [REJECT] a reading of another chain, hub or community: never valid on this topic
  if (r.chainId !== community.chainId || r.hub.toLowerCase() !== community.hub.toLowerCase() || r.communityId !== community.communityId) {
    throw new GossipValidationError(GossipAction.REJECT, { code: Code.WRONG_COMMUNITY });
  }
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
  const window = clock.windowOf(r.interval);
  // [IGNORE] the window's result is already on chain: a late reading cannot change it
  if (ctx.isWindowSettled(window)) {
    throw new GossipValidationError(GossipAction.IGNORE, { code: Code.WINDOW_SEALED, window });
  }
  const slot = { window, interval: r.interval, meter: r.meterIndex };
  const stored = await ctx.db.readings.get(slot);
  // [IGNORE] the same reading again (duplicates arrive through gossip and reconciliation). The
  // signed VALUES decide, never the signature bytes: a P-256 meter signs the same reading
  // differently each time and anyone can flip s to N - s; the chain takes two readings with the
  // same encoding as no equivocation (NotEquivocation). Dropped before the signature check.
  if (stored && sameReadingValues(stored.reading, r)) {
    throw new GossipValidationError(GossipAction.IGNORE, { code: Code.DUPLICATE });
  }
  // [REJECT] a signature that does not verify under the meter's registered key
  if (!ctx.keys.verify(signed)) {
    throw new GossipValidationError(GossipAction.REJECT, { code: Code.BAD_SIGNATURE, meterIndex: r.meterIndex });
  }
  if (stored) {
    // [IGNORE] evidence already held for this slot: one proof of equivocation is enough
    if (await ctx.db.equivocations.has(slot)) throw new GossipValidationError(GossipAction.IGNORE, { code: Code.EQUIVOCATION_KNOWN });
    // Validly signed but different: the meter equivocated. Accept so every node learns it.
    return { kind: 'equivocation', signed, first: stored, window };
  }
  return { kind: 'new', signed, window };
}

/** Stores what validation accepted; equivocation evidence is kept next to the first reading. */
export async function storeValidReading(db: NodeDb, valid: ValidReading): Promise<void> {
  const r = valid.signed.reading;
  const slot = { window: valid.window, interval: r.interval, meter: r.meterIndex };
  if (valid.kind === 'equivocation') await db.equivocations.put(slot, { first: valid.first, second: valid.signed });
  else await db.readings.put(slot, valid.signed);
}
