import type { CommunityInfo } from '../community/types.js';
import type { HubClient, WindowRecord } from '../chain/hubClient.js';
import type { NodeDb } from '../db/index.js';
import type { Metrics } from '../metrics/metrics.js';
import type { MeterKeyRing } from '../reading/meterKeys.js';
import { deserializeSignedReading } from '../reading/signature.js';
import { fromHex } from '../util/hex.js';
import type { Logger } from '../util/logger.js';
import { assembleStoredWindow } from '../window/assemble.js';
import type { MeterLayout } from '../window/commitment.js';
import { commitLayout } from '../window/fold.js';
import { stateFromStrings, tryStateHash, type ParticipantState } from '../window/state.js';
import { badBalancesProof } from '../window/disputeProof.js';
import { balancesRoot } from '../window/balances.js';
import { BalanceBook, react } from '../node/balanceBook.js';
import { WindowStatus } from '../chain/hubClient.js';
import { buildCheapestProof, claimFromServed, DisputeKind, type ClaimedWindow, type Proof } from './proofs.js';

/**
 * Parses the `commitment` frames of the window protocol. They come from a peer: frames that do not
 * parse (not JSON, another shape, a slot that is not a signed reading, a state field that is not an
 * integer) are no answer (undefined), never a throw, so that the callers go on with the next peer's
 * answer (a junk answer listed first must not stop a dispute: DESIGN §6.3).
 */
export function parseClaimedWindow(layout: MeterLayout, frames: Uint8Array[]): ClaimedWindow | undefined {
  if (frames.length === 0) return undefined;
  try {
    const rows = frames.map(
      (f) =>
        JSON.parse(Buffer.from(f).toString('utf8')) as {
          interval: number;
          slots: (string | null)[];
          state: Record<keyof ParticipantState, string>[];
        },
    );
    return claimFromServed(
      layout,
      rows[0].interval,
      rows.map((r) => r.slots.map((s) => (s ? deserializeSignedReading(fromHex(s)) : undefined))),
      rows.map((r) => r.state.map(stateFromStrings)),
    );
  } catch {
    return undefined;
  }
}

/**
 * S_w of the claim with root `windowRoot` from the peers' `commitment` answers (its last interval's
 * state), or undefined when no answer has that root. The caller checks the state against the claim's
 * stateHash.
 */
export function claimFinalState(
  layout: MeterLayout,
  answers: Uint8Array[][],
  windowRoot: string,
): ParticipantState[] | undefined {
  for (const frames of answers) {
    const claim = parseClaimedWindow(layout, frames);
    if (claim && claim.commitment.windowRoot === windowRoot) return [...claim.states[claim.states.length - 1]];
  }
  return undefined;
}

/**
 * The balances of an outside auditor or challenger (`diversity audit`, `diversity dispute`), which holds
 * none: every window's final record read from the hub, and the final balances rebuilt from genesis window
 * by window from the final claims' states the peers serve (each checked against its final record).
 */
export function outsiderBalanceBook(
  community: CommunityInfo,
  db: NodeDb,
  hub: HubClient,
  fetchCommitments: (window: number) => Promise<Uint8Array[][]>,
  logger: Logger,
): BalanceBook {
  return new BalanceBook({
    community,
    db,
    finalRecord: async (w) => {
      const r = await hub.windowRecord(w);
      return r.status === WindowStatus.Final ? r : undefined;
    },
    chainFinalState: async (w, r) => hub.claimedFinalState(w, r),
    fetchFinalState: async (w, r) => claimFinalState(commitLayout(community), await fetchCommitments(w), r.windowRoot),
    metrics: null,
    logger,
  });
}

export interface DisputerModules {
  community: CommunityInfo;
  /** Our participant index (undefined for an outside auditor): decides which omissions we may raise. */
  participantIndex?: number;
  keys: MeterKeyRing;
  db: NodeDb;
  hub: HubClient;
  /** The node's balances per window: the final balances of w−1 a BadBalances proof carries. */
  balances: BalanceBook;
  /** Asks the connected peers for the claimant's commitment of a window. */
  fetchCommitments(window: number): Promise<Uint8Array[][]>;
  metrics: Metrics | null;
  logger: Logger;
}

/**
 * Turns a disagreement with a pending claim into a fraud proof on chain: fetch the claimant's
 * commitment (any peer that holds the one whose root is on chain), compare it with the signed
 * readings this node holds, and send the cheapest proof that applies.
 */
