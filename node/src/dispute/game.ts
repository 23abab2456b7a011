import { AbiCoder, Contract, ZeroAddress, ZeroHash, hexlify, keccak256, type ContractRunner } from 'ethers';
import { loadArtifact } from '../chain/artifacts.js';
import { decodeAsContract } from '../chain/calldata.js';
import { finishPendingSlash, isSlashPending, TX_TIMEOUT_MS } from '../chain/hubClient.js';
import type { Logger } from '../util/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import {
  buildLevels,
  emptySubtreeRoot,
  merkleProof,
  treeDepth,
  verifyMerkleProof,
  ZERO_HASH,
} from '../window/merkle.js';
import {
  badEntryProofOf,
  badStepProof,
  claimHash,
  claimedEntries,
  claimedTree,
  ENTRY_OPENING,
  entryOpening,
  entryOpeningOf,
  entryOpeningTuple,
  INTERVAL_PROOF,
  intervalLeafProof,
  METER_OPENING,
  NO_ENTRY_OPENING,
  NO_INTERVAL,
  noOpening,
  openingTuple,
  signedSlot,
  STEP_ENTRY,
  stepEntryOf,
  stepEntryTuple,
  type ClaimedWindow,
  type EntryOpening,
  type IntervalLeafProof,
} from '../window/disputeProof.js';
import { intervalLeaf, meterOpening, type MeterLeafOpening, type WindowCommitment } from '../window/commitment.js';
import { type Energy, packEnergy } from '../window/energy.js';
import { entriesUnderTotals, entryLeaf, type StepEntry } from '../window/entries.js';
import { MarketError } from '../window/errors.js';
import { packState, stateLeaf, stateLevels } from '../window/state.js';
import { MarketKind, type LimitPrices, type MarketParams, type ParticipantState } from '../window/state.js';
import type { Tariff } from '../window/tariff.js';

/**
 * The node's side of the data-availability game (DESIGN.md §5.4; twin of
 * contracts/src/types/Game.sol and contracts/src/modules/DataAvailabilityGame.sol; the node's play: §5.7): the move codec,
 * the claimant side's answers from the commitment a node stored when it signed, the challenger's
 * choice of side, and a player that sends the moves through `Hub.playGame`.
 */
export enum GameAction {
  Challenge = 0,
  Reveal = 1,
  Pick = 2,
  Resolve = 3,
  /**
   * The claimant side's move on the opened interval leaf (review R1): E_t in calldata, with S_{t−1} (the
   * auction) or entry N−1 of the leaf's entries tree (Totals, Mmr).
   */
  Publish = 4,
  /** The claimant side's last move, on the opened meter leaf: its slot, running sums and meter k−1's opening. */
  OpenMeter = 5,
  /** At height 0 of the entries level: entry j, entry j−1's opening and leaf t−1's entry j opening. */
  OpenEntry = 6,
}

export enum GamePhase {
  None = 0,
  Reveal = 1,
  Pick = 2,
  /** The interval leaf's preimage is revealed; the claimant side must publish the step's data. */
  Publish = 3,
  Opened = 4,
}

/**
 * Which tree a game walks: the window's interval leaves; after `Publish`, for Totals and Mmr, the interval's
 * entries tree beside its state tree (the entries level, down to one participant); then the interval's meter
 * leaves.
 */
export enum GameLevel {
  Window = 0,
  Meter = 1,
  Entries = 2,
}

/** A slot as committed, raw (hex); both empty = absent. A claimant may commit bytes that are no reading. */
export interface RawSlot {
  encoded: string;
  signature: string;
}

/**
 * `PublishedStep` (contracts/src/types/Game.sol): for t > 0 leaf t−1 with its path under the windowRoot, always
 * E_t packed (`packEnergy`), which hashes to the leaf's energyHash, and for the auction (entriesRoot 0) S_{t−1}
 * packed (`packState`; at t = 0 not read: zeros and empty bytes here); for Totals and Mmr no S_{t−1} (empty
 * bytes) but entry N−1 under the leaf's entries root (`last`, whose sums are the step's totals). No slots: the
 * game goes on at the entries level (Totals, Mmr) or the meter level (the auction).
 */
export interface PublishedStep {
  previous: IntervalLeafProof;
  prevState: string;
  energy: string;
  /** Entry N−1 with its depth(N) path (entriesRoot ≠ 0); not read for the auction (`NO_ENTRY_OPENING`). */
  last: EntryOpening;
}

/**
 * `EntryReveal` (contracts/src/types/Game.sol): at height 0 of the entries level, entry j (its leaf is the
 * node), entry j−1 under the leaf's entries root (j > 0) and entry j under leaf t−1's (t > 0), the openings
 * not read being `NO_ENTRY_OPENING`.
 */
export interface EntryReveal {
  entry: StepEntry;
  before: EntryOpening;
  previousEntry: EntryOpening;
}

/** `MeterReveal` (contracts/src/types/Game.sol): the opened meter leaf's preimage and meter k−1's opening. */
export interface MeterReveal {
  slot: RawSlot;
  accExportWh: bigint;
  accImportWh: bigint;
  /** Meter k−1's leaf under the readingsRoot (k > 0); not read at k = 0. */
  previous: MeterLeafOpening;
}

