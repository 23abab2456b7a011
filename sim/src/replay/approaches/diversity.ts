import { Interface, SigningKey, TypedDataEncoder, keccak256, solidityPacked } from 'ethers';
import { ensureBuilt, loadArtifact, type Artifact } from '../artifacts.js';
import { ReplayError, ReplayErrorCode } from '../errors.js';
import type { TxSpec } from '../sender.js';
import type { Approach, ApproachContext, CommunityReadings } from '../types.js';
import { stateHash, toTuple, totalsState, type ParticipantState } from './diversityState.js';

/**
 * What the DIVERSITY replay needs from the hub, in one place so that wiring the real Hub is an
 * edit of this binding only. `hubBinding` below follows the API of contracts/src/Hub.sol on
 * branch `hub` (commit 95824e3): IHub.open(CommunityConfig), join, update, close; the
 * CommunityToken is Ownable with an owner-only `mint`.
 */
export interface HubBinding {
  hubArtifact: string;
  tokenArtifact: string;
  /** Where artifacts come from (default: contracts/out of this repository). */
  loadArtifact(name: string): Artifact;
  hubConstructorArgs(deployer: string): unknown[];
  tokenConstructorArgs(deployer: string): unknown[];
  /** Transactions before the first window: funding, approvals, open, joins. */
  setupTxs(c: HubCallContext): TxSpec[];
  updateTx(c: HubCallContext, window: number, windowRoot: string, state: ParticipantState[], signatures: string[]): TxSpec;
  closeTx(c: HubCallContext): TxSpec;
  communityId: bigint;
}

export interface HubCallContext {
  hub: string;
  token: string;
  hubIface: Interface;
  tokenIface: Interface;
  readings: CommunityReadings;
  windowIntervals: number;
  participants: string[];
  /** Meter public keys (Ed25519, 32 bytes) registered at open; deterministic stand-ins. */
  meterKeys: string[];
  /** Timestamp of interval 0: far enough in the past that every window has ended on the chain. */
  start: number;
  lastInterval: number;
}

export const WINDOW_RESULT_TYPES = {
  WindowResult: [
    { name: 'communityId', type: 'uint64' },
    { name: 'window', type: 'uint32' },
    { name: 'windowRoot', type: 'bytes32' },
    { name: 'stateHash', type: 'bytes32' },
  ],
};

/** Tariffs of the replayed market, token base units (18 decimals) per kWh: 0.25 buy, 0.05 sell. */
export const GRID_BUY_PER_KWH = 250n * 10n ** 15n;
export const GRID_SELL_PER_KWH = 50n * 10n ** 15n;
/** Escrow and bond per participant: generous, so that no window ever draws on bonds or records debt. */
export const ESCROW = 10n ** 24n;
export const BOND = 10n ** 18n;

export const hubBinding: HubBinding = {
  hubArtifact: 'Hub',
  tokenArtifact: 'CommunityToken',
  communityId: 1n,
  loadArtifact: (name) => {
    ensureBuilt([name]);
    return loadArtifact(name);
  },
  hubConstructorArgs: () => [],
  tokenConstructorArgs: (deployer) => ['DIVERSITY Community Token', 'DCT', deployer],
  setupTxs(c) {
    const n = c.participants.length;
    const each = ESCROW + BOND;
    const txs: TxSpec[] = [];
    // Minting the test token stands in for holding it: kind 'funding', kept out of the totals
    // like deployments. The approval is a real cost of joining: kind 'setup'.
    for (let m = 0; m < n; m++) {
      txs.push({ from: 0, to: c.token, data: c.tokenIface.encodeFunctionData('mint', [c.participants[m], each]), gasLimit: 200_000n, atInterval: 0, kind: 'funding' });
      txs.push({ from: m, to: c.token, data: c.tokenIface.encodeFunctionData('approve', [c.hub, each]), gasLimit: 200_000n, atInterval: 0, kind: 'setup', flush: m === n - 1 });
    }
    txs.push({
      from: 0,
      to: c.hub,
      data: c.hubIface.encodeFunctionData('open', [
        {
          participants: c.participants,
          meters: c.meterKeys.map((publicKey, m) => ({ publicKey, scheme: 0, owner: m })),
          intervalSeconds: c.readings.intervalSeconds,
          windowIntervals: c.windowIntervals,
          start: c.start,
          windowCount: Math.ceil(c.readings.intervals / c.windowIntervals),
          market: { kind: 0, gridBuyPrice: GRID_BUY_PER_KWH, gridSellPrice: GRID_SELL_PER_KWH, feederCapacityWh: 0 },
          token: c.token,
          bond: BOND,
          escrow: ESCROW,
          challengePeriod: 3600,
        },
      ]),
      gasLimit: 16_000_000n,
      atInterval: 0,
      flush: true,
      kind: 'setup',
    });
    for (let m = 0; m < n; m++) {
      txs.push({ from: m, to: c.hub, data: c.hubIface.encodeFunctionData('join', [this.communityId]), gasLimit: 1_000_000n, atInterval: 0, flush: m === n - 1, kind: 'setup' });
    }
    return txs;
  },
  updateTx(c, window, windowRoot, state, signatures) {
    return {
      from: window % c.participants.length, // rotating submitter
      to: c.hub,
      data: c.hubIface.encodeFunctionData('update', [this.communityId, window, windowRoot, state.map(toTuple), signatures]),
      gasLimit: 16_000_000n,
      atInterval: Math.min((window + 1) * c.windowIntervals, c.readings.intervals) - 1,
      flush: true, // windows finalize in order
      kind: 'update',
    };
  },
  closeTx(c) {
    return { from: 0, to: c.hub, data: c.hubIface.encodeFunctionData('close', [this.communityId]), gasLimit: 16_000_000n, atInterval: c.lastInterval, kind: 'close' };
  },
};