export class Disputer {
  constructor(private readonly modules: DisputerModules) {}

  /** Finds a proof against the pending claim of `window`, or says why there is none. */
  async prove(window: number, record: WindowRecord): Promise<{ proof?: Proof; reason?: string }> {
    const { community, keys, db } = this.modules;
    // We folded the claim's window and state: only its balances can be wrong (no peer data needed).
    const own = await db.windowResults.get(window);
    if (own && own.windowRoot === record.windowRoot && own.stateHash === record.stateHash) {
      const proof = await this.balancesProof(window, record, own.finalState);
      return proof
        ? { proof }
        : { reason: 'the claim agrees with our fold, or the final balances of the window before are unknown' };
    }
    let claim: ClaimedWindow | undefined;
    for (const frames of await this.modules.fetchCommitments(window)) {
      const candidate = parseClaimedWindow(commitLayout(community), frames);
      if (candidate && candidate.commitment.windowRoot === record.windowRoot) {
        claim = candidate;
        break;
      }
    }
    if (!claim)
      return {
        reason: 'no peer serves a commitment with the root on chain (withheld data: bisection is not implemented)',
      };
    // Our slots already void equivocated readings: they are never held against a claim.
    const ours = await assembleStoredWindow(db, community, window);
    const proof =
      buildCheapestProof(community, keys, claim, record.stateHash, ours.slots, {
        signers: record.signers,
        disputer: this.modules.participantIndex,
      }) ?? (await this.balancesProof(window, record, claim.states[claim.states.length - 1]));
    return proof ? { proof } : { reason: 'the claim agrees with every signed reading this node holds' };
  }

  /**
   * BadBalances (kind 6) against `record`, whose final state is `finalState` (it must hash to the claim's
   * stateHash): the balances of window − 1 as final on chain and the state, when the reaction of the one
   * on the other does not give the claim's balancesRoot, or cannot be computed at all (Σ net ≠ 0, a
   * field out of range: fraud by itself on chain). Undefined when the balances are right or the final
   * balances of window − 1 are not known here.
   */
  async balancesProof(
    window: number,
    record: WindowRecord,
    finalState: readonly ParticipantState[],
  ): Promise<Proof | undefined> {
    if (tryStateHash([...finalState]) !== record.stateHash) return undefined;
    const previous = await this.modules.balances.before(window, true);
    if (!previous || previous.leaves.length !== finalState.length) return undefined;
    let expected: string | undefined;
    try {
      const next = react(previous, finalState);
      expected = balancesRoot(next.leaves, next.totalClaims);
    } catch {
      expected = undefined; // the state itself is malformed for the hub: fraud whatever the root
    }
    if (expected !== undefined && expected.toLowerCase() === record.balancesRoot.toLowerCase()) return undefined;
    return {
      kind: DisputeKind.BadBalances,
      data: badBalancesProof(previous.leaves, previous.totalClaims, finalState),
      summary:
        expected === undefined
          ? 'the final state cannot be reacted (malformed for the hub)'
          : `balancesRoot ${record.balancesRoot} is not the reaction of the final balances of window ${window - 1} (${expected})`,
    };
  }

  /** Proves and sends; true when the hub accepted the dispute. */
  async dispute(window: number, record: WindowRecord): Promise<boolean> {
    const { hub, logger, metrics } = this.modules;
    const { proof, reason } = await this.prove(window, record);
    if (!proof) {
      logger.warn('cannot dispute', { window, reason });
      return false;
    }
    logger.warn('disputing window', { window, kind: DisputeKind[proof.kind], what: proof.summary });
    try {
      const receipt = await hub.dispute(window, proof.kind, proof.data, record);
      metrics?.disputes.inc({ kind: DisputeKind[proof.kind], result: 'accepted' });
      logger.warn('dispute accepted: claim rejected', {
        window,
        kind: DisputeKind[proof.kind],
        gasUsed: receipt.gasUsed,
      });
      return true;
    } catch (e) {
      metrics?.disputes.inc({ kind: DisputeKind[proof.kind], result: 'failed' });
      const err = e as { shortMessage?: string; message?: string };
      logger.warn('dispute failed', { window, kind: DisputeKind[proof.kind], reason: err.shortMessage ?? err.message });
      return false;
    }
  }
}
