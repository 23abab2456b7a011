import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Provider } from 'ethers';
import type { HubClient } from '../chain/hubClient.js';
import { memberRows, type MemberRow } from '../chain/claims.js';
import type { CommunityClock } from '../community/clock.js';
import { MarketKind, type CommunityInfo } from '../community/types.js';
import type { NodeDb, StoredBalances } from '../db/index.js';
import type { Logger } from '../util/logger.js';
import { assembleStoredWindow } from '../window/assemble.js';
import { foldStates } from '../window/fold.js';
import { emptyState, type ParticipantState } from '../window/state.js';
import { ChainView, defaultChainViewOptions, type ChainViewOptions, type ChainWindow } from './chainView.js';
import { EventFeed, type NewFeedEvent } from './events.js';
import { sendJson, type ApiHandler } from './http.js';
import { serveWeb } from './web.js';

/** What the dashboard reads from its node: typed getters, nothing it could change. */
export interface DashboardNode {
  name: string;
  address: string;
  participantIndex: number;
  peerId: string;
  community: CommunityInfo;
  clock: CommunityClock;
  db: NodeDb;
  hub: HubClient;
  provider: Provider;
  /** Connected peers (peer ids). */
  peers(): string[];
  /** The last window this node folded and signed (-1: none). */
  lastCommittedWindow(): number;
  /** The last window final on chain (-1: none). */
  lastFinalWindow(): number;
  /**
   * Everyone's position (escrow, debt, claim) under the last final window's balances root, as this node
   * holds it (the genesis before the first window); undefined when not known here.
   */
  finalBalances(): Promise<StoredBalances | undefined>;
  logger: Logger;
}

/** The dashboard's options (its JSON queries are bounded by the API server's `maxConcurrentQueries`). */
export type DashboardOptions = ChainViewOptions;
export const defaultDashboardOptions: DashboardOptions = { ...defaultChainViewOptions };

/** Most windows one request may ask for (`/api/windows?count=`, `/api/member?windows=`). */
export const MAX_WINDOWS_PER_REQUEST = 96;

const WH_PER_KWH = 1000n;

function intParam(url: URL, name: string, fallback: number, min: number, max: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw)) throw new BadRequest(`${name} must be an integer`);
  return Math.max(min, Math.min(max, Number(raw)));
}

export class BadRequest extends Error {}

/**
 * The member and auditor dashboard: the page at `/` and the JSON it reads (`/api/health`,
 * `/api/member`, `/api/windows`, `/api/accounts`, `/api/events`, `/api/events/stream`), all
 * documented in docs/api.md. Reads only: the node, its store and the hub.
 */
export class Dashboard {
  readonly feed = new EventFeed();
  readonly chain: ChainView;

  constructor(
    opts: DashboardOptions,
    private readonly node: DashboardNode,
  ) {
    this.chain = new ChainView(opts, {
      community: node.community,
      clock: node.clock,
      hub: node.hub,
      provider: node.provider,
      feed: this.feed,
      lastFinalWindow: node.lastFinalWindow,
      logger: node.logger,
    });
  }

  async start(): Promise<void> {
    this.chain.start();
  }

  async stop(): Promise<void> {
    this.feed.closeStreams();
    await this.chain.stop();
  }

  /** Node observations already in the feed: the settlement retries, the feed says it once. */
  private readonly reported = new Set<string>();

