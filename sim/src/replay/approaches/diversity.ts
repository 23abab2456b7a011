import { getBytes, Interface, SigningKey, TypedDataEncoder } from 'ethers';
import {
  BLS_R,
  blsKeyGen,
  blsProofOfPossession,
  blsPublicKey,
  blsSign,
  encodeCoSignature,
  encodeKeyData,
} from '../../../../node/src/crypto/bls.js';
import { CLAIM_ALL_MAX_MEMBERS, CLAIM_RANGE_HEIGHT } from '../../../../node/src/chain/claims.js';
import { encodeEcdsaCoSignature } from '../../../../node/src/chain/ecdsaCoSignature.js';
import { encodeMeters, encodeParticipants } from '../../../../node/src/chain/openCodec.js';
import {
  fitsOpenTogether,
  packConsents,
  packPermits,
  signOpenConsent,
  signPermit,
} from '../../../../node/src/chain/openTogether.js';
import { hubDomain, WINDOW_RESULT_TYPES } from '../../../../node/src/chain/eip712.js';
import { MarketKind, type MarketParams } from '../../../../node/src/community/types.js';
import {
  fastReadingSigner,
  meterKeyPair,
  MeterScheme,
  type SignedReading,
} from '../../../../node/src/reading/signature.js';
import { seedFor } from '../../../../node/src/vectors/readings.js';
import { toHex } from '../../../../node/src/util/hex.js';
import { assembleWindow } from '../../../../node/src/window/assemble.js';
import { BalancesTree, genesisBalances, nextBalances, type Balance } from '../../../../node/src/window/balances.js';
import { foldAndCommit } from '../../../../node/src/window/fold.js';
import { limitsHash, stateHash, type LimitPrices, type ParticipantState } from '../../../../node/src/window/state.js';
import { marketWithTariff, type Tariff } from '../../../../node/src/window/tariff.js';
import { loadArtifact, type Artifact } from '../../../../node/src/chain/artifacts.js';
import {
  communityModules,
  marketTuple,
  deployHubDependencies,
  hubConstructorArgs,
  linkedHubArtifact,
  type CoSignatureSchemeName,
  type HubModules,
} from '../../../../node/src/chain/modules.js';
import type { TxSpec } from '../sender.js';
import type { Approach, ApproachContext, CommunityReadings } from '../types.js';

/**
 * What the DIVERSITY replay needs from the hub, in one place so that wiring the real Hub is an
 * edit of this binding only. `hubBinding` below follows contracts/src/interfaces/IHub.sol:
 * open(OpenConfig: the lists packed, `encodeParticipants`/`encodeMeters`), join, update, close; the CommunityToken is Ownable with an owner-only `mint`.
 */
export interface HubBinding {
  hubArtifact: string;
  tokenArtifact: string;
  /** Where artifacts come from (default: contracts/out of this repository). */
  loadArtifact(name: string): Artifact;
  /** The hub's constructor arguments, given the modules deployed before it (its allow-list). */
  hubConstructorArgs(deployer: string, modules: HubModules): unknown[];
  tokenConstructorArgs(deployer: string): unknown[];
  /** Transactions before the first window: funding, approvals, then open and joins (BLS) or `openTogether` (ECDSA). */
  setupTxs(c: HubCallContext): TxSpec[];
  /**
   * `update(id, window, windowRoot, stateHash, balancesRoot, finalState, coSignature)`, fully signed (the
   * replay's co-signature names every participant), so `finalState` is empty; `coSignature`: the
   * community's blob (ECDSA signer set or BLS aggregate, `DiversityApproach.coSignature`).
   */
  updateTx(c: HubCallContext, window: number, result: WindowResultRoots, coSignature: string): TxSpec;
  closeTx(c: HubCallContext): TxSpec;
  /** One transaction pays every member from all its final leaves (`Hub.claimAll`). */
  claimAllTx(c: HubCallContext, leaves: readonly Balance[], totalClaims: bigint): TxSpec;
  /** One transaction pays the members of one subtree of the final balances tree (`Hub.claimRange`). */
  claimRangeTx(
    c: HubCallContext,
    first: number,
    leaves: readonly Balance[],
    totalClaims: bigint,
    proof: string[],
  ): TxSpec;
  communityId: bigint;
}

/** What a window's co-signed result commits to (the hub's `WindowResult` after the community id). */
export interface WindowResultRoots {
  windowRoot: string;
  stateHash: string;
  balancesRoot: string;
}

