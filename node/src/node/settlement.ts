import { isError, parseUnits, type JsonRpcProvider, type Overrides, Wallet } from 'ethers';
import { compactSignature, encodeEcdsaCoSignature } from '../chain/ecdsaCoSignature.js';
import type { ChainOptions } from '../chain/options.js';
import { WindowStatus, type HubClient, type WindowRecord } from '../chain/hubClient.js';
import type { CommunityClock } from '../community/clock.js';
import type { CommunityInfo } from '../community/types.js';
import type { NodeDb, StoredBalances, StoredCoSignature, StoredSubmission } from '../db/index.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Logger } from '../util/logger.js';
import { popcount } from '../util/bits.js';
import { BlsShareAggregator } from '../cosign/aggregator.js';
import { decodeG1, decodeG2 } from '../crypto/bls.js';
import { fromHex, toHex } from '../util/hex.js';
import { sameResult } from '../network/messages.js';
import type { BalanceBook } from './balanceBook.js';
import { type ClaimStake, wholeBondSigners } from './claimStake.js';
import { type Balance, balanceProof, balancesRoot } from '../window/balances.js';

export interface SettlementModules {
  community: CommunityInfo;
  clock: CommunityClock;
  db: NodeDb;
  hub: HubClient;
  provider: JsonRpcProvider;
  participantIndex: number;
  /** The participant's address (its transactions' nonces are read for it). */
  address: string;
  graceSeconds: number;
  /**
   * The clock skew S tolerated (`NodeOptions.maxClockSkewSeconds`): the pending path waits 2·S more
   * (a meter S behind signs late, this node's clock may be S ahead); the fast path does not (every
   * participant, each meter's owner included, signed the result).
   */
  clockSkewSeconds?: number;
  /** Whether a data-availability game holds the pending claim of `window` open (no finalize is tried then). */
  gameOpen?: (window: number, record: WindowRecord) => Promise<boolean>;
  /**
   * Asked before this node claims the window on the pending path (without every signature),
   * until it says go once per (window, result): fetch the window from the peers; true to put the
   * claim off a round (they held readings we lacked: the result is folded again and signed anew;
   * or no peer answered yet).
   */
  beforePendingClaim?: (window: number) => Promise<boolean>;
  /**
   * Whole bonds and the claim deposit of a partial claim (review R6, R9): without it the pending path
   * sends every held co-signature and pays nothing (a hub before those rules).
   */
  stake?: ClaimStake;
  /** Called for each window seen final on chain (in order), before the next one is looked at. */
  onFinal?: (window: number, record: WindowRecord) => Promise<void>;
  /** The node's balances per window (what `balances()` reports). */
  balanceBook?: BalanceBook;
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
 * - A sent transaction is tracked until one of its versions is mined or its nonce is spent;
 *   one not mined in `replaceAfterSeconds` is replaced with the same nonce and fees +12.5 %,
 *   never past the configured caps. Failures and reverts back off exponentially; a new attempt
 *   is sent only if its gas estimate (a simulation against the current state) passes.
 */
export class Settlement {
  lastFinalWindow = -1;
  private readonly records = new Map<number, WindowRecord>();
  private readonly audited = new Set<string>();
  /** Pending claims we disagree with and could not yet dispute: key -> last try (ms). */
  private readonly disputeRetry = new Map<string, number>();
  /** Disputes running now (they run beside the settlement loop, never inside it). */
  private readonly disputing = new Set<string>();
  private readonly submittableSince = new Map<number, number>();
  /** First time (seconds) this node held every participant's signature over its result of a window. */
  private readonly fullySignedSince = new Map<number, number>();
  private readonly finalizableSince = new Map<number, number>();
  /** When this node first saw every window final (the close's rotation counts from it), by end key. */
  private readonly closableSince = new Map<number, number>();
  /** The hub's last reason to refuse `close` logged (once per reason). */
  private closeRefused: string | undefined;
  /** Debtors of the final balances known paid out (`unpaidDebtor`), and the one last waited for. */
  private readonly settledDebtors = new Set<number>();
  private waitingForDebtor: number | undefined;
  /** Debtors this node claimed for without success (`claimForDebtor`): they no longer hold our share back. */
  private readonly givenUpDebtors = new Set<number>();
  /** When the community closed (chain time, seconds), once read. */
  private closedAtSeconds: number | undefined;
  private rootMismatchLogged = false;
  /** The final balances root whose leaves, as the node holds them, were hashed and found to match. */
  private verifiedRoot: string | undefined;
  private readonly atCapLogged = new Set<string>();
  /** A hub call of ours reverted `SlashPending`: the next tick finishes the pending slash first. */
  private slashToFinish = false;
  /** (window, root) pairs checked with the peers before a pending claim (`beforePendingClaim`). */
  private readonly pendingChecked = new Set<string>();

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

  /** Window `window`'s record when it is final on chain (as read by `sync`), else undefined. */
  finalRecord(window: number): WindowRecord | undefined {
    return window <= this.lastFinalWindow ? this.records.get(window) : undefined;
  }

