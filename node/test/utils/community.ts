import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { CommunityClock } from '../../src/community/clock.js';
import type { CommunityInfo } from '../../src/community/types.js';
import { MarketKind } from '../../src/window/state.js';
import { NodeDb } from '../../src/db/index.js';
import { meterKeyPair, MeterScheme, type MeterKeyPair } from '../../src/reading/signature.js';
import { seedFor } from '../../src/vectors/readings.js';

export const HUB = '0x5fbdb2315678afecb367f032d93f642f64180aa3';

/** A community of `n` participants with one Ed25519 meter each, starting at t = 1,000,000. */
export function testCommunity(n = 3, overrides: Partial<CommunityInfo> = {}) {
  const wallets = Array.from(
    { length: n },
    (_, i) => new Wallet(`0x${Buffer.from(seedFor(`participant-${i}`)).toString('hex')}`),
  );
  const meterKeys: MeterKeyPair[] = Array.from({ length: n }, (_, i) => meterKeyPair(seedFor(`meter-${i}`)));
  const community: CommunityInfo = {
    chainId: 31337n,
    hub: HUB,
    communityId: 1n,
    participants: wallets.map((w) => w.address),
    meters: meterKeys.map((k, i) => ({ index: i, publicKey: k.publicKey, scheme: MeterScheme.Ed25519, owner: i })),
    intervalSeconds: 10,
    windowIntervals: 4,
    start: 1_000_000,
    windowCount: 10,
    market: {
      kind: MarketKind.Mmr,
      gridBuyPrice: 250n * 10n ** 15n,
      gridSellPrice: 50n * 10n ** 15n,
      feederCapacityWh: 0n,
    },
    challengePeriod: 60,
    token: `0x${'22'.repeat(20)}`,
    escrow: 10n ** 21n,
    ...overrides,
  };
  return { community, wallets, meterKeys };
}

/** A clock whose time the test sets. */
export function manualClock(community: CommunityInfo, now: number) {
  const state = { now };
  return { state, clock: new CommunityClock(community, () => state.now) };
}

export async function tempDb(): Promise<{ db: NodeDb; cleanup: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'diversity-db-'));
  const db = await NodeDb.open(dir);
  return {
    db,
    cleanup: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
