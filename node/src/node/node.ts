import { Contract, getBytes, type JsonRpcProvider, Wallet } from 'ethers';
import { Dashboard, defaultDashboardOptions } from '../api/dashboard.js';
import { ApiServer } from '../api/server.js';
import { loadArtifact } from '../chain/artifacts.js';
import { ChainProvider, REQUEST_TIMEOUT_MS } from '../chain/provider.js';
import { hubDomain } from '../chain/eip712.js';
import { GossipValidationError } from '../chain/errors.js';
import { HubClient } from '../chain/hubClient.js';
import { SequencedSigner } from '../chain/sequencedSigner.js';
import { CommunityClock } from '../community/clock.js';
import type { CommunityInfo } from '../community/types.js';
import { NodeDb, STORE_FORMAT, storeFormatProblem } from '../db/index.js';
import { claimFinalState, Disputer } from '../dispute/disputer.js';
import { GamePlayer } from '../dispute/game.js';
import { GameLoop } from '../dispute/gameLoop.js';
import { MeterService } from '../meter/meterService.js';
import { createMetrics, type Metrics } from '../metrics/metrics.js';
import { Network } from '../network/network.js';
import { peerKeyFromSecret } from '../network/peerKey.js';
import { MeterKeyRing } from '../reading/meterKeys.js';
import { VerifierPool } from '../reading/verifierPool.js';
import { createLogger, type Logger } from '../util/logger.js';
import { BalanceBook, thiefBalances } from './balanceBook.js';
import { answersGames, byzantineClaimed, ByzantineMode, byzantineStrategy, withholdsCommitment } from './byzantine.js';
import { blsKeys, CoSigner } from './coSigner.js';
import { honestFold, WindowCommitter } from './committer.js';
import { EquivocationReporter } from './equivocations.js';
import { NodeStartError, NodeStartErrorCode, startupError } from './errors.js';
import { NodeEvents } from './events.js';
import { defaultIngestOptions, Ingest, readingProcessor } from './ingest.js';
import { Loop } from './loop.js';
import { createSimulatedMeter, meterResumeInterval } from './meterFactory.js';
import type { NodeOptions } from './options.js';
import { windowProtocolHandlers } from './reqrespHandlers.js';
import { chainClaimStake } from './claimStake.js';
import { Settlement } from './settlement.js';
import { statusDocument } from './status.js';
import { commitLayout } from '../window/fold.js';

export { type FoldStrategy, honestFold } from './committer.js';

type LoopName = 'commit' | 'settle' | 'cosign' | 'game';

/** The parts of a started node, composed once by `start()`; none holds a reference to another. */
interface NodeParts {
  readonly db: NodeDb;
  readonly provider: JsonRpcProvider;
  readonly wallet: Wallet;
  readonly community: CommunityInfo;
  readonly clock: CommunityClock;
  readonly participantIndex: number;
  readonly events: NodeEvents;
  readonly verifier: VerifierPool;
  readonly ingest: Ingest;
  readonly network: Network;
  readonly settlement: Settlement;
  readonly committer: WindowCommitter;
  readonly coSigner: CoSigner;
  readonly disputer: Disputer;
  readonly game: GameLoop;
  readonly reporter: EquivocationReporter;
  readonly dashboard: Dashboard;
  readonly api: ApiServer;
  readonly status: () => ReturnType<typeof statusDocument>;
  readonly meter?: MeterService;
  /**
   * Auction: reads the community's new limit orders from the chain into its `LimitBook` (before each commit
   * round, at most once per chain poll), so every window is folded with the prices in force for it.
   */
  readonly refreshLimits: () => Promise<void>;
}

/**
 * One participant's node, composed the lodestar way from parts that talk through typed events
 * (`NodeEvents`):
 *
 * - ingest (`Ingest` + `readingProcessor`): validates and stores readings → `readingStored`,
 *   `equivocation`;
 * - window committer (`WindowCommitter`, fold strategy injected: honest or a byzantine mode)
 *   → `windowCommitted`;
 * - co-signer (`CoSigner`): signs on `windowCommitted`, validates the others' signatures
 *   → `coSignatureDisagrees` (the committer reconciles);
 * - submitter and auditor (`Settlement`), disputes (`Disputer`), equivocation reports
 *   (`EquivocationReporter`), the window-protocol handlers, the status document, the API.
 *
 * Four loops on their own timers (commit, settle, co-signature upkeep, game; `Loop`), each never
 * overlapping itself and never waiting on another; the commit and settle loops are also woken when
 * their work arrives (a window's last reading, every co-signature held) rather than at their next tick. Start order: store → chain → settlement → ingest →
 * network → committer, co-signer → api → meter; stop in reverse.
 */
