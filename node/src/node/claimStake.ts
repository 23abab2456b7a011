import type { Contract } from 'ethers';
import { TX_TIMEOUT_MS, type HubClient } from '../chain/hubClient.js';
import type { StoredCoSignature } from '../db/index.js';

/**
 * What a partial (pending-path) claim needs on chain (DESIGN.md §5.3, review R6 and R9): every signer
 * it counts must hold the whole configured bond (else the hub reverts `BondNotWhole`), and its
 * submitter pays the claim deposit (pulled with `transferFrom`). A fully signed result needs neither.
 */
export interface ClaimStake {
  /** The configured bond and the claim deposit (`Hub.CLAIM_DEPOSIT_BPS` of it), as the hub computes them. */
  terms(): Promise<{ bond: bigint; deposit: bigint }>;
  /** The bond each of `indexes` holds on chain now. */
  bonds(indexes: number[]): Promise<bigint[]>;
  /** Lets the hub pull at least `amount` from this node (approves it when the allowance is lower). */
  allow(amount: bigint): Promise<void>;
  /** Tops this node's bond back up to the configured bond (`Hub.topUpBond`, approving what is missing). */
  topUp(missing: bigint): Promise<void>;
}

/**
 * Splits held co-signatures into those the hub counts for a partial claim (signer's bond whole) and
 * those it would refuse (`BondNotWhole`): the submitter leaves the latter out so the claim gets in
 * (liveness), instead of sending an update that reverts. `bonds[i]` is the bond of `signatures[i].signer`.
 */
export function wholeBondSigners(
  signatures: StoredCoSignature[],
  bonds: bigint[],
  bond: bigint,
): { kept: StoredCoSignature[]; leftOut: number[] } {
  if (bonds.length !== signatures.length) throw new RangeError('one bond per co-signature');
  const kept: StoredCoSignature[] = [];
  const leftOut: number[] = [];
  signatures.forEach((s, i) => {
    if (bonds[i] >= bond) kept.push(s);
    else leftOut.push(s.signer);
  });
  return { kept, leftOut };
}

/** The claim stake of this node on the hub, paid from `token` (connected to the node's signer). */
export function chainClaimStake(hub: HubClient, token: Contract, address: string): ClaimStake {
  let terms: { bond: bigint; deposit: bigint } | undefined;
  const allow = async (amount: bigint) => {
    const allowance: bigint = await token.allowance(address, hub.opts.hub);
    if (allowance < amount) await (await token.approve(hub.opts.hub, amount)).wait(1, TX_TIMEOUT_MS);
  };
  return {
    terms: async () => {
      terms ??= await hub.claimTerms();
      return terms;
    },
    bonds: (indexes) => Promise.all(indexes.map(async (i) => (await hub.member(i)).bond)),
    allow,
    topUp: async (missing) => {
      await allow(missing);
      await (await hub.sendTopUpBond()).wait(1, TX_TIMEOUT_MS);
    },
  };
}
