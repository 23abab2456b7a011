import { JsonRpcProvider, NonceManager, Wallet, type TypedDataDomain } from 'ethers';
import { ApiServer } from '../api/server.js';
import { hubDomain, signWindowResult } from '../chain/eip712.js';
import { GossipValidationError } from '../chain/errors.js';
import { HubClient } from '../chain/hubClient.js';
import { validateCoSignature } from '../chain/validation/coSignature.js';
import { storeValidReading, validateReading, type ValidReading } from '../chain/validation/reading.js';
import { CommunityClock } from '../community/clock.js';
import type { CommunityInfo } from '../community/types.js';
import { NodeDb, type StoredWindowResult } from '../db/index.js';
import { createMetrics, type Metrics } from '../metrics/metrics.js';
import { MeterService } from '../meter/meterService.js';
import { Network } from '../network/network.js';
import { encodeCoSignature, type CoSignatureMessage } from '../network/messages.js';
import { peerKeyFromSecret } from '../network/peerKey.js';
import type { WindowRequest } from '../network/reqresp.js';
import { MeterKeyRing } from '../reading/meterKeys.js';
import { serializeSignedReading, type SignedReading } from '../reading/signature.js';
import { DisputeKind, equivocationProof } from '../window/disputeProof.js';
import { createLogger, type Logger } from '../util/logger.js';
import { assembleStoredWindow, type AssembledWindow } from '../window/assemble.js';
import { foldAndCommit, type FoldedWindow } from '../window/fold.js';
import type { ParticipantState } from '../window/state.js';
import { byzantineFold } from './byzantine.js';
import { Settlement } from './settlement.js';
import { Disputer } from '../dispute/disputer.js';
import type { NodeOptions } from './options.js';
import { createSimulatedMeter } from './meterFactory.js';

/** A reading source for the ingest queue, for metrics. */
type Source = 'gossip' | 'reconcile' | 'local';

/**
 * One participant's node: receives and validates readings, folds and commits each window,
 * co-signs it, gathers the others' signatures and gets the result settled on the hub.
 *
 * Start order: store → chain → network → settlement → api → meter; stop in reverse.
 */
export class DiversityNode {
  readonly logger: Logger;
  readonly metrics: Metrics | null;
  private status: 'stopped' | 'starting' | 'started' | 'stopping' = 'stopped';
  private db?: NodeDb;
  private provider?: JsonRpcProvider;
  private hub?: HubClient;
  private network?: Network;
  private api?: ApiServer;
  private meter?: MeterService;
  private settlement?: Settlement;
  private disputer?: Disputer;
  private timer?: NodeJS.Timeout;
  private ticking = false;
  /** Readings are validated and stored one at a time: no race between two copies of a slot. */
  private ingestQueue: Promise<unknown> = Promise.resolve();
  private domain?: TypedDataDomain;
  private wallet?: Wallet;
  private keys?: MeterKeyRing;
  community?: CommunityInfo;
  clock?: CommunityClock;
  participantIndex = -1;
  /** Next window to fold; everything before it is committed in the store. */
  private nextWindowToCommit = 0;
  /** Committed windows whose stored input changed since (late or reconciled readings). */
  private readonly dirtyWindows = new Set<number>();
  /** Windows a peer signed differently: fetch them again from the peers (window -> last try, ms). */
  private readonly reconcileWanted = new Map<number, number>();

  constructor(
    readonly opts: NodeOptions,
    modules: { logger?: Logger; metrics?: Metrics | null } = {},
  ) {
    this.logger = modules.logger ?? createLogger({ level: opts.logLevel, name: opts.name });
    this.metrics = modules.metrics === undefined ? createMetrics({ defaultMetrics: true }) : modules.metrics;
  }

  get apiUrl(): string | undefined {
    return this.api?.url;
  }

  get peerId(): string | undefined {
    return this.network?.peerId;
  }