export class DiversityNode {
  readonly logger: Logger;
  readonly metrics: Metrics | null;
  private status: 'stopped' | 'starting' | 'started' | 'stopping' = 'stopped';
  private parts?: NodeParts;
  /** Undo steps of a start in progress (a failed start leaves nothing running). */
  private closers: (() => Promise<void> | void)[] = [];
  /** The node's loops by name (each never overlaps itself; the loops never wait on each other). */
  private readonly loops = new Map<LoopName, Loop>();

  constructor(
    readonly opts: NodeOptions,
    modules: { logger?: Logger; metrics?: Metrics | null } = {},
  ) {
    this.logger = modules.logger ?? createLogger({ level: opts.logLevel, name: opts.name });
    this.metrics = modules.metrics === undefined ? createMetrics({ defaultMetrics: true }) : modules.metrics;
  }

  get apiUrl(): string | undefined {
    return this.parts?.api.url;
  }

  get peerId(): string | undefined {
    return this.parts?.network.peerId;
  }

  /** The node's store while it runs (read it, e.g. to audit; the node writes it). */
  get store(): NodeDb | undefined {
    return this.parts?.db;
  }

  get community(): CommunityInfo | undefined {
    return this.parts?.community;
  }

  get clock(): CommunityClock | undefined {
    return this.parts?.clock;
  }

  get participantIndex(): number {
    return this.parts?.participantIndex ?? -1;
  }

  multiaddrs(): string[] {
    return this.parts?.network.multiaddrs() ?? [];
  }

  /**
   * Starts the node; a failure leaves nothing running and throws a NodeStartError naming the
   * cause in one line (data dir locked or bound elsewhere, RPC unreachable, port in use, ...).
   */
  async start(): Promise<void> {
    if (this.status !== 'stopped') return;
    this.status = 'starting';
    this.closers = [];
    try {
      this.parts = await this.compose();
    } catch (e) {
      this.status = 'stopping';
      for (const close of this.closers.reverse()) await Promise.resolve(close()).catch(() => {});
      this.closers = [];
      this.status = 'stopped';
      throw e;
    }
    const { committer, settlement, coSigner, game, community, wallet, participantIndex, api, refreshLimits } =
      this.parts;
    const running = () => this.status === 'started';
    const loop = (name: LoopName, periodMs: number, round: () => Promise<void>) =>
      this.loops.set(name, new Loop(name, periodMs, round, this.logger));
    loop('commit', this.opts.tickMs, () => refreshLimits().then(() => committer.tick(running)));
    loop('settle', this.opts.tickMs, () => settlement.tick());
    loop('cosign', this.opts.tickMs, () => coSigner.republish().then(() => {}));
    // Move deadlines are long (an hour in the standard set): at most one game round a second.
    loop('game', Math.max(this.opts.chain.pollMs, 1000), () => game.tick());
    this.status = 'started';
    for (const l of this.loops.values()) l.start();
    // Off the record, beside the loops: the first fold, co-signature and submission of a process run
    // cold, and at window 0 every node of the community runs them at once.
    void this.warmUp();
    this.logger.info('node started', {
      address: wallet.address,
      participant: participantIndex,
      community: community.communityId,
      api: api.url,
      nextWindow: committer.nextWindowToCommit,
    });
  }

  /**
   * Runs the window path once at start-up, off the record (nothing stored, signed for the chain,
   * published or sent): a synthetic fold with its commitment and balances, a co-signature made and
   * checked, the fee data and an update's calldata, the verifier threads up. Window 0 then finds every
   * part warm instead of paying each process's cold start on its way to final. A failure is logged.
   */
  private async warmUp(): Promise<void> {
    const parts = this.parts;
    if (!parts) return;
    const started = performance.now();
    try {
      parts.committer.warmUp();
      const signs = await parts.coSigner.warmUp();
      if (!signs) this.logger.warn('warm-up: our own co-signature does not check');
      await parts.settlement.warmUp();
      await parts.verifier.ready();
      this.logger.info('warmed up', { ms: Math.round(performance.now() - started) });
    } catch (e) {
      this.logger.warn('warm-up failed (the first window runs cold)', {}, e);
    }
  }

