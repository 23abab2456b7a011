import { AbiCoder, computeAddress, keccak256, Signature, SigningKey, toBeHex } from 'ethers';
import { hubDomain } from '../chain/eip712.js';
import { LimitBook, limitOrderDigest, type LimitOrder } from '../window/limits.js';
import { limitsHash, U128_MAX, type LimitPrices } from '../window/state.js';
import { SeededRandom } from './prng.js';

/**
 * Limit-order vectors (`contracts/test/vectors/limitOrders.json`): TypeScript's EIP-712 digest of a
 * `LimitOrder` under a hub's domain (`limitOrderDigest`, node/src/window/limits.ts) and the limits hash after
 * the order replaces one pair (`LimitBook.posted`), against Solidity's `LimitOrderHash.digest` and
 * `LimitsHash.hash` (contracts/src/types/Auction.sol), a signature made in TypeScript that the
 * community's book accepts (`fixtureOrder`: the dispute fixture's hub, community 1, participant 3), and two
 * members' orders both relayed over the open's limits that the book takes one after the other
 * (`fixtureRace`: the hash after both, as `LimitBook` computes it).
 *
 * ```
 * { chainId, count, cases: [ { name, hub, communityId, participant, fromWindow, bidPrice, askPrice, nonce,
 *     digest, signer, signature, currentBid: [], currentAsk: [], limitsHash } ],   // uints as decimal strings
 *   fixtureOrder: { ...case },
 *   fixtureRace: { orders: [case, case], limitsHash } }   // both over the open's limits; the hash after both
 * ```
 */
export interface LimitOrderVector {
  name: string;
  hub: string;
  communityId: string;
  participant: number;
  fromWindow: number;
  bidPrice: string;
  askPrice: string;
  nonce: string;
  digest: string;
  signer: string;
  signature: string;
  currentBid: string[];
  currentAsk: string[];
  /** The hash of `current` with `participant`'s pair replaced by (bidPrice, askPrice). */
  limitsHash: string;
}

const CHAIN_ID = 31337n;
/** The dispute fixture's hub (contracts/test/utils/DisputeFixture.sol `HUB`). */
const FIXTURE_HUB = '0xd15b0000000000000000000000000000000000a1';

/** Participant i's key in the dispute fixture: keccak256(abi.encode("dispute-node", i)). */
function fixtureKey(i: number): SigningKey {
  return new SigningKey(keccak256(AbiCoder.defaultAbiCoder().encode(['string', 'uint256'], ['dispute-node', i])));
}

function vector(name: string, hub: string, order: LimitOrder, key: SigningKey, current: LimitPrices[]) {
  const digest = limitOrderDigest(hubDomain(CHAIN_ID, hub), order);
  const sig = Signature.from(key.sign(digest));
  const next = current.map((l) => ({ ...l }));
  next[order.participant] = { bidPrice: order.bidPrice, askPrice: order.askPrice };
  return {
    name,
    hub,
    communityId: order.communityId.toString(),
    participant: order.participant,
    fromWindow: order.fromWindow,
    bidPrice: order.bidPrice.toString(),
    askPrice: order.askPrice.toString(),
    nonce: order.nonce.toString(),
    digest,
    signer: computeAddress(key),
    signature: sig.serialized,
    currentBid: current.map((l) => l.bidPrice.toString()),
    currentAsk: current.map((l) => l.askPrice.toString()),
    limitsHash: limitsHash(next),
  } satisfies LimitOrderVector;
}

