import { GossipValidationError } from '../chain/errors.js';
import type { ValidReading } from '../chain/validation/reading.js';
import type { CommunityClock } from '../community/clock.js';
import type { CommunityInfo } from '../community/types.js';
import type { NodeDb, StoredWindowResult } from '../db/index.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Network } from '../network/network.js';
import type { MeterKeyRing } from '../reading/meterKeys.js';
import { deserializeSignedReading, type SignedReading, serializeSignedReading } from '../reading/signature.js';
import { sameReadingValues } from '../reading/encoding.js';
import { fromHex } from '../util/hex.js';
import type { Logger } from '../util/logger.js';
import { type AssembledWindow, assembleStoredWindow } from '../window/assemble.js';
import { type FoldedWindow, foldAndCommit } from '../window/fold.js';
import type { WindowOptions } from '../window/options.js';
import type { ParticipantState } from '../window/state.js';
import type { WindowRecord } from '../chain/hubClient.js';
import { sameResult } from '../network/messages.js';
import { type BalanceBook, type BalancesStrategy, react } from './balanceBook.js';
import { balancesRoot } from '../window/balances.js';
import type { NodeEvents } from './events.js';
import type { ReadingSource } from './ingest.js';

/** What a fold strategy returns: the slots as committed, the fold, and what is posted as S_W. */
export interface StrategyFold {
  assembled: AssembledWindow;
  folded: FoldedWindow;
  posted: ParticipantState[];
  postedHash: string;
}

/** How a window is folded: honestly, or (tests and demos) one of the byzantine modes (byzantine.ts). */
export type FoldStrategy = (community: CommunityInfo, window: number, assembled: AssembledWindow) => StrategyFold;

/** Rounds of the rotation a pending claim is put off while no peer answers (then it is made alone). */
export const CLAIM_WAITS_FOR_PEERS = 3;

export const honestFold: FoldStrategy = (community, window, assembled) => {
  const folded = foldAndCommit(community, window, assembled);
  return { assembled, folded, posted: folded.finalState, postedHash: folded.stateHash };
};

/** Tries to adopt a final claim's readings from the peers before giving up on that window. */
export const ADOPT_TRIES = 30;

export interface CommitterModules {
  community: CommunityInfo;
  /** The meters' registered keys: the readings of a final claim adopted from a peer are verified with them. */
  keys: MeterKeyRing;
  clock: CommunityClock;
  db: NodeDb;
  network: Pick<Network, 'connectedPeers' | 'requestAll'>;
  fold: FoldStrategy;
  /** The balances per window: each result's balancesRoot reacts its final state on the window before's. */
  balances: BalanceBook;
  /** A byzantine mode's change to the balances (`thiefBalances`); none for an honest node. */
  balancesStrategy?: BalancesStrategy;
  /** The node's reading intake (reconciled readings go through the same validation as gossip). */
  ingest(bytes: Uint8Array, source: ReadingSource): Promise<ValidReading>;
  /** True once the window's result is on chain (pending or final): no more re-folds. */
  isWindowSettled(window: number): boolean;
  /** Bootstrap peers configured (a node with none folds without waiting for a peer). */
  bootstrapPeers: number;
  events: NodeEvents;
  metrics: Metrics | null;
  logger: Logger;
}

/**
 * The window committer: folds each window once it is over (plus the grace period), after
 * fetching what its peers hold of it, stores the result and the commitment AS SIGNED, and emits
 * `windowCommitted` (the co-signer signs and publishes it). Committed windows not yet on chain
 * are folded again when their input grows (late readings, or readings fetched after a peer
 * signed a different result): honest nodes converge on the union of validly signed readings.
 */
export class WindowCommitter {
  /** Next window to fold; everything before it is committed in the store. */
  private next = 0;
  /** Committed windows whose stored input changed since (late or reconciled readings). */
  private readonly dirtyWindows = new Set<number>();
  /** Windows a peer signed differently: fetch them again from the peers (window -> last try, ms). */
  private readonly reconcileWanted = new Map<number, number>();
  /** Pending claims put off because no peer answered (window -> times). */
  private readonly unansweredClaims = new Map<number, number>();
  /** Windows final on chain with another root than our fold (or none yet): their claim's readings are adopted. */
  private readonly adoptWanted = new Map<number, { record: WindowRecord; lastTry: number; tries: number }>();
  /** Windows not folded yet: ms after the window's end when its last reading so far was stored (the stage log). */
  private readonly lastReadingMs = new Map<number, number>();