  /**
   * Window `window`'s final record as `finalRecord` has it, else as the hub has it now: a window final
   * since this node's last `sync` (its loop busy, or the community closed by a `close` that finalized a
   * due window) is final for whoever asks (`GET /balances/<n>` right after close). Undefined while it is not.
   */
  async finalRecordNow(window: number): Promise<WindowRecord | undefined> {
    const synced = this.finalRecord(window);
    if (synced || window < 0) return synced;
    const { hub } = this.modules;
    if (window > (await hub.lastFinalizedWindow())) return undefined;
    return hub.windowRecord(window);
  }

  /**
   * Everyone's position under the balances root of the last final window (the genesis before the first),
   * as this node holds it, with each member's bond on chain: what members will be paid from at close.
   */
  async balances(): Promise<
    { participant: string; escrow: string; debt: string; claim: string; bond: string; window: number }[]
  > {
    const { hub, balanceBook } = this.modules;
    if (!balanceBook) return [];
    const held = await balanceBook.before(this.lastFinalWindow + 1, true);
    if (!held) return [];
    return Promise.all(
      held.leaves.map(async (b, i) => ({
        participant: b.participant,
        escrow: b.escrow.toString(),
        debt: b.debt.toString(),
        claim: b.claim.toString(),
        bond: (await hub.member(i)).bond.toString(),
        window: held.window,
      })),
    );
  }

  async tick(): Promise<void> {
    if (this.slashToFinish) await this.finishSlash();
    const w = await this.sync();
    if (w >= this.modules.community.windowCount) {
      if (this.opts.closeAndClaim) await this.atEnd();
      return;
    }
    const rec = this.records.get(w);
    if (!rec) return;
    if (rec.status === WindowStatus.Pending) {
      await this.audit(w, rec);
      await this.maybeFinalize(w, rec);
    } else if (rec.status === WindowStatus.None) {
      await this.maybeSubmit(w);
    }
  }

  /**
   * Reads the hub (the windows final since the last look, and the next one's record) without
   * sending anything; returns the next window. Run once at start-up before any reading is taken
   * in: a restarted node must know which windows are already on chain (their late readings are
   * sealed out, as at every other node) before its meter catches up.
   */
  async sync(): Promise<number> {
    const { hub, community, metrics, clock, logger } = this.modules;
    const lastFinal = await hub.lastFinalizedWindow();
    for (let w = this.lastFinalWindow + 1; w <= lastFinal; w++) {
      const rec = await hub.windowRecord(w);
      this.records.set(w, rec);
      // Final from here on: the balances of the windows after it react from this record.
      if (w > this.lastFinalWindow) this.lastFinalWindow = w;
      await this.modules
        .onFinal?.(w, rec)
        .catch((e) => logger.warn('final window not taken in by the node', { window: w }, e));
      await this.audit(w, rec);
      const sinceEnd = clock.nowSeconds() - clock.windowEnd(w);
      metrics?.windowFinalitySeconds.observe(sinceEnd);
      logger.info('window final on chain', {
        window: w,
        signers: popcount(rec.signers),
        secondsAfterWindowEnd: sinceEnd.toFixed(1),
        afterEndMs: clock.msAfterWindowEnd(w),
      });
    }
    metrics?.lastFinalWindow.set(this.lastFinalWindow);
    const w = lastFinal + 1;
    if (w < community.windowCount) this.records.set(w, await hub.windowRecord(w));
    return w;
  }

  /** Rank of this node in the submitter rotation of `window` (0 = first to act). */
  private rank(window: number): number {
    const n = this.modules.community.participants.length;
    return (((this.modules.participantIndex - window) % n) + n) % n;
  }

  /** First time (seconds, the clock's or the chain's) a window was seen ready for `key`'s step. */
  private since(map: Map<number, number>, window: number, now: number): number {
    const seen = map.get(window);
    if (seen !== undefined) return seen;
    map.set(window, now);
    for (const w of map.keys()) if (w < window - 16) map.delete(w);
    return now;
  }

