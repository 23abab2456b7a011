import { isAddress, keccak256 } from 'ethers';
import { DiversityError } from '../util/errors.js';
import { splitProRata } from './market.js';
import { buildLevels, computeMerkleRoot, merkleProof, treeDepth } from './merkle.js';
import { I256_MAX, I256_MIN } from './state.js';

/**
 * The balances root (DESIGN.md §5.6): twin of `contracts/src/libraries/Balances.sol`, kept bit for bit
 * by the shared vectors `contracts/test/vectors/balances.json`.
 *
 * Each window's result commits to every participant's position after the window's reaction, so the
 * hub's `update` posts one root instead of writing N accounts and members are paid by a Merkle proof
 * at close. The reaction: a debtor (net < 0) pays from its escrow and what the escrow cannot pay
 * becomes its `debt` at once (the bond is a stake on chain, never drawn by the reaction); creditors
 * (net > 0) are paid in full when nothing was short, otherwise they share what was collected pro rata
 * to their net (`splitProRata`, the one rounding rule) and each creditor's shortfall becomes its
 * `claim`.
 *
 * Tree: leaf i = keccak256(abi.encode(i, participant, escrow, debt, claim)) at position i of the
 * position-binding `merkle.ts` tree of depth `treeDepth(N)` (zero padded); the balances root is
 * keccak256(abi.encode(treeRoot, totalClaims)) with totalClaims = Σ claim.
 *
 * Every value is checked against the Solidity types (uint256, int256) and every sum the Solidity code
 * makes with checked arithmetic is checked here too, so both twins refuse the same inputs.
 */

/** One participant's position after a window's reaction (Solidity `Balance`, token units). */
export interface Balance {
  participant: string;
  escrow: bigint;
  debt: bigint;
  claim: bigint;
}

/**
 * Failures of the balances twin and their Solidity counterparts:
 *
 * | code | Solidity |
 * |---|---|
 * | UNBALANCED | `Balances.Unbalanced()`: Σ net ≠ 0 |
 * | LENGTH_MISMATCH | `Balances.LengthMismatch(balances, nets)` |
 * | VALUE_OUT_OF_RANGE | an input the ABI type cannot hold (address, uint256, int256), or net = −2^255 (panic on negation) |
 * | ARITHMETIC_OVERFLOW | arithmetic panic 0x11 in `react` (a running sum or a field passes its type) |
 */
export enum BalancesErrorCode {
  UNBALANCED = 'BALANCES_ERROR_UNBALANCED',
  LENGTH_MISMATCH = 'BALANCES_ERROR_LENGTH_MISMATCH',
  VALUE_OUT_OF_RANGE = 'BALANCES_ERROR_VALUE_OUT_OF_RANGE',
  ARITHMETIC_OVERFLOW = 'BALANCES_ERROR_ARITHMETIC_OVERFLOW',
}

export type BalancesErrorType =
  | { code: BalancesErrorCode.UNBALANCED; sum: string }
  | { code: BalancesErrorCode.LENGTH_MISMATCH; balances: number; nets: number }
  | { code: BalancesErrorCode.VALUE_OUT_OF_RANGE; field: string; value: string }
  | { code: BalancesErrorCode.ARITHMETIC_OVERFLOW; participant: number; field: string };

export class BalancesError extends DiversityError<BalancesErrorType> {}

const U256_MAX = (1n << 256n) - 1n;

function checkU256(field: string, value: bigint): void {
  if (typeof value !== 'bigint' || value < 0n || value > U256_MAX) {
    throw new BalancesError({ code: BalancesErrorCode.VALUE_OUT_OF_RANGE, field, value: String(value) });
  }
}

function checkLeaf(i: number, b: Balance): void {
  if (typeof b.participant !== 'string' || !isAddress(b.participant)) {
    throw new BalancesError({
      code: BalancesErrorCode.VALUE_OUT_OF_RANGE,
      field: `balances[${i}].participant`,
      value: String(b.participant),
    });
  }
  checkU256(`balances[${i}].escrow`, b.escrow);
  checkU256(`balances[${i}].debt`, b.debt);
  checkU256(`balances[${i}].claim`, b.claim);
}

/** A uint256 result of Solidity's checked `+=` in `react`. */
function added(participant: number, field: string, value: bigint): bigint {
  if (value > U256_MAX) throw new BalancesError({ code: BalancesErrorCode.ARITHMETIC_OVERFLOW, participant, field });
  return value;
}