  constructor(
    private readonly opts: WindowOptions,
    private readonly modules: CommitterModules,
  ) {
    modules.events.on('readingStored', ({ window }) => {
      if (window < this.next) this.dirtyWindows.add(window);
      else this.lastReadingMs.set(window, modules.clock.msAfterWindowEnd(window));
    });
    modules.events.on('coSignatureDisagrees', ({ window }) => {
      if (!this.reconcileWanted.has(window)) this.reconcileWanted.set(window, 0);
    });
  }

  /**
   * Restores the position from the store (a restart resumes where it stopped). The windows
   * committed from `firstUnsettled` on are folded again on the first round: readings stored for
   * them after their fold (the marks were in memory, lost with the process) count before any
   * claim is made from a stale fold.
   */
  async init(firstUnsettled = 0): Promise<void> {
    this.next = (await this.modules.db.meta.getNumber('nextWindowToCommit')) ?? 0;
    for (let w = Math.max(0, firstUnsettled); w < this.next; w++) this.dirtyWindows.add(w);
  }

  /**
   * True when `window` is over and not folded yet: a reading just stored for it may be its last one
   * (the node then runs a commit round at once instead of at its next tick; `heldWhole` decides).
   */
  awaitsFold(window: number): boolean {
    const { clock, community } = this.modules;
    return window >= this.next && window < community.windowCount && clock.nowSeconds() >= clock.windowEnd(window);
  }

  get nextWindowToCommit(): number {
    return this.next;
  }

  get lastCommittedWindow(): number {
    return this.next - 1;
  }

  /**
   * One round: fold and commit the windows that are over, then re-fold those whose input grew.
   * Re-folds (local, cheap) also run between two new windows: a node catching up on many windows
   * (each fetched from the peers first) must not leave an older window, the one next on chain,
   * on a stale fold meanwhile.
   */
  async tick(running: () => boolean = () => true): Promise<void> {
    const { clock, db, metrics } = this.modules;
    metrics?.currentWindow.set(clock.windowOf(Math.max(0, clock.currentInterval())));
    await this.refoldDirty();
    while (running() && (this.readyToCommit(this.next) || (await this.heldWhole(this.next)))) {
      await this.commitWindow(this.next);
      this.next++;
      await db.meta.put('nextWindowToCommit', this.next);
      await this.refoldDirty();
    }
    if (running()) await this.revisitWindows();
    if (running()) await this.adoptWantedWindows(running);
  }

  /**
   * Start-up warm-up, off the record: folds a synthetic window (every slot held, half the meters
   * exporting) through the fold strategy, builds its commitment frames and reacts its final state on
   * the genesis balances. Nothing is stored or emitted. The first fold of a process runs cold (lazy
   * compilation, inline caches: several times a warm one); at window 0 every node of the community
   * folds, signs and checks signatures at once, so that cold start landed on window 0's way to final.
   */
  warmUp(): void {
    const { community, balances } = this.modules;
    const zero = new Uint8Array(64);
    const slots = Array.from({ length: community.windowIntervals }, (_, t) =>
      community.meters.map(
        (_m, meter): SignedReading => ({
          reading: {
            chainId: community.chainId,
            hub: community.hub,
            communityId: community.communityId,
            meterIndex: meter,
            interval: t,
            exportWh: meter % 2 === 0 ? 300 + t : 0,
            importWh: meter % 2 === 0 ? 0 : 100 + meter,
          },
          signature: zero,
        }),
      ),
    );
    const assembled: AssembledWindow = {
      firstInterval: 0,
      slots,
      readingCount: community.windowIntervals * community.meters.length,
      voidedSlots: 0,
    };
    const { folded, posted } = this.modules.fold(community, 0, assembled);
    commitmentFrames(assembled, folded);
    const genesis = balances.genesis();
    const next = react(genesis, posted);
    balancesRoot(next.leaves, next.totalClaims);
  }