  /**
   * Due time of this node's turn. The rotation counts from when the window became submittable
   * HERE (its result committed, the window next on chain), not from the window's end: after a
   * backlog (chain down, node catching up), the ranks still act one after the other.
   */
  private async maybeSubmit(window: number): Promise<void> {
    const { db, clock, community, participantIndex, logger } = this.modules;
    const own = await db.windowResults.get(window);
    if (!own) return;
    const now = clock.nowSeconds();
    const alone = this.opts.submitAlone === true; // byzantine test mode: post at once, own signature only
    const signatures = (await db.coSignatures.listWindow(window))
      .filter((s) => sameResult(s, own))
      .sort((a, b) => a.signer - b.signer);
    const everyone = signatures.length === community.participants.length;
    // The grace period (readings in flight at the window's end) matters to a claim made from this
    // node's fold alone; a result every participant signed waits for nothing (each meter's owner
    // signed it), so the fast path counts from the window's end.
    // The fast path became submittable when the last signature arrived: a later rank takes over
    // `takeoverSeconds` after it held them all, not after its fold (10-node fault run: every signature
    // of window 0 arrived ~3 s after its end, 1 s after rank 1's turn counted from its fold, and ranks
    // 0 and 1 both sent; one reverted `WindowAlreadyFinal`).
    const since = this.since(this.submittableSince, window, now);
    const base = Math.max(
      clock.windowEnd(window) + (everyone ? 0 : this.modules.graceSeconds),
      everyone ? Math.max(since, this.since(this.fullySignedSince, window, now)) : since,
    );
    // Fast path at once, pending path from the signature deadline; each later rank of the
    // rotation takes over `takeoverSeconds` after the one before it.
    const pendingWait = this.opts.signatureDeadlineSeconds + 2 * (this.modules.clockSkewSeconds ?? 0);
    const due = base + (everyone ? 0 : pendingWait) + this.rank(window) * this.opts.takeoverSeconds;
    if (!alone && now < due) return;
    if (!signatures.some((s) => s.signer === participantIndex)) return;
    const step = await this.track(window, 'update');
    if (step.kind === 'wait') return;
    if (step.kind === 'send' && !everyone && !alone && (await this.peersHeldMore(window, own.windowRoot, now))) return;
    // A replacement (same nonce) sends no approval or top-up ahead of it: those were done for the original.
    const counted = everyone ? signatures : await this.stakePartial(window, signatures, step.kind === 'send');
    if (counted === undefined) return;
    if (step.kind === 'send') {
      logger.info(everyone ? 'submitting window (all signatures)' : 'submitting window (pending path)', {
        window,
        signatures: counted.length,
        of: community.participants.length,
        afterEndMs: clock.msAfterWindowEnd(window),
      });
    }
    const coSignature =
      community.coSignature?.scheme === 'bls'
        ? this.aggregate(community.coSignature.publicKeys, window, own, counted)
        : this.ecdsaBlob(window, counted);
    if (coSignature === undefined) return;
    // The fee data is read beside the last look at the window (two round trips at once, not one after
    // the other: the way from every co-signature held to the update sent).
    const fees = step.kind === 'send' ? this.fees() : undefined;
    if (step.kind === 'send' && (await Promise.all([this.claimedMeanwhile(window), fees]))[0]) return;
    await this.send(
      window,
      'update',
      counted.length,
      step.kind === 'replace' ? step.sub : undefined,
      (o) =>
        this.modules.hub.sendUpdate(
          window,
          own,
          coSignature,
          counted.length === community.participants.length ? null : own.finalState,
          o,
        ),
      fees,
    );
  }

  /**
   * True when the window's status is no longer `expected` (None before an update, Pending before a
   * finalize): it went on chain since this round's `sync` (another rank's update mined while
   * this node asked the peers, checked bonds or aggregated): the hub would revert ours
   * (`WindowAlreadyFinal`, or `WindowNotNext` on a pending one). Read last, right before the send,
   * so that what the node can see on chain never gets an update; the rest of the race (another
   * rank's transaction mined between our gas estimate and our broadcast) only the chain can settle.
   */
  private async claimedMeanwhile(window: number, expected = WindowStatus.None): Promise<boolean> {
    const rec = await this.modules.hub.windowRecord(window, { latest: true });
    if (rec.status === expected) return false;
    this.records.set(window, rec);
    this.modules.logger.info('window moved on chain meanwhile (another rank): nothing sent', {
      window,
      status: WindowStatus[rec.status],
    });
    return true;
  }

  /**
   * A pending claim is made with what this node holds: first ask the peers once more (a peer
   * that was away when we folded, or whose gossip we missed, may hold readings we lack, and a
   * claim without them is overturned, or loses them for good when only their meter's owner, who
   * did not sign, holds them). When they held more, the window is folded again and the rotation
   * counts anew from now, so the new result can gather its signatures.
   */
  private async peersHeldMore(window: number, root: string, now: number): Promise<boolean> {
    const ask = this.modules.beforePendingClaim;
    const key = `${window}:${root}`;
    if (!ask || this.pendingChecked.has(key)) return false;
    if (!(await ask(window))) {
      this.pendingChecked.add(key);
      for (const k of this.pendingChecked)
        if (Number(k.slice(0, k.indexOf(':'))) < window - 16) this.pendingChecked.delete(k);
      return false;
    }
    this.submittableSince.set(window, now);
    this.modules.logger.info('pending claim put off: the peers held more, or none answered', { window });
    return true;
  }

