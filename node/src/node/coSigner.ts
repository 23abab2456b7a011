import type { Signer, TypedDataDomain } from 'ethers';
import { recoverWindowResultSigner, signWindowResult } from '../chain/eip712.js';
import { validateCoSignature } from '../chain/validation/coSignature.js';
import type { CommunityClock } from '../community/clock.js';
import type { CommunityInfo } from '../community/types.js';
import { encodeBlsShare } from '../cosign/messages.js';
import { shareDigest, validateBlsShare } from '../cosign/validation.js';
import {
  type BlsG2Point,
  blsPublicKey,
  blsSign,
  decodeG1,
  decodeG2,
  encodeG1,
  encodeG2,
  nodeBlsSecretKey,
} from '../crypto/bls.js';
import type { NodeDb, StoredWindowResult } from '../db/index.js';
import type { Metrics } from '../metrics/metrics.js';
import { type CoSignatureMessage, encodeCoSignature, sameResult } from '../network/messages.js';
import { fromHex, toHex } from '../util/hex.js';
import type { Logger } from '../util/logger.js';
import { NodeStartError, NodeStartErrorCode } from './errors.js';
import type { NodeEvents } from './events.js';

/** This node's BLS secret (never logged) and every participant's registered key. */
export interface BlsKeys {
  secretKey: bigint;
  publicKeys: BlsG2Point[];
}

/**
 * BLS community: the node's BLS key is derived from its node key (as it was when it joined) and
 * must be the one the module registered for its index.
 */
export function blsKeys(nodeKey: Uint8Array, participantIndex: number, registered: Uint8Array[]): BlsKeys {
  const sk = nodeBlsSecretKey(nodeKey);
  if (toHex(encodeG2(blsPublicKey(sk))) !== toHex(registered[participantIndex] ?? new Uint8Array(0))) {
    throw new NodeStartError(
      NodeStartErrorCode.NOT_A_PARTICIPANT,
      `the BLS key registered for participant ${participantIndex} is not this node's`,
    );
  }
  return { secretKey: sk, publicKeys: registered.map((k) => decodeG2(k)) };
}

export interface CoSignerModules {
  community: CommunityInfo;
  clock: CommunityClock;
  db: NodeDb;
  participantIndex: number;
  /** The participant's key, for the EIP-712 signature (ECDSA communities). */
  signer: Signer;
  domain: TypedDataDomain;
  /** Set in a BLS community: shares instead of ECDSA signatures. */
  bls?: BlsKeys;
  publish(bytes: Uint8Array): Promise<void>;
  lastFinalWindow(): number;
  nextWindowToCommit(): number;
  events: NodeEvents;
  metrics: Metrics | null;
  logger: Logger;
}

/**
 * The co-signer: signs what the committer committed (`windowCommitted`) and publishes it,
 * validates and stores the others' signatures (ECDSA over EIP-712, or BLS shares), tells the
 * committer when a peer signed something else (`coSignatureDisagrees`), and now and then
 * publishes its own signatures again for peers that were down when it signed.
 */
export class CoSigner {
  private lastRepublish = 0;
  /** When our signature of each window was last published successfully (ms; in memory: a restart re-sends). */
  private readonly publishedAt = new Map<number, number>();

  constructor(private readonly modules: CoSignerModules) {
    modules.events.on('windowCommitted', async ({ result }) => {
      await this.signAndPublish(result);
      await this.reportDisagreements(result.window);
    });
  }

  /**
   * Reports (`coSignatureDisagrees`) every signature held for `window` over another result than
   * ours. A peer's signature that arrived before we committed (or before a restart) was stored
   * with nothing to compare it with, and its re-sends are dropped as duplicates: without this the
   * committer would never fetch the readings that peer holds and we lack.
   */
  async reportDisagreements(window: number): Promise<number> {
    const { db, events, participantIndex } = this.modules;
    const ours = await db.windowResults.get(window);
    if (!ours) return 0;
    let reported = 0;
    for (const s of await db.coSignatures.listWindow(window)) {
      if (s.signer === participantIndex || sameResult(s, ours)) continue;
      reported++;
      await events.emit('coSignatureDisagrees', { window, signer: s.signer });
    }
    return reported;
  }

  /** Signs a committed result, stores the signature as any other and publishes it. */
  async signAndPublish(result: StoredWindowResult): Promise<CoSignatureMessage> {
    const { community, participantIndex, logger } = this.modules;
    const { window, windowRoot, stateHash, balancesRoot } = result;
    const bls = this.modules.bls;
    const signed = { window, windowRoot, stateHash, balancesRoot };
    const signature = bls
      ? toHex(encodeG1(blsSign(bls.secretKey, shareDigest(community, signed), community)))
      : await signWindowResult(this.modules.signer, this.modules.domain, {
          communityId: community.communityId,
          ...signed,
        });
    const msg: CoSignatureMessage = { ...signed, signer: participantIndex, signature };
    // Published first, stored after: the peers wait for it, and nothing here needs the store first (a
    // restart signs the same result again: ECDSA per RFC 6979 and BLS are deterministic).
    await this.modules
      .publish(this.encode(msg))
      .then(() => this.publishedAt.set(window, Date.now()))
      .catch((e) => logger.verbose('co-signature publish failed', { window }, e));
    logger.info('co-signature published', { window, afterEndMs: this.modules.clock.msAfterWindowEnd(window) });
    await this.store(msg);
    return msg;
  }