export interface GameMove {
  action: GameAction;
  /** claimHash(window, windowRoot, stateHash, balancesRoot). */
  claim: string;
  challenger: string;
  left?: string;
  right?: string;
  interval?: number;
  readingsRoot?: string;
  energyHash?: string;
  stateHash?: string;
  entriesRoot?: string;
  side?: number;
  /** Reveal at the entries level: the state tree's children at the same height and index. */
  stateLeft?: string;
  stateRight?: string;
  /**
   * Publish: the step's data (the leaf's preimage goes in interval, readingsRoot, energyHash, stateHash,
   * entriesRoot).
   */
  step?: PublishedStep;
  /** OpenMeter: the meter leaf's preimage. */
  meter?: MeterReveal;
  /** OpenEntry: entry j and its neighbours' openings. */
  entry?: EntryReveal;
}

/** A game's state as the module stores it (`IDataAvailabilityGame.Game`). */
export interface GameState {
  node: string;
  left: string;
  right: string;
  deadline: number;
  index: number;
  height: number;
  phase: GamePhase;
  bond: bigint;
  /** The tree walked (window, then entries level for Totals and Mmr, then meter level). */
  level: GameLevel;
  /** At the entries and meter levels: the opened interval leaf's position. */
  position: number;
  /** At the entries level: the state tree's node beside `node`, and its children revealed last. */
  stateNode: string;
  stateLeft: string;
  stateRight: string;
  /** The opened leaf's entries root, and leaf t−1's (set by `Publish`). */
  entriesRoot: string;
  previousEntriesRoot: string;
}

const GAME_MOVE =
  'tuple(uint8 action, bytes32 claim, address challenger, bytes32 left, bytes32 right, uint32 interval, bytes32 readingsRoot, bytes32 energyHash, bytes32 stateHash, bytes32 entriesRoot, uint8 side, bytes32 stateLeft, bytes32 stateRight)';
const coder = AbiCoder.defaultAbiCoder();

const PUBLISHED_STEP = `tuple(${INTERVAL_PROOF} previous, bytes prevState, bytes energy, ${ENTRY_OPENING} last)`;
const ENTRY_REVEAL = `tuple(${STEP_ENTRY} entry, ${ENTRY_OPENING} before, ${ENTRY_OPENING} previousEntry)`;
const METER_REVEAL = `tuple(tuple(bytes encoded, bytes signature) slot, uint64 accExportWh, uint64 accImportWh, ${METER_OPENING} previous)`;

/** The step of an opened leaf at position 0: nothing before it is published (S_{-1} is the empty state). */
export const NO_PREVIOUS: IntervalLeafProof = NO_INTERVAL;

/**
 * The `move` argument of `Hub.playGame`: abi.encode(GameMove), for `Publish` abi.encode(GameMove,
 * PublishedStep), for `OpenMeter` abi.encode(GameMove, MeterReveal), for `OpenEntry` abi.encode(GameMove,
 * EntryReveal).
 */
export function encodeGameMove(m: GameMove): string {
  const head = [
    m.action,
    m.claim,
    m.challenger,
    m.left ?? ZeroHash,
    m.right ?? ZeroHash,
    m.interval ?? 0,
    m.readingsRoot ?? ZeroHash,
    m.energyHash ?? ZeroHash,
    m.stateHash ?? ZeroHash,
    m.entriesRoot ?? ZeroHash,
    m.side ?? 0,
    m.stateLeft ?? ZeroHash,
    m.stateRight ?? ZeroHash,
  ];
  if (m.action === GameAction.Publish) {
    if (!m.step) throw new Error('a Publish move needs its step');
    const { previous, prevState, energy, last } = m.step;
    return coder.encode(
      [GAME_MOVE, PUBLISHED_STEP],
      [
        head,
        [
          [
            previous.position,
            previous.interval,
            previous.readingsRoot,
            previous.energyHash,
            previous.stateHash,
            previous.entriesRoot,
            previous.proof,
          ],
          prevState,
          energy,
          entryOpeningTuple(last),
        ],
      ],
    );
  }
  if (m.action === GameAction.OpenEntry) {
    if (!m.entry) throw new Error('an OpenEntry move needs its entry');
    const { entry, before, previousEntry } = m.entry;
    return coder.encode(
      [GAME_MOVE, ENTRY_REVEAL],
      [head, [stepEntryTuple(entry), entryOpeningTuple(before), entryOpeningTuple(previousEntry)]],
    );
  }
  if (m.action === GameAction.OpenMeter) {
    if (!m.meter) throw new Error('an OpenMeter move needs its meter leaf');
    const { slot, accExportWh, accImportWh, previous } = m.meter;
    return coder.encode(
      [GAME_MOVE, METER_REVEAL],
      [head, [[slot.encoded, slot.signature], accExportWh, accImportWh, openingTuple(previous)]],
    );
  }
  return coder.encode([GAME_MOVE], [head]);
}