  /**
   * Pending path (review R6, R9): leaves out the co-signatures of signers whose bond is not whole on
   * chain (the hub would revert `BondNotWhole`, and the claim must still get in), tops this node's own
   * bond up when it is short (its signature must count: it is the one who posts), and lets the hub
   * pull the claim deposit (`transact` false: the filter only, no transaction). Undefined when not ready
   * yet (retried at the next tick).
   */
  private async stakePartial(
    window: number,
    signatures: StoredCoSignature[],
    transact: boolean,
  ): Promise<StoredCoSignature[] | undefined> {
    const { stake, participantIndex, logger, metrics } = this.modules;
    if (!stake) return signatures;
    try {
      const terms = await stake.terms();
      const bonds = await stake.bonds(signatures.map((s) => s.signer));
      const { kept, leftOut } = wholeBondSigners(signatures, bonds, terms.bond);
      const own = leftOut.includes(participantIndex);
      if (leftOut.length > 0) {
        logger.warn('co-signatures of signers short of bond left out (the hub counts whole bonds only)', {
          window,
          signers: leftOut.join(','),
        });
        metrics?.coSignaturesLeftOut.inc(leftOut.length);
      }
      if (!transact) return own ? undefined : kept;
      if (own) {
        const missing = terms.bond - bonds[signatures.findIndex((s) => s.signer === participantIndex)];
        logger.info('topping own bond up before posting a partial claim', { window, missing });
        await stake.topUp(missing);
        return undefined;
      }
      if (terms.deposit > 0n) await stake.allow(terms.deposit);
      return kept;
    } catch (e) {
      (this.modules.hub.contract.runner as { reset?: () => void } | null)?.reset?.();
      logger.warn('cannot stake the partial claim yet', { window, reason: (e as Error).message });
      return undefined;
    }
  }

  /**
   * ECDSA community: the held signatures as the signer set's blob (bitmap, 64-byte EIP-2098 signatures).
   * A stored signature the module would reject (a high s, bytes that are no signature) is left out and
   * logged, so it cannot make the whole update revert; undefined when none is left.
   */
  private ecdsaBlob(window: number, signatures: StoredCoSignature[]): string | undefined {
    const usable = signatures.filter((s) => {
      try {
        compactSignature(s.signature, s.signer);
        return true;
      } catch {
        this.modules.logger.warn('co-signature the hub would reject left out', { window, signer: s.signer });
        return false;
      }
    });
    return usable.length > 0
      ? encodeEcdsaCoSignature(
          usable.map((s) => ({ signer: s.signer, signature: s.signature })),
          this.modules.community.participants.length,
        )
      : undefined;
  }

  /**
   * BLS community: the held shares over our result become (bitmap, one aggregate, the keys the module
   * needs to name). Shares were verified at gossip time, so this is one pairing; a bad share would be
   * dropped by bisection and the rest still submitted. Empty when no share survives.
   */
  private aggregate(
    publicKeys: Uint8Array[],
    window: number,
    own: { windowRoot: string; stateHash: string; balancesRoot: string },
    signatures: StoredCoSignature[],
  ): string | undefined {
    const { community, logger } = this.modules;
    const aggregator = new BlsShareAggregator(
      { chainId: community.chainId, hub: community.hub, communityId: community.communityId },
      publicKeys.map((k) => decodeG2(k)),
    );
    const result = { window, windowRoot: own.windowRoot, stateHash: own.stateHash, balancesRoot: own.balancesRoot };
    for (const s of signatures) aggregator.add(result, s.signer, decodeG1(fromHex(s.signature)));
    const built = aggregator.build(result);
    if (built && built.rejected.length > 0)
      logger.warn('BLS shares dropped from the aggregate', { window, signers: built.rejected.join(',') });
    return built && built.signers.length > 0 ? toHex(built.signatures) : undefined;
  }

  private async maybeFinalize(window: number, rec: WindowRecord): Promise<void> {
    const { provider, community } = this.modules;
    // The next block's time: on a chain that mines on demand (anvil) the latest block can be old.
    const block = await provider.getBlock('latest');
    const chainNow = Math.max(block?.timestamp ?? 0, Math.floor(this.modules.clock.nowSeconds()));
    const endsAt = rec.submittedAt + community.challengePeriod;
    if (chainNow < endsAt) return;
    // The hub refuses (GameInProgress) while a game is open: wait for it instead of backing off.
    if (await this.modules.gameOpen?.(window, rec)) return;
    // Rotation by chain time, from when the claim became final-able here: the first in line
    // finalizes at once, the others only if it does not.
    const base = Math.max(endsAt, this.since(this.finalizableSince, window, chainNow));
    if (chainNow < base + this.rank(window) * this.opts.takeoverSeconds) return;
    const step = await this.track(window, 'finalize');
    if (step.kind === 'wait') return;
    // Another rank's finalize (or a dispute) may have been mined since this round's `sync`: the hub
    // would revert ours (`NoPendingWindow`).
    if (step.kind === 'send' && (await this.claimedMeanwhile(window, WindowStatus.Pending))) return;
    if (step.kind === 'send') this.modules.logger.info('finalizing pending window', { window });
    await this.send(window, 'finalize', 0, step.kind === 'replace' ? step.sub : undefined, (o) =>
      this.modules.hub.sendFinalize(o),
    );
  }

