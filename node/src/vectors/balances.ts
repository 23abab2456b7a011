import { getAddress, keccak256, toUtf8Bytes } from 'ethers';
import {
  BalancesError,
  BalancesTree,
  balanceLeafHash,
  balancesRoot,
  genesisBalances,
  reactBalances,
  type Balance,
} from '../window/balances.js';
import { SeededRandom } from './prng.js';

/**
 * Balances-root vectors (`contracts/test/vectors/balances.json`): TypeScript's `genesisBalances`,
 * `reactBalances`, `balanceLeafHash`, `balancesRoot` and `balanceProof` (node/src/window/balances.ts)
 * against Solidity's `Balances` library (replayed by `contracts/test/vectors/BalancesVectors.t.sol`).
 *
 * ```
 * { genesisCount, genesis: [ { name, participants, escrow, root, leafHashes, proofs } ],
 *   count, cases: [ { name, chainStep, participants, previous: Leaves, previousTotalClaims, previousRoot, nets,
 *     next: Leaves, claimsAdded, totalClaims, root, leafHashes, proofs } ],
 *   revertCount, reverts: [ { name, participants, previous: Leaves, nets, error } ] }
 * Leaves = { escrow: [], debt: [], claim: [] }   // parallel to participants; amounts as decimal strings
 * ```
 * `root` = balancesRoot(next, totalClaims) with totalClaims = previousTotalClaims + claimsAdded;
 * `proofs[i]` are leaf i's siblings bottom-up at the canonical depth. Cases named `chain wK` follow each
 * other (the previous balances of `chain wK` are the next balances of `chain wK−1`). `error` is the
 * Solidity error name (`Unbalanced`, `LengthMismatch`).
 */
export interface LeavesVector {
  escrow: string[];
  debt: string[];
  claim: string[];
}

export interface BalancesCaseVector {
  name: string;
  /** K for `chain wK` with K ≥ 1 (its previous root is the root of the case before it), else 0. */
  chainStep: number;
  participants: string[];
  previous: LeavesVector;
  previousTotalClaims: string;
  previousRoot: string;
  nets: string[];
  next: LeavesVector;
  claimsAdded: string;
  totalClaims: string;
  root: string;
  leafHashes: string[];
  proofs: string[][];
}

const I127 = 1n << 127n;

/** Deterministic participant addresses. */
export function vectorParticipants(n: number, tag = 'balances'): string[] {
  return Array.from({ length: n }, (_, i) => getAddress(keccak256(toUtf8Bytes(`${tag}-${i}`)).slice(0, 42)));
}

const leavesVector = (leaves: readonly Balance[]): LeavesVector => ({
  escrow: leaves.map((b) => b.escrow.toString()),
  debt: leaves.map((b) => b.debt.toString()),
  claim: leaves.map((b) => b.claim.toString()),
});

const withLeaves = (participants: readonly string[], escrow: bigint[], debt: bigint[], claim: bigint[]): Balance[] =>
  participants.map((participant, i) => ({ participant, escrow: escrow[i], debt: debt[i], claim: claim[i] }));

function treeFields(leaves: readonly Balance[]) {
  const tree = new BalancesTree(leaves);
  return {
    leafHashes: leaves.map((b, i) => balanceLeafHash(i, b)),
    proofs: leaves.map((_, i) => tree.proof(i)),
  };
}

function reactCase(
  name: string,
  previous: Balance[],
  previousTotalClaims: bigint,
  nets: bigint[],
  chainStep = 0,
): BalancesCaseVector {
  const { next, claimsAdded } = reactBalances(previous, nets);
  const totalClaims = previousTotalClaims + claimsAdded;
  return {
    name,
    chainStep,
    participants: previous.map((b) => b.participant),
    previous: leavesVector(previous),
    previousTotalClaims: previousTotalClaims.toString(),
    previousRoot: balancesRoot(previous, previousTotalClaims),
    nets: nets.map(String),
    next: leavesVector(next),
    claimsAdded: claimsAdded.toString(),
    totalClaims: totalClaims.toString(),
    root: balancesRoot(next, totalClaims),
    ...treeFields(next),
  };
}

/** Nets that sum to zero: random magnitudes below `bound`, the last one balancing (kept in range). */
function randomNets(rng: SeededRandom, n: number, bound: bigint): bigint[] {
  const nets: bigint[] = [];
  let sum = 0n;
  for (let i = 0; i < n - 1; i++) {
    const magnitude = ((BigInt(rng.nextU32()) << 32n) | BigInt(rng.nextU32())) % bound;
    const net = rng.chance(0.2) ? 0n : rng.chance(0.5) ? magnitude : -magnitude;
    nets.push(net);
    sum += net;
  }
  nets.push(-sum);
  return nets;
}