/**
 * The hub's EIP-712 `WindowResult` with `balancesRoot` (spec s5). node/src/chain/eip712.ts, the one home of
 * the type, gains the field on the node's branch of this round (s5-node); until that merge the replay
 * appends it here, and this is a no-op once it is there (remove it then).
 */
const RESULT_TYPES = WINDOW_RESULT_TYPES.WindowResult.some((f) => f.name === 'balancesRoot')
  ? WINDOW_RESULT_TYPES
  : { WindowResult: [...WINDOW_RESULT_TYPES.WindowResult, { name: 'balancesRoot', type: 'bytes32' }] };

export interface HubCallContext {
  hub: string;
  token: string;
  hubIface: Interface;
  tokenIface: Interface;
  readings: CommunityReadings;
  windowIntervals: number;
  participants: string[];
  /** The hub's modules (deployed before it); the community names them at open. */
  modules: HubModules;
  /** Meter public keys (Ed25519, 32 bytes) registered at open. */
  meterKeys: string[];
  /** Timestamp of interval 0: far enough in the past that every window has ended on the chain. */
  start: number;
  lastInterval: number;
  /**
   * The market opened and folded, as the hub takes it: committing to `limits` (auction) and `tariff`
   * (time of use) when given.
   */
  market: MarketParams;
  /** Auction: the standing limit prices, published on chain before the open. */
  limits?: LimitPrices[];
  /** A time-of-use tariff, published on chain before the open (Mmr, Auction). */
  tariff?: Tariff;
  /** The co-signature scheme named at open. */
  scheme: CoSignatureSchemeName;
  /** Per participant, the join's key data: empty for ECDSA, BLS key ‖ proof of possession. */
  keyData: string[];
  /**
   * ECDSA: the participants' keys and the chain id, with which each signs its consent to the community
   * (`openTogether`), good until `consentDeadline`.
   */
  consent?: { keys: SigningKey[]; chainId: bigint; deadline: bigint };
}

/** Tariffs of the replayed market, token base units (18 decimals) per kWh: 0.25 buy, 0.05 sell. */
export const GRID_BUY_PER_KWH = 250n * 10n ** 15n;
export const GRID_SELL_PER_KWH = 50n * 10n ** 15n;
/** The paper's market: window totals at the midpoint price. */
export const SIM_MARKET: MarketParams = {
  kind: MarketKind.Totals,
  gridBuyPrice: GRID_BUY_PER_KWH,
  gridSellPrice: GRID_SELL_PER_KWH,
  feederCapacityWh: 0n,
};
/** The replay's token's name: also its EIP-712 domain name, which the members' permits are signed under. */
export const SIM_TOKEN_NAME = 'DIVERSITY Community Token';
/** Escrow and bond per participant: generous, so that no window records a debt (the reaction never draws a bond). */
export const ESCROW = 10n ** 24n;
export const BOND = 10n ** 18n;