  /** Builds and starts every part, once; each started resource registers how to undo it. */
  private async compose(): Promise<NodeParts> {
    const { opts, logger, metrics } = this;
    const db = await NodeDb.open(opts.dataDir).catch((e) => Promise.reject(startupError('store', e, opts.dataDir)));
    this.closers.push(() => db.close());
    const provider = new ChainProvider(opts.chain.rpcUrl, undefined, {
      staticNetwork: true,
      pollingInterval: opts.chain.pollMs,
    });
    this.closers.push(() => provider.destroy());
    // A request the chain node dropped: counted and said (its error, if not retried, reaches the loop's log).
    provider.onTimeout = ({ method, batch, retried }) => {
      metrics?.rpcTimeouts.inc({ method, outcome: retried ? 'retried' : 'failed' });
      logger.warn('JSON-RPC request unanswered', { method, batch, retried, afterMs: REQUEST_TIMEOUT_MS });
    };
    const wallet = new Wallet(opts.privateKey, provider);
    // One signer for every transaction of this node (hub calls, game moves): nonces in sequence.
    const signer = new SequencedSigner(wallet);
    const hub = new HubClient(
      { hub: opts.chain.hub, communityId: opts.chain.communityId, fromBlock: opts.chain.fromBlock },
      { runner: signer, provider },
    );
    const community = await withDeadline(
      hub.communityInfo(),
      15_000,
      () =>
        new NodeStartError(
          NodeStartErrorCode.RPC_UNREACHABLE,
          `JSON-RPC endpoint ${opts.chain.rpcUrl} did not answer in 15 s`,
        ),
    ).catch((e) => Promise.reject(startupError('chain', e, opts.chain.rpcUrl)));
    const participantIndex = community.participants.findIndex((p) => p.toLowerCase() === wallet.address.toLowerCase());
    if (participantIndex < 0) {
      throw new NodeStartError(
        NodeStartErrorCode.NOT_A_PARTICIPANT,
        `${wallet.address} is not a participant of community ${community.communityId} on hub ${community.hub}`,
      );
    }
    await this.bindStore(db, community, wallet.address);
    const clock = new CommunityClock(community);
    const keys = new MeterKeyRing(community.meters);
    const bls =
      community.coSignature?.scheme === 'bls'
        ? blsKeys(getBytes(opts.privateKey), participantIndex, community.coSignature.publicKeys)
        : undefined;
    const events = new NodeEvents(logger.child('events'));

    // Parts created later are reached through these closures only once the node runs.
    let disputer: Disputer | undefined;
    let dashboard: Dashboard | undefined;
    let network: Network | undefined;
    let committer: WindowCommitter | undefined;
    let game: GameLoop | undefined;

    const balanceBook = new BalanceBook({
      community,
      db,
      finalRecord: async (w) => settlement.finalRecord(w),
      chainFinalState: async (w, record) => hub.claimedFinalState(w, record),
      fetchFinalState: async (w, record) =>
        committer
          ? claimFinalState(commitLayout(community), await committer.fetchCommitments(w), record.windowRoot)
          : undefined,
      metrics,
      logger: logger.child('balances'),
    });
    const settlement: Settlement = new Settlement(
      { ...opts.chain, submitAlone: Boolean(opts.byzantine) },
      {
        community,
        balanceBook,
        onFinal: (w, record) => committer?.onWindowFinal(w, record) ?? Promise.resolve(),
        clock,
        db,
        hub,
        provider,
        participantIndex,
        address: wallet.address,
        graceSeconds: opts.window.graceSeconds,
        clockSkewSeconds: opts.maxClockSkewSeconds,
        metrics,
        logger: logger.child('settlement'),
        onDisagreement: opts.byzantine
          ? undefined
          : async (window, record) => {
              dashboard?.reportDisagreement(window, record.windowRoot);
              const outcome = (await disputer?.dispute(window, record)) ?? false;
              dashboard?.reportDisputeSent(window, record.windowRoot, outcome);
              return outcome;
            },
        gameOpen: (window, record) => game?.holdsOpen(window, record) ?? Promise.resolve(false),
        beforePendingClaim: (window) => committer?.refreshBeforeClaim(window) ?? Promise.resolve(false),
        stake: chainClaimStake(
          hub,
          new Contract(community.token, loadArtifact('CommunityToken').abi, signer),
          wallet.address,
        ),
      },
    );
    // Which windows are on chain, before any reading is taken in (a restarted node's meter
    // catches up at once: its late readings of a window already claimed are sealed out, as at
    // every other node, instead of making this node's fold differ from the claim).
    await withDeadline(settlement.sync(), 15_000, () => new Error('hub did not answer in 15 s')).catch((e) =>
      logger.warn('could not read the hub at start-up; the settlement loop will', {}, e),
    );

    const verifier = new VerifierPool(keys, community.meters, opts.verifyWorkers);
    this.closers.push(() => verifier.close());
    const ingest = new Ingest(
      defaultIngestOptions,
      readingProcessor({
        validation: {
          community,
          clock,
          keys,
          db,
          maxFutureIntervals: Math.max(
            opts.maxFutureIntervals,
            Math.ceil((2 * opts.maxClockSkewSeconds) / community.intervalSeconds),
          ),
          isWindowSettled: (w) => settlement.isWindowSettled(w),
        },
        verifier,
        events,
        metrics,
        logger,
      }),
      metrics,
    );

    const coSigner = new CoSigner({
      community,
      clock,
      db,
      participantIndex,
      signer: wallet,
      domain: hubDomain(community.chainId, community.hub),
      bls,
      publish: (bytes) => network!.publishCoSignature(bytes),
      lastFinalWindow: () => settlement.lastFinalWindow,
      nextWindowToCommit: () => committer?.nextWindowToCommit ?? 0,
      events,
      metrics,
      logger: logger.child('cosign'),
    });

    network = new Network(opts.network, {
      privateKey: await peerKeyFromSecret(opts.privateKey),
      community,
      metrics,
      logger: logger.child('network'),
      handlers: {
        onReading: async (data) => {
          await ingest.submit(data, 'gossip');
        },
        onCoSignature: (data) => coSigner.onGossip(data),
        serveWindow: windowProtocolHandlers({
          db,
          chainRoot: (w) => settlement.chainRoot(w),
          withholdCommitment: withholdsCommitment(opts.byzantine),
        }),
      },
    });
    const net = network;
    this.closers.push(() => net.stop());
    await net.start().catch((e) => Promise.reject(startupError('network', e, opts.network.listen.join(','))));

    committer = new WindowCommitter(opts.window, {
      community,
      keys,
      clock,
      db,
      network: net,
      fold: opts.byzantine ? byzantineStrategy(opts.byzantine) : honestFold,
      balances: balanceBook,
      balancesStrategy: opts.byzantine === ByzantineMode.ThiefBalances ? thiefBalances(participantIndex) : undefined,
      ingest: (bytes, source) => ingest.submit(bytes, source),
      isWindowSettled: (w) => settlement.isWindowSettled(w),
      bootstrapPeers: opts.network.bootstrap.length,
      events,
      metrics,
      logger,
    });
    await committer.init(settlement.lastFinalWindow + 1);
    const windows = committer;
    // Windows seen final at start-up (before the committer existed): adopt the final claims we lack.
    for (let w = 0; w <= settlement.lastFinalWindow; w++) {
      const record = settlement.finalRecord(w);
      if (record) windows.watchFinal(w, record, await db.windowResults.get(w));
    }
    // Signatures held from before a restart over another result than ours: fetch those windows again.
    for (let w = settlement.lastFinalWindow + 1; w < windows.nextWindowToCommit; w++)
      await coSigner.reportDisagreements(w);
    disputer = new Disputer({
      community,
      participantIndex,
      keys,
      db,
      hub,
      balances: balanceBook,
      metrics,
      logger: logger.child('dispute'),
      fetchCommitments: (window) => windows.fetchCommitments(window),
    });
    // The data-availability game (dispute/gameLoop.ts): answers games against claims this node signed
    // and challenges claims whose data no peer serves. A byzantine node challenges nothing; in
    // `withheld-commitment` mode it answers nothing either.
    const contracts = GamePlayer.contracts(community.hub, await hub.gameModule(), signer);
    const gameLoop = new GameLoop(opts.game, {
      community,
      clock,
      db,
      hub,
      provider,
      player: new GamePlayer({
        hub: contracts.hub,
        game: contracts.game,
        communityId: community.communityId,
        windowIntervals: community.windowIntervals,
        metrics,
        logger: logger.child('game'),
      }),
      token: new Contract(community.token, loadArtifact('CommunityToken').abi, signer),
      address: wallet.address,
      keys,
      participantIndex,
      answer: answersGames(opts.byzantine),
      challenge: !opts.byzantine,
      takeoverSeconds: opts.chain.takeoverSeconds,
      backoffSeconds: opts.chain.backoffSeconds,
      fetchCommitments: (window) => windows.fetchCommitments(window),
      claimedAs: byzantineClaimed(opts.byzantine),
      metrics,
      logger: logger.child('game'),
    });
    game = gameLoop;
    const reporter = new EquivocationReporter({
      community,
      participantIndex,
      hub,
      events,
      metrics,
      logger: logger.child('dispute'),
    });

    dashboard = new Dashboard(
      { ...defaultDashboardOptions, pollMs: opts.chain.pollMs },
      {
        name: opts.name,
        address: wallet.address,
        participantIndex,
        peerId: net.peerId,
        community,
        clock,
        db,
        hub,
        provider,
        peers: () => net.connectedPeers().map((p) => p.toString()),
        lastCommittedWindow: () => windows.lastCommittedWindow,
        lastFinalWindow: () => settlement.lastFinalWindow,
        finalBalances: () => balanceBook.before(settlement.lastFinalWindow + 1, true),
        logger: logger.child('dashboard'),
      },
    );
    const board = dashboard;
    // Work that need not wait for a loop's next tick: the last reading of a window that is over (fold
    // it now), every co-signature over our result held (send the fast-path update now).
    events.on('readingStored', ({ window }) => {
      if (windows.awaitsFold(window)) this.wake('commit');
    });
    events.on('coSignaturesComplete', () => this.wake('settle'));
    events.on('equivocation', ({ window, second }) =>
      board.reportEquivocation(window, second.reading.meterIndex, second.reading.interval),
    );
    const status = () =>
      statusDocument({
        name: opts.name,
        address: wallet.address,
        participantIndex,
        community,
        clock,
        db,
        settlement,
        members: () => board.memberRows(),
        lastCommittedWindow: () => windows.lastCommittedWindow,
        peerId: () => net.peerId,
        multiaddrs: () => net.multiaddrs(),
        peers: () => net.connectedPeers().map((p) => p.toString()),
      });
    const api = new ApiServer(opts.api, {
      status,
      windowResult: (w) => db.windowResults.get(w),
      balances: async (w) => {
        const record = await settlement.finalRecordNow(w);
        return record ? balanceBook.finalBalances(w, record) : undefined;
      },
      metrics,
      logger: logger.child('api'),
      dashboard,
    });
    this.closers.push(() => api.stop());
    await api.start().catch((e) => Promise.reject(startupError('api', e, `${opts.api.host}:${opts.api.port}`)));

    const meter = await this.startMeter(community, clock, db, net, ingest);
    return {
      db,
      provider,
      wallet,
      community,
      clock,
      participantIndex,
      events,
      verifier,
      ingest,
      network: net,
      settlement,
      committer: windows,
      coSigner,
      disputer,
      game: gameLoop,
      reporter,
      dashboard: board,
      api,
      status,
      meter,
      refreshLimits: async () => {
        const book = community.limitBook;
        if (!book || clock.nowSeconds() - book.syncedTo < opts.chain.pollMs / 1000) return;
        const read = await hub.refreshLimitBook(book, Math.floor(clock.nowSeconds()));
        if (read > 0) logger.info('limit orders read from the chain', { orders: read, epochs: book.epochs.length });
      },
    };
  }