const intervalProofOf = (p: {
  position: bigint;
  interval: bigint;
  readingsRoot: string;
  energyHash: string;
  stateHash: string;
  entriesRoot: string;
  proof: string[];
}): IntervalLeafProof => ({
  position: Number(p.position),
  interval: Number(p.interval),
  readingsRoot: p.readingsRoot,
  energyHash: p.energyHash,
  stateHash: p.stateHash,
  entriesRoot: p.entriesRoot,
  proof: [...p.proof],
});

/**
 * A `Publish` move read back from a transaction's `move` bytes, checked against the `StepPublished`
 * event's dataHash (= keccak256(move)); undefined when the bytes are not that move.
 */
export function decodePublishMove(
  move: string,
  dataHash?: string,
): { move: GameMove; step: PublishedStep } | undefined {
  if (dataHash !== undefined && keccak256(move).toLowerCase() !== dataHash.toLowerCase()) return undefined;
  try {
    const [head, step] = decodeAsContract([GAME_MOVE, PUBLISHED_STEP], move);
    if (Number(head.action) !== GameAction.Publish) return undefined;
    return {
      move: {
        action: GameAction.Publish,
        claim: head.claim,
        challenger: head.challenger,
        interval: Number(head.interval),
        readingsRoot: head.readingsRoot,
        energyHash: head.energyHash,
        stateHash: head.stateHash,
        entriesRoot: head.entriesRoot,
      },
      step: {
        previous: intervalProofOf(step.previous),
        prevState: step.prevState,
        energy: step.energy,
        last: entryOpeningOf(step.last),
      },
    };
  } catch {
    return undefined;
  }
}

/**
 * An `OpenMeter` move read back from a transaction's `move` bytes, checked against the `MeterOpened` event's
 * dataHash (= keccak256(move)); undefined when the bytes are not that move.
 */
export function decodeOpenMeterMove(move: string, dataHash?: string): MeterReveal | undefined {
  if (dataHash !== undefined && keccak256(move).toLowerCase() !== dataHash.toLowerCase()) return undefined;
  try {
    const [head, m] = decodeAsContract([GAME_MOVE, METER_REVEAL], move);
    if (Number(head.action) !== GameAction.OpenMeter) return undefined;
    const p = m.previous;
    return {
      slot: { encoded: m.slot.encoded, signature: m.slot.signature },
      accExportWh: BigInt(m.accExportWh),
      accImportWh: BigInt(m.accImportWh),
      previous: {
        meterIndex: Number(p.meterIndex),
        slotLeaf: p.slotLeaf,
        accExportWh: BigInt(p.accExportWh),
        accImportWh: BigInt(p.accImportWh),
        path: [...p.path],
      },
    };
  } catch {
    return undefined;
  }
}

/**
 * An `OpenEntry` move read back from a transaction's `move` bytes, checked against the `EntryOpened` event's
 * dataHash (= keccak256(move)); undefined when the bytes are not that move.
 */
export function decodeOpenEntryMove(move: string, dataHash?: string): EntryReveal | undefined {
  if (dataHash !== undefined && keccak256(move).toLowerCase() !== dataHash.toLowerCase()) return undefined;
  try {
    const [head, r] = decodeAsContract([GAME_MOVE, ENTRY_REVEAL], move);
    if (Number(head.action) !== GameAction.OpenEntry) return undefined;
    return {
      entry: stepEntryOf(r.entry),
      before: entryOpeningOf(r.before),
      previousEntry: entryOpeningOf(r.previousEntry),
    };
  } catch {
    return undefined;
  }
}

/** keccak256(abi.encode(communityId, claim, challenger)): the module's key of a game. */
export function gameId(communityId: bigint, claim: string, challenger: string): string {
  return keccak256(coder.encode(['uint64', 'bytes32', 'address'], [communityId, claim, challenger]));
}

/** Hub.claimHash; one home: `window/disputeProof.ts`. */
export { claimHash };

/**
 * The claimant side's answer to a game waiting for a reveal at the window level, from `commitment` (the
 * window's commitment as signed); undefined when the game's node is not in it (not the claim we hold, or
 * not our turn). Height h > 0: the children of node (h, index); height 0: the interval leaf's preimage.
 */
export function answerFrom(
  commitment: WindowCommitment,
  claim: string,
  challenger: string,
  game: GameState,
): GameMove | undefined {
  if (game.phase !== GamePhase.Reveal || game.level !== GameLevel.Window) return undefined;
  const { levels } = commitment;
  const level = levels[game.height];
  if (!level || level[game.index]?.toLowerCase() !== game.node.toLowerCase()) return undefined;
  if (game.height > 0) {
    const below = levels[game.height - 1];
    return {
      action: GameAction.Reveal,
      claim,
      challenger,
      left: below[2 * game.index],
      right: below[2 * game.index + 1],
    };
  }
  const leaf = commitment.intervals[game.index];
  if (!leaf) return undefined;
  return {
    action: GameAction.Reveal,
    claim,
    challenger,
    interval: leaf.interval,
    readingsRoot: leaf.readingsRoot,
    energyHash: leaf.energyHash,
    stateHash: leaf.stateHash,
    entriesRoot: leaf.entriesRoot,
  };
}

/**
 * The claimant side's answer at the meter level, from the readings tree of the opened interval as signed
 * (`claimedTree`: rebuilt from the stored slots, never from later data): the children of node (h, index), or
 * at height 0 `OpenMeter` with the meter leaf's slot, running sums and meter k−1's opening.
 */