export const hubBinding: HubBinding = {
  hubArtifact: 'Hub',
  tokenArtifact: 'CommunityToken',
  communityId: 1n,
  loadArtifact: (name) => loadArtifact(name),
  hubConstructorArgs: (_deployer, modules) => hubConstructorArgs(modules),
  tokenConstructorArgs: (deployer) => [SIM_TOKEN_NAME, 'DCT', deployer],
  setupTxs(c) {
    const n = c.participants.length;
    const each = ESCROW + BOND;
    const modules = communityModules(c.modules, c.market.kind, c.scheme);
    // The hub's module set, registered once per hub as its deployer would (`Hub.registerModules`): a deployment
    // cost, reported apart like the contracts', so the open names a registered set and writes none of its slots.
    const txs: TxSpec[] = [
      {
        from: 0,
        to: c.hub,
        data: c.hubIface.encodeFunctionData('registerModules', [modules, c.market.kind]),
        gasLimit: 1_000_000n,
        atInterval: 0,
        deployment: true,
        flush: true,
      },
    ];
    // The preimages the community commits to, on chain before the open (DESIGN.md §3): its market module's
    // events, read back by every node.
    const market = new Interface(loadArtifact('AuctionMarketStep').abi);
    const module = modules.market;
    if (c.limits) {
      txs.push({
        from: 0,
        to: module,
        data: market.encodeFunctionData('publishLimits', [c.limits.map((l) => [l.bidPrice, l.askPrice])]),
        gasLimit: 4_000_000n,
        atInterval: 0,
        kind: 'setup',
      });
    }
    if (c.tariff) {
      const t = c.tariff;
      txs.push({
        from: 0,
        to: module,
        data: market.encodeFunctionData('publishTariff', [
          [t.utcOffsetMinutes, t.weekday.buy, t.weekday.sell, t.weekend.buy, t.weekend.sell],
        ]),
        gasLimit: 1_000_000n,
        atInterval: 0,
        kind: 'setup',
      });
    }
    // Minting the test token stands in for holding it: kind 'funding', kept out of the totals like deployments.
    // A member that joins approves its deposit first, a real cost of joining: kind 'setup'. A community opened
    // together needs no approval: each member's EIP-2612 permit rides in the opening transaction.
    for (let m = 0; m < n; m++) {
      txs.push({
        from: 0,
        to: c.token,
        data: c.tokenIface.encodeFunctionData('mint', [c.participants[m], each]),
        gasLimit: 200_000n,
        atInterval: 0,
        kind: 'funding',
        flush: c.consent !== undefined && m === n - 1,
      });
      if (c.consent) continue;
      txs.push({
        from: m,
        to: c.token,
        data: c.tokenIface.encodeFunctionData('approve', [c.hub, each]),
        gasLimit: 200_000n,
        atInterval: 0,
        kind: 'setup',
        flush: m === n - 1,
      });
    }
    const config = {
      participants: encodeParticipants(c.participants),
      meters: encodeMeters(
        c.meterKeys.map((publicKey, m) => ({ publicKey: getBytes(publicKey), scheme: 0, owner: m })),
      ),
      intervalSeconds: c.readings.intervalSeconds,
      windowIntervals: c.windowIntervals,
      start: c.start,
      windowCount: Math.ceil(c.readings.intervals / c.windowIntervals),
      market: marketTuple(c.market),
      token: c.token,
      bond: BOND,
      escrow: ESCROW,
      challengePeriod: 3600,
      modules,
    };
    if (c.consent) {
      // ECDSA: every member signed its consent to this config, and a permit for its deposit, off chain; one
      // transaction opens the community Active and pulls every deposit (`openTogetherWithPermits`: no approval,
      // no join, no member slot). The members are fresh accounts: each permit is at nonce 0.
      const { keys, chainId, deadline } = c.consent;
      const domain = hubDomain(chainId, c.hub);
      const permitDomain = { name: SIM_TOKEN_NAME, version: '1', chainId, verifyingContract: c.token };
      const permit = (k: SigningKey, m: number) =>
        signPermit(k, permitDomain, { owner: c.participants[m], spender: c.hub, value: each, nonce: 0n, deadline });
      txs.push({
        from: 0,
        to: c.hub,
        data: c.hubIface.encodeFunctionData('openTogetherWithPermits', [
          config,
          deadline,
          packConsents(keys.map((k) => signOpenConsent(k, domain, config, deadline))),
          packPermits(keys.map(permit)),
        ]),
        gasLimit: 16_000_000n,
        atInterval: 0,
        flush: true,
        kind: 'setup',
      });
      return txs;
    }
    txs.push({
      from: 0,
      to: c.hub,
      data: c.hubIface.encodeFunctionData('open', [config]),
      gasLimit: 16_000_000n,
      atInterval: 0,
      flush: true,
      kind: 'setup',
    });
    // Each member proves its genesis leaf (index, itself, escrow, 0, 0) under the genesis balances root.
    const genesis = new BalancesTree(genesisBalances(c.participants, ESCROW));
    for (let m = 0; m < n; m++) {
      txs.push({
        from: m,
        to: c.hub,
        data: c.hubIface.encodeFunctionData('join', [this.communityId, m, genesis.proof(m), c.keyData[m]]),
        gasLimit: 1_000_000n,
        atInterval: 0,
        flush: m === n - 1,
        kind: 'setup',
      });
    }
    return txs;
  },
  updateTx(c, window, result, coSignature) {
    return {
      from: window % c.participants.length, // rotating submitter
      to: c.hub,
      data: c.hubIface.encodeFunctionData('update', [
        this.communityId,
        window,
        result.windowRoot,
        result.stateHash,
        result.balancesRoot,
        '0x', // every participant signed: no final state (a partial claim carries it, review 3 B1)
        coSignature,
      ]),
      gasLimit: 16_000_000n,
      atInterval: Math.min((window + 1) * c.windowIntervals, c.readings.intervals) - 1,
      flush: true, // windows finalize in order
      kind: 'update',
    };
  },
  closeTx(c) {
    return {
      from: 0,
      to: c.hub,
      data: c.hubIface.encodeFunctionData('close', [this.communityId]),
      gasLimit: 16_000_000n,
      atInterval: c.lastInterval,
      flush: true, // the claims need a closed community
      kind: 'close',
    };
  },
  claimAllTx(c, leaves, totalClaims) {
    return {
      from: 0, // one member pays everyone (anyone may)
      to: c.hub,
      data: c.hubIface.encodeFunctionData('claimAll', [
        this.communityId,
        [c.token, c.participants.length, BOND, 0n, false],
        leaves.map((l) => [l.participant, l.escrow, l.debt, l.claim]),
        totalClaims,
      ]),
      gasLimit: 16_000_000n,
      atInterval: c.lastInterval,
      flush: true,
      kind: 'claim',
    };
  },
  claimRangeTx(c, first, leaves, totalClaims, proof) {
    return {
      from: first, // the batch's first member pays for it (anyone may)
      to: c.hub,
      data: c.hubIface.encodeFunctionData('claimRange', [
        this.communityId,
        // The claim terms `close` committed with the final root (`ClaimTerms`): no slash in a replay, so no
        // credit per member; everyone joined, so not aborted.
        [c.token, c.participants.length, BOND, 0n, false],
        first,
        leaves.map((l) => [l.participant, l.escrow, l.debt, l.claim]),
        totalClaims,
        proof,
      ]),
      gasLimit: 16_000_000n,
      atInterval: c.lastInterval,
      flush: true,
      kind: 'claim',
    };
  },
};

