import { expect } from 'chai';
import { AbiCoder } from 'ethers';
import { claimFromServed } from '../../src/dispute/proofs.js';
import { signReading, type SignedReading } from '../../src/reading/signature.js';
import { disputeVectors, stateEntryClaim } from '../../src/vectors/dispute.js';
import { assembleWindow } from '../../src/window/assemble.js';
import { intervalLeaf } from '../../src/window/commitment.js';
import {
  claimedEntries,
  DISPUTE_PROOF_TYPES,
  DisputeKind,
  entryOpening,
  intervalLeafProof,
  stateEntryProof,
  stateEntryProofOf,
  type ClaimedWindow,
} from '../../src/window/disputeProof.js';
import { entryLeaf, type StepEntry } from '../../src/window/entries.js';
import { commitLayout, foldAndCommit } from '../../src/window/fold.js';
import { merkleProof, treeDepth, verifyMerkleProof } from '../../src/window/merkle.js';
import { stateHash, stateLeaf, stateLevels, type ParticipantState } from '../../src/window/state.js';
import { testCommunity } from '../utils/community.js';

const N = 5;
const W = 4;

// biome-ignore lint/suspicious/noExplicitAny: the decoded ABI result is read by field name
const decode = (data: string): any =>
  AbiCoder.defaultAbiCoder().decode([DISPUTE_PROOF_TYPES[DisputeKind.StateEntry]], data)[0];

/** The decoded StepEntry tuple back as entries.ts's `StepEntry`. */
// biome-ignore lint/suspicious/noExplicitAny: the decoded ABI result is read by field name
function entryOf(d: any): StepEntry {
  const side = (s: StepEntry['sell']) => ({
    weight: s.weight,
    positive: s.positive,
    floors: s.floors,
    filled: s.filled,
    valueFloors: s.valueFloors,
  });
  const st = d.state;
  return {
    state: {
      exportWh: st.exportWh,
      importWh: st.importWh,
      p2pSoldWh: st.p2pSoldWh,
      p2pBoughtWh: st.p2pBoughtWh,
      gridSoldWh: st.gridSoldWh,
      gridBoughtWh: st.gridBoughtWh,
      net: st.net,
    },
    energy: { exportWh: d.exportWh, importWh: d.importWh },
    sell: side(d.sell),
    buy: side(d.buy),
  };
}

/**
 * Checks a StateEntry proof as the verifier reads it, short of its verdict: the leaf opens under `windowRoot`,
 * entry j under the leaf's entries root and the state leaf at j under its stateHash, each by a path of depth(n).
 * Returns whether the committed state leaf differs from the entry's state (the verdict: Fraud).
 */
function openedFault(
  data: string,
  n: number,
  windowRoot: string,
): { participant: number; position: number; fault: boolean } {
  const p = decode(data);
  const j = Number(p.participant);
  const l = p.leaf;
  const leaf = intervalLeaf(Number(l.interval), l.readingsRoot, l.energyHash, l.stateHash, l.entriesRoot);
  expect(verifyMerkleProof(windowRoot, leaf, Number(l.position), l.proof)).to.equal(true);
  const entry = entryOf(p.entry.entry);
  expect(p.entry.path).to.have.length(treeDepth(n));
  expect(verifyMerkleProof(p.leaf.entriesRoot, entryLeaf(entry), j, p.entry.path)).to.equal(true);
  expect(p.statePath).to.have.length(treeDepth(n));
  expect(verifyMerkleProof(p.leaf.stateHash, p.stateLeaf, j, p.statePath)).to.equal(true);
  return {
    participant: j,
    position: Number(p.leaf.position),
    fault: p.stateLeaf !== stateLeaf(entry.state, { minNet: true }),
  };
}

/** The honest claim of a window of N = 5 participants (one meter each, one slot absent) of `community`. */
function honestClaim(): ClaimedWindow {
  const { community, meterKeys } = testCommunity(N, { windowIntervals: W });
  const readings: SignedReading[] = [];
  for (let t = 0; t < W; t++)
    for (let m = 0; m < N; m++) {
      if (t === 1 && m === 3) continue;
      readings.push(
        signReading(
          {
            chainId: community.chainId,
            hub: community.hub,
            communityId: community.communityId,
            meterIndex: m,
            interval: t,
            exportWh: m % 2 === 0 ? 200 + 37 * m + 11 * t : 3,
            importWh: m % 2 === 0 ? 5 : 90 + 23 * m + 7 * t,
          },
          meterKeys[m].secretKey,
        ),
      );
    }
  const assembled = assembleWindow(0, W, N, readings, []);
  const states = foldAndCommit(community, 0, assembled).states;
  return claimFromServed(commitLayout(community), 0, assembled.slots, states);
}

