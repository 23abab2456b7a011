import { type Contract, getBytes, type Provider, ZeroAddress, ZeroHash, zeroPadValue } from 'ethers';
import { WindowStatus, TX_TIMEOUT_MS, type HubClient, type WindowRecord } from '../chain/hubClient.js';
import { parseCallAsContract } from '../chain/calldata.js';
import type { CommunityClock } from '../community/clock.js';
import type { CommunityInfo } from '../community/types.js';
import type { NodeDb } from '../db/index.js';
import type { Metrics } from '../metrics/metrics.js';
import type { MeterKeyRing } from '../reading/meterKeys.js';
import type { Logger } from '../util/logger.js';
import { previousState } from '../window/commitment.js';
import { commitLayout, marketAt } from '../window/fold.js';
import { badFinalStateProofOf, claimedTree, type ClaimedWindow, DisputeKind } from '../window/disputeProof.js';
import { unpackEnergy } from '../window/energy.js';
import { treeDepth } from '../window/merkle.js';
import { parseClaimedWindow } from './disputer.js';
import { servedTree } from './gameDesk.js';
import {
  challengeBond,
  claimantMove,
  claimHash,
  decodeOpenEntryMove,
  decodeOpenMeterMove,
  decodePublishMove,
  entriesChain,
  GameAction,
  GameLevel,
  GamePhase,
  gameDepth,
  gameId,
  junkPaddingSide,
  offKindEntriesProof,
  pickFrom,
  revertReason,
  siblingPath,
  stepProofFromGame,
  type EntriesChain,
  type EntryReveal,
  type GameMove,
  type GamePlayer,
  type GameState,
  type MeterReveal,
  type OpenedLeaf,
  type PublishedStep,
} from './game.js';
import { limitsInForce } from '../window/limits.js';
import {
  energyTarget,
  entryEnergyTarget,
  proofFromOpenedEntry,
  proofFromOpenedMeter,
  proofFromOpenedStep,
  type OpenedEntry,
} from './proofs.js';

/** How the node plays the data-availability game (DESIGN.md §5.7); `game` in the node's config. */
export interface GameOptions {
  /**
   * Share of the challenge period P, counted from a claim's submission, within which some peer
   * must serve the claim's commitment (the tree under its windowRoot). Past it (plus this node's
   * turn in the rotation, `rank × chain.takeoverSeconds`), the node challenges the claim.
   */
  availabilityFraction: number;
  /** Seconds between two requests to the peers for a pending claim's commitment. */
  fetchEverySeconds: number;
  /** Blocks of the game module's logs read back when the node starts (games opened before it). */
  lookbackBlocks: number;
}

export const defaultGameOptions: GameOptions = {
  availabilityFraction: 0.25,
  fetchEverySeconds: 10,
  lookbackBlocks: 50_000,
};

export interface GameLoopModules {
  community: CommunityInfo;
  clock: CommunityClock;
  db: NodeDb;
  hub: HubClient;
  provider: Provider;
  /** Sends the moves (connected to this node's signer). */
  player: GamePlayer;
  /** The community's payment token, connected to this node's signer: the challenge bond is pulled from it. */
  token: Contract;
  /** This node's account (the challenger of the games it opens). */
  address: string;
  /** The community's meter keys: published slots are checked against them. */
  keys: MeterKeyRing;
  /** Our participant index, or -1 for an outside watcher: decides our turn in the rotations. */
  participantIndex: number;
  /** Claimant side: answer games against claims we signed, from the commitment stored at signing time. */
  answer: boolean;
  /** Challenger side: challenge pending claims whose data no peer serves in time. */
  challenge: boolean;
  /** Rotation step (seconds) between participants; `chain.takeoverSeconds`. */
  takeoverSeconds: number;
  /** Wait after a failed move before the next attempt in the same game (seconds). */
  backoffSeconds: number;
  /** Asks the connected peers for the claimant's commitment of a window (the window protocol). */
  fetchCommitments(window: number): Promise<Uint8Array[][]>;
  /**
   * Byzantine test modes only (`byzantineClaimed`, node/byzantine.ts): the claim a stored commitment stands
   * for, when it is not the tree its frames rebuild (`junk-padding`). Absent for an honest node.
   */
  claimedAs?: (claimed: ClaimedWindow) => ClaimedWindow;
  metrics: Metrics | null;
  logger: Logger;
}

/** A game of this community, as followed from the module's events. */
interface TrackedGame {
  id: string;
  window: number;
  claim: string;
  challenger: string;
  /** Children revealed per height (height -> pair) at the window level: the opened leaf's sibling path. */
  revealed: Map<number, { left: string; right: string }>;
  /**
   * Children revealed per height at the entries level (after `Publish`, Totals and Mmr), in the entries tree and
   * in the state tree: the opened entry's and state leaf's sibling paths.
   */
  entriesRevealed: Map<number, { left: string; right: string }>;
  statesRevealed: Map<number, { left: string; right: string }>;
  /** Children revealed per height at the meter level: the opened meter leaf's sibling path. */
  meterRevealed: Map<number, { left: string; right: string }>;
  /** The opened leaf's preimage, once revealed. */
  leaf?: OpenedLeaf;
  /** The transaction that published the opened step's data, and keccak256 of its `move` (StepPublished). */
  published?: { txHash: string; dataHash: string };
  /** The transaction that opened a step entry (EntryOpened), its participant and keccak256 of its `move`. */
  entryOpened?: { txHash: string; dataHash: string; participant: number };
  /** The opened entry with everything the game showed around it, once read back. */
  entry?: OpenedEntry;
  /** The transaction that opened a meter leaf (MeterOpened), its meter and keccak256 of its `move`. */
  meterOpened?: { txHash: string; dataHash: string; meter: number };
  /** Whether we already looked for a fraud proof in the published step, at the opened entry and meter leaf. */
  stepHandled?: boolean;
  entryHandled?: boolean;
  openedHandled?: boolean;
  /** chain*(T) as trees, what our picks at the entries level compare with (null: none), once built. */
  chain?: EntriesChain | null;
  /** The meter our picks go down to at the meter level (null: the leftmost differing leaf), once decided. */
  meterTarget?: number | null;
}