  multiaddrs(): string[] {
    return this.network?.multiaddrs() ?? [];
  }

  async start(): Promise<void> {
    if (this.status !== 'stopped') return;
    this.status = 'starting';
    const { opts, logger, metrics } = this;
    this.db = await NodeDb.open(opts.dataDir);
    this.provider = new JsonRpcProvider(opts.chain.rpcUrl, undefined, { staticNetwork: true, pollingInterval: opts.chain.pollMs });
    this.wallet = new Wallet(opts.privateKey, this.provider);
    const signer = new NonceManager(this.wallet);
    this.hub = new HubClient({ hub: opts.chain.hub, communityId: opts.chain.communityId }, { runner: signer, provider: this.provider });
    const community = await this.hub.communityInfo();
    this.community = community;
    this.participantIndex = community.participants.findIndex((p) => p.toLowerCase() === this.wallet!.address.toLowerCase());
    if (this.participantIndex < 0) throw new Error(`${this.wallet.address} is not a participant of community ${community.communityId}`);
    this.clock = new CommunityClock(community);
    this.keys = new MeterKeyRing(community.meters);
    this.domain = hubDomain(community.chainId, community.hub);
    this.nextWindowToCommit = (await this.db.meta.getNumber('nextWindowToCommit')) ?? 0;

    this.network = new Network(opts.network, {
      privateKey: await peerKeyFromSecret(opts.privateKey),
      community,
      metrics,
      logger: logger.child('network'),
      handlers: {
        onReading: async (data) => {
          await this.ingest(data, 'gossip');
        },
        onCoSignature: async (data) => {
          await this.onCoSignature(data);
        },
        serveWindow: (req) => this.serveWindow(req),
      },
    });
    await this.network.start();

    this.settlement = new Settlement({ ...opts.chain, submitAlone: Boolean(opts.byzantine) }, {
      community,
      clock: this.clock,
      db: this.db,
      hub: this.hub,
      provider: this.provider,
      participantIndex: this.participantIndex,
      graceSeconds: opts.window.graceSeconds,
      metrics,
      logger: logger.child('settlement'),
      onDisagreement: opts.byzantine ? undefined : (window, record) => this.disputer!.dispute(window, record),
    });
    this.disputer = new Disputer({
      community,
      participantIndex: this.participantIndex,
      keys: this.keys,
      db: this.db,
      hub: this.hub,
      metrics,
      logger: logger.child('dispute'),
      fetchCommitments: (window) => this.fetchCommitments(window),
    });

    this.api = new ApiServer(opts.api, {
      status: () => this.statusDocument(),
      windowResult: (w) => this.db!.windowResults.get(w),
      metrics,
      logger: logger.child('api'),
    });
    await this.api.start();

    if (opts.meter) {
      const meter = createSimulatedMeter(opts.meter, community);
      this.meter = new MeterService(
        { tickMs: Math.max(100, Math.min(1000, (community.intervalSeconds * 1000) / 4)), lastInterval: this.clock.totalIntervals - 1, profileOffset: opts.meter.profileOffset },
        { meter, clock: this.clock, logger: logger.child('meter'), publish: (bytes) => this.publishOwnReading(bytes) },
      );
      // A fresh meter starts with the current window, as a real one hands over what it buffered.
      const resumeFrom =
        (await this.db.meta.getNumber(`meter${opts.meter.meterIndex}.next`)) ??
        this.clock.firstInterval(this.clock.windowOf(Math.max(0, this.clock.currentInterval())));
      this.meter.start(resumeFrom);
    }

    this.timer = setInterval(() => void this.tick(), opts.tickMs);
    this.status = 'started';
    logger.info('node started', {
      address: this.wallet.address,
      participant: this.participantIndex,
      community: community.communityId,
      api: this.api.url,
      nextWindow: this.nextWindowToCommit,
    });
  }