  private report(key: string, event: Omit<NewFeedEvent, 'source'>): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.feed.push({ ...event, source: 'node' });
  }

  /** This node's fold differs from the claim on chain for `window`. */
  reportDisagreement(window: number, claimedRoot: string): void {
    this.report(`disagree:${window}:${claimedRoot}`, {
      type: 'disagreement',
      severity: 'alert',
      window,
      message: `Window ${window}: the claim on chain differs from this node's fold; disputing`,
      data: { claimedRoot },
    });
  }

  /** This node's dispute of `window` was accepted by the hub (or could not be made yet). */
  reportDisputeSent(window: number, claimedRoot: string, accepted: boolean): void {
    this.report(`dispute:${window}:${claimedRoot}:${accepted}`, {
      type: 'dispute-sent',
      severity: accepted ? 'alert' : 'warn',
      window,
      message: accepted
        ? `Window ${window}: this node's fraud proof was accepted; the claim is rejected`
        : `Window ${window}: this node has no accepted proof yet (none found, or another node disputed first); it keeps checking`,
      data: { claimedRoot, accepted },
    });
  }

  /** A meter signed two different readings for one interval; the slot is voided. */
  reportEquivocation(window: number, meter: number, interval: number): void {
    this.report(`equivocation:${meter}:${interval}`, {
      type: 'equivocation',
      severity: 'alert',
      window,
      message: `Meter ${meter} signed two different readings for interval ${interval}: the slot is void and the evidence kept`,
      data: { meter, interval },
    });
  }

  /** Routes of the dashboard; false when the path is not one of them. */
  readonly handle: ApiHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => this.route(req, res, url);

  private async route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    try {
      switch (url.pathname) {
        case '/api/health':
          return sendJson(res, 200, await this.health(intParam(url, 'windows', 6, 1, MAX_WINDOWS_PER_REQUEST)));
        case '/api/member':
          return sendJson(res, 200, await this.member(intParam(url, 'windows', 4, 1, MAX_WINDOWS_PER_REQUEST)));
        case '/api/windows':
          return sendJson(res, 200, await this.windows(url));
        case '/api/accounts':
          return sendJson(res, 200, await this.accounts());
        case '/api/events': {
          const since = intParam(url, 'since', 0, 0, Number.MAX_SAFE_INTEGER);
          return sendJson(res, 200, { events: this.feed.since(since, intParam(url, 'limit', 200, 1, 1000)) });
        }
        case '/api/events/stream':
          this.feed.stream(req, res, intParam(url, 'since', 0, 0, Number.MAX_SAFE_INTEGER));
          return true;
        default:
          return serveWeb(req, res, url.pathname);
      }
    } catch (e) {
      if (e instanceof BadRequest) return sendJson(res, 400, { error: e.message });
      throw e;
    }
  }

  private currentWindow(): number {
    const { clock, community } = this.node;
    return Math.min(clock.windowOf(Math.max(0, clock.currentInterval())), community.windowCount - 1);
  }

  /** Windows whose intervals are all over. */
  private windowsOver(): number {
    const { clock, community } = this.node;
    const now = clock.nowSeconds();
    let over = Math.max(
      0,
      Math.min(community.windowCount, Math.floor(clock.currentInterval() / community.windowIntervals)),
    );
    while (over < community.windowCount && clock.windowEnd(over) <= now) over++;
    return over;
  }

  /** `GET /api/health`: is this node well, and how far is each recent window. */
  async health(recent: number) {
    const { node } = this;
    const { community, clock, db } = node;
    const n = community.participants.length;
    const now = clock.nowSeconds();
    const currentInterval = clock.currentInterval();
    const currentWindow = this.currentWindow();
    const lastCommitted = node.lastCommittedWindow();
    const lastFinal = node.lastFinalWindow();
    const windowsOver = this.windowsOver();
    const peers = node.peers();
    const head = this.chain.head;
    const windows = [];
    for (let w = Math.max(0, currentWindow - recent + 1); w <= currentWindow && currentInterval >= 0; w++) {
      const result = await db.windowResults.get(w);
      const signatures = await db.coSignatures.listWindow(w);
      const completed = Math.max(0, Math.min(community.windowIntervals, currentInterval - clock.firstInterval(w)));
      const signers = community.participants.map((_, i) => {
        const s = signatures.find((x) => x.signer === i);
        return {
          participant: i,
          signed: Boolean(s),
          agrees: s && result ? s.windowRoot === result.windowRoot && s.stateHash === result.stateHash : undefined,
        };
      });
      const chain = await this.chain.window(w);
      windows.push({
        window: w,
        readings: result ? result.readingCount : (await db.readings.listWindow(w)).length,
        expectedReadings: community.windowIntervals * community.meters.length,
        expectedSoFar: completed * community.meters.length,
        voidedSlots: result?.voidedSlots ?? 0,
        committed: Boolean(result),
        windowRoot: result?.windowRoot,
        coSignatures: {
          agree: signers.filter((s) => s.agrees === true).length,
          disagree: signers.filter((s) => s.agrees === false).length,
          of: n,
          signers,
        },
        chain: {
          status: chain.status,
          path: chain.path,
          secondsLeft: chain.secondsLeft,
          agrees: chain.windowRoot && result ? chain.windowRoot === result.windowRoot : undefined,
        },
      });
    }
    const oldestUnfinal = lastFinal + 1;
    const lag = {
      windowsOver,
      uncommittedWindows: Math.max(0, windowsOver - (lastCommitted + 1)),
      notFinalWindows: Math.max(0, windowsOver - (lastFinal + 1)),
      /** Seconds since the end of the oldest window that is over but not final (0 when none). */
      finalitySeconds: oldestUnfinal < windowsOver ? Math.max(0, Math.round(now - clock.windowEnd(oldestUnfinal))) : 0,
    };
    const chain = {
      hub: community.hub,
      chainId: Number(community.chainId),
      communityId: community.communityId.toString(),
      head: head?.block,
      headTimestamp: head?.timestamp,
      headAgeSeconds: head ? Math.max(0, Math.round(now - head.timestamp)) : undefined,
      reachable: head !== undefined && this.chain.failedPolls === 0,
    };
    const problems: string[] = [];
    if (n > 1 && peers.length === 0) problems.push('no peer connected');
    if (!chain.reachable) problems.push('chain RPC not answering');
    if (lag.uncommittedWindows > 1) problems.push(`${lag.uncommittedWindows} windows over but not committed`);
    for (const w of windows)
      if (w.chain.agrees === false) problems.push(`window ${w.window}: the result on chain differs from this node's`);
    return {
      node: { name: node.name, address: node.address, participantIndex: node.participantIndex, peerId: node.peerId },
      ok: problems.length === 0,
      problems,
      peers: { connected: peers.length, of: n - 1, ids: peers },
      community: this.communitySummary(),
      now: Math.floor(now),
      currentInterval,
      currentWindow,
      intervalInWindow: currentInterval >= 0 ? currentInterval - clock.firstInterval(currentWindow) : undefined,
      started: currentInterval >= 0,
      over: currentInterval >= clock.totalIntervals,
      lastCommittedWindow: lastCommitted,
      lastFinalWindow: lastFinal,
      chain,
      lag,
      windows,
    };
  }

  private communitySummary() {
    const { community } = this.node;
    const token = this.chain.token;
    return {
      chainId: Number(community.chainId),
      hub: community.hub,
      communityId: community.communityId.toString(),
      participants: community.participants,
      meters: community.meters.map((m) => ({ index: m.index, owner: m.owner })),
      start: community.start,
      intervalSeconds: community.intervalSeconds,
      windowIntervals: community.windowIntervals,
      windowCount: community.windowCount,
      challengePeriodSeconds: community.challengePeriod,
      market: {
        kind: MarketKind[community.market.kind],
        gridBuyPricePerKwh: this.chain.formatAmount(community.market.gridBuyPrice),
        gridSellPricePerKwh: this.chain.formatAmount(community.market.gridSellPrice),
      },
      token: token ?? { address: community.token, symbol: 'token', decimals: 18 },
    };
  }

  /** `GET /api/windows?from=&count=`: the community's windows with their on-chain status. */
  async windows(url: URL) {
    const { community, db } = this.node;
    const count = intParam(url, 'count', 12, 1, MAX_WINDOWS_PER_REQUEST);
    const current = this.node.clock.currentInterval() < 0 ? -1 : this.currentWindow();
    const from = intParam(url, 'from', Math.max(0, current - count + 1), 0, community.windowCount - 1);
    const to = Math.min(current, from + count - 1);
    const windows: (ChainWindow & { start: number; end: number; committed: boolean; agrees?: boolean })[] = [];
    for (let w = from; w <= to; w++) {
      const chain = await this.chain.window(w);
      const own = await db.windowResults.get(w);
      windows.push({
        ...chain,
        start: this.node.clock.intervalStart(this.node.clock.firstInterval(w)),
        end: this.node.clock.windowEnd(w),
        committed: Boolean(own),
        agrees:
          own && chain.windowRoot
            ? own.windowRoot === chain.windowRoot && own.stateHash === chain.stateHash
            : undefined,
      });
    }
    return {
      windowCount: community.windowCount,
      lastFinalWindow: this.node.lastFinalWindow(),
      chainNow: this.chain.chainNow(),
      windows,
    };
  }

  /** Every member's money: bond and credit on chain, and its balance in the last final window's root. */
  async memberRows(): Promise<MemberRow[]> {
    return memberRows(
      this.node.hub,
      this.node.community.participants,
      await this.node.finalBalances(),
      this.node.lastFinalWindow(),
    );
  }

  /**
   * `GET /api/accounts`: every member's bond and credit on the hub and its balance (escrow, debt, claim)
   * under the last final window's balances root as this node holds it (its BalanceBook, anchored to the
   * chain's final record; null fields while it holds none). Token units.
   */
  async accounts() {
    const f = (v: bigint) => this.chain.formatAmount(v);
    const o = (v: bigint | undefined) => (v === undefined ? null : f(v));
    const rows = await this.memberRows();
    return {
      token: this.communitySummary().token,
      window: rows[0]?.window ?? this.node.lastFinalWindow(),
      accounts: rows.map((r) => ({
        participant: r.participant,
        address: r.address,
        bond: f(r.bond),
        credit: f(r.credit),
        fine: f(r.fine),
        escrow: o(r.escrow),
        debt: o(r.debt),
        claim: o(r.claim),
        paid: r.settled,
      })),
    };
  }

  /**
   * `GET /api/member?windows=N`: this participant's energy per interval of the last N windows
   * (community vs grid, bought vs sold, in Wh), and money (escrow, bond, withdrawable, net and
   * savings per window, in token units).
   */
  async member(count: number) {
    const { node } = this;
    const { community, clock, db, hub } = node;
    const p = node.participantIndex;
    const market = community.market;
    const f = (v: bigint) => this.chain.formatAmount(v);
    const currentInterval = clock.currentInterval();
    const current = currentInterval < 0 ? -1 : this.currentWindow();
    const windows = [];
    for (let w = Math.max(0, current - count + 1); w <= current; w++) {
      const assembled = await assembleStoredWindow(db, community, w);
      const states = foldStates(community, assembled);
      const completed = Math.max(0, Math.min(community.windowIntervals, currentInterval - clock.firstInterval(w)));
      const intervals = [];
      for (let t = 0; t < completed; t++) {
        const prev: ParticipantState | undefined = t > 0 ? states[t - 1][p] : undefined;
        const cur = states[t][p];
        const d = (k: keyof ParticipantState) => Number(cur[k] - (prev ? prev[k] : 0n));
        intervals.push({
          interval: assembled.firstInterval + t,
          start: clock.intervalStart(assembled.firstInterval + t),
          reading: community.meters.some((m) => m.owner === p && assembled.slots[t][m.index] !== undefined),
          importWh: d('importWh'),
          exportWh: d('exportWh'),
          communityBoughtWh: d('p2pBoughtWh'),
          gridBoughtWh: d('gridBoughtWh'),
          communitySoldWh: d('p2pSoldWh'),
          gridSoldWh: d('gridSoldWh'),
          net: f(cur.net - (prev ? prev.net : 0n)),
        });
      }
      // The window's totals: what this node committed (the folded store otherwise, so far).
      const own = await db.windowResults.get(w);
      const total: ParticipantState = own
        ? own.finalState[p]
        : completed > 0
          ? states[completed - 1][p]
          : emptyState(1)[0];
      const b = (v: bigint | string | number) => BigInt(v);
      const gridCost =
        (b(total.gridBoughtWh) * market.gridBuyPrice - b(total.gridSoldWh) * market.gridSellPrice) / WH_PER_KWH;
      // Had every Wh gone to or come from the grid: the community's P2P trades are what is saved.
      const savings =
        (b(total.p2pBoughtWh) * market.gridBuyPrice - b(total.p2pSoldWh) * market.gridSellPrice) / WH_PER_KWH +
        b(total.net);
      const chain = await this.chain.window(w);
      windows.push({
        window: w,
        committed: Boolean(own),
        chainStatus: chain.status,
        agreesWithChain: own && chain.windowRoot ? own.windowRoot === chain.windowRoot : undefined,
        totals: {
          importWh: Number(total.importWh),
          exportWh: Number(total.exportWh),
          communityBoughtWh: Number(total.p2pBoughtWh),
          gridBoughtWh: Number(total.gridBoughtWh),
          communitySoldWh: Number(total.p2pSoldWh),
          gridSoldWh: Number(total.gridSoldWh),
        },
        money: { net: f(b(total.net)), gridCost: f(gridCost), bill: f(gridCost - b(total.net)), savings: f(savings) },
        intervals,
      });
    }
    const [member, balances] = await Promise.all([hub.member(p), this.node.finalBalances()]);
    const leaf = balances?.leaves[p];
    const withdrawable = (await hub.contract.withdrawable(community.token, node.address)) as bigint;
    return {
      participantIndex: p,
      address: node.address,
      meters: community.meters.filter((m) => m.owner === p).map((m) => m.index),
      token: this.communitySummary().token,
      prices: {
        gridBuyPerKwh: f(market.gridBuyPrice),
        gridSellPerKwh: f(market.gridSellPrice),
        communityPerKwh: f((market.gridBuyPrice + market.gridSellPrice) / 2n),
      },
      money: {
        // Under the last final window's balances root as this node holds it (null: it holds none).
        balancesWindow: balances?.window ?? null,
        escrow: leaf ? f(leaf.escrow) : null,
        debt: leaf ? f(leaf.debt) : null,
        claim: leaf ? f(leaf.claim) : null,
        // On chain.
        bond: f(member.bond),
        credit: f(member.credit),
        fine: f(member.fine),
        paid: member.settled,
        withdrawable: f(withdrawable),
      },
      windows,
    };
  }
}