const RESULT = ['Continue', 'Opened', 'ClaimantLost', 'ChallengerLost', 'Void', 'ClaimantFaulted'] as const;

/**
 * The node's side of the data-availability game, on its own timer (DESIGN.md §5.7):
 *
 * - **Claimant side.** For every open game against a claim this node signed, it reveals what the
 *   game waits for — the two children of the node the challenger picked, the interval leaf's
 *   preimage, the step's publication, at the entries level (Totals, Mmr) both trees' children and the
 *   entry's opening, at the meter level the children and the meter's opening — from the commitment
 *   stored when it signed (never recomputed), within the move deadline. Signers take turns (rank × a
 *   stagger of at most D/(4N)) so that one answer is sent, not N.
 * - **Challenger side.** A pending claim whose tree nobody serves — not held here, and no peer
 *   answers the window protocol's `commitment` with a tree that hashes to its windowRoot — is
 *   challenged once `availabilityFraction × P` (plus this node's turn) has passed since it was
 *   posted, posting the bond. The node then picks, at each level, the child where the claim departs
 *   from its own commitment (at the entries level from chain*(T), `entriesChain`; else the left one),
 *   down to one interval leaf, one entry and one meter, and proves what the game's data shows at each
 *   (`useOpenedLeaf`, `useOpenedEntry`, `useOpenedMeter`); proofs that need more of the claim's data
 *   stay with the `Disputer`, which the settlement loop keeps retrying as soon as a peer serves it.
 * - **Either side.** Once the party to move is late, the node sends `Resolve` in the games it
 *   plays or whose claim it signed: a silent claimant loses its claim and its signers' bonds; a
 *   silent challenger loses its bond to the signers. A game of ours whose claim stopped being
 *   pending (rejected by another game or a fraud proof, or replaced) is resolved at once: void, the
 *   bond comes back.
 *
 * Every move is a log line and a `diversity_game_moves_total{action,result}` increment; every entry and
 * meter opened, a `diversity_game_entries_opened_total` / `diversity_game_meters_opened_total` increment;
 * every game of the community that ends, a `diversity_games_ended_total{result,role}` increment.
 */
export class GameLoop {
  private readonly games = new Map<string, TrackedGame>();
  /** Next block whose module logs are read. */
  private cursor?: number;
  /** Claims whose tree this node holds or some peer served (no challenge). */
  private readonly available = new Set<string>();
  /** Claims this node challenged. */
  private readonly challenged = new Set<string>();
  /** Per claim: when the peers were last asked (ms), and whether the last check before the bond was made. */
  private readonly lastFetch = new Map<string, number>();
  private readonly checkedAtDue = new Set<string>();
  /** Per game (and node to open): when the node first saw it waiting for an answer (ms). */
  private readonly waitingSince = new Map<string, number>();
  /** Per game: no move before this time (ms), after a failure. */
  private readonly notBefore = new Map<string, number>();
  /** Stored commitments rebuilt (slots, states, tree), by `${window}:${windowRoot}`. */
  private readonly windows = new Map<string, ClaimedWindow>();
  private moveDeadline?: number;
  private challengeBond?: bigint;

  constructor(
    private readonly opts: GameOptions,
    private readonly m: GameLoopModules,
  ) {}

  /**
   * Whether a game of this community is open: the hub counts open games per community and finalizes
   * nothing (nor closes) while one is (review R2, R3). `window` and `rec` name the claim the caller
   * wants to finalize; a game against an older claim holds it too until someone ends that game.
   */
  async holdsOpen(_window: number, _rec: Pick<WindowRecord, 'windowRoot' | 'stateHash'>): Promise<boolean> {
    const open: bigint = await this.m.player.game.openGames(this.m.community.hub, this.m.community.communityId);
    return open > 0n;
  }

  /** Games of this community open now (as seen from the module's events). */
  get openGames(): number {
    return this.games.size;
  }

  /** One round: read the module's new events, watch the pending claim, move in every open game. */
  async tick(): Promise<void> {
    await this.scan();
    // The chain's time is read only when something depends on it (idle: two calls per tick).
    let now: number | undefined;
    const chainNow = async () => (now ??= await this.chainNow());
    if (this.m.challenge) await this.watchPending(chainNow);
    for (const g of [...this.games.values()]) {
      if ((this.notBefore.get(g.id) ?? 0) > Date.now()) continue;
      await this.step(g, await chainNow());
    }
  }

  /** The next block's time is at least this: the latest block's, or the wall clock's (a chain that mines on demand). */
  private async chainNow(): Promise<number> {
    const block = await this.m.provider.getBlock('latest');
    return Math.max(block?.timestamp ?? 0, Math.floor(this.m.clock.nowSeconds()));
  }

  /** Rank of this node in the rotations of `window` (0 = first to act). */
  private rank(window: number): number {
    const n = this.m.community.participants.length;
    if (this.m.participantIndex < 0) return n;
    return (((this.m.participantIndex - window) % n) + n) % n;
  }