/** Seed of meter m's Ed25519 key in the replay (public: the replay signs for every meter). */
export function simMeterSeed(m: number): Uint8Array {
  return seedFor(`sim-meter-${m}`);
}

/**
 * One window as a node would settle it: every meter's signed readings of the window, folded with
 * F (the market opened on the hub) and committed to (DESIGN.md §3-§4).
 */
export function foldReplayWindow(
  r: CommunityReadings,
  c: {
    chainId: bigint;
    hub: string;
    communityId: bigint;
    windowIntervals: number;
    market?: MarketParams;
    limits?: LimitPrices[];
    tariff?: Tariff;
    /** Timestamp of interval 0 (prices a time-of-use tariff's intervals). */
    start?: number;
  },
  signers: ((reading: SignedReading['reading']) => SignedReading)[],
  window: number,
): { windowRoot: string; state: ParticipantState[] } {
  const from = window * c.windowIntervals;
  const to = Math.min(from + c.windowIntervals, r.intervals);
  const readings: SignedReading[] = [];
  for (let t = from; t < to; t++) {
    for (let m = 0; m < r.meters; m++) {
      readings.push(
        signers[m]({
          chainId: c.chainId,
          hub: c.hub,
          communityId: c.communityId,
          meterIndex: m,
          interval: t,
          exportWh: r.exportWh[m][t],
          importWh: r.importWh[m][t],
        }),
      );
    }
  }
  const assembled = assembleWindow(from, c.windowIntervals, r.meters, readings, []);
  const meters = Array.from({ length: r.meters }, (_, m) => ({
    index: m,
    publicKey: new Uint8Array(32),
    scheme: MeterScheme.Ed25519,
    owner: m,
  }));
  const folded = foldAndCommit(
    {
      participants: new Array(r.meters).fill(''),
      meters,
      market: c.market ?? SIM_MARKET,
      limits: c.limits,
      tariff: c.tariff,
      start: c.start,
      intervalSeconds: r.intervalSeconds,
    },
    window,
    assembled,
  );
  return { windowRoot: folded.commitment.windowRoot, state: folded.finalState };
}

/**
 * DIVERSITY: deploy Hub + CommunityToken, open, join ×N (each by its genesis balance's proof), one
 * fast-path update per window co-signed over WindowResult(communityId, window, windowRoot, stateHash,
 * balancesRoot), close, and one `claimAll` paying every member its final balance (its deposit back); a
 * community past `CLAIM_ALL_MAX_MEMBERS` claims per member by proof instead.
 */
