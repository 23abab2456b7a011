import { Contract, type ContractRunner, type Provider, ZeroAddress } from 'ethers';
import { loadArtifact } from '../chain/artifacts.js';
import { TX_TIMEOUT_MS, WindowStatus, type HubClient, type WindowRecord } from '../chain/hubClient.js';
import type { NodeDb } from '../db/index.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Logger } from '../util/logger.js';
import type { MeterLayout, WindowCommitment } from '../window/commitment.js';
import type { ClaimedWindow } from '../window/disputeProof.js';
import { parseClaimedWindow } from './disputer.js';
import {
  challengeBond,
  claimantMove,
  claimHash,
  GameAction,
  GameLevel,
  GamePhase,
  GamePlayer,
  gameId,
  pickFrom,
  revertReason,
  type GameState,
  type MoveOutcome,
} from './game.js';

/** One game against a window's claim, as the module holds it. */
export interface GameView {
  id: string;
  challenger: string;
  claim: string;
  state: GameState;
}

/** Why a hand-played move cannot be made (the CLI prints it and exits 3). */
export class GameMoveError extends Error {}

/**
 * The data-availability game played by hand (`diversity dispute --game ...`, `diversity audit
 * --games`): the same codec, player and choices as the node's `GameLoop`, one move per call, with
 * errors that say what is wrong (no pending claim, not your move, the module's revert decoded).
 */
export class GameDesk {
  private constructor(
    readonly hub: HubClient,
    readonly player: GamePlayer,
    private readonly token: Contract,
    private readonly provider: Provider,
    readonly windowIntervals: number,
    /** N: the entries tree's leaves (the entries level's padding starts there). */
    readonly participantCount: number,
    /** M: the readings tree's leaves (the meter level's padding starts there). */
    readonly meterCount: number,
  ) {}

  static async connect(
    hub: HubClient,
    runner: ContractRunner,
    provider: Provider,
    modules: { logger: Logger; metrics?: Metrics | null },
  ): Promise<GameDesk> {
    const info = await hub.contract.community(hub.opts.communityId);
    const contracts = GamePlayer.contracts(hub.opts.hub, info.modules.game, runner);
    const player = new GamePlayer({
      ...contracts,
      communityId: hub.opts.communityId,
      windowIntervals: Number(info.windowIntervals),
      metrics: modules.metrics ?? null,
      logger: modules.logger,
    });
    const token = new Contract(info.token, loadArtifact('CommunityToken').abi, runner);
    return new GameDesk(
      hub,
      player,
      token,
      provider,
      Number(info.windowIntervals),
      Number(info.participantCount),
      Number(info.meterCount),
    );
  }

  /** The window's pending claim, or an error saying why there is none. */
  async pendingClaim(window: number): Promise<{ record: WindowRecord; claim: string }> {
    const record = await this.hub.windowRecord(window);
    if (record.status !== WindowStatus.Pending)
      throw new GameMoveError(
        `window ${window} is ${WindowStatus[record.status].toLowerCase()}, not pending: no claim to play on`,
      );
    return { record, claim: claimHash(window, record.windowRoot, record.stateHash, record.balancesRoot) };
  }

  /** Every game open against the window's pending claim (from the module's GameChallenged events). */
  async games(window: number): Promise<GameView[]> {
    const { claim } = await this.pendingClaim(window);
    const game = this.player.game;
    const logs = await this.hub.events(game.filters.GameChallenged(this.hub.opts.hub), game);
    const challengers = new Set<string>();
    for (const log of logs) {
      const a = (log as unknown as { args: { communityId: bigint; claim: string; challenger: string } }).args;
      if (a.communityId === this.hub.opts.communityId && a.claim === claim) challengers.add(a.challenger);
    }
    const views: GameView[] = [];
    for (const challenger of challengers) {
      const state = await this.player.state(claim, challenger);
      if (state.phase !== GamePhase.None)
        views.push({ id: gameId(this.hub.opts.communityId, claim, challenger), challenger, claim, state });
    }
    return views;
  }