  private isMe(address: string): boolean {
    return address.toLowerCase() === this.m.address.toLowerCase();
  }

  // ------------------------------------------------------------------ events

  private async scan(): Promise<void> {
    const { provider, player, community, hub } = this.m;
    const head = await provider.getBlockNumber();
    // Not before the community's first block (`chain.fromBlock`), nor further back than the lookback.
    if (this.cursor === undefined) this.cursor = Math.max(hub.logScope.fromBlock, head - this.opts.lookbackBlocks);
    if (this.cursor > head) return;
    const address = await player.game.getAddress();
    const hubTopic = zeroPadValue(community.hub, 32);
    while (this.cursor <= head) {
      const to = Math.min(head, this.cursor + hub.logScope.maxRange - 1);
      const logs = await provider.getLogs({ address, topics: [null, hubTopic], fromBlock: this.cursor, toBlock: to });
      for (const log of logs) {
        const parsed = player.game.interface.parseLog({ topics: [...log.topics], data: log.data });
        if (parsed) this.onEvent(parsed.name, parsed.args as unknown as Record<string, unknown>, log.transactionHash);
      }
      this.cursor = to + 1;
    }
  }

  private onEvent(name: string, a: Record<string, unknown>, txHash: string): void {
    const { logger, metrics, community } = this.m;
    const id = a.gameId as string;
    if (name === 'GameChallenged') {
      if (BigInt(a.communityId as bigint) !== community.communityId) return;
      const g: TrackedGame = {
        id,
        window: Number(a.window),
        claim: a.claim as string,
        challenger: a.challenger as string,
        revealed: new Map(),
        entriesRevealed: new Map(),
        statesRevealed: new Map(),
        meterRevealed: new Map(),
      };
      this.games.set(id, g);
      logger.info('game opened', {
        window: g.window,
        claim: g.claim,
        challenger: g.challenger,
        bond: a.bond,
        deadline: Number(a.deadline),
        mine: this.isMe(g.challenger),
      });
      return;
    }
    const g = this.games.get(id);
    if (!g) return;
    switch (name) {
      case 'ChildrenRevealed':
        // Events come in order: after the step's publication, the reveals are the meter level's.
        (g.published ? g.meterRevealed : g.revealed).set(Number(a.height), {
          left: a.left as string,
          right: a.right as string,
        });
        logger.info('game: children revealed', {
          window: g.window,
          challenger: g.challenger,
          level: g.published ? 'meter' : 'window',
          height: Number(a.height),
          index: Number(a.index),
        });
        break;
      case 'EntryChildrenRevealed':
        g.entriesRevealed.set(Number(a.height), { left: a.left as string, right: a.right as string });
        g.statesRevealed.set(Number(a.height), { left: a.stateLeft as string, right: a.stateRight as string });
        logger.info('game: children revealed', {
          window: g.window,
          challenger: g.challenger,
          level: 'entries',
          height: Number(a.height),
          index: Number(a.index),
        });
        break;
      case 'SidePicked':
        logger.info('game: side picked', {
          window: g.window,
          challenger: g.challenger,
          height: Number(a.height),
          index: Number(a.index),
        });
        break;
      case 'LeafRevealed':
        g.leaf = {
          position: Number(a.position),
          interval: Number(a.interval),
          readingsRoot: a.readingsRoot as string,
          energyHash: a.energyHash as string,
          stateHash: a.stateHash as string,
          entriesRoot: a.entriesRoot as string,
        };
        logger.info('game: leaf revealed', { window: g.window, challenger: g.challenger, position: g.leaf.position });
        break;
      case 'StepPublished':
        g.published = { txHash, dataHash: a.dataHash as string };
        logger.info('game: step published', {
          window: g.window,
          challenger: g.challenger,
          position: Number(a.position),
          // Totals and Mmr (an entries root) go down the entries first; the auction to its meters.
          next: g.leaf && g.leaf.entriesRoot !== ZeroHash ? 'entries' : 'meter',
          tx: txHash,
        });
        break;
      case 'EntryOpened':
        g.entryOpened = { txHash, dataHash: a.dataHash as string, participant: Number(a.participant) };
        this.m.metrics?.gameEntriesOpened.inc();
        logger.info('game: entry opened', {
          window: g.window,
          challenger: g.challenger,
          position: Number(a.position),
          participant: g.entryOpened.participant,
          tx: txHash,
        });
        break;
      case 'MeterOpened':
        g.meterOpened = { txHash, dataHash: a.dataHash as string, meter: Number(a.meterIndex) };
        this.m.metrics?.gameMetersOpened.inc();
        logger.info('game: meter leaf opened', {
          window: g.window,
          challenger: g.challenger,
          position: Number(a.position),
          meter: g.meterOpened.meter,
          tx: txHash,
        });
        break;
      case 'PaddingNotEmpty':
        logger.warn('game: a subtree of padding only is not empty: the claim loses (junk padding)', {
          window: g.window,
          challenger: g.challenger,
          level: a.meterLevel ? 'meter' : g.published ? 'entries' : 'window',
          height: Number(a.height),
          index: Number(a.index),
        });
        break;
      case 'GameEnded': {
        const result = RESULT[Number(a.result)] ?? String(a.result);
        const role = this.isMe(g.challenger) ? 'challenger' : 'other';
        this.games.delete(id);
        metrics?.gamesEnded.inc({ result, role });
        logger.info('game ended', { window: g.window, challenger: g.challenger, result, role });
        break;
      }
    }
  }