export class DiversityApproach implements Approach {
  readonly name = 'diversity' as const;
  readonly artifacts: readonly string[];
  private c: HubCallContext | undefined;
  /** The final state of every window sent in an update, in window order. */
  readonly posted: ParticipantState[][] = [];
  /** The balances after each posted window (`balances.ts`: the reaction chained from genesis), in window order. */
  readonly balances: { leaves: Balance[]; totalClaims: bigint; root: string }[] = [];

  /** BLS: the participants' secret keys (KeyGen over a public seed: the replay signs for everyone). */
  private blsKeys: bigint[] = [];

  constructor(
    private readonly binding: HubBinding = hubBinding,
    readonly scheme: CoSignatureSchemeName = 'ecdsa',
  ) {
    this.artifacts = [binding.hubArtifact, binding.tokenArtifact];
  }

  accountsNeeded(r: CommunityReadings): number {
    return r.meters;
  }

  async deploy(ctx: ApproachContext): Promise<void> {
    const tokenArt = this.binding.loadArtifact(this.binding.tokenArtifact);
    const deployer = ctx.sender.addresses[0];
    // The Settlement library and the modules first; the hub links the one and allow-lists the others.
    const { settlement, modules } = await deployHubDependencies(
      async (artifact, args) => (await ctx.sender.deploy(artifact, args)).address,
      (name) => this.binding.loadArtifact(name),
    );
    const hubArt = linkedHubArtifact(settlement, (name) =>
      this.binding.loadArtifact(name === 'Hub' ? this.binding.hubArtifact : name),
    );
    const hub = (await ctx.sender.deploy(hubArt, this.binding.hubConstructorArgs(deployer, modules))).address;
    const token = (await ctx.sender.deploy(tokenArt, this.binding.tokenConstructorArgs(deployer))).address;
    const r = ctx.readings;
    // The chain's clock is the wall clock: taken to the hour below, so that two replays of the same data sign
    // the same consents, permits and windows (same calldata, same gas) unless an hour begins between them.
    const now = await ctx.sender.latestTimestamp();
    const latest = now - (now % 3600);
    const participants = ctx.sender.addresses.slice(0, r.meters);
    const tariff = ctx.opts.tariff;
    // Every window, the last one included even when the data ends inside it, has ended.
    const ended =
      latest - Math.ceil(r.intervals / ctx.opts.windowIntervals) * ctx.opts.windowIntervals * r.intervalSeconds - 1;
    const market = ctx.opts.market ?? SIM_MARKET;
    const limits = market.kind === MarketKind.Auction ? ctx.opts.limits : undefined;
    if (market.kind === MarketKind.Auction && limits?.length !== r.meters) {
      throw new RangeError('an auction replay needs one pair of limit prices per member');
    }
    const domain = { chainId: BigInt(ctx.sender.chainId), hub, communityId: this.binding.communityId };
    this.blsKeys =
      this.scheme === 'bls' ? participants.map((_p, m) => blsKeyGen(seedFor(`sim-bls-participant-${m}`))) : [];
    this.c = {
      hub,
      token,
      modules,
      hubIface: new Interface(hubArt.abi),
      tokenIface: new Interface(tokenArt.abi),
      readings: r,
      windowIntervals: ctx.opts.windowIntervals,
      participants,
      meterKeys: Array.from({ length: r.meters }, (_, m) => toHex(meterKeyPair(simMeterSeed(m)).publicKey)),
      // A time-of-use community starts at the readings' first instant (when that has ended), so the chain
      // prices each interval at the local hour the simulator's own fold priced it at.
      start: tariff ? Math.min(Math.floor(r.startMs / 1000), ended) : ended,
      lastInterval: r.intervals - 1,
      market: marketWithTariff({ ...market, ...(limits ? { limitsHash: limitsHash(limits) } : {}) }, tariff),
      limits,
      tariff: market.kind === MarketKind.Totals ? undefined : tariff,
      scheme: this.scheme,
      keyData:
        this.scheme === 'bls'
          ? this.blsKeys.map((sk, m) =>
              toHex(encodeKeyData(blsPublicKey(sk), blsProofOfPossession(sk, participants[m], domain))),
            )
          : participants.map(() => '0x'),
      // ECDSA members consent to the config and the hub opens it with every deposit at once (a week to send it),
      // up to OPEN_TOGETHER_MAX_PARTICIPANTS; above, open and joins (one openTogether would pass the gas cap).
      consent:
        this.scheme === 'ecdsa' && fitsOpenTogether(participants.length)
          ? {
              keys: ctx.sender.privateKeys.slice(0, r.meters).map((k) => new SigningKey(k)),
              chainId: BigInt(ctx.sender.chainId),
              deadline: BigInt(latest) + 7n * 86_400n,
            }
          : undefined,
    };
  }

