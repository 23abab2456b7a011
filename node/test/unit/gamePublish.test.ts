import { expect } from 'chai';
import { Contract, concat, getBytes, hexlify, keccak256, toBeHex, ZeroAddress, ZeroHash, zeroPadValue } from 'ethers';
import { loadArtifact } from '../../src/chain/artifacts.js';
import { parseCallAsContract } from '../../src/chain/calldata.js';
import {
  claimantMove,
  decodeOpenEntryMove,
  decodeOpenMeterMove,
  decodePublishMove,
  encodeGameMove,
  entriesChain,
  GameAction,
  GameLevel,
  GamePhase,
  junkPaddingSide,
  meterAnswerFrom,
  offKindEntriesProof,
  pickFrom,
  publishFrom,
  siblingPath,
  type GameState,
} from '../../src/dispute/game.js';
import {
  buildCheapestProof,
  claimFromServed,
  DisputeKind,
  energyTarget,
  entryEnergyTarget,
  proofFromOpenedEntry,
  proofFromOpenedMeter,
  proofFromOpenedStep,
  rawSlotLeaf,
  type OpenedEntry,
  type OpenedMeter,
} from '../../src/dispute/proofs.js';
import { ByzantineMode, byzantineFold } from '../../src/node/byzantine.js';
import { MeterKeyRing } from '../../src/reading/meterKeys.js';
import { meterKeyPair, MeterScheme, signReading } from '../../src/reading/signature.js';
import { seedFor } from '../../src/vectors/readings.js';
import { assembleWindow } from '../../src/window/assemble.js';
import {
  commitTrees,
  commitWindow,
  windowEntriesRoots,
  meterLeaf,
  meterOpening,
  previousState,
  readingsTreeFrom,
  type ReadingsTree,
} from '../../src/window/commitment.js';
import {
  badEntryProof,
  badEntryProofOf,
  claimedEntries,
  claimedTree,
  energyAccumulationProof,
  entryEnergyProof,
  energyTotalProof,
  forgedReadingProof,
  intervalLeafProof,
  NO_ENTRY_OPENING,
  readingMismatchProof,
  signedSlot,
  stateEntryProof,
  type ClaimedWindow,
  type IntervalLeafProof,
} from '../../src/window/disputeProof.js';
import { entriesRoot, entryLeaf, stepEntries } from '../../src/window/entries.js';
import { stateEntryClaim } from '../../src/vectors/dispute.js';
import { energyHash, unpackEnergy } from '../../src/window/energy.js';
import { commitLayout, foldAndCommit, marketAt } from '../../src/window/fold.js';
import { emptyState, marketStepOfEnergy } from '../../src/window/market.js';
import {
  buildLevels,
  computeMerkleRoot,
  hashPair,
  merkleProof,
  treeDepth,
  verifyMerkleProof,
  ZERO_HASH,
} from '../../src/window/merkle.js';
import {
  MarketKind,
  packState,
  stateHash,
  tryStateHash,
  unpackState,
  type ParticipantState,
} from '../../src/window/state.js';
import { testCommunity } from '../utils/community.js';

/**
 * The game's `Publish` and meter level on the node's side: the claimant publishes S_{t−1} and E_t of the
 * opened step from the window it stored at signing, then answers the readings tree down to one meter
 * (`OpenMeter`); a challenger picks the leftmost meter leaf that differs from its own tree and builds the
 * ordinary fraud proofs from the game's data — the same bytes the full claimant data would give.
 */
