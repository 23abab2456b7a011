import { ZeroHash } from 'ethers';
import { clearAuction } from '../window/auction.js';
import { emptyState, intervalEnergy, marketStep, netPositions } from '../window/market.js';
import { randomMeterOwners, randomReadings, stateColumns } from './market.js';
import {
  MarketKind,
  U128_MAX,
  U32_MAX,
  limitsHash,
  tryStateHash,
  type LimitPrices,
  type MarketParams,
  type MeterEnergy,
  type ParticipantState,
} from '../window/state.js';
import { SeededRandom } from './prng.js';

/** Grid prices in force for one interval (a time-of-use tariff changes them between intervals). */
export interface IntervalPrices {
  gridBuyPrice: bigint;
  gridSellPrice: bigint;
}

/** One auction case: limits, feeder capacity, and per interval the grid prices and the readings. */
export interface AuctionCase {
  name: string;
  participants: number;
  meterOwner: number[];
  feederCapacityWh: bigint;
  limits: LimitPrices[];
  steps: { prices: IntervalPrices; readings: MeterEnergy[] }[];
}

/**
 * JSON layout (`contracts/test/vectors/auction.json`); integers beyond 2^53 are decimal strings.
 *
 * ```
 * { count, cases: [ { name, participants, meters, meterOwner: [uint32], feederCapacityWh,
 *     bidPrice: [uint128], askPrice: [uint128], limitsHash, stepCount,
 *     steps: [ { gridBuyPrice, gridSellPrice,                                 // in force for the interval
 *                present: [bool], exportWh: [uint32], importWh: [uint32],     // R_t, by meter
 *                matchedWh, marginalBid, marginalAsk, value,                  // the clearing
 *                state: { exportWh, ..., net },                               // S_t, by participant
 *                hash } ] } ] }                                               // stateHash(S_t), 0 if S_t has none
 * ```
 * Steps fold from S_0 = all zeros.
 */
export interface AuctionVector {
  name: string;
  participants: number;
  meters: number;
  meterOwner: number[];
  feederCapacityWh: string;
  bidPrice: string[];
  askPrice: string[];
  /** keccak256(abi.encode(LimitPrices[])) of bidPrice/askPrice (`limitsHash`). */
  limitsHash: string;
  stepCount: number;
  steps: AuctionStepVector[];
}

export interface AuctionStepVector {
  gridBuyPrice: string;
  gridSellPrice: string;
  present: boolean[];
  exportWh: number[];
  importWh: number[];
  matchedWh: string;
  marginalBid: string;
  marginalAsk: string;
  value: string;
  state: Record<keyof ParticipantState, string[]>;
  hash: string;
}

const on = (exportWh: number, importWh: number): MeterEnergy => ({ present: true, exportWh, importWh });
const off = (exportWh = 0, importWh = 0): MeterEnergy => ({ present: false, exportWh, importWh });
const lim = (bidPrice: bigint, askPrice: bigint): LimitPrices => ({ bidPrice, askPrice });
const px = (gridBuyPrice: bigint, gridSellPrice: bigint): IntervalPrices => ({ gridBuyPrice, gridSellPrice });
/** One meter per participant. */
const own = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

export function auctionParams(prices: IntervalPrices, feederCapacityWh: bigint): MarketParams {
  return { kind: MarketKind.Auction, ...prices, feederCapacityWh };
}