export function meterAnswerFrom(
  claimed: ClaimedWindow,
  claim: string,
  challenger: string,
  game: GameState,
): GameMove | undefined {
  if (game.phase !== GamePhase.Reveal || game.level !== GameLevel.Meter) return undefined;
  const row = claimed.slots[game.position];
  if (!row) return undefined;
  const tree = claimedTree(claimed, game.position);
  const level = tree.levels[game.height];
  if (!level || level[game.index]?.toLowerCase() !== game.node.toLowerCase()) return undefined;
  if (game.height > 0) {
    const below = tree.levels[game.height - 1];
    return {
      action: GameAction.Reveal,
      claim,
      challenger,
      left: below[2 * game.index],
      right: below[2 * game.index + 1],
    };
  }
  const k = game.index;
  if (k >= row.length) return undefined;
  return {
    action: GameAction.OpenMeter,
    claim,
    challenger,
    meter: {
      slot: signedSlot(row[k]),
      accExportWh: tree.acc[k].exportWh,
      accImportWh: tree.acc[k].importWh,
      previous: k > 0 ? meterOpening(tree, k - 1) : noOpening(),
    },
  };
}

/**
 * The claimant side's answer at the entries level (Totals, Mmr), from the window as signed: the step entries
 * of the opened interval t (`claimedEntries`) and its state tree (`stateLevels` of the stored S_t), walked
 * side by side. Height h > 0: the children of node (h, index) in both trees; height 0: `OpenEntry` with entry
 * j, entry j−1's opening (j > 0) and entry j of leaf t−1's entries (t > 0), each with a depth(N) path.
 * Undefined when the game does not wait for it or either node is not ours.
 */
export function entryAnswerFrom(
  claimed: ClaimedWindow,
  claim: string,
  challenger: string,
  game: GameState,
): GameMove | undefined {
  if (game.phase !== GamePhase.Reveal || game.level !== GameLevel.Entries) return undefined;
  const t = game.position;
  const leaf = claimed.commitment.intervals[t];
  if (!leaf || leaf.entriesRoot === ZeroHash || !claimed.states[t]) return undefined;
  const entries = claimedEntries(claimed, t);
  const levels = buildLevels(entries.map(entryLeaf));
  const states = stateLevels(claimed.states[t]);
  const same = (tree: string[][], node: string) =>
    tree[game.height]?.[game.index]?.toLowerCase() === node.toLowerCase();
  if (!same(levels, game.node) || !same(states, game.stateNode)) return undefined;
  if (game.height > 0) {
    const [below, stateBelow] = [levels[game.height - 1], states[game.height - 1]];
    const i = 2 * game.index;
    return {
      action: GameAction.Reveal,
      claim,
      challenger,
      left: below[i],
      right: below[i + 1],
      stateLeft: stateBelow[i],
      stateRight: stateBelow[i + 1],
    };
  }
  const j = game.index;
  if (j >= entries.length) return undefined;
  return {
    action: GameAction.OpenEntry,
    claim,
    challenger,
    entry: {
      entry: entries[j],
      before: j > 0 ? entryOpening(entries, j - 1) : NO_ENTRY_OPENING,
      previousEntry: t > 0 ? entryOpening(claimedEntries(claimed, t - 1), j) : NO_ENTRY_OPENING,
    },
  };
}

/**
 * The claimant side's `Publish` of the revealed leaf, from `claimed` (the window as signed and stored:
 * its slots and states, never recomputed): for t > 0 leaf t−1 with its path, E_t packed, and for the auction
 * S_{t−1} packed (t > 0), for Totals and Mmr (entriesRoot ≠ 0) no S_{t−1} but entry N−1 with its path under
 * the leaf's entries root. Undefined when the game does not wait for it or the leaf is not ours.
 */
export function publishFrom(
  claimed: ClaimedWindow,
  claim: string,
  challenger: string,
  game: GameState,
): GameMove | undefined {
  if (game.phase !== GamePhase.Publish || game.height !== 0) return undefined;
  const t = game.index;
  const leaf = claimed.commitment.intervals[t];
  if (!leaf || leaf.leaf.toLowerCase() !== game.node.toLowerCase() || !claimed.slots[t]) return undefined;
  const entries = leaf.entriesRoot === ZeroHash ? undefined : claimedEntries(claimed, t);
  return {
    action: GameAction.Publish,
    claim,
    challenger,
    interval: leaf.interval,
    readingsRoot: leaf.readingsRoot,
    energyHash: leaf.energyHash,
    stateHash: leaf.stateHash,
    entriesRoot: leaf.entriesRoot,
    step: {
      previous: t > 0 ? intervalLeafProof(claimed, t - 1) : NO_PREVIOUS,
      prevState: t > 0 && !entries ? hexlify(packState(claimed.states[t - 1])) : '0x',
      energy: hexlify(packEnergy(claimedTree(claimed, t).energy)),
      last: entries ? entryOpening(entries, entries.length - 1) : NO_ENTRY_OPENING,
    },
  };
}

