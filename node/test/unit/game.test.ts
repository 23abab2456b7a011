import { expect } from 'chai';
import { AbiCoder, Wallet, keccak256, toUtf8Bytes } from 'ethers';
import { commitWindow, intervalLeaf } from '../../src/window/commitment.js';
import { hashPair } from '../../src/window/merkle.js';
import {
  GameAction,
  GamePhase,
  answerFrom,
  encodeGameMove,
  gameDepth,
  pickSide,
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
      stateHash: h(`${tag}${p}`),
    })),
  );

describe('data-availability game (node side, DESIGN.md §5.4)', () => {
  const claim = h('claim');
  const challenger = Wallet.createRandom().address;

  it('encodes a move as abi.encode(GameMove)', () => {
    const data = encodeGameMove({ action: GameAction.Pick, claim, challenger, side: 1 });
    const [m] = AbiCoder.defaultAbiCoder().decode(
      ['tuple(uint8,bytes32,address,bytes32,bytes32,uint32,bytes32,bytes32,uint8)'],
      data,
    );
    expect(Number(m[0])).to.equal(GameAction.Pick);
    expect(m[1]).to.equal(claim);
    expect(m[2]).to.equal(challenger);
    expect(Number(m[8])).to.equal(1);
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
    expect(intervalLeaf(leaf.interval!, leaf.readingsRoot!, leaf.stateHash!)).to.equal(g.node);
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
    };
    expect(answerFrom(commitment('s'), claim, challenger, g)).to.equal(undefined);
  });

  it('the challenger descends where the claim departs from its own commitment, never into padding', () => {
    const ours = commitment('s');
    const theirs = commitWindow(ours.intervals.map((x, p) => (p === 90 ? { ...x, stateHash: h('lie') } : x)));
    let g: GameState = {
      node: theirs.windowRoot,
      left: '',
      right: '',
      deadline: 0,
      index: 0,
      height: 7,
      phase: GamePhase.Pick,
      bond: 0n,
    };
    while (g.height > 0) {
      const below = theirs.levels[g.height - 1];
      g = { ...g, left: below[2 * g.index], right: below[2 * g.index + 1] };
      const side = pickSide(g, W, ours);
      g = { ...g, index: 2 * g.index + side, height: g.height - 1, node: side ? g.right : g.left };
    }
    expect(g.index).to.equal(90);
    expect(g.node).to.equal(intervalLeaf(window * W + 90, theirs.intervals[90].readingsRoot, h('lie')));
    // Without data of its own: the left child, which always covers an interval.
    expect(pickSide({ ...g, height: 6, index: 1, left: h('a'), right: h('b') }, W)).to.equal(0);
  });
});
