import type { JsonRpcProvider } from 'ethers';
import type { ChainOptions } from '../chain/options.js';
import { TX_TIMEOUT_MS, WindowStatus, type HubClient, type WindowRecord } from '../chain/hubClient.js';
import type { CommunityClock } from '../community/clock.js';
import type { CommunityInfo } from '../community/types.js';
import type { NodeDb, StoredCoSignature } from '../db/index.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Logger } from '../util/logger.js';
import { popcount } from '../util/bits.js';

export interface SettlementModules {
  community: CommunityInfo;
  clock: CommunityClock;
  db: NodeDb;
  hub: HubClient;
  provider: JsonRpcProvider;
  participantIndex: number;
  graceSeconds: number;
  /** Called when a pending claim differs from our fold: dispute it; true once the hub rejected it. */
  onDisagreement?: (window: number, record: WindowRecord) => Promise<boolean>;
  metrics: Metrics | null;
  logger: Logger;
}

/**
 * Gets committed windows settled on the hub and watches what others post.
 *
 * - One submitter per window, by rotation: participant `w mod N` first, the next one
 *   `takeoverSeconds` later if the window is still not on chain, and so on.
 * - Fast path when every participant's signature over our result is at hand; after
 *   `signatureDeadlineSeconds` the submitter sends what it has (the pending path).
 * - A pending window is finalized by the same rotation once its challenge period is over.
 * - Every result seen on chain is compared with our own fold (the audit disputes act on).
 * - A submission is recorded before its transaction leaves; on restart the record, the
 *   transaction and the hub are checked before anything is sent again.
 */
export class Settlement {
  lastFinalWindow = -1;
  private readonly records = new Map<number, WindowRecord>();
  private readonly audited = new Set<string>();
  /** Pending claims we disagree with and could not yet dispute: key -> last try (ms). */
  private readonly disputeRetry = new Map<string, number>();

  constructor(
    private readonly opts: ChainOptions & { submitAlone?: boolean },
    private readonly modules: SettlementModules,
  ) {}

  /** True once the window's result is on chain (pending or final). */
  isWindowSettled(window: number): boolean {
    if (window <= this.lastFinalWindow) return true;
    const r = this.records.get(window);
    return r !== undefined && r.status !== WindowStatus.None;
  }

  /** The window root on chain (pending or final) as last read, if any. */
  chainRoot(window: number): string | undefined {
    const r = this.records.get(window);
    return r && r.status !== WindowStatus.None ? r.windowRoot : undefined;
  }

  windowState(window: number): { status: string; signers: number } | undefined {
    const r = this.records.get(window);
    if (window <= this.lastFinalWindow) return { status: 'final', signers: r ? popcount(r.signers) : 0 };
    if (!r) return undefined;
    return { status: WindowStatus[r.status].toLowerCase(), signers: popcount(r.signers) };
  }

  async balances(): Promise<{ participant: string; escrow: string; bond: string; debt: string }[]> {
    const { community, hub } = this.modules;
    return Promise.all(
      community.participants.map(async (participant, i) => {
        const a = await hub.account(i);
        return { participant, escrow: a.escrow.toString(), bond: a.bond.toString(), debt: a.debt.toString() };
      }),
    );
  }

  async tick(): Promise<void> {
    const { hub, community, metrics, clock, logger } = this.modules;
    const lastFinal = await hub.lastFinalizedWindow();
    for (let w = this.lastFinalWindow + 1; w <= lastFinal; w++) {
      const rec = await hub.windowRecord(w);
      this.records.set(w, rec);
      await this.audit(w, rec);
      const sinceEnd = clock.nowSeconds() - clock.windowEnd(w);
      metrics?.windowFinalitySeconds.observe(sinceEnd);
      logger.info('window final on chain', { window: w, signers: popcount(rec.signers), secondsAfterWindowEnd: sinceEnd.toFixed(1) });
    }
    if (lastFinal > this.lastFinalWindow) {
      this.lastFinalWindow = lastFinal;
      metrics?.lastFinalWindow.set(lastFinal);
    }
    const w = lastFinal + 1;
    if (w >= community.windowCount) return;
    const rec = await hub.windowRecord(w);
    this.records.set(w, rec);
    if (rec.status === WindowStatus.Pending) {
      await this.audit(w, rec);
      await this.maybeFinalize(w, rec);
    } else if (rec.status === WindowStatus.None) {
      await this.maybeSubmit(w);
    }
  }

  /** Rank of this node in the submitter rotation of `window` (0 = first to act). */
  private rank(window: number): number {
    const n = this.modules.community.participants.length;
    return (((this.modules.participantIndex - window) % n) + n) % n;
  }