describe('data-availability game: the published step and the meter level', () => {
  // N = 3 participants, M = 5 meters grouped by owner: participant 0 runs meters 0–1, 1 meter 2, 2 meters 3–4.
  const base = testCommunity(3);
  const owners = [0, 0, 1, 2, 2];
  const meterKeys = owners.map((_, i) => meterKeyPair(seedFor(`meter-${i}`)));
  const community = {
    ...base.community,
    meters: meterKeys.map((k, i) => ({
      index: i,
      publicKey: k.publicKey,
      scheme: MeterScheme.Ed25519,
      owner: owners[i],
    })),
  };
  const M = owners.length;
  const layout = commitLayout(community);
  const keys = new MeterKeyRing(community.meters);
  const readings = [];
  for (let t = 0; t < 4; t++) {
    for (let m = 0; m < M; m++) {
      if ((m + t) % 4 === 3) continue; // absent slots
      readings.push(
        signReading(
          {
            chainId: community.chainId,
            hub: community.hub,
            communityId: 1n,
            meterIndex: m,
            interval: t,
            exportWh: owners[m] === 0 ? 300 + m : 0,
            importWh: owners[m] === 0 ? 0 : 120 + m,
          },
          meterKeys[m].secretKey,
        ),
      );
    }
  }
  const assembled = assembleWindow(0, 4, M, readings, []);
  const honestFold = foldAndCommit(community, 0, assembled);
  const honest = claimFromServed(layout, 0, assembled.slots, honestFold.states);
  const claimOf = (mode: ByzantineMode): ClaimedWindow => {
    const b = byzantineFold(mode, community, 0, assembled);
    return claimFromServed(layout, 0, b.assembled.slots, b.folded.states);
  };
  /** A claim whose readings tree of interval t is `tamper`ed, S_t folded from its E_t (F itself right). */
  const energyClaim = (t: number, tamper: (tree: ReadingsTree) => ReadingsTree): ClaimedWindow => {
    const trees = assembled.slots.map((_row, i) => claimedTree(honest, i));
    trees[t] = tamper(trees[t]);
    const states = honest.states.map((s) => [...s]);
    const e = trees[t].energy;
    states[t] = marketStepOfEnergy(
      community.market,
      honest.states[t - 1],
      e.map((x) => x.exportWh),
      e.map((x) => x.importWh),
    );
    // The later states are not what the test is about: left as they are.
    return {
      ...honest,
      states,
      trees,
      commitment: commitTrees(
        0,
        trees,
        states.map((x) => stateHash(x)),
        windowEntriesRoots(
          honest.layout,
          0,
          states,
          trees.map((x) => x.energy),
        ),
      ),
    };
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
    level: GameLevel.Window,
    position: 0,
    stateNode: ZeroHash,
    stateLeft: ZeroHash,
    stateRight: ZeroHash,
    entriesRoot: ZeroHash,
    previousEntriesRoot: ZeroHash,
  });
  /** What a challenger has once the claimant published step t of `w`: the leaf with its path, the published data. */
  const opened = (w: ClaimedWindow, t: number) => {
    const move = publishFrom(w, claim, challenger, waiting(w, t))!;
    const encoded = encodeGameMove(move);
    const read = decodePublishMove(encoded, keccak256(encoded))!;
    return { leaf: intervalLeafProof(w, t), ...read.step };
  };
  /**
   * The meter level of step t of `theirs` played to its end: the claimant answers from its tree, the
   * challenger picks against `ours` (none: the left child). Returns what the challenger then holds.
   */
  const playMeters = (theirs: ClaimedWindow, t: number, ours?: ClaimedWindow, target?: number): OpenedMeter => {
    const tree = claimedTree(theirs, t);
    const revealed = new Map<number, { left: string; right: string }>();
    let g: GameState = {
      node: tree.root,
      left: '',
      right: '',
      deadline: 0,
      index: 0,
      height: treeDepth(M),
      phase: GamePhase.Reveal,
      bond: 0n,
      level: GameLevel.Meter,
      position: t,
      stateNode: ZeroHash,
      stateLeft: ZeroHash,
      stateRight: ZeroHash,
      entriesRoot: ZeroHash,
      previousEntriesRoot: ZeroHash,
    };
    while (g.height > 0) {
      const move = claimantMove(theirs, claim, challenger, g)!;
      expect(move.action).to.equal(GameAction.Reveal);
      // What the module checks: the children hash to the node.
      expect(hashPair(move.left!, move.right!)).to.equal(g.node);
      revealed.set(g.height, { left: move.left!, right: move.right! });
      g = { ...g, left: move.left!, right: move.right!, phase: GamePhase.Pick };
      const side = pickFrom(g, ours, undefined, target);
      g = {
        ...g,
        node: side ? g.right : g.left,
        index: 2 * g.index + side,
        height: g.height - 1,
        phase: GamePhase.Reveal,
      };
    }
    const move = claimantMove(theirs, claim, challenger, g)!;
    expect(move.action).to.equal(GameAction.OpenMeter);
    const encoded = encodeGameMove(move);
    const reveal = decodeOpenMeterMove(encoded, keccak256(encoded))!;
    expect(reveal).to.deep.equal(move.meter);
    return {
      leaf: intervalLeafProof(theirs, t),
      meter: g.index,
      slot: reveal.slot,
      acc: { exportWh: reveal.accExportWh, importWh: reveal.accImportWh },
      path: siblingPath(revealed, g.index, treeDepth(M))!,
      previous: g.index > 0 ? reveal.previous : undefined,
      energy: opened(theirs, t).energy,
    };
  };

  /**
   * The entries level of step t of `theirs` played to its end (Totals, Mmr): the claimant answers both trees
   * from its stored window, the challenger picks against chain*(T) built from `ours` (none: the left child).
   * Returns what the challenger then holds, and the revealed pairs hash to their nodes on the way (the module's
   * check).
   */
  const playEntries = (theirs: ClaimedWindow, t: number, ours?: ClaimedWindow): OpenedEntry => {
    const step = opened(theirs, t);
    const n = community.participants.length;
    const chain = ours
      ? entriesChain(
          marketAt(community, t),
          previousState(ours.layout, ours.states, t),
          unpackEnergy(getBytes(step.energy)),
          step.last.entry,
        )
      : undefined;
    const leaf = theirs.commitment.intervals[t];
    const entries = new Map<number, { left: string; right: string }>();
    const states = new Map<number, { left: string; right: string }>();
    let g: GameState = {
      ...waiting(theirs, t),
      node: leaf.entriesRoot,
      stateNode: leaf.stateHash,
      index: 0,
      height: treeDepth(n),
      phase: GamePhase.Reveal,
      level: GameLevel.Entries,
      position: t,
    };
    while (g.height > 0) {
      const move = claimantMove(theirs, claim, challenger, g)!;
      expect(move.action).to.equal(GameAction.Reveal);
      expect(hashPair(move.left!, move.right!)).to.equal(g.node);
      expect(hashPair(move.stateLeft!, move.stateRight!)).to.equal(g.stateNode);
      entries.set(g.height, { left: move.left!, right: move.right! });
      states.set(g.height, { left: move.stateLeft!, right: move.stateRight! });
      g = {
        ...g,
        left: move.left!,
        right: move.right!,
        stateLeft: move.stateLeft!,
        stateRight: move.stateRight!,
        phase: GamePhase.Pick,
      };
      const side = pickFrom(g, ours, { participants: n }, undefined, chain);
      g = {
        ...g,
        node: side ? g.right : g.left,
        stateNode: side ? g.stateRight : g.stateLeft,
        index: 2 * g.index + side,
        height: g.height - 1,
        phase: GamePhase.Reveal,
      };
    }
    const move = claimantMove(theirs, claim, challenger, g)!;
    expect(move.action).to.equal(GameAction.OpenEntry);
    const encoded = encodeGameMove(move);
    const reveal = decodeOpenEntryMove(encoded, keccak256(encoded))!;
    expect(reveal).to.deep.equal(move.entry);
    expect(entryLeaf(reveal.entry)).to.equal(g.node);
    const j = g.index;
    return {
      leaf: intervalLeafProof(theirs, t),
      previous: step.previous,
      energy: step.energy,
      last: step.last,
      participant: j,
      entry: { entry: reveal.entry, path: siblingPath(entries, j, treeDepth(n))! },
      before: reveal.before,
      previousEntry: reveal.previousEntry,
      stateLeaf: g.stateNode,
      statePath: siblingPath(states, j, treeDepth(n))!,
    };
  };

  it('publishes the opened step from the stored window: leaf t−1 with its path, E_t hashing to energyHash, entry N−1 (Mmr) or S_{t−1} (auction)', () => {
    for (const t of [0, 2, 3]) {
      const move = publishFrom(honest, claim, challenger, waiting(honest, t))!;
      expect(move.action).to.equal(GameAction.Publish);
      const leaf = honest.commitment.intervals[t];
      expect([move.interval, move.readingsRoot, move.energyHash, move.stateHash]).to.deep.equal([
        leaf.interval,
        leaf.readingsRoot,
        leaf.energyHash,
        leaf.stateHash,
      ]);
      const step = move.step!;
      expect(energyHash(getBytes(step.energy))).to.equal(leaf.energyHash);
      expect(getBytes(step.energy).length).to.equal(16 * 3);
      // Mmr: no S_{t−1}; entry N−1 (its sums are the totals) under the leaf's entries root by a depth(N) path.
      expect(step.prevState).to.equal('0x');
      expect(step.last.entry).to.deep.equal(claimedEntries(honest, t)[2]);
      expect(step.last.path).to.have.length(treeDepth(3));
      expect(verifyMerkleProof(leaf.entriesRoot, entryLeaf(step.last.entry), 2, step.last.path)).to.equal(true);
      if (t === 0) continue;
      const prev = honest.commitment.intervals[t - 1];
      expect(step.previous.position).to.equal(t - 1);
      expect(verifyMerkleProof(honest.commitment.windowRoot, prev.leaf, t - 1, step.previous.proof)).to.equal(true);
    }
    // The auction (no entries root): S_{t−1} packed, hashing to leaf t−1's stateHash; `last` not read (empty).
    const auction = { ...community.market, kind: MarketKind.Auction };
    const auctionClaim = claimFromServed({ ...layout, paramsAt: () => auction }, 0, assembled.slots, honestFold.states);
    const step = publishFrom(auctionClaim, claim, challenger, waiting(auctionClaim, 2))!.step!;
    expect(auctionClaim.commitment.intervals[2].entriesRoot).to.equal(ZeroHash);
    expect(stateHash(unpackState(getBytes(step.prevState), 3))).to.equal(
      auctionClaim.commitment.intervals[1].stateHash,
    );
    expect(step.last.path).to.deep.equal([]);
    expect(claimantMove(honest, claim, challenger, waiting(honest, 1))?.action).to.equal(GameAction.Publish);
    expect(publishFrom(honest, claim, challenger, { ...waiting(honest, 1), node: keccak256('0x02') })).to.equal(
      undefined,
    );
  });

  it('reads Publish and OpenMeter moves back only when they hash to the event’s dataHash and are that move', () => {
    const move = publishFrom(honest, claim, challenger, waiting(honest, 2))!;
    const encoded = encodeGameMove(move);
    const read = decodePublishMove(encoded, keccak256(encoded))!;
    expect(read.step).to.deep.equal(move.step);
    expect(decodePublishMove(encoded, keccak256('0x03'))).to.equal(undefined);
    expect(decodeOpenMeterMove(encoded)).to.equal(undefined);
    expect(decodePublishMove(encodeGameMove({ action: GameAction.Resolve, claim, challenger: ZeroAddress }))).to.equal(
      undefined,
    );
    expect(() => encodeGameMove({ ...move, step: undefined })).to.throw(/needs its step/);
    expect(() => encodeGameMove({ action: GameAction.OpenMeter, claim, challenger })).to.throw(/meter leaf/);
    expect(() => encodeGameMove({ action: GameAction.OpenEntry, claim, challenger })).to.throw(/needs its entry/);
    expect(decodeOpenEntryMove(encoded)).to.equal(undefined);
  });

  it('review s12 (F1): reads a Publish move whose E_t (16·N bytes) is laid out last and ends unpadded, as the module does', () => {
    // abi.decode follows each field's offset and asks no padding after the move's last byte: a byzantine
    // claimant may lay E_t's tail out after `last`'s and drop its padding, and the challenger must still read
    // E_t (ethers' strict decoder refused: "data out-of-bounds").
    const move = publishFrom(honest, claim, challenger, waiting(honest, 2))!;
    const canonical = getBytes(encodeGameMove(move));
    const word = (at: number) => Number(BigInt(hexlify(canonical.subarray(at, at + 32))));
    // The step's offset follows GameMove's 13 words; its head holds 4 offsets (previous, prevState, energy, last).
    const at = word(13 * 32);
    const [, , energyAt, lastAt] = [0, 1, 2, 3].map((i) => word(at + 32 * i));
    const energyTail = canonical.subarray(at + energyAt, at + lastAt);
    const lastTail = canonical.subarray(at + lastAt);
    const padding = 32 - ((16 * community.participants.length) % 32);
    expect(padding).to.equal(16);
    const head = Uint8Array.from(canonical.subarray(0, at + energyAt));
    head.set(getBytes(zeroPadValue(toBeHex(energyAt + lastTail.length), 32)), at + 64);
    head.set(getBytes(zeroPadValue(toBeHex(energyAt), 32)), at + 96);
    const swapped = hexlify(concat([head, lastTail, energyTail.subarray(0, energyTail.length - padding)]));
    const read = decodePublishMove(swapped, keccak256(swapped));
    expect(read?.step).to.deep.equal(move.step);
  });

  it('review s12 (F1): reads the move of a playGame calldata that ends unpadded (bytes past the move’s last field)', () => {
    // `DataAvailabilityGameTest.test_PublishInUnpaddedCalldataIsAccepted`: the hub and the module accept it.
    const hub = new Contract(ZeroAddress, loadArtifact('Hub').abi);
    const move = publishFrom(honest, claim, challenger, waiting(honest, 2))!;
    const sent = `${encodeGameMove(move)}0102030405`;
    const padded = getBytes(hub.interface.encodeFunctionData('playGame', [1n, 0, sent]));
    const calldata = hexlify(padded.subarray(0, padded.length - 27));
    expect(() => hub.interface.parseTransaction({ data: calldata })).to.throw(/data out-of-bounds/);
    const call = parseCallAsContract(hub.interface, calldata);
    expect(call?.name).to.equal('playGame');
    expect(call?.args[2]).to.equal(sent);
    expect(decodePublishMove(sent, keccak256(sent))?.step).to.deep.equal(move.step);
  });

  it('the claimant answers the meter level down to any meter: its leaf and meter k−1’s opening are under the readingsRoot', () => {
    const tree = claimedTree(honest, 2);
    const depth = treeDepth(M);
    for (let k = 0; k < M; k++) {
      let g: GameState = {
        node: tree.root,
        left: '',
        right: '',
        deadline: 0,
        index: 0,
        height: depth,
        phase: GamePhase.Reveal,
        bond: 0n,
        level: GameLevel.Meter,
        position: 2,
        stateNode: ZeroHash,
        stateLeft: ZeroHash,
        stateRight: ZeroHash,
        entriesRoot: ZeroHash,
        previousEntriesRoot: ZeroHash,
      };
      const revealed = new Map<number, { left: string; right: string }>();
      while (g.height > 0) {
        const move = meterAnswerFrom(honest, claim, challenger, g)!;
        revealed.set(g.height, { left: move.left!, right: move.right! });
        const side = (k >> (g.height - 1)) & 1;
        g = { ...g, node: side ? move.right! : move.left!, index: 2 * g.index + side, height: g.height - 1 };
      }
      const open = meterAnswerFrom(honest, claim, challenger, g)!;
      const r = open.meter!;
      const leaf = meterLeaf(rawSlotLeaf(r.slot), { exportWh: r.accExportWh, importWh: r.accImportWh });
      expect(leaf).to.equal(g.node);
      expect(computeMerkleRoot(leaf, k, siblingPath(revealed, k, depth)!)).to.equal(tree.root);
      if (k > 0) {
        const p = r.previous;
        expect(p.meterIndex).to.equal(k - 1);
        expect(p.path.length).to.equal(depth);
        const prevLeaf = meterLeaf(p.slotLeaf, { exportWh: p.accExportWh, importWh: p.accImportWh });
        expect(computeMerkleRoot(prevLeaf, k - 1, p.path)).to.equal(tree.root);
      }
    }
    // A node not in its tree (another claim): no answer.
    expect(
      meterAnswerFrom(honest, claim, challenger, {
        ...waiting(honest, 2),
        node: keccak256('0x04'),
        height: depth,
        index: 0,
        phase: GamePhase.Reveal,
        level: GameLevel.Meter,
        position: 2,
        stateNode: ZeroHash,
        stateLeft: ZeroHash,
        stateRight: ZeroHash,
        entriesRoot: ZeroHash,
        previousEntriesRoot: ZeroHash,
      }),
    ).to.equal(undefined);
  });

  it('an honest step and meter give no proof', () => {
    for (const t of [0, 1, 2, 3]) {
      expect(proofFromOpenedStep(community, opened(honest, t), claimedTree(honest, t))).to.equal(undefined);
      const meter = playMeters(honest, t, honest);
      expect(proofFromOpenedMeter(community, keys, meter, honest.slots[t][meter.meter])).to.equal(undefined);
    }
  });

  it('a wrong step over the right energies: the entries level goes down to the wrong participant and BadEntry is proven from the game', () => {
    const w = claimOf(ByzantineMode.WrongArithmetic);
    // Nothing from the publication: Mmr publishes no S_{t−1}, and E_t is right.
    expect(proofFromOpenedStep(community, opened(w, 2), claimedTree(honest, 2))).to.equal(undefined);
    // chain*(T) from our S_1 departs from the claim at participant 0, whose net the cheat moved.
    const entry = playEntries(w, 2, honest);
    expect(entry.participant).to.equal(0);
    const p = proofFromOpenedEntry(community, entry, claimedTree(honest, 2))!;
    expect(p.kind).to.equal(DisputeKind.BadEntry);
    // The same bytes as from the claimant's whole data, and as the disputer proves it from a served claim.
    expect(p.data).to.equal(badEntryProof(w, 2, 0));
    const served = buildCheapestProof(community, keys, w, w.commitment.intervals[3].stateHash, assembled.slots)!;
    expect(served.kind).to.equal(DisputeKind.BadEntry);
    expect(served.data).to.equal(badEntryProof(w, 2, 0));
    // No energy fault at j: the meter level has no entry target.
    expect(entryEnergyTarget(community, entry)).to.equal(undefined);
  });

  it('the claimant answers the entries level down to any entry: both trees’ children hash to their nodes, OpenEntry’s openings are under the roots', () => {
    const n = community.participants.length;
    const depth = treeDepth(n);
    for (const t of [0, 2]) {
      const leaf = honest.commitment.intervals[t];
      for (let j = 0; j < n; j++) {
        let g: GameState = {
          ...waiting(honest, t),
          node: leaf.entriesRoot,
          stateNode: leaf.stateHash,
          index: 0,
          height: depth,
          phase: GamePhase.Reveal,
          level: GameLevel.Entries,
          position: t,
        };
        while (g.height > 0) {
          const move = claimantMove(honest, claim, challenger, g)!;
          expect(hashPair(move.left!, move.right!)).to.equal(g.node);
          expect(hashPair(move.stateLeft!, move.stateRight!)).to.equal(g.stateNode);
          const side = (j >> (g.height - 1)) & 1;
          g = {
            ...g,
            node: side ? move.right! : move.left!,
            stateNode: side ? move.stateRight! : move.stateLeft!,
            index: 2 * g.index + side,
            height: g.height - 1,
          };
        }
        const r = claimantMove(honest, claim, challenger, g)!.entry!;
        expect(entryLeaf(r.entry)).to.equal(g.node);
        if (j > 0) {
          expect(r.before.path).to.have.length(depth);
          expect(verifyMerkleProof(leaf.entriesRoot, entryLeaf(r.before.entry), j - 1, r.before.path)).to.equal(true);
        } else expect(r.before.path).to.deep.equal([]);
        if (t > 0) {
          const prev = honest.commitment.intervals[t - 1].entriesRoot;
          expect(r.previousEntry.path).to.have.length(depth);
          expect(verifyMerkleProof(prev, entryLeaf(r.previousEntry.entry), j, r.previousEntry.path)).to.equal(true);
        } else expect(r.previousEntry.path).to.deep.equal([]);
      }
    }
    // Not our nodes (another claim's state tree): no answer.
    const leaf = honest.commitment.intervals[2];
    const atRoot: GameState = {
      ...waiting(honest, 2),
      node: leaf.entriesRoot,
      stateNode: keccak256('0x05'),
      height: depth,
      index: 0,
      phase: GamePhase.Reveal,
      level: GameLevel.Entries,
      position: 2,
    };
    expect(claimantMove(honest, claim, challenger, atRoot)).to.equal(undefined);
  });

  it('an honest step: the entries level goes left (chain*(T) is the claim) and entry 0 proves nothing', () => {
    const entry = playEntries(honest, 2, honest);
    expect(entry.participant).to.equal(0);
    expect(proofFromOpenedEntry(community, entry, claimedTree(honest, 2))).to.equal(undefined);
    // Without data of our own, left as well.
    expect(playEntries(honest, 3).participant).to.equal(0);
  });

  it('a state tree that is not its entries’ states: the entries level goes to the first such leaf and StateEntry is proven from the game', () => {
    const w = stateEntryClaim(honest, 2, 1, 2, 5n);
    const entry = playEntries(w, 2, honest);
    expect(entry.participant).to.equal(1);
    const p = proofFromOpenedEntry(community, entry, claimedTree(honest, 2))!;
    expect(p.kind).to.equal(DisputeKind.StateEntry);
    expect(p.data).to.equal(stateEntryProof(w, 2, 1));
  });

  it('an entry whose energy is not the published E_t[j]: the game goes down to j’s last meter and BadEnergy (Entry) is proven there', () => {
    // Participant 1 (meter 2) imports 9 Wh more in its entry than its meter's running sum; the entries and the
    // states are F's of that energy (so the judge accepts them), the flat E_t and the readings tree are honest.
    const t = 2;
    const e = claimedTree(honest, t).energy.map((x, j) => (j === 1 ? { ...x, importWh: x.importWh + 9n } : x));
    const es = stepEntries(community.market, honest.states[t - 1], e);
    const states = honest.states.map((s, i) => (i === t ? es.map((x) => x.state) : s));
    const intervals = honest.commitment.intervals.map((c, i) =>
      i === t ? { ...c, stateHash: stateHash(states[t]), entriesRoot: entriesRoot(es) } : c,
    );
    const w: ClaimedWindow = {
      ...honest,
      states,
      entries: honest.states.map((_, i) => (i === t ? es : i === t + 1 ? claimedEntries(honest, i) : undefined)),
      commitment: commitWindow(intervals),
    };
    const entry = playEntries(w, t, honest);
    expect(entry.participant).to.equal(1);
    // Nothing at the entry itself (the roots differ from ours: no meter sum to compare with).
    expect(proofFromOpenedEntry(community, entry)).to.equal(undefined);
    const target = entryEnergyTarget(community, entry);
    expect(target).to.equal(2);
    const meter = playMeters(w, t, honest, target);
    expect(meter.meter).to.equal(2);
    const p = proofFromOpenedMeter(
      community,
      keys,
      { ...meter, entry: { participant: 1, opening: entry.entry } },
      honest.slots[t][2],
    )!;
    expect(p.kind).to.equal(DisputeKind.BadEnergy);
    expect(p.data).to.equal(entryEnergyProof(w, t, 1));
    // With our own tree of the interval (the readings roots agree), at once from the opened entry.
    const q = proofFromOpenedEntry(community, entry, claimedTree(honest, t))!;
    expect(q.kind).to.equal(DisputeKind.BadEnergy);
    expect(q.data).to.equal(entryEnergyProof(w, t, 1));
  });

  it('a next state without an encoding (a net past int128) is a bad step, not a throw (twin of the verifier’s tryHash)', () => {
    // S_1 gives a participant who gains at step 2 a net just under int128's top; F takes it two past it. The
    // claimant commits as S_2 that state with the net wrapped to its low 128 bits: another state's hash.
    const t = 2;
    const honestOpened = opened(honest, t);
    const energy = unpackEnergy(getBytes(honestOpened.energy));
    const step = (prev: ParticipantState[]) =>
      marketStepOfEnergy(
        community.market,
        prev,
        energy.map((x) => x.exportWh),
        energy.map((x) => x.importWh),
      );
    const gains = step(emptyState(3)).map((s) => s.net);
    const j = gains.findIndex((g) => g >= 2n);
    expect(j, 'someone gains at least 2 at step 2').to.be.greaterThan(-1);
    const I128_MAX = (1n << 127n) - 1n;
    const top = I128_MAX - gains[j] + 2n;
    const prev = emptyState(3).map((s, i) => ({ ...s, net: i === j ? top : i === (j + 1) % 3 ? -top : 0n }));
    const next = step(prev);
    expect(next[j].net).to.equal(I128_MAX + 2n);
    expect(tryStateHash(next)).to.equal(undefined);
    const wrapped = next.map((s, i) => (i === j ? { ...s, net: BigInt.asIntN(128, s.net) } : s));
    // A leaf without entries root: S_{t−1} is published (the auction's publication), F judged over all of it.
    const p = proofFromOpenedStep(community, {
      ...honestOpened,
      prevState: hexlify(packState(prev)),
      leaf: { ...honestOpened.leaf, stateHash: stateHash(wrapped), entriesRoot: ZeroHash },
    });
    expect(p?.kind).to.equal(DisputeKind.BadStep);
  });

  it('a forged reading: the challenger descends to the leftmost differing meter and proves ForgedReading from the game', () => {
    const w = claimOf(ByzantineMode.ForgedAnswering);
    const meter = playMeters(w, 2, honest);
    expect(w.slots[2][meter.meter]).to.not.deep.equal(honest.slots[2][meter.meter]);
    const p = proofFromOpenedMeter(community, keys, meter, honest.slots[2][meter.meter])!;
    expect(p.kind).to.equal(DisputeKind.ForgedReading);
    expect(p.data).to.equal(forgedReadingProof(w, 2, meter.meter));
  });

  it('a slot that is no reading at all is forged too (opened bytes are taken as they are)', () => {
    const meter = playMeters(honest, 1, honest);
    const garbage = { ...meter, slot: { encoded: hexlify('0xdeadbeef'), signature: '0x' } };
    // Not under the readingsRoot any more: nothing is built from it.
    expect(proofFromOpenedMeter(community, keys, garbage, undefined)).to.equal(undefined);
  });

  it('a reading of ours left out: reading mismatch at the opened meter (when the omission rule lets us raise it)', () => {
    const w = claimOf(ByzantineMode.DroppedReading);
    const meter = playMeters(w, 2, honest);
    const mine = honest.slots[2][meter.meter]!;
    const p = proofFromOpenedMeter(community, keys, meter, mine)!;
    expect(p.kind).to.equal(DisputeKind.ReadingMismatch);
    expect(p.data).to.equal(readingMismatchProof(w, mine));
    // Meter of participant 0: not raisable by it when it did not sign the claim.
    expect(proofFromOpenedMeter(community, keys, meter, mine, { signers: 0b110n, disputer: 0 })).to.equal(undefined);
  });

  it('a wrong running sum: the game reaches that meter and BadEnergy (Accumulation) is proven from its data', () => {
    // Meter 1 (participant 0's second meter) at interval 2: 77 Wh more export than its base plus reading.
    const w = energyClaim(2, (tree) => {
      const acc = tree.acc.map((a, k) => (k === 1 ? { ...a, exportWh: a.exportWh + 77n } : a));
      return readingsTreeFrom(
        tree.slotLeaves,
        acc,
        tree.energy.map((x, j) => (j === 0 ? acc[1] : x)),
      );
    });
    // The published step is consistent (F of E_t is S_t): no proof at the window level.
    expect(proofFromOpenedStep(community, opened(w, 2), claimedTree(honest, 2))).to.equal(undefined);
    const meter = playMeters(w, 2, honest);
    expect(meter.meter).to.equal(1);
    const p = proofFromOpenedMeter(community, keys, meter, honest.slots[2][1])!;
    expect(p.kind).to.equal(DisputeKind.BadEnergy);
    expect(p.data).to.equal(energyAccumulationProof(w, 2, 1));
    // From the whole claim too (the served data, when some peer serves it): BadEnergy first, not BadStep.
    const all = buildCheapestProof(community, keys, w, w.commitment.intervals[3].stateHash, assembled.slots)!;
    expect(all.kind).to.equal(DisputeKind.BadEnergy);
    expect(all.data).to.equal(energyAccumulationProof(w, 2, 1));
  });

  it('a wrong E_t entry: BadEnergy (Total) from the published E_t and our own tree, when the readings roots agree', () => {
    const w = energyClaim(2, (tree) =>
      readingsTreeFrom(
        tree.slotLeaves,
        tree.acc,
        tree.energy.map((x, j) => (j === 1 ? { ...x, importWh: x.importWh + 9n } : x)),
      ),
    );
    expect(w.commitment.intervals[2].readingsRoot).to.equal(honest.commitment.intervals[2].readingsRoot);
    const step = opened(w, 2);
    expect(unpackEnergy(getBytes(step.energy))[1].importWh).to.equal(claimedTree(honest, 2).energy[1].importWh + 9n);
    const p = proofFromOpenedStep(community, step, claimedTree(honest, 2))!;
    expect(p.kind).to.equal(DisputeKind.BadEnergy);
    expect(p.data).to.equal(energyTotalProof(w, 2, 1));
    // Without our tree: at the meter level, once participant 1's last meter (2) is open, from its leaf and E_t.
    expect(proofFromOpenedStep(community, step)).to.equal(undefined);
    const tree = claimedTree(w, 2);
    const atTwo: OpenedMeter = {
      leaf: intervalLeafProof(w, 2),
      meter: 2,
      slot: signedSlot(w.slots[2][2]),
      acc: tree.acc[2],
      path: merkleProof(tree.levels, 2),
      previous: meterOpening(tree, 1),
      energy: step.energy,
    };
    const q = proofFromOpenedMeter(community, keys, atTwo, honest.slots[2][2])!;
    expect(q.kind).to.equal(DisputeKind.BadEnergy);
    expect(q.data).to.equal(energyTotalProof(w, 2, 1));
  });
  it('review 5, M1: junk in the readings tree’s padding does not hide a wrong E_t entry — the challenger goes down to the owner’s last meter', () => {
    // Participant 1's E_t entry +9 Wh import at interval 2, and a junk leaf at padding position 6 (M = 5, 8
    // leaves): every meter leaf is honest, but the root is not ours, so our own openings do not verify.
    const junk = keccak256('0x6a756e6b');
    const w = energyClaim(2, (tree) => {
      const wrong = readingsTreeFrom(
        tree.slotLeaves,
        tree.acc,
        tree.energy.map((x, j) => (j === 1 ? { ...x, importWh: x.importWh + 9n } : x)),
      );
      const levels = buildLevels([...wrong.meterLeaves, ZERO_HASH, junk]);
      return { ...wrong, levels, root: levels[levels.length - 1][0] };
    });
    const ours = claimedTree(honest, 2);
    expect(w.commitment.intervals[2].readingsRoot).to.not.equal(ours.root);
    const step = opened(w, 2);
    // Nothing provable from the published step with our tree: the roots differ.
    expect(proofFromOpenedStep(community, step, ours)).to.equal(undefined);
    // The leftmost-difference rule is led to the padding's side: right at the root ([4,8) differs), where the
    // claim's [6,8) is padding only and not the empty subtree. The pick into it wins the game at once (review 5,
    // M2: the module ends it ClaimantFaulted) before any meter is opened; before, the rule went left and ended
    // on honest meter 4 with no proof.
    const theirs = claimedTree(w, 2);
    const atRoot: GameState = {
      node: theirs.root,
      left: theirs.levels[2][0],
      right: theirs.levels[2][1],
      deadline: 0,
      index: 0,
      height: 3,
      phase: GamePhase.Pick,
      bond: 0n,
      level: GameLevel.Meter,
      position: 2,
      stateNode: ZeroHash,
      stateLeft: ZeroHash,
      stateRight: ZeroHash,
      entriesRoot: ZeroHash,
      previousEntriesRoot: ZeroHash,
    };
    expect(junkPaddingSide(atRoot, M)).to.equal(undefined);
    expect(pickFrom(atRoot, honest)).to.equal(1);
    const atRight: GameState = {
      ...atRoot,
      index: 1,
      height: 2,
      left: theirs.levels[1][2],
      right: theirs.levels[1][3],
    };
    expect(junkPaddingSide(atRight, M)).to.equal(1);
    expect(pickFrom(atRight, honest)).to.equal(1);
    expect(pickFrom(atRight, undefined, { meters: M })).to.equal(1);
    // With the E_t target: participant 1's last meter (2), whose opening proves BadEnergy (Total).
    const target = energyTarget(community, step.energy, ours);
    expect(target).to.equal(2);
    const reached = playMeters(w, 2, honest, target);
    expect(reached.meter).to.equal(2);
    const p = proofFromOpenedMeter(community, keys, reached, honest.slots[2][2])!;
    expect(p.kind).to.equal(DisputeKind.BadEnergy);
    expect(p.data).to.equal(energyTotalProof(w, 2, 1));
    // An E_t that agrees with ours gives no target (the leftmost differing meter leaf is then the rule).
    expect(energyTarget(community, opened(honest, 2).energy, ours)).to.equal(undefined);
  });
  it('a participant with no meter whose E_t entry is not zero: BadEnergy (Total) from the published E_t alone, whatever the roots', () => {
    // The same readings, a fourth participant with no meter (its E_t entry is zero in every honest step; its
    // boundary is M = 5). The claim exports 40 Wh for it at interval 2 (F folded on that E_t: BadStep proves
    // nothing) under a readings tree with junk in its padding, so no readingsRoot of ours is the claim's.
    const extra = '0x00000000000000000000000000000000000000e4';
    const c4 = { ...community, participants: [...community.participants, extra] };
    const layout4 = commitLayout(c4);
    const honest4 = claimFromServed(layout4, 0, assembled.slots, foldAndCommit(c4, 0, assembled).states);
    const trees = assembled.slots.map((_row, i) => claimedTree(honest4, i));
    const right = trees[2];
    expect(right.energy[3]).to.deep.equal({ exportWh: 0n, importWh: 0n });
    const wrong = readingsTreeFrom(
      right.slotLeaves,
      right.acc,
      right.energy.map((x, j) => (j === 3 ? { ...x, exportWh: 40n } : x)),
    );
    const levels = buildLevels([...wrong.meterLeaves, ZERO_HASH, keccak256('0x6a756e6b')]);
    trees[2] = { ...wrong, levels, root: levels[levels.length - 1][0] };
    const states = honest4.states.map((s) => [...s]);
    states[2] = marketStepOfEnergy(
      c4.market,
      states[1],
      trees[2].energy.map((x) => x.exportWh),
      trees[2].energy.map((x) => x.importWh),
    );
    const w: ClaimedWindow = {
      ...honest4,
      states,
      trees,
      commitment: commitTrees(
        0,
        trees,
        states.map((x) => stateHash(x)),
        windowEntriesRoots(
          honest4.layout,
          0,
          states,
          trees.map((x) => x.energy),
        ),
      ),
    };
    const move = publishFrom(w, claim, challenger, waiting(w, 2))!;
    const encoded = encodeGameMove(move);
    const step = { leaf: intervalLeafProof(w, 2), ...decodePublishMove(encoded, keccak256(encoded))!.step };
    const ours = claimedTree(honest4, 2);
    expect(step.leaf.readingsRoot).to.not.equal(ours.root);
    // With our tree or without one: the proof names participant 3 at index M, no opening, from E_t alone.
    for (const own of [ours, undefined]) {
      const p = proofFromOpenedStep(c4, step, own)!;
      expect(p.kind).to.equal(DisputeKind.BadEnergy);
      expect(p.data).to.equal(energyTotalProof(w, 2, 3));
    }
    // No meter to go down to: the E_t target stays with the participants that have meters.
    expect(energyTarget(c4, step.energy, ours)).to.equal(undefined);
    // An honest step gives no proof.
    const fair = publishFrom(honest4, claim, challenger, waiting(honest4, 2))!;
    const fairEncoded = encodeGameMove(fair);
    const fairStep = {
      leaf: intervalLeafProof(honest4, 2),
      ...decodePublishMove(fairEncoded, keccak256(fairEncoded))!.step,
    };
    expect(proofFromOpenedStep(c4, fairStep, ours)).to.equal(undefined);
  });
});

