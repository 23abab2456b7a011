import { keccak256, toUtf8Bytes, ZeroHash } from 'ethers';
import {
  encodeGameMove,
  entryAnswerFrom,
  GameLevel,
  GamePhase,
  type GameState,
  meterAnswerFrom,
  publishFrom,
} from '../dispute/game.js';
import { claimedEntries, claimedTree, type EntryOpening } from '../window/disputeProof.js';
import { entryLeaf } from '../window/entries.js';
import { buildLevels, merkleProof } from '../window/merkle.js';
import { claimFromServed } from '../dispute/proofs.js';
import { meterKeyPair, signReading, type SignedReading } from '../reading/signature.js';
import { emptyState, MarketKind, type MarketParams, type ParticipantState, stateLevels } from '../window/state.js';
import { seedFor } from './readings.js';
import { flattenEntry } from './stepEntries.js';

/**
 * The game's `Publish`, `OpenEntry` and `OpenMeter` moves as TypeScript encodes them: a window of W = 5
 * intervals over M = 4 meters grouped by owner (participant 0 runs meters 0 and 1, participant 1 meter 2,
 * participant 2 meter 3; one absent slot) and N = 3 participants of an Mmr market, whose step t = 3 is
 * published — leaf 2 with its path, E_3 packed, no S_2 (empty bytes), entry N−1 of leaf 3 with its path —,
 * whose entry 1 is opened at the entries level with entry 0's opening and leaf 2's entry 1, and whose meter 1
 * is opened with meter 0's opening; each move's bytes (abi.encode(GameMove, PublishedStep), abi.encode(GameMove,
 * EntryReveal), abi.encode(GameMove, MeterReveal)) with their keccak256 (the StepPublished / EntryOpened /
 * MeterOpened event's dataHash). An entry is flat, 19 decimal numbers (`flattenEntry`, as stepEntries.json).
 * Forge rebuilds the bytes from the fields and replays the module's checks (leaf t−1 under the root, E_t's
 * hash, the entry openings under their entries roots, the meter leaf under the readingsRoot).
 */
export function gameVectors() {
  const M = 4;
  const N = 3;
  const owners = [0, 0, 1, 2];
  const W = 5;
  const window = 2;
  const firstInterval = window * W;
  const keys = Array.from({ length: M }, (_, m) => meterKeyPair(seedFor(`meter-${m}`)));
  const slots: (SignedReading | undefined)[][] = [];
  const states: ParticipantState[][] = [];
  for (let i = 0; i < W; i++) {
    const t = firstInterval + i;
    slots.push(
      Array.from({ length: M }, (_, m) =>
        (m + i) % 4 === 3
          ? undefined
          : signReading(
              {
                chainId: 31337n,
                hub: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
                communityId: 1n,
                meterIndex: m,
                interval: t,
                exportWh: (m * 37 + t * 11) % 300,
                importWh: (m * 53 + t * 7) % 200,
              },
              keys[m].secretKey,
            ),
      ),
    );
    // Any balanced state in range: the move only carries its packed bytes, the module only hashes them.
    const s = emptyState(N).map((x, p) => ({
      ...x,
      exportWh: BigInt(100 * i + p),
      importWh: BigInt(7 * i + 2 * p),
      gridBoughtWh: BigInt(i),
      net: p === 0 ? -BigInt(1000 * i + 1) : p === 1 ? BigInt(1000 * i + 1) : 0n,
    }));
    states.push(s);
  }
  // Mmr entries roots (any market but the auction gives non-zero ones: both twins must hash the same).
  const market: MarketParams = { kind: MarketKind.Mmr, gridBuyPrice: 250n, gridSellPrice: 100n, feederCapacityWh: 0n };
  const claimed = claimFromServed({ owners, participants: N, paramsAt: () => market }, firstInterval, slots, states);
  const t = 3;
  const claim = keccak256(toUtf8Bytes('claim'));
  const challenger = '0x00000000000000000000000000000000000000C1';
  const leaf = claimed.commitment.intervals[t];
  const game: GameState = {
    node: leaf.leaf,
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
  };
  const move = publishFrom(claimed, claim, challenger, game);
  if (!move?.step) throw new Error('game vectors: no publish move');
  const encoded = encodeGameMove(move);
  const k = 1;
  const tree = claimedTree(claimed, t);
  const open = meterAnswerFrom(claimed, claim, challenger, {
    ...game,
    node: tree.meterLeaves[k],
    index: k,
    phase: GamePhase.Reveal,
    level: GameLevel.Meter,
    position: t,
  });
  if (!open?.meter) throw new Error('game vectors: no OpenMeter move');
  const openEncoded = encodeGameMove(open);
  const j = 1;
  const entries = claimedEntries(claimed, t);
  const entryLevels = buildLevels(entries.map(entryLeaf));
  const stateTree = stateLevels(claimed.states[t]);
  const reveal = entryAnswerFrom(claimed, claim, challenger, {
    ...game,
    node: entryLevels[0][j],
    stateNode: stateTree[0][j],
    index: j,
    phase: GamePhase.Reveal,
    level: GameLevel.Entries,
    position: t,
  });
  if (!reveal?.entry) throw new Error('game vectors: no OpenEntry move');
  const revealEncoded = encodeGameMove(reveal);
  const dec = (xs: bigint[]) => xs.map(String);
  const entryOpening = (o: EntryOpening) => ({ entry: dec(flattenEntry(o.entry)), path: o.path });
  const opening = (o: {
    meterIndex: number;
    slotLeaf: string;
    accExportWh: bigint;
    accImportWh: bigint;
    path: string[];
  }) => ({
    meterIndex: o.meterIndex,
    slotLeaf: o.slotLeaf,
    accExportWh: o.accExportWh.toString(),
    accImportWh: o.accImportWh.toString(),
    path: o.path,
  });
  return {
    meters: M,
    participants: N,
    windowIntervals: W,
    windowRoot: claimed.commitment.windowRoot,
    claim,
    challenger,
    position: t,
    interval: leaf.interval,
    readingsRoot: leaf.readingsRoot,
    energyHash: leaf.energyHash,
    stateHash: leaf.stateHash,
    entriesRoot: leaf.entriesRoot,
    previous: move.step.previous,
    prevState: move.step.prevState,
    energy: move.step.energy,
    last: entryOpening(move.step.last),
    move: encoded,
    dataHash: keccak256(encoded),
    entry: {
      participant: j,
      leaf: entryLevels[0][j],
      path: merkleProof(entryLevels, j),
      stateLeaf: stateTree[0][j],
      statePath: merkleProof(stateTree, j),
      previousEntriesRoot: claimed.commitment.intervals[t - 1].entriesRoot,
      entry: dec(flattenEntry(reveal.entry.entry)),
      before: entryOpening(reveal.entry.before),
      previousEntry: entryOpening(reveal.entry.previousEntry),
      move: revealEncoded,
      dataHash: keccak256(revealEncoded),
    },
    meter: {
      meterIndex: k,
      owners,
      leaf: tree.meterLeaves[k],
      path: merkleProof(tree.levels, k),
      slot: open.meter.slot,
      accExportWh: open.meter.accExportWh.toString(),
      accImportWh: open.meter.accImportWh.toString(),
      previous: opening(open.meter.previous),
      move: openEncoded,
      dataHash: keccak256(openEncoded),
    },
  };
}
