import { expect } from 'chai';
import { answersGames, ByzantineMode, byzantineFold, withholdsCommitment } from '../../src/node/byzantine.js';
import { assembleWindow, toMeterEnergy } from '../../src/window/assemble.js';
import { foldAndCommit } from '../../src/window/fold.js';
import { marketStep } from '../../src/window/market.js';
import { emptyState, stateHash } from '../../src/window/state.js';
import { MeterKeyRing } from '../../src/reading/meterKeys.js';
import { signReading } from '../../src/reading/signature.js';
import { testCommunity } from '../utils/community.js';

describe('byzantine folds leave the trace their fraud proof needs', () => {
  const { community, meterKeys } = testCommunity(3);
  const readings = [];
  for (let t = 0; t < 4; t++) {
    for (let m = 0; m < 3; m++) {
      readings.push(
        signReading(
          {
            chainId: community.chainId,
            hub: community.hub,
            communityId: 1n,
            meterIndex: m,
            interval: t,
            exportWh: m === 0 ? 300 : 0,
            importWh: m === 0 ? 0 : 120 + m,
          },
          meterKeys[m].secretKey,
        ),
      );
    }
  }
  const assembled = assembleWindow(0, 4, 3, readings, []);
  const honest = foldAndCommit(community, 0, assembled);
  const owners = community.meters.map((m) => m.owner);
  const keys = new MeterKeyRing(community.meters);

  it('changed reading: one committed slot no longer verifies under its meter key', () => {
    const b = byzantineFold(ByzantineMode.ChangedReading, community, 0, assembled);
    expect(b.folded.commitment.windowRoot).to.not.equal(honest.commitment.windowRoot);
    const bad = b.assembled.slots.flat().filter((s) => s && !keys.verify(s));
    expect(bad).to.have.length(1);
    expect(bad[0]!.reading.exportWh).to.equal(1300);
  });

  it('dropped reading: one signed reading is absent from the commitment', () => {
    const b = byzantineFold(ByzantineMode.DroppedReading, community, 0, assembled);
    expect(b.assembled.slots.flat().filter((s) => s === undefined)).to.have.length(1);
    expect(b.assembled.slots[2][0]).to.equal(undefined);
    expect(b.folded.commitment.windowRoot).to.not.equal(honest.commitment.windowRoot);
  });

  it('wrong arithmetic: exactly one step is not F of the previous state, and the money still sums to 0', () => {
    const b = byzantineFold(ByzantineMode.WrongArithmetic, community, 0, assembled);
    const bad = b.folded.states
      .map((s, t) => {
        const prev = t === 0 ? emptyState(3) : b.folded.states[t - 1];
        return (
          stateHash(marketStep(community.market, prev, owners, b.assembled.slots[t].map(toMeterEnergy))) !==
          stateHash(s)
        );
      })
      .map((x, t) => (x ? t : -1))
      .filter((t) => t >= 0);
    expect(bad).to.deep.equal([2]);
    expect(b.postedState.reduce((a, s) => a + s.net, 0n)).to.equal(0n);
  });

  it('withheld commitment: a claim other than the honest one, whose data the node neither serves nor defends', () => {
    const b = byzantineFold(ByzantineMode.WithheldCommitment, community, 0, assembled);
    const wrong = byzantineFold(ByzantineMode.WrongArithmetic, community, 0, assembled);
    expect(b.folded.commitment.windowRoot).to.equal(wrong.folded.commitment.windowRoot);
    expect(b.folded.commitment.windowRoot).to.not.equal(honest.commitment.windowRoot);
    const answering = byzantineFold(ByzantineMode.WithheldAnswering, community, 0, assembled);
    expect(answering.folded.commitment.windowRoot).to.equal(wrong.folded.commitment.windowRoot);
    const withholding = [
      ByzantineMode.WithheldCommitment,
      ByzantineMode.WithheldAnswering,
      ByzantineMode.ForgedAnswering,
    ];
    for (const m of Object.values(ByzantineMode)) {
      expect(withholdsCommitment(m)).to.equal(withholding.includes(m));
      expect(answersGames(m)).to.equal(m !== ByzantineMode.WithheldCommitment);
    }
    expect(withholdsCommitment(undefined)).to.equal(false);
    expect(answersGames(undefined)).to.equal(true);
  });

  it('forged answering (review R1): the changed reading of ChangedReading, withheld from peers, games answered', () => {
    const b = byzantineFold(ByzantineMode.ForgedAnswering, community, 0, assembled);
    const changed = byzantineFold(ByzantineMode.ChangedReading, community, 0, assembled);
    expect(b.folded.commitment.windowRoot).to.equal(changed.folded.commitment.windowRoot);
    expect(withholdsCommitment(ByzantineMode.ForgedAnswering)).to.equal(true);
    expect(answersGames(ByzantineMode.ForgedAnswering)).to.equal(true);
  });

  it('wrong final state: the commitment is honest but the posted state is not its last state', () => {
    const b = byzantineFold(ByzantineMode.WrongFinalState, community, 0, assembled);
    expect(b.folded.commitment.windowRoot).to.equal(honest.commitment.windowRoot);
    expect(b.postedStateHash).to.not.equal(b.folded.commitment.intervals[3].stateHash);
    expect(b.postedState.reduce((a, s) => a + s.net, 0n)).to.equal(0n);
  });
});
