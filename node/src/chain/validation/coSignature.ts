import type { TypedDataDomain } from 'ethers';
import type { CommunityClock } from '../../community/clock.js';
import type { CommunityInfo } from '../../community/types.js';
import type { NodeDb } from '../../db/index.js';
import { decodeCoSignature, MessageError, sameResult, type CoSignatureMessage } from '../../network/messages.js';
import { recoverWindowResultSigner } from '../eip712.js';
import { CoSignatureGossipErrorCode as Code, GossipAction, GossipValidationError } from '../errors.js';

export interface CoSignatureValidationContext {
  community: CommunityInfo;
  clock: CommunityClock;
  domain: TypedDataDomain;
  db: NodeDb;
  /** Last window final on chain (-1 when none). */
  lastFinalWindow(): number;
}

/** Validates a gossiped co-signature; the EIP-712 recovery (~1 ms) runs after the cheap checks. */
export async function validateCoSignature(
  ctx: CoSignatureValidationContext,
  bytes: Uint8Array,
): Promise<CoSignatureMessage> {
  let msg: CoSignatureMessage;
  try {
    msg = decodeCoSignature(bytes);
  } catch (e) {
    // [REJECT] bytes that are not a co-signature message
    if (e instanceof MessageError) throw new GossipValidationError(GossipAction.REJECT, { code: Code.MALFORMED });
    throw e;
  }
  // [REJECT] a signer index that is not a participant
  if (msg.signer >= ctx.community.participants.length) {
    throw new GossipValidationError(GossipAction.REJECT, { code: Code.UNKNOWN_SIGNER, signer: msg.signer });
  }
  // [REJECT] a window past the community's last
  if (msg.window >= ctx.community.windowCount) {
    throw new GossipValidationError(GossipAction.REJECT, { code: Code.OUTSIDE_COMMUNITY, window: msg.window });
  }
  // [IGNORE] a window that has not ended yet: nobody can have folded it
  if (ctx.clock.windowEnd(msg.window) > ctx.clock.nowSeconds() + ctx.community.intervalSeconds) {
    throw new GossipValidationError(GossipAction.IGNORE, { code: Code.TOO_EARLY, window: msg.window });
  }
  // [IGNORE] the window is already final on chain
  if (msg.window <= ctx.lastFinalWindow()) {
    throw new GossipValidationError(GossipAction.IGNORE, { code: Code.WINDOW_FINAL, window: msg.window });
  }
  const stored = await ctx.db.coSignatures.get({ window: msg.window, signer: msg.signer });
  // [IGNORE] this signer's signature over the same result is already held
  if (stored && sameResult(stored, msg)) {
    throw new GossipValidationError(GossipAction.IGNORE, { code: Code.DUPLICATE });
  }
  // [IGNORE] this signer's held signature is over our result and this one is not: it would not be
  // kept (`CoSigner.store`), so it is not worth a recovery (a superseded signature, replayed)
  if (stored) {
    const ours = await ctx.db.windowResults.get(msg.window);
    if (ours && sameResult(stored, ours))
      throw new GossipValidationError(GossipAction.IGNORE, { code: Code.SUPERSEDED });
  }
  const recovered = recoverWindowResultSigner(
    ctx.domain,
    {
      communityId: ctx.community.communityId,
      window: msg.window,
      windowRoot: msg.windowRoot,
      stateHash: msg.stateHash,
      balancesRoot: msg.balancesRoot,
    },
    msg.signature,
  );
  // [REJECT] the signature does not come from the participant it names
  if (!recovered || recovered.toLowerCase() !== ctx.community.participants[msg.signer].toLowerCase()) {
    throw new GossipValidationError(GossipAction.REJECT, { code: Code.BAD_SIGNATURE, signer: msg.signer });
  }
  return msg;
}
