import type { CommunityInfo } from '../community/types.js';
import { CommunityClock } from '../community/clock.js';
import type { WindowRecord } from '../chain/hubClient.js';
import { WindowStatus } from '../chain/hubClient.js';
import { storeValidReading, validateReading } from '../chain/validation/reading.js';
import { GossipValidationError } from '../chain/errors.js';
import type { NodeDb, StoredWindowResult } from '../db/index.js';
import { MeterKeyRing } from '../reading/meterKeys.js';
import { assembleStoredWindow, type AssembledWindow } from '../window/assemble.js';
import { foldAndCommit, type FoldedWindow } from '../window/fold.js';
import { popcount } from '../util/bits.js';
import { balancesRoot } from '../window/balances.js';
import { type BalanceBook, react } from '../node/balanceBook.js';

export type AuditVerdict = 'agree' | 'disagree' | 'not-on-chain';

export interface AuditReport {
  window: number;
  verdict: AuditVerdict;
  chain: { status: string; windowRoot: string; stateHash: string; balancesRoot: string; signers: number };
  replay: {
    windowRoot: string;
    stateHash: string;
    /**
     * The reaction of the replayed S_w on the final balances of window − 1 (undefined when those are not
     * known to the auditor, or no balances were given: the balances root is then not checked).
     */
    balancesRoot?: string;
    readings: number;
    expected: number;
    voidedSlots: number;
    rejected: number;
  };
  /** When a claimed per-interval commitment is at hand: the first interval where it departs from the replay. */
  firstDifference?: { interval: number; what: 'readings' | 'state' };
  folded: FoldedWindow;
  assembled: AssembledWindow;
}

/**
 * Replays one window from signed readings alone (an auditor needs no stake and trusts no node):
 * every reading is validated as the node would, the window is folded with F and committed, and
 * the commitment is compared with what is on chain.
 */
export async function auditWindow(
  community: CommunityInfo,
  window: number,
  modules: {
    db: NodeDb;
    record: WindowRecord;
    /** Signed readings (wire form) from any source: a node's store, peers, files. */
    readings: Uint8Array[];
    /** The claimant's per-interval commitment, when a node served it (narrows the dispute). */
    claimed?: StoredWindowResult;
    /** The final balances per window (`BalanceBook`): with them the balances root is checked too. */
    balances?: BalanceBook;
  },
): Promise<AuditReport> {
  const { db, record } = modules;
  const clock = new CommunityClock(community);
  const keys = new MeterKeyRing(community.meters);
  let rejected = 0;
  for (const bytes of modules.readings) {
    try {
      const valid = await validateReading(
        { community, clock, keys, db, maxFutureIntervals: Number.MAX_SAFE_INTEGER, isWindowSettled: () => false },
        bytes,
      );
      if (valid.window === window) await storeValidReading(db, valid);
    } catch (e) {
      if (!(e instanceof GossipValidationError)) throw e;
      if (e.action === 'REJECT') rejected++;
    }
  }
  const assembled = await assembleStoredWindow(db, community, window);
  const folded = foldAndCommit(community, window, assembled);
  const onChain = record.status !== WindowStatus.None;
  const previous = await modules.balances?.before(window, true);
  let replayedBalances: string | undefined;
  if (previous) {
    try {
      const next = react(previous, folded.finalState);
      replayedBalances = balancesRoot(next.leaves, next.totalClaims);
    } catch {
      replayedBalances = undefined; // an honest fold always balances; nothing to compare then
    }
  }
  const agree =
    folded.commitment.windowRoot === record.windowRoot &&
    folded.stateHash === record.stateHash &&
    (replayedBalances === undefined || replayedBalances.toLowerCase() === record.balancesRoot.toLowerCase());
  let firstDifference: AuditReport['firstDifference'];
  if (modules.claimed && !agree) {
    const claimed = modules.claimed.intervals;
    for (let i = 0; i < folded.commitment.intervals.length; i++) {
      const mine = folded.commitment.intervals[i];
      const theirs = claimed[i];
      if (!theirs || theirs.readingsRoot !== mine.readingsRoot) {
        firstDifference = { interval: mine.interval, what: 'readings' };
        break;
      }
      if (theirs.stateHash !== mine.stateHash) {
        firstDifference = { interval: mine.interval, what: 'state' };
        break;
      }
    }
  }
  return {
    window,
    verdict: !onChain ? 'not-on-chain' : agree ? 'agree' : 'disagree',
    chain: {
      status: WindowStatus[record.status].toLowerCase(),
      windowRoot: record.windowRoot,
      stateHash: record.stateHash,
      balancesRoot: record.balancesRoot,
      signers: popcount(record.signers),
    },
    replay: {
      windowRoot: folded.commitment.windowRoot,
      stateHash: folded.stateHash,
      balancesRoot: replayedBalances,
      readings: assembled.readingCount,
      expected: community.windowIntervals * community.meters.length,
      voidedSlots: assembled.voidedSlots,
      rejected,
    },
    firstDifference,
    folded,
    assembled,
  };
}
