import {
  Contract,
  ContractFactory,
  getBytes,
  type JsonRpcProvider,
  type NonceManager,
  type Wallet,
  type TransactionReceipt,
} from 'ethers';
import { chainProvider } from '../chain/provider.js';
import { checkMeterLayout } from '../window/commitment.js';
import { BalancesTree, genesisBalances } from '../window/balances.js';
import { loadArtifact, type Artifact } from '../chain/artifacts.js';
import {
  communityModules,
  deployHubDependencies,
  hubConstructorArgs,
  linkedHubArtifact,
  marketTuple,
  standardModuleSets,
  type CoSignatureSchemeName,
  type GameParams,
  type HubModules,
} from '../chain/modules.js';
import { HubClient, metersFromOpen } from '../chain/hubClient.js';
import { encodeMeters, encodeParticipants } from '../chain/openCodec.js';
import {
  fitsOpenTogether,
  packConsents,
  packPermits,
  signOpenConsent,
  signPermit,
  tokenDomain,
} from '../chain/openTogether.js';
import { checkMeterConsent } from '../community/meterConsent.js';
import { nodeBlsKeyData } from '../crypto/bls.js';
import { limitsHash, MarketKind, type LimitPrices, type MarketParams } from '../window/state.js';
import { marketWithTariff, type Tariff } from '../window/tariff.js';
import type { MeterScheme } from '../reading/signature.js';
import { hubDomain } from '../chain/eip712.js';
import { firstOpenWindow, LimitBook, signLimitOrder, type LimitOrder } from '../window/limits.js';

export interface GasLedger {
  /** kind -> gas of each transaction of that kind */
  entries: Map<string, bigint[]>;
}

export function newGasLedger(): GasLedger {
  return { entries: new Map() };
}

export function recordGas(ledger: GasLedger, kind: string, receipt: Pick<TransactionReceipt, 'gasUsed'> | null): void {
  if (!receipt) return;
  const list = ledger.entries.get(kind) ?? [];
  list.push(receipt.gasUsed);
  ledger.entries.set(kind, list);
}

export interface Deployment {
  hub: Contract;
  token: Contract;
  hubAddress: string;
  tokenAddress: string;
  /** The modules the hub allow-lists (communities name them at open). */
  modules: HubModules;
  /** A block at or before the first deployment: no event of these contracts is older (`chain.fromBlock`). */
  fromBlock: number;
}

/**
 * Deploys the demo payment token, the Settlement library, the standard modules (dispute verifier,
 * market steps, ECDSA co-signature, Ed25519 and P-256 meter schemes, the game with `game`'s
 * parameters or the defaults) and the hub that allow-lists them, from `deployer`; then registers the standard
 * module sets with the hub (`standardModuleSets`).
 */
export async function deployHub(
  deployer: Wallet | NonceManager,
  ledger?: GasLedger,
  game: GameParams = {},
): Promise<Deployment> {
  const tokenArtifact = loadArtifact('CommunityToken');
  const owner = await deployer.getAddress();
  const fromBlock = (await deployer.provider!.getBlockNumber()) + 1;
  const deploy = async (artifact: Artifact, args: unknown[], label: string): Promise<Contract> => {
    const c = await new ContractFactory(artifact.abi, artifact.bytecode, deployer).deploy(...args);
    await c.waitForDeployment();
    if (ledger) recordGas(ledger, label, await c.deploymentTransaction()!.wait());
    return c as Contract;
  };
  const token = await deploy(tokenArtifact, ['Community Euro', 'cEUR', owner], 'deploy token');
  const { settlement, modules } = await deployHubDependencies(
    async (a, args, label) => (await deploy(a, args, label)).getAddress(),
    loadArtifact,
    game,
  );
  const hub = await deploy(linkedHubArtifact(settlement), hubConstructorArgs(modules), 'deploy hub');
  // As a hub's deployer would: the standard module sets registered once, so no community's open writes its own.
  for (const set of standardModuleSets(modules)) {
    const receipt = await (await hub.getFunction('registerModules')(set.modules, set.kind)).wait();
    if (ledger) recordGas(ledger, set.label, receipt);
  }
  return { hub, token, hubAddress: await hub.getAddress(), tokenAddress: await token.getAddress(), modules, fromBlock };
}