  /**
   * The simulated meter (devnet, tests): its readings are published at once (they must not queue
   * behind others' messages on their way out) and ingested ahead of every queued reading from
   * peers. A fresh meter starts with the current window, as a real one hands over what it buffered.
   */
  private async startMeter(
    community: CommunityInfo,
    clock: CommunityClock,
    db: NodeDb,
    network: Network,
    ingest: Ingest,
  ): Promise<MeterService | undefined> {
    const meterOpts = this.opts.meter;
    if (!meterOpts) return undefined;
    let meter: ReturnType<typeof createSimulatedMeter>;
    try {
      meter = createSimulatedMeter(meterOpts, community);
    } catch (e) {
      throw startupError('meter', e, '');
    }
    const logger = this.logger;
    const publish = async (bytes: Uint8Array): Promise<void> => {
      const published = network.publishReading(bytes).catch((e) => logger.verbose('own reading publish failed', {}, e));
      try {
        await ingest.submit(bytes, 'local');
      } catch (e) {
        if (!(e instanceof GossipValidationError)) throw e;
        // Not kept (its window is already on chain, or it is held already): not sent again either.
        logger.verbose('own meter reading not stored', { code: e.code });
      }
      await published;
      const interval = Buffer.from(bytes).readUInt32BE(58);
      await db.meta.put(`meter${meterOpts.meterIndex}.next`, interval + 1);
    };
    const service = new MeterService(
      {
        tickMs: Math.max(100, Math.min(1000, (community.intervalSeconds * 1000) / 4)),
        lastInterval: clock.totalIntervals - 1,
        profileOffset: meterOpts.profileOffset,
      },
      { meter, clock, logger: logger.child('meter'), publish },
    );
    service.start(await meterResumeInterval(db, meterOpts.meterIndex, clock));
    this.closers.push(() => service.stop());
    return service;
  }

