import { expect } from 'chai';
import { AbiCoder, Contract, Wallet, ZeroAddress, ZeroHash, keccak256, toUtf8Bytes } from 'ethers';
import { loadArtifact } from '../../src/chain/artifacts.js';
import type { CommunityInfo } from '../../src/community/types.js';
import { GameLoop, defaultGameOptions, type GameLoopModules } from '../../src/dispute/gameLoop.js';
import { servedTree } from '../../src/dispute/gameDesk.js';
import { commitWindow, intervalLeaf, intervalProof, readingsTree } from '../../src/window/commitment.js';
import { buildLevels, emptySubtreeRoot, hashPair, verifyMerkleProof, ZERO_HASH } from '../../src/window/merkle.js';
import { emptyState, MarketKind, stateHash } from '../../src/window/state.js';
import { claimFromServed } from '../../src/dispute/proofs.js';
import { badStepProof } from '../../src/window/disputeProof.js';
import {
  GameAction,
  GameLevel,
  GamePhase,
  answerFrom,
  encodeGameMove,
  gameDepth,
  junkPaddingSide,
  pickFrom,
  pickSide,
  openedClaimView,
  revertReason,
  siblingPath,
  stepProofFromGame,
  worstCaseFinalitySeconds,
  type GameState,
} from '../../src/dispute/game.js';

const W = 96;
const window = 3;
const h = (s: string) => keccak256(toUtf8Bytes(s));
const commitment = (tag: string) =>
  commitWindow(
    Array.from({ length: W }, (_, p) => ({
      interval: window * W + p,
      readingsRoot: h(`r${p}`),
      energyHash: h(`e${p}`),
      stateHash: h(`${tag}${p}`),
      entriesRoot: h(`n${p}`),
    })),
  );