  /**
   * What to do about a window's earlier attempt of `kind`:
   * - sent and one of its transactions mined: record it (a revert starts the backoff) and wait;
   * - sent, its nonce taken by another transaction: failed, back off;
   * - sent and not mined after `replaceAfterSeconds`: replace it (same nonce, higher fees);
   * - sent otherwise: wait, however long it takes (never resent under a new nonce);
   * - failed or reverted: wait out the backoff, then a new attempt (whose gas estimate must
   *   pass first: a call that would revert again is not sent);
   * - none, or a crash before the transaction left ('sending'): send.
   */
  private async track(
    window: number,
    kind: StoredSubmission['kind'],
  ): Promise<{ kind: 'send' | 'wait' } | { kind: 'replace'; sub: StoredSubmission }> {
    const { db, provider, metrics, logger } = this.modules;
    const sub = await db.submissions.get(window);
    if (!sub || sub.kind !== kind || sub.status === 'sending') return { kind: 'send' };
    const now = this.nowMs();
    if (sub.status === 'failed' || sub.status === 'reverted')
      return now < (sub.notBefore ?? 0) ? { kind: 'wait' } : { kind: 'send' };
    if (sub.status === 'mined') return { kind: 'wait' };
    for (const hash of sub.hashes ?? (sub.txHash ? [sub.txHash] : [])) {
      const receipt = await provider.getTransactionReceipt(hash);
      if (!receipt) continue;
      const ok = receipt.status === 1;
      const failures = (sub.failures ?? 0) + (ok ? 0 : 1);
      await db.submissions.put(window, {
        ...sub,
        txHash: hash,
        status: ok ? 'mined' : 'reverted',
        failures,
        notBefore: ok ? undefined : now + this.backoffMs(failures),
      });
      metrics?.submissions.inc({ kind, result: ok ? 'mined' : 'reverted' });
      if (ok)
        logger.info(`${kind} mined`, {
          window,
          tx: hash,
          gasUsed: receipt.gasUsed,
          block: receipt.blockNumber,
          afterEndMs: this.modules.clock.msAfterWindowEnd(window),
        });
      else logger.warn(`${kind} reverted; backing off`, { window, tx: hash, failures });
      return { kind: 'wait' };
    }
    if (sub.nonce !== undefined && (await provider.getTransactionCount(this.modules.address, 'latest')) > sub.nonce) {
      // None of ours mined, yet the nonce is spent: another transaction of this account took it.
      const failures = (sub.failures ?? 0) + 1;
      await db.submissions.put(window, {
        ...sub,
        status: 'failed',
        failures,
        notBefore: now + this.backoffMs(failures),
      });
      metrics?.submissions.inc({ kind, result: 'dropped' });
      return { kind: 'wait' };
    }
    if (now - sub.at >= this.opts.replaceAfterSeconds * 1000) return { kind: 'replace', sub };
    return { kind: 'wait' };
  }

  /** The community clock's time (ms): injectable in tests, like everything time-based here. */
  private nowMs(): number {
    return this.modules.clock.nowSeconds() * 1000;
  }

  /** Exponential backoff: `backoffSeconds` x 2^(failures-1), at most `backoffMaxSeconds`. */
  private backoffMs(failures: number): number {
    return Math.min(this.opts.backoffMaxSeconds, this.opts.backoffSeconds * 2 ** Math.max(0, failures - 1)) * 1000;
  }

  /** Fees of a new transaction: the chain's suggestion, within the configured caps. */
  private async fees(): Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> {
    const cap = parseUnits(String(this.opts.maxFeePerGasGwei), 'gwei');
    const tipCap = parseUnits(String(this.opts.maxPriorityFeePerGasGwei), 'gwei');
    const fee = await this.modules.provider.getFeeData();
    const maxPriorityFeePerGas = min(fee.maxPriorityFeePerGas ?? tipCap, tipCap);
    const maxFeePerGas = min(fee.maxFeePerGas ?? fee.gasPrice ?? cap, cap);
    return {
      maxFeePerGas: maxFeePerGas < maxPriorityFeePerGas ? maxPriorityFeePerGas : maxFeePerGas,
      maxPriorityFeePerGas,
    };
  }

  /**
   * Start-up warm-up, off the record: reads the fee data, encodes an update's calldata and signs a
   * transaction carrying it with a throwaway key (the node's key signs nothing here; the transaction
   * is dropped), so that the first submission does not run the ABI coder, the RPC connection and the
   * transaction encoding and signing cold (a cold signature took 2-4 times a warm one, measured with
   * 10 node processes starting at once). Sends nothing.
   */
  async warmUp(): Promise<void> {
    const fees = await this.fees();
    const zero = `0x${'00'.repeat(32)}`;
    const data = this.modules.hub.contract.interface.encodeFunctionData('update', [
      this.modules.community.communityId,
      0,
      zero,
      zero,
      zero,
      '0x',
      '0x',
    ]);
    await Wallet.createRandom().signTransaction({
      type: 2,
      chainId: this.modules.community.chainId,
      to: this.modules.community.hub,
      data,
      nonce: 0,
      gasLimit: 1_000_000n,
      ...fees,
    });
  }