  async stop(): Promise<void> {
    if (this.status !== 'started' && this.status !== 'starting') return;
    this.status = 'stopping';
    clearInterval(this.timer);
    this.meter?.stop();
    await this.bounded('api stop', this.api?.stop());
    await this.bounded('network stop', this.network?.stop());
    // Let a tick or an ingest in flight finish before the store closes (not forever: a stuck
    // RPC call must not keep the node from stopping).
    const deadline = Date.now() + 5000;
    while (this.ticking && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await Promise.race([this.ingestQueue.catch(() => {}), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))]);
    this.provider?.destroy();
    await this.db?.close();
    this.status = 'stopped';
    this.logger.info('node stopped');
  }

  /** Waits for a shutdown step, but not forever: a stuck peer or RPC must not keep the node up. */
  private async bounded(what: string, step: Promise<void> | undefined, ms = 5000): Promise<void> {
    if (!step) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)));
    const outcome = await Promise.race([step.then(() => 'done' as const), timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') this.logger.warn(`${what} did not finish in time; going on`, { ms });
  }

  /** Validates and stores one signed reading, serialized with every other ingest. */
  ingest(bytes: Uint8Array, source: Source): Promise<ValidReading> {
    const run = async (): Promise<ValidReading> => {
      const started = performance.now();
      const valid = await validateReading(
        {
          community: this.community!,
          clock: this.clock!,
          keys: this.keys!,
          db: this.db!,
          maxFutureIntervals: this.opts.maxFutureIntervals,
          isWindowSettled: (w) => this.settlement?.isWindowSettled(w) ?? false,
        },
        bytes,
      );
      await storeValidReading(this.db!, valid);
      if (valid.window < this.nextWindowToCommit) this.dirtyWindows.add(valid.window);
      if (valid.kind === 'equivocation') {
        this.metrics?.equivocations.inc();
        this.logger.warn('meter equivocation: slot voided, evidence kept', { meter: valid.signed.reading.meterIndex, interval: valid.signed.reading.interval });
        void this.reportEquivocation(valid.window, valid.first, valid.signed);
      } else {
        this.metrics?.readingsStored.inc({ source });
      }
      this.metrics?.readingValidationSeconds.observe((performance.now() - started) / 1000);
      return valid;
    };
    const result = this.ingestQueue.then(run, run);
    this.ingestQueue = result.catch(() => {});
    return result;
  }

  /**
   * Registers an equivocation on chain, so the voided slot cannot be held against an honest claim.
   * One reporter per meter: the participant after the meter's owner (the owner is the one slashed).
   */
  private async reportEquivocation(window: number, first: SignedReading, second: SignedReading): Promise<void> {
    const community = this.community!;
    const owner = community.meters[first.reading.meterIndex].owner;
    if (this.participantIndex !== (owner + 1) % community.participants.length) return;
    try {
      const receipt = await this.hub!.dispute(window, DisputeKind.Equivocation, equivocationProof(first, second));
      this.metrics?.disputes.inc({ kind: 'Equivocation', result: 'accepted' });
      this.logger.warn('equivocation registered on chain', { meter: first.reading.meterIndex, interval: first.reading.interval, gasUsed: receipt.gasUsed });
    } catch (e) {
      this.metrics?.disputes.inc({ kind: 'Equivocation', result: 'failed' });
      this.logger.warn('equivocation report failed', { meter: first.reading.meterIndex, interval: first.reading.interval }, e);
    }
  }

  private async publishOwnReading(bytes: Uint8Array): Promise<void> {
    try {
      await this.ingest(bytes, 'local');
    } catch (e) {
      if (!(e instanceof GossipValidationError)) throw e;
      this.logger.verbose('own meter reading not stored', { code: e.code });
      return;
    }
    await this.network!.publishReading(bytes);
    if (this.opts.meter) {
      const interval = Buffer.from(bytes).readUInt32BE(58);
      await this.db!.meta.put(`meter${this.opts.meter.meterIndex}.next`, interval + 1);
    }
  }

  private async onCoSignature(data: Uint8Array): Promise<void> {
    const msg = await validateCoSignature(
      { community: this.community!, clock: this.clock!, domain: this.domain!, db: this.db!, lastFinalWindow: () => this.settlement?.lastFinalWindow ?? -1 },
      data,
    );
    await this.storeCoSignature(msg);
  }

  private async storeCoSignature(msg: CoSignatureMessage): Promise<void> {
    const db = this.db!;
    const ours = await db.windowResults.get(msg.window);
    const agrees = ours ? ours.windowRoot === msg.windowRoot && ours.stateHash === msg.stateHash : undefined;
    const stored = await db.coSignatures.get({ window: msg.window, signer: msg.signer });
    // Never replace a signature that matches our result with one that does not.
    if (stored && ours && stored.windowRoot === ours.windowRoot && !agrees) return;
    await db.coSignatures.put({ window: msg.window, signer: msg.signer }, { ...msg });
    if (agrees !== undefined) this.metrics?.coSignaturesReceived.inc({ agrees: String(agrees) });
    if (agrees === false) {
      this.logger.verbose('co-signature over a different result', { window: msg.window, signer: msg.signer });
      // The signer may hold readings we miss: ask the peers again (the union of valid readings wins).
      if (!this.reconcileWanted.has(msg.window)) this.reconcileWanted.set(msg.window, 0);
    }
  }

  private async serveWindow(req: WindowRequest): Promise<Uint8Array[]> {
    const db = this.db!;
    switch (req.method) {
      case 'readings':
        return (await db.readings.listWindow(req.window)).map(serializeSignedReading);
      case 'equivocations':
        return (await db.equivocations.listWindow(req.window)).flatMap((e) => [serializeSignedReading(e.first), serializeSignedReading(e.second)]);
      case 'windowResult': {
        const result = await db.windowResults.get(req.window);
        return result ? [Buffer.from(JSON.stringify(result, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)))] : [];
      }
      case 'commitment': {
        const result = await db.windowResults.get(req.window);
        if (!result) return [];
        const { assembled, folded } = await this.foldWindow(req.window);
        // Served only if the store still yields what was committed.
        if (folded.commitment.windowRoot !== result.windowRoot) throw new Error('store no longer matches the commitment');
        return assembled.slots.map((row, i) =>
          Buffer.from(
            JSON.stringify(
              {
                interval: assembled.firstInterval + i,
                slots: row.map((s) => (s ? '0x' + Buffer.from(serializeSignedReading(s)).toString('hex') : null)),
                state: folded.states[i],
              },
              (_k, v) => (typeof v === 'bigint' ? v.toString() : v),
            ),
          ),
        );
      }
    }
  }

  /** Assembles a window from the store and folds it (the byzantine way when so configured). */
  private async foldWindow(window: number): Promise<{ assembled: AssembledWindow; folded: FoldedWindow; posted: ParticipantState[]; postedHash: string }> {
    const community = this.community!;
    const assembled = await assembleStoredWindow(this.db!, community, window);
    if (this.opts.byzantine) {
      const b = byzantineFold(this.opts.byzantine, community, window, assembled);
      return { assembled: b.assembled, folded: b.folded, posted: b.postedState, postedHash: b.postedStateHash };
    }
    const folded = foldAndCommit(community, window, assembled);
    return { assembled, folded, posted: folded.finalState, postedHash: folded.stateHash };
  }

  /** The main loop: commit windows that are over, then let settlement act on the chain. */
  private async tick(): Promise<void> {
    if (this.ticking || this.status !== 'started') return;
    this.ticking = true;
    try {
      const clock = this.clock!;
      this.metrics?.currentWindow.set(clock.windowOf(Math.max(0, clock.currentInterval())));
      while (this.status === 'started' && this.readyToCommit(this.nextWindowToCommit)) {
        await this.commitWindow(this.nextWindowToCommit);
        this.nextWindowToCommit++;
        await this.db!.meta.put('nextWindowToCommit', this.nextWindowToCommit);
      }
      await this.revisitWindows();
      if (this.status === 'started') await this.settlement!.tick();
      if (this.status === 'started') await this.republishCoSignatures();
    } catch (e) {
      this.logger.error('tick failed', {}, e);
    } finally {
      this.ticking = false;
    }
  }

  /**
   * A window is folded once it is over plus the grace period, and once this node is connected to
   * a peer (a node that just started must fetch the window first) or has waited
   * `maxPeerWaitSeconds` for one.
   */
  private readyToCommit(window: number): boolean {
    const clock = this.clock!;
    if (window >= this.community!.windowCount) return false;
    const due = clock.windowEnd(window) + this.opts.window.graceSeconds;
    const now = clock.nowSeconds();
    if (now < due) return false;
    // One peer is enough to reconcile with; later differences converge through re-folds.
    const wanted = Math.min(1, this.opts.network.bootstrap.length);
    return this.network!.connectedPeers().length >= wanted || now >= due + this.opts.window.maxPeerWaitSeconds;
  }

  /**
   * Committed windows not yet on chain are folded again when their input grew: late readings,
   * or readings fetched after a peer signed a different result. Honest nodes converge on the
   * union of validly signed readings.
   */
  private async revisitWindows(): Promise<void> {
    const now = Date.now();
    for (const [window, lastTry] of this.reconcileWanted) {
      if (this.settlement!.isWindowSettled(window)) {
        this.reconcileWanted.delete(window);
        continue;
      }
      if (now - lastTry < Math.max(1000, this.community!.intervalSeconds * 1000)) continue;
      this.reconcileWanted.set(window, now);
      await this.reconcile(window);
    }
    for (const window of [...this.dirtyWindows]) {
      this.dirtyWindows.delete(window);
      if (this.settlement!.isWindowSettled(window)) continue;
      await this.commitWindow(window, true);
    }
  }

  /** Every connected peer's commitment of a window (the window protocol's `commitment`). */
  private async fetchCommitments(window: number): Promise<Uint8Array[][]> {
    const network = this.network!;
    const answers = await Promise.all(
      network.connectedPeers().map((peer) =>
        network.request(peer, { method: 'commitment', window }, this.opts.window.reconcileTimeoutMs).catch(() => [] as Uint8Array[]),
      ),
    );
    return answers.filter((a) => a.length > 0);
  }

  /** Fetches the window's readings from every connected peer; validation decides what is kept. */
  async reconcile(window: number): Promise<number> {
    const network = this.network!;
    let added = 0;
    await Promise.all(
      network.connectedPeers().map(async (peer) => {
        for (const method of ['readings', 'equivocations'] as const) {
          let items: Uint8Array[];
          try {
            items = await network.request(peer, { method, window }, this.opts.window.reconcileTimeoutMs);
          } catch (e) {
            this.logger.verbose('reconcile request failed', { peer: peer.toString(), window, method }, e);
            continue;
          }
          for (const item of items) {
            try {
              await this.ingest(item, 'reconcile');
              added++;
            } catch (e) {
              if (!(e instanceof GossipValidationError)) throw e;
            }
          }
        }
      }),
    );
    if (added > 0) this.metrics?.reconciledReadings.inc(added);
    return added;
  }

  private async commitWindow(window: number, refold = false): Promise<StoredWindowResult> {
    const db = this.db!;
    const existing = await db.windowResults.get(window);
    if (existing && !refold) return existing;
    const community = this.community!;
    const recovered = refold ? 0 : await this.reconcile(window);
    const started = performance.now();
    const { assembled, folded, posted, postedHash } = await this.foldWindow(window);
    const result: StoredWindowResult = {
      window,
      windowRoot: folded.commitment.windowRoot,
      stateHash: postedHash,
      finalState: posted,
      intervals: folded.commitment.intervals.map(({ interval, readingsRoot, stateHash }) => ({ interval, readingsRoot, stateHash })),
      readingCount: assembled.readingCount,
      voidedSlots: assembled.voidedSlots,
      committedAt: Math.floor(Date.now() / 1000),
    };
    if (existing && existing.windowRoot === result.windowRoot) return existing;
    await db.windowResults.put(window, result);
    this.metrics?.windowFoldSeconds.observe((performance.now() - started) / 1000);
    this.metrics?.windowsCommitted.inc();
    this.metrics?.lastCommittedWindow.set(window);
    this.logger.info(existing ? 'window folded again with more readings' : 'window committed', {
      window,
      readings: result.readingCount,
      expected: community.windowIntervals * community.meters.length,
      recovered,
      root: result.windowRoot.slice(0, 10),
    });
    const signature = await signWindowResult(this.wallet!, this.domain!, {
      communityId: community.communityId,
      window,
      windowRoot: result.windowRoot,
      stateHash: result.stateHash,
    });
    const msg: CoSignatureMessage = { window, signer: this.participantIndex, windowRoot: result.windowRoot, stateHash: result.stateHash, signature };
    await this.storeCoSignature(msg);
    await this.network!.publishCoSignature(encodeCoSignature(msg)).catch((e) => this.logger.verbose('co-signature publish failed', { window }, e));
    return result;
  }

  private lastRepublish = 0;

  /** Peers that were down when we signed need our signature too: send it again now and then. */
  private async republishCoSignatures(): Promise<void> {
    const now = Date.now();
    if (now - this.lastRepublish < Math.max(2000, this.community!.intervalSeconds * 1000)) return;
    this.lastRepublish = now;
    const lastFinal = this.settlement!.lastFinalWindow;
    for (let w = lastFinal + 1; w < this.nextWindowToCommit; w++) {
      const own = await this.db!.coSignatures.get({ window: w, signer: this.participantIndex });
      if (own) await this.network!.publishCoSignature(encodeCoSignature(own)).catch(() => {});
    }
  }

  async statusDocument() {
    const community = this.community!;
    const clock = this.clock!;
    const db = this.db!;
    const currentInterval = clock.currentInterval();
    const windows = [];
    for (let w = Math.max(0, this.nextWindowToCommit - 5); w <= Math.min(community.windowCount - 1, clock.windowOf(Math.max(0, currentInterval))); w++) {
      const result = await db.windowResults.get(w);
      windows.push({
        window: w,
        readings: result ? result.readingCount : (await db.readings.listWindow(w)).length,
        committed: Boolean(result),
        windowRoot: result?.windowRoot,
        coSignatures: (await db.coSignatures.listWindow(w)).filter((s) => result && s.windowRoot === result.windowRoot).length,
        chain: this.settlement?.windowState(w),
      });
    }
    return {
      name: this.opts.name,
      address: this.wallet!.address,
      participantIndex: this.participantIndex,
      peerId: this.network!.peerId,
      multiaddrs: this.network!.multiaddrs(),
      peers: this.network!.connectedPeers().map((p) => p.toString()),
      community: {
        chainId: community.chainId,
        hub: community.hub,
        communityId: community.communityId,
        participants: community.participants.length,
        meters: community.meters.length,
        intervalSeconds: community.intervalSeconds,
        windowIntervals: community.windowIntervals,
        windowCount: community.windowCount,
      },
      currentInterval,
      currentWindow: Math.min(clock.windowOf(Math.max(0, currentInterval)), community.windowCount),
      over: currentInterval >= clock.totalIntervals,
      lastCommittedWindow: this.nextWindowToCommit - 1,
      lastFinalWindow: this.settlement!.lastFinalWindow,
      windows,
      balances: await this.settlement!.balances(),
    };
  }
}
