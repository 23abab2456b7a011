import {
  Contract,
  type ContractTransactionResponse,
  getBytes,
  ZeroHash,
  type ContractEventName,
  type ContractRunner,
  type EventLog,
  type Log,
  type Overrides,
  type Provider,
  type TransactionReceipt,
} from 'ethers';
import type { CommunityInfo, MeterInfo } from '../community/types.js';
import {
  limitsHash,
  MarketKind,
  PACKED_STATE_STRIDE,
  packState,
  stateHash,
  unpackState,
  type LimitPrices,
  type MarketParams,
  type ParticipantState,
} from '../window/state.js';
import { checkMarketTariff, tariffFromAbi, type Tariff } from '../window/tariff.js';
import { fromHex, toHex } from '../util/hex.js';
import { signatureDst } from '../crypto/bls.js';
import { disputeCommitment } from '../window/disputeProof.js';
import { balancesRoot, genesisBalances } from '../window/balances.js';
import { meterRoot, type MeterRecord } from '../window/meters.js';
import { decodeMeters, decodeParticipants } from './openCodec.js';
import { parseCallAsContract } from './calldata.js';
import { defaultLogScope, inBlockRanges, type LogScope, queryEvents } from './logs.js';
import { loadArtifact } from './artifacts.js';
import { allWords, bitmapWords, joinWords, ref } from './signerBitmap.js';
import { decodeRevert, type HubRevert } from './errors.js';
import { hubDomain } from './eip712.js';
import { LimitBook, type LimitOrder, type PostedOrder } from '../window/limits.js';

/** A `LimitOrderPosted` event's arguments as the book records them. */
export function postedOrderFromEvent(args: EventLog['args']): PostedOrder {
  return {
    participant: Number(args.participant),
    fromWindow: Number(args.fromWindow),
    nonce: BigInt(args.nonce),
    limitsHash: String(args.limitsHash),
    limits: (args.limits as { bidPrice: bigint; askPrice: bigint }[]).map((l) => ({
      bidPrice: l.bidPrice,
      askPrice: l.askPrice,
    })),
  };
}

/** Two hex strings name the same bytes (case-insensitive). */
const sameHex = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

export enum WindowStatus {
  None = 0,
  Pending = 1,
  Final = 2,
}

export interface WindowRecord {
  /** The co-signed roots; of a result final at once, read from its `WindowFinalized` event (`HubClient.windowRecord`). */
  windowRoot: string;
  stateHash: string;
  /** The balances root after the window's reaction (`Balances.root`): what members are paid from. */
  balancesRoot: string;
  /**
   * The participants that signed, as one integer (participant i = bit i, `joinWords`), at any N. The hub's
   * record keeps one word (`SignerBitmap.ref`): the bitmap itself for N ≤ 256, else keccak256 of the words;
   * `HubClient.windowRecord` resolves the latter from the claim's `WindowClaimed` event.
   */
  signers: bigint;
  submittedAt: number;
  status: WindowStatus;
}

/** A member's on-chain part (`Hub.member`): its escrow, debt and claim live in the balances root. */
export interface MemberInfo {
  /** The configured bond minus what slashes and penalties took (topUpBond makes it whole). */
  bond: bigint;
  /** On-chain money received or added during the run (slash shares, deposits), paid at close. */
  credit: bigint;
  settled: boolean;
  claimTaken: bigint;
  /**
   * What an equivocation charge could not take from the bond and credit (review 3 B2): taken at `claim`
   * from the member's funds before its debt, kept by the hub (`FineCollected`).
   */
  fine: bigint;
}

/** What names a claim on the hub besides its window (`Hub.claimHash`): the three co-signed roots. */
export interface ClaimedResult {
  windowRoot: string;
  stateHash: string;
  balancesRoot: string;
}

/** A member's leaf of a balances root (`Balance` in contracts/src/types/Community.sol). */
export interface BalanceLeaf {
  participant: string;
  escrow: bigint;
  debt: bigint;
  claim: bigint;
}

/** How long to wait for a transaction to be mined before giving up on it (the caller retries). */
export const TX_TIMEOUT_MS = 60_000;

/** `CommunityStatus.Closed` of `contracts/src/types/Community.sol` (None, Opening, Active, Closed). */
const COMMUNITY_CLOSED = 3;

/** The hub's functions that open a community: each takes the `OpenConfig` first. */
const OPENING_CALLS: ReadonlySet<string> = new Set(['open', 'openTogether', 'openTogetherWithPermits']);

/**
 * The meter list of an `open(config)`, `openTogether(config, …)` or `openTogetherWithPermits(config, …)`
 * transaction's calldata (`config.meters`, packed: `decodeMeters`), checked against the hub's
 * `meterRoot` and `meterCount`: the hub stores only the root of the records (`MeterRegistry`). Throws one line
 * when the calldata is not a direct `Hub.open` call or lists other meters than the root commits to.
 */