describe('data-availability game (node side, DESIGN.md §5.4)', () => {
  const claim = h('claim');
  const challenger = Wallet.createRandom().address;

  it('encodes a move as abi.encode(GameMove) (11 words: the leaf preimage carries energyHash and entriesRoot)', () => {
    const data = encodeGameMove({ action: GameAction.Pick, claim, challenger, side: 1, energyHash: h('e') });
    expect((data.length - 2) / 64).to.equal(11);
    const [m] = AbiCoder.defaultAbiCoder().decode(
      ['tuple(uint8,bytes32,address,bytes32,bytes32,uint32,bytes32,bytes32,bytes32,bytes32,uint8)'],
      data,
    );
    expect(Number(m[0])).to.equal(GameAction.Pick);
    expect(m[1]).to.equal(claim);
    expect(m[2]).to.equal(challenger);
    expect(m[7]).to.equal(h('e'));
    expect(m[9]).to.equal(ZeroHash);
    expect(Number(m[10])).to.equal(1);
  });

  it('the claimant side answers every node down to a leaf from its stored commitment', () => {
    const c = commitment('s');
    const target = 77;
    let g: GameState = {
      node: c.windowRoot,
      left: '',
      right: '',
      deadline: 0,
      index: 0,
      height: gameDepth(W),
      phase: GamePhase.Reveal,
      bond: 0n,
      level: GameLevel.Window,
      position: 0,
    };
    expect(g.height).to.equal(7);
    while (g.height > 0) {
      const move = answerFrom(c, claim, challenger, g)!;
      // What the module checks: the children hash to the node.
      expect(hashPair(move.left!, move.right!)).to.equal(g.node);
      const side = (target >> (g.height - 1)) & 1;
      const index = 2 * g.index + side;
      g = { ...g, node: side ? move.right! : move.left!, index, height: g.height - 1 };
    }
    const leaf = answerFrom(c, claim, challenger, g)!;
    expect(leaf.interval).to.equal(window * W + target);
    expect(
      intervalLeaf(leaf.interval!, leaf.readingsRoot!, leaf.energyHash!, leaf.stateHash!, leaf.entriesRoot!),
    ).to.equal(g.node);
  });

  it('gives no answer for a node that is not in its commitment (a claim it does not hold)', () => {
    const g: GameState = {
      node: h('random root'),
      left: '',
      right: '',
      deadline: 0,
      index: 0,
      height: 7,
      phase: GamePhase.Reveal,
      bond: 0n,
      level: GameLevel.Window,
      position: 0,
    };
    expect(answerFrom(commitment('s'), claim, challenger, g)).to.equal(undefined);
  });

  /** A game at the window tree's root (height 7, W = 96 padded to 128), waiting for the challenger's pick. */
  const windowRootPick = (node: string): GameState => ({
    node,
    left: '',
    right: '',
    deadline: 0,
    index: 0,
    height: 7,
    phase: GamePhase.Pick,
    bond: 0n,
    level: GameLevel.Window,
    position: 0,
  });

  it('the challenger descends where the claim departs from its own commitment, never into padding', () => {
    const ours = commitment('s');
    const theirs = commitWindow(ours.intervals.map((x, p) => (p === 90 ? { ...x, stateHash: h('lie') } : x)));
    let g = windowRootPick(theirs.windowRoot);
    while (g.height > 0) {
      const below = theirs.levels[g.height - 1];
      g = { ...g, left: below[2 * g.index], right: below[2 * g.index + 1] };
      const side = pickSide(g, W, ours.levels);
      g = { ...g, index: 2 * g.index + side, height: g.height - 1, node: side ? g.right : g.left };
    }
    expect(g.index).to.equal(90);
    expect(g.node).to.equal(
      intervalLeaf(
        window * W + 90,
        theirs.intervals[90].readingsRoot,
        theirs.intervals[90].energyHash,
        h('lie'),
        theirs.intervals[90].entriesRoot,
      ),
    );
    // Without data of its own: the left child, which always covers an interval (the right one, 96..127, is
    // padding only and empty: the module refuses it).
    expect(pickSide({ ...g, height: 6, index: 1, left: h('a'), right: emptySubtreeRoot(5) }, W)).to.equal(0);
  });

  it('the challenger picks a subtree of padding only that is not empty: junk padding loses the game (review 5, M2)', () => {
    const ours = commitment('s');
    // The honest tree's padding is the empty subtree of each height (the module's `MerkleTree.emptyRoot`).
    expect(ours.levels[5][3]).to.equal(emptySubtreeRoot(5));
    expect(emptySubtreeRoot(0)).to.equal(ZERO_HASH);
    expect(emptySubtreeRoot(1)).to.equal(hashPair(ZERO_HASH, ZERO_HASH));
    // The honest result of every interval, with a junk leaf at padding position 100.
    const leaves = [...ours.intervals.map((x) => x.leaf), ...Array<string>(32).fill(ZERO_HASH)];
    leaves[100] = h('junk');
    const theirs = buildLevels(leaves);
    let g = windowRootPick(theirs[7][0]);
    const picks: number[] = [];
    for (;;) {
      const below = theirs[g.height - 1];
      g = { ...g, left: below[2 * g.index], right: below[2 * g.index + 1] };
      const junk = junkPaddingSide(g, W);
      const side = pickSide(g, W, ours.levels);
      picks.push(side);
      if (junk !== undefined) {
        expect(junk).to.equal(side);
        break;
      }
      g = { ...g, index: 2 * g.index + side, height: g.height - 1, node: side ? g.right : g.left };
    }
    // Right at the root ([64,128) differs), then right into [96,128): padding only, not empty.
    expect(picks).to.deep.equal([1, 1]);
    expect(g.height).to.equal(6);
    // Without data of its own too, and in preference to a differing interval child.
    expect(pickSide(g, W)).to.equal(1);
    expect(pickSide({ ...g, left: h('other') }, W, ours.levels)).to.equal(1);
    expect(pickFrom(g, undefined, { windowIntervals: W })).to.equal(1);
    // Empty padding is never picked (the module would refuse it); the left child is.
    expect(junkPaddingSide({ ...g, right: emptySubtreeRoot(5) }, W)).to.equal(undefined);
    // At the meter level (M = 10 of 16: [10,12) is padding only), junk first, even over the M1 target.
    const meter: GameState = {
      ...g,
      level: GameLevel.Meter,
      height: 2,
      index: 2,
      left: h('meters 8, 9'),
      right: h('junk at 10'),
    };
    expect(pickFrom(meter, undefined, { windowIntervals: W, meters: 10 }, 8)).to.equal(1);
    expect(
      pickFrom({ ...meter, right: emptySubtreeRoot(1) }, undefined, { windowIntervals: W, meters: 10 }, 8),
    ).to.equal(0);
    // Not padding at M = 12: the target decides.
    expect(pickFrom(meter, undefined, { windowIntervals: W, meters: 12 }, 8)).to.equal(0);
  });

  it("the children revealed on the way down are the opened leaf's sibling path (an IntervalProof under the root)", () => {
    const c = commitment('s');
    for (const target of [0, 1, 63, 64, 95]) {
      const revealed = new Map<number, { left: string; right: string }>();
      let g: GameState = {
        node: c.windowRoot,
        left: '',
        right: '',
        deadline: 0,
        index: 0,
        height: gameDepth(W),
        phase: GamePhase.Reveal,
        bond: 0n,
        level: GameLevel.Window,
        position: 0,
      };
      while (g.height > 0) {
        const move = answerFrom(c, claim, challenger, g)!;
        revealed.set(g.height, { left: move.left!, right: move.right! });
        const side = (target >> (g.height - 1)) & 1;
        g = { ...g, node: side ? move.right! : move.left!, index: 2 * g.index + side, height: g.height - 1 };
      }
      const path = siblingPath(revealed, target, gameDepth(W))!;
      expect(path).to.deep.equal(intervalProof(c, target));
      expect(verifyMerkleProof(c.windowRoot, g.node, target, path)).to.equal(true);
      // A level never revealed: no path.
      revealed.delete(3);
      expect(siblingPath(revealed, target, gameDepth(W))).to.equal(undefined);
    }
  });

  it('worst-case time to finality under a challenger that plays every round: P + (2·depth(W) + 2·depth(M) + 4)·D', () => {
    expect(worstCaseFinalitySeconds(3600, 3600, 96, 1000)).to.equal(3600 + 38 * 3600); // depth(96) = 7, depth(1000) = 10
    expect(worstCaseFinalitySeconds(3600, 3600, 96, 10)).to.equal(3600 + 26 * 3600); // depth(10) = 4
    expect(worstCaseFinalitySeconds(120, 30, 4, 2)).to.equal(120 + 10 * 30);
    expect(worstCaseFinalitySeconds(86_400, 3600, 1, 1)).to.equal(86_400 + 4 * 3600);
  });

  it("decodes the module's revert reasons (bubbled up through the hub)", () => {
    const game = new Contract(ZeroAddress, loadArtifact('DataAvailabilityGame').abi);
    const hub = new Contract(ZeroAddress, loadArtifact('Hub').abi);
    const data = game.interface.encodeErrorResult('DeadlinePassed', [1_700_000_000n]);
    expect(revertReason({ data, shortMessage: 'execution reverted' }, game, hub)).to.equal(
      'DeadlinePassed(1700000000)',
    );
    expect(revertReason({ info: { error: { data } } }, game, hub)).to.equal('DeadlinePassed(1700000000)');
    expect(revertReason({ shortMessage: 'could not coalesce error' }, game, hub)).to.equal('could not coalesce error');
  });

  it("takes a served commitment as the claim's data only when its tree hashes to the root on chain", () => {
    const frames = (tag: string) =>
      [0, 1].map((i) =>
        Buffer.from(
          JSON.stringify(
            {
              interval: 8 + i,
              slots: [null, null],
              state: emptyState(2).map((x) => ({ ...x, net: tag === 'b' && i === 1 ? '7' : '0' })),
            },
            (_k, v) => (typeof v === 'bigint' ? v.toString() : v),
          ),
        ),
      );
    // An auction community: its leaves' entries roots are zero by rule.
    const auction = { kind: MarketKind.Auction, gridBuyPrice: 250n, gridSellPrice: 100n, feederCapacityWh: 0n };
    const layout = { owners: [0, 1], participants: 2, paramsAt: () => auction };
    const empty = readingsTree(layout, [undefined, undefined]);
    const root = (tag: string) =>
      commitWindow(
        [0, 1].map((i) => ({
          interval: 8 + i,
          readingsRoot: empty.root,
          energyHash: empty.energyHash,
          stateHash: stateHash(emptyState(2).map((x) => ({ ...x, net: tag === 'b' && i === 1 ? 7n : 0n }))),
          entriesRoot: ZeroHash,
        })),
      ).windowRoot;
    const garbage = [Buffer.from('{not json')];
    expect(servedTree(layout, [garbage, frames('a'), frames('b')], root('b'))?.windowRoot).to.equal(root('b'));
    expect(servedTree(layout, [garbage, frames('a')], root('b'))).to.equal(undefined);
    expect(servedTree(layout, [], root('a'))).to.equal(undefined);
  });

  it('challenges a claim whose data is not served after f·P plus its turn, one turn before P ends at the latest', () => {
    const loop = (participantIndex: number, availabilityFraction: number) =>
      new GameLoop({ ...defaultGameOptions, availabilityFraction }, {
        community: { participants: ['a', 'b', 'c', 'd'], challengePeriod: 1000 } as unknown as CommunityInfo,
        participantIndex,
        takeoverSeconds: 30,
      } as unknown as GameLoopModules);
    const rec = { submittedAt: 10_000 };
    expect(loop(0, 0.25).challengeDue(0, rec)).to.equal(10_250); // rank 0 in window 0
    expect(loop(2, 0.25).challengeDue(0, rec)).to.equal(10_250 + 2 * 30);
    expect(loop(2, 0.25).challengeDue(1, rec)).to.equal(10_250 + 30); // the rotation moves by window
    expect(loop(-1, 0.25).challengeDue(0, rec)).to.equal(10_250 + 4 * 30); // an outsider after every participant
    expect(loop(3, 0.99).challengeDue(0, rec)).to.equal(10_000 + 1000 - 30); // never past P − one turn
  });

  it("an opened leaf whose readings are ours but whose state is not F of them gives the bad-step proof the claimant's data would", () => {
    const W8 = 8;
    const mmr = { kind: MarketKind.Mmr, gridBuyPrice: 250n, gridSellPrice: 100n, feederCapacityWh: 0n };
    const layout2 = { owners: [0, 1], participants: 2, paramsAt: () => mmr };
    const slots = Array.from({ length: W8 }, () => [undefined, undefined]);
    const states = (lieAt?: number) =>
      Array.from({ length: W8 }, (_, i) =>
        emptyState(2).map((x, p) => ({
          ...x,
          exportWh: BigInt(i * 10 + p),
          net: i === lieAt ? BigInt(2 * p - 1) : 0n,
        })),
      );
    const ours = claimFromServed(layout2, 16, slots, states());
    for (const lie of [0, 5, 7]) {
      const theirs = claimFromServed(layout2, 16, slots, states(lie));
      // The game: the claimant reveals, we pick where the claim departs from ours.
      const revealed = new Map<number, { left: string; right: string }>();
      let g: GameState = {
        node: theirs.commitment.windowRoot,
        left: '',
        right: '',
        deadline: 0,
        index: 0,
        height: gameDepth(W8),
        phase: GamePhase.Reveal,
        bond: 0n,
        level: GameLevel.Window,
        position: 0,
      };
      while (g.height > 0) {
        const move = answerFrom(theirs.commitment, claim, challenger, g)!;
        revealed.set(g.height, { left: move.left!, right: move.right! });
        g = { ...g, left: move.left!, right: move.right!, phase: GamePhase.Pick };
        const side = pickSide(g, W8, ours.commitment.levels);
        g = {
          ...g,
          index: 2 * g.index + side,
          height: g.height - 1,
          node: side ? g.right : g.left,
          phase: GamePhase.Reveal,
        };
      }
      expect(g.index).to.equal(lie);
      const leafMove = answerFrom(theirs.commitment, claim, challenger, g)!;
      const leaf = {
        position: g.index,
        interval: leafMove.interval!,
        readingsRoot: leafMove.readingsRoot!,
        energyHash: leafMove.energyHash!,
        stateHash: leafMove.stateHash!,
        entriesRoot: leafMove.entriesRoot!,
      };
      const proof = stepProofFromGame(ours, theirs.commitment.windowRoot, revealed, leaf);
      expect(proof).to.equal(badStepProof(theirs, lie));
      // Not against an honest leaf, nor with a level missing, nor under another root.
      const honestLeaf = { ...leaf, stateHash: ours.commitment.intervals[lie].stateHash };
      expect(stepProofFromGame(ours, theirs.commitment.windowRoot, revealed, honestLeaf)).to.equal(undefined);
      const partial = new Map(revealed);
      partial.delete(1);
      expect(openedClaimView(ours, theirs.commitment.windowRoot, partial, leaf)).to.equal(undefined);
      expect(openedClaimView(ours, h('another root'), revealed, leaf)).to.equal(undefined);
    }
    // Other readings at the leaf: no step proof from our data (the meter level finds the fault).
    const otherReadings = claimFromServed(layout2, 16, slots, states(3));
    const leaf = { ...otherReadings.commitment.intervals[3], position: 3, readingsRoot: h('other readings') };
    expect(stepProofFromGame(ours, otherReadings.commitment.windowRoot, new Map(), leaf)).to.equal(undefined);
  });
});