/**
 * The claimant side's move in a game waiting for it: a reveal, the step's publication, an entry's opening (with
 * the reveals of the entries level), or a meter's opening.
 */
export function claimantMove(
  claimed: ClaimedWindow,
  claim: string,
  challenger: string,
  game: GameState,
): GameMove | undefined {
  return (
    answerFrom(claimed.commitment, claim, challenger, game) ??
    publishFrom(claimed, claim, challenger, game) ??
    entryAnswerFrom(claimed, claim, challenger, game) ??
    meterAnswerFrom(claimed, claim, challenger, game)
  );
}

/**
 * The side of `game`'s revealed children that covers padding only (its first leaf ≥ `leaves`) but is not the
 * empty subtree of its height (`emptySubtreeRoot`): junk the claim's signers committed to — at the entries
 * level in the entries child or the state child. The module judges it at the pick: the game ends
 * `ClaimantFaulted`, the claim rejected and its signers slashed (review 5, M2). Undefined when there is none
 * (an honest tree's padding is empty, and a pick into it is refused).
 */
export function junkPaddingSide(game: GameState, leaves: number): number | undefined {
  if (game.height === 0) return undefined;
  const width = 2 ** (game.height - 1);
  const empty = emptySubtreeRoot(game.height - 1);
  for (const side of [0, 1]) {
    const children = side === 0 ? [game.left, game.stateLeft] : [game.right, game.stateRight];
    const walked = game.level === GameLevel.Entries ? children : children.slice(0, 1);
    if ((2 * game.index + side) * width >= leaves && walked.some((c) => c.toLowerCase() !== empty)) return side;
  }
  return undefined;
}

/**
 * The challenger's side after a reveal: a child over padding only that is not empty (`junkPaddingSide`: the
 * claim loses there at once); else the child that differs from our own tree (so the game ends on the
 * leftmost leaf where the claim departs from the honest one), else the left child, which always covers a
 * leaf (the module refuses empty subtrees of padding only). `leaves`: the leaves of the tree walked — W at
 * the window level, M at the meter level; `ours`: our levels of that tree (the window's, or our readings
 * tree of the opened interval).
 */
export function pickSide(game: GameState, leaves: number, ours?: readonly (readonly string[])[]): number {
  const junk = junkPaddingSide(game, leaves);
  if (junk !== undefined) return junk;
  const below = ours?.[game.height - 1];
  const firstRight = (2 * game.index + 1) * (1 << (game.height - 1));
  const rightAllowed = firstRight < leaves;
  if (below && below[2 * game.index]?.toLowerCase() !== game.left.toLowerCase()) return 0;
  if (below && rightAllowed && below[2 * game.index + 1]?.toLowerCase() !== game.right.toLowerCase()) return 1;
  return 0;
}

/** The sizes of the trees a game walks: W interval leaves, N entries, M meter leaves (`GameContext`). */
export interface GameTreeSizes {
  windowIntervals: number;
  participants: number;
  meters: number;
}

/**
 * What the challenger compares the entries level with (DESIGN.md §5.7): the entries tree over chain*(T)
 * (`entriesUnderTotals`) and the state tree over its states, as levels; `known` of their N leaves are chain*'s
 * (fewer where it stops: the claim's entry there is faulted whatever it holds, and every subtree over one of
 * the leaves [known, N) counts as differing).
 */
export interface EntriesChain {
  entries: string[][];
  states: string[][];
  known: number;
}

/**
 * chain*(T) as trees (`EntriesChain`), from S_{t−1} as we hold it (`prevStates`: leaf t−1 is ours, the window's
 * picks went to the leftmost leaf that differs), the published E_t and T = the published entry N−1, at the
 * interval's market `params`. A chain entry whose state or entry has no leaf (a net past int128) ends it there.
 */
export function entriesChain(
  params: MarketParams,
  prevStates: readonly ParticipantState[],
  energy: readonly Energy[],
  last: StepEntry,
): EntriesChain {
  const entries: string[] = [];
  const states: string[] = [];
  for (const e of entriesUnderTotals(params, prevStates, energy, last)) {
    try {
      const leaves = [entryLeaf(e), stateLeaf(e.state)];
      entries.push(leaves[0]);
      states.push(leaves[1]);
    } catch (err) {
      if (err instanceof MarketError) break;
      throw err;
    }
  }
  const known = entries.length;
  const unknown = Array<string>(energy.length - known).fill(ZERO_HASH);
  return { entries: buildLevels([...entries, ...unknown]), states: buildLevels([...states, ...unknown]), known };
}

/**
 * The challenger's pick at the entries level (DESIGN.md §5.7): junk padding first (either
 * tree, `junkPaddingSide`); then the leftmost child whose entries child differs from chain*(T)'s subtree or
 * whose state child differs from the state tree over chain*'s states (`chain`; a subtree over an entry chain*
 * does not reach counts as differing), never a child of padding only; else, and without a chain (no data of
 * our own, or T's totals refused: every entry is then faulted), the left child. `participants`: N.
 */