  /**
   * Stores our result of a window and the commitment it comes from, as signed: what a peer or a
   * dispute is served later, whatever arrives after (issue 13, "claims stay provable").
   */
  private async storeResult(
    result: StoredWindowResult,
    assembled: AssembledWindow,
    folded: FoldedWindow,
  ): Promise<void> {
    const { db } = this.modules;
    const { window, windowRoot, stateHash } = result;
    // One atomic write: the commitment and the result it comes from are stored together or not at all.
    await db.batch([
      db.commitments.putOp(
        { window, windowRoot },
        { window, windowRoot, stateHash, frames: commitmentFrames(assembled, folded), signedAt: Date.now() },
      ),
      db.windowResults.putOp(window, result),
    ]);
  }

  /**
   * Window `window` became final on chain with `record`. When its balances root is not the one we
   * signed, every later window we committed reacted from balances the chain does not hold: they are
   * folded again (from the final balances, `BalanceBook.before`) and signed anew.
   */
  async onWindowFinal(window: number, record: WindowRecord): Promise<void> {
    const own = await this.modules.db.windowResults.get(window);
    this.watchFinal(window, record, own);
    if (!own || own.balancesRoot.toLowerCase() === record.balancesRoot.toLowerCase()) return;
    this.modules.logger.warn('window final with other balances than ours: later windows react again', {
      window,
      onChain: record.balancesRoot,
      ours: own.balancesRoot,
    });
    for (let w = window + 1; w < this.next; w++) this.dirtyWindows.add(w);
  }

  /**
   * Window `window` is final on chain with `record`: when our fold has another root (we lacked
   * readings the claim holds: restarted, offline, or cut off while it was claimed), or we have not
   * folded it yet, its slots are adopted from the final claim (`adoptFinal`, on the next rounds).
   * Called for every final window at start-up too (a restarted node saw them final before it ran).
   */
  watchFinal(window: number, record: WindowRecord, own?: StoredWindowResult): void {
    if (own && own.windowRoot.toLowerCase() === record.windowRoot.toLowerCase()) return;
    if (!this.adoptWanted.has(window)) this.adoptWanted.set(window, { record, lastTry: 0, tries: 0 });
  }

  /** Windows final with another root than ours whose claim's readings are still wanted. */
  get adoptionsWanted(): number[] {
    return [...this.adoptWanted.keys()];
  }

  /**
   * Adopts the final claim of `window`: its `commitment` from the peers (bounded like every request),
   * each answer checked against the final record (`finalCommitmentSlots`: every reading's signature
   * under its meter's registered key, its slot, the tree and the state recomputed to the final
   * windowRoot and stateHash); the first that checks is stored: its readings we lack, the commitment
   * as the one we hold for the window, our result for it. True once our result has the final root.
   * Safety: nothing a peer sends is taken unless it folds to the root the chain made final; a
   * reading is only stored under its meter's valid signature; a slot we hold with other values is
   * left as it is (its evidence stays ours to report).
   */
  async adoptFinal(window: number, record: WindowRecord): Promise<boolean> {
    const { community, db, keys, logger, metrics } = this.modules;
    const own = await db.windowResults.get(window);
    if (own && own.windowRoot.toLowerCase() === record.windowRoot.toLowerCase()) return true;
    for (const frames of await this.fetchCommitments(window)) {
      const slots = finalCommitmentSlots(community, keys, window, frames);
      if (!slots) continue;
      const assembled: AssembledWindow = {
        firstInterval: window * community.windowIntervals,
        slots,
        readingCount: slots.reduce((n, row) => n + row.filter(Boolean).length, 0),
        voidedSlots: 0,
      };
      const folded = foldAndCommit(community, window, assembled);
      if (
        folded.commitment.windowRoot.toLowerCase() !== record.windowRoot.toLowerCase() ||
        folded.stateHash.toLowerCase() !== record.stateHash.toLowerCase()
      )
        continue;
      const held = await db.readings.getMany(
        slots.flatMap((row, t) =>
          row.flatMap((s, m) => (s ? [{ window, interval: assembled.firstInterval + t, meter: m }] : [])),
        ),
      );
      const claimed = slots.flatMap((row) => row.filter((s): s is SignedReading => s !== undefined));
      const missing = claimed.filter((_s, k) => !held[k]);
      const otherValues = claimed.filter((s, k) => held[k] && !sameReadingValues(held[k].reading, s.reading)).length;
      await db.batch(
        missing.map((s) => db.readings.putOp({ window, interval: s.reading.interval, meter: s.reading.meterIndex }, s)),
      );
      const balances = await this.modules.balances.finalBalances(window, record).catch(() => undefined);
      const result: StoredWindowResult = {
        window,
        windowRoot: folded.commitment.windowRoot,
        stateHash: folded.stateHash,
        balancesRoot: balances?.balancesRoot ?? record.balancesRoot,
        finalState: folded.finalState,
        intervals: folded.commitment.intervals.map(
          ({ interval, readingsRoot, energyHash, stateHash, entriesRoot }) => ({
            interval,
            readingsRoot,
            energyHash,
            stateHash,
            entriesRoot,
          }),
        ),
        readingCount: assembled.readingCount,
        voidedSlots: assembled.voidedSlots,
        committedAt: Math.floor(Date.now() / 1000),
      };
      await this.storeResult(result, assembled, folded);
      metrics?.reconciledReadings.inc(missing.length);
      logger.info('final claim adopted: its readings we lacked are stored, our result is the final one', {
        window,
        readings: result.readingCount,
        adopted: missing.length,
        heldWithOtherValues: otherValues,
        ours: own?.windowRoot.slice(0, 10),
        root: result.windowRoot.slice(0, 10),
      });
      return true;
    }
    return false;
  }

