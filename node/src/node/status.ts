import type { CommunityClock } from '../community/clock.js';
import type { CommunityInfo } from '../community/types.js';
import type { NodeDb } from '../db/index.js';
import type { MemberRow } from '../chain/claims.js';
import type { Settlement } from './settlement.js';

export interface StatusModules {
  name: string;
  address: string;
  participantIndex: number;
  community: CommunityInfo;
  clock: CommunityClock;
  db: NodeDb;
  settlement: Pick<Settlement, 'windowState' | 'lastFinalWindow'>;
  /** Every member's bond and credit on chain and its balance in the last final window's root. */
  members(): Promise<MemberRow[]>;
  lastCommittedWindow(): number;
  peerId(): string;
  multiaddrs(): string[];
  peers(): string[];
}

/** The node's `/status` document: identity, peers, the recent windows and where each stands. */
export async function statusDocument(m: StatusModules) {
  const { community, clock, db } = m;
  const currentInterval = clock.currentInterval();
  const lastCommitted = m.lastCommittedWindow();
  const windows = [];
  for (
    let w = Math.max(0, lastCommitted - 4);
    w <= Math.min(community.windowCount - 1, clock.windowOf(Math.max(0, currentInterval)));
    w++
  ) {
    const result = await db.windowResults.get(w);
    windows.push({
      window: w,
      readings: result ? result.readingCount : (await db.readings.listWindow(w)).length,
      committed: Boolean(result),
      windowRoot: result?.windowRoot,
      coSignatures: (await db.coSignatures.listWindow(w)).filter((s) => result && s.windowRoot === result.windowRoot)
        .length,
      chain: m.settlement.windowState(w),
    });
  }
  return {
    name: m.name,
    address: m.address,
    participantIndex: m.participantIndex,
    peerId: m.peerId(),
    multiaddrs: m.multiaddrs(),
    peers: m.peers(),
    community: {
      chainId: community.chainId,
      hub: community.hub,
      communityId: community.communityId,
      participants: community.participants.length,
      meters: community.meters.length,
      intervalSeconds: community.intervalSeconds,
      windowIntervals: community.windowIntervals,
      windowCount: community.windowCount,
    },
    currentInterval,
    currentWindow: Math.min(clock.windowOf(Math.max(0, currentInterval)), community.windowCount),
    over: currentInterval >= clock.totalIntervals,
    lastCommittedWindow: lastCommitted,
    lastFinalWindow: m.settlement.lastFinalWindow,
    windows,
    // Token base units as decimal strings; escrow, debt and claim from the last final window's balances root
    // (absent while this node's folds do not give the hub's root).
    balances: (await m.members()).map((r) => ({
      participant: r.address,
      window: r.window,
      bond: r.bond.toString(),
      credit: r.credit.toString(),
      escrow: r.escrow?.toString(),
      debt: r.debt?.toString(),
      claim: r.claim?.toString(),
      paid: r.settled,
    })),
  };
}