/** @deprecated name kept for the first draft; same as `hubBinding`. */
export const expectedHubBinding = hubBinding;

/** Price per Wh of the `totals` market in token base units: midpoint of 0.25 and 0.05 per kWh. */
export const P2P_PRICE_PER_WH = 150n * 10n ** 12n;

/**
 * Stand-in window root: keccak over the window's packed readings. The real one is the Merkle
 * root of DESIGN.md §4 (node/src/window); it is one bytes32 either way, so gas is the same.
 */
export function standInWindowRoot(r: CommunityReadings, from: number, to: number): string {
  const parts: string[] = [];
  for (let t = from; t < to; t++) for (let m = 0; m < r.meters; m++) parts.push(solidityPacked(['uint32', 'uint32'], [r.exportWh[m][t], r.importWh[m][t]]));
  return keccak256('0x' + parts.map((p) => p.slice(2)).join(''));
}

/**
 * DIVERSITY: deploy Hub + CommunityToken, open, join ×N, one fast-path update per window
 * with N EIP-712 co-signatures over WindowResult(communityId, window, windowRoot, stateHash),
 * close. Written against the expected hub API (see HubBinding); not run until the hub lands.
 */
export class DiversityApproach implements Approach {
  readonly name = 'diversity' as const;
  readonly artifacts: readonly string[];
  private c: HubCallContext | undefined;

  constructor(private readonly binding: HubBinding = hubBinding) {
    this.artifacts = [binding.hubArtifact, binding.tokenArtifact];
  }

  accountsNeeded(r: CommunityReadings): number {
    return r.meters;
  }

  async deploy(ctx: ApproachContext): Promise<void> {
    let hubArt: Artifact;
    let tokenArt: Artifact;
    try {
      hubArt = this.binding.loadArtifact(this.binding.hubArtifact);
      tokenArt = this.binding.loadArtifact(this.binding.tokenArtifact);
    } catch (e) {
      if (e instanceof ReplayError && e.code === ReplayErrorCode.ARTIFACT_MISSING) {
        throw new ReplayError({ code: ReplayErrorCode.NOT_WIRED, approach: 'diversity', reason: `artifact ${e.type.code === ReplayErrorCode.ARTIFACT_MISSING ? e.type.name : ''} not built (the Hub lands on branch hub)` });
      }
      throw e;
    }
    const deployer = ctx.sender.addresses[0];
    const hub = (await ctx.sender.deploy(hubArt, this.binding.hubConstructorArgs(deployer))).address;
    const token = (await ctx.sender.deploy(tokenArt, this.binding.tokenConstructorArgs(deployer))).address;
    const r = ctx.readings;
    const latest = await ctx.sender.latestTimestamp();
    this.c = {
      hub,
      token,
      hubIface: new Interface(hubArt.abi),
      tokenIface: new Interface(tokenArt.abi),
      readings: r,
      windowIntervals: ctx.opts.windowIntervals,
      participants: ctx.sender.addresses.slice(0, r.meters),
      meterKeys: Array.from({ length: r.meters }, (_, m) => keccak256(solidityPacked(['string', 'uint256'], ['meter', m]))),
      // Every window, the last one included even when the data ends inside it, has ended.
      start: latest - Math.ceil(r.intervals / ctx.opts.windowIntervals) * ctx.opts.windowIntervals * r.intervalSeconds - 1,
      lastInterval: r.intervals - 1,
    };
  }

  /** Deployed addresses (after `deploy`). */
  get hub(): string {
    return this.c?.hub ?? '';
  }

  /** The EIP-712 digest of WindowResult(communityId, window, windowRoot, stateHash) under the hub's domain. */
  digest(chainId: number, window: number, windowRoot: string, state: ParticipantState[]): string {
    return TypedDataEncoder.hash(
      { name: 'DIVERSITY Hub', version: '1', chainId, verifyingContract: this.c!.hub },
      WINDOW_RESULT_TYPES,
      { communityId: this.binding.communityId, window, windowRoot, stateHash: stateHash(state) },
    );
  }

  /** The N co-signatures of one window, in participant order. */
  signatures(keys: SigningKey[], chainId: number, window: number, windowRoot: string, state: ParticipantState[]): string[] {
    const digest = this.digest(chainId, window, windowRoot, state);
    return keys.map((k) => k.sign(digest).serialized);
  }

  *transactions(ctx: ApproachContext): Iterable<TxSpec> {
    const c = this.c!;
    const r = ctx.readings;
    const keys = ctx.sender.privateKeys.slice(0, r.meters).map((k) => new SigningKey(k));
    yield* this.binding.setupTxs(c);
    const W = ctx.opts.windowIntervals;
    for (let w = 0, from = 0; from < r.intervals; w++, from += W) {
      const to = Math.min(from + W, r.intervals);
      const state = totalsState(r, from, to, P2P_PRICE_PER_WH);
      const root = standInWindowRoot(r, from, to);
      yield this.binding.updateTx(c, w, root, state, this.signatures(keys, ctx.sender.chainId, w, root, state));
    }
    yield this.binding.closeTx(c);
  }
}