  // ------------------------------------------------------------------ challenger side: is the data there?

  private async watchPending(chainNow: () => Promise<number>): Promise<void> {
    const { hub, community, logger } = this.m;
    const window = (await hub.lastFinalizedWindow()) + 1;
    if (window >= community.windowCount) return;
    const rec = await hub.windowRecord(window);
    if (rec.status !== WindowStatus.Pending) return;
    const claim = claimHash(window, rec.windowRoot, rec.stateHash, rec.balancesRoot);
    if (this.available.has(claim) || this.challenged.has(claim)) return;
    const now = await chainNow();
    if (now >= rec.submittedAt + community.challengePeriod) return;
    if (await this.m.db.commitments.get({ window, windowRoot: rec.windowRoot })) {
      this.available.add(claim); // we hold the tree ourselves (we signed this root)
      return;
    }
    const due = this.challengeDue(window, rec);
    const last = this.lastFetch.get(claim) ?? 0;
    const finalCheck = now >= due && !this.checkedAtDue.has(claim);
    if (finalCheck || Date.now() - last >= this.opts.fetchEverySeconds * 1000) {
      this.lastFetch.set(claim, Date.now());
      if (finalCheck) this.checkedAtDue.add(claim);
      if (await this.served(window, rec.windowRoot)) {
        this.available.add(claim);
        logger.info('claim data served by a peer', { window, claim });
        return;
      }
    }
    if (now < due) return;
    if (this.games.has(gameId(community.communityId, claim, this.m.address))) {
      this.challenged.add(claim);
      return;
    }
    await this.challenge(window, rec, claim);
  }

  /**
   * When this node challenges a claim whose data it has not seen: `availabilityFraction × P` after
   * the claim was posted, plus its turn (rank × takeoverSeconds), and never later than one turn
   * before the challenge period ends.
   */
  challengeDue(window: number, rec: Pick<WindowRecord, 'submittedAt'>): number {
    const P = this.m.community.challengePeriod;
    const turn = this.m.takeoverSeconds;
    const due = rec.submittedAt + Math.floor(this.opts.availabilityFraction * P) + this.rank(window) * turn;
    return Math.max(rec.submittedAt, Math.min(due, rec.submittedAt + P - Math.max(1, turn)));
  }

  /** Whether some peer serves a tree that hashes to `windowRoot` (rebuilt from the served slots and states). */
  private async served(window: number, windowRoot: string): Promise<boolean> {
    const answers = await this.m.fetchCommitments(window).catch(() => [] as Uint8Array[][]);
    return servedTree(commitLayout(this.m.community), answers, windowRoot) !== undefined;
  }

  private async bond(): Promise<bigint> {
    this.challengeBond ??= await challengeBond(this.m.hub.contract, this.m.player.game, this.m.community.communityId);
    return this.challengeBond;
  }

  private async challenge(window: number, rec: WindowRecord, claim: string): Promise<void> {
    const { token, logger, metrics, community, hub } = this.m;
    const bond = await this.bond();
    logger.warn('challenging a claim whose data no peer serves', {
      window,
      claim,
      windowRoot: rec.windowRoot,
      signers: rec.signers,
      bond,
    });
    try {
      const allowance: bigint = await token.allowance(this.m.address, community.hub);
      if (allowance < bond) await (await token.approve(community.hub, bond)).wait(1, TX_TIMEOUT_MS);
    } catch (e) {
      (hub.contract.runner as { reset?: () => void } | null)?.reset?.();
      logger.warn('cannot approve the challenge bond', { window, reason: revertReason(e, token) });
      this.backOff(claim);
      return;
    }
    const out = await this.m.player.send(window, { action: GameAction.Challenge, claim, challenger: ZeroAddress });
    if (out.mined) {
      this.challenged.add(claim);
      metrics?.gameChallenges.inc();
    } else {
      // Let the next check ask the peers once more before posting the bond again.
      this.checkedAtDue.delete(claim);
      this.lastFetch.set(claim, Date.now() + this.m.backoffSeconds * 1000);
    }
  }

  private backOff(key: string): void {
    this.notBefore.set(key, Date.now() + this.m.backoffSeconds * 1000);
  }

  // ------------------------------------------------------------------ moves

