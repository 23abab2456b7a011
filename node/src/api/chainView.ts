import { fromWords, splitWords } from '../chain/signerBitmap.js';
import { decodeAsContract, parseCallAsContract } from '../chain/calldata.js';
import { MAX_LOG_RANGE } from '../chain/logs.js';
import { Contract, formatUnits, getBytes, toBeHex, type Log, type LogDescription, type Provider } from 'ethers';
import { WindowStatus, type HubClient, type WindowRecord } from '../chain/hubClient.js';
import type { CommunityClock } from '../community/clock.js';
import type { CommunityInfo } from '../community/types.js';
import { popcount } from '../util/bits.js';
import type { Logger } from '../util/logger.js';
import { decodeReading } from '../reading/encoding.js';
import { DISPUTE_PROOF_TYPES, DisputeKind } from '../window/disputeProof.js';
import type { EventFeed, NewFeedEvent } from './events.js';

export interface ChainViewOptions {
  /** How often the hub's head, logs and open windows are read while the API runs. */
  pollMs: number;
  /** On start, how far back (blocks) to look for the community's events. */
  lookbackBlocks: number;
  /** Largest block range of one `eth_getLogs` call. */
  maxLogRange: number;
}

export const defaultChainViewOptions: ChainViewOptions = {
  pollMs: 1000,
  lookbackBlocks: 50_000,
  maxLogRange: MAX_LOG_RANGE,
};

/** What a dispute proved, in words (DESIGN.md §5). */
export const DISPUTE_KIND_TEXT: Record<DisputeKind, string> = {
  [DisputeKind.ReadingMismatch]: 'a signed reading left out or replaced (reading mismatch)',
  [DisputeKind.ForgedReading]: 'a committed reading its meter never signed (forged reading)',
  [DisputeKind.BadStep]: 'wrong arithmetic in one interval (bad step)',
  [DisputeKind.BadFinalState]: 'a posted final state that is not the committed one (bad final state)',
  [DisputeKind.Equivocation]: 'a meter that signed two readings for one interval (equivocation)',
  [DisputeKind.VoidedSlot]: 'a committed reading in a slot proven equivocated (voided slot)',
  [DisputeKind.BadBalances]: 'a balances root that is not the reaction of the window (bad balances)',
  [DisputeKind.BadEnergy]: "a committed energy that is not the sum of the meters' readings (bad energy)",
  [DisputeKind.BadEntry]: "one participant's wrong step in one interval, judged alone (bad entry)",
  [DisputeKind.StateEntry]: "a committed state that is not one participant's step entry (state entry)",
};

export interface WindowHistory {
  claims: { submitter: number; signers: number[]; challengeEndsAt: number; block: number }[];
  disputes: { kind: string; challenger: number; block: number }[];
  rejectedClaims: number;
  finalAt?: number;
}

/** A window's state on chain as the dashboard shows it. */
export interface ChainWindow {
  window: number;
  /**
   * `open`: its intervals are still running; `awaiting`: over, no result on chain yet;
   * `pending`: a claim signed by some participants, challengeable for `secondsLeft`;
   * `disputed`: its last claim was rejected by a fraud proof and no new one is on chain yet;
   * `final`: settled (`path`: `fast` = every participant signed, `challenge` = after the challenge period).
   */
  status: 'open' | 'awaiting' | 'pending' | 'disputed' | 'final';
  path?: 'fast' | 'challenge';
  signers: number[];
  windowRoot?: string;
  stateHash?: string;
  submittedAt?: number;
  challengeEndsAt?: number;
  secondsLeft?: number;
  finalAt?: number;
  disputes: WindowHistory['disputes'];
  rejectedClaims: number;
}

export interface ChainHead {
  block: number;
  /** Unix seconds of the head block. */
  timestamp: number;
}

export interface TokenInfo {
  address: string;
  symbol: string;
  decimals: number;
}

/** Windows whose records each poll reads again (the newest ones not final yet). */
const OPEN_WINDOWS_POLLED = 4;

const ERC20_META = ['function symbol() view returns (string)', 'function decimals() view returns (uint8)'];

const FEED_EVENTS = [
  'WindowClaimed',
  'WindowFinalized',
  'Disputed',
  'ClaimRejected',
  'Slashed',
  // Shortfalls (a debtor's debt, a creditor's claim) are in the balances root now, not hub events.
  'CommunityClosed',
  'Claimed',
  'FineCollected',
] as const;

/**
 * The signer indices of a hub signer set: the `uint256[]` words of an event (`signerBitmap.ts`), or a
 * record's set as one integer (`HubClient.windowRecord`'s `signers`, participant i = bit i, any N).
 */
export function signerList(bitmap: bigint | readonly bigint[], n: number): number[] {
  return fromWords(typeof bitmap === 'bigint' ? splitWords(bitmap, n) : bitmap, n);
}

