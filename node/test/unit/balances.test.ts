import { expect } from 'chai';
import { AbiCoder, keccak256 } from 'ethers';
import { balancesVectorCases, vectorParticipants } from '../../src/vectors/balances.js';
import { SeededRandom } from '../../src/vectors/prng.js';
import {
  BalancesError,
  BalancesErrorCode,
  BalancesTree,
  balanceLeafHash,
  balanceProof,
  balancesRoot,
  genesisBalances,
  nextBalances,
  reactBalances,
  splitProRata,
  totalClaimsOf,
  verifyBalance,
  type Balance,
} from '../../src/window/index.js';
import { computeMerkleRoot, merkleRoot, treeDepth, ZERO_HASH } from '../../src/window/merkle.js';

const p = vectorParticipants(6, 'unit');

function expectCode(fn: () => unknown, code: BalancesErrorCode, field?: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(BalancesError);
    expect((e as BalancesError).code).to.equal(code);
    if (field !== undefined) expect((e as BalancesError).type).to.include({ field });
    return;
  }
  expect.fail(`expected ${code}`);
}

const sum = (xs: readonly bigint[]): bigint => xs.reduce((a, b) => a + b, 0n);

describe('window/balances (twin of Balances.sol)', () => {
  it('the leaf is keccak256(abi.encode(index, participant, escrow, debt, claim))', () => {
    const b: Balance = { participant: p[2], escrow: 7n, debt: 3n, claim: 1n << 200n };
    const want = keccak256(
      AbiCoder.defaultAbiCoder().encode(
        ['uint256', 'address', 'uint256', 'uint256', 'uint256'],
        [5, b.participant, b.escrow, b.debt, b.claim],
      ),
    );
    expect(balanceLeafHash(5, b)).to.equal(want);
    // Lower-case and checksummed addresses are the same leaf.
    expect(balanceLeafHash(5, { ...b, participant: b.participant.toLowerCase() })).to.equal(want);
  });

  it('the root is keccak256(abi.encode(MerkleTree.root(leaves), totalClaims))', () => {
    const leaves = genesisBalances(p.slice(0, 5), 100n);
    const tree = merkleRoot(leaves.map((b, i) => balanceLeafHash(i, b)));
    const want = keccak256(AbiCoder.defaultAbiCoder().encode(['bytes32', 'uint256'], [tree, 9n]));
    expect(balancesRoot(leaves, 9n)).to.equal(want);
    expect(balancesRoot(leaves, 0n)).to.not.equal(want);
  });

  it('genesis gives everyone the escrow and nothing else', () => {
    const g = genesisBalances(p, 42n);
    expect(g.map((b) => b.participant)).to.deep.equal(p);
    for (const b of g) expect([b.escrow, b.debt, b.claim]).to.deep.equal([42n, 0n, 0n]);
    expectCode(() => genesisBalances(['0x1234'], 1n), BalancesErrorCode.VALUE_OUT_OF_RANGE);
    expectCode(() => genesisBalances(p, -1n), BalancesErrorCode.VALUE_OUT_OF_RANGE);
    expectCode(() => genesisBalances(p, 1n << 256n), BalancesErrorCode.VALUE_OUT_OF_RANGE);
  });

  it('nobody short: debtors pay from escrow, creditors are paid in full, no claim', () => {
    const { next, claimsAdded } = reactBalances(genesisBalances(p.slice(0, 3), 100n), [-60n, 40n, 20n]);
    expect(next.map((b) => b.escrow)).to.deep.equal([40n, 140n, 120n]);
    expect(next.map((b) => b.debt + b.claim)).to.deep.equal([0n, 0n, 0n]);
    expect(claimsAdded).to.equal(0n);
  });

  it('a debtor short: its shortfall is debt, creditors split what was collected pro rata, the rest is claim', () => {
    // 100 collected of 103 owed over nets 52 : 51 → floor(5200/103) = 50, floor(5100/103) = 49, remainder 1 to
    // the first creditor: 51, 49.
    const { next, claimsAdded } = reactBalances(genesisBalances(p.slice(0, 3), 100n), [-103n, 52n, 51n]);
    expect(next.map((b) => b.escrow)).to.deep.equal([0n, 151n, 149n]);
    expect(next.map((b) => b.debt)).to.deep.equal([3n, 0n, 0n]);
    expect(next.map((b) => b.claim)).to.deep.equal([0n, 1n, 2n]);
    expect(claimsAdded).to.equal(3n);
  });

  it('the bond is never drawn: a debtor with no escrow takes the whole net as debt', () => {
    const previous: Balance[] = [
      { participant: p[0], escrow: 0n, debt: 5n, claim: 0n },
      { participant: p[1], escrow: 0n, debt: 0n, claim: 5n },
    ];
    const { next, claimsAdded } = reactBalances(previous, [-10n, 10n]);
    expect(next[0]).to.deep.equal({ participant: p[0], escrow: 0n, debt: 15n, claim: 0n });
    expect(next[1]).to.deep.equal({ participant: p[1], escrow: 0n, debt: 0n, claim: 15n });
    expect(claimsAdded).to.equal(10n);
  });

  it('does not modify its inputs', () => {
    const previous = genesisBalances(p.slice(0, 2), 5n);
    const copy = previous.map((b) => ({ ...b }));
    reactBalances(previous, [-9n, 9n]);
    expect(previous).to.deep.equal(copy);
  });

  it('refuses nets that do not sum to zero and a length mismatch, like the Solidity reverts', () => {
    const g = genesisBalances(p.slice(0, 3), 100n);
    expectCode(() => reactBalances(g, [1n, 0n, 0n]), BalancesErrorCode.UNBALANCED);
    expectCode(() => reactBalances(g, [0n, 0n]), BalancesErrorCode.LENGTH_MISMATCH);
    expectCode(() => reactBalances(g, [0n, 0n, 0n, 0n]), BalancesErrorCode.LENGTH_MISMATCH);
  });

  it('fails where Solidity panics: int256 range, −2^255, running-sum and field overflows', () => {
    const g = genesisBalances(p.slice(0, 2), 0n);
    expectCode(() => reactBalances(g, [1n << 255n, -(1n << 255n)]), BalancesErrorCode.VALUE_OUT_OF_RANGE);
    expectCode(() => reactBalances(g, [-(1n << 255n), 0n]), BalancesErrorCode.ARITHMETIC_OVERFLOW);
    const max = (1n << 255n) - 1n;
    // max + max overflows int256 before the third net brings the sum back.
    const g3 = genesisBalances(p.slice(0, 3), 0n);
    expectCode(() => reactBalances(g3, [max, max, -max]), BalancesErrorCode.ARITHMETIC_OVERFLOW);
    // A creditor's escrow at uint256 max cannot receive.
    const full: Balance[] = [
      { participant: p[0], escrow: 10n, debt: 0n, claim: 0n },
      { participant: p[1], escrow: (1n << 256n) - 1n, debt: 0n, claim: 0n },
    ];
    expectCode(() => reactBalances(full, [-1n, 1n]), BalancesErrorCode.ARITHMETIC_OVERFLOW);
  });

  it('conserves money on random windows: Σ escrow kept, claims added = debt added, each creditor ≤ its net', () => {
    const rng = new SeededRandom(0x5eed);
    for (let round = 0; round < 300; round++) {
      const n = rng.int(1, 12);
      const participants = vectorParticipants(n, 'fuzz');
      const previous = participants.map((participant) => ({
        participant,
        escrow: BigInt(rng.int(0, 1000)),
        debt: BigInt(rng.int(0, 50)),
        claim: BigInt(rng.int(0, 50)),
      }));
      const nets = Array.from({ length: n }, () => BigInt(rng.int(-800, 800)));
      nets[n - 1] -= sum(nets);
      const { next, claimsAdded } = reactBalances(previous, nets);
      expect(sum(next.map((b) => b.escrow))).to.equal(sum(previous.map((b) => b.escrow)));
      expect(sum(next.map((b) => b.debt)) - sum(previous.map((b) => b.debt))).to.equal(claimsAdded);
      expect(sum(next.map((b) => b.claim)) - sum(previous.map((b) => b.claim))).to.equal(claimsAdded);
      for (let i = 0; i < n; i++) {
        const received = next[i].escrow - previous[i].escrow;
        if (nets[i] > 0n) {
          expect(received >= 0n && received <= nets[i]).to.equal(true);
          expect(received + next[i].claim - previous[i].claim).to.equal(nets[i]);
        } else {
          expect(next[i].claim).to.equal(previous[i].claim);
          expect(previous[i].escrow - next[i].escrow + next[i].debt - previous[i].debt).to.equal(-nets[i]);
        }
      }
    }
  });

  it('every leaf verifies at its index at the canonical depth, and nowhere else', () => {
    for (const n of [1, 2, 3, 4, 5, 8, 13]) {
      const leaves = reactBalances(
        genesisBalances(vectorParticipants(n, 'proof'), 10n),
        Array.from({ length: n }, (_, i) => (i === 0 ? -BigInt(n - 1) * 20n : 20n)),
      ).next;
      const total = totalClaimsOf(leaves);
      const tree = new BalancesTree(leaves);
      const root = tree.root(total);
      expect(root).to.equal(balancesRoot(leaves, total));
      for (let i = 0; i < n; i++) {
        const proof = tree.proof(i);
        expect(proof).to.deep.equal(balanceProof(leaves, i));
        expect(proof.length).to.equal(treeDepth(n));
        expect(verifyBalance(root, n, i, leaves[i], total, proof)).to.equal(true);
        expect(verifyBalance(root, n, i, leaves[i], total + 1n, proof)).to.equal(false);
        expect(verifyBalance(root, n, i, { ...leaves[i], escrow: leaves[i].escrow + 1n }, total, proof)).to.equal(
          false,
        );
        if (n > 1) expect(verifyBalance(root, n, (i + 1) % n, leaves[i], total, proof)).to.equal(false);
        expect(verifyBalance(root, n, i, leaves[i], total, [...proof, proof[0] ?? `0x${'00'.repeat(32)}`])).to.equal(
          false,
        );
        if (proof.length > 0) expect(verifyBalance(root, n, i, leaves[i], total, proof.slice(1))).to.equal(false);
        // An index beyond the participants (inside the padded tree) is refused.
        expect(verifyBalance(root, n, n + i, leaves[i], total, proof)).to.equal(false);
      }
      expectCode(() => tree.proof(n), BalancesErrorCode.VALUE_OUT_OF_RANGE);
    }
  });

  it('a range is an aligned subtree: its real leaves, and the subtree root reaches the tree root through its proof', () => {
    for (const n of [1, 2, 3, 5, 8, 13]) {
      const leaves = genesisBalances(vectorParticipants(n, 'range'), 10n);
      const tree = new BalancesTree(leaves);
      const depth = treeDepth(n);
      for (let height = 0; height <= depth; height++) {
        const width = 2 ** height;
        for (let first = 0; first < n; first += width) {
          const range = tree.range(first, height);
          expect(range.leaves).to.deep.equal(leaves.slice(first, Math.min(first + width, n)));
          expect(range.proof.length).to.equal(depth - height);
          // `Settlement._requireRange`: the real leaves' hashes, zero-padded to the width, then up the proof.
          const hashes = range.leaves.map((b, i) => balanceLeafHash(first + i, b));
          while (hashes.length < width) hashes.push(ZERO_HASH);
          const sub = merkleRoot(hashes);
          expect(computeMerkleRoot(sub, first / width, range.proof)).to.equal(tree.treeRoot);
        }
        if (width > 1 && n > 1) expectCode(() => tree.range(1, height), BalancesErrorCode.VALUE_OUT_OF_RANGE);
      }
      expectCode(() => tree.range(0, depth + 1), BalancesErrorCode.VALUE_OUT_OF_RANGE, 'height');
      expectCode(() => tree.range(n, 0), BalancesErrorCode.VALUE_OUT_OF_RANGE, 'first');
    }
    // A height or first that is not a whole number in range names itself (a negative or fractional height
    // would slice the wrong leaves and proof: the mutation run's survivors, s26).
    const tree = new BalancesTree(genesisBalances(vectorParticipants(5, 'range'), 10n));
    for (const height of [-1, 1.5, Number.NaN, 2 ** 53]) {
      expectCode(() => tree.range(0, height), BalancesErrorCode.VALUE_OUT_OF_RANGE, 'height');
    }
    for (const first of [-1, -2, 0.5, Number.NaN, 2 ** 53]) {
      expectCode(() => tree.range(first, 0), BalancesErrorCode.VALUE_OUT_OF_RANGE, 'first');
    }
  });

  it('nextBalances chains windows with totalClaims = Σ claim', () => {
    let balances = genesisBalances(p, 100n);
    let totalClaims = 0n;
    const rng = new SeededRandom(7);
    for (let w = 0; w < 10; w++) {
      const nets = p.map(() => BigInt(rng.int(-300, 300)));
      nets[0] -= sum(nets);
      const step = nextBalances(balances, totalClaims, nets);
      expect(step.totalClaims).to.equal(totalClaimsOf(step.balances));
      expect(step.root).to.equal(balancesRoot(step.balances, step.totalClaims));
      balances = step.balances;
      totalClaims = step.totalClaims;
    }
  });

  it('splitProRata is the market share rule without its 256-bit bound, and checks its preconditions', () => {
    expect(splitProRata(100n, [52n, 0n, 51n], 103n)).to.deep.equal([51n, 0n, 49n]);
    const huge = 1n << 254n;
    const parts = splitProRata(huge - 1n, [huge / 3n, huge - huge / 3n], huge);
    expect(sum(parts)).to.equal(huge - 1n);
    expect(() => splitProRata(5n, [1n, 2n], 4n)).to.throw(RangeError);
    expect(() => splitProRata(5n, [1n, 2n], 3n)).to.throw(RangeError);
    expect(() => splitProRata(0n, [0n], 0n)).to.throw(RangeError);
  });

  it('the vector cases chain and total their claims', () => {
    const cases = balancesVectorCases();
    for (let c = 1; c < cases.length; c++) {
      if (cases[c].chainStep > 0) expect(cases[c].previousRoot).to.equal(cases[c - 1].root);
    }
    expect(cases.some((c) => c.claimsAdded !== '0')).to.equal(true);
  });
});