  private async step(g: TrackedGame, now: number): Promise<void> {
    const state = await this.m.player.state(g.claim, g.challenger);
    if (state.phase === GamePhase.None) {
      this.games.delete(g.id);
      return;
    }
    const mine = this.isMe(g.challenger);
    const signed = mine ? undefined : await this.signedWindow(g.window, g.claim);
    if (mine && !(await this.stillPending(g))) {
      // The claim was rejected (another game, a fraud proof) or replaced: end our game now, bond back.
      await this.move(g, { action: GameAction.Resolve, claim: g.claim, challenger: g.challenger });
      return;
    }
    if (now > state.deadline) {
      // The party to move is late. We end the games we play (the claimant late: we win; we late: we
      // concede, the claim may finalize) and, against claims we signed, those whose challenger is late.
      const claimantToMove = state.phase === GamePhase.Reveal || state.phase === GamePhase.Publish;
      if (mine || (signed && !claimantToMove))
        await this.move(g, { action: GameAction.Resolve, claim: g.claim, challenger: g.challenger });
      return;
    }
    if (mine) {
      // The step is published (the game goes on at the entries or the meter level): what E_t (and the auction's
      // S_{t−1}) prove, at once.
      if (g.published && !g.stepHandled) {
        g.stepHandled = true;
        if (await this.useOpenedLeaf(g, state)) return;
      }
      // An entry is open (the game goes on at the meter level): what entry j proves, at once.
      if (g.entryOpened && !g.entryHandled) {
        g.entryHandled = true;
        if (await this.useOpenedEntry(g)) return;
      }
      if (state.phase === GamePhase.Pick) {
        // The events that open each level come before its picks: wait for them (the next tick reads them).
        if (!this.levelRead(g, state)) return;
        const ours = await this.ownWindow(g.window);
        const sizes = {
          windowIntervals: this.m.community.windowIntervals,
          participants: this.m.community.participants.length,
          meters: this.m.community.meters.length,
        };
        const leaves =
          state.level === GameLevel.Meter
            ? sizes.meters
            : state.level === GameLevel.Entries
              ? sizes.participants
              : sizes.windowIntervals;
        const junk = junkPaddingSide(state, leaves);
        if (junk !== undefined)
          this.m.logger.warn('game: the claim has junk over padding (not the empty subtree); picking it wins', {
            window: g.window,
            level: GameLevel[state.level].toLowerCase(),
            height: state.height - 1,
            index: 2 * state.index + junk,
          });
        const target = state.level === GameLevel.Meter ? await this.meterTarget(g, ours) : undefined;
        const chain = state.level === GameLevel.Entries ? await this.entriesChainOf(g, ours) : undefined;
        const side = pickFrom(state, ours, sizes, target, chain);
        await this.move(g, { action: GameAction.Pick, claim: g.claim, challenger: g.challenger, side });
      } else if (state.phase === GamePhase.Opened && !g.openedHandled) {
        g.openedHandled = true;
        await this.useOpenedMeter(g, state);
      }
      return;
    }
    if (signed && this.m.answer && (state.phase === GamePhase.Reveal || state.phase === GamePhase.Publish)) {
      const key = `${g.id}:${state.phase}:${state.node}`;
      const since = this.waitingSince.get(key) ?? Date.now();
      this.waitingSince.set(key, since);
      if (Date.now() < since + this.rank(g.window) * (await this.answerStagger()) * 1000) return;
      // A reveal, or the step's data (Publish), from the window as stored when we signed it.
      const move = claimantMove(signed, g.claim, g.challenger, state);
      if (!move) return;
      if (await this.move(g, move)) this.waitingSince.delete(key);
    }
  }

  /**
   * Whether the events that opened `state`'s level are read: the publication (its `last` is T) before picks at
   * the entries level, and before picks at the meter level the publication (E_t) and, with an entries root, the
   * entry's opening (j). A move that reached the module between our read of its logs and of the game waits.
   */
  private levelRead(g: TrackedGame, state: GameState): boolean {
    if (state.level === GameLevel.Window) return true;
    if (!g.leaf || !g.published) return false;
    return state.level === GameLevel.Entries || g.leaf.entriesRoot === ZeroHash || g.entryOpened !== undefined;
  }

  /**
   * Where our picks go at the meter level (review 5, M1): participant j's last meter when the opened entry j's
   * energy is not the published E_t[j] (`entryEnergyTarget`: the entries level's energy fault); else the last
   * meter of the first participant whose published E_t entry differs from our own sum of its meters
   * (`energyTarget`); decided once per game; undefined (the leftmost differing meter leaf) when E_t agrees, or
   * we hold no data of the interval.
   */
  private async meterTarget(g: TrackedGame, ours: ClaimedWindow | undefined): Promise<number | undefined> {
    if (g.meterTarget === undefined) {
      const position = g.leaf?.position;
      const fromEntry = g.entry ? entryEnergyTarget(this.m.community, g.entry) : undefined;
      if (fromEntry !== undefined) {
        g.meterTarget = fromEntry;
        this.m.logger.info("game: the opened entry's energy is not the published E_t; going down to its last meter", {
          window: g.window,
          position,
          participant: g.entry?.participant,
          meter: fromEntry,
        });
        return fromEntry;
      }
      const step = await this.publishedStep(g);
      const ownTree = position !== undefined && ours?.slots[position] ? claimedTree(ours, position) : undefined;
      const target = energyTarget(this.m.community, step?.energy, ownTree);
      g.meterTarget = target ?? null;
      if (target !== undefined)
        this.m.logger.info('game: published E_t differs from ours; going down to the meter that proves it', {
          window: g.window,
          position,
          meter: target,
        });
    }
    return g.meterTarget ?? undefined;
  }

  /**
   * chain*(T) of game `g` as trees (`entriesChain`), what our picks at the entries level compare with: from our
   * S_{t−1} when our leaf t−1 is the claim's (the window's picks went to the leftmost leaf that differs), the
   * published E_t and T = the published entry N−1; built once per game. Undefined without our window or the
   * publication: the picks go left (any j is then as good as another for what the game's data proves).
   */
  private async entriesChainOf(g: TrackedGame, ours: ClaimedWindow | undefined): Promise<EntriesChain | undefined> {
    if (g.chain === undefined) {
      g.chain = null;
      const leaf = g.leaf;
      const step = await this.publishedStep(g);
      if (!leaf || !step || !ours?.states[leaf.position]) return undefined;
      const t = leaf.position;
      if (t > 0 && ours.commitment.intervals[t - 1]?.stateHash !== step.previous.stateHash) return undefined;
      g.chain = entriesChain(
        marketAt(this.m.community, leaf.interval),
        previousState(ours.layout, ours.states, t),
        unpackEnergy(getBytes(step.energy)),
        step.last.entry,
      );
      this.m.logger.info('game: entries level: picking where the claim departs from chain*(T)', {
        window: g.window,
        position: t,
        known: g.chain.known,
      });
    }
    return g.chain ?? undefined;
  }

