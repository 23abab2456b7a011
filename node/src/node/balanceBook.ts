import type { WindowRecord } from '../chain/hubClient.js';
import type { CommunityInfo } from '../community/types.js';
import type { NodeDb, StoredBalances } from '../db/index.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Logger } from '../util/logger.js';
import { type Balance, balancesRoot, genesisBalances, reactBalances } from '../window/balances.js';
import { tryStateHash, type ParticipantState } from '../window/state.js';

/** The window index of the genesis balances (the balances "before window 0"). */
export const GENESIS_WINDOW = -1;

/**
 * Turns honest balances into what a byzantine node posts (tests and demos: `thiefBalances`); the honest
 * node posts them as they are. Returns the leaves and their total of claims.
 */
export type BalancesStrategy = (honest: Balance[], totalClaims: bigint) => { leaves: Balance[]; totalClaims: bigint };

export interface BalanceBookModules {
  community: CommunityInfo;
  db: NodeDb;
  /** Window `w`'s record when it is final on chain (undefined while it is not, or not read yet). */
  finalRecord(window: number): Promise<WindowRecord | undefined>;
  /**
   * The final state S_w of a partial claim as its `update` carried it in calldata (review 3 B1:
   * `HubClient.claimedFinalState`, the `WindowClaimed` event's transaction), checked here against the
   * record's stateHash. Read before the peers are asked: the chain holds it whoever withholds it.
   * Optional (a fully signed result carries none: its signers, this node among them, hold it).
   */
  chainFinalState?(window: number, record: WindowRecord): Promise<ParticipantState[] | undefined>;
  /**
   * The final state S_w of a claim this node did not fold itself (the claimant's commitment from the
   * peers: its last interval's state), checked here against the record's stateHash. Optional.
   */
  fetchFinalState?(window: number, record: WindowRecord): Promise<ParticipantState[] | undefined>;
  metrics: Metrics | null;
  logger: Logger;
}

/**
 * The node's balances per window (DESIGN.md §6.7): `balances(w) = react(balances(w−1), nets(S_w))`, the
 * genesis before window 0 (the participants in index order, each with the configured escrow), stored per
 * (window, balancesRoot) in the node's store. The balances a window reacts from are those of window w−1
 * **as final on chain** when it is final (the node's own when its result finalized; otherwise rebuilt
 * from the final claim's state and checked against the final root: "adopted"), else the node's own of
 * w−1 (a pending predecessor is expected to finalize as this node folded it; if it does not, the
 * committer folds the later windows again, `WindowCommitter.onWindowFinal`).
 */
export class BalanceBook {
  constructor(private readonly m: BalanceBookModules) {}

  /** Everyone's balance before window 0, as the hub's genesis balances root commits to it. */
  genesis(): StoredBalances {
    const leaves = genesisBalances(this.m.community.participants, this.m.community.escrow);
    return { window: GENESIS_WINDOW, balancesRoot: balancesRoot(leaves, 0n), totalClaims: 0n, leaves };
  }

  /**
   * The balances window `window` reacts from. `anchored`: only balances the chain's final record of
   * window − 1 commits to (what a dispute's proof must carry); undefined when they are not known.
   * Otherwise falls back to the node's own balances of window − 1 (logged) so that the node still folds.
   */
  async before(window: number, anchored = false): Promise<StoredBalances | undefined> {
    if (window <= 0) return this.genesis();
    const previous = window - 1;
    const record = await this.m.finalRecord(previous);
    if (record) {
      const final = await this.finalBalances(previous, record);
      if (final || anchored) return final;
      this.m.logger.warn('balances of the final window unknown: reacting from our own (not what the chain holds)', {
        window: previous,
        balancesRoot: record.balancesRoot,
      });
    } else if (anchored) return undefined;
    const own = await this.m.db.windowResults.get(previous);
    return own ? this.m.db.balances.get({ window: previous, balancesRoot: own.balancesRoot }) : undefined;
  }