export function entriesPickSide(game: GameState, participants: number, chain?: EntriesChain): number {
  const junk = junkPaddingSide(game, participants);
  if (junk !== undefined) return junk;
  if (!chain) return 0;
  const h = game.height - 1;
  const width = 2 ** h;
  for (const side of [0, 1]) {
    const i = 2 * game.index + side;
    if (i * width >= participants) break;
    const [entries, states] = side === 0 ? [game.left, game.stateLeft] : [game.right, game.stateRight];
    // Over an entry chain* does not reach ([known, N)): differs.
    const unknown = chain.known < participants && chain.known < (i + 1) * width;
    if (unknown || chain.entries[h][i] !== entries.toLowerCase() || chain.states[h][i] !== states.toLowerCase())
      return side;
  }
  return 0;
}

/**
 * The challenger's pick in `game` against our own window `ours` (when we hold it): at the window level
 * against our window tree, at the entries level against chain*(T) (`chain`, `entriesPickSide`), at the meter
 * level against our readings tree of the opened interval. Junk padding first, at every level, with or without
 * our data (`junkPaddingSide`: it wins the game at once); then, at the meter level, the child on the path to
 * `target` (the last meter of a participant whose published E_t entry, or opened step entry, is wrong:
 * `energyTarget`, `entryEnergyTarget`); then the differing child. `sizes`: from the community (else from `ours`).
 */
export function pickFrom(
  game: GameState,
  ours?: ClaimedWindow,
  sizes?: Partial<GameTreeSizes>,
  target?: number,
  chain?: EntriesChain,
): number {
  if (game.level === GameLevel.Entries) {
    const participants = sizes?.participants ?? ours?.layout.participants;
    // Without N, any pick that covers an entry: the left child always does.
    return participants === undefined ? 0 : entriesPickSide(game, participants, chain);
  }
  if (game.level === GameLevel.Meter) {
    const meters = sizes?.meters ?? ours?.layout.owners.length;
    const junk = meters === undefined ? undefined : junkPaddingSide(game, meters);
    if (junk !== undefined) return junk;
    if (target !== undefined) return (target >> (game.height - 1)) & 1;
    const tree = ours?.slots[game.position] ? claimedTree(ours, game.position) : undefined;
    // Without our data, any pick that covers a meter: the left child always does.
    return meters === undefined ? 0 : pickSide(game, meters, tree?.levels);
  }
  const leaves = sizes?.windowIntervals ?? ours?.commitment.intervals.length ?? 1;
  return pickSide(game, leaves, ours?.commitment.levels);
}

/** The challenge bond of a community: the game module's `bondBps` of the participant bond (DataAvailabilityGame._challenge). */
export async function challengeBond(hub: Contract, game: Contract, communityId: bigint): Promise<bigint> {
  const [info, bps] = await Promise.all([hub.community(communityId), game.bondBps()]);
  return (BigInt(info.bond) * BigInt(bps)) / 10_000n;
}

/**
 * The sibling path (bottom up, as `merkleProof`) of the leaf at `position`, from the children the
 * claimant side revealed on the way down (`revealed`: height -> the pair revealed at that height);
 * undefined when a level is missing. With the leaf's preimage it is an IntervalProof under the
 * claim's windowRoot: what an opened game gives a fraud proof.
 */
export function siblingPath(
  revealed: ReadonlyMap<number, { left: string; right: string }>,
  position: number,
  depth: number,
): string[] | undefined {
  const proof: string[] = [];
  for (let h = 1; h <= depth; h++) {
    const pair = revealed.get(h);
    if (!pair) return undefined;
    proof.push((position >> (h - 1)) & 1 ? pair.left : pair.right);
  }
  return proof;
}

/**
 * The claim as far as an opened game shows it, completed with our own data: our window (slots,
 * states, tree) whose tree nodes on the opened leaf's path are replaced by the children the claimant
 * revealed, and whose leaf there is the claimant's. Sound only where it hashes to the claim's root:
 * returned only when the IntervalProofs of the opened leaf and of the one before it both verify
 * under `claimRoot` — then that earlier leaf (state S_{t-1}, what a bad step starts from) is the
 * claim's as well as ours. With the challenger's picks going to the leftmost leaf where the claim
 * departs from ours, every leaf left of the opened one is ours.
 */
export function openedClaimView(
  ours: ClaimedWindow,
  claimRoot: string,
  revealed: ReadonlyMap<number, { left: string; right: string }>,
  leaf: OpenedLeaf,
): ClaimedWindow | undefined {
  const { levels: ourLevels, intervals } = ours.commitment;
  const depth = ourLevels.length - 1;
  const t = leaf.position;
  if (t >= intervals.length || intervals[t].interval !== leaf.interval) return undefined;
  const levels = ourLevels.map((l) => [...l]);
  for (let h = 1; h <= depth; h++) {
    const pair = revealed.get(h);
    if (!pair) return undefined;
    const left = 2 * (t >> h);
    levels[h - 1][left] = pair.left;
    levels[h - 1][left + 1] = pair.right;
  }
  levels[depth] = [claimRoot];
  const opened = intervalLeaf(leaf.interval, leaf.readingsRoot, leaf.energyHash, leaf.stateHash, leaf.entriesRoot);
  const claimed = intervals.map((x, i) =>
    i === t
      ? {
          interval: leaf.interval,
          readingsRoot: leaf.readingsRoot,
          energyHash: leaf.energyHash,
          stateHash: leaf.stateHash,
          entriesRoot: leaf.entriesRoot,
          leaf: opened,
        }
      : x,
  );
  const commitment = { windowRoot: claimRoot, intervals: claimed, levels };
  for (const p of t > 0 ? [t - 1, t] : [t]) {
    if (!verifyMerkleProof(claimRoot, claimed[p].leaf, p, merkleProof(levels, p))) return undefined;
  }
  return { ...ours, commitment };
}