export function limitOrderVectors(): {
  chainId: string;
  count: number;
  cases: LimitOrderVector[];
  fixtureOrder: LimitOrderVector;
  fixtureRace: { orders: LimitOrderVector[]; limitsHash: string };
} {
  const rnd = new SeededRandom(0x11a7);
  const pick = (): bigint => BigInt(rnd.int(0, 1_000_000));
  const limitsOf = (n: number): LimitPrices[] =>
    Array.from({ length: n }, () => ({ bidPrice: pick(), askPrice: pick() }));
  const key = (i: number) => new SigningKey(toBeHex(BigInt(1000 + i), 32));
  const hub = '0x00000000000000000000000000000000000000aa';
  const order = (o: Partial<LimitOrder>): LimitOrder => ({
    communityId: 1n,
    participant: 0,
    fromWindow: 1,
    bidPrice: 200n,
    askPrice: 90n,
    nonce: 1n,
    ...o,
  });
  const cases: LimitOrderVector[] = [
    vector('one participant, window 0', hub, order({ fromWindow: 0 }), key(0), limitsOf(1)),
    vector('last of ten', hub, order({ participant: 9, fromWindow: 3 }), key(1), limitsOf(10)),
    vector('zero prices', hub, order({ participant: 2, bidPrice: 0n, askPrice: 0n }), key(2), limitsOf(5)),
    vector(
      'maximum values',
      hub,
      order({
        communityId: (1n << 64n) - 1n,
        participant: 255,
        fromWindow: 2 ** 32 - 1,
        bidPrice: U128_MAX,
        askPrice: U128_MAX,
        nonce: (1n << 64n) - 1n,
      }),
      key(3),
      limitsOf(256),
    ),
    vector('another hub', FIXTURE_HUB, order({ communityId: 7n, participant: 1, nonce: 42n }), key(4), limitsOf(3)),
    vector('same prices as before', hub, order({ participant: 0, bidPrice: 5n, askPrice: 5n }), key(5), [
      { bidPrice: 5n, askPrice: 5n },
      { bidPrice: 6n, askPrice: 4n },
    ]),
  ];
  for (let c = 0; c < 6; c++) {
    const n = rnd.int(1, 40);
    cases.push(
      vector(
        `random ${c}`,
        hub,
        order({
          communityId: BigInt(rnd.int(1, 1000)),
          participant: rnd.int(0, n - 1),
          fromWindow: rnd.int(0, 10_000),
          bidPrice: pick(),
          askPrice: pick(),
          nonce: BigInt(rnd.int(1, 1_000_000)),
        }),
        key(10 + c),
        limitsOf(n),
      ),
    );
  }
  // The dispute fixture's community 1: participant i bids 120 + 15·i and asks 60 + 12·i at open.
  const fixtureLimits = Array.from({ length: 10 }, (_, i) => ({
    bidPrice: BigInt(120 + 15 * i),
    askPrice: BigInt(60 + 12 * i),
  }));
  const fixtureOrder = vector(
    'dispute fixture: participant 3 from window 1',
    FIXTURE_HUB,
    order({ participant: 3, fromWindow: 1, bidPrice: 240n, askPrice: 55n, nonce: 1n }),
    fixtureKey(3),
    fixtureLimits,
  );
  // Two members order at once, each relayed over the open's prices: the book takes both (review 4, L1), and
  // its hash is the node's `LimitBook` after both (each order checked as the chain does, window 1 first open).
  const domain = hubDomain(CHAIN_ID, FIXTURE_HUB);
  const race = new LimitBook(
    {
      communityId: 1n,
      participants: fixtureLimits.map((_, i) => computeAddress(fixtureKey(i))),
      domain,
      windowCount: 2,
    },
    fixtureLimits,
  );
  const raceOrders = [
    vector(
      'dispute fixture: participant 3, over the open',
      FIXTURE_HUB,
      order({ participant: 3, bidPrice: 241n, askPrice: 54n }),
      fixtureKey(3),
      fixtureLimits,
    ),
    vector(
      'dispute fixture: participant 8, over the open',
      FIXTURE_HUB,
      order({ participant: 8, bidPrice: 90n, askPrice: 300n }),
      fixtureKey(8),
      fixtureLimits,
    ),
  ];
  for (const v of raceOrders) race.accept(orderOf(v), v.signature, 1);
  const fixtureRace = { orders: raceOrders, limitsHash: race.epochs[0].limitsHash };
  return { chainId: CHAIN_ID.toString(), count: cases.length, cases, fixtureOrder, fixtureRace };
}

function orderOf(v: LimitOrderVector): LimitOrder {
  return {
    communityId: BigInt(v.communityId),
    participant: v.participant,
    fromWindow: v.fromWindow,
    bidPrice: BigInt(v.bidPrice),
    askPrice: BigInt(v.askPrice),
    nonce: BigInt(v.nonce),
  };
}