  /**
   * A store holds one participant's view of one community: bound at first start to (chain, hub,
   * community, participant), refused for any other (a wrong config must not mix two communities'
   * readings or sign with another key over this one's windows).
   */
  private async bindStore(db: NodeDb, community: CommunityInfo, address: string): Promise<void> {
    const binding = {
      chainId: community.chainId.toString(),
      hub: community.hub.toLowerCase(),
      communityId: community.communityId.toString(),
      participant: address.toLowerCase(),
    };
    const stored = (await db.meta.get('binding')) as typeof binding | undefined;
    if (!stored) {
      await db.meta.put('binding', binding);
      await db.meta.put('storeFormat', STORE_FORMAT);
      return;
    }
    const differs = (Object.keys(binding) as (keyof typeof binding)[]).filter((k) => stored[k] !== binding[k]);
    if (differs.length > 0) {
      throw new NodeStartError(
        NodeStartErrorCode.DATA_DIR_FOREIGN,
        `data dir ${this.opts.dataDir} belongs to ${differs.map((k) => `${k} ${stored[k]}`).join(', ')}, not ${differs.map((k) => `${k} ${binding[k]}`).join(', ')}: use another --data-dir`,
      );
    }
    const problem = await storeFormatProblem(db, this.opts.dataDir);
    if (problem) throw new NodeStartError(NodeStartErrorCode.DATA_DIR_OLD_FORMAT, problem);
  }