  private async maybeSubmit(window: number): Promise<void> {
    const { db, clock, community, participantIndex, logger } = this.modules;
    const own = await db.windowResults.get(window);
    if (!own) return;
    const now = clock.nowSeconds();
    const base = clock.windowEnd(window) + this.modules.graceSeconds;
    const alone = this.opts.submitAlone === true; // byzantine test mode: post at once, own signature only
    const signatures = (await db.coSignatures.listWindow(window))
      .filter((s) => s.windowRoot === own.windowRoot && s.stateHash === own.stateHash)
      .sort((a, b) => a.signer - b.signer);
    const everyone = signatures.length === community.participants.length;
    // Fast path from the window's end, pending path from the signature deadline; each later rank
    // of the rotation takes over `takeoverSeconds` after the one before it.
    const due = base + (everyone ? 0 : this.opts.signatureDeadlineSeconds) + this.rank(window) * this.opts.takeoverSeconds;
    if (!alone && now < due) return;
    if (!signatures.some((s) => s.signer === participantIndex)) return;
    if (await this.inFlight(window, 'update')) return;
    logger.info(everyone ? 'submitting window (all signatures)' : 'submitting window (pending path)', {
      window,
      signatures: signatures.length,
      of: community.participants.length,
    });
    await this.send(window, 'update', signatures.length, () =>
      this.modules.hub.sendUpdate(window, own.windowRoot, own.finalState, signatures.map((s: StoredCoSignature) => s.signature)),
    );
  }

  private async maybeFinalize(window: number, rec: WindowRecord): Promise<void> {
    const { provider, community } = this.modules;
    // The next block's time: on a chain that mines on demand (anvil) the latest block can be old.
    const block = await provider.getBlock('latest');
    const chainNow = Math.max(block?.timestamp ?? 0, Math.floor(Date.now() / 1000));
    const endsAt = rec.submittedAt + community.challengePeriod;
    if (chainNow < endsAt) return;
    // Rotation by chain time: the first in line finalizes at once, the others only if it does not.
    if (chainNow < endsAt + this.rank(window) * this.opts.takeoverSeconds) return;
    if (await this.inFlight(window, 'finalize')) return;
    this.modules.logger.info('finalizing pending window', { window });
    await this.send(window, 'finalize', 0, () => this.modules.hub.sendFinalize());
  }

  /** True while an earlier transaction for this window may still land. */
  private async inFlight(window: number, kind: 'update' | 'finalize'): Promise<boolean> {
    const { db, provider } = this.modules;
    const sub = await db.submissions.get(window);
    if (!sub || sub.kind !== kind || sub.status === 'failed') return false;
    if (!sub.txHash) return false; // crashed before sending: the hub still says None, so send
    const receipt = await provider.getTransactionReceipt(sub.txHash);
    if (receipt) return receipt.status === 1;
    return (await provider.getTransaction(sub.txHash)) !== null;
  }

  private async send(
    window: number,
    kind: 'update' | 'finalize',
    signers: number,
    sendTx: () => Promise<{ hash: string; wait(confirms?: number, timeoutMs?: number): Promise<{ status: number | null; gasUsed: bigint } | null> }>,
  ): Promise<void> {
    const { db, metrics, logger } = this.modules;
    await db.submissions.put(window, { window, kind, signers, status: 'sending', at: Date.now() });
    try {
      const tx = await sendTx();
      await db.submissions.put(window, { window, kind, signers, status: 'sent', txHash: tx.hash, at: Date.now() });
      const receipt = await tx.wait(1, TX_TIMEOUT_MS);
      const ok = receipt?.status === 1;
      await db.submissions.put(window, { window, kind, signers, status: ok ? 'mined' : 'failed', txHash: tx.hash, at: Date.now() });
      metrics?.submissions.inc({ kind, result: ok ? 'mined' : 'reverted' });
      logger.info(`${kind} mined`, { window, tx: tx.hash, gasUsed: receipt?.gasUsed });
    } catch (e) {
      await db.submissions.put(window, { window, kind, signers, status: 'failed', at: Date.now() });
      metrics?.submissions.inc({ kind, result: 'error' });
      // Another node's transaction got there first, a nonce was stale, or the RPC failed: the next
      // tick looks at the hub again and decides afresh.
      logger.warn(`${kind} failed`, { window, reason: shortReason(e) });
      const runner = this.modules.hub.contract.runner as { reset?: () => void } | null;
      runner?.reset?.();
    }
  }

  /** Compares a result posted on chain with our own fold. */
  private async audit(window: number, rec: WindowRecord): Promise<void> {
    const key = `${window}:${rec.windowRoot}:${rec.stateHash}`;
    if (this.audited.has(key)) return;
    const own = await this.modules.db.windowResults.get(window);
    if (!own) return;
    this.audited.add(key);
    if (own.windowRoot !== rec.windowRoot || own.stateHash !== rec.stateHash) {
      this.modules.metrics?.auditDisagreements.inc();
      this.modules.logger.warn('result on chain differs from our fold', { window, onChainRoot: rec.windowRoot, ownRoot: own.windowRoot });
      if (rec.status === WindowStatus.Pending) await this.tryDispute(key, window, rec);
    }
  }

  private async tryDispute(key: string, window: number, rec: WindowRecord): Promise<void> {
    const onDisagreement = this.modules.onDisagreement;
    if (!onDisagreement) return;
    const last = this.disputeRetry.get(key) ?? 0;
    if (Date.now() - last < 2000) {
      this.audited.delete(key);
      return;
    }
    this.disputeRetry.set(key, Date.now());
    const rejected = await onDisagreement(window, rec);
    // Not rejected (no data yet, or another node's proof is in flight): look again next tick.
    if (!rejected) this.audited.delete(key);
  }
}


function shortReason(e: unknown): string {
  const err = e as { shortMessage?: string; reason?: string; message?: string };
  return err.reason ?? err.shortMessage ?? err.message ?? String(e);
}