/** Hand-picked edge cases. */
export function edgeAuctionCases(): AuctionCase[] {
  const flat = px(300n, 50n);
  const cases: AuctionCase[] = [
    {
      name: 'one seller, one buyer, limits cross',
      participants: 2,
      meterOwner: own(2),
      feederCapacityWh: 0n,
      limits: [lim(0n, 100n), lim(200n, 0n)],
      steps: [{ prices: flat, readings: [on(500, 0), on(0, 300)] }],
    },
    {
      name: 'limits do not cross: no trade',
      participants: 2,
      meterOwner: own(2),
      feederCapacityWh: 0n,
      limits: [lim(0n, 250n), lim(120n, 0n)],
      steps: [{ prices: flat, readings: [on(500, 0), on(0, 300)] }],
    },
    {
      name: 'bid equal to ask trades at that price',
      participants: 2,
      meterOwner: own(2),
      feederCapacityWh: 0n,
      limits: [lim(0n, 150n), lim(150n, 0n)],
      steps: [{ prices: flat, readings: [on(40, 0), on(0, 70)] }],
    },
    {
      name: 'merit order: cheapest asks and dearest bids first',
      participants: 6,
      meterOwner: own(6),
      feederCapacityWh: 0n,
      limits: [lim(0n, 60n), lim(0n, 180n), lim(0n, 90n), lim(280n, 0n), lim(100n, 0n), lim(200n, 0n)],
      steps: [
        { prices: flat, readings: [on(100, 0), on(100, 0), on(100, 0), on(0, 120), on(0, 120), on(0, 120)] },
        { prices: flat, readings: [on(10, 0), on(300, 0), on(0, 0), on(0, 50), on(0, 400), on(0, 5)] },
      ],
    },
    {
      name: 'ties at the margin: pro-rata rationing among equal bids',
      participants: 4,
      meterOwner: own(4),
      feederCapacityWh: 0n,
      limits: [lim(0n, 100n), lim(200n, 0n), lim(200n, 0n), lim(200n, 0n)],
      steps: [{ prices: flat, readings: [on(100, 0), on(0, 30), on(0, 60), on(0, 90)] }],
    },
    {
      name: 'ties at the margin: pro-rata rationing among equal asks, remainders by index',
      participants: 5,
      meterOwner: own(5),
      feederCapacityWh: 0n,
      limits: [lim(0n, 80n), lim(0n, 80n), lim(0n, 80n), lim(250n, 0n), lim(0n, 70n)],
      steps: [
        { prices: flat, readings: [on(7, 0), on(7, 0), on(7, 0), on(0, 11), on(1, 0)] },
        { prices: flat, readings: [on(1, 0), on(1, 0), on(1, 0), on(0, 2), on(0, 0)] },
      ],
    },
    {
      name: 'ties on both sides at the margin',
      participants: 6,
      meterOwner: own(6),
      feederCapacityWh: 0n,
      limits: [lim(0n, 100n), lim(0n, 100n), lim(0n, 100n), lim(160n, 0n), lim(160n, 0n), lim(160n, 0n)],
      steps: [
        { prices: flat, readings: [on(13, 0), on(29, 0), on(5, 0), on(0, 17), on(0, 3), on(0, 23)] },
        { prices: flat, readings: [on(1000, 0), on(1, 0), on(0, 0), on(0, 333), on(0, 333), on(0, 333)] },
      ],
    },
    {
      name: 'only sellers',
      participants: 3,
      meterOwner: own(3),
      feederCapacityWh: 0n,
      limits: [lim(0n, 10n), lim(0n, 0n), lim(999n, 999n)],
      steps: [{ prices: flat, readings: [on(100, 0), on(5, 0), on(70, 3)] }],
    },
    {
      name: 'only buyers',
      participants: 3,
      meterOwner: own(3),
      feederCapacityWh: 0n,
      limits: [lim(300n, 0n), lim(0n, 0n), lim(1n, 1n)],
      steps: [{ prices: flat, readings: [on(0, 100), on(0, 5), on(3, 70)] }],
    },
    {
      name: 'nobody metered anything',
      participants: 3,
      meterOwner: own(3),
      feederCapacityWh: 0n,
      limits: [lim(300n, 0n), lim(0n, 0n), lim(1n, 1n)],
      steps: [{ prices: flat, readings: [on(0, 0), on(4, 4), off(9, 9)] }],
    },
    {
      name: 'feeder capacity binding cuts into the margin',
      participants: 4,
      meterOwner: own(4),
      feederCapacityWh: 250n,
      limits: [lim(0n, 60n), lim(0n, 120n), lim(280n, 0n), lim(150n, 0n)],
      steps: [
        { prices: flat, readings: [on(200, 0), on(200, 0), on(0, 200), on(0, 200)] },
        { prices: flat, readings: [on(100, 0), on(0, 0), on(0, 30), on(0, 300)] },
      ],
    },
    {
      name: 'feeder capacity equal to the crossed volume',
      participants: 2,
      meterOwner: own(2),
      feederCapacityWh: 300n,
      limits: [lim(0n, 60n), lim(280n, 0n)],
      steps: [{ prices: flat, readings: [on(500, 0), on(0, 300)] }],
    },
    {
      name: 'feeder capacity of one Wh among tied orders',
      participants: 4,
      meterOwner: own(4),
      feederCapacityWh: 1n,
      limits: [lim(0n, 60n), lim(0n, 60n), lim(280n, 0n), lim(280n, 0n)],
      steps: [{ prices: flat, readings: [on(5, 0), on(5, 0), on(0, 5), on(0, 5)] }],
    },
    {
      name: 'zero prices everywhere',
      participants: 3,
      meterOwner: own(3),
      feederCapacityWh: 0n,
      limits: [lim(0n, 0n), lim(0n, 0n), lim(0n, 0n)],
      steps: [
        { prices: px(0n, 0n), readings: [on(100, 0), on(0, 60), on(0, 60)] },
        { prices: px(0n, 0n), readings: [on(0, 9), on(0, 0), on(20, 0)] },
      ],
    },
    {
      name: 'zero grid buy price caps every bid at zero',
      participants: 2,
      meterOwner: own(2),
      feederCapacityWh: 0n,
      limits: [lim(0n, 0n), lim(500n, 0n)],
      steps: [{ prices: px(0n, 0n), readings: [on(100, 0), on(0, 60)] }],
    },
    {
      name: 'grid prices clamp the limits (bids above grid buy, asks below grid sell)',
      participants: 4,
      meterOwner: own(4),
      feederCapacityWh: 0n,
      limits: [lim(0n, 0n), lim(0n, 10n), lim(10_000n, 0n), lim(400n, 0n)],
      steps: [{ prices: px(250n, 80n), readings: [on(50, 0), on(50, 0), on(0, 60), on(0, 60)] }],
    },
    {
      name: 'time-of-use: the grid prices change between intervals',
      participants: 3,
      meterOwner: own(3),
      feederCapacityWh: 0n,
      limits: [lim(0n, 90n), lim(240n, 0n), lim(160n, 0n)],
      steps: [
        { prices: px(150n, 40n), readings: [on(100, 0), on(0, 70), on(0, 70)] },
        { prices: px(300n, 100n), readings: [on(100, 0), on(0, 70), on(0, 70)] },
        { prices: px(80n, 95n), readings: [on(100, 0), on(0, 70), on(0, 70)] },
      ],
    },
    {
      name: 'multi-meter participants net their meters',
      participants: 3,
      meterOwner: [0, 0, 1, 2, 2],
      feederCapacityWh: 0n,
      limits: [lim(200n, 70n), lim(260n, 90n), lim(180n, 60n)],
      steps: [
        { prices: flat, readings: [on(300, 0), on(0, 120), on(0, 250), on(90, 0), on(0, 10)] },
        { prices: flat, readings: [on(0, 500), on(100, 0), on(200, 0), off(50, 0), on(0, 80)] },
      ],
    },
    {
      name: 'one participant',
      participants: 1,
      meterOwner: [0, 0],
      feederCapacityWh: 0n,
      limits: [lim(300n, 0n)],
      steps: [{ prices: flat, readings: [on(700, 0), on(0, 200)] }],
    },
    {
      name: 'odd prices leave value remainders',
      participants: 5,
      meterOwner: own(5),
      feederCapacityWh: 0n,
      limits: [lim(0n, 1_000_003n), lim(0n, 1_000_007n), lim(3_333_331n, 0n), lim(3_333_333n, 0n), lim(3_333_331n, 0n)],
      steps: [
        { prices: px(3_333_333n, 999_999n), readings: [on(7, 0), on(3, 0), on(0, 3), on(0, 1), on(0, 5)] },
        { prices: px(3_333_333n, 999_999n), readings: [on(1, 0), on(1, 0), on(0, 1), on(0, 1), on(0, 1)] },
      ],
    },
    {
      name: 'maximum values: uint32 readings, uint128 prices and limits, uint64 capacity',
      participants: 4,
      meterOwner: [0, 0, 0, 1, 2, 2, 3],
      feederCapacityWh: (1n << 64n) - 1n,
      limits: [lim(U128_MAX, 0n), lim(U128_MAX, U128_MAX - 1n), lim(U128_MAX, 1n), lim(U128_MAX, U128_MAX)],
      steps: [
        {
          prices: px(U128_MAX, U128_MAX - 12345n),
          readings: [
            on(U32_MAX, 0),
            on(U32_MAX, 0),
            on(U32_MAX, 1),
            on(0, U32_MAX),
            on(0, U32_MAX),
            on(0, U32_MAX),
            on(U32_MAX, U32_MAX),
          ],
        },
        {
          prices: px(U128_MAX, 0n),
          readings: [
            on(U32_MAX, U32_MAX),
            on(0, U32_MAX),
            on(U32_MAX, 0),
            on(U32_MAX, 0),
            on(1, U32_MAX),
            off(),
            on(0, U32_MAX - 7),
          ],
        },
        {
          prices: px(U128_MAX, U128_MAX),
          readings: [
            on(0, U32_MAX),
            on(0, U32_MAX),
            on(0, U32_MAX),
            on(U32_MAX, 0),
            on(U32_MAX, 0),
            on(U32_MAX, 3),
            on(U32_MAX, 0),
          ],
        },
      ],
    },
  ];
  return cases;
}