export interface CommunitySpec {
  participants: Wallet[];
  /** Grouped by owner (all meters of participant 0, then of 1, …): `openCommunity` refuses any other order. */
  meters: { publicKey: Uint8Array; scheme: MeterScheme; owner: number }[];
  intervalSeconds: number;
  windowIntervals: number;
  start: number;
  windowCount: number;
  market: MarketParams;
  /**
   * Auction only: the standing limit prices, one pair per participant. Published on chain by the auction
   * module (`publishLimits`) before the open, and committed by the market's `limitsHash`.
   */
  limits?: LimitPrices[];
  /**
   * Auction: the prices each participant states for itself (its node's configuration). A participant whose
   * own pair differs from the listed one posts a signed order for it right after its join, in force from
   * the first window not begun (`joinOrder`); absent = the listed prices.
   */
  ownLimits?: LimitPrices[];
  /**
   * A time-of-use tariff (Mmr, Auction): published on chain by the market module (`publishTariff`) before
   * the open and committed by the market's `tariffHash`, with its ceilings as the flat prices
   * (`marketWithTariff`). Ignored for Totals, whose P2P price is never hourly.
   */
  tariff?: Tariff;
  bond: bigint;
  escrow: bigint;
  challengePeriod: number;
  /** Co-signature scheme (default ECDSA); with BLS each participant joins with its node's key and PoP. */
  coSignature?: CoSignatureSchemeName;
  /**
   * Per participant, the public keys of the meters it actually runs (as it knows them, not as the opener
   * listed them): before joining, each participant checks the meter table on chain against them and
   * refuses to join a table that lists a foreign key under its index (`checkMeterConsent`, review R8).
   */
  ownMeterKeys?: Uint8Array[][];
  /** The participants that join (default: all, and the community becomes Active); others never do. */
  joining?: number[];
}

/**
 * Whether `spec` opens with `Hub.openTogether` (one transaction, every participant's consent and deposit): an
 * ECDSA community that everyone joins, with no auction order to post at join, of at most
 * `OPEN_TOGETHER_MAX_PARTICIPANTS`. Otherwise `open` and one `join` per participant (BLS members register a key
 * with a proof of possession; `joining` leaves some out).
 */
export function opensTogether(spec: CommunitySpec): boolean {
  return spec.coSignature !== 'bls' && !spec.joining && !spec.ownLimits && fitsOpenTogether(spec.participants.length);
}

/**
 * `openCommunity` of a community opened together: each participant checks the meter table it is asked to sign
 * (`checkMeterConsent`, as before a join), signs its consent to the whole config and an EIP-2612 permit for its
 * deposit (no `approve` transaction, no ether of its own); the opener sends them all in one
 * `openTogetherWithPermits`.
 */
async function openTogether(
  deployment: Deployment,
  hub: Contract,
  config: Record<string, unknown>,
  spec: CommunitySpec,
  chainId: bigint,
  ledger?: GasLedger,
): Promise<bigint> {
  const domain = hubDomain(chainId, deployment.hubAddress);
  const latest = await deployment.hub.runner!.provider!.getBlock('latest');
  const deadline = BigInt(latest!.timestamp + 86_400);
  const table = spec.meters.map((m, index) => ({ index, ...m }));
  const permitDomain = await tokenDomain(deployment.token);
  const consents: string[] = [];
  const permits: string[] = [];
  for (const [index, p] of spec.participants.entries()) {
    // A consent binds the meter table: refuse one that lists a key we do not hold under our index.
    if (spec.ownMeterKeys) checkMeterConsent(table, index, spec.ownMeterKeys[index] ?? []);
    consents.push(signOpenConsent(p.signingKey, domain, config, deadline));
    const nonce: bigint = await deployment.token.nonces(p.address);
    const terms = { owner: p.address, spender: deployment.hubAddress, value: spec.bond + spec.escrow, nonce, deadline };
    permits.push(signPermit(p.signingKey, permitDomain, terms));
  }
  const args = [config, deadline, packConsents(consents), packPermits(permits)] as const;
  const communityId: bigint = await hub.openTogetherWithPermits.staticCall(...args);
  const receipt = await (await hub.openTogetherWithPermits(...args)).wait();
  if (ledger) recordGas(ledger, 'open together', receipt);
  return communityId;
}