export function metersFromOpen(
  hub: Contract,
  data: string,
  expected: { meterRoot: string; meterCount: number; communityId: bigint },
): MeterInfo[] {
  // As the hub decoded it (`parseCallAsContract`): a meter list laid out last, unpadded, is still its list.
  let parsed: ReturnType<typeof parseCallAsContract> = null;
  try {
    parsed = parseCallAsContract(hub.interface, data);
  } catch {
    parsed = null;
  }
  // `openTogether` and `openTogetherWithPermits` take the same config first (the consents, permits after it).
  if (!parsed || !OPENING_CALLS.has(parsed.name)) {
    throw new MeterListError(
      `community ${expected.communityId}: its open transaction is not a direct Hub.open, Hub.openTogether or Hub.openTogetherWithPermits call`,
    );
  }
  let records: MeterRecord[];
  try {
    records = decodeMeters(parsed.args[0].meters as string);
  } catch (e) {
    throw new MeterListError(`community ${expected.communityId}: ${(e as Error).message}`);
  }
  const meters: MeterInfo[] = records.map((m, index) => ({ index, ...m }));
  const root = meterRoot(meters);
  if (meters.length !== expected.meterCount || !sameHex(root, expected.meterRoot)) {
    throw new MeterListError(
      `community ${expected.communityId}: the open calldata's ${meters.length} meters have root ${root}, the hub's meterRoot is ${expected.meterRoot} (${expected.meterCount} meters)`,
    );
  }
  return meters;
}

/** A community's meter list could not be read from its open transaction, or does not match `meterRoot`. */
export class MeterListError extends Error {
  override readonly name = 'MeterListError';
}

/** Most head-keyed reads a `HubClient` keeps (`atHead`). */
const HEAD_READS = 64;

/** Typed access to one community on the hub contract. */
export class HubClient {
  readonly contract: Contract;

  /** Where this client's event queries start and how wide each is (`LogScope`; default: block 0, 5,000). */
  readonly logScope: LogScope;

  constructor(
    readonly opts: { hub: string; communityId: bigint; fromBlock?: number; maxLogRange?: number },
    private readonly modules: { runner: ContractRunner; provider: Provider },
  ) {
    this.contract = new Contract(opts.hub, loadArtifact('Hub').abi, modules.runner);
    this.logScope = {
      fromBlock: opts.fromBlock ?? defaultLogScope.fromBlock,
      maxRange: opts.maxLogRange ?? defaultLogScope.maxRange,
    };
  }

  /** `contract`'s events matching `filter` since the community's first block (`logScope`), in bounded ranges. */
  events(filter: ContractEventName, contract: Contract = this.contract): Promise<(EventLog | Log)[]> {
    return queryEvents(contract, filter, this.logScope, this.modules.provider);
  }

  async communityInfo(): Promise<CommunityInfo> {
    const id = this.opts.communityId;
    const [network, info, participants, meters] = await Promise.all([
      this.modules.provider.getNetwork(),
      this.contract.community(id),
      this.participants(),
      this.meters(),
    ]);
    const community: CommunityInfo = {
      chainId: network.chainId,
      hub: this.opts.hub,
      communityId: id,
      participants: [...participants],
      meters,
      intervalSeconds: Number(info.intervalSeconds),
      windowIntervals: Number(info.windowIntervals),
      start: Number(info.start),
      windowCount: Number(info.windowCount),
      market: {
        kind: Number(info.market.kind),
        gridBuyPrice: info.market.gridBuyPrice,
        gridSellPrice: info.market.gridSellPrice,
        feederCapacityWh: info.market.feederCapacityWh,
        limitsHash: info.market.limitsHash,
        tariffHash: info.market.tariffHash,
      },
      limits:
        Number(info.market.kind) === MarketKind.Auction
          ? await this.publishedLimits(info.modules.market, info.market.limitsHash, participants.length)
          : undefined,
      tariff:
        info.market.tariffHash !== ZeroHash
          ? await this.publishedTariff(info.modules.market, {
              kind: Number(info.market.kind),
              gridBuyPrice: info.market.gridBuyPrice,
              gridSellPrice: info.market.gridSellPrice,
              feederCapacityWh: info.market.feederCapacityWh,
              tariffHash: info.market.tariffHash,
            })
          : undefined,
      challengePeriod: Number(info.challengePeriod),
      token: info.token,
      escrow: info.escrow,
      coSignature: await this.coSignatureScheme(info.modules.coSignature, network.chainId, participants.length),
    };
    if (community.limits) {
      const windowSeconds = community.intervalSeconds * community.windowIntervals;
      community.limitBook = new LimitBook(
        {
          communityId: id,
          participants: community.participants,
          domain: hubDomain(network.chainId, this.opts.hub),
          windowCount: community.windowCount,
          windowStart: (w) => community.start + w * windowSeconds,
        },
        community.limits,
      );
      community.limitBook.syncedTo = Number.NEGATIVE_INFINITY;
      this.limitModule = info.modules.market;
      await this.refreshLimitBook(community.limitBook);
    }
    return community;
  }

  /** The auction module whose order book `refreshLimitBook` reads (set by `communityInfo`). */
  private limitModule: string | undefined;
  /** The next block `refreshLimitBook` reads orders from (undefined: the community's first, `logScope`). */
  private limitsFromBlock: number | undefined;

