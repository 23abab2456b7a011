import { getBytes } from 'ethers';
import { hubDomain, windowResultDigest } from '../chain/eip712.js';
import {
  aggregateG1,
  aggregateG2,
  blsVerifyHashed,
  encodeCoSignature,
  hashDigest,
  MAX_BLS_PARTICIPANTS,
  type BlsDomain,
  type BlsG1Point,
  type BlsG2Point,
} from '../crypto/bls.js';

/** A window result the participants co-sign. */
export interface WindowResultKey {
  window: number;
  windowRoot: string;
  stateHash: string;
  balancesRoot: string;
}

export enum AddOutcome {
  /** First share of this signer for this result. */
  ADDED = 'ADDED',
  /** The same share again. */
  DUPLICATE = 'DUPLICATE',
  /** A different share: the held one was invalid and this one is valid, so it replaced it. */
  REPLACED = 'REPLACED',
  /** A different share that is invalid (the held one, if any left, is kept). */
  REJECTED = 'REJECTED',
}

export interface AggregatedCoSignature {
  /** Participant indices whose shares are in the aggregate, ascending. */
  signers: number[];
  /** The `signatures` argument of `BlsCoSignatureScheme.verify` / `verifyWide`. */
  signatures: Uint8Array;
  /** Signers whose shares failed verification and were left out (their peers misbehaved). */
  rejected: number[];
  /** Pairing checks spent: 1 when every share is good, O(bad · log n) otherwise. */
  pairings: number;
}

/**
 * The submitter's side of BLS co-signatures: holds the shares gossiped for each window result and
 * turns them into (bitmap, one aggregate, the keys the module needs). Shares need not be verified
 * one by one on arrival: `build` checks the aggregate with one pairing and, only when it fails,
 * bisects the signer set to find and drop the bad shares, so n good shares cost one pairing.
 * A share is not authenticated by the peer that relays it, so a forged share may arrive first
 * under an honest signer's index: two different shares for one (result, signer) are both
 * verified and the valid one kept, so a forgery cannot shadow the honest share.
 */
export class BlsShareAggregator {
  private readonly shares = new Map<string, Map<number, BlsG1Point>>();

  constructor(
    private readonly domain: BlsDomain,
    /** Every participant's registered key, by index. */
    private readonly publicKeys: readonly BlsG2Point[],
  ) {
    if (publicKeys.length === 0 || publicKeys.length > MAX_BLS_PARTICIPANTS)
      throw new RangeError(`1..${MAX_BLS_PARTICIPANTS} participants`);
  }

  private static key(r: WindowResultKey): string {
    return `${r.window}:${r.windowRoot.toLowerCase()}:${r.stateHash.toLowerCase()}:${r.balancesRoot.toLowerCase()}`;
  }

  /** The EIP-712 digest the shares of `result` sign (the hub's window result digest). */
  digestOf(result: WindowResultKey): Uint8Array {
    const d = this.domain;
    const { window, windowRoot, stateHash, balancesRoot } = result;
    return getBytes(
      windowResultDigest(hubDomain(d.chainId, d.hub), {
        communityId: d.communityId,
        window,
        windowRoot,
        stateHash,
        balancesRoot,
      }),
    );
  }

  /**
   * Records a share (unverified). A second, different share for the same (result, signer) makes
   * both be verified (two pairings, only under attack): the valid one stays.
   */
  add(result: WindowResultKey, signer: number, share: BlsG1Point): AddOutcome {
    if (!Number.isInteger(signer) || signer < 0 || signer >= this.publicKeys.length)
      throw new RangeError(`signer ${signer}`);
    const k = BlsShareAggregator.key(result);
    let m = this.shares.get(k);
    if (!m) {
      m = new Map();
      this.shares.set(k, m);
    }
    const held = m.get(signer);
    if (!held) {
      m.set(signer, share);
      return AddOutcome.ADDED;
    }
    if (held.equals(share)) return AddOutcome.DUPLICATE;
    const hashed = hashDigest(this.digestOf(result), this.domain);
    if (blsVerifyHashed(held, hashed, this.publicKeys[signer])) return AddOutcome.REJECTED;
    if (blsVerifyHashed(share, hashed, this.publicKeys[signer])) {
      m.set(signer, share);
      return AddOutcome.REPLACED;
    }
    m.delete(signer);
    return AddOutcome.REJECTED;
  }

  holds(result: WindowResultKey, signer: number): boolean {
    return this.shares.get(BlsShareAggregator.key(result))?.has(signer) ?? false;
  }

  /** Number of shares held for a result. */
  count(result: WindowResultKey): number {
    return this.shares.get(BlsShareAggregator.key(result))?.size ?? 0;
  }

  /** Drops every result of windows up to `window` (final on chain). */
  prune(window: number): void {
    for (const k of this.shares.keys()) if (Number(k.split(':')[0]) <= window) this.shares.delete(k);
  }

  /**
   * The co-signature over the digest of `result` from the good shares held, or undefined when none
   * is held. Bad shares are removed and reported in `rejected`.
   */
  build(result: WindowResultKey): AggregatedCoSignature | undefined {
    const m = this.shares.get(BlsShareAggregator.key(result));
    if (!m || m.size === 0) return undefined;
    const counter = { pairings: 0 };
    const all = [...m.keys()].sort((a, b) => a - b);
    const { good, bad } = this.partition(all, m, hashDigest(this.digestOf(result), this.domain), counter);
    for (const i of bad) m.delete(i);
    if (good.length === 0)
      return { signers: [], signatures: new Uint8Array(0), rejected: bad, pairings: counter.pairings };
    const aggregate = aggregateG1(good.map((i) => m.get(i)!));
    return {
      signers: good,
      signatures: encodeCoSignature(good, aggregate, this.publicKeys),
      rejected: bad,
      pairings: counter.pairings,
    };
  }

  /** Splits `signers` into those whose shares verify and those whose do not (bisection). */
  private partition(
    signers: number[],
    m: Map<number, BlsG1Point>,
    hashed: BlsG1Point,
    counter: { pairings: number },
  ): { good: number[]; bad: number[] } {
    counter.pairings++;
    // A valid aggregate is valid whatever its parts: shares that are wrong only in ways that
    // cancel out within a verified half still give the honest aggregate.
    const ok = blsVerifyHashed(
      aggregateG1(signers.map((i) => m.get(i)!)),
      hashed,
      aggregateG2(signers.map((i) => this.publicKeys[i])),
    );
    if (ok) return { good: signers, bad: [] };
    if (signers.length === 1) return { good: [], bad: signers };
    const half = signers.length >> 1;
    const left = this.partition(signers.slice(0, half), m, hashed, counter);
    const right = this.partition(signers.slice(half), m, hashed, counter);
    return { good: [...left.good, ...right.good], bad: [...left.bad, ...right.bad] };
  }
}