  /** The challenge bond of this community: `bondBps` of the participant bond. */
  bond(): Promise<bigint> {
    return challengeBond(this.hub.contract, this.player.game, this.hub.opts.communityId);
  }

  /** Approves the bond if needed and challenges the window's pending claim. */
  async challenge(window: number, from: string): Promise<MoveOutcome & { bond: bigint; claim: string }> {
    const { claim } = await this.pendingClaim(window);
    const bond = await this.bond();
    const balance: bigint = await this.token.balanceOf(from);
    if (balance < bond) throw new GameMoveError(`the challenge bond is ${bond} token units; ${from} holds ${balance}`);
    const allowance: bigint = await this.token.allowance(from, this.hub.opts.hub);
    if (allowance < bond) {
      try {
        await (await this.token.approve(this.hub.opts.hub, bond)).wait(1, TX_TIMEOUT_MS);
      } catch (e) {
        throw new GameMoveError(`approving the bond failed: ${revertReason(e, this.token)}`);
      }
    }
    const out = await this.player.send(window, { action: GameAction.Challenge, claim, challenger: ZeroAddress });
    return { ...out, bond, claim };
  }

  /** The game of `challenger` against the window's pending claim, or an error. */
  async gameOf(window: number, challenger: string): Promise<{ claim: string; state: GameState }> {
    const { claim } = await this.pendingClaim(window);
    const state = await this.player.state(claim, challenger);
    if (state.phase === GamePhase.None)
      throw new GameMoveError(`no open game of ${challenger} against the pending claim of window ${window}`);
    return { claim, state };
  }

  /**
   * As challenger: descend into `side`, or, without one, into a child over padding only that is not empty
   * (junk padding: the claim loses at once, review 5 M2), else where the claim departs from `ours` (a
   * commitment of the window this account holds; at the entries level the node's `GameLoop` compares with
   * chain*(T), by hand the pick is left), else left.
   */
  async pick(window: number, challenger: string, side?: number, ours?: ClaimedWindow): Promise<MoveOutcome> {
    const { claim, state } = await this.gameOf(window, challenger);
    if (state.phase !== GamePhase.Pick)
      throw new GameMoveError(`the game waits for ${GamePhase[state.phase]}, not for the challenger's pick`);
    const chosen =
      side ??
      pickFrom(state, ours, {
        windowIntervals: this.windowIntervals,
        participants: this.participantCount,
        meters: this.meterCount,
      });
    return this.player.send(window, { action: GameAction.Pick, claim, challenger, side: chosen });
  }

  /**
   * As claimant side: answers every game waiting for what `data` (the claim's window: slots, states,
   * tree) can give — a reveal, the opened step's data (`Publish`), an entry's or a meter's opening.
   */
  async answer(window: number, data: ClaimedWindow): Promise<{ challenger: string; outcome: MoveOutcome }[]> {
    const out: { challenger: string; outcome: MoveOutcome }[] = [];
    const games = await this.games(window);
    if (games.length === 0) throw new GameMoveError(`no game is open against the pending claim of window ${window}`);
    for (const g of games) {
      const move = claimantMove(data, g.claim, g.challenger, g.state);
      if (move) out.push({ challenger: g.challenger, outcome: await this.player.send(window, move) });
    }
    if (out.length === 0)
      throw new GameMoveError(
        `no open game waits for a reveal or a publication this data can give (the claim's root is not ${data.commitment.windowRoot}, or the games wait for the challengers)`,
      );
    return out;
  }