/**
 * Opens a community and has every participant (or those of `spec.joining`) join: mint, approve, join with
 * the proof of its genesis balance (so it is Active when all do); or, for an ECDSA community everyone joins,
 * opens it together (`opensTogether`). Returns the community id.
 */
export async function openCommunity(
  deployment: Deployment,
  opener: Wallet | NonceManager,
  spec: CommunitySpec,
  ledger?: GasLedger,
): Promise<bigint> {
  // The hub refuses meters not grouped by owner (MetersNotGroupedByOwner): say which one before any gas is spent.
  checkMeterLayout({ owners: spec.meters.map((m) => m.owner), participants: spec.participants.length });
  const hub = deployment.hub.connect(opener) as Contract;
  let market = marketTuple(spec.market);
  if (spec.market.kind === MarketKind.Auction) {
    if (spec.limits?.length !== spec.participants.length)
      throw new RangeError('an auction community needs one pair of limit prices per participant');
    const limits = spec.limits.map((l) => [l.bidPrice, l.askPrice]);
    const auction = new Contract(deployment.modules.auction, loadArtifact('AuctionMarketStep').abi, opener);
    const receipt = await (await auction.publishLimits(limits)).wait();
    if (ledger) recordGas(ledger, 'publish limits', receipt);
    market = { ...market, limitsHash: limitsHash(spec.limits) };
  }
  if (spec.tariff && spec.market.kind !== MarketKind.Totals) {
    const t = spec.tariff;
    const module = communityModules(deployment.modules, spec.market.kind).market;
    const publisher = new Contract(module, loadArtifact('MarketStep').abi, opener);
    const receipt = await (
      await publisher.publishTariff([t.utcOffsetMinutes, t.weekday.buy, t.weekday.sell, t.weekend.buy, t.weekend.sell])
    ).wait();
    if (ledger) recordGas(ledger, 'publish tariff', receipt);
    market = marketTuple(marketWithTariff(market, t));
  }
  const participants = spec.participants.map((w) => w.address);
  // The lists packed (`OpenCodec`): 20 bytes per participant, 4 + key bytes per meter.
  const config = {
    participants: encodeParticipants(participants),
    meters: encodeMeters(spec.meters),
    intervalSeconds: spec.intervalSeconds,
    windowIntervals: spec.windowIntervals,
    start: spec.start,
    windowCount: spec.windowCount,
    market,
    token: deployment.tokenAddress,
    bond: spec.bond,
    escrow: spec.escrow,
    challengePeriod: spec.challengePeriod,
    modules: communityModules(deployment.modules, spec.market.kind, spec.coSignature),
  };
  const token = deployment.token.connect(opener) as Contract;
  const deposit = spec.bond + spec.escrow;
  await Promise.all(
    spec.participants.map(async (p) => {
      await (await token.mint(p.address, deposit * 10n)).wait();
    }),
  );
  const chainId = (await deployment.hub.runner!.provider!.getNetwork()).chainId;
  if (opensTogether(spec)) return openTogether(deployment, hub, config, spec, chainId, ledger);
  const communityId: bigint = await hub.open.staticCall(config);
  const openReceipt = await (await hub.open(config)).wait();
  if (ledger) recordGas(ledger, 'open', openReceipt);
  // What each joiner consents to: the meter list as the chain has it (the open's calldata, checked
  // against the hub's meterRoot), not the spec it was built from.
  const table = spec.ownMeterKeys
    ? metersFromOpen(deployment.hub, (await deployment.hub.runner!.provider!.getTransaction(openReceipt.hash))!.data, {
        meterRoot: await deployment.hub.meterRoot(communityId),
        meterCount: spec.meters.length,
        communityId,
      })
    : undefined;
  // A join proves the participant's genesis leaf (index, address, escrow, 0, 0) under the genesis root.
  const genesis = new BalancesTree(genesisBalances(participants, spec.escrow));
  // Auction: the orders each participant posts at join for its own prices, checked as the chain does.
  const book =
    spec.market.kind === MarketKind.Auction && spec.limits && spec.ownLimits
      ? new LimitBook(
          {
            communityId,
            participants,
            domain: hubDomain(chainId, deployment.hubAddress),
            windowCount: spec.windowCount,
          },
          spec.limits,
        )
      : undefined;
  for (const [index, p] of spec.participants.entries()) {
    if (spec.joining && !spec.joining.includes(index)) continue;
    // A join is consent to the meter table: refuse one that binds a key we do not hold to us.
    if (table && spec.ownMeterKeys) checkMeterConsent(table, index, spec.ownMeterKeys[index] ?? []);
    const asParticipant = deployment.token.connect(p) as Contract;
    await (await asParticipant.approve(deployment.hubAddress, deposit)).wait();
    const keyData =
      spec.coSignature === 'bls'
        ? nodeBlsKeyData(getBytes(p.privateKey), p.address, { chainId, hub: deployment.hubAddress, communityId })
        : '0x';
    const member = new HubClient(
      { hub: deployment.hubAddress, communityId },
      { runner: p, provider: deployment.hub.runner!.provider! },
    );
    const receipt = await (await member.sendJoin(index, genesis.proof(index), keyData)).wait();
    if (ledger) recordGas(ledger, 'join', receipt);
    const own = spec.ownLimits?.[index];
    if (book && own) {
      const order = await joinOrder(book, member, p, index, own, genesis.proof(index), spec);
      if (order && ledger) recordGas(ledger, 'limit order at join', order);
    }
  }
  return communityId;
}