  /** Whether the game's claim is still its window's pending claim. */
  private async stillPending(g: TrackedGame): Promise<boolean> {
    const rec = await this.m.hub.windowRecord(g.window);
    return (
      rec.status === WindowStatus.Pending &&
      claimHash(g.window, rec.windowRoot, rec.stateHash, rec.balancesRoot) === g.claim
    );
  }

  /** Seconds between two signers' turns to answer: at most D/(4N), so the last one still has 3/4 of D. */
  private async answerStagger(): Promise<number> {
    if (this.moveDeadline === undefined) this.moveDeadline = Number(await this.m.player.game.moveDeadline());
    const n = this.m.community.participants.length;
    return Math.min(this.m.takeoverSeconds, this.moveDeadline / (4 * n));
  }

  private async move(g: TrackedGame, move: GameMove): Promise<boolean> {
    const out = await this.m.player.send(g.window, move);
    if (!out.mined) this.backOff(g.id);
    return out.mined;
  }

  /**
   * The step is published (the game goes on at the entries level for Totals and Mmr, at the meter level for
   * the auction). Prove what the interval leaf, the published data and our own tree prove:
   * - A last leaf (position W−1) whose state is not the posted S_W: bad final state, with the siblings the
   *   claimant revealed on the way down.
   * - A leaf whose entries root is off the community's market kind: BadEntry from the leaf alone.
   * - From the published data (read back from the `Publish` transaction's calldata, checked against the
   *   event's hash): the auction's state that is not F of the published S_{t−1} and E_t (bad step), or, when
   *   our readings tree of interval t has the claim's readingsRoot, an E_t entry that is not our running sum of
   *   the participant's last meter (bad energy, Total) — `proofFromOpenedStep`.
   * - Without the published data (the move was sent through another contract, whose calldata the node does
   *   not trace): an auction leaf with our readings and energies (same readingsRoot, energyHash) but another
   *   state is still a bad step from our S_{t−1} and E_t (`stepProofFromGame`). Totals and Mmr (an entries
   *   root) do not take this O(N) proof: the entries level reaches an O(log N) one (`useOpenedEntry`).
   * Otherwise the fault, if any, is in the entries or below the readingsRoot: the game goes on.
   * True when a proof was sent (or tried).
   */
  private async useOpenedLeaf(g: TrackedGame, state: GameState): Promise<boolean> {
    const { community, logger } = this.m;
    const W = community.windowIntervals;
    const rec = await this.pendingRecord(g);
    const leaf = g.leaf;
    if (!rec) return false;
    if (!leaf || (state.level === GameLevel.Window && leaf.position !== state.index)) {
      g.stepHandled = false; // the LeafRevealed event is not read yet
      return false;
    }
    const proof = siblingPath(g.revealed, leaf.position, gameDepth(W));
    if (!proof) return false;
    if (leaf.position === W - 1 && leaf.stateHash !== rec.stateHash)
      return this.dispute(g, rec, DisputeKind.BadFinalState, badFinalStateProofOf({ ...leaf, proof }));
    // A leaf whose entries root is off the market kind is fraud by itself (review s19).
    const offKind = offKindEntriesProof(community.market.kind, { ...leaf, proof });
    if (offKind) {
      logger.warn("opened leaf: its entries root is off the community's market kind", {
        window: g.window,
        position: leaf.position,
      });
      return this.dispute(g, rec, DisputeKind.BadEntry, offKind);
    }
    const ours = await this.ownWindow(g.window);
    const step = await this.publishedStep(g);
    if (step) {
      const ownTree = ours?.slots[leaf.position] ? claimedTree(ours, leaf.position) : undefined;
      const found = proofFromOpenedStep(community, { leaf: { ...leaf, proof }, ...step }, ownTree);
      if (found) {
        logger.warn('opened step: fraud found in the published data', {
          window: g.window,
          position: leaf.position,
          what: found.summary,
        });
        return this.dispute(g, rec, found.kind, found.data);
      }
    }
    const entries = leaf.entriesRoot !== ZeroHash;
    // Our own S_{t-1} and E_t too, whenever our leaves t-1 and t are the claim's (review P2: a published
    // leaf t-1 is only as good as the module's check of it; ours is the canonical one).
    const data =
      ours &&
      !entries &&
      stepProofFromGame(ours, rec.windowRoot, g.revealed, leaf, {
        limits: limitsInForce(community, g.window),
        tariff: community.tariff,
      });
    if (data) return this.dispute(g, rec, DisputeKind.BadStep, data);
    logger.info('opened step: the published data is right as far as we see; the game goes on', {
      window: g.window,
      position: leaf.position,
      next: entries ? 'entries' : 'meter',
    });
    return false;
  }