  /** Ends every game against the window's claim whose party to move is late (or only `challenger`'s). */
  async resolve(window: number, challenger?: string): Promise<{ challenger: string; outcome: MoveOutcome }[]> {
    const block = await this.provider.getBlock('latest');
    const now = Math.max(block?.timestamp ?? 0, Math.floor(Date.now() / 1000));
    const games = (await this.games(window)).filter(
      (g) => !challenger || g.challenger.toLowerCase() === challenger.toLowerCase(),
    );
    if (games.length === 0) throw new GameMoveError(`no game to resolve against the pending claim of window ${window}`);
    const late = games.filter((g) => now > g.state.deadline);
    if (late.length === 0)
      throw new GameMoveError(
        `no deadline has passed yet (next: ${Math.min(...games.map((g) => g.state.deadline)) - now} s from now)`,
      );
    const out: { challenger: string; outcome: MoveOutcome }[] = [];
    for (const g of late)
      out.push({
        challenger: g.challenger,
        outcome: await this.player.send(window, {
          action: GameAction.Resolve,
          claim: g.claim,
          challenger: g.challenger,
        }),
      });
    return out;
  }
}

/** The stored window (a node's data dir: slots, states, tree) whose root is `windowRoot`. */
export async function storedWindow(
  layout: MeterLayout,
  db: NodeDb,
  window: number,
  windowRoot: string,
): Promise<ClaimedWindow | undefined> {
  const stored = await db.commitments.get({ window, windowRoot });
  if (!stored) return undefined;
  const claimed = parseClaimedWindow(
    layout,
    stored.frames.map((f) => Buffer.from(f, 'utf8')),
  );
  return claimed?.commitment.windowRoot === windowRoot ? claimed : undefined;
}

/** The stored commitment (a node's data dir) whose root is `windowRoot`, as a tree. */
export async function storedTree(
  layout: MeterLayout,
  db: NodeDb,
  window: number,
  windowRoot: string,
): Promise<WindowCommitment | undefined> {
  return (await storedWindow(layout, db, window, windowRoot))?.commitment;
}

/** The first served window (window protocol frames) whose tree hashes to `windowRoot`. */
export function servedWindow(
  layout: MeterLayout,
  answers: Uint8Array[][],
  windowRoot: string,
): ClaimedWindow | undefined {
  for (const frames of answers) {
    // A malformed answer is no answer (undefined: `parseClaimedWindow`).
    const claimed = parseClaimedWindow(layout, frames);
    if (claimed?.commitment.windowRoot === windowRoot) return claimed;
  }
  return undefined;
}

/** The first served commitment (window protocol frames) whose tree hashes to `windowRoot`. */
export function servedTree(
  layout: MeterLayout,
  answers: Uint8Array[][],
  windowRoot: string,
): WindowCommitment | undefined {
  return servedWindow(layout, answers, windowRoot)?.commitment;
}

/** One line per game, for the CLI. */
export function describeGame(g: GameView, now: number): string {
  const { state } = g;
  const meter = state.level === GameLevel.Meter;
  const entries = state.level === GameLevel.Entries;
  const where = meter
    ? ` of the readings tree of step ${state.position}`
    : entries
      ? ` of the entries and state trees of step ${state.position}`
      : '';
  const leaf = meter
    ? `open meter ${state.index} of step ${state.position}`
    : entries
      ? `open entry ${state.index} of step ${state.position}`
      : `reveal leaf ${state.index}`;
  const whose =
    state.phase === GamePhase.Reveal
      ? `claimant side must ${state.height > 0 ? `reveal the children of node (height ${state.height}, index ${state.index})${where}` : leaf}`
      : state.phase === GamePhase.Pick
        ? `challenger must pick a side at height ${state.height}${where}`
        : state.phase === GamePhase.Publish
          ? `claimant side must publish the data of step ${state.index} (E_t, and S_{t-1} or entry N-1)`
          : `meter ${state.index} of step ${state.position} is open (its leaf and meter ${state.index - 1}'s published): the challenger proves fraud with it or concedes`;
  const left = state.deadline - now;
  return `game ${g.id.slice(0, 10)} challenger ${g.challenger} bond ${state.bond}: ${whose}; deadline ${left >= 0 ? `in ${left} s` : `passed ${-left} s ago (resolvable)`}`;
}