const word = (v: bigint): string => v.toString(16).padStart(64, '0');

/** keccak256(abi.encode(index, participant, escrow, debt, claim)): `Balances.leafHash`. */
export function balanceLeafHash(index: number, b: Balance): string {
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new BalancesError({ code: BalancesErrorCode.VALUE_OUT_OF_RANGE, field: 'index', value: String(index) });
  }
  checkLeaf(index, b);
  const address = b.participant.toLowerCase().slice(2).padStart(64, '0');
  return keccak256(`0x${word(BigInt(index))}${address}${word(b.escrow)}${word(b.debt)}${word(b.claim)}`);
}

/** keccak256(abi.encode(treeRoot, totalClaims)): `Balances.commit`. */
export function commitBalances(treeRoot: string, totalClaims: bigint): string {
  checkU256('totalClaims', totalClaims);
  if (!/^0x[0-9a-fA-F]{64}$/.test(treeRoot)) {
    throw new BalancesError({ code: BalancesErrorCode.VALUE_OUT_OF_RANGE, field: 'treeRoot', value: treeRoot });
  }
  return keccak256(`0x${treeRoot.slice(2)}${word(totalClaims)}`);
}

/**
 * The tree of a window's balances, built once: its root and every leaf's proof (a node at close proves
 * all N leaves from one build instead of N).
 */
export class BalancesTree {
  readonly treeRoot: string;
  private readonly levels: string[][];

  constructor(readonly leaves: readonly Balance[]) {
    this.levels = buildLevels(leaves.map((b, i) => balanceLeafHash(i, b)));
    this.treeRoot = this.levels[this.levels.length - 1][0];
  }

  /** The balances root of these leaves with `totalClaims`. */
  root(totalClaims: bigint): string {
    return commitBalances(this.treeRoot, totalClaims);
  }

  /** Siblings of leaf `index`, bottom-up, exactly `treeDepth(N)` of them (the canonical depth). */
  proof(index: number): string[] {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.leaves.length) {
      throw new BalancesError({ code: BalancesErrorCode.VALUE_OUT_OF_RANGE, field: 'index', value: String(index) });
    }
    return merkleProof(this.levels, index);
  }

  /**
   * The subtree of height `height` whose first leaf is `first` (a multiple of 2^height below N), as
   * `Hub.claimRange` takes it: its real leaves (min(2^height, N − first)) and its root's siblings, bottom-up
   * (the leaf proof of `first` less its `height` lowest).
   */
  range(first: number, height: number): { leaves: Balance[]; proof: string[] } {
    const depth = this.levels.length - 1;
    if (!Number.isSafeInteger(height) || height < 0 || height > depth) {
      throw new BalancesError({ code: BalancesErrorCode.VALUE_OUT_OF_RANGE, field: 'height', value: String(height) });
    }
    const width = 2 ** height;
    if (!Number.isSafeInteger(first) || first < 0 || first >= this.leaves.length || first % width !== 0) {
      throw new BalancesError({ code: BalancesErrorCode.VALUE_OUT_OF_RANGE, field: 'first', value: String(first) });
    }
    return { leaves: this.leaves.slice(first, first + width), proof: this.proof(first).slice(height) };
  }
}

/** `Balances.root`: the balances root of `leaves` (participant order) with `totalClaims` = Σ claim. */
export function balancesRoot(leaves: readonly Balance[], totalClaims: bigint): string {
  return new BalancesTree(leaves).root(totalClaims);
}

/** The canonical-depth proof of leaf `index` (build a `BalancesTree` to prove many leaves). */
export function balanceProof(leaves: readonly Balance[], index: number): string[] {
  return new BalancesTree(leaves).proof(index);
}

/**
 * `Balances.verify`: true when `leaf` is participant `index`'s balance under `root`, a tree of
 * `participantCount` leaves whose claims total `totalClaims`. The proof must have the canonical depth,
 * so a leaf cannot be proven at another height of the tree.
 */
export function verifyBalance(
  root: string,
  participantCount: number,
  index: number,
  leaf: Balance,
  totalClaims: bigint,
  proof: readonly string[],
): boolean {
  if (!Number.isSafeInteger(index) || index < 0 || index >= participantCount) return false;
  if (proof.length !== treeDepth(participantCount)) return false;
  const treeRoot = computeMerkleRoot(balanceLeafHash(index, leaf), index, proof);
  return commitBalances(treeRoot, totalClaims).toLowerCase() === root.toLowerCase();
}