  async stop(): Promise<void> {
    if (this.status !== 'started' && this.status !== 'starting') return;
    this.status = 'stopping';
    const loopsDone = Promise.all([...this.loops.values()].map((l) => l.stop()));
    this.loops.clear();
    const parts = this.parts;
    if (parts) {
      // First: the meter hands over the reading of an interval that just ended (ingest and gossip still up).
      if (parts.meter) await this.bounded('meter stop', parts.meter.stop());
      await this.bounded('api stop', parts.api.stop());
      await this.bounded('network stop', parts.network.stop());
      // Let the loops and an ingest in flight finish before the store closes (not forever: a
      // stuck RPC call must not keep the node from stopping).
      const deadline = Date.now() + 5000;
      await Promise.race([loopsDone, new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))]);
      await Promise.race([
        parts.ingest.drained(),
        new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now()))),
      ]);
      await parts.verifier.close();
      parts.provider.destroy();
      await parts.db.close();
    }
    this.parts = undefined;
    this.closers = [];
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

  /** Runs a round of loop `name` now (or right after the one in progress): a part learned it has work. */
  private wake(name: LoopName): void {
    if (this.status === 'started') this.loops.get(name)?.wake();
  }

  /** Fetches the window's readings and evidence from the peers (see `WindowCommitter.reconcile`). */
  reconcile(window: number): Promise<number> {
    if (!this.parts) throw new Error('node not started');
    return this.parts.committer.reconcile(window);
  }

  /** The `/status` document. */
  statusDocument(): ReturnType<typeof statusDocument> {
    if (!this.parts) throw new Error('node not started');
    return this.parts.status();
  }
}

/** `p`, or `onTimeout()` thrown after `ms`. */
function withDeadline<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(onTimeout()), ms))),
  ]).finally(() => clearTimeout(timer));
}