  /**
   * Start-up warm-up, off the record: signs a result of zeros and checks the signature as a peer's
   * would be checked (EIP-712 encoding, the curve's tables built on first use), or signs a BLS share.
   * Nothing is stored or published. False when our own signature does not check (a wrong key setup).
   */
  async warmUp(): Promise<boolean> {
    const { community, bls, domain, signer } = this.modules;
    const zero = `0x${'00'.repeat(32)}`;
    const signed = { window: 0, windowRoot: zero, stateHash: zero, balancesRoot: zero };
    if (bls) {
      blsSign(bls.secretKey, shareDigest(community, signed), community);
      return true;
    }
    const msg = { communityId: community.communityId, ...signed };
    const signature = await signWindowResult(signer, domain, msg);
    const recovered = recoverWindowResultSigner(domain, msg, signature);
    return recovered !== undefined && recovered.toLowerCase() === (await signer.getAddress()).toLowerCase();
  }

  /** The gossip handler of the co-signature topic (throws GossipValidationError when not kept). */
  async onGossip(data: Uint8Array): Promise<void> {
    const { community, clock, domain, db, lastFinalWindow, bls } = this.modules;
    if (bls) return this.onBlsShare(data, bls.publicKeys);
    const msg = await validateCoSignature({ community, clock, domain, db, lastFinalWindow }, data);
    await this.store(msg);
  }

  /** A BLS share on the co-signature topic: same checks and codes, the pairing last; stored as hex. */
  private async onBlsShare(data: Uint8Array, publicKeys: readonly BlsG2Point[]): Promise<void> {
    const { community, clock, db, lastFinalWindow } = this.modules;
    const b = Buffer.from(data);
    // The stored share of (window, signer), fetched before the synchronous checks when the header is readable.
    const held =
      b.length >= 6 ? await db.coSignatures.get({ window: b.readUInt32BE(0), signer: b.readUInt16BE(4) }) : undefined;
    const ours = held ? await db.windowResults.get(held.window) : undefined;
    const share = validateBlsShare(
      {
        community,
        clock,
        publicKeys,
        lastFinalWindow,
        holds: (window, signer, result) =>
          held !== undefined && held.window === window && held.signer === signer && sameResult(held, result),
        supersedes: (window, signer, result) =>
          held !== undefined &&
          ours !== undefined &&
          held.window === window &&
          held.signer === signer &&
          sameResult(held, ours) &&
          !sameResult(result, ours),
      },
      data,
    );
    await this.store({
      window: share.window,
      signer: share.signer,
      windowRoot: share.windowRoot,
      stateHash: share.stateHash,
      balancesRoot: share.balancesRoot,
      signature: toHex(encodeG1(share.share)),
    });
  }

  /**
   * Stores a valid signature, never replacing one that matches our result with one that does
   * not; one over a different result asks the committer to fetch the window again.
   */
  async store(msg: CoSignatureMessage): Promise<void> {
    const { db, metrics, logger, events } = this.modules;
    const ours = await db.windowResults.get(msg.window);
    const agrees = ours ? sameResult(ours, msg) : undefined;
    const stored = await db.coSignatures.get({ window: msg.window, signer: msg.signer });
    if (stored && ours && sameResult(stored, ours) && !agrees) return;
    await db.coSignatures.put({ window: msg.window, signer: msg.signer }, { ...msg });
    if (agrees !== undefined) metrics?.coSignaturesReceived.inc({ agrees: String(agrees) });
    if (agrees && ours && (stored === undefined || !sameResult(stored, ours))) await this.countAgreeing(ours);
    if (agrees === false) {
      logger.verbose('co-signature over a different result', { window: msg.window, signer: msg.signer });
      await events.emit('coSignatureDisagrees', { window: msg.window, signer: msg.signer });
    }
  }

  /**
   * Once every participant's signature over our result is held, says so (`coSignaturesComplete`: the
   * submitter need not wait for its next tick to send the fast-path update) and logs the moment.
   */
  private async countAgreeing(ours: StoredWindowResult): Promise<void> {
    const { db, community, clock, events, logger } = this.modules;
    const held = (await db.coSignatures.listWindow(ours.window)).filter((s) => sameResult(s, ours)).length;
    if (held !== community.participants.length) return;
    logger.info('every co-signature held', { window: ours.window, afterEndMs: clock.msAfterWindowEnd(ours.window) });
    await events.emit('coSignaturesComplete', { window: ours.window });
  }

  /** The gossip bytes of a stored co-signature: the ECDSA message, or the BLS share message. */
  encode(msg: CoSignatureMessage): Uint8Array {
    if (!this.modules.bls) return encodeCoSignature(msg);
    return encodeBlsShare({
      window: msg.window,
      signer: msg.signer,
      windowRoot: msg.windowRoot,
      stateHash: msg.stateHash,
      balancesRoot: msg.balancesRoot,
      share: decodeG1(fromHex(msg.signature)),
    });
  }

  /** Peers that were down when we signed need our signature too: send it again now and then. */
  async republish(now = Date.now()): Promise<number> {
    const { db, community, participantIndex } = this.modules;
    const period = Math.max(2000, community.intervalSeconds * 1000);
    if (now - this.lastRepublish < period) return 0;
    this.lastRepublish = now;
    for (const w of this.publishedAt.keys()) if (w <= this.modules.lastFinalWindow()) this.publishedAt.delete(w);
    let sent = 0;
    for (let w = this.modules.lastFinalWindow() + 1; w < this.modules.nextWindowToCommit(); w++) {
      // Published less than a period ago: every connected peer just got it (a re-send now is a duplicate
      // each of them checks and drops, at the moment the window is on its way to final).
      const at = this.publishedAt.get(w);
      if (at !== undefined && now >= at && now - at < period) continue;
      const own = await db.coSignatures.get({ window: w, signer: participantIndex });
      if (!own) continue;
      await this.modules
        .publish(this.encode(own))
        .then(() => this.publishedAt.set(w, now))
        .catch(() => {});
      sent++;
    }
    return sent;
  }
}