  /**
   * Reads the community's new `LimitOrderPosted` events (in chain order) into `book`, then moves
   * `book.syncedTo` to the later of the head block's time and `nowSeconds` at the start of the read: an
   * order for window w is mined before w begins, so a window that began by then has final prices.
   * Throws LimitOrderError(BAD_EVENT) on an event the chain could not have emitted (a wrong module).
   */
  async refreshLimitBook(book: LimitBook, nowSeconds = Math.floor(Date.now() / 1000)): Promise<number> {
    if (!this.limitModule) return 0;
    const auction = new Contract(this.limitModule, loadArtifact('AuctionMarketStep').abi, this.modules.provider);
    const head = await this.modules.provider.getBlock('latest');
    if (!head) return 0;
    // No block since the last read: no query (a range past the head is an error on some nodes).
    const logs = await inBlockRanges(
      this.limitsFromBlock ?? this.logScope.fromBlock,
      head.number,
      this.logScope.maxRange,
      (from, to) =>
        auction.queryFilter(auction.filters.LimitOrderPosted(this.opts.hub, this.opts.communityId), from, to),
    );
    for (const log of logs) book.apply(postedOrderFromEvent((log as EventLog).args));
    this.limitsFromBlock = head.number + 1;
    book.syncedTo = Math.max(book.syncedTo, head.timestamp, nowSeconds);
    return logs.length;
  }

  /** The order book of the community's auction module (`ILimitBook`), connected to this client's runner. */
  async limitBookContract(): Promise<Contract> {
    this.limitModule ??= (await this.contract.community(this.opts.communityId)).modules.market as string;
    return new Contract(this.limitModule, loadArtifact('AuctionMarketStep').abi, this.modules.runner);
  }

  /**
   * Relays a signed order to the community's book: `genesisProof` shows the participant's genesis leaf,
   * `current` (unsigned) are the latest limits (`LimitBook.latest`) or the open's (`LimitBook.open`).
   */
  async sendLimitOrder(
    order: LimitOrder,
    signature: string,
    genesisProof: readonly string[],
    current: readonly LimitPrices[],
    overrides: Overrides = {},
  ) {
    return (await this.limitBookContract()).postOrder(
      this.opts.hub,
      [order.communityId, order.participant, order.fromWindow, order.bidPrice, order.askPrice, order.nonce],
      signature,
      genesisProof,
      current.map((l) => [l.bidPrice, l.askPrice]),
      overrides,
    );
  }

  /**
   * Relays a signed order over the latest limits of `book` (the cheaper relay) and, when the book on chain
   * refuses them as stale (another member's order landed first: `StaleLimits` at estimate, or a mined
   * revert), once more over the open's limits, which no order makes stale: the book puts every posted pair
   * back (DESIGN.md §3, review 4 L1). The signed order is the same both times. Throws what the last relay
   * threw (a refusal for another reason is not retried).
   */
  async relayLimitOrder(
    order: LimitOrder,
    signature: string,
    genesisProof: readonly string[],
    book: LimitBook,
  ): Promise<{ receipt: TransactionReceipt; retried: boolean }> {
    const send = async (current: readonly LimitPrices[]) => {
      const receipt = await (await this.sendLimitOrder(order, signature, genesisProof, current)).wait();
      if (!receipt) throw new Error('postOrder: no receipt');
      return receipt;
    };
    try {
      return { receipt: await send(book.latest()), retried: false };
    } catch (e) {
      const revert = decodeRevert(e, (await this.limitBookContract()).interface);
      const err = e as { code?: string; receipt?: unknown };
      const minedRevert = err.code === 'CALL_EXCEPTION' && err.receipt !== undefined && err.receipt !== null;
      // Over the open's limits already (no epoch yet): nothing fresher to send.
      if ((revert?.name !== 'StaleLimits' && !minedRevert) || book.epochs.length === 0) throw e;
    }
    return { receipt: await send(book.open), retried: true };
  }

  /**
   * The participants in index order, from the community's `ParticipantsListed` event (the hub stores only
   * their count and the genesis balances root): checked against both, so a node never folds or signs for
   * a list the hub did not commit to.
   */
  /**
   * The community's meters, in index order, from its `open` transaction's calldata (the hub stores only their
   * records' root): the `CommunityOpened` log's transaction, checked against `meterRoot` (`metersFromOpen`).
   */
  async meters(): Promise<MeterInfo[]> {
    const id = this.opts.communityId;
    const [root, info, logs] = await Promise.all([
      this.contract.meterRoot(id) as Promise<string>,
      this.contract.community(id),
      this.events(this.contract.filters.CommunityOpened(id)),
    ]);
    const log = logs[0];
    if (!log) throw new MeterListError(`community ${id}: no CommunityOpened event`);
    const tx = await this.modules.provider.getTransaction(log.transactionHash);
    if (!tx) throw new MeterListError(`community ${id}: its open transaction ${log.transactionHash} is not available`);
    return metersFromOpen(this.contract, tx.data, {
      meterRoot: root,
      meterCount: Number(info.meterCount),
      communityId: id,
    });
  }

