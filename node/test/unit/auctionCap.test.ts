import { expect } from 'chai';
import type { Wallet } from 'ethers';
import { type Deployment, openCommunity } from '../../src/devnet/deploy.js';
import { MAX_AUCTION_PARTICIPANTS, MarketError, MarketErrorCode, MarketKind } from '../../src/window/index.js';

// Issue 10: the devnet refuses an auction community over the hub's bound before it sends anything (no
// limits published, no open): the hub would revert `TooManyParticipantsForMarket(count, max)`.
describe('devnet openCommunity: the auction community bound', () => {
  it('refuses MAX_AUCTION_PARTICIPANTS + 1 members with the hub wording, before any transaction', async () => {
    const n = MAX_AUCTION_PARTICIPANTS + 1;
    let sent = 0;
    const deployment = {
      hub: {
        connect: () => {
          sent++;
          return {};
        },
      },
    } as unknown as Deployment;
    const participants = Array.from({ length: n }, (_, i) => ({
      address: `0x${(i + 1).toString(16).padStart(40, '0')}`,
    }));
    const spec = {
      participants: participants as unknown as Wallet[],
      meters: [],
      intervalSeconds: 900,
      windowIntervals: 4,
      start: 0,
      windowCount: 1,
      market: { kind: MarketKind.Auction, gridBuyPrice: 250n, gridSellPrice: 50n, feederCapacityWh: 0n },
      limits: participants.map(() => ({ bidPrice: 200n, askPrice: 100n })),
      bond: 1n,
      escrow: 1n,
      challengePeriod: 60,
    };
    const err = await openCommunity(deployment, {} as Wallet, spec).then(
      () => expect.fail('opened'),
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(MarketError);
    expect((err as MarketError).code).to.equal(MarketErrorCode.TOO_MANY_PARTICIPANTS_FOR_MARKET);
    expect((err as MarketError).message).to.contain(`TooManyParticipantsForMarket(${n}, ${MAX_AUCTION_PARTICIPANTS})`);
    expect(sent).to.equal(0);
  });
});
