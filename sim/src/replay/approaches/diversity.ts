import { Interface, SigningKey, TypedDataEncoder, keccak256, solidityPacked } from 'ethers';
import { existsSync } from 'node:fs';
import { artifactPath, loadArtifact } from '../artifacts.js';
import { ReplayError, ReplayErrorCode } from '../errors.js';
import type { TxSpec } from '../sender.js';
import type { Approach, ApproachContext, CommunityReadings } from '../types.js';
import { stateHash, toTuple, totalsState, type ParticipantState } from './diversityState.js';

/**
 * What the DIVERSITY replay needs from the hub, in one place so the lead can wire the real
 * Hub (branch `hub`) by editing this binding only. Everything here is the expected API, to be
 * checked against contracts/src/Hub.sol once it lands.
 */
export interface HubBinding {
  hubArtifact: string;
  tokenArtifact: string;
  hubConstructorArgs(): unknown[];
  tokenConstructorArgs(): unknown[];
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

/** Expected binding: Hub.open/join/update/close as described in DESIGN.md §5 and the brief. */
export const expectedHubBinding: HubBinding = {
  hubArtifact: 'Hub',
  tokenArtifact: 'CommunityToken',
  communityId: 1n,
  hubConstructorArgs: () => [],
  tokenConstructorArgs: () => [],
  setupTxs(c) {
    const n = c.participants.length;
    const deposit = 10n ** 24n;
    const txs: TxSpec[] = [];
    for (let m = 0; m < n; m++) {
      txs.push({ from: m, to: c.token, data: c.tokenIface.encodeFunctionData('mint', [c.participants[m], deposit]), gasLimit: 200_000n, atInterval: 0, kind: 'setup' });
      txs.push({ from: m, to: c.token, data: c.tokenIface.encodeFunctionData('approve', [c.hub, deposit]), gasLimit: 200_000n, atInterval: 0, flush: m === n - 1, kind: 'setup' });
    }
    txs.push({
      from: 0,
      to: c.hub,
      data: c.hubIface.encodeFunctionData('open', [
        {
          participants: c.participants,
          meterKeys: c.meterKeys,
          windowIntervals: c.windowIntervals,
          intervalSeconds: c.readings.intervalSeconds,
          start: Math.floor(c.readings.startMs / 1000),
          windowCount: Math.ceil(c.readings.intervals / c.windowIntervals),
          market: { kind: 0, gridBuyPrice: 250n * 10n ** 15n, gridSellPrice: 50n * 10n ** 15n, feederCapacityWh: 0 },
          token: c.token,
          bond: 10n ** 18n,
          escrow: 10n ** 21n,
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

  constructor(private readonly binding: HubBinding = expectedHubBinding) {
    this.artifacts = [binding.hubArtifact, binding.tokenArtifact];
  }

  accountsNeeded(r: CommunityReadings): number {
    return r.meters;
  }

  async deploy(ctx: ApproachContext): Promise<void> {
    for (const a of this.artifacts) {
      if (!existsSync(artifactPath(a))) {
        throw new ReplayError({ code: ReplayErrorCode.NOT_WIRED, approach: 'diversity', reason: `artifact ${a} not built (the Hub lands on branch hub)` });
      }
    }
    const hubArt = loadArtifact(this.binding.hubArtifact);
    const tokenArt = loadArtifact(this.binding.tokenArtifact);
    const hub = (await ctx.sender.deploy(hubArt, this.binding.hubConstructorArgs())).address;
    const token = (await ctx.sender.deploy(tokenArt, this.binding.tokenConstructorArgs())).address;
    const r = ctx.readings;
    this.c = {
      hub,
      token,
      hubIface: new Interface(hubArt.abi),
      tokenIface: new Interface(tokenArt.abi),
      readings: r,
      windowIntervals: ctx.opts.windowIntervals,
      participants: ctx.sender.addresses.slice(0, r.meters),
      meterKeys: Array.from({ length: r.meters }, (_, m) => keccak256(solidityPacked(['string', 'uint256'], ['meter', m]))),
      lastInterval: r.intervals - 1,
    };
  }

  /** The N co-signatures of one window, in participant order. */
  signatures(keys: SigningKey[], chainId: number, window: number, windowRoot: string, state: ParticipantState[]): string[] {
    const c = this.c!;
    const digest = TypedDataEncoder.hash(
      { name: 'DIVERSITY Hub', version: '1', chainId, verifyingContract: c.hub },
      WINDOW_RESULT_TYPES,
      { communityId: this.binding.communityId, window, windowRoot, stateHash: stateHash(state) },
    );
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
