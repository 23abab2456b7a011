import { expect } from 'chai';
import { hexlify, keccak256, ZeroAddress } from 'ethers';
import {
  claimantMove,
  decodePublishMove,
  encodeGameMove,
  GameAction,
  GamePhase,
  publishFrom,
  type GameState,
} from '../../src/dispute/game.js';
import { claimFromServed, DisputeKind, proofFromOpenedStep } from '../../src/dispute/proofs.js';
import { ByzantineMode, byzantineFold } from '../../src/node/byzantine.js';
import { MeterKeyRing } from '../../src/reading/meterKeys.js';
import { signReading } from '../../src/reading/signature.js';
import { assembleWindow } from '../../src/window/assemble.js';
import { ABSENT_LEAF, rawReadingLeaf } from '../../src/window/commitment.js';
import {
  badStepProof,
  forgedReadingProof,
  intervalLeafProof,
  readingMismatchProof,
  type ClaimedWindow,
} from '../../src/window/disputeProof.js';
import { foldAndCommit } from '../../src/window/fold.js';
import { merkleRoot, verifyMerkleProof } from '../../src/window/merkle.js';
import { stateHash, unpackState } from '../../src/window/state.js';
import { testCommunity } from '../utils/community.js';

/**
 * The game's `Publish` move on the node's side (review R1): the claimant publishes the opened step
 * from the window it stored at signing; a challenger reads it back and builds the ordinary fraud
 * proofs from it — the same bytes the full claimant data would give.
 */