export function balancesVectorCases(): BalancesCaseVector[] {
  const cases: BalancesCaseVector[] = [];
  const p4 = vectorParticipants(4);

  // Nobody short: debtors' escrow covers them, creditors are paid in full.
  cases.push(reactCase('nobody short', genesisBalances(p4, 1000n), 0n, [-300n, 200n, 150n, -50n]));
  // Zero nets: nothing moves.
  cases.push(reactCase('zero nets', genesisBalances(p4, 1000n), 0n, [0n, 0n, 0n, 0n]));
  // One debtor short: 500 collected of 1000 owed, split 3:3:4 → 150, 150, 200 (no remainder)...
  cases.push(reactCase('one debtor short', genesisBalances(p4, 500n), 0n, [-1000n, 300n, 300n, 400n]));
  // ...and with remainder units: 100 collected for nets 1:1:1 → 34, 33, 33.
  const p3 = vectorParticipants(3);
  cases.push(reactCase('short with remainder units', genesisBalances(p3, 100n), 0n, [-103n, 52n, 51n]));
  cases.push(
    reactCase('remainder to the first creditors, ascending', genesisBalances(vectorParticipants(5), 10n), 0n, [
      7n,
      -20n,
      7n,
      0n,
      6n,
    ]),
  );
  // A debtor with no escrow left at all: everything it owes becomes debt.
  cases.push(reactCase('empty escrow', withLeaves(p3, [0n, 5n, 9n], [4n, 0n, 0n], [0n, 4n, 0n]), 4n, [-6n, 3n, 3n]));
  // A single participant (depth 0: the tree root is the leaf).
  cases.push(reactCase('one participant', genesisBalances(vectorParticipants(1), 77n), 0n, [0n]));

  // Several windows chained from genesis, claims accumulating in totalClaims.
  const p6 = vectorParticipants(6, 'chain');
  const chainNets = [
    [-400n, 100n, 100n, 100n, 100n, 0n],
    [-700n, 200n, -50n, 250n, 0n, 300n],
    [300n, -900n, 200n, 200n, 100n, 100n],
    [0n, 0n, 0n, 0n, 0n, 0n],
    [-1n, -1n, -1n, 1n, 1n, 1n],
  ];
  let previous = genesisBalances(p6, 500n);
  let total = 0n;
  for (const [w, nets] of chainNets.entries()) {
    const c = reactCase(`chain w${w}`, previous, total, nets, w);
    cases.push(c);
    previous = reactBalances(previous, nets).next;
    total = BigInt(c.totalClaims);
  }

  // Big values: escrows and nets near 2^127 (the packed state's int128 net field).
  cases.push(
    reactCase(
      'nets near 2^127, short',
      withLeaves(p4, [I127 - 1n, I127, 3n, 0n], [0n, 0n, 1n, 0n], [0n, 0n, 0n, I127]),
      I127,
      [-(I127 - 1n), -(I127 - 1n), I127 - 1n, I127 - 1n],
    ),
  );
  cases.push(
    reactCase('nets near 2^127, nobody short', genesisBalances(p3, I127 * 2n), 0n, [-(I127 - 1n), I127 - 2n, 1n]),
  );
  // int256 nets beyond the packed range: the pro-rata products pass 256 bits (Solidity's 512-bit mulDiv).
  const huge = 1n << 254n;
  cases.push(
    reactCase('products past 256 bits', withLeaves(p3, [huge - 12345n, 0n, 0n], [0n, 0n, 0n], [0n, 0n, 0n]), 0n, [
      -huge,
      huge / 3n,
      huge - huge / 3n,
    ]),
  );

  // Random cases: padded trees of several sizes, short and not.
  const rng = new SeededRandom(0xba1a5);
  for (const n of [2, 3, 5, 8, 9, 17]) {
    const participants = vectorParticipants(n, `random-${n}`);
    const escrow = BigInt(rng.int(0, 5000));
    const start = genesisBalances(participants, escrow);
    const first = reactBalances(start, randomNets(rng, n, 4000n));
    const claims = first.next.reduce((s, b) => s + b.claim, 0n);
    cases.push(reactCase(`random n=${n}`, first.next, claims, randomNets(rng, n, 6000n)));
  }
  return cases;
}

function genesisVector(name: string, participants: string[], escrow: bigint) {
  const leaves = genesisBalances(participants, escrow);
  return { name, participants, escrow: escrow.toString(), root: balancesRoot(leaves, 0n), ...treeFields(leaves) };
}

function revertVector(name: string, previous: Balance[], nets: bigint[]) {
  let error = '';
  try {
    reactBalances(previous, nets);
  } catch (e) {
    if (!(e instanceof BalancesError)) throw e;
    error = e.code === 'BALANCES_ERROR_UNBALANCED' ? 'Unbalanced' : 'LengthMismatch';
  }
  if (error === '') throw new Error(`revert vector ${name} does not throw`);
  return {
    name,
    participants: previous.map((b) => b.participant),
    previous: leavesVector(previous),
    nets: nets.map(String),
    error,
  };
}

export function balancesVectors() {
  const cases = balancesVectorCases();
  const p4 = vectorParticipants(4);
  const genesis = [
    genesisVector('genesis n=1', vectorParticipants(1), 10n),
    genesisVector('genesis n=4', p4, 1000n),
    genesisVector('genesis n=10', vectorParticipants(10, 'genesis'), 1_000_000_000_000_000_000n),
    genesisVector('genesis n=33', vectorParticipants(33, 'genesis'), 0n),
  ];
  const reverts = [
    revertVector('sum of nets positive', genesisBalances(p4, 100n), [1n, 0n, 0n, 0n]),
    revertVector('sum of nets negative', genesisBalances(p4, 100n), [-5n, 2n, 2n, 0n]),
    revertVector('fewer nets than balances', genesisBalances(p4, 100n), [0n, 0n, 0n]),
    revertVector('more nets than balances', genesisBalances(p4, 100n), [0n, 0n, 0n, 0n, 0n]),
  ];
  return { genesisCount: genesis.length, genesis, count: cases.length, cases, revertCount: reverts.length, reverts };
}