  /** Deployed addresses (after `deploy`). */
  get hub(): string {
    return this.c?.hub ?? '';
  }

  /** The EIP-712 digest of WindowResult(communityId, window, windowRoot, stateHash, balancesRoot) under the hub's domain. */
  digest(chainId: number, window: number, result: WindowResultRoots): string {
    return TypedDataEncoder.hash(hubDomain(BigInt(chainId), this.c!.hub), RESULT_TYPES, {
      communityId: this.binding.communityId,
      window,
      ...result,
    });
  }

  /**
   * Everyone's co-signature of one window as the hub takes it: ECDSA, the signer set's blob (bitmap and
   * N 64-byte signatures); BLS, one aggregate and the all-set bitmap. Every participant signs the same
   * digest, so the aggregate of the N shares is the signature under the sum of the secret keys: one
   * hash to G1 and one multiplication stand in for N signings and N - 1 additions (same bytes).
   */
  coSignature(keys: SigningKey[], chainId: number, window: number, result: WindowResultRoots): string {
    const digest = this.digest(chainId, window, result);
    if (this.scheme === 'bls') {
      const c = this.c!;
      const domain = { chainId: BigInt(chainId), hub: c.hub, communityId: this.binding.communityId };
      const sum = this.blsKeys.reduce((a, sk) => (a + sk) % BLS_R, 0n);
      const aggregate = blsSign(sum, getBytes(digest), domain);
      const all = this.blsKeys.map((_sk, i) => i);
      return toHex(encodeCoSignature(all, aggregate, this.blsKeys.map(blsPublicKey)));
    }
    return encodeEcdsaCoSignature(
      keys.map((k, signer) => ({ signer, signature: k.sign(digest).serialized })),
      keys.length,
    );
  }

  *transactions(ctx: ApproachContext): Iterable<TxSpec> {
    const c = this.c!;
    const r = ctx.readings;
    const keys = ctx.sender.privateKeys.slice(0, r.meters).map((k) => new SigningKey(k));
    yield* this.binding.setupTxs(c);
    const W = ctx.opts.windowIntervals;
    const signers = Array.from({ length: r.meters }, (_, m) => fastReadingSigner(simMeterSeed(m)));
    const scope = {
      chainId: BigInt(ctx.sender.chainId),
      hub: c.hub,
      communityId: this.binding.communityId,
      windowIntervals: W,
      market: c.market,
      limits: c.limits,
      tariff: c.tariff,
      start: c.start,
    };
    // balances(w) = react(balances(w−1), nets(S_w)) from the genesis; every window is final at once (fast path).
    let leaves = genesisBalances(c.participants, ESCROW);
    let totalClaims = 0n;
    for (let w = 0; w * W < r.intervals; w++) {
      const { windowRoot, state } = foldReplayWindow(r, scope, signers, w);
      const next = nextBalances(
        leaves,
        totalClaims,
        state.map((p) => p.net),
      );
      leaves = next.balances;
      totalClaims = next.totalClaims;
      this.posted.push(state);
      this.balances.push({ leaves, totalClaims, root: next.root });
      const result = { windowRoot, stateHash: stateHash(state), balancesRoot: next.root };
      yield this.binding.updateTx(c, w, result, this.coSignature(keys, ctx.sender.chainId, w, result));
    }
    yield this.binding.closeTx(c);
    // Every member's money goes out in one `claimAll` while the batch fits a transaction; past that, in one
    // `claimRange` per subtree of 256 members (what `diversity claim --all` sends: `claimForAll`).
    if (r.meters <= CLAIM_ALL_MAX_MEMBERS) {
      yield this.binding.claimAllTx(c, leaves, totalClaims);
      return;
    }
    const tree = new BalancesTree(leaves);
    for (let first = 0; first < r.meters; first += 2 ** CLAIM_RANGE_HEIGHT) {
      const range = tree.range(first, CLAIM_RANGE_HEIGHT);
      yield this.binding.claimRangeTx(c, first, range.leaves, totalClaims, range.proof);
    }
  }
}