  async participants(): Promise<string[]> {
    const id = this.opts.communityId;
    const [info, logs] = await Promise.all([
      this.contract.community(id),
      this.events(this.contract.filters.ParticipantsListed(id)),
    ]);
    for (const log of logs) {
      let listed: string[];
      try {
        listed = decodeParticipants((log as EventLog).args.participants as string);
      } catch {
        continue;
      }
      if (
        listed.length === Number(info.participantCount) &&
        balancesRoot(genesisBalances(listed, info.escrow), 0n) === info.genesisBalancesRoot
      )
        return listed;
    }
    throw new Error(`community ${id}: no ParticipantsListed event matches its genesis balances root`);
  }

  /**
   * A time-of-use community's tariff: a `TariffPublished` event of its market module under the community's
   * tariff hash, checked against the market (`checkMarketTariff`: its hash, and the flat prices are its
   * ceilings). Throws when there is none that passes: a node cannot fold (nor prove a bad step of) a
   * community whose tariff it does not know, and an honest one does not join it (DESIGN.md §3).
   */
  private async publishedTariff(module: string, market: MarketParams): Promise<Tariff> {
    const publisher = new Contract(module, loadArtifact('MarketStep').abi, this.modules.provider);
    const logs = await this.events(publisher.filters.TariffPublished(market.tariffHash), publisher);
    const problems: string[] = [];
    for (const log of logs) {
      try {
        const t = (log as EventLog).args.tariff;
        const tariff = tariffFromAbi([t[0], t[1], t[2], t[3], t[4]]);
        checkMarketTariff(market, tariff);
        return tariff;
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
    throw new Error(
      `community ${this.opts.communityId}: no usable tariff published under its tariff hash ${market.tariffHash} ` +
        `by its market module ${module} (publishTariff)${problems.length ? `: ${problems.join('; ')}` : ''}; ` +
        'the community cannot be folded',
    );
  }

  /**
   * An auction community's standing limit prices: a `LimitsPublished` event of its market module under the
   * community's limits hash whose prices hash to it, one pair per participant. Throws when there is none: a
   * node cannot fold (nor prove a bad step of) an auction whose prices it does not know, and an honest one
   * does not join such a community (DESIGN.md §3).
   */
  private async publishedLimits(module: string, hash: string, n: number): Promise<LimitPrices[]> {
    const auction = new Contract(module, loadArtifact('AuctionMarketStep').abi, this.modules.provider);
    const logs = await this.events(auction.filters.LimitsPublished(hash), auction);
    for (const log of logs) {
      const limits = ((log as EventLog).args.limits as { bidPrice: bigint; askPrice: bigint }[]).map((l) => ({
        bidPrice: l.bidPrice,
        askPrice: l.askPrice,
      }));
      if (limits.length === n && limitsHash(limits) === hash) return limits;
    }
    throw new Error(
      `auction community ${this.opts.communityId}: no limit prices published under its limits hash ${hash} ` +
        `by its market module ${module} (AuctionMarketStep.publishLimits); the community cannot be folded`,
    );
  }

  /**
   * Which scheme the community's co-signature module is: BLS when the module answers the BLS
   * module's `signatureDst` with the tag this node computes for (chain, hub, community) — then with
   * the keys it registered at join, from its KeyRegistered events — else the ECDSA signer set.
   */
  private async coSignatureScheme(module: string, chainId: bigint, n: number): Promise<CommunityInfo['coSignature']> {
    const bls = new Contract(module, loadArtifact('BlsCoSignatureScheme').abi, this.modules.provider);
    const domain = { chainId, hub: this.opts.hub, communityId: this.opts.communityId };
    let tag: string;
    try {
      tag = await bls.signatureDst(this.opts.hub, this.opts.communityId);
    } catch {
      return { scheme: 'ecdsa' };
    }
    if (tag.toLowerCase() !== toHex(signatureDst(domain)).toLowerCase()) return { scheme: 'ecdsa' };
    const logs = await this.events(bls.filters.KeyRegistered(this.opts.hub, this.opts.communityId), bls);
    const publicKeys: Uint8Array[] = [];
    for (const log of logs) {
      const { index, publicKey } = (log as EventLog).args;
      publicKeys[Number(index)] = fromHex(publicKey);
    }
    return { scheme: 'bls', publicKeys: Array.from({ length: n }, (_, i) => publicKeys[i] ?? new Uint8Array(0)) };
  }

  /**
   * The balances root after window `window` (`WindowRecord.balancesRoot`), the genesis root for -1 (the
   * balances before window 0: what an aborted community pays from).
   */
  async balancesRootAfter(window: number): Promise<string> {
    const id = this.opts.communityId;
    if (window < 0) return (await this.contract.community(id)).genesisBalancesRoot;
    return (await this.windowRecord(window)).balancesRoot;
  }

  /** The community's payment token. */
  async token(): Promise<string> {
    return (await this.contract.community(this.opts.communityId)).token;
  }

  /** Debt repaid at close so far, shared among the creditors pro rata to their claims. */
  async repaidPool(): Promise<bigint> {
    return (await this.contract.community(this.opts.communityId)).repaidPool;
  }

  /** Member `index`'s money on chain as of block `blockTag` (`Hub.member`; `member` reads the head). */
  async memberAt(index: number, blockTag: number): Promise<MemberInfo> {
    const m = await this.contract.member(this.opts.communityId, index, { blockTag });
    return { bond: m.bond, credit: m.credit, settled: m.settled, claimTaken: m.claimTaken, fine: m.fine };
  }

  /**
   * Joins as participant `index`: `proof` shows the genesis leaf (index, sender, escrow, 0, 0) under the
   * community's genesis balances root (`balanceProof(genesisBalances(participants, escrow), index)`);
   * `keyData` is the co-signature key (ECDSA: empty; BLS: key ‖ proof of possession). Pulls bond + escrow:
   * approve them first.
   */
  async sendJoin(index: number, proof: readonly string[], keyData: string | Uint8Array, overrides: Overrides = {}) {
    return this.contract.join(this.opts.communityId, index, proof, keyData, overrides);
  }

  /** Pays member `index` from the final balances root (anyone may send it, once per member, after close). */
  async sendClaim(
    index: number,
    leaf: BalanceLeaf,
    totalClaims: bigint,
    proof: readonly string[],
    overrides: Overrides = {},
  ) {
    const terms = await this.memberClaimTerms();
    return this.contract.claim(this.opts.communityId, terms, index, leaf, totalClaims, proof, overrides);
  }

  /**
   * Pays every member not paid yet, and every paid creditor what the repaid pool grew since, in one
   * transaction (`Hub.claimAll`; anyone may send it after close). `leaves` are all N final leaves in index order.
   */
  async sendClaimAll(leaves: readonly BalanceLeaf[], totalClaims: bigint, overrides: Overrides = {}) {
    const terms = await this.memberClaimTerms();
    return this.contract.claimAll(this.opts.communityId, terms, leaves, totalClaims, overrides);
  }

  /**
   * Pays the members `first` … `first + leaves.length − 1` of one aligned subtree of the final balances tree
   * (`Hub.claimRange`): `proof` is the subtree root's (`BalancesTree.rangeProof`).
   */
  async sendClaimRange(
    first: number,
    leaves: readonly BalanceLeaf[],
    totalClaims: bigint,
    proof: readonly string[],
    overrides: Overrides = {},
  ) {
    const terms = await this.memberClaimTerms();
    return this.contract.claimRange(this.opts.communityId, terms, first, leaves, totalClaims, proof, overrides);
  }

  /** A settled creditor takes what the repaid pool grew since its last take. */
  async sendClaimShare(
    index: number,
    leaf: BalanceLeaf,
    totalClaims: bigint,
    proof: readonly string[],
    overrides: Overrides = {},
  ) {
    const terms = await this.memberClaimTerms();
    return this.contract.claimShare(this.opts.communityId, terms, index, leaf, totalClaims, proof, overrides);
  }

  /**
   * What `claim` and `claimShare` pass as `terms` (`ClaimTerms`, from `Hub.community`): the community's token,
   * N, bond, creditPerMember and whether it was aborted (closed before everyone joined: joinedCount < N), frozen
   * once closed; the hub checks them against the claim root `close` wrote.
   */
  async memberClaimTerms(): Promise<[string, bigint, bigint, bigint, boolean]> {
    const c = await this.contract.community(this.opts.communityId);
    const n = c.participantCount as bigint;
    return [c.token as string, n, c.bond as bigint, c.creditPerMember as bigint, (c.joinedCount as bigint) < n];
  }

  /**
   * Window `window`'s result (`Hub.windowRecord`). Of a result final at once (signed by everyone) the hub
   * stores no record (only the community's latest final balances root, s16): it reports its windowRoot,
   * stateHash and balancesRoot as zero, and they are taken here from its `WindowFinalized` event
   * (`finalizedRoots`), so every caller (settlement's audit, the disputer, the balance book, the dashboard,
   * `diversity audit`) compares against the co-signed roots. A pending claim, and one that finalized after its
   * challenge period, keeps its whole stored record. Throws rather than return a zero root for a final window.
   */
  /**
   * Window `window`'s record. Read once per block (`atHead`): the node's loops ask for it every tick,
   * and between two blocks the answer cannot change. `latest` reads the chain's newest state now
   * (the submitter's last look before it sends: another rank's update may have been mined a moment ago).
   */
  async windowRecord(window: number, opts: { latest?: boolean } = {}): Promise<WindowRecord> {
    return opts.latest
      ? this.readWindowRecord(window, 'latest')
      : this.atHead(`windowRecord:${window}`, (block) => this.readWindowRecord(window, block));
  }

  private async readWindowRecord(window: number, blockTag: number | 'latest'): Promise<WindowRecord> {
    const r = await this.contract.windowRecord(this.opts.communityId, window, { blockTag });
    const record: WindowRecord = {
      windowRoot: r.windowRoot,
      stateHash: r.stateHash,
      balancesRoot: r.balancesRoot,
      signers: r.signers,
      submittedAt: Number(r.submittedAt),
      status: Number(r.status),
    };
    const fastPath = record.status === WindowStatus.Final && record.submittedAt === 0;
    if (fastPath) {
      const roots = await this.finalizedRoots(window);
      record.windowRoot = roots.windowRoot;
      record.stateHash = roots.stateHash;
      record.balancesRoot = roots.balancesRoot;
    }
    if (record.status !== WindowStatus.None) {
      const n = await this.participantCount();
      if (bitmapWords(n) > 1)
        record.signers = fastPath ? joinWords(allWords(n)) : await this.wideSigners(window, record.signers);
    }
    return record;
  }

  /** The community's participant count, read once (fixed at open). */
  private participantCountRead?: Promise<number>;

  private participantCount(): Promise<number> {
    if (!this.participantCountRead) {
      const read = this.contract.community(this.opts.communityId).then((info) => Number(info.participantCount));
      this.participantCountRead = read;
      read.catch(() => {
        if (this.participantCountRead === read) this.participantCountRead = undefined;
      });
    }
    return this.participantCountRead;
  }

  /** Signer sets of N > 256 by their record word (`SignerBitmap.ref`): content-addressed, they never change. */
  private readonly wideSets = new Map<bigint, bigint>();

  /**
   * The signer set (one integer, `joinWords`) of window `window`'s claim whose record keeps `setRef`, the
   * keccak256 of its words: read from the `WindowClaimed` event that carries those words (the hub's view
   * gives only the hash, s9). Throws when no such event is found: a node must not count a hash's bits.
   */
  async wideSigners(window: number, setRef: bigint): Promise<bigint> {
    const cached = this.wideSets.get(setRef);
    if (cached !== undefined) return cached;
    const filter = this.contract.filters.WindowClaimed(this.opts.communityId, window);
    for (const log of await this.events(filter)) {
      if (!('args' in log)) continue;
      const words = [...(log.args.signers as bigint[])].map(BigInt);
      if (ref(words) !== setRef) continue;
      const set = joinWords(words);
      this.wideSets.set(setRef, set);
      return set;
    }
    throw new Error(
      `window ${window}: no WindowClaimed event carries the signer words of record word ${setRef.toString(16)} (N > 256: the hub keeps their hash)`,
    );
  }

  /** Roots of fast-path-final windows read from their events, by window (a final window never changes). */
  private readonly fastPathRoots = new Map<number, ClaimedResult>();

  /**
   * The roots of window `window`'s result final at once, from its `WindowFinalized` event (the hub emits it
   * once per window, indexed by community and window). Throws when no such event is found (a node that cannot
   * read it must not audit against zeros), or when the logs disagree (two events of one final window: no
   * honest chain has them).
   */
  async finalizedRoots(window: number): Promise<ClaimedResult> {
    const cached = this.fastPathRoots.get(window);
    if (cached) return cached;
    const filter = this.contract.filters.WindowFinalized(this.opts.communityId, window);
    let found: ClaimedResult | undefined;
    for (const log of await this.events(filter)) {
      if (!('args' in log)) continue;
      const { windowRoot, stateHash, balancesRoot } = log.args as unknown as ClaimedResult;
      if (
        found &&
        !(
          sameHex(found.windowRoot, windowRoot) &&
          sameHex(found.stateHash, stateHash) &&
          sameHex(found.balancesRoot, balancesRoot)
        )
      )
        throw new Error(`window ${window}: two WindowFinalized events with different roots`);
      found = { windowRoot, stateHash, balancesRoot };
    }
    if (!found)
      throw new Error(
        `window ${window} is final at once but its WindowFinalized event was not found: its roots are in that event only`,
      );
    this.fastPathRoots.set(window, found);
    return found;
  }

  /** Index of the last final window, or -1 (from `community().finalizedWindows`: the hub keeps no second view of it). */
  async lastFinalizedWindow(): Promise<number> {
    return this.atHead('lastFinalizedWindow', async (blockTag) => {
      const info = await this.contract.community(this.opts.communityId, { blockTag });
      return Number(info.finalizedWindows) - 1;
    });
  }

  /** Reads kept per block (`atHead`), by key: at most `HEAD_READS` of them, those of older blocks dropped first. */
  private readonly headReads = new Map<string, { block: number; value: Promise<unknown> }>();

  /**
   * `read` at the chain's head block, once per block: a node's loops (settlement, the game, the
   * dashboard) poll the same views every tick, and decoding the hub's answers was most of an idle
   * node's CPU (a 10-node devnet on 2 cores: the community took ~0.6 of a core doing nothing, CPU
   * profile in docs/faults.md). The block number is the provider's (ethers caches it for its
   * `cacheTimeout`, 250 ms by default); the view is read AT that block, so a cached answer is exactly
   * the chain's state there. A failed read is not kept.
   */
  private async atHead<T>(key: string, read: (blockTag: number) => Promise<T>): Promise<T> {
    const block = await this.modules.provider.getBlockNumber();
    const hit = this.headReads.get(key);
    if (hit && hit.block === block) return hit.value as Promise<T>;
    const value = read(block);
    if (this.headReads.size >= HEAD_READS)
      for (const [k, v] of this.headReads)
        if (v.block < block || this.headReads.size >= HEAD_READS) this.headReads.delete(k);
    this.headReads.set(key, { block, value });
    value.catch(() => {
      if (this.headReads.get(key)?.value === value) this.headReads.delete(key);
    });
    return value;
  }

  /** The community's data-availability game module (`CommunityModules.game`, named at open). */
  async gameModule(): Promise<string> {
    const info = await this.contract.community(this.opts.communityId);
    return info.modules.game;
  }

  /**
   * The community's configured bond and the claim deposit of a partial claim: `Hub.CLAIM_DEPOSIT_BPS` of
   * the bond, rounded down as `Settlement.claimDeposit` does (review R9).
   */
  async claimTerms(): Promise<{ bond: bigint; deposit: bigint }> {
    const [info, bps] = await Promise.all([
      this.contract.community(this.opts.communityId),
      this.contract.CLAIM_DEPOSIT_BPS() as Promise<bigint>,
    ]);
    const bond: bigint = info.bond;
    return { bond, deposit: (bond * bps) / 10_000n };
  }

  /** Tops the caller's bond back up to the configured bond (`Hub.topUpBond`; the missing amount is pulled). */
  async sendTopUpBond(overrides: Overrides = {}) {
    return this.contract.topUpBond(this.opts.communityId, overrides);
  }

  /** Participant `index`'s on-chain part (`Hub.member`): bond, credit, whether it was paid out, claim taken. */
  async member(index: number): Promise<MemberInfo> {
    const m = await this.contract.member(this.opts.communityId, index);
    return { bond: m.bond, credit: m.credit, settled: m.settled, claimTaken: m.claimTaken, fine: m.fine };
  }

  /**
   * Sends window `window`'s result (windowRoot, stateHash, balancesRoot: what was co-signed) with
   * `coSignature`, the community's blob (ECDSA: `encodeEcdsaCoSignature`; BLS: `BlsShareAggregator.build`).
   * `finalState` is S_W for a partial claim (sent packed, `packState`: the hub checks its hash against
   * stateHash, review 3 B1) and `null` when every participant signed (the hub refuses a final state
   * there, `UnexpectedFinalState`: every signer holds it).
   */
  async sendUpdate(
    window: number,
    result: ClaimedResult,
    coSignature: string,
    finalState: readonly ParticipantState[] | null,
    overrides: Overrides = {},
  ) {
    return this.contract.update(
      this.opts.communityId,
      window,
      result.windowRoot,
      result.stateHash,
      result.balancesRoot,
      finalState === null ? '0x' : packState(finalState),
      coSignature,
      overrides,
    );
  }

  /**
   * S_w of the partial claim `claim` of window `window`, read from the calldata of the `update` that
   * posted it (the `WindowClaimed` event's transaction; review 3 B1: a partial claim carries its packed
   * final state, the hub checked its hash). Undefined when no such event is found, the transaction is
   * not a direct call of `update` (sent through another contract), or its state does not hash to the
   * claim's stateHash. A fully signed result carries none: its signers hold it.
   */
  async claimedFinalState(window: number, claim: ClaimedResult): Promise<ParticipantState[] | undefined> {
    const id = this.opts.communityId;
    const logs = await this.events(this.contract.filters.WindowClaimed(id, window));
    const provider = this.modules.provider;
    for (const log of logs.reverse()) {
      if (!('args' in log)) continue;
      const { windowRoot, stateHash: claimed, balancesRoot } = log.args;
      if (!sameHex(windowRoot, claim.windowRoot) || !sameHex(claimed, claim.stateHash)) continue;
      if (!sameHex(balancesRoot, claim.balancesRoot)) continue;
      const tx = await provider.getTransaction(log.transactionHash);
      if (!tx?.to || !sameHex(tx.to, this.opts.hub)) continue;
      let call: ReturnType<typeof parseCallAsContract> = null;
      try {
        call = parseCallAsContract(this.contract.interface, tx.data);
      } catch {
        continue; // not an ABI-valid hub call: nothing to read
      }
      if (call?.name !== 'update') continue;
      const packed = getBytes(call.args.finalState as string);
      if (packed.length === 0 || packed.length % PACKED_STATE_STRIDE !== 0) continue;
      const state = unpackState(packed, packed.length / PACKED_STATE_STRIDE);
      if (sameHex(stateHash(state), claim.stateHash)) return state;
    }
    return undefined;
  }

  /**
   * Sends a fraud proof (`kind` and `abi.encode(proof)`) against the claim (window, windowRoot,
   * stateHash, balancesRoot) — none for an equivocation — and waits for it to be mined. Commit–reveal: commits
   * first (keccak256(abi.encode(sender, communityId, window, kind, keccak256(proof)))), waits for that
   * block, then reveals: a copy-cat of the reveal has no commitment of its own from an earlier block.
   */
  async dispute(
    window: number,
    kind: number,
    proof: string,
    claim: ClaimedResult = { windowRoot: ZeroHash, stateHash: ZeroHash, balancesRoot: ZeroHash },
  ): Promise<TransactionReceipt> {
    const runner = this.modules.runner as ContractRunner & { getAddress(): Promise<string> };
    const sender = await runner.getAddress();
    const commitment = disputeCommitment(sender, this.opts.communityId, window, kind, proof);
    try {
      // Once the commitment is mined, any transaction sent afterwards lands in a later block.
      await (await this.contract.commitDispute(commitment)).wait(1, TX_TIMEOUT_MS);
      const reveal = () =>
        this.contract.dispute(
          this.opts.communityId,
          window,
          claim.windowRoot,
          claim.stateHash,
          claim.balancesRoot,
          kind,
          proof,
        );
      let tx: ContractTransactionResponse;
      try {
        tx = await reveal();
      } catch (e) {
        // A slash too large for one transaction is on: this dispute's slash waits for it. Finish it, once.
        if (!this.isSlashPending(e)) throw e;
        (runner as { reset?: () => void }).reset?.();
        await this.finishPendingSlash();
        tx = await reveal();
      }
      return (await tx.wait(1, TX_TIMEOUT_MS))!;
    } catch (e) {
      // A dispute that reverts (another node's proof landed first) used a nonce that was never
      // sent: without a reset the signer's next transaction waits behind the gap until it times out.
      (runner as { reset?: () => void }).reset?.();
      throw e;
    }
  }

  async isVoided(meterIndex: number, interval: number): Promise<boolean> {
    return this.contract.isVoided(this.opts.communityId, meterIndex, interval);
  }

  async sendFinalize(overrides: Overrides = {}) {
    return this.contract.finalize(this.opts.communityId, overrides);
  }

  /** Whether the community is closed (`Hub.close` was mined: members are paid by proof from then on). */
  async isClosed(): Promise<boolean> {
    const info = await this.contract.community(this.opts.communityId);
    return Number(info.status) === COMMUNITY_CLOSED;
  }

  /**
   * When the community closed, in chain time: the timestamp of the block of its `CommunityClosed` event
   * (seconds), or undefined while it is open. A node's wait before it claims for its debtors counts from it.
   */
  async closedAtSeconds(): Promise<number | undefined> {
    const logs = await this.events(this.contract.filters.CommunityClosed(this.opts.communityId));
    if (!logs[0]) return undefined;
    return (await this.modules.provider.getBlock(logs[0].blockNumber))?.timestamp;
  }

  /**
   * Why `close` would revert now (the hub's error, decoded, e.g. `ChallengePeriodNotOver`, `SlashPending`,
   * `GameInProgress`), or undefined when it would go through: asked before a close is sent.
   */
  async closeRefusal(): Promise<HubRevert | undefined> {
    return this.refusalOf('close');
  }

  /**
   * Why `finalize` would revert now (`NoPendingWindow`, `ChallengePeriodNotOver`, `GameInProgress`,
   * `CommunityNotActive`, ...), or undefined when it would finalize the next window.
   */
  async finalizeRefusal(): Promise<HubRevert | undefined> {
    return this.refusalOf('finalize');
  }

  /** The hub's revert of `method(communityId)` as a static call now, decoded; undefined when it would go through. */
  private async refusalOf(method: 'close' | 'finalize'): Promise<HubRevert | undefined> {
    try {
      await this.contract[method].staticCall(this.opts.communityId);
      return undefined;
    } catch (e) {
      return decodeRevert(e, this.contract.interface) ?? { name: (e as Error).message ?? String(e), args: [] };
    }
  }

  /** Closes the community (anyone may, once every window is final and no slash or game holds it). */
  async sendClose(overrides: Overrides = {}) {
    return this.contract.close(this.opts.communityId, overrides);
  }

  /** Whether `e` is the hub's `SlashPending` for this community: a slash too large for one transaction is on. */
  isSlashPending(e: unknown): boolean {
    return isSlashPending(this.contract, e);
  }

  /** `finishPendingSlash` of this community. */
  async finishPendingSlash(maxCalls = 32, onMined?: (receipt: TransactionReceipt) => void): Promise<number> {
    return finishPendingSlash(this.contract, this.opts.communityId, maxCalls, onMined);
  }
}

/** Whether `e` is the hub's `SlashPending` (a slash too large for one transaction is on, DESIGN.md §5.3). */
export function isSlashPending(hub: Pick<Contract, 'interface'>, e: unknown): boolean {
  return decodeRevert(e, hub.interface)?.name === 'SlashPending';
}

/**
 * Finishes community `communityId`'s pending slash (DESIGN.md §5.3 "Paged slash"): while `continueSlash`
 * would do something (its static call does not revert `NoSlashPending`), sends it and waits for it to be
 * mined, at most `maxCalls` times; returns the number sent. A partial claim, `close` and another slashing
 * dispute or game outcome revert `SlashPending` until this is done; anyone may do it. `onMined` sees each
 * continuation's receipt (`diversity close` prints its gas).
 */
export async function finishPendingSlash(
  hub: Contract,
  communityId: bigint,
  maxCalls = 32,
  onMined?: (receipt: TransactionReceipt) => void,
): Promise<number> {
  for (let sent = 0; sent < maxCalls; sent++) {
    try {
      await hub.continueSlash.staticCall(communityId);
    } catch (e) {
      if (decodeRevert(e, hub.interface)?.name === 'NoSlashPending') return sent;
      throw e;
    }
    let tx: ContractTransactionResponse;
    try {
      tx = await hub.continueSlash(communityId);
    } catch (e) {
      // Another's continuation got in first (the estimate reverts): a sequenced signer's nonce was counted for
      // nothing, and its next transaction would wait behind the gap.
      (hub.runner as { reset?: () => void } | null)?.reset?.();
      throw e;
    }
    const receipt = await tx.wait(1, TX_TIMEOUT_MS);
    if (receipt?.status !== 1) throw new Error(`continueSlash reverted (tx ${tx.hash})`);
    onMined?.(receipt);
  }
  return maxCalls;
}
