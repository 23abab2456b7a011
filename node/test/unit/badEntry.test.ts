import { expect } from 'chai';
import { AbiCoder, ZeroHash } from 'ethers';
import { buildCheapestProof, claimFromServed, faultyEntry } from '../../src/dispute/proofs.js';
import { MeterKeyRing } from '../../src/reading/meterKeys.js';
import { signReading, type SignedReading } from '../../src/reading/signature.js';
import { assembleWindow } from '../../src/window/assemble.js';
import {
  badEntryProof,
  claimedEntries,
  DISPUTE_PROOF_TYPES,
  DisputeKind,
  EnergyFault,
  energyAccumulationProof,
  energyTotalProof,
  entryEnergyProof,
  type ClaimedWindow,
} from '../../src/window/disputeProof.js';
import { EntryFault, entriesRoot, entryLeaf, judgeEntry, type StepEntry } from '../../src/window/entries.js';
import { commitLayout, foldAndCommit } from '../../src/window/fold.js';
import { computeMerkleRoot, treeDepth } from '../../src/window/merkle.js';
import { limitsHash, MarketKind, type ParticipantState } from '../../src/window/state.js';
import { testCommunity } from '../utils/community.js';

type Community = ReturnType<typeof testCommunity>['community'];

const N = 5;
const W = 4;

/** The decoded StepEntry tuple back as entries.ts's `StepEntry`. */
function entryOf(decoded: {
  state: ParticipantState;
  exportWh: bigint;
  importWh: bigint;
  sell: StepEntry['sell'];
  buy: StepEntry['buy'];
}): StepEntry {
  const side = (s: StepEntry['sell']) => ({
    weight: s.weight,
    positive: s.positive,
    floors: s.floors,
    filled: s.filled,
    valueFloors: s.valueFloors,
  });
  const st = decoded.state;
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
    energy: { exportWh: decoded.exportWh, importWh: decoded.importWh },
    sell: side(decoded.sell),
    buy: side(decoded.buy),
  };
}

// biome-ignore lint/suspicious/noExplicitAny: the decoded ABI result is read by field name
const decode = (kind: DisputeKind, data: string): any =>
  AbiCoder.defaultAbiCoder().decode([DISPUTE_PROOF_TYPES[kind]], data)[0];

/**
 * A window of N = 5 participants (one meter each: even ones export, odd ones import, one slot absent), the
 * honest claim of `community`, and a claim whose S_t at `t` is changed by `wrong` (the states after it as served,
 * not refolded: step t is the first wrong one).
 */
function scenario(community: Community, meterKeys: ReturnType<typeof testCommunity>['meterKeys']) {
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
  const layout = commitLayout(community);
  const states = foldAndCommit(community, 0, assembled).states;
  const honest = claimFromServed(layout, 0, assembled.slots, states);
  const wrongAt = (t: number, wrong: (s: ParticipantState[]) => void): ClaimedWindow => {
    const changed = states.map((row) => row.map((p) => ({ ...p })));
    wrong(changed[t]);
    return claimFromServed(layout, 0, assembled.slots, changed);
  };
  const cheapest = (claim: ClaimedWindow) =>
    buildCheapestProof(
      community,
      new MeterKeyRing(community.meters),
      claim,
      claim.commitment.intervals[W - 1].stateHash,
      assembled.slots,
    );
  return { honest, wrongAt, cheapest };
}

/** Every opening of a BadEntry proof is entry `index` under `root` by a path of depth(N) (as `_openEntry` checks). */
function expectOpened(
  opening: { entry: Parameters<typeof entryOf>[0]; path: string[] },
  root: string,
  index: number,
  expected: StepEntry,
) {
  const entry = entryOf(opening.entry);
  expect(entry).to.deep.equal(expected);
  expect(opening.path).to.have.length(treeDepth(N));
  expect(computeMerkleRoot(entryLeaf(entry), index, opening.path)).to.equal(root);
}

