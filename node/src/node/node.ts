import { Contract, getBytes, JsonRpcProvider, Wallet, type TypedDataDomain } from 'ethers';
import { loadArtifact } from '../chain/artifacts.js';
import { Dashboard, defaultDashboardOptions } from '../api/dashboard.js';
import { SequencedSigner } from '../chain/sequencedSigner.js';
import { ApiServer } from '../api/server.js';
import { hubDomain, signWindowResult } from '../chain/eip712.js';
import { GossipValidationError } from '../chain/errors.js';
import { HubClient, type WindowRecord } from '../chain/hubClient.js';
import { validateCoSignature } from '../chain/validation/coSignature.js';
import { storeValidReadings, validateReadingBatch, type ValidReading } from '../chain/validation/reading.js';
import { VerifierPool } from '../reading/verifierPool.js';
import { CommunityClock } from '../community/clock.js';
import type { CommunityInfo } from '../community/types.js';
import { NodeDb, type StoredWindowResult } from '../db/index.js';
import { createMetrics, type Metrics } from '../metrics/metrics.js';
import { MeterService } from '../meter/meterService.js';
import { Network } from '../network/network.js';
import { encodeCoSignature, type CoSignatureMessage } from '../network/messages.js';
import { peerKeyFromSecret } from '../network/peerKey.js';
import { windowProtocolHandlers } from './reqrespHandlers.js';
import { MeterKeyRing } from '../reading/meterKeys.js';
import { serializeSignedReading, type SignedReading } from '../reading/signature.js';
import { DisputeKind, equivocationProof } from '../window/disputeProof.js';
import { createLogger, type Logger } from '../util/logger.js';
import { assembleStoredWindow, type AssembledWindow } from '../window/assemble.js';
import { foldAndCommit, type FoldedWindow } from '../window/fold.js';
import type { ParticipantState } from '../window/state.js';
import { answersGames, byzantineFold, withholdsCommitment } from './byzantine.js';
import { Settlement } from './settlement.js';
import { Disputer } from '../dispute/disputer.js';
import { GamePlayer } from '../dispute/game.js';
import { GameLoop } from '../dispute/gameLoop.js';
import type { NodeOptions } from './options.js';
import { createSimulatedMeter } from './meterFactory.js';
import {
  blsPublicKey,
  blsSign,
  decodeG1,
  decodeG2,
  encodeG1,
  encodeG2,
  nodeBlsSecretKey,
  type BlsG2Point,
} from '../crypto/bls.js';
import { encodeBlsShare } from '../cosign/messages.js';
import { shareDigest, validateBlsShare } from '../cosign/validation.js';
import { fromHex, toHex } from '../util/hex.js';

import { NodeStartError, NodeStartErrorCode, startupError } from './errors.js';
import { defaultIngestOptions, Ingest, type ReadingSource as Source } from './ingest.js';

/** How a window is folded: honestly, or (tests and demos) one of the byzantine modes. */
export type FoldStrategy = (
  community: CommunityInfo,
  window: number,
  assembled: AssembledWindow,
) => { assembled: AssembledWindow; folded: FoldedWindow; posted: ParticipantState[]; postedHash: string };