  /**
   * Reacts window `window`'s final state `finalState` on the balances it reacts from, stores the result
   * under its root and returns it; `strategy` (a byzantine mode) may change it before it is stored.
   * Throws when the previous balances are unknown or the state is not balanced (no honest fold is).
   */
  async after(window: number, finalState: readonly ParticipantState[], strategy?: BalancesStrategy) {
    const previous = await this.before(window);
    if (!previous) throw new Error(`window ${window}: the balances of window ${window - 1} are unknown`);
    let { leaves, totalClaims } = react(previous, finalState);
    if (strategy) ({ leaves, totalClaims } = strategy(leaves, totalClaims));
    const stored: StoredBalances = { window, balancesRoot: balancesRoot(leaves, totalClaims), totalClaims, leaves };
    await this.m.db.balances.put({ window, balancesRoot: stored.balancesRoot }, stored);
    return stored;
  }

  /**
   * The balances the final record of `window` commits to: stored (our own result finalized, or adopted
   * before), or adopted now from the final claim's state (ours when we folded the same state, a stored
   * commitment with that root, or the claimant's commitment from the peers), rebuilt from the final
   * balances of the window before and checked against the record's root. Undefined when no source holds
   * the state or the rebuilt root differs (the chain then holds balances no honest reaction gives: only
   * possible for a fully signed result).
   */
  async finalBalances(window: number, record: WindowRecord): Promise<StoredBalances | undefined> {
    const held = await this.m.db.balances.get({ window, balancesRoot: record.balancesRoot });
    if (held) return held;
    const state = await this.finalStateOf(window, record);
    if (!state) return undefined;
    const previous = await this.before(window, true);
    if (!previous) return undefined;
    let next: { leaves: Balance[]; totalClaims: bigint };
    try {
      next = react(previous, state);
    } catch (e) {
      this.m.logger.warn('final state of the chain cannot be reacted', { window, reason: (e as Error).message });
      return undefined;
    }
    const root = balancesRoot(next.leaves, next.totalClaims);
    if (root.toLowerCase() !== record.balancesRoot.toLowerCase()) {
      this.m.metrics?.auditDisagreements.inc();
      this.m.logger.warn('the final balances root is not the reaction of the final state', {
        window,
        onChain: record.balancesRoot,
        reacted: root,
      });
      return undefined;
    }
    const stored: StoredBalances = { window, balancesRoot: root, totalClaims: next.totalClaims, leaves: next.leaves };
    await this.m.db.balances.put({ window, balancesRoot: root }, stored);
    this.m.logger.info('balances adopted from the final claim', { window, balancesRoot: root });
    return stored;
  }

  /**
   * S_w of the claim `record`: from our own result, the calldata of the partial claim's `update` (review 3
   * B1: balances(w−1) is computable from chain data plus the node's own signed windows), or the peers.
   */
  private async finalStateOf(window: number, record: WindowRecord): Promise<ParticipantState[] | undefined> {
    const own = await this.m.db.windowResults.get(window);
    if (own && own.stateHash === record.stateHash) return own.finalState;
    const onChain = await this.m.chainFinalState?.(window, record).catch((e: unknown) => {
      this.m.logger.warn('final state not read from the claim transaction', {
        window,
        reason: (e as Error).message,
      });
      return undefined;
    });
    if (onChain && tryStateHash(onChain) === record.stateHash) {
      this.m.logger.info('final state read from the claim transaction', { window });
      return onChain;
    }
    const fetched = await this.m.fetchFinalState?.(window, record).catch(() => undefined);
    return fetched && tryStateHash(fetched) === record.stateHash ? fetched : undefined;
  }
}

/** One window's reaction: the next leaves and their total of claims (the spec's chain of roots). */
export function react(
  previous: Pick<StoredBalances, 'leaves' | 'totalClaims'>,
  finalState: readonly ParticipantState[],
): { leaves: Balance[]; totalClaims: bigint } {
  const { next, claimsAdded } = reactBalances(
    previous.leaves,
    finalState.map((s) => s.net),
  );
  return { leaves: next, totalClaims: previous.totalClaims + claimsAdded };
}

/**
 * Byzantine mode `thief-balances`: honest windowRoot and stateHash, and a balancesRoot that gives the
 * submitter (`thief`) everyone's escrow. Σ escrow is kept, so nothing but a BadBalances dispute (the
 * reaction recomputed from the previous final balances) shows it.
 */
export function thiefBalances(thief: number): BalancesStrategy {
  return (honest, totalClaims) => {
    const total = honest.reduce((s, b) => s + b.escrow, 0n);
    return {
      leaves: honest.map((b, i) => ({ ...b, escrow: i === thief ? total : 0n })),
      totalClaims,
    };
  };
}