describe('data-availability game: the published step (review R1)', () => {
  const { community, meterKeys } = testCommunity(3);
  const keys = new MeterKeyRing(community.meters);
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
  const honestFold = foldAndCommit(community, 0, assembled);
  const honest = claimFromServed(0, assembled.slots, honestFold.states);
  const claimOf = (mode: ByzantineMode): ClaimedWindow => {
    const b = byzantineFold(mode, community, 0, assembled);
    return claimFromServed(0, b.assembled.slots, b.folded.states);
  };
  const claim = keccak256('0x01');
  const challenger = '0x00000000000000000000000000000000000000c1';
  const waiting = (w: ClaimedWindow, t: number): GameState => ({
    node: w.commitment.intervals[t].leaf,
    left: '',
    right: '',
    deadline: 0,
    index: t,
    height: 0,
    phase: GamePhase.Publish,
    bond: 0n,
  });
  /** What a challenger has once the game opened step t of `w`: the leaf with its path, the published data. */
  const opened = (w: ClaimedWindow, t: number) => {
    const move = publishFrom(w, claim, challenger, waiting(w, t))!;
    const encoded = encodeGameMove(move);
    const read = decodePublishMove(encoded, keccak256(encoded))!;
    return { leaf: intervalLeafProof(w, t), ...read.step };
  };

  it('publishes the opened step from the stored window: M slots under the leaf, leaf t-1 with its path, S_{t-1} packed', () => {
    for (const t of [0, 2, 3]) {
      const move = publishFrom(honest, claim, challenger, waiting(honest, t))!;
      expect(move.action).to.equal(GameAction.Publish);
      const leaf = honest.commitment.intervals[t];
      expect([move.interval, move.readingsRoot, move.stateHash]).to.deep.equal([
        leaf.interval,
        leaf.readingsRoot,
        leaf.stateHash,
      ]);
      const step = move.step!;
      const slotLeaves = step.slots.map((x) =>
        x.encoded === '0x' && x.signature === '0x'
          ? ABSENT_LEAF
          : rawReadingLeaf(Buffer.from(x.encoded.slice(2), 'hex'), Buffer.from(x.signature.slice(2), 'hex')),
      );
      expect(merkleRoot(slotLeaves)).to.equal(leaf.readingsRoot);
      if (t === 0) {
        expect(step.prevState).to.equal('0x');
        continue;
      }
      const prev = honest.commitment.intervals[t - 1];
      expect(step.previous.position).to.equal(t - 1);
      expect(verifyMerkleProof(honest.commitment.windowRoot, prev.leaf, t - 1, step.previous.proof)).to.equal(true);
      const state = unpackState(Buffer.from(step.prevState.slice(2), 'hex'), 3);
      expect(stateHash(state)).to.equal(prev.stateHash);
    }
    // claimantMove gives the publication in the Publish phase, and nothing for a leaf that is not ours.
    expect(claimantMove(honest, claim, challenger, waiting(honest, 1))?.action).to.equal(GameAction.Publish);
    expect(publishFrom(honest, claim, challenger, { ...waiting(honest, 1), node: keccak256('0x02') })).to.equal(
      undefined,
    );
    expect(publishFrom(honest, claim, challenger, { ...waiting(honest, 1), phase: GamePhase.Opened })).to.equal(
      undefined,
    );
  });

  it('reads a Publish move back only when it hashes to the event’s dataHash and is a Publish', () => {
    const move = publishFrom(honest, claim, challenger, waiting(honest, 2))!;
    const encoded = encodeGameMove(move);
    const read = decodePublishMove(encoded, keccak256(encoded))!;
    expect(read.step).to.deep.equal(move.step);
    expect(read.move.interval).to.equal(move.interval);
    expect(decodePublishMove(encoded, keccak256('0x03'))).to.equal(undefined);
    expect(decodePublishMove(encodeGameMove({ action: GameAction.Resolve, claim, challenger: ZeroAddress }))).to.equal(
      undefined,
    );
    expect(() => encodeGameMove({ ...move, step: undefined })).to.throw(/needs its step/);
  });

  it('an honest step gives no proof', () => {
    for (const t of [0, 1, 2, 3])
      expect(proofFromOpenedStep(community, keys, opened(honest, t), honest.slots[t])).to.equal(undefined);
  });

  it('a forged reading in the published slots: the forged-reading proof the whole claimant data would give', () => {
    const w = claimOf(ByzantineMode.ForgedAnswering);
    const p = proofFromOpenedStep(community, keys, opened(w, 2), honest.slots[2])!;
    expect(p.kind).to.equal(DisputeKind.ForgedReading);
    expect(p.data).to.equal(forgedReadingProof(w, 2, 0));
    // Its readings root is not ours: the game opened a leaf the old node could not judge.
    expect(w.commitment.intervals[2].readingsRoot).to.not.equal(honest.commitment.intervals[2].readingsRoot);
  });

  it('a slot that is no reading at all is forged too (published bytes are taken as they are)', () => {
    const o = opened(honest, 1);
    const garbage = {
      ...o,
      slots: o.slots.map((x, m) => (m === 2 ? { encoded: hexlify('0xdeadbeef'), signature: '0x' } : x)),
    };
    const p = proofFromOpenedStep(community, keys, garbage, honest.slots[1])!;
    expect(p.kind).to.equal(DisputeKind.ForgedReading);
  });

  it('a reading of ours left out: reading mismatch (when the omission rule lets us raise it)', () => {
    const w = claimOf(ByzantineMode.DroppedReading);
    const p = proofFromOpenedStep(community, keys, opened(w, 2), honest.slots[2])!;
    expect(p.kind).to.equal(DisputeKind.ReadingMismatch);
    expect(p.data).to.equal(readingMismatchProof(w, honest.slots[2][0]!));
    // Meter 0 is owned by participant 0: not raisable by it when it did not sign the claim.
    expect(
      proofFromOpenedStep(community, keys, opened(w, 2), honest.slots[2], { signers: 0b110n, disputer: 0 }),
    ).to.equal(undefined);
  });

  it('a wrong step over the right readings: the bad-step proof from the published S_{t-1} and slots', () => {
    const w = claimOf(ByzantineMode.WrongArithmetic);
    const p = proofFromOpenedStep(community, keys, opened(w, 2), honest.slots[2])!;
    expect(p.kind).to.equal(DisputeKind.BadStep);
    expect(p.data).to.equal(badStepProof(w, 2));
    // Without our readings too: the published data alone proves it.
    expect(proofFromOpenedStep(community, keys, opened(w, 2), undefined)?.data).to.equal(badStepProof(w, 2));
  });
});