/** `Balances.genesis`: everyone's balance before window 0 (the configured escrow, no debt, no claim). */
export function genesisBalances(participants: readonly string[], escrow: bigint): Balance[] {
  checkU256('escrow', escrow);
  return participants.map((participant, i) => {
    const b = { participant, escrow, debt: 0n, claim: 0n };
    checkLeaf(i, b);
    return b;
  });
}

/** Σ claim of `leaves`: the `totalClaims` of a chain of reactions from genesis (claims only grow). */
export function totalClaimsOf(leaves: readonly Balance[]): bigint {
  let total = 0n;
  for (const b of leaves) total += b.claim;
  return total;
}

/**
 * `Balances.react`: the balances after a window whose final state has `nets` (participant order), and
 * the claims it added (== the debt it added). Throws UNBALANCED when Σ net ≠ 0 and LENGTH_MISMATCH
 * when the lengths differ, like the Solidity reverts; the inputs are not modified.
 */
export function reactBalances(
  previous: readonly Balance[],
  nets: readonly bigint[],
): { next: Balance[]; claimsAdded: bigint } {
  const n = previous.length;
  if (nets.length !== n) {
    throw new BalancesError({ code: BalancesErrorCode.LENGTH_MISMATCH, balances: n, nets: nets.length });
  }
  const next: Balance[] = [];
  let owed = 0n;
  let collected = 0n;
  let sum = 0n;
  for (let i = 0; i < n; i++) {
    checkLeaf(i, previous[i]);
    const net = nets[i];
    if (typeof net !== 'bigint' || net < I256_MIN || net > I256_MAX) {
      throw new BalancesError({ code: BalancesErrorCode.VALUE_OUT_OF_RANGE, field: `nets[${i}]`, value: String(net) });
    }
    const a: Balance = { ...previous[i] };
    next.push(a);
    sum += net;
    if (sum < I256_MIN || sum > I256_MAX) {
      throw new BalancesError({ code: BalancesErrorCode.ARITHMETIC_OVERFLOW, participant: i, field: 'sum' });
    }
    if (net > 0n) {
      owed = added(i, 'owed', owed + net);
    } else if (net < 0n) {
      if (net === I256_MIN) {
        // Solidity's `-net` panics (0x11) here.
        throw new BalancesError({ code: BalancesErrorCode.ARITHMETIC_OVERFLOW, participant: i, field: 'net' });
      }
      let pay = -net;
      if (pay > a.escrow) {
        a.debt = added(i, 'debt', a.debt + (pay - a.escrow));
        pay = a.escrow;
      }
      a.escrow -= pay;
      collected += pay; // ≤ Σ previous escrow of debtors: each term is within its own uint256
      added(i, 'collected', collected);
    }
  }
  if (sum !== 0n) throw new BalancesError({ code: BalancesErrorCode.UNBALANCED, sum: String(sum) });
  if (collected === owed) {
    for (let i = 0; i < n; i++) {
      if (nets[i] > 0n) next[i].escrow = added(i, 'escrow', next[i].escrow + nets[i]);
    }
    return { next, claimsAdded: 0n };
  }
  const weights = nets.map((net) => (net > 0n ? net : 0n));
  const paid = splitProRata(collected, weights, owed);
  let claimsAdded = 0n;
  for (let i = 0; i < n; i++) {
    if (weights[i] === 0n) continue;
    next[i].escrow = added(i, 'escrow', next[i].escrow + paid[i]);
    const short = weights[i] - paid[i];
    next[i].claim = added(i, 'claim', next[i].claim + short);
    claimsAdded = added(i, 'claimsAdded', claimsAdded + short);
  }
  // Σ net = 0, so owed = Σ due and claimsAdded = owed − collected = Σ debt added.
  return { next, claimsAdded };
}

/**
 * One window of the chain `balancesRoot(w) = root(react(balances(w−1), nets(S_w)), totalClaims(w−1) +
 * claimsAdded)`: the next balances, their total of claims and their root.
 */
export function nextBalances(
  previous: readonly Balance[],
  previousTotalClaims: bigint,
  nets: readonly bigint[],
): { balances: Balance[]; totalClaims: bigint; root: string } {
  checkU256('previousTotalClaims', previousTotalClaims);
  const { next, claimsAdded } = reactBalances(previous, nets);
  const totalClaims = previousTotalClaims + claimsAdded;
  checkU256('totalClaims', totalClaims);
  return { balances: next, totalClaims, root: balancesRoot(next, totalClaims) };
}
