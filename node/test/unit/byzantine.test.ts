import { expect } from 'chai';
import { ZeroHash } from 'ethers';
import {
  answersGames,
  byzantineClaimed,
  ByzantineMode,
  byzantineFold,
  JUNK_LEAF,
  junkPadded,
  withholdsCommitment,
} from '../../src/node/byzantine.js';
import { answerFrom, GameLevel, GamePhase, type GameState, pickFrom } from '../../src/dispute/game.js';
import { parseClaimedWindow } from '../../src/dispute/disputer.js';
import { commitmentFrames } from '../../src/node/committer.js';
import { emptySubtreeRoot, hashPair } from '../../src/window/merkle.js';
import { assembleWindow, toMeterEnergy } from '../../src/window/assemble.js';
import { commitLayout, foldAndCommit } from '../../src/window/fold.js';
import { marketStep } from '../../src/window/market.js';
import { emptyState, stateHash } from '../../src/window/state.js';
import { MeterKeyRing } from '../../src/reading/meterKeys.js';
import { type SignedReading, signReading } from '../../src/reading/signature.js';
import { testCommunity } from '../utils/community.js';

describe('byzantine folds leave the trace their fraud proof needs', () => {
  const { community, meterKeys } = testCommunity(3);
  const readings: SignedReading[] = [];
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

  it('junk padding (review 5 M2): the honest result and leaves, junk at the first padding leaf; the game picks it', () => {
    // W = 3: leaves 0..2, padding leaf 3.
    const three = assembleWindow(
      0,
      3,
      3,
      readings.filter((r) => r.reading.interval < 3),
      [],
    );
    const own = foldAndCommit(community, 0, three);
    const b = byzantineFold(ByzantineMode.JunkPadding, community, 0, three);
    expect(b.postedStateHash).to.equal(own.stateHash);
    expect(b.folded.commitment.intervals).to.deep.equal(own.commitment.intervals);
    const levels = b.folded.commitment.levels;
    expect(levels[0]).to.deep.equal([...own.commitment.levels[0].slice(0, 3), JUNK_LEAF]);
    expect(levels[1][0]).to.equal(own.commitment.levels[1][0]);
    expect(levels[1][1]).to.equal(hashPair(levels[0][2], JUNK_LEAF));
    expect(b.folded.commitment.windowRoot).to.equal(hashPair(levels[1][0], levels[1][1]));
    expect(b.folded.commitment.windowRoot).to.not.equal(own.commitment.windowRoot);
    expect(() => junkPadded(honest.commitment), 'W = 4 has no padding').to.throw(RangeError);
    expect(withholdsCommitment(ByzantineMode.JunkPadding)).to.equal(false);
    expect(answersGames(ByzantineMode.JunkPadding)).to.equal(true);

    // The stored frames rebuild the honest tree; the mode's claimed view is the junk one, and it answers from it.
    const layout = commitLayout(community);
    const parsed = parseClaimedWindow(
      layout,
      commitmentFrames(b.assembled, b.folded).map((f) => Buffer.from(f, 'utf8')),
    )!;
    expect(parsed.commitment.windowRoot).to.equal(own.commitment.windowRoot);
    expect(byzantineClaimed(undefined)).to.equal(undefined);
    expect(byzantineClaimed(ByzantineMode.WrongArithmetic)).to.equal(undefined);
    const claimed = byzantineClaimed(ByzantineMode.JunkPadding)!(parsed);
    expect(claimed.commitment.windowRoot).to.equal(b.folded.commitment.windowRoot);
    const game = (height: number, index: number, node: string, left = '', right = ''): GameState => ({
      node,
      left,
      right,
      deadline: 0,
      index,
      height,
      phase: left ? GamePhase.Pick : GamePhase.Reveal,
      bond: 0n,
      level: GameLevel.Window,
      position: 0,
      stateNode: ZeroHash,
      stateLeft: ZeroHash,
      stateRight: ZeroHash,
      entriesRoot: ZeroHash,
      previousEntriesRoot: ZeroHash,
    });
    const claim = `0x${'11'.repeat(32)}`;
    const challenger = `0x${'22'.repeat(20)}`;
    const root = answerFrom(claimed.commitment, claim, challenger, game(2, 0, claimed.commitment.windowRoot))!;
    // An honest challenger (its own tree) goes right at the root, where the claim departs from its own...
    const ours = { ...parsed, commitment: own.commitment };
    expect(pickFrom(game(2, 0, root.left!, root.left!, root.right!), ours, { windowIntervals: 3 })).to.equal(1);
    // ... and into the junk at height 1, with or without data of its own.
    const below = answerFrom(claimed.commitment, claim, challenger, game(1, 1, root.right!))!;
    expect([below.left, below.right]).to.deep.equal([own.commitment.levels[0][2], JUNK_LEAF]);
    expect(JUNK_LEAF).to.not.equal(emptySubtreeRoot(0));
    for (const data of [ours, undefined])
      expect(pickFrom(game(1, 1, root.right!, below.left!, below.right!), data, { windowIntervals: 3 })).to.equal(1);
  });
});
