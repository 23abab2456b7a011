import type { CommunityClock } from '../community/clock.js';
import type { CommunityInfo } from '../community/types.js';
import type { NodeDb } from '../db/index.js';
import { meterKeyPair, type MeterKeyPair } from '../reading/signature.js';
import { fromHex } from '../util/hex.js';
import type { MeterOptions } from '../meter/options.js';
import { loadProfile } from '../meter/profiles.js';
import { SimulatedMeter } from '../meter/simulatedMeter.js';

/** A meter's Ed25519 key from its 64-byte tweetnacl secret key or its 32-byte seed (hex). */
export function meterKeyFromSecret(secret: string): MeterKeyPair {
  const bytes = fromHex(secret);
  if (bytes.length === 32) return meterKeyPair(bytes);
  if (bytes.length === 64) return meterKeyPair(bytes.subarray(0, 32));
  throw new RangeError(`meter secret key must be 32 (seed) or 64 bytes, got ${bytes.length}`);
}

export function createSimulatedMeter(
  opts: MeterOptions,
  community: Pick<CommunityInfo, 'chainId' | 'hub' | 'communityId' | 'meters'>,
): SimulatedMeter {
  const key = meterKeyFromSecret(opts.secretKey);
  const registered = community.meters[opts.meterIndex];
  if (!registered)
    throw new RangeError(`meter ${opts.meterIndex} is not registered in community ${community.communityId}`);
  if (Buffer.compare(Buffer.from(registered.publicKey), Buffer.from(key.publicKey)) !== 0) {
    throw new Error(`meter ${opts.meterIndex}: the secret key does not match the public key registered on the hub`);
  }
  return new SimulatedMeter(
    { chainId: community.chainId, hub: community.hub, communityId: community.communityId, meterIndex: opts.meterIndex },
    { key, profile: loadProfile(opts.profile) },
  );
}

/**
 * The interval a node's meter signs next: the one after its last reading kept, or, at its very
 * first start, the first interval of the current window (as a real meter hands over what it
 * buffered). That starting point is stored at once: a node stopped before its meter's first
 * reading was kept resumes from it, instead of skipping every interval it was down (fault run
 * "node offline 3 windows": 16 readings of meter 3 were never signed).
 */
export async function meterResumeInterval(db: NodeDb, meterIndex: number, clock: CommunityClock): Promise<number> {
  const key = `meter${meterIndex}.next`;
  const stored = await db.meta.getNumber(key);
  if (stored !== undefined) return stored;
  const first = clock.firstInterval(clock.windowOf(Math.max(0, clock.currentInterval())));
  await db.meta.put(key, first);
  return first;
}