  /**
   * An entry is open (`OpenEntry`, Totals and Mmr): with the published data, entry j read back from the
   * `OpenEntry` transaction (`decodeOpenEntryMove`, checked against the event's hash) and the sibling paths
   * revealed on the way down the entries level (entries tree and state tree), prove what it shows
   * (`proofFromOpenedEntry`): E_t[j] in the entry that is not j's meters' sum (bad energy, Entry: without a
   * meter, or from our tree when it has the claim's readingsRoot), a state leaf that is not the entry's state
   * (StateEntry), an entry the judge faults (BadEntry). Otherwise the game goes on to the meter level, towards
   * j's last meter when the entry's energy is not the published E_t[j] (`meterTarget`). True when a proof was
   * sent (or tried).
   */
  private async useOpenedEntry(g: TrackedGame): Promise<boolean> {
    const { community, logger } = this.m;
    const rec = await this.pendingRecord(g);
    const leaf = g.leaf;
    if (!rec) return false;
    if (!leaf || !g.entryOpened || !g.published) {
      g.entryHandled = false; // the EntryOpened event is not read yet
      return false;
    }
    const j = g.entryOpened.participant;
    const depth = treeDepth(community.participants.length);
    const windowPath = siblingPath(g.revealed, leaf.position, gameDepth(community.windowIntervals));
    const entryPath = siblingPath(g.entriesRevealed, j, depth);
    const statePath = siblingPath(g.statesRevealed, j, depth);
    const opened = await this.openedEntry(g);
    const step = await this.publishedStep(g);
    if (!windowPath || !entryPath || !statePath || !opened || !step) {
      logger.warn('opened entry: its data cannot be read back (no fraud proof from it)', { window: g.window });
      return false;
    }
    // State leaf j: the state node at height 0, the child on j's side of the last pair revealed (the leaf's
    // stateHash itself for a community of one).
    const pair = g.statesRevealed.get(1);
    g.entry = {
      leaf: { ...leaf, proof: windowPath },
      previous: step.previous,
      energy: step.energy,
      last: step.last,
      participant: j,
      entry: { entry: opened.entry, path: entryPath },
      before: opened.before,
      previousEntry: opened.previousEntry,
      stateLeaf: pair ? (j & 1 ? pair.right : pair.left) : leaf.stateHash,
      statePath,
    };
    const ours = await this.ownWindow(g.window);
    const ownTree = ours?.slots[leaf.position] ? claimedTree(ours, leaf.position) : undefined;
    const found = proofFromOpenedEntry(community, g.entry, ownTree);
    if (!found) {
      logger.info("opened entry: entry j is F's as far as we see; on to the meter level", {
        window: g.window,
        position: leaf.position,
        participant: j,
      });
      return false;
    }
    logger.warn('opened entry: fraud found', { window: g.window, participant: j, what: found.summary });
    return this.dispute(g, rec, found.kind, found.data);
  }

  /**
   * A meter leaf is open (`OpenMeter`): prove what it shows with our own reading of that slot
   * (`proofFromOpenedMeter`): a forged committed reading, our reading left out, a running sum that is not its
   * base plus the slot, or an E_t entry of its owner that is not its last meter's sum (bad energy). The meter
   * leaf's path under the readingsRoot is the children revealed on the way down the meter level. Otherwise
   * the meter is right as far as our data shows: our deadline runs out and the bond goes to the signers.
   */
  private async useOpenedMeter(g: TrackedGame, state: GameState): Promise<void> {
    const { community, logger } = this.m;
    const rec = await this.pendingRecord(g);
    const leaf = g.leaf;
    if (!rec) return;
    if (!leaf || !g.meterOpened || !g.published) {
      g.openedHandled = false; // the MeterOpened event is not read yet
      return;
    }
    const meters = community.meters.length;
    const windowPath = siblingPath(g.revealed, leaf.position, gameDepth(community.windowIntervals));
    const meterPath = siblingPath(g.meterRevealed, g.meterOpened.meter, treeDepth(meters));
    const opened = await this.openedMeter(g);
    const step = await this.publishedStep(g);
    if (!windowPath || !meterPath || !opened) {
      logger.warn('opened meter: its data cannot be read back (no fraud proof from it)', { window: g.window });
      return;
    }
    const ours = await this.ownWindow(g.window);
    const found = proofFromOpenedMeter(
      community,
      this.m.keys,
      {
        leaf: { ...leaf, proof: windowPath },
        meter: g.meterOpened.meter,
        slot: opened.slot,
        acc: { exportWh: opened.accExportWh, importWh: opened.accImportWh },
        path: meterPath,
        previous: g.meterOpened.meter > 0 ? opened.previous : undefined,
        energy: step?.energy,
        entry: g.entry && { participant: g.entry.participant, opening: g.entry.entry },
      },
      ours?.slots[leaf.position]?.[g.meterOpened.meter],
      { signers: rec.signers, disputer: this.m.participantIndex >= 0 ? this.m.participantIndex : undefined },
    );
    if (!found) {
      logger.warn('opened meter: no fraud proof from it and our data (the meter leaf is right as far as we see)', {
        window: g.window,
        position: leaf.position,
        meter: g.meterOpened.meter,
        deadline: state.deadline,
      });
      return;
    }
    logger.warn('opened meter: fraud found', { window: g.window, meter: g.meterOpened.meter, what: found.summary });
    await this.dispute(g, rec, found.kind, found.data);
  }

  /** The game's claim's record while it is still its window's pending claim. */
  private async pendingRecord(g: TrackedGame): Promise<WindowRecord | undefined> {
    const rec = await this.m.hub.windowRecord(g.window);
    if (rec.status !== WindowStatus.Pending) return undefined;
    return claimHash(g.window, rec.windowRoot, rec.stateHash, rec.balancesRoot) === g.claim ? rec : undefined;
  }