/**
 * The hub as the dashboard sees it: the head, the community's events (turned into feed events),
 * and the record of each window, kept fresh by polling while the API runs. Final records never
 * change and are cached; open ones are read again at every poll.
 */
export class ChainView {
  head?: ChainHead;
  token?: TokenInfo;
  private nextBlock?: number;
  private readonly history = new Map<number, WindowHistory>();
  private readonly records = new Map<number, WindowRecord>();
  /** Windows whose record the last poll read (the others are cached only once final). */
  private fresh = new Set<number>();
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  private stopped = true;
  /** Consecutive failed polls (the RPC is down): shown in health. */
  failedPolls = 0;

  constructor(
    private readonly opts: ChainViewOptions,
    private readonly modules: {
      community: CommunityInfo;
      clock: CommunityClock;
      hub: HubClient;
      provider: Provider;
      feed: EventFeed;
      /** The last window final on chain as the node's settlement knows it (-1: none). */
      lastFinalWindow: () => number;
      logger: Logger;
    },
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = async () => {
      if (this.stopped) return;
      this.polling = this.poll();
      await this.polling;
      if (!this.stopped) this.timer = setTimeout(() => void loop(), this.opts.pollMs);
    };
    void loop();
  }

  /** Head block hash and windows of the last complete poll (`poll` skips the reads when unchanged). */
  private lastPolled?: string;

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.polling;
  }

  /** Reads the head, new events and the open windows once. Never throws (counted in `failedPolls`). */
  async poll(): Promise<void> {
    const { provider, logger } = this.modules;
    try {
      if (!this.token) this.token = await this.readToken();
      const block = await provider.getBlock('latest');
      if (!block) return;
      this.head = { block: block.number, timestamp: block.timestamp };
      // The windows not final yet, at most the last few (older ones are read when asked for).
      const current = Math.min(this.currentWindow(), this.modules.community.windowCount - 1);
      const from = Math.max(this.modules.lastFinalWindow() + 1, current - OPEN_WINDOWS_POLLED + 1);
      // Same head block (by hash: a reorg changes it) and same windows: no event and no record can
      // have changed since the last poll. Skipping the reads keeps an idle node's RPC load at one call
      // per poll (ten nodes polling one anvil every 300 ms made its answers the slowest step to final).
      const polled = `${block.hash}:${from}:${current}`;
      if (polled === this.lastPolled) {
        this.failedPolls = 0;
        return;
      }
      await this.readEvents(block.number);
      const fresh = new Set<number>();
      for (let w = from; w <= current; w++) {
        this.records.set(w, await this.modules.hub.windowRecord(w));
        fresh.add(w);
      }
      this.fresh = fresh;
      this.lastPolled = polled;
      this.failedPolls = 0;
    } catch (e) {
      this.failedPolls++;
      if (this.failedPolls === 1 || this.failedPolls % 30 === 0)
        logger.warn('dashboard chain poll failed', { failedPolls: this.failedPolls }, e);
    }
  }

  private currentWindow(): number {
    const { clock } = this.modules;
    return clock.windowOf(Math.max(0, clock.currentInterval()));
  }

  /** Chain time for deadlines: the head's timestamp, or the wall clock when blocks are mined on demand. */
  chainNow(): number {
    return Math.max(this.head?.timestamp ?? 0, Math.floor(this.modules.clock.nowSeconds()));
  }

  private async readToken(): Promise<TokenInfo> {
    const address = this.modules.community.token;
    const erc20 = new Contract(address, ERC20_META, this.modules.provider);
    try {
      const [symbol, decimals] = await Promise.all([
        erc20.symbol() as Promise<string>,
        erc20.decimals() as Promise<bigint>,
      ]);
      return { address, symbol, decimals: Number(decimals) };
    } catch {
      return { address, symbol: 'token', decimals: 18 };
    }
  }

  /** Exact decimal string in token units (the JSON's money fields). */
  formatAmount(amount: bigint): string {
    return formatUnits(amount, this.token?.decimals ?? 18);
  }

  /** For sentences: at most 4 decimals, trailing zeros dropped ("5", "0.06"). */
  private says(amount: bigint): string {
    return String(Number(Number(this.formatAmount(amount)).toFixed(4)));
  }

  private async readEvents(head: number): Promise<void> {
    const { hub, provider, community } = this.modules;
    const iface = hub.contract.interface;
    const topic0 = FEED_EVENTS.map((name) => iface.getEvent(name)!.topicHash);
    const idTopic = toBeHex(community.communityId, 32);
    // Not before the community's first block (`chain.fromBlock`), nor further back than the lookback.
    let from = this.nextBlock ?? Math.max(hub.logScope.fromBlock, head - this.opts.lookbackBlocks);
    while (from <= head) {
      const to = Math.min(head, from + this.opts.maxLogRange - 1);
      const logs = await provider.getLogs({
        address: community.hub,
        fromBlock: from,
        toBlock: to,
        topics: [topic0, idTopic],
      });
      let lastRejected: { tx: string; signers: number[] } | undefined;
      const blockTimes = new Map<number, number>();
      for (const log of logs) {
        const parsed = iface.parseLog(log);
        if (!parsed) continue;
        let at = blockTimes.get(log.blockNumber);
        if (at === undefined) {
          at = (await provider.getBlock(log.blockNumber))?.timestamp ?? Math.floor(Date.now() / 1000);
          blockTimes.set(log.blockNumber, at);
        }
        if (parsed.name === 'ClaimRejected')
          lastRejected = {
            tx: log.transactionHash,
            signers: signerList(parsed.args.signers as bigint[], community.participants.length),
          };
        if (parsed.name === 'Disputed' && Number(parsed.args.kind) === DisputeKind.Equivocation) {
          const owner = await this.equivocatingOwner(log.transactionHash);
          lastRejected = owner === undefined ? undefined : { tx: log.transactionHash, signers: [owner] };
        }
        const offenders = lastRejected?.tx === log.transactionHash ? lastRejected.signers : undefined;
        const event = this.toFeedEvent(parsed, log, at, offenders);
        if (event) this.modules.feed.push(event);
      }
      from = to + 1;
      this.nextBlock = from;
    }
  }

  /** The owner of the meter an equivocation proof names (from the dispute's calldata), the one slashed. */
  private async equivocatingOwner(txHash: string): Promise<number | undefined> {
    const { hub, provider, community } = this.modules;
    try {
      const tx = await provider.getTransaction(txHash);
      const call = tx ? parseCallAsContract(hub.contract.interface, tx.data) : null;
      if (call?.name !== 'dispute') return undefined;
      const [proof] = decodeAsContract([DISPUTE_PROOF_TYPES[DisputeKind.Equivocation]], call.args.proof as string);
      const meter = decodeReading(getBytes(proof.first.encoded as string)).meterIndex;
      return community.meters[meter]?.owner;
    } catch {
      return undefined; // sent through another contract: the feed says "the meter owner"
    }
  }

  private windowHistory(window: number): WindowHistory {
    let h = this.history.get(window);
    if (!h) {
      h = { claims: [], disputes: [], rejectedClaims: 0 };
      this.history.set(window, h);
    }
    return h;
  }

  private participant(address: string): number {
    return this.modules.community.participants.findIndex((p) => p.toLowerCase() === address.toLowerCase());
  }

  /** One hub log as a feed event (and into the window's history). */
  private toFeedEvent(
    parsed: LogDescription,
    log: Log,
    at: number,
    offenders: number[] | undefined,
  ): NewFeedEvent | undefined {
    const n = this.modules.community.participants.length;
    const symbol = this.token?.symbol ?? 'token';
    const base = { source: 'chain' as const, at, tx: log.transactionHash, block: log.blockNumber };
    const a = parsed.args;
    switch (parsed.name) {
      case 'WindowClaimed': {
        const window = Number(a.window);
        const signers = signerList(a.signers as bigint[], n);
        const submitter = this.participant(a.submitter as string);
        const challengeEndsAt = Number(a.challengeEndsAt);
        this.windowHistory(window).claims.push({ submitter, signers, challengeEndsAt, block: log.blockNumber });
        return {
          ...base,
          type: 'claim-pending',
          severity: 'info',
          window,
          message: `Window ${window}: claim posted by participant ${submitter} with ${signers.length}/${n} signatures; challengeable for ${challengeEndsAt - at} s`,
          data: { submitter, signers, challengeEndsAt, windowRoot: a.windowRoot as string },
        };
      }
      case 'WindowFinalized': {
        const window = Number(a.window);
        const signers = signerList(a.signers as bigint[], n);
        const fastPath = signers.length === n;
        this.windowHistory(window).finalAt = at;
        return {
          ...base,
          type: 'window-final',
          severity: 'info',
          window,
          message: `Window ${window} final on chain: ${fastPath ? 'fast path' : 'after its challenge period'}, ${signers.length}/${n} signatures`,
          data: { signers, fastPath, windowRoot: a.windowRoot as string },
        };
      }
      case 'Disputed': {
        const window = Number(a.window);
        const kind = Number(a.kind) as DisputeKind;
        const challenger = this.participant(a.challenger as string);
        this.windowHistory(window).disputes.push({ kind: DisputeKind[kind], challenger, block: log.blockNumber });
        const by = challenger >= 0 ? `participant ${challenger}` : `${a.challenger as string}`;
        return {
          ...base,
          type: 'dispute',
          severity: 'alert',
          window,
          message:
            kind === DisputeKind.Equivocation
              ? `Window ${window}: ${by} proved ${DISPUTE_KIND_TEXT[kind]}; the slot is void`
              : `Window ${window}: dispute raised by ${by}: the pending claim contains ${DISPUTE_KIND_TEXT[kind]}`,
          data: { kind: DisputeKind[kind], challenger, challengerAddress: a.challenger as string },
        };
      }
      case 'ClaimRejected': {
        const window = Number(a.window);
        const signers = signerList(a.signers as bigint[], n);
        this.windowHistory(window).rejectedClaims++;
        return {
          ...base,
          type: 'claim-rejected',
          severity: 'alert',
          window,
          message: `Window ${window}: claim rejected (signed by participant${signers.length === 1 ? '' : 's'} ${signers.join(', ')}); the window awaits a correct result`,
          data: { signers },
        };
      }
      case 'Slashed': {
        const challenger = this.participant(a.challenger as string);
        const amount = this.formatAmount(a.amount as bigint);
        const reward = this.formatAmount(a.reward as bigint);
        const who = offenders
          ? `participant${offenders.length === 1 ? '' : 's'} ${offenders.join(', ')}`
          : 'the meter owner';
        return {
          ...base,
          type: 'slashed',
          severity: 'alert',
          message: `${who} slashed ${this.says(a.amount as bigint)} ${symbol} (from bonds, with a rejected claim's deposit, or an equivocating owner's escrow); ${this.says(a.reward as bigint)} ${symbol} reward to participant ${challenger}, the rest to the other participants`,
          data: { amount, reward, symbol, challenger, ...(offenders ? { offenders } : {}) },
        };
      }
      case 'CommunityClosed':
        return {
          ...base,
          type: 'closed',
          severity: 'info',
          message: `Community closed after ${Number(a.finalizedWindows)} final windows: each member is paid by proof from the last balances root (diversity claim)`,
          data: { finalizedWindows: Number(a.finalizedWindows) },
        };
      case 'Claimed': {
        const participant = Number(a.index);
        const paid = a.paid as bigint;
        const repaid = a.repaid as bigint;
        return {
          ...base,
          type: 'claimed',
          severity: repaid > 0n ? 'warn' : 'info',
          message:
            `Participant ${participant} paid ${this.says(paid)} ${symbol} at close` +
            (repaid > 0n ? ` after repaying ${this.says(repaid)} ${symbol} of debt to the creditors` : ''),
          data: {
            participant,
            address: a.participant as string,
            paid: this.formatAmount(paid),
            repaid: this.formatAmount(repaid),
            symbol,
          },
        };
      }
      case 'FineCollected': {
        const participant = Number(a.index);
        const amount = a.amount as bigint;
        return {
          ...base,
          type: 'fine',
          severity: 'warn',
          message: `Participant ${participant} fined ${this.says(amount)} ${symbol} at close (an equivocation its bond could not pay; the hub keeps it)`,
          data: { participant, amount: this.formatAmount(amount), symbol },
        };
      }
    }
    return undefined;
  }

  /** The on-chain state of `window` (read from the hub unless a final record is cached). */
  async window(window: number): Promise<ChainWindow> {
    const { community, clock } = this.modules;
    let rec = this.records.get(window);
    if (!rec || (rec.status !== WindowStatus.Final && !this.fresh.has(window))) {
      rec = await this.modules.hub.windowRecord(window);
      this.records.set(window, rec);
    }
    const h = this.history.get(window) ?? { claims: [], disputes: [], rejectedClaims: 0 };
    const n = community.participants.length;
    const signers = signerList(rec.signers, n);
    const common = { window, disputes: h.disputes, rejectedClaims: h.rejectedClaims, signers };
    if (rec.status === WindowStatus.Final) {
      return {
        ...common,
        status: 'final',
        path: popcount(rec.signers) === n ? 'fast' : 'challenge',
        windowRoot: rec.windowRoot,
        stateHash: rec.stateHash,
        submittedAt: rec.submittedAt,
        finalAt: h.finalAt,
      };
    }
    if (rec.status === WindowStatus.Pending) {
      const challengeEndsAt = rec.submittedAt + community.challengePeriod;
      return {
        ...common,
        status: 'pending',
        windowRoot: rec.windowRoot,
        stateHash: rec.stateHash,
        submittedAt: rec.submittedAt,
        challengeEndsAt,
        secondsLeft: Math.max(0, challengeEndsAt - this.chainNow()),
      };
    }
    if (clock.nowSeconds() < clock.windowEnd(window)) return { ...common, status: 'open', signers: [] };
    return { ...common, status: h.rejectedClaims > 0 ? 'disputed' : 'awaiting', signers: [] };
  }
}