/**
 * Seeded random cases: up to 12 participants, prices drawn from a few levels so that ties at the margin
 * are frequent, some with a feeder capacity, each interval with its own grid prices.
 */
export function randomAuctionCases(count = 48, seed = 0xa0c7): AuctionCase[] {
  const rng = new SeededRandom(seed);
  const cases: AuctionCase[] = [];
  for (let c = 0; c < count; c++) {
    const participants = rng.int(1, 12);
    const meterOwner = randomMeterOwners(rng, participants, 3);
    const meters = meterOwner.length;
    const scale = [3, 100, 5000, U32_MAX][rng.below(4)];
    const levels = [0n, 50n, 80n, 120n, 120n, 200n, 250n, 300n, BigInt(rng.int(0, 400))];
    const pick = (): bigint => levels[rng.below(levels.length)];
    const limits = Array.from({ length: participants }, () => lim(pick(), pick()));
    const feederCapacityWh = rng.chance(0.35) ? BigInt(rng.int(1, Math.min(scale * 3, U32_MAX))) : 0n;
    const stepCount = rng.int(1, 4);
    const steps = Array.from({ length: stepCount }, () => {
      const sell = BigInt(rng.int(0, 150));
      const prices = px(sell + BigInt(rng.int(0, 300)), sell);
      return { prices, readings: randomReadings(rng, meters, scale, 0.9) };
    });
    cases.push({ name: `random ${c}`, participants, meterOwner, feederCapacityWh, limits, steps });
  }
  return cases;
}

