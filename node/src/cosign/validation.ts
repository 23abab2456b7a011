import { getBytes } from 'ethers';
import { hubDomain, windowResultDigest } from '../chain/eip712.js';
import { CoSignatureGossipErrorCode as Code, GossipAction, GossipValidationError } from '../chain/errors.js';
import type { CommunityClock } from '../community/clock.js';
import type { CommunityInfo } from '../community/types.js';
import { blsVerify, type BlsG2Point } from '../crypto/bls.js';
import type { ResultRoots } from '../network/messages.js';
import { BlsShareMessageError, decodeBlsShare, decodeBlsShareHeader, type BlsShareMessage } from './messages.js';

export interface BlsShareValidationContext {
  community: CommunityInfo;
  clock: CommunityClock;
  /** Participants' registered BLS keys, by index (from the module's KeyRegistered events). */
  publicKeys: readonly BlsG2Point[];
  /** Last window final on chain (-1 when none). */
  lastFinalWindow(): number;
  /** Whether this signer's share over this result is already held. */
  holds(window: number, signer: number, result: ResultRoots): boolean;
  /** Whether this signer's held share is over our result and `result` is another (it would not be kept). */
  supersedes?(window: number, signer: number, result: ResultRoots): boolean;
}

/** The digest a share signs: the hub's EIP-712 window result digest. */
export function shareDigest(
  community: CommunityInfo,
  m: Pick<BlsShareMessage, 'window' | 'windowRoot' | 'stateHash' | 'balancesRoot'>,
): Uint8Array {
  return getBytes(
    windowResultDigest(hubDomain(community.chainId, community.hub), {
      communityId: community.communityId,
      window: m.window,
      windowRoot: m.windowRoot,
      stateHash: m.stateHash,
      balancesRoot: m.balancesRoot,
    }),
  );
}

/**
 * Validates a gossiped BLS share, cheap checks first (the header's before the point is decoded); the
 * pairing runs last. With @noble/curves a
 * share costs tens of milliseconds (`node/test/perf/bls.perf.ts`: 1,000 shares one by one took
 * 52-111 s against 0.15-0.31 s for the aggregator's single check), so a daemon serving large
 * communities should skip this last check at gossip time and rely on `BlsShareAggregator`
 * (bisection on a bad aggregate, both shares checked when two differ). Codes are the ECDSA
 * co-signature topic's: a share is a co-signature in another scheme.
 */
export function validateBlsShare(ctx: BlsShareValidationContext, bytes: Uint8Array): BlsShareMessage {
  // The header's checks come before the share's point is decoded (a subgroup check, ~2 ms).
  let window: number;
  let signer: number;
  try {
    ({ window, signer } = decodeBlsShareHeader(bytes));
  } catch (e) {
    // [REJECT] bytes that are not a share message (its length)
    if (e instanceof BlsShareMessageError)
      throw new GossipValidationError(GossipAction.REJECT, { code: Code.MALFORMED, reason: e.code });
    throw e;
  }
  // [REJECT] a signer index that is not a participant with a registered key
  if (signer >= ctx.community.participants.length || signer >= ctx.publicKeys.length) {
    throw new GossipValidationError(GossipAction.REJECT, { code: Code.UNKNOWN_SIGNER, signer });
  }
  // [REJECT] a window past the community's last
  if (window >= ctx.community.windowCount) {
    throw new GossipValidationError(GossipAction.REJECT, { code: Code.OUTSIDE_COMMUNITY, window });
  }
  // [IGNORE] a window that has not ended yet: nobody can have folded it
  if (ctx.clock.windowEnd(window) > ctx.clock.nowSeconds() + ctx.community.intervalSeconds) {
    throw new GossipValidationError(GossipAction.IGNORE, { code: Code.TOO_EARLY, window });
  }
  // [IGNORE] the window is already final on chain
  if (window <= ctx.lastFinalWindow()) {
    throw new GossipValidationError(GossipAction.IGNORE, { code: Code.WINDOW_FINAL, window });
  }
  let msg: BlsShareMessage;
  try {
    msg = decodeBlsShare(bytes);
  } catch (e) {
    // [REJECT] a share that is not a G1 point
    if (e instanceof BlsShareMessageError)
      throw new GossipValidationError(GossipAction.REJECT, { code: Code.MALFORMED, reason: e.code });
    throw e;
  }
  // [IGNORE] this signer's share over the same result is already held
  if (ctx.holds(msg.window, msg.signer, msg)) {
    throw new GossipValidationError(GossipAction.IGNORE, { code: Code.DUPLICATE });
  }
  // [IGNORE] this signer's held share is over our result and this one is not: not worth a pairing
  if (ctx.supersedes?.(msg.window, msg.signer, msg)) {
    throw new GossipValidationError(GossipAction.IGNORE, { code: Code.SUPERSEDED });
  }
  const domain = { chainId: ctx.community.chainId, hub: ctx.community.hub, communityId: ctx.community.communityId };
  // [REJECT] the share does not verify under the key of the participant it names
  if (!blsVerify(msg.share, shareDigest(ctx.community, msg), ctx.publicKeys[msg.signer], domain)) {
    throw new GossipValidationError(GossipAction.REJECT, { code: Code.BAD_SIGNATURE, signer: msg.signer });
  }
  return msg;
}