describe('BadEntry (kind 8): one participant’s step proven from its entries', () => {
  for (const kind of [MarketKind.Mmr, MarketKind.Totals]) {
    describe(`${MarketKind[kind]} community`, () => {
      const { community, meterKeys } = testCommunity(N, {
        windowIntervals: W,
        market: { ...testCommunity(N).community.market, kind },
      });
      const { honest, wrongAt, cheapest } = scenario(community, meterKeys);

      it('an honest claim: no entry is faulty and no proof is built', () => {
        for (let t = 0; t < W; t++) expect(faultyEntry(honest, t)).to.equal(undefined);
        expect(cheapest(honest)).to.equal(undefined);
      });

      it('a wrong S_t[j] at t > 0: BadEntry at j, its openings under leaves t−1 and t, judged State', () => {
        const t = 2;
        const j = 2;
        const claim = wrongAt(t, (s) => {
          s[j].net += 7n;
          s[j + 1].net -= 7n;
        });
        expect(faultyEntry(claim, t)).to.deep.equal({ participant: j, fault: EntryFault.State });
        const proof = cheapest(claim)!;
        expect(proof.kind).to.equal(DisputeKind.BadEntry);
        expect(proof.data).to.equal(badEntryProof(claim, t, j));
        const p = decode(DisputeKind.BadEntry, proof.data);
        const entries = claimedEntries(claim, t);
        const root = claim.commitment.intervals[t].entriesRoot;
        expect(root).to.equal(entriesRoot(entries));
        expect(Number(p.participant)).to.equal(j);
        expect(Number(p.current.position)).to.equal(t);
        expect(p.current.entriesRoot).to.equal(root);
        expect(Number(p.previous.position)).to.equal(t - 1);
        expect(p.previous.stateHash).to.equal(claim.commitment.intervals[t - 1].stateHash);
        const previousRoot = claim.commitment.intervals[t - 1].entriesRoot;
        expectOpened(p.previousEntry, previousRoot, j, claimedEntries(claim, t - 1)[j]);
        expect(entryOf(p.previousEntry.entry).state).to.deep.equal(claim.states[t - 1][j]);
        expectOpened(p.before, root, j - 1, entries[j - 1]);
        expectOpened(p.entry, root, j, entries[j]);
        expect(entryOf(p.entry.entry).state.net).to.equal(honest.states[t][j].net + 7n);
        expectOpened(p.last, root, N - 1, entries[N - 1]);
        expect(p.tariff).to.equal('0x');
        // The judge on the decoded openings alone names the wrong state, as the verifier's does.
        const params = commitLayout(community).paramsAt!(t);
        expect(
          judgeEntry(
            params,
            N,
            entryOf(p.previousEntry.entry).state,
            entryOf(p.before.entry),
            entryOf(p.entry.entry),
            entryOf(p.last.entry),
          ),
        ).to.equal(EntryFault.State);
      });

      it('a wrong S_0[N−1]: no previous leaf, no last entry (both empty), entry N−2 before it', () => {
        const claim = wrongAt(0, (s) => {
          s[N - 1].gridBoughtWh += 1n;
        });
        const proof = cheapest(claim)!;
        expect(proof.kind).to.equal(DisputeKind.BadEntry);
        const p = decode(DisputeKind.BadEntry, proof.data);
        expect(Number(p.participant)).to.equal(N - 1);
        expect(Number(p.current.position)).to.equal(0);
        expect(p.previous.stateHash).to.equal(ZeroHash);
        expect(p.previous.proof).to.deep.equal([]);
        expect(p.previousEntry.path).to.deep.equal([]);
        expect(entryOf(p.previousEntry.entry).state.net).to.equal(0n);
        expect(p.last.path).to.deep.equal([]);
        const root = claim.commitment.intervals[0].entriesRoot;
        expectOpened(p.before, root, N - 2, claimedEntries(claim, 0)[N - 2]);
        expectOpened(p.entry, root, N - 1, claimedEntries(claim, 0)[N - 1]);
      });

      it('a wrong S_t[0]: entry 0 judged after no entry (before left empty)', () => {
        const claim = wrongAt(1, (s) => {
          s[0].net -= 3n;
          s[1].net += 3n;
        });
        const p = decode(DisputeKind.BadEntry, cheapest(claim)!.data);
        expect(Number(p.participant)).to.equal(0);
        expect(p.before.path).to.deep.equal([]);
        expect(entryOf(p.before.entry).sell.weight).to.equal(0n);
        expect(p.last.path).to.have.length(treeDepth(N));
      });
    });
  }

  describe('auction community', () => {
    const limits = Array.from({ length: N }, (_, i) => ({
      bidPrice: BigInt(120 + 15 * i),
      askPrice: BigInt(60 + 12 * i),
    }));
    const base = testCommunity(N, { windowIntervals: W });
    const { community, meterKeys } = testCommunity(N, {
      windowIntervals: W,
      market: { ...base.community.market, kind: MarketKind.Auction, limitsHash: limitsHash(limits) },
      limits,
    });
    const { honest, wrongAt, cheapest } = scenario(community, meterKeys);

    it('has no entries: its leaves commit a zero entries root and a bad step keeps BadStep', () => {
      for (const c of honest.commitment.intervals) expect(c.entriesRoot).to.equal(ZeroHash);
      expect(cheapest(honest)).to.equal(undefined);
      const claim = wrongAt(2, (s) => {
        s[1].net += 9n;
        s[2].net -= 9n;
      });
      const proof = cheapest(claim)!;
      expect(proof.kind).to.equal(DisputeKind.BadStep);
      expect(Number(decode(DisputeKind.BadStep, proof.data).current.position)).to.equal(2);
      expect(() => badEntryProof(claim, 2, 1)).to.throw(/no one-participant step/);
    });
  });

  describe('BadEnergy, fault Entry: E_t[j] read from entry j', () => {
    const { community, meterKeys } = testCommunity(N, { windowIntervals: W });
    const { honest } = scenario(community, meterKeys);

    it('opens entry j under the leaf’s entries root in place of the packed E_t', () => {
      const t = 1;
      const j = 2;
      const entries = claimedEntries(honest, t).map((e, i) =>
        i === j ? { ...e, energy: { ...e.energy, exportWh: e.energy.exportWh + 40n } } : e,
      );
      const claim: ClaimedWindow = { ...honest, entries: [undefined, entries] };
      const p = decode(DisputeKind.BadEnergy, entryEnergyProof(claim, t, j));
      expect(Number(p.fault)).to.equal(EnergyFault.Entry);
      expect(Number(p.participant)).to.equal(j);
      expect(p.energy).to.equal('0x');
      expect(Number(p.current.meterIndex)).to.equal(j);
      expectOpened(p.entry, entriesRoot(entries), j, entries[j]);
      expect(entryOf(p.entry.entry).energy.exportWh - p.current.accExportWh).to.equal(40n);
    });

    it('leaves the entry opening empty in Total and Accumulation proofs', () => {
      for (const data of [energyTotalProof(honest, 1, 2), energyAccumulationProof(honest, 1, 2)]) {
        const p = decode(DisputeKind.BadEnergy, data);
        expect(p.entry.path).to.deep.equal([]);
        expect(entryOf(p.entry.entry).state.net).to.equal(0n);
        expect(entryOf(p.entry.entry).energy).to.deep.equal({ exportWh: 0n, importWh: 0n });
      }
    });
  });
});