  /** One round of adoptions: the wanted windows in order, each at most once per interval. */
  private async adoptWantedWindows(running: () => boolean): Promise<void> {
    const now = this.modules.clock.nowSeconds() * 1000;
    for (const [window, want] of [...this.adoptWanted].sort((a, b) => a[0] - b[0])) {
      if (!running()) return;
      // Not folded yet: the committer folds it first (from what we hold), then we compare.
      if (window >= this.next) continue;
      const own = await this.modules.db.windowResults.get(window);
      if (own && own.windowRoot.toLowerCase() === want.record.windowRoot.toLowerCase()) {
        this.adoptWanted.delete(window);
        continue;
      }
      if (now - want.lastTry < Math.max(1000, this.modules.community.intervalSeconds * 1000)) continue;
      want.lastTry = now;
      want.tries++;
      if (await this.adoptFinal(window, want.record)) this.adoptWanted.delete(window);
      else if (want.tries >= ADOPT_TRIES) {
        this.adoptWanted.delete(window);
        this.modules.logger.warn('final claim not adopted: no peer served a commitment with its root', {
          window,
          tries: want.tries,
        });
      }
    }
  }

  /**
   * Before a pending claim of `window` (the submitter asks): fetch it from the peers once more and
   * fold it again if its input grew. True when the result changed (it is signed anew: the claim waits).
   */
  async refreshBeforeClaim(window: number): Promise<boolean> {
    const before = (await this.modules.db.windowResults.get(window))?.windowRoot;
    const { answered } = await this.fetchWindow(window);
    if (this.dirtyWindows.delete(window) && !this.modules.isWindowSettled(window))
      await this.commitWindow(window, true);
    if ((await this.modules.db.windowResults.get(window))?.windowRoot !== before) return true;
    // No peer answered (all restarting, or cut off): claiming alone is how a window goes on chain
    // without the readings only the others hold. Wait a few rounds for one, not forever.
    if (answered > 0 || this.modules.bootstrapPeers === 0) return false;
    const tries = (this.unansweredClaims.get(window) ?? 0) + 1;
    this.unansweredClaims.set(window, tries);
    for (const w of this.unansweredClaims.keys()) if (w < window - 16) this.unansweredClaims.delete(w);
    return tries <= CLAIM_WAITS_FOR_PEERS;
  }

  /** Folds again the committed windows whose stored input changed (no network). */
  private async refoldDirty(): Promise<void> {
    // Oldest first, until none is left: a re-fold that changes a window's balances marks the later
    // windows (they react from them), and those are folded again in the same round.
    while (this.dirtyWindows.size > 0) {
      const window = Math.min(...this.dirtyWindows);
      this.dirtyWindows.delete(window);
      if (this.modules.isWindowSettled(window)) continue;
      await this.commitWindow(window, true);
    }
  }

  /**
   * A window is folded once it is over plus the grace period, and once this node is connected to
   * a peer (a node that just started must fetch the window first) or has waited
   * `maxPeerWaitSeconds` for one.
   */
  readyToCommit(window: number): boolean {
    const { clock, community, network } = this.modules;
    if (window >= community.windowCount) return false;
    const due = clock.windowEnd(window) + this.opts.graceSeconds;
    const now = clock.nowSeconds();
    if (now < due) return false;
    // One peer is enough to reconcile with; later differences converge through re-folds.
    const wanted = Math.min(1, this.modules.bootstrapPeers);
    return network.connectedPeers().length >= wanted || now >= due + this.opts.maxPeerWaitSeconds;
  }

