import type { MeterScheme } from '../reading/signature.js';
import type { LimitPrices, MarketParams } from '../window/state.js';
import type { Tariff } from '../window/tariff.js';
import type { LimitBook } from '../window/limits.js';

export { MarketKind, type MarketParams } from '../window/state.js';

export interface MeterInfo {
  index: number;
  publicKey: Uint8Array;
  scheme: MeterScheme;
  /** Index of the owning participant. */
  owner: number;
}

/** Everything a node needs to know about its community, as registered on the hub. */
export interface CommunityInfo {
  chainId: bigint;
  hub: string;
  communityId: bigint;
  participants: string[];
  meters: MeterInfo[];
  intervalSeconds: number;
  windowIntervals: number;
  /** Unix seconds of interval 0. */
  start: number;
  windowCount: number;
  market: MarketParams;
  /**
   * Auction only: the standing limit prices, one pair per participant, as published on chain under the
   * community's `market.limitsHash` (`AuctionMarketStep.LimitsPublished`) and checked against it.
   */
  limits?: LimitPrices[];
  /**
   * Auction only, read from a chain: the community's order book (`LimitBook`, from the auction module's
   * `LimitOrderPosted` events), which gives the prices in force per window (`limitsInForce`); `limits` are
   * then the open's. Absent: `limits` hold for every window (tools, the simulator).
   */
  limitBook?: LimitBook;
  /**
   * A time-of-use community's tariff, as published on chain under its `market.tariffHash`
   * (`TariffPublisher.TariffPublished` of its market module) and checked against it (`checkMarketTariff`);
   * absent = flat prices.
   */
  tariff?: Tariff;
  challengePeriod: number;
  token: string;
  /**
   * The configured escrow each participant deposits at join: everyone's balance before window 0
   * (`genesisBalances`, the hub's genesis balances root). Token units.
   */
  escrow: bigint;
  /**
   * The community's co-signature scheme (named at open): the ECDSA signer set, or BLS12-381 aggregates
   * with every participant's registered key by index (EIP-2537 G2 encoding, 256 bytes).
   */
  coSignature?: { scheme: 'ecdsa' } | { scheme: 'bls'; publicKeys: Uint8Array[] };
}