  /** Fees of a replacement: +12.5 % each (what nodes require), within the caps; none if at the cap. */
  private bumped(sub: StoredSubmission): { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | undefined {
    const cap = parseUnits(String(this.opts.maxFeePerGasGwei), 'gwei');
    const tipCap = parseUnits(String(this.opts.maxPriorityFeePerGasGwei), 'gwei');
    const bump = (v: bigint) => v + v / 8n + 1n;
    const oldMax = BigInt(sub.maxFeePerGas ?? '0');
    const oldTip = BigInt(sub.maxPriorityFeePerGas ?? '0');
    const maxFeePerGas = bump(oldMax);
    const maxPriorityFeePerGas = bump(oldTip);
    if (maxFeePerGas > cap || maxPriorityFeePerGas > tipCap) return undefined;
    return { maxFeePerGas, maxPriorityFeePerGas };
  }

  /**
   * Sends (or replaces) a submission's transaction and returns once it has left: the receipt is
   * looked at by later ticks (`track`), so a slow chain never holds this loop.
   */
  private async send(
    window: number,
    kind: StoredSubmission['kind'],
    signers: number,
    replaceOf: StoredSubmission | undefined,
    sendTx: (overrides: Overrides) => Promise<{ hash: string; nonce: number }>,
    /** The fee data, when the caller read it already (`fees()`). */
    feeData?: Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }>,
  ): Promise<void> {
    const { db, metrics, logger } = this.modules;
    const prev = replaceOf ?? (await db.submissions.get(window));
    const failuresSoFar = prev && prev.kind === kind ? (prev.failures ?? 0) : 0;
    const refusalsSoFar = prev && prev.kind === kind ? (prev.refusals ?? 0) : 0;
    const fees = replaceOf ? this.bumped(replaceOf) : await (feeData ?? this.fees());
    if (!fees) {
      if (replaceOf && !this.atCapLogged.has(`${window}:${kind}`)) {
        this.atCapLogged.add(`${window}:${kind}`);
        logger.warn(`${kind} not mined and its fees are at the configured cap: waiting`, {
          window,
          tx: replaceOf.txHash,
          maxFeePerGasGwei: this.opts.maxFeePerGasGwei,
        });
      }
      return;
    }
    if (!replaceOf)
      await db.submissions.put(window, {
        window,
        kind,
        signers,
        status: 'sending',
        at: this.nowMs(),
        failures: failuresSoFar,
        refusals: refusalsSoFar,
      });
    try {
      const overrides: Overrides = { ...fees, ...(replaceOf ? { nonce: replaceOf.nonce } : {}) };
      const tx = await sendTx(overrides);
      await db.submissions.put(window, {
        window,
        kind,
        signers,
        status: 'sent',
        txHash: tx.hash,
        hashes: [...(replaceOf?.hashes ?? []), tx.hash],
        nonce: tx.nonce,
        maxFeePerGas: fees.maxFeePerGas.toString(),
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas.toString(),
        at: this.nowMs(),
        failures: failuresSoFar,
        refusals: refusalsSoFar,
      });
      metrics?.submissions.inc({ kind, result: replaceOf ? 'replaced' : 'sent' });
      if (!replaceOf)
        logger.info(`${kind} sent`, { window, tx: tx.hash, afterEndMs: this.modules.clock.msAfterWindowEnd(window) });
      if (replaceOf)
        logger.info(`${kind} replaced (same nonce, higher fees)`, {
          window,
          nonce: tx.nonce,
          tx: tx.hash,
          replaces: replaceOf.txHash,
        });
    } catch (e) {
      if (replaceOf) {
        // The first transaction may have been mined meanwhile ("nonce too low"): `track` finds out.
        logger.verbose(`${kind} replacement not sent`, { window, reason: shortReason(e) });
        return;
      }
      const failures = failuresSoFar + 1;
      await db.submissions.put(window, {
        window,
        kind,
        signers,
        status: 'failed',
        at: this.nowMs(),
        failures,
        // The hub refused it (the estimate reverted), as opposed to an RPC that did not answer.
        refusals: refusalsSoFar + (isError(e, 'CALL_EXCEPTION') ? 1 : 0),
        notBefore: this.nowMs() + this.backoffMs(failures),
      });
      metrics?.submissions.inc({ kind, result: 'error' });
      // A slash too large for one transaction is on (`SlashPending`): the next tick finishes it first.
      if (this.modules.hub.isSlashPending(e)) this.slashToFinish = true;
      // Another node's transaction got there first (the gas estimate reverts), or the RPC
      // failed: back off; the next attempt looks at the hub again and decides afresh.
      logger.warn(`${kind} not sent; backing off`, {
        window,
        reason: shortReason(e),
        retryInSeconds: this.backoffMs(failures) / 1000,
      });
      const runner = this.modules.hub.contract.runner as { reset?: () => void } | null;
      runner?.reset?.();
    }
  }

  /**
   * Finishes the community's pending slash (`HubClient.finishPendingSlash`), which blocked our last
   * transaction (a partial claim reverts `SlashPending` while bonds are being taken): anyone may, and a
   * node that waits for someone else may wait for ever. A failure is logged; the next `SlashPending` tries
   * again.
   */
  private async finishSlash(): Promise<void> {
    const { hub, logger } = this.modules;
    this.slashToFinish = false;
    try {
      const pages = await hub.finishPendingSlash();
      logger.info('pending slash finished', { continueSlashCalls: pages });
    } catch (e) {
      logger.warn('could not finish the pending slash', { reason: shortReason(e) });
    }
  }