/**
 * BadEntry from an opened leaf alone when its entries root is off the community's market kind (review s19):
 * zero in a Totals or Mmr community (the game would play the leaf as an auction's, without the entries level),
 * or set in an auction community. The verifier names such a leaf fraud before opening any entry. Undefined when
 * the root fits the kind.
 */
export function offKindEntriesProof(kind: MarketKind, leaf: IntervalLeafProof): string | undefined {
  if ((kind === MarketKind.Auction) === (leaf.entriesRoot === ZeroHash)) return undefined;
  return badEntryProofOf({ participant: 0, current: leaf, entry: NO_ENTRY_OPENING });
}

/**
 * A bad-step proof against the claim from an opened leaf t and our own data, when the claim's
 * interval t holds the same readings and energies as ours (same readingsRoot and energyHash) but another
 * state: then our S_{t-1} (the claim's too: see `openedClaimView`) and our E_t are the claim's, and F of
 * them is our S_t, not the claim's. Undefined when it does not apply.
 * `market`: the community's limit prices and tariff, which the proof carries (DESIGN.md §5).
 */
export function stepProofFromGame(
  ours: ClaimedWindow,
  claimRoot: string,
  revealed: ReadonlyMap<number, { left: string; right: string }>,
  leaf: OpenedLeaf,
  market: { limits?: readonly LimitPrices[]; tariff?: Tariff } = {},
): string | undefined {
  const own = ours.commitment.intervals[leaf.position];
  if (
    !own ||
    own.readingsRoot !== leaf.readingsRoot ||
    own.energyHash !== leaf.energyHash ||
    own.stateHash === leaf.stateHash
  )
    return undefined;
  const view = openedClaimView(ours, claimRoot, revealed, leaf);
  return view ? badStepProof(view, leaf.position, market.limits, market.tariff) : undefined;
}

/**
 * Worst-case seconds from a claim's submission to its finality when a challenger plays every round
 * as late as allowed (DESIGN.md §5.4): the game opens in the last second of the challenge period P,
 * then depth(W) reveals and depth(W) picks down the window, the interval leaf's reveal, the step's
 * publication, for Totals and Mmr depth(N) reveals and depth(N) picks down the entries level and the entry's
 * opening, depth(M) reveals and depth(M) picks down the meter level, the meter leaf's opening and the
 * challenger's last deadline: 2·depth(W) + 2·depth(N) + 2·depth(M) + 5 deadlines D (W = 96, N = M = 1,000:
 * 59; N = M = 10: 35), the auction's 2·depth(W) + 2·depth(M) + 4 (38 and 26). Games of several challengers run
 * in parallel (all open before P ends), so the bound holds for any number.
 */
export function worstCaseFinalitySeconds(
  challengePeriod: number,
  moveDeadline: number,
  windowIntervals: number,
  meters: number,
  /** N of a community whose market has an entries level (Totals, Mmr); undefined for the auction. */
  participants?: number,
): number {
  return challengePeriod + gameRounds(windowIntervals, meters, participants) * moveDeadline;
}

/**
 * Move deadlines of a game played to its end: 2·depth(W) + 2·depth(M) + 4, plus 2·depth(N) + 1 with an entries
 * level (`participants`: N of a Totals or Mmr community).
 */
export const gameRounds = (windowIntervals: number, meters: number, participants?: number): number =>
  2 * treeDepth(windowIntervals) +
  2 * treeDepth(meters) +
  4 +
  (participants === undefined ? 0 : 2 * treeDepth(participants) + 1);

/** An opened interval leaf: its position and preimage (`LeafRevealed`). */
export interface OpenedLeaf {
  position: number;
  interval: number;
  readingsRoot: string;
  energyHash: string;
  stateHash: string;
  entriesRoot: string;
}

/** Levels of the canonical window tree: depth(W) (the root's height in a game). */
export const gameDepth = (windowIntervals: number): number => treeDepth(windowIntervals);

export interface GamePlayerModules {
  hub: Contract;
  /** The community's game module (`CommunityModules.game`). */
  game: Contract;
  communityId: bigint;
  windowIntervals: number;
  metrics: Metrics | null;
  logger: Logger;
}

/** What became of one move: mined, or why not (the module's custom error when it reverted). */
export interface MoveOutcome {
  mined: boolean;
  reason?: string;
  gasUsed?: bigint;
  txHash?: string;
}

/**
 * The reason a call reverted, decoded with the game module's and the hub's errors (the hub bubbles
 * the module's revert data up unchanged), e.g. `DeadlinePassed(1700000000)`.
 */
