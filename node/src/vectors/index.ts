import { auctionVectors } from './auction.js';
import { balancesVectors } from './balances.js';
import { blsVectorFile } from './bls.js';
import { commitmentVectors } from './commitment.js';
import { consentVectors } from './consent.js';
import { disputeVectors } from './dispute.js';
import { ed25519VectorFile } from './ed25519.js';
import { gameVectors } from './game.js';
import { limitOrderVectors } from './limitOrders.js';
import { marketVectors } from './market.js';
import { meterRegistryVectors } from './meters.js';
import { openListVectors } from './open.js';
import { readingVectors } from './readings.js';
import { stepEntryVectors } from './stepEntries.js';
import { tariffVectors } from './tariff.js';
import { updateVectors } from './update.js';

/**
 * Every shared test-vector file: name (under contracts/test/vectors/) -> content.
 * The TypeScript side is the source of truth; forge tests replay these files and a mocha
 * test fails when a committed file differs from what this generates.
 */
export function allVectorFiles(): Record<string, unknown> {
  const readings = readingVectors();
  const market = marketVectors();
  const auction = auctionVectors();
  return {
    'readings.json': { count: readings.length, vectors: readings },
    'commitment.json': commitmentVectors(),
    'market.json': { count: market.length, cases: market },
    'auction.json': { count: auction.length, cases: auction },
    'ed25519.json': ed25519VectorFile(),
    'dispute.json': disputeVectors(),
    'bls.json': blsVectorFile(),
    'update.json': updateVectors(),
    'game.json': gameVectors(),
    'tariff.json': tariffVectors(),
    'balances.json': balancesVectors(),
    'limitOrders.json': limitOrderVectors(),
    'meters.json': meterRegistryVectors(),
    'open.json': openListVectors(),
    'consent.json': consentVectors(),
    'stepEntries.json': stepEntryVectors(),
  };
}

export function renderVectorFile(content: unknown): string {
  return `${JSON.stringify(content, null, 2)}\n`;
}