  /**
   * A window that is over and whose every slot is held is folded at once, without the grace period:
   * the grace is there for readings still in flight at the window's end (and for the fetch from the
   * peers), and with all W·M readings held none can be (a second, conflicting reading of a slot that
   * arrives later is equivocation evidence: the window is folded again, and the chain voids the slot
   * on a report, §5). With 10 nodes this takes the grace period off every window's way to final.
   */
  async heldWhole(window: number): Promise<boolean> {
    const { clock, community, db } = this.modules;
    if (window >= community.windowCount || clock.nowSeconds() < clock.windowEnd(window)) return false;
    return (await db.readings.listWindow(window)).length === community.windowIntervals * community.meters.length;
  }

  private async revisitWindows(): Promise<void> {
    const { community, isWindowSettled } = this.modules;
    const now = Date.now();
    for (const [window, lastTry] of this.reconcileWanted) {
      if (isWindowSettled(window)) {
        this.reconcileWanted.delete(window);
        continue;
      }
      if (now - lastTry < Math.max(1000, community.intervalSeconds * 1000)) continue;
      this.reconcileWanted.set(window, now);
      await this.reconcile(window);
    }
    await this.refoldDirty();
  }

  /**
   * Every connected peer's commitment of a window (the window protocol's `commitment`), from the
   * peers that answer within the deadline: a peer that hangs or floods cannot hold it up.
   */
  async fetchCommitments(window: number): Promise<Uint8Array[][]> {
    const answers = await this.modules.network.requestAll(
      { method: 'commitment', window },
      this.opts.reconcileTimeoutMs,
    );
    return answers.map((a) => a.items).filter((a) => a.length > 0);
  }

  /**
   * Fetches the window's readings and equivocation evidence from every connected peer at once,
   * each request bounded (deadline, item and byte caps); validation decides what is kept.
   */
  async reconcile(window: number): Promise<number> {
    return (await this.fetchWindow(window)).added;
  }

  /** `reconcile`, also saying how many peers answered the readings request. */
  private async fetchWindow(window: number): Promise<{ added: number; answered: number }> {
    const { network, metrics } = this.modules;
    const deadline = this.opts.reconcileTimeoutMs;
    const answers = await Promise.all(
      (['readings', 'equivocations'] as const).map((method) => network.requestAll({ method, window }, deadline)),
    );
    let added = 0;
    for (const { items } of answers.flat()) {
      for (const item of items) {
        try {
          await this.modules.ingest(item, 'reconcile');
          added++;
        } catch (e) {
          if (!(e instanceof GossipValidationError)) throw e;
          metrics?.reconciledReadingsRefused.inc({ code: e.code });
        }
      }
    }
    if (added > 0) metrics?.reconciledReadings.inc(added);
    return { added, answered: answers[0].length };
  }