export function revertReason(e: unknown, ...contracts: Contract[]): string {
  const err = e as { data?: string; info?: { error?: { data?: string } }; shortMessage?: string; message?: string };
  const data = err.data ?? err.info?.error?.data;
  if (typeof data === 'string' && data.length >= 10) {
    for (const c of contracts) {
      const parsed = c.interface.parseError(data);
      if (parsed) return `${parsed.name}(${parsed.args.map((a) => String(a)).join(', ')})`;
    }
  }
  return err.shortMessage ?? err.message ?? String(e);
}

/** Sends game moves through `Hub.playGame`, one log line and one metric per move. */
export class GamePlayer {
  constructor(private readonly m: GamePlayerModules) {}

  static contracts(hub: string, game: string, runner: ContractRunner): { hub: Contract; game: Contract } {
    return {
      hub: new Contract(hub, loadArtifact('Hub').abi, runner),
      game: new Contract(game, loadArtifact('DataAvailabilityGame').abi, runner),
    };
  }

  get game(): Contract {
    return this.m.game;
  }

  async state(claim: string, challenger: string): Promise<GameState> {
    const g = await this.m.game.game(await this.m.hub.getAddress(), gameId(this.m.communityId, claim, challenger));
    return {
      node: g.node,
      left: g.left,
      right: g.right,
      deadline: Number(g.deadline),
      index: Number(g.index),
      height: Number(g.height),
      phase: Number(g.phase),
      bond: g.bond,
      level: Number(g.level ?? 0),
      position: Number(g.position ?? 0),
      stateNode: g.stateNode ?? ZeroHash,
      stateLeft: g.stateLeft ?? ZeroHash,
      stateRight: g.stateRight ?? ZeroHash,
      entriesRoot: g.entriesRoot ?? ZeroHash,
      previousEntriesRoot: g.previousEntriesRoot ?? ZeroHash,
    };
  }

  /**
   * Sends one move for window `window` and waits (bounded) for it to be mined. A move the chain
   * would refuse fails at its gas estimate, before anything is sent.
   */
  async send(window: number, move: GameMove): Promise<MoveOutcome> {
    const action = GameAction[move.action];
    try {
      const tx = await this.m.hub.playGame(this.m.communityId, window, encodeGameMove(move));
      const receipt = await tx.wait(1, TX_TIMEOUT_MS);
      this.m.metrics?.gameMoves.inc({ action, result: 'mined' });
      this.m.logger.info('game move mined', {
        window,
        action,
        claim: move.claim,
        challenger: move.challenger,
        side: move.side,
        position: move.action === GameAction.Publish ? move.interval : undefined,
        gasUsed: receipt?.gasUsed,
      });
      return { mined: true, gasUsed: receipt?.gasUsed, txHash: tx.hash };
    } catch (e) {
      // A send that failed oddly may leave the sequenced signer's nonce ahead of the chain.
      (this.m.hub.runner as { reset?: () => void } | null)?.reset?.();
      const reason = revertReason(e, this.m.game, this.m.hub);
      this.m.metrics?.gameMoves.inc({ action, result: 'failed' });
      this.m.logger.warn('game move failed', { window, action, claim: move.claim, reason });
      // A resolve whose slash waits for a pending one (`SlashPending`): finish that one; the move goes
      // again on a later tick.
      if (isSlashPending(this.m.hub, e))
        await finishPendingSlash(this.m.hub, this.m.communityId).then(
          (pages) => this.m.logger.info('pending slash finished', { window, continueSlashCalls: pages }),
          (err: unknown) => this.m.logger.warn('could not finish the pending slash', { window, reason: String(err) }),
        );
      return { mined: false, reason };
    }
  }

  /** `send`, true when the move was mined. */
  async play(window: number, move: GameMove): Promise<boolean> {
    return (await this.send(window, move)).mined;
  }

  /** Answers the game of `challenger` against our claim from the window we signed, if it waits for us. */
  async answer(window: number, claim: string, challenger: string, ours: ClaimedWindow): Promise<boolean> {
    const move = claimantMove(ours, claim, challenger, await this.state(claim, challenger));
    return move ? this.play(window, move) : false;
  }

  /** Our next move as challenger (pick, or resolve once the other side is late); false when none is due. */
  async advance(
    window: number,
    claim: string,
    challenger: string,
    now: number,
    ours?: ClaimedWindow,
  ): Promise<boolean> {
    const g = await this.state(claim, challenger);
    if (g.phase === GamePhase.None) return false;
    if (now > g.deadline) return this.play(window, { action: GameAction.Resolve, claim, challenger });
    if (g.phase === GamePhase.Pick)
      return this.play(window, {
        action: GameAction.Pick,
        claim,
        challenger,
        side: pickFrom(g, ours, { windowIntervals: this.m.windowIntervals }),
      });
    return false;
  }

  /** Challenges the pending claim (window and its three roots); the bond is pulled from our account. */
  async challenge(
    window: number,
    claim: { windowRoot: string; stateHash: string; balancesRoot: string },
  ): Promise<boolean> {
    return this.play(window, {
      action: GameAction.Challenge,
      claim: claimHash(window, claim.windowRoot, claim.stateHash, claim.balancesRoot),
      challenger: ZeroAddress,
    });
  }
}