  /** Sends a fraud proof found through game `g`; true once sent (accepted or not: a failure is retried later). */
  private async dispute(g: TrackedGame, rec: WindowRecord, kind: DisputeKind, data: string): Promise<boolean> {
    const { hub, logger } = this.m;
    const name = DisputeKind[kind];
    logger.warn('game data proves fraud: disputing', { window: g.window, position: g.leaf?.position, kind: name });
    try {
      const receipt = await hub.dispute(g.window, kind, data, rec);
      this.m.metrics?.disputes.inc({ kind: name, result: 'accepted' });
      logger.warn('dispute accepted: claim rejected', { window: g.window, kind: name, gasUsed: receipt.gasUsed });
    } catch (e) {
      this.m.metrics?.disputes.inc({ kind: name, result: 'failed' });
      logger.warn('dispute failed', { window: g.window, kind: name, reason: revertReason(e, hub.contract) });
      // Try again on a later tick, while the deadline lasts.
      if (g.meterOpened) g.openedHandled = false;
      else if (g.entryOpened) g.entryHandled = false;
      else g.stepHandled = false;
      this.backOff(g.id);
    }
    return true;
  }

  // ------------------------------------------------------------------ stored commitments

  /**
   * The window this node signed for `claim` (same root, posted state and one of the balances roots it
   * computed for the window): slots, states and tree as stored.
   */
  private async signedWindow(window: number, claim: string): Promise<ClaimedWindow | undefined> {
    const balancesRoots = (await this.m.db.balances.listWindow(window)).map((b) => b.balancesRoot);
    for (const c of await this.m.db.commitments.listWindow(window)) {
      if (balancesRoots.some((b) => claimHash(window, c.windowRoot, c.stateHash, b) === claim))
        return this.window(window, c.windowRoot, c.frames);
    }
    return undefined;
  }

  /**
   * The step data the claimant side published in game `g`: the `move` argument of the `Hub.playGame`
   * call in the StepPublished transaction, checked against the event's hash; undefined when the
   * transaction is not a direct call of the hub (or cannot be read).
   */
  private async publishedStep(g: TrackedGame): Promise<PublishedStep | undefined> {
    const { logger } = this.m;
    if (!g.published) return undefined;
    try {
      const decoded = decodePublishMove(await this.playGameMove(g.published.txHash), g.published.dataHash);
      if (!decoded) throw new Error("the move does not match the event's hash");
      return decoded.step;
    } catch (e) {
      logger.warn('cannot read the published step from its transaction', {
        window: g.window,
        tx: g.published.txHash,
        reason: (e as Error).message,
      });
      return undefined;
    }
  }

  /** The `move` argument of a direct `Hub.playGame` call in transaction `txHash`. */
  private async playGameMove(txHash: string): Promise<string> {
    const { provider, hub } = this.m;
    const tx = await provider.getTransaction(txHash);
    if (!tx || tx.to?.toLowerCase() !== this.m.community.hub.toLowerCase()) throw new Error('not a call of the hub');
    // As the hub decoded it: a move laid out last, unpadded, is still the move (`parseCallAsContract`).
    const call = parseCallAsContract(hub.contract.interface, tx.data);
    if (call?.name !== 'playGame') throw new Error('not a playGame call');
    return call.args[2] as string;
  }

  /** The meter leaf the claimant side opened in game `g` (`OpenMeter`), checked against MeterOpened's hash. */
  private async openedMeter(g: TrackedGame): Promise<MeterReveal | undefined> {
    if (!g.meterOpened) return undefined;
    try {
      const decoded = decodeOpenMeterMove(await this.playGameMove(g.meterOpened.txHash), g.meterOpened.dataHash);
      if (!decoded) throw new Error("the move does not match the event's hash");
      return decoded;
    } catch (e) {
      this.m.logger.warn('cannot read the opened meter leaf from its transaction', {
        window: g.window,
        tx: g.meterOpened.txHash,
        reason: (e as Error).message,
      });
      return undefined;
    }
  }

  /** The entry the claimant side opened in game `g` (`OpenEntry`), checked against EntryOpened's hash. */
  private async openedEntry(g: TrackedGame): Promise<EntryReveal | undefined> {
    if (!g.entryOpened) return undefined;
    try {
      const decoded = decodeOpenEntryMove(await this.playGameMove(g.entryOpened.txHash), g.entryOpened.dataHash);
      if (!decoded) throw new Error("the move does not match the event's hash");
      return decoded;
    } catch (e) {
      this.m.logger.warn('cannot read the opened entry from its transaction', {
        window: g.window,
        tx: g.entryOpened.txHash,
        reason: (e as Error).message,
      });
      return undefined;
    }
  }

  /** This node's own current commitment of `window` as signed: slots, states and tree. */
  private async ownWindow(window: number): Promise<ClaimedWindow | undefined> {
    const own = await this.m.db.windowResults.get(window);
    if (!own) return undefined;
    const stored = await this.m.db.commitments.get({ window, windowRoot: own.windowRoot });
    return stored ? this.window(window, stored.windowRoot, stored.frames) : undefined;
  }

  private window(window: number, windowRoot: string, frames: string[]): ClaimedWindow | undefined {
    const key = `${window}:${windowRoot}`;
    let stored = this.windows.get(key);
    if (!stored) {
      stored = parseClaimedWindow(
        commitLayout(this.m.community),
        frames.map((f) => Buffer.from(f, 'utf8')),
      );
      if (stored && this.m.claimedAs) stored = this.m.claimedAs(stored);
      if (!stored || stored.commitment.windowRoot !== windowRoot) return undefined;
      this.windows.set(key, stored);
      for (const k of this.windows.keys()) if (Number(k.split(':')[0]) < window - 4) this.windows.delete(k);
    }
    return stored;
  }
}