export function auctionVectorCases(): AuctionCase[] {
  return [...edgeAuctionCases(), ...randomAuctionCases()];
}

export function toAuctionVector(c: AuctionCase): AuctionVector {
  let state: ParticipantState[] = emptyState(c.participants);
  const steps = c.steps.map(({ prices, readings }): AuctionStepVector => {
    const params = auctionParams(prices, c.feederCapacityWh);
    state = marketStep(params, state, c.meterOwner, readings, c.limits);
    const { exported, imported } = intervalEnergy(c.participants, c.meterOwner, readings);
    const { surplus, deficit } = netPositions(exported, imported);
    const clearing = clearAuction(params, c.limits, surplus, deficit);
    return {
      gridBuyPrice: prices.gridBuyPrice.toString(),
      gridSellPrice: prices.gridSellPrice.toString(),
      present: readings.map((r) => r.present),
      exportWh: readings.map((r) => r.exportWh),
      importWh: readings.map((r) => r.importWh),
      matchedWh: clearing.matchedWh.toString(),
      marginalBid: clearing.marginalBid.toString(),
      marginalAsk: clearing.marginalAsk.toString(),
      value: clearing.value.toString(),
      state: stateColumns(state),
      // The zero hash for a state without a packed encoding (prices beyond the hub's bounds at open).
      hash: tryStateHash(state) ?? ZeroHash,
    };
  });
  return {
    name: c.name,
    participants: c.participants,
    meters: c.meterOwner.length,
    meterOwner: c.meterOwner,
    feederCapacityWh: c.feederCapacityWh.toString(),
    bidPrice: c.limits.map((l) => l.bidPrice.toString()),
    askPrice: c.limits.map((l) => l.askPrice.toString()),
    limitsHash: limitsHash(c.limits),
    stepCount: steps.length,
    steps,
  };
}

export function auctionVectors(): AuctionVector[] {
  return auctionVectorCases().map(toAuctionVector);
}