  /**
   * Folds a window and stores the result with its commitment frames BEFORE anything is signed
   * (a reading that arrives later cannot make the claim unprovable), then emits `windowCommitted`.
   */
  async commitWindow(window: number, refold = false): Promise<StoredWindowResult> {
    const { community, db, metrics, logger } = this.modules;
    const existing = await db.windowResults.get(window);
    if (existing && !refold) return existing;
    // Fetched from the peers first, unless every slot is held already (gossip delivered the
    // window: with 10 nodes, asking 9 peers twice per window only delays the co-signature).
    const listed = await db.readings.listWindow(window);
    const complete = listed.length === community.windowIntervals * community.meters.length;
    const recovered = refold || complete ? 0 : await this.reconcile(window);
    const started = performance.now();
    // The listing is folded as it is unless the fetch from the peers added readings (each await on this
    // path waits its turn for a core at a window's end, when every node of the community folds at once).
    const { assembled, folded, posted, postedHash } = this.modules.fold(
      community,
      window,
      await assembleStoredWindow(db, community, window, recovered > 0 ? undefined : listed),
    );
    // balances(w) from balances(w−1): stored under its root before anything is signed, like the commitment.
    const balances = await this.modules.balances.after(window, posted, this.modules.balancesStrategy);
    const result: StoredWindowResult = {
      window,
      windowRoot: folded.commitment.windowRoot,
      stateHash: postedHash,
      balancesRoot: balances.balancesRoot,
      finalState: posted,
      intervals: folded.commitment.intervals.map(({ interval, readingsRoot, energyHash, stateHash, entriesRoot }) => ({
        interval,
        readingsRoot,
        energyHash,
        stateHash,
        entriesRoot,
      })),
      readingCount: assembled.readingCount,
      voidedSlots: assembled.voidedSlots,
      committedAt: Math.floor(Date.now() / 1000),
    };
    if (existing && sameResult(existing, result)) return existing;
    // Every later window we committed reacted from this window's old balances (kill -9 fault run:
    // window 1 was claimed on the balances of a stale fold of window 0, and overturned BadBalances).
    if (existing && existing.balancesRoot.toLowerCase() !== result.balancesRoot.toLowerCase())
      for (let w = window + 1; w < this.next; w++) this.dirtyWindows.add(w);
    await this.storeResult(result, assembled, folded);
    metrics?.windowFoldSeconds.observe((performance.now() - started) / 1000);
    metrics?.windowsCommitted.inc();
    metrics?.lastCommittedWindow.set(window);
    logger.info(existing ? 'window folded again (more readings, or other balances before it)' : 'window committed', {
      window,
      readings: result.readingCount,
      expected: community.windowIntervals * community.meters.length,
      recovered,
      root: result.windowRoot.slice(0, 10),
      // Stage times on the window's way to final (ms after its end): its last reading stored, this fold done.
      lastReadingMs: this.lastReadingMs.get(window),
      afterEndMs: this.modules.clock.msAfterWindowEnd(window),
    });
    this.lastReadingMs.delete(window);
    await this.modules.events.emit('windowCommitted', { result, refold: existing !== undefined });
    return result;
  }
}

/**
 * The slots of a peer's `commitment` answer for `window`, when it is well formed: one frame per
 * interval of the window in order, one slot per meter, every reading of this community, of its
 * frame's interval and slot's meter, and signed by that meter's registered key. Undefined otherwise.
 * The caller folds the slots and compares the roots with the chain's record.
 */
export function finalCommitmentSlots(
  community: CommunityInfo,
  keys: MeterKeyRing,
  window: number,
  frames: readonly Uint8Array[],
): (SignedReading | undefined)[][] | undefined {
  if (frames.length !== community.windowIntervals) return undefined;
  const first = window * community.windowIntervals;
  const slots: (SignedReading | undefined)[][] = [];
  try {
    for (const [t, frame] of frames.entries()) {
      const row = JSON.parse(Buffer.from(frame).toString('utf8')) as { interval?: unknown; slots?: unknown };
      if (row.interval !== first + t || !Array.isArray(row.slots) || row.slots.length !== community.meters.length)
        return undefined;
      const out: (SignedReading | undefined)[] = [];
      for (const [m, hex] of (row.slots as unknown[]).entries()) {
        if (hex === null) {
          out.push(undefined);
          continue;
        }
        if (typeof hex !== 'string') return undefined;
        const signed = deserializeSignedReading(fromHex(hex));
        const r = signed.reading;
        if (
          r.chainId !== community.chainId ||
          r.hub.toLowerCase() !== community.hub.toLowerCase() ||
          r.communityId !== community.communityId ||
          r.interval !== first + t ||
          r.meterIndex !== m ||
          !keys.verify(signed)
        )
          return undefined;
        out.push(signed);
      }
      slots.push(out);
    }
  } catch {
    // Bytes that do not parse or decode: not a commitment we can adopt.
    return undefined;
  }
  return slots;
}

/** The window protocol's `commitment` frames of a fold: per interval, the slots and the state S_t. */
export function commitmentFrames(assembled: AssembledWindow, folded: FoldedWindow): string[] {
  return assembled.slots.map((row, i) =>
    JSON.stringify(
      {
        interval: assembled.firstInterval + i,
        slots: row.map((s) => (s ? `0x${Buffer.from(serializeSignedReading(s)).toString('hex')}` : null)),
        state: folded.states[i],
      },
      (_k, v) => (typeof v === 'bigint' ? v.toString() : v),
    ),
  );
}
