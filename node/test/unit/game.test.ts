import { expect } from 'chai';
import { AbiCoder, Contract, Wallet, ZeroAddress, ZeroHash, keccak256, toUtf8Bytes } from 'ethers';
import { loadArtifact } from '../../src/chain/artifacts.js';
import type { CommunityInfo } from '../../src/community/types.js';
import { GameLoop, defaultGameOptions, type GameLoopModules } from '../../src/dispute/gameLoop.js';
import { servedTree } from '../../src/dispute/gameDesk.js';
import { commitWindow, intervalLeaf, intervalProof, readingsTree } from '../../src/window/commitment.js';
import { buildLevels, emptySubtreeRoot, hashPair, verifyMerkleProof, ZERO_HASH } from '../../src/window/merkle.js';
import { emptyState, MarketKind, stateHash, stateLeaf, stateLevels } from '../../src/window/state.js';
import { claimFromServed } from '../../src/dispute/proofs.js';
import { badStepProof, entryOpening, NO_ENTRY_OPENING } from '../../src/window/disputeProof.js';
import { entryLeaf, stepEntries } from '../../src/window/entries.js';
import {
  GameAction,
  GameLevel,
  GamePhase,
  answerFrom,
  decodeOpenEntryMove,
  encodeGameMove,
  entriesChain,
  entriesPickSide,
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

  it('encodes a move as abi.encode(GameMove) (13 words: the leaf preimage, then the state tree’s children at the entries level)', () => {
    const data = encodeGameMove({
      action: GameAction.Reveal,
      claim,
      challenger,
      side: 1,
      energyHash: h('e'),
      stateLeft: h('sl'),
      stateRight: h('sr'),
    });
    expect((data.length - 2) / 64).to.equal(13);
    const [m] = AbiCoder.defaultAbiCoder().decode(
      ['tuple(uint8,bytes32,address,bytes32,bytes32,uint32,bytes32,bytes32,bytes32,bytes32,uint8,bytes32,bytes32)'],
      data,
    );
    expect(Number(m[0])).to.equal(GameAction.Reveal);
    expect(m[1]).to.equal(claim);
    expect(m[2]).to.equal(challenger);
    expect(m[7]).to.equal(h('e'));
    expect(m[9]).to.equal(ZeroHash);
    expect(Number(m[10])).to.equal(1);
    expect([m[11], m[12]]).to.deep.equal([h('sl'), h('sr')]);
    expect(GameAction.OpenEntry).to.equal(6);
    expect(GameLevel.Entries).to.equal(2);
  });

  it('OpenEntry: abi.encode(GameMove, EntryReveal) read back as it was sent, and only against its event’s hash', () => {
    const mmr = { kind: MarketKind.Mmr, gridBuyPrice: 250n, gridSellPrice: 100n, feederCapacityWh: 0n };
    const es = stepEntries(mmr, emptyState(3), [
      { exportWh: 50n, importWh: 0n },
      { exportWh: 0n, importWh: 70n },
      { exportWh: 9n, importWh: 1n },
    ]);
    // A net below zero, sums of every side, and an opening left empty (entry 0 has no entry before it).
    const entry = { ...es[0], state: { ...es[0].state, net: -12345n } };
    for (const reveal of [
      { entry, before: NO_ENTRY_OPENING, previousEntry: entryOpening(es, 0) },
      { entry: es[2], before: entryOpening(es, 1), previousEntry: NO_ENTRY_OPENING },
    ]) {
      const move = encodeGameMove({ action: GameAction.OpenEntry, claim, challenger, entry: reveal });
      expect(decodeOpenEntryMove(move, keccak256(move))).to.deep.equal(reveal);
      expect(decodeOpenEntryMove(move, h('another move'))).to.equal(undefined);
    }
    expect(decodeOpenEntryMove(encodeGameMove({ action: GameAction.Resolve, claim, challenger }))).to.equal(undefined);
  });

  it('the challenger’s pick at the entries level: junk in either tree’s padding, else where the claim departs from chain*(T), else left', () => {
    const mmr = { kind: MarketKind.Mmr, gridBuyPrice: 250n, gridSellPrice: 100n, feederCapacityWh: 0n };
    const energy = [
      { exportWh: 50n, importWh: 0n },
      { exportWh: 0n, importWh: 70n },
      { exportWh: 9n, importWh: 1n },
      { exportWh: 0n, importWh: 4n },
      { exportWh: 30n, importWh: 0n },
    ];
    const prev = emptyState(5);
    const es = stepEntries(mmr, prev, energy);
    const chain = entriesChain(mmr, prev, energy, es[4]);
    expect(chain.known).to.equal(5);
    const entries = buildLevels(es.map(entryLeaf));
    const states = stateLevels(es.map((e) => e.state));
    expect(chain.entries).to.deep.equal(entries);
    expect(chain.states).to.deep.equal(states);
    // N = 5 of 8: at the root (height 3), [0,4) and [4,8).
    const at = (height: number, index: number, e = entries, st = states): GameState => ({
      node: e[height][index],
      left: e[height - 1][2 * index],
      right: e[height - 1][2 * index + 1],
      deadline: 0,
      index,
      height,
      phase: GamePhase.Pick,
      bond: 0n,
      level: GameLevel.Entries,
      position: 1,
      stateNode: st[height][index],
      stateLeft: st[height - 1][2 * index],
      stateRight: st[height - 1][2 * index + 1],
      entriesRoot: e[e.length - 1][0],
      previousEntriesRoot: ZeroHash,
    });
    // The honest claim: nothing differs, left; never into padding only ([6,8) at height 2, index 1: left).
    expect(entriesPickSide(at(3, 0), 5, chain)).to.equal(0);
    expect(entriesPickSide(at(2, 1), 5, chain)).to.equal(0);
    // A state leaf 4 that is not the entry's: the state child differs on the right.
    const lying = stateLevels(es.map((e, j) => (j === 4 ? { ...e.state, net: e.state.net + 1n } : e.state)));
    expect(entriesPickSide(at(3, 0, entries, lying), 5, chain)).to.equal(1);
    // Entry 2 other than chain*'s: left at the root, right below.
    const other = buildLevels(es.map((e, j) => entryLeaf(j === 2 ? { ...e, sell: { ...e.sell, floors: 7n } } : e)));
    expect(entriesPickSide(at(3, 0, other), 5, chain)).to.equal(0);
    expect(entriesPickSide(at(2, 0, other), 5, chain)).to.equal(1);
    // A chain that stops at entry 3 (the judge accepts none there): every subtree over [3,5) differs.
    const short = { ...chain, known: 3 };
    expect(entriesPickSide(at(2, 0), 5, short)).to.equal(1);
    expect(entriesPickSide(at(1, 2), 5, short)).to.equal(0);
    // Junk in the state tree's padding (entries padding empty): picked, it wins the game; empty padding never.
    const junkStates = buildLevels([...es.map((e) => stateLeaf(e.state)), ZERO_HASH, h('junk'), ZERO_HASH]);
    expect(junkPaddingSide(at(2, 1, entries, junkStates), 5)).to.equal(1);
    expect(entriesPickSide(at(2, 1, entries, junkStates), 5, chain)).to.equal(1);
    expect(pickFrom(at(2, 1, entries, junkStates), undefined, { participants: 5 })).to.equal(1);
    expect(junkPaddingSide(at(2, 1), 5)).to.equal(undefined);
    // Without a chain (no data of our own): left.
    expect(entriesPickSide(at(3, 0, entries, lying), 5)).to.equal(0);
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
      stateNode: ZeroHash,
      stateLeft: ZeroHash,
      stateRight: ZeroHash,
      entriesRoot: ZeroHash,
      previousEntriesRoot: ZeroHash,
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
      stateNode: ZeroHash,
      stateLeft: ZeroHash,
      stateRight: ZeroHash,
      entriesRoot: ZeroHash,
      previousEntriesRoot: ZeroHash,
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
    stateNode: ZeroHash,
    stateLeft: ZeroHash,
    stateRight: ZeroHash,
    entriesRoot: ZeroHash,
    previousEntriesRoot: ZeroHash,
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
        stateNode: ZeroHash,
        stateLeft: ZeroHash,
        stateRight: ZeroHash,
        entriesRoot: ZeroHash,
        previousEntriesRoot: ZeroHash,
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

  it('worst-case time to finality under a challenger that plays every round: P + (2·depth(W) + 2·depth(N) + 2·depth(M) + 5)·D, the auction P + (2·depth(W) + 2·depth(M) + 4)·D', () => {
    // The auction (no entries level).
    expect(worstCaseFinalitySeconds(3600, 3600, 96, 1000)).to.equal(3600 + 38 * 3600); // depth(96) = 7, depth(1000) = 10
    expect(worstCaseFinalitySeconds(3600, 3600, 96, 10)).to.equal(3600 + 26 * 3600); // depth(10) = 4
    expect(worstCaseFinalitySeconds(120, 30, 4, 2)).to.equal(120 + 10 * 30);
    expect(worstCaseFinalitySeconds(86_400, 3600, 1, 1)).to.equal(86_400 + 4 * 3600);
    // Totals and Mmr: the entries level adds depth(N) reveals and picks and the entry's opening.
    expect(worstCaseFinalitySeconds(3600, 3600, 96, 1000, 1000)).to.equal(3600 + 59 * 3600);
    expect(worstCaseFinalitySeconds(3600, 3600, 96, 10, 10)).to.equal(3600 + 35 * 3600);
    expect(worstCaseFinalitySeconds(120, 30, 4, 4, 3)).to.equal(120 + (4 + 4 + 4 + 5) * 30); // the e2e community
    expect(worstCaseFinalitySeconds(86_400, 3600, 1, 1, 1)).to.equal(86_400 + 5 * 3600);
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
        stateNode: ZeroHash,
        stateLeft: ZeroHash,
        stateRight: ZeroHash,
        entriesRoot: ZeroHash,
        previousEntriesRoot: ZeroHash,
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