describe('StateEntry (kind 10): a committed state leaf against its step entry', () => {
  const honest = honestClaim();

  it('encodes its parts: the decoded tuple is what the encoder was given', () => {
    const t = 2;
    const j = 3;
    const states: readonly ParticipantState[] = honest.states[t];
    const levels = stateLevels(states);
    const entries = claimedEntries(honest, t);
    const parts = {
      participant: j,
      leaf: intervalLeafProof(honest, t),
      entry: entryOpening(entries, j),
      stateLeaf: levels[0][j],
      statePath: merkleProof(levels, j),
    };
    const data = stateEntryProofOf(parts);
    expect(stateEntryProof(honest, t, j)).to.equal(data);
    const p = decode(data);
    expect(Number(p.participant)).to.equal(j);
    expect(Number(p.leaf.position)).to.equal(t);
    expect(Number(p.leaf.interval)).to.equal(parts.leaf.interval);
    expect(p.leaf.readingsRoot).to.equal(parts.leaf.readingsRoot);
    expect(p.leaf.energyHash).to.equal(parts.leaf.energyHash);
    expect(p.leaf.stateHash).to.equal(honest.commitment.intervals[t].stateHash);
    expect(p.leaf.entriesRoot).to.equal(honest.commitment.intervals[t].entriesRoot);
    expect([...p.leaf.proof]).to.deep.equal(parts.leaf.proof);
    expect(entryOf(p.entry.entry)).to.deep.equal(entries[j]);
    expect([...p.entry.path]).to.deep.equal(parts.entry.path);
    expect(p.stateLeaf).to.equal(stateLeaf(states[j]));
    expect([...p.statePath]).to.deep.equal(parts.statePath);
  });

  it('an honest claim: every state leaf opens under its stateHash and equals its entry’s, at every participant', () => {
    for (const t of [0, 1, W - 1])
      for (let j = 0; j < N; j++) {
        const opened = openedFault(stateEntryProof(honest, t, j), N, honest.commitment.windowRoot);
        expect(opened, `${t}/${j}`).to.deep.equal({ participant: j, position: t, fault: false });
      }
  });

  it('a leaf committing a state other than its entries’ (the vectors’ builder): the leaf differs at j and k only', () => {
    const t = 1;
    const claim = stateEntryClaim(honest, t, 2, 4, 5n);
    expect(claim.commitment.intervals[t].stateHash).to.equal(stateHash(claim.states[t]));
    expect(claim.commitment.intervals[t].entriesRoot).to.equal(honest.commitment.intervals[t].entriesRoot);
    for (let j = 0; j < N; j++) {
      const opened = openedFault(stateEntryProof(claim, t, j), N, claim.commitment.windowRoot);
      expect(opened, String(j)).to.deep.equal({ participant: j, position: t, fault: j === 2 || j === 4 });
    }
  });

  it('a participant outside the community throws a RangeError', () => {
    for (const j of [N, N + 3, -1, 1.5])
      expect(() => stateEntryProof(honest, 0, j), String(j)).to.throw(RangeError, /participant .* out of range/);
  });

  describe('the vectors (contracts/test/vectors/dispute.json)', () => {
    const v = disputeVectors();

    it('stateEntry and stateEntryLast: the opened leaf differs from the entry at the named participant', () => {
      const named = v.claims.filter((c) => c.kind === DisputeKind.StateEntry);
      expect(named.map((c) => c.name)).to.deep.equal(['stateEntry', 'stateEntryLast']);
      expect(openedFault(named[0].proof, v.participants, named[0].windowRoot)).to.deep.equal({
        participant: 3,
        position: 40,
        fault: true,
      });
      expect(openedFault(named[1].proof, v.participants, named[1].windowRoot)).to.deep.equal({
        participant: 0,
        position: v.windowIntervals - 1,
        fault: true,
      });
      expect(v.claims[v.claims.length - 1].name).to.equal('equivocation');
    });

    it('honestStateEntryProofs: every proof opens and proves nothing', () => {
      expect(v.honestStateEntryProofs).to.have.length(3);
      for (const data of v.honestStateEntryProofs)
        expect(openedFault(data, v.participants, v.honestWindowRoot).fault).to.equal(false);
    });
  });
});