export const honestFold: FoldStrategy = (community, window, assembled) => {
  const folded = foldAndCommit(community, window, assembled);
  return { assembled, folded, posted: folded.finalState, postedHash: folded.stateHash };
};

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
  private dashboard?: Dashboard;
  private meter?: MeterService;
  private settlement?: Settlement;
  private disputer?: Disputer;
  private game?: GameLoop;
  /** One timer per loop: committing, settlement (and disputes), co-signature upkeep. */
  private readonly timers: NodeJS.Timeout[] = [];
  /** Loops running now (a loop never overlaps itself; the loops never wait on each other). */
  private readonly busy = new Set<string>();
  private ingestor?: Ingest;
  private verifier?: VerifierPool;
  private foldStrategy: FoldStrategy = honestFold;
  private domain?: TypedDataDomain;
  /** BLS community: this node's secret (never logged) and every participant's registered key. */
  private bls?: { secretKey: bigint; publicKeys: BlsG2Point[] };
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

  /**
   * Starts the node; a failure leaves nothing running and throws a NodeStartError naming the
   * cause in one line (data dir locked or bound elsewhere, RPC unreachable, port in use, ...).
   */
  async start(): Promise<void> {
    if (this.status !== 'stopped') return;
    this.status = 'starting';
    try {
      await this.startSteps();
    } catch (e) {
      this.status = 'stopping';
      for (const t of this.timers) clearInterval(t);
      this.meter?.stop();
      await this.api?.stop().catch(() => {});
      await this.network?.stop().catch(() => {});
      await this.verifier?.close();
      this.provider?.destroy();
      await this.db?.close().catch(() => {});
      this.status = 'stopped';
      throw e;
    }
  }

  private async startSteps(): Promise<void> {
    const { opts, logger, metrics } = this;
    this.db = await NodeDb.open(opts.dataDir).catch((e) => Promise.reject(startupError('store', e, opts.dataDir)));
    this.provider = new JsonRpcProvider(opts.chain.rpcUrl, undefined, {
      staticNetwork: true,
      pollingInterval: opts.chain.pollMs,
    });
    this.wallet = new Wallet(opts.privateKey, this.provider);
    const signer = new SequencedSigner(this.wallet);
    this.hub = new HubClient(
      { hub: opts.chain.hub, communityId: opts.chain.communityId },
      { runner: signer, provider: this.provider },
    );
    const community = await withDeadline(
      this.hub.communityInfo(),
      15_000,
      () =>
        new NodeStartError(
          NodeStartErrorCode.RPC_UNREACHABLE,
          `JSON-RPC endpoint ${opts.chain.rpcUrl} did not answer in 15 s`,
        ),
    ).catch((e) => Promise.reject(startupError('chain', e, opts.chain.rpcUrl)));
    this.community = community;
    this.participantIndex = community.participants.findIndex(
      (p) => p.toLowerCase() === this.wallet!.address.toLowerCase(),
    );
    if (this.participantIndex < 0) {
      throw new NodeStartError(
        NodeStartErrorCode.NOT_A_PARTICIPANT,
        `${this.wallet.address} is not a participant of community ${community.communityId} on hub ${community.hub}`,
      );
    }
    await this.bindStore(community, this.wallet.address);
    this.clock = new CommunityClock(community);
    this.keys = new MeterKeyRing(community.meters);
    this.domain = hubDomain(community.chainId, community.hub);
    if (community.coSignature?.scheme === 'bls') this.setUpBls(community.coSignature.publicKeys);
    this.nextWindowToCommit = (await this.db.meta.getNumber('nextWindowToCommit')) ?? 0;
    const byzantine = opts.byzantine;
    if (byzantine) {
      this.foldStrategy = (c, w, assembled) => {
        const b = byzantineFold(byzantine, c, w, assembled);
        return { assembled: b.assembled, folded: b.folded, posted: b.postedState, postedHash: b.postedStateHash };
      };
    }
    this.verifier = new VerifierPool(this.keys, community.meters, opts.verifyWorkers);
    this.ingestor = new Ingest(defaultIngestOptions, (batch) => this.validateAndStore(batch), metrics);

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
        serveWindow: windowProtocolHandlers({
          db: this.db,
          chainRoot: (w) => this.settlement?.chainRoot(w),
          withholdCommitment: withholdsCommitment(opts.byzantine),
        }),
      },
    });
    await this.network.start().catch((e) => Promise.reject(startupError('network', e, opts.network.listen.join(','))));

    this.settlement = new Settlement(
      { ...opts.chain, submitAlone: Boolean(opts.byzantine) },
      {
        community,
        clock: this.clock,
        db: this.db,
        hub: this.hub,
        provider: this.provider,
        participantIndex: this.participantIndex,
        address: this.wallet.address,
        graceSeconds: opts.window.graceSeconds,
        metrics,
        logger: logger.child('settlement'),
        onDisagreement: opts.byzantine ? undefined : (window, record) => this.disputeAndReport(window, record),
        gameOpen: (window, record) => this.game?.holdsOpen(window, record) ?? Promise.resolve(false),
      },
    );
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

    this.game = await this.gameLoop(community, signer);

    this.dashboard = new Dashboard(
      { ...defaultDashboardOptions, pollMs: opts.chain.pollMs },
      {
        name: opts.name,
        address: this.wallet.address,
        participantIndex: this.participantIndex,
        peerId: this.network.peerId,
        community,
        clock: this.clock,
        db: this.db,
        hub: this.hub,
        provider: this.provider,
        peers: () => this.network?.connectedPeers().map((p) => p.toString()) ?? [],
        lastCommittedWindow: () => this.nextWindowToCommit - 1,
        lastFinalWindow: () => this.settlement?.lastFinalWindow ?? -1,
        logger: logger.child('dashboard'),
      },
    );
    this.api = new ApiServer(opts.api, {
      status: () => this.statusDocument(),
      windowResult: (w) => this.db!.windowResults.get(w),
      metrics,
      logger: logger.child('api'),
      dashboard: this.dashboard,
    });
    await this.api.start().catch((e) => Promise.reject(startupError('api', e, `${opts.api.host}:${opts.api.port}`)));

    if (opts.meter) {
      let meter;
      try {
        meter = createSimulatedMeter(opts.meter, community);
      } catch (e) {
        throw startupError('meter', e, '');
      }
      this.meter = new MeterService(
        {
          tickMs: Math.max(100, Math.min(1000, (community.intervalSeconds * 1000) / 4)),
          lastInterval: this.clock.totalIntervals - 1,
          profileOffset: opts.meter.profileOffset,
        },
        { meter, clock: this.clock, logger: logger.child('meter'), publish: (bytes) => this.publishOwnReading(bytes) },
      );
      // A fresh meter starts with the current window, as a real one hands over what it buffered.
      const resumeFrom =
        (await this.db.meta.getNumber(`meter${opts.meter.meterIndex}.next`)) ??
        this.clock.firstInterval(this.clock.windowOf(Math.max(0, this.clock.currentInterval())));
      this.meter.start(resumeFrom);
    }

    this.timers.push(
      setInterval(() => void this.loop('commit', () => this.commitLoop()), opts.tickMs),
      setInterval(() => void this.loop('settle', () => this.settlement!.tick()), opts.tickMs),
      setInterval(() => void this.loop('cosign', () => this.republishCoSignatures()), opts.tickMs),
      // Move deadlines are long (an hour in the standard set): at most one game round a second.
      setInterval(() => void this.loop('game', () => this.game!.tick()), Math.max(opts.chain.pollMs, 1000)),
    );
    this.status = 'started';
    logger.info('node started', {
      address: this.wallet.address,
      participant: this.participantIndex,
      community: community.communityId,
      api: this.api.url,
      nextWindow: this.nextWindowToCommit,
    });
  }

  /**
   * The data-availability game (dispute/gameLoop.ts) on this node's signer: it answers games against
   * claims it signed and challenges claims whose data no peer serves. A byzantine node challenges
   * nothing; in `withheld-commitment` mode it answers nothing either.
   */
  private async gameLoop(community: CommunityInfo, signer: SequencedSigner): Promise<GameLoop> {
    const { opts, logger, metrics } = this;
    const { hub, game } = GamePlayer.contracts(community.hub, await this.hub!.gameModule(), signer);
    return new GameLoop(opts.game, {
      community,
      clock: this.clock!,
      db: this.db!,
      hub: this.hub!,
      provider: this.provider!,
      player: new GamePlayer({
        hub,
        game,
        communityId: community.communityId,
        windowIntervals: community.windowIntervals,
        metrics,
        logger: logger.child('game'),
      }),
      token: new Contract(community.token, loadArtifact('CommunityToken').abi, signer),
      address: this.wallet!.address,
      participantIndex: this.participantIndex,
      answer: answersGames(opts.byzantine),
      challenge: !opts.byzantine,
      takeoverSeconds: opts.chain.takeoverSeconds,
      backoffSeconds: opts.chain.backoffSeconds,
      fetchCommitments: (window) => this.fetchCommitments(window),
      metrics,
      logger: logger.child('game'),
    });
  }

  /**
   * A store holds one participant's view of one community: bound at first start to (chain, hub,
   * community, participant), refused for any other (a wrong config must not mix two communities'
   * readings or sign with another key over this one's windows).
   */
  private async bindStore(community: CommunityInfo, address: string): Promise<void> {
    const db = this.db!;
    const binding = {
      chainId: community.chainId.toString(),
      hub: community.hub.toLowerCase(),
      communityId: community.communityId.toString(),
      participant: address.toLowerCase(),
    };
    const stored = (await db.meta.get('binding')) as typeof binding | undefined;
    if (!stored) {
      await db.meta.put('binding', binding);
      return;
    }
    const differs = (Object.keys(binding) as (keyof typeof binding)[]).filter((k) => stored[k] !== binding[k]);
    if (differs.length > 0) {
      throw new NodeStartError(
        NodeStartErrorCode.DATA_DIR_FOREIGN,
        `data dir ${this.opts.dataDir} belongs to ${differs.map((k) => `${k} ${stored[k]}`).join(', ')}, not ${differs.map((k) => `${k} ${binding[k]}`).join(', ')}: use another --data-dir`,
      );
    }
  }

  async stop(): Promise<void> {
    if (this.status !== 'started' && this.status !== 'starting') return;
    this.status = 'stopping';
    for (const t of this.timers) clearInterval(t);
    this.meter?.stop();
    await this.bounded('api stop', this.api?.stop());
    await this.bounded('network stop', this.network?.stop());
    // Let the loops and an ingest in flight finish before the store closes (not forever: a
    // stuck RPC call must not keep the node from stopping).
    const deadline = Date.now() + 5000;
    while (this.busy.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await Promise.race([
      this.ingestor?.drained(),
      new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now()))),
    ]);
    await this.verifier?.close();
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

  /** Validates and stores one signed reading (see `Ingest`: one at a time, own first, replays dropped). */
  ingest(bytes: Uint8Array, source: Source): Promise<ValidReading> {
    return this.ingestor!.submit(bytes, source);
  }

  /**
   * Validation of a batch (signatures on the verifier pool's worker threads), one write for what
   * was accepted, then the side effects of each Accept: re-fold mark, metrics, equivocation report.
   */
  private async validateAndStore(
    batch: readonly { bytes: Uint8Array; source: Source }[],
  ): Promise<(ValidReading | Error)[]> {
    const started = performance.now();
    const results = await validateReadingBatch(
      {
        community: this.community!,
        clock: this.clock!,
        keys: this.keys!,
        db: this.db!,
        maxFutureIntervals: this.opts.maxFutureIntervals,
        isWindowSettled: (w) => this.settlement?.isWindowSettled(w) ?? false,
      },
      batch.map((b) => b.bytes),
      (signed) => this.verifier!.verify(signed),
    );
    const accepted = results.filter((r): r is ValidReading => !(r instanceof Error));
    await storeValidReadings(this.db!, accepted);
    results.forEach((valid, i) => {
      if (valid instanceof Error) return;
      if (valid.window < this.nextWindowToCommit) this.dirtyWindows.add(valid.window);
      if (valid.kind === 'equivocation') {
        this.metrics?.equivocations.inc();
        this.logger.warn('meter equivocation: slot voided, evidence kept', {
          meter: valid.signed.reading.meterIndex,
          interval: valid.signed.reading.interval,
        });
        this.dashboard?.reportEquivocation(
          valid.window,
          valid.signed.reading.meterIndex,
          valid.signed.reading.interval,
        );
        void this.reportEquivocation(valid.window, valid.first, valid.signed);
      } else {
        this.metrics?.readingsStored.inc({ source: batch[i].source });
      }
    });
    const seconds = (performance.now() - started) / 1000;
    for (let i = 0; i < batch.length; i++) this.metrics?.readingValidationSeconds.observe(seconds / batch.length);
    return results;
  }

  /** Disputes a pending claim that differs from our fold; the dashboard's feed shows both steps. */
  private async disputeAndReport(window: number, record: WindowRecord): Promise<boolean> {
    this.dashboard?.reportDisagreement(window, record.windowRoot);
    const outcome = await this.disputer!.dispute(window, record);
    this.dashboard?.reportDisputeSent(window, record.windowRoot, outcome);
    return outcome;
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
      this.logger.warn('equivocation registered on chain', {
        meter: first.reading.meterIndex,
        interval: first.reading.interval,
        gasUsed: receipt.gasUsed,
      });
    } catch (e) {
      this.metrics?.disputes.inc({ kind: 'Equivocation', result: 'failed' });
      this.logger.warn(
        'equivocation report failed',
        { meter: first.reading.meterIndex, interval: first.reading.interval },
        e,
      );
    }
  }

  /**
   * Our own meter's reading: published at once (it must not queue behind others' messages on
   * its way out) and ingested ahead of every queued reading from peers.
   */
  private async publishOwnReading(bytes: Uint8Array): Promise<void> {
    const published = this.network!.publishReading(bytes).catch((e) =>
      this.logger.verbose('own reading publish failed', {}, e),
    );
    try {
      await this.ingest(bytes, 'local');
    } catch (e) {
      if (!(e instanceof GossipValidationError)) throw e;
      this.logger.verbose('own meter reading not stored', { code: e.code });
      await published;
      return;
    }
    await published;
    if (this.opts.meter) {
      const interval = Buffer.from(bytes).readUInt32BE(58);
      await this.db!.meta.put(`meter${this.opts.meter.meterIndex}.next`, interval + 1);
    }
  }

  /**
   * BLS community: the node's BLS key is derived from its node key (as it was when it joined) and must
   * be the one the module registered for its index; the others' keys verify their shares.
   */
  private setUpBls(registered: Uint8Array[]): void {
    const sk = nodeBlsSecretKey(getBytes(this.opts.privateKey));
    if (toHex(encodeG2(blsPublicKey(sk))) !== toHex(registered[this.participantIndex] ?? new Uint8Array(0))) {
      throw new NodeStartError(
        NodeStartErrorCode.NOT_A_PARTICIPANT,
        `the BLS key registered for participant ${this.participantIndex} is not this node's`,
      );
    }
    this.bls = { secretKey: sk, publicKeys: registered.map((k) => decodeG2(k)) };
  }

  /** The gossip bytes of a stored co-signature: the ECDSA message, or the BLS share message. */
  private coSignatureBytes(msg: CoSignatureMessage): Uint8Array {
    if (!this.bls) return encodeCoSignature(msg);
    return encodeBlsShare({
      window: msg.window,
      signer: msg.signer,
      windowRoot: msg.windowRoot,
      stateHash: msg.stateHash,
      share: decodeG1(fromHex(msg.signature)),
    });
  }

  private async onCoSignature(data: Uint8Array): Promise<void> {
    if (this.bls) return this.onBlsShare(data, this.bls.publicKeys);
    const msg = await validateCoSignature(
      {
        community: this.community!,
        clock: this.clock!,
        domain: this.domain!,
        db: this.db!,
        lastFinalWindow: () => this.settlement?.lastFinalWindow ?? -1,
      },
      data,
    );
    await this.storeCoSignature(msg);
  }

  /** A BLS share on the co-signature topic: same checks and codes, the pairing last; stored as hex. */
  private async onBlsShare(data: Uint8Array, publicKeys: readonly BlsG2Point[]): Promise<void> {
    const b = Buffer.from(data);
    // The stored share of (window, signer), fetched before the synchronous checks when the header is readable.
    const held =
      b.length >= 6
        ? await this.db!.coSignatures.get({ window: b.readUInt32BE(0), signer: b.readUInt16BE(4) })
        : undefined;
    const share = validateBlsShare(
      {
        community: this.community!,
        clock: this.clock!,
        publicKeys,
        lastFinalWindow: () => this.settlement?.lastFinalWindow ?? -1,
        holds: (window, signer, windowRoot, stateHash) =>
          held !== undefined &&
          held.window === window &&
          held.signer === signer &&
          held.windowRoot === windowRoot &&
          held.stateHash === stateHash,
      },
      data,
    );
    await this.storeCoSignature({
      window: share.window,
      signer: share.signer,
      windowRoot: share.windowRoot,
      stateHash: share.stateHash,
      signature: toHex(encodeG1(share.share)),
    });
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

  /** Assembles a window from the store and folds it with the node's fold strategy. */
  private async foldWindow(
    window: number,
  ): Promise<{ assembled: AssembledWindow; folded: FoldedWindow; posted: ParticipantState[]; postedHash: string }> {
    const community = this.community!;
    return this.foldStrategy(community, window, await assembleStoredWindow(this.db!, community, window));
  }

  /** Runs one round of a loop unless the previous round is still going; a failure is logged, never fatal. */
  private async loop(name: string, round: () => Promise<void>): Promise<void> {
    if (this.busy.has(name) || this.status !== 'started') return;
    this.busy.add(name);
    try {
      await round();
    } catch (e) {
      this.logger.error(`${name} loop failed`, {}, e);
    } finally {
      this.busy.delete(name);
    }
  }

  /** The committing loop: fold and sign the windows that are over, then re-fold those whose input grew. */
  private async commitLoop(): Promise<void> {
    const clock = this.clock!;
    this.metrics?.currentWindow.set(clock.windowOf(Math.max(0, clock.currentInterval())));
    while (this.status === 'started' && this.readyToCommit(this.nextWindowToCommit)) {
      await this.commitWindow(this.nextWindowToCommit);
      this.nextWindowToCommit++;
      await this.db!.meta.put('nextWindowToCommit', this.nextWindowToCommit);
    }
    if (this.status === 'started') await this.revisitWindows();
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

  /**
   * Every connected peer's commitment of a window (the window protocol's `commitment`), from the
   * peers that answer within the deadline: a peer that hangs or floods cannot hold it up.
   */
  private async fetchCommitments(window: number): Promise<Uint8Array[][]> {
    const answers = await this.network!.requestAll(
      { method: 'commitment', window },
      this.opts.window.reconcileTimeoutMs,
    );
    return answers.map((a) => a.items).filter((a) => a.length > 0);
  }

  /**
   * Fetches the window's readings and equivocation evidence from every connected peer at once,
   * each request bounded (deadline, item and byte caps); validation decides what is kept.
   */
  async reconcile(window: number): Promise<number> {
    const network = this.network!;
    const deadline = this.opts.window.reconcileTimeoutMs;
    const answers = await Promise.all(
      (['readings', 'equivocations'] as const).map((method) => network.requestAll({ method, window }, deadline)),
    );
    let added = 0;
    for (const { items } of answers.flat()) {
      for (const item of items) {
        try {
          await this.ingest(item, 'reconcile');
          added++;
        } catch (e) {
          if (!(e instanceof GossipValidationError)) throw e;
        }
      }
    }
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
      intervals: folded.commitment.intervals.map(({ interval, readingsRoot, stateHash }) => ({
        interval,
        readingsRoot,
        stateHash,
      })),
      readingCount: assembled.readingCount,
      voidedSlots: assembled.voidedSlots,
      committedAt: Math.floor(Date.now() / 1000),
    };
    if (existing && existing.windowRoot === result.windowRoot) return existing;
    // What we are about to sign is kept as signed, before the signature leaves: a reading that
    // arrives later cannot make our claim unprovable.
    await db.commitments.put(
      { window, windowRoot: result.windowRoot },
      {
        window,
        windowRoot: result.windowRoot,
        stateHash: result.stateHash,
        frames: commitmentFrames(assembled, folded),
        signedAt: Date.now(),
      },
    );
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
    const signature = this.bls
      ? toHex(
          encodeG1(
            blsSign(
              this.bls.secretKey,
              shareDigest(community, { window, windowRoot: result.windowRoot, stateHash: result.stateHash }),
              community,
            ),
          ),
        )
      : await signWindowResult(this.wallet!, this.domain!, {
          communityId: community.communityId,
          window,
          windowRoot: result.windowRoot,
          stateHash: result.stateHash,
        });
    const msg: CoSignatureMessage = {
      window,
      signer: this.participantIndex,
      windowRoot: result.windowRoot,
      stateHash: result.stateHash,
      signature,
    };
    await this.storeCoSignature(msg);
    await this.network!.publishCoSignature(this.coSignatureBytes(msg)).catch((e) =>
      this.logger.verbose('co-signature publish failed', { window }, e),
    );
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
      if (own) await this.network!.publishCoSignature(this.coSignatureBytes(own)).catch(() => {});
    }
  }

  async statusDocument() {
    const community = this.community!;
    const clock = this.clock!;
    const db = this.db!;
    const currentInterval = clock.currentInterval();
    const windows = [];
    for (
      let w = Math.max(0, this.nextWindowToCommit - 5);
      w <= Math.min(community.windowCount - 1, clock.windowOf(Math.max(0, currentInterval)));
      w++
    ) {
      const result = await db.windowResults.get(w);
      windows.push({
        window: w,
        readings: result ? result.readingCount : (await db.readings.listWindow(w)).length,
        committed: Boolean(result),
        windowRoot: result?.windowRoot,
        coSignatures: (await db.coSignatures.listWindow(w)).filter((s) => result && s.windowRoot === result.windowRoot)
          .length,
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

/** The window protocol's `commitment` frames of a fold: per interval, the slots and the state S_t. */
function commitmentFrames(assembled: AssembledWindow, folded: FoldedWindow): string[] {
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

/** `p`, or `onTimeout()` thrown after `ms`. */
function withDeadline<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(onTimeout()), ms))),
  ]).finally(() => clearTimeout(timer));
}