  /**
   * Every window is final (`chain.closeAndClaim`): close the community, by rotation like a window's
   * (participant `windowCount mod N` first, each next one `takeoverSeconds` later, counted from when this
   * node first saw it closable), then claim this member's balance from the balances the node holds under
   * the hub's last final root, then, as a creditor, its share once every debtor is paid out (`unpaidDebtor`:
   * the pool complete, one `claimShare`); a debtor still unpaid `claimForDebtorsAfterSeconds` after the close
   * is claimed for once (`claimForDebtor`). Tracked like
   * an update, under the submissions key `windowCount` (the community's end): a crash never sends twice.
   * A close the hub would refuse now is not sent (its reason logged once); `SlashPending` finishes the
   * pending slash first.
   */
  private async atEnd(): Promise<void> {
    const { hub, clock, community, participantIndex, logger } = this.modules;
    const end = community.windowCount;
    if (!(await hub.isClosed())) {
      const now = clock.nowSeconds();
      if (now < this.since(this.closableSince, end, now) + this.rank(end) * this.opts.takeoverSeconds) return;
      const step = await this.track(end, 'close');
      if (step.kind === 'wait') return;
      if (step.kind === 'send') {
        const refusal = await hub.closeRefusal();
        if (refusal?.name === 'SlashPending') return this.finishSlash();
        if (refusal) {
          if (this.closeRefused !== refusal.name) logger.info('community not closable yet', { reason: refusal.name });
          this.closeRefused = refusal.name;
          return;
        }
        logger.info('closing the community: every window is final', { windows: end });
      }
      return this.send(end, 'close', 0, step.kind === 'replace' ? step.sub : undefined, (o) => hub.sendClose(o));
    }
    const held = await this.modules.balanceBook?.before(end, true);
    const leaf = held?.leaves[participantIndex];
    if (!held || !leaf) return;
    const [member, pool] = await Promise.all([hub.member(participantIndex), hub.repaidPool()]);
    let kind: 'claim' | 'share' | undefined;
    if (!member.settled) kind = 'claim';
    else if (leaf.claim > 0n) {
      // A creditor: its share waits for the whole pool; past the wait it claims for a debtor still unpaid.
      const debtor = await this.unpaidDebtor(held.leaves);
      if (debtor !== undefined) return this.claimForDebtor(held, debtor);
      if ((pool * leaf.claim) / held.totalClaims > member.claimTaken) kind = 'share';
    }
    if (!kind) return;
    // One share while every debtor is paid out or given up on (only a debtor's claim grows the pool). A debtor
    // given up on that is paid out later (it claims itself) grows the pool once more: our last share was mined
    // and the hub's claimTaken, read after it, is below our share of the grown pool, so we take the rest
    // (review s13: before, a mined share waited for ever). Bounded: each such share needs the pool to grow.
    const prev = await this.modules.db.submissions.get(end);
    const step =
      kind === 'share' && prev?.kind === 'share' && prev.status === 'mined'
        ? ({ kind: 'send' } as const)
        : await this.track(end, kind);
    if (step.kind === 'wait') return;
    if (step.kind === 'send')
      logger.info(kind === 'claim' ? 'claiming our balance' : 'taking our claim share', {
        window: held.window,
        participant: participantIndex,
      });
    const proof = balanceProof(held.leaves, participantIndex);
    await this.send(end, kind, 0, step.kind === 'replace' ? step.sub : undefined, (o) =>
      kind === 'claim'
        ? hub.sendClaim(participantIndex, leaf, held.totalClaims, proof, o)
        : hub.sendClaimShare(participantIndex, leaf, held.totalClaims, proof, o),
    );
  }

  /**
   * The first other debtor of the final balances not paid out yet (its repayment not in the pool), or
   * undefined once every one is (or was given up on: `claimForDebtor`): a creditor takes its share once, when
   * the pool is complete, not a transaction per debtor (N debtors would cost each creditor N `claimShare`s).
   * Members known settled are not asked again, and the asking stops at the first one not settled (one read per
   * tick while it waits). While one is not, the reason is logged once.
   */
  private async unpaidDebtor(leaves: readonly Balance[]): Promise<number | undefined> {
    for (const [i, leaf] of leaves.entries()) {
      if (leaf.debt === 0n || i === this.modules.participantIndex || this.settledDebtors.has(i)) continue;
      if (this.givenUpDebtors.has(i)) continue;
      if (!(await this.modules.hub.member(i)).settled) {
        if (this.waitingForDebtor !== i)
          this.modules.logger.info('our claim share waits for a debtor to be paid out (anyone may claim for it)', {
            debtor: i,
            claimForItAfterSeconds: this.opts.claimForDebtorsAfterSeconds,
          });
        this.waitingForDebtor = i;
        return i;
      }
      this.settledDebtors.add(i);
    }
    return undefined;
  }