/**
 * At join: participant `index` posts a signed order for its own limit prices when they differ from the ones
 * in force at the latest epoch of `book` (the listed ones before any order), from the first window not begun
 * by the chain's clock. Returns the receipt, or undefined when no order was needed.
 */
export async function joinOrder(
  book: LimitBook,
  member: HubClient,
  wallet: Wallet,
  index: number,
  own: LimitPrices,
  genesisProof: readonly string[],
  schedule: Pick<CommunitySpec, 'start' | 'intervalSeconds' | 'windowIntervals'>,
) {
  const latest = book.latest()[index];
  if (latest.bidPrice === own.bidPrice && latest.askPrice === own.askPrice) return undefined;
  const head = await member.contract.runner!.provider!.getBlock('latest');
  const now = Math.max(head?.timestamp ?? 0, Math.floor(Date.now() / 1000));
  const firstOpen = firstOpenWindow(now, schedule.start, schedule.intervalSeconds * schedule.windowIntervals);
  const order: LimitOrder = {
    communityId: member.opts.communityId,
    participant: index,
    fromWindow: firstOpen,
    bidPrice: own.bidPrice,
    askPrice: own.askPrice,
    nonce: book.nonceOf(index) + 1n,
  };
  const network = await member.contract.runner!.provider!.getNetwork();
  const signature = await signLimitOrder(wallet, hubDomain(network.chainId, member.opts.hub), order);
  book.check(order, signature, firstOpen);
  const { receipt } = await member.relayLimitOrder(order, signature, genesisProof, book);
  book.apply(book.posted(order));
  return receipt;
}

/** A provider for scripts: no network detection round-trips, fast polling. */
export function localProvider(rpcUrl: string, pollMs = 250): JsonRpcProvider {
  return chainProvider(rpcUrl, pollMs);
}