describe('an opened leaf whose entries root is off the market kind (review s19)', () => {
  const leaf = (entriesRoot: string): IntervalLeafProof => ({
    position: 5,
    interval: 5,
    readingsRoot: keccak256('0x01'),
    energyHash: keccak256('0x02'),
    stateHash: keccak256('0x03'),
    entriesRoot,
    proof: [keccak256('0x04'), keccak256('0x05')],
  });

  it('a zero root in a Totals or Mmr community, a root in an auction community: BadEntry from the leaf alone', () => {
    for (const kind of [MarketKind.Totals, MarketKind.Mmr]) {
      const data = offKindEntriesProof(kind, leaf(ZeroHash));
      expect(data).to.equal(
        badEntryProofOf({ participant: 0, current: leaf(ZeroHash), entry: NO_ENTRY_OPENING }),
        MarketKind[kind],
      );
    }
    expect(offKindEntriesProof(MarketKind.Auction, leaf(keccak256('0x06')))).to.not.equal(undefined);
  });

  it('a root that fits the kind proves nothing here', () => {
    expect(offKindEntriesProof(MarketKind.Mmr, leaf(keccak256('0x06')))).to.equal(undefined);
    expect(offKindEntriesProof(MarketKind.Totals, leaf(keccak256('0x06')))).to.equal(undefined);
    expect(offKindEntriesProof(MarketKind.Auction, leaf(ZeroHash))).to.equal(undefined);
  });
});