  /**
   * Debtor `debtor` has not been paid out: once `claimForDebtorsAfterSeconds` have passed in chain time since
   * the community closed (the block of its `CommunityClosed`), claim for it as anyone may, by the path the
   * debtor would use: its leaf and proof from the final balances this node holds, only once those leaves hash
   * to the hub's balances root of the last final window (the hub pays the leaf's participant, not us; a genesis
   * has no debtor). Tracked under its own
   * submissions key (`windowCount + 1 + debtor`): one transaction of ours per debtor. Once it was mined and
   * reverted (someone claimed first) or the hub refused its estimate `CLAIM_FOR_ATTEMPTS` times (nothing sent,
   * each after the backoff), the debtor is given up on and no longer holds our share back. An RPC that does not
   * answer is not a refusal: the claim is tried again on the backoff (at most every `backoffMaxSeconds`).
   */
  private async claimForDebtor(held: StoredBalances, debtor: number): Promise<void> {
    const { hub, db, provider, community, logger, metrics } = this.modules;
    // The leaves themselves hashed to the hub's root (once per root), not the root the store files them under.
    const chainRoot = this.records.get(held.window)?.balancesRoot;
    if (chainRoot !== undefined && chainRoot !== this.verifiedRoot && chainRoot === held.balancesRoot)
      if (balancesRoot(held.leaves, held.totalClaims) === chainRoot) this.verifiedRoot = chainRoot;
    if (chainRoot === undefined || chainRoot !== this.verifiedRoot) {
      if (!this.rootMismatchLogged)
        logger.warn("not claiming for debtors: our final balances are not under the hub's final root", {
          window: held.window,
          ownBalances: held.balancesRoot,
          onChainBalances: chainRoot,
        });
      this.rootMismatchLogged = true;
      return;
    }
    this.closedAtSeconds ??= await hub.closedAtSeconds();
    if (this.closedAtSeconds === undefined) return;
    const block = await provider.getBlock('latest');
    // Written so that a wait that is not a number (an options object built without it) never claims.
    if (!((block?.timestamp ?? 0) >= this.closedAtSeconds + this.opts.claimForDebtorsAfterSeconds)) return;
    const key = community.windowCount + 1 + debtor;
    const prev = await db.submissions.get(key);
    if (
      prev?.kind === 'claimFor' &&
      (prev.status === 'reverted' ||
        // Refused by the hub that often (a record from before `refusals` counted every failure as one).
        (prev.status === 'failed' && (prev.refusals ?? prev.failures ?? 0) >= CLAIM_FOR_ATTEMPTS))
    ) {
      this.givenUpDebtors.add(debtor);
      logger.info('not claiming for this debtor again: our claim for it failed (someone may have claimed first)', {
        debtor,
        status: prev.status,
        failures: prev.failures,
      });
      return;
    }
    const step = await this.track(key, 'claimFor');
    if (step.kind === 'wait') return;
    const leaf = held.leaves[debtor];
    if (step.kind === 'send') {
      logger.info('claiming for a debtor still unpaid after the wait (the hub pays the debtor)', {
        debtor,
        participant: leaf.participant,
        debt: leaf.debt,
        window: held.window,
      });
    }
    const proof = balanceProof(held.leaves, debtor);
    await this.send(key, 'claimFor', 0, step.kind === 'replace' ? step.sub : undefined, (o) =>
      hub.sendClaim(debtor, leaf, held.totalClaims, proof, o),
    );
    if (step.kind === 'send' && (await db.submissions.get(key))?.status === 'sent') metrics?.claimsForDebtors.inc();
  }

  /** Compares a result posted on chain with our own fold. */
  private async audit(window: number, rec: WindowRecord): Promise<void> {
    const key = `${window}:${rec.windowRoot}:${rec.stateHash}:${rec.balancesRoot}`;
    if (this.audited.has(key)) return;
    const own = await this.modules.db.windowResults.get(window);
    if (!own) return;
    this.audited.add(key);
    if (!sameResult(own, rec)) {
      this.modules.metrics?.auditDisagreements.inc();
      this.modules.logger.warn('result on chain differs from our fold', {
        window,
        onChainRoot: rec.windowRoot,
        ownRoot: own.windowRoot,
        onChainBalances: rec.balancesRoot,
        ownBalances: own.balancesRoot,
      });
      if (rec.status === WindowStatus.Pending) await this.tryDispute(key, window, rec);
    }
  }

  private async tryDispute(key: string, window: number, rec: WindowRecord): Promise<void> {
    const onDisagreement = this.modules.onDisagreement;
    if (!onDisagreement || this.disputing.has(key)) return;
    const last = this.disputeRetry.get(key) ?? 0;
    if (Date.now() - last < 2000) {
      this.audited.delete(key);
      return;
    }
    this.disputeRetry.set(key, Date.now());
    this.disputing.add(key);
    // Not awaited: a dispute (fetching commitments, proving, a transaction) must not hold the
    // settlement loop. Not rejected (no data yet, or another node's proof is in flight): look
    // again on a later tick.
    void onDisagreement(window, rec)
      .then((rejected) => {
        if (!rejected) this.audited.delete(key);
      })
      .catch((e) => {
        this.audited.delete(key);
        this.modules.logger.warn('dispute failed', { window }, e);
      })
      .finally(() => this.disputing.delete(key));
  }
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);

/** Refused attempts (the hub reverted the estimate, nothing sent) at claiming for one debtor before it is given up on. */
const CLAIM_FOR_ATTEMPTS = 3;

function shortReason(e: unknown): string {
  const err = e as { shortMessage?: string; reason?: string; message?: string };
  return err.reason ?? err.shortMessage ?? err.message ?? String(e);
}
