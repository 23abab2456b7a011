import { AbiCoder, hexlify, keccak256, toUtf8Bytes, Wallet } from 'ethers';
import { type Balance, balancesRoot, genesisBalances, reactBalances } from '../window/balances.js';
import { encodeReading, type Reading } from '../reading/encoding.js';
import { meterKeyPair, MeterScheme, signReading, type SignedReading } from '../reading/signature.js';
import { faultyEntry, proofFromOpenedStep } from '../dispute/proofs.js';
import { packEnergy } from '../window/energy.js';
import { entriesRoot } from '../window/entries.js';
import { buildLevels, treeDepth, ZERO_HASH } from '../window/merkle.js';
import {
  commitTrees,
  commitWindow,
  windowEntriesRoots,
  meterLayout,
  readingsTree,
  readingsTreeFrom,
  type MeterLayout,
  type ReadingsTree,
} from '../window/commitment.js';
import {
  badBalancesProof,
  badEntryProof,
  badFinalStateProof,
  badStepProof,
  claimedEntries,
  DisputeKind,
  energyAccumulationProof,
  energyTotalProof,
  entryEnergyProof,
  equivocationProof,
  forgedReadingProof,
  intervalLeafProof,
  readingMismatchProof,
  stateEntryProof,
  type ClaimedWindow,
} from '../window/disputeProof.js';
import { foldWindow, marketStepOfEnergy } from '../window/market.js';
import {
  emptyState,
  encodeState,
  limitsHash,
  packLimits,
  packState,
  MarketKind,
  stateHash,
  stateLeaf,
  type LimitPrices,
  type MarketParams,
  type ParticipantState,
} from '../window/state.js';
import { toMeterEnergy } from '../window/assemble.js';
import { marketWithTariff, paramsSchedule, type Tariff } from '../window/tariff.js';
import { seedFor } from './readings.js';

const hex = (b: Uint8Array): string => `0x${Buffer.from(b).toString('hex')}`;

/** Where the forge dispute tests put the hub (`deployCodeTo`): readings are bound to it. */
export const DISPUTE_HUB = '0xd15b0000000000000000000000000000000000a1';
export const DISPUTE_CHAIN_ID = 31337n;
export const DISPUTE_COMMUNITY_ID = 1n;

/**
 * Signed readings of one day (window 0, W = 96 intervals) of a community of N = 10 participants
 * with one Ed25519 meter each, for the fraud-proof tests (contracts/test/Dispute.t.sol): forge
 * cannot sign Ed25519, so the signatures come from here; the tests build the commitment, fold F
 * and tamper with it in Solidity. Slot k = t·M + m; absent slots have an empty signature.
 * `equivocation` is a second, different reading of one present slot signed by the same meter.
 */
export function disputeVectors() {
  const M = 10;
  const W = 96;
  const keys = Array.from({ length: M }, (_, m) => meterKeyPair(seedFor(`dispute-meter-${m}`)));
  const reading = (m: number, t: number, exportWh: number, importWh: number): Reading => ({
    chainId: DISPUTE_CHAIN_ID,
    hub: DISPUTE_HUB,
    communityId: DISPUTE_COMMUNITY_ID,
    meterIndex: m,
    interval: t,
    exportWh,
    importWh,
  });
  const present: boolean[] = [];
  const exportWh: number[] = [];
  const importWh: number[] = [];
  const signatures: string[] = [];
  for (let t = 0; t < W; t++) {
    for (let m = 0; m < M; m++) {
      const isPresent = (m * 7 + t * 3) % 11 !== 0;
      // Daylight export for even meters, load for all: a market with buyers and sellers.
      const sun = t >= 28 && t < 72 ? Math.round(400 * Math.sin((Math.PI * (t - 28)) / 44)) : 0;
      const e = m % 2 === 0 ? sun + ((m * 13 + t * 5) % 37) : (m * 11 + t) % 9;
      const i = 60 + ((m * 17 + t * 23) % 140);
      present.push(isPresent);
      exportWh.push(isPresent ? e : 0);
      importWh.push(isPresent ? i : 0);
      signatures.push(isPresent ? hex(signReading(reading(m, t, e, i), keys[m].secretKey).signature) : '0x');
    }
  }
  const eq = { meter: 3, interval: 40 };
  const k = eq.interval * M + eq.meter;
  const second = reading(eq.meter, eq.interval, exportWh[k] + 1000, importWh[k]);
  const slots: (SignedReading | undefined)[][] = Array.from({ length: W }, (_, t) =>
    Array.from({ length: M }, (_, m) => {
      const j = t * M + m;
      return present[j]
        ? { reading: reading(m, t, exportWh[j], importWh[j]), signature: Buffer.from(signatures[j].slice(2), 'hex') }
        : undefined;
    }),
  );
  const honest = claimOf(slots);
  const genesis = genesisBalances(DISPUTE_PARTICIPANTS, DISPUTE_ESCROW);
  const firstSecond = {
    reading: reading(eq.meter, eq.interval, exportWh[k], importWh[k]),
    signature: slots[eq.interval][eq.meter]!.signature,
  };
  const claims = disputeClaims(slots, honest, genesis, firstSecond, {
    reading: second,
    signature: signReading(second, keys[eq.meter].secretKey).signature,
  });
  return {
    chainId: DISPUTE_CHAIN_ID.toString(),
    hub: DISPUTE_HUB,
    communityId: DISPUTE_COMMUNITY_ID.toString(),
    participants: M,
    meters: M,
    windowIntervals: W,
    publicKeys: keys.map((kp) => hex(kp.publicKey)),
    present,
    exportWh,
    importWh,
    signatures,
    honestWindowRoot: honest.commitment.windowRoot,
    participantAddresses: DISPUTE_PARTICIPANTS,
    escrow: DISPUTE_ESCROW.toString(),
    genesisBalancesRoot: balancesRoot(genesis, 0n),
    honestStateHash: stateHash(honest.states[W - 1]),
    honestBalancesRoot: reactedRoot(genesis, honest.states[W - 1]),
    badBalances: badBalancesClaim(honest, genesis),
    // BadEntry proofs the node builds against the honest claim (first interval and participant, a middle one,
    // the last participant of the last interval): forge posts the honest claim and sees each refused
    // `FraudNotProven` (BadEntryTest.test_RevertWhen_TypeScriptEntryProofsAgainstHonestClaim).
    honestEntryProofs: [
      [0, 0],
      [45, 4],
      [W - 1, M - 1],
    ].map(([t, j]) => badEntryProof(honest, t, j)),
    // StateEntry proofs the node builds against the honest claim (first interval and participant, the
    // `stateEntry` claim's interval and participant, the last participant of the last interval): each leaf's
    // state tree holds its entries' states, so forge posts the honest claim and sees each refused
    // `FraudNotProven(9)`.
    honestStateEntryProofs: [
      [0, 0],
      [40, 3],
      [W - 1, M - 1],
    ].map(([t, j]) => stateEntryProof(honest, t, j)),
    auction: auctionClaim(slots),
    tou: auctionClaim(slots, DISPUTE_TARIFF),
    touMmr: touEntryClaim(slots),
    meterless: meterlessClaim(
      slots,
      keys.map((k) => k.publicKey),
    ),
    claims,
    claimCount: claims.length,
    equivocation: {
      meter: eq.meter,
      interval: eq.interval,
      exportWh: second.exportWh,
      importWh: second.importWh,
      encoded: hex(encodeReading(second)),
      signature: hex(signReading(second, keys[eq.meter].secretKey).signature),
    },
  };
}

/**
 * The forge fixture's participants (`DisputeFixture`: node i's key is keccak256(abi.encode("dispute-node", i)))
 * and configured escrow (`DisputeFixture.ESCROW`): the genesis balances of its communities.
 */
export const DISPUTE_PARTICIPANTS: string[] = Array.from(
  { length: 10 },
  (_, i) =>
    new Wallet(keccak256(AbiCoder.defaultAbiCoder().encode(['string', 'uint256'], ['dispute-node', i]))).address,
);
export const DISPUTE_ESCROW = 1_000_000_000n;

/** The balances root of the reaction of `state`'s nets on `previous` (no claims before). */
function reactedRoot(previous: Balance[], state: readonly ParticipantState[]): string {
  const { next, claimsAdded } = reactBalances(
    previous,
    state.map((p) => p.net),
  );
  return balancesRoot(next, claimsAdded);
}

/**
 * The thief of the balances root on window 0 (byzantine mode `thief-balances`): the honest window root and
 * final state, and a balances root in which participant 0 holds every escrow; with the BadBalances proof a
 * node sends (the genesis balances and the final state packed). Forge posts the claim and the proof.
 */
function badBalancesClaim(honest: ClaimedWindow, genesis: Balance[]) {
  const W = honest.states.length;
  const finalState = honest.states[W - 1];
  const { next, claimsAdded } = reactBalances(
    genesis,
    finalState.map((p) => p.net),
  );
  const total = next.reduce((sum, b) => sum + b.escrow, 0n);
  const stolen = next.map((b, i) => ({ ...b, escrow: i === 0 ? total : 0n }));
  return {
    kind: DisputeKind.BadBalances,
    windowRoot: honest.commitment.windowRoot,
    stateHash: stateHash(finalState),
    balancesRoot: balancesRoot(stolen, claimsAdded),
    honestBalancesRoot: balancesRoot(next, claimsAdded),
    finalState: hexlify(encodeState(finalState)),
    proof: badBalancesProof(genesis, 0n, finalState),
  };
}

/** The market of the dispute vectors' community (as the forge fixture opens it). */
export const DISPUTE_MARKET: MarketParams = {
  kind: MarketKind.Mmr,
  gridBuyPrice: 250n,
  gridSellPrice: 50n,
  feederCapacityWh: 0n,
};

/**
 * The standing limit prices of the auction community of the forge fixture (`DisputeFixture`, opened
 * with MarketKind.Auction): participant i bids 120 + 15·i and asks 60 + 12·i per kWh.
 */
export const DISPUTE_AUCTION_LIMITS: LimitPrices[] = Array.from({ length: 10 }, (_, i) => ({
  bidPrice: BigInt(120 + 15 * i),
  askPrice: BigInt(60 + 12 * i),
}));

/** The auction community's market: DISPUTE_MARKET's prices, committing to DISPUTE_AUCTION_LIMITS. */
export const DISPUTE_AUCTION_MARKET: MarketParams = {
  ...DISPUTE_MARKET,
  kind: MarketKind.Auction,
  limitsHash: limitsHash(DISPUTE_AUCTION_LIMITS),
};

/** Start and interval length of the forge fixture's community (`DisputeFixture.START`, `INTERVAL`). */
export const DISPUTE_START = 1_000_000;
export const DISPUTE_INTERVAL = 900;

/**
 * The time-of-use tariff of the forge fixture's ToU communities (`TouDisputeBase._touTariff`): UTC+1, every
 * hour's prices different, weekdays from weekends.
 */
export const DISPUTE_TARIFF: Tariff = {
  utcOffsetMinutes: 60,
  weekday: {
    buy: Array.from({ length: 24 }, (_, h) => BigInt(130 + 10 * (h % 12))),
    sell: Array.from({ length: 24 }, (_, h) => BigInt(40 + 8 * (h % 9))),
  },
  weekend: {
    buy: Array.from({ length: 24 }, (_, h) => BigInt(260 - 5 * h)),
    sell: Array.from({ length: 24 }, (_, h) => BigInt(30 + h)),
  },
};

/** The dispute fixture's meters: meter m (Ed25519, key of `dispute-meter-m`) owned by participant m. */
const disputeMeters = (M: number) =>
  Array.from({ length: M }, (_, m) => ({
    owner: m,
    scheme: 0,
    publicKey: meterKeyPair(seedFor(`dispute-meter-${m}`)).publicKey,
  }));

const layoutOf = (M: number): MeterLayout => meterLayout({ participants: disputeMeters(M), meters: disputeMeters(M) });

/**
 * Folds and commits `slots` (meter m owned by participant m), or commits `states` as given; `trees`: readings
 * trees as a claimant committed them (wrong running sums or E_t), instead of the canonical ones of `slots`.
 */
function claimOf(
  slots: (SignedReading | undefined)[][],
  states?: ParticipantState[][],
  market: MarketParams = DISPUTE_MARKET,
  limits: readonly LimitPrices[] = [],
  tariff?: Tariff,
  trees?: ReadingsTree[],
): ClaimedWindow {
  const M = slots[0].length;
  const paramsAt = paramsSchedule(market, tariff, DISPUTE_START, DISPUTE_INTERVAL);
  const layout = { ...layoutOf(M), paramsAt };
  const owners = layout.owners;
  const folded =
    states ??
    foldWindow(
      market,
      emptyState(M),
      owners,
      slots.map((row) => row.map(toMeterEnergy)),
      { limits, paramsAt },
    );
  const committed = trees ?? slots.map((row) => readingsTree(layout, row));
  const commitment = commitTrees(
    0,
    committed,
    folded.map((s) => stateHash(s)),
    windowEntriesRoots(
      layout,
      0,
      folded,
      committed.map((x) => x.energy),
    ),
  );
  return { firstInterval: 0, slots, states: folded, commitment, layout, trees };
}

/**
 * The honest states of `honest` with S_t at `t` changed by `wrong` (every later state folded from it): a claim
 * whose step t is wrong, first at participant j (checked: `faultyEntry` names j), so that BadEntry proves it
 * at j.
 */
function wrongEntryClaim(
  slots: (SignedReading | undefined)[][],
  honest: ClaimedWindow,
  t: number,
  j: number,
  wrong: (s: ParticipantState[]) => void,
): ClaimedWindow {
  const states = honest.states.map((s) => s.map((p) => ({ ...p })));
  wrong(states[t]);
  const rest = foldWindow(
    DISPUTE_MARKET,
    states[t],
    honest.layout.owners,
    slots.slice(t + 1).map((row) => row.map(toMeterEnergy)),
  );
  const claim = claimOf(slots, [...states.slice(0, t + 1), ...rest]);
  if (faultyEntry(claim, t)?.participant !== j) throw new Error(`the wrong entry at ${t} is not participant ${j}'s`);
  return claim;
}

/**
 * The honest claim with participant j's step entry at `t` exporting `extraWh` more than its meters (the flat
 * E_t, the readings trees and every state right): its entries root is built from the changed entry, so
 * only BadEnergy's Entry fault, which reads E_t[j] from the entry, proves it.
 */
function entryEnergyClaim(honest: ClaimedWindow, t: number, j: number, extraWh: bigint): ClaimedWindow {
  const entries = claimedEntries(honest, t).map((e, i) =>
    i === j ? { ...e, energy: { ...e.energy, exportWh: e.energy.exportWh + extraWh } } : e,
  );
  const intervals = honest.commitment.intervals.map((c, i) =>
    i === t ? { ...c, entriesRoot: entriesRoot(entries) } : c,
  );
  const positions = honest.states.map((_, i) => (i === t ? entries : undefined));
  return { ...honest, commitment: commitWindow(intervals), entries: positions };
}

/**
 * The honest claim with the state tree of leaf `t` committing S_t with `delta` of net moved from participant k
 * to participant j (the claimed S_t is that state), while the leaf's entries (its entries root, and those of leaf
 * t+1, built from S_t) stay the honest ones: every other leaf is honest, so only StateEntry proves it, at j or k.
 * Checked: the committed state leaves differ from the entries' states at j and k and nowhere else.
 */
export function stateEntryClaim(honest: ClaimedWindow, t: number, j: number, k: number, delta: bigint): ClaimedWindow {
  const changed = honest.states[t].map((p) => ({ ...p }));
  changed[j].net += delta;
  changed[k].net -= delta;
  const intervals = honest.commitment.intervals.map((c, i) => (i === t ? { ...c, stateHash: stateHash(changed) } : c));
  const entries = honest.states.map((_, i) => (i === t || i === t + 1 ? claimedEntries(honest, i) : undefined));
  const claim: ClaimedWindow = {
    ...honest,
    states: honest.states.map((s, i) => (i === t ? changed : s)),
    commitment: commitWindow(intervals),
    entries,
  };
  const faulty = claimedEntries(claim, t).flatMap((e, i) =>
    stateLeaf(claim.states[t][i]) === stateLeaf(e.state, { minNet: true }) ? [] : [i],
  );
  if (faulty.join() !== [j, k].sort((a, b) => a - b).join())
    throw new Error(`the state tree of leaf ${t} differs from its entries at ${faulty}, not at ${j} and ${k}`);
  return claim;
}

/**
 * A claim whose readings tree of interval `t` is `tamper`ed (running sums or E_t), every state folded from
 * the committed E_t as a consistent cheat would (so only the energy is wrong, not F).
 */
function energyClaim(
  slots: (SignedReading | undefined)[][],
  honest: ClaimedWindow,
  t: number,
  tamper: (tree: ReadingsTree) => ReadingsTree,
): ClaimedWindow {
  const layout = honest.layout;
  const trees = slots.map((row) => readingsTree(layout, row));
  trees[t] = tamper(trees[t]);
  const e = trees[t].energy;
  const states: ParticipantState[][] = honest.states.slice(0, t).map((s) => [...s]);
  states.push(
    marketStepOfEnergy(
      DISPUTE_MARKET,
      t > 0 ? honest.states[t - 1] : emptyState(layout.participants),
      e.map((x) => x.exportWh),
      e.map((x) => x.importWh),
    ),
  );
  const rest = foldWindow(
    DISPUTE_MARKET,
    states[t],
    layout.owners,
    slots.slice(t + 1).map((row) => row.map(toMeterEnergy)),
  );
  return claimOf(slots, [...states, ...rest], DISPUTE_MARKET, [], undefined, trees);
}

/**
 * The auction community's window 0 (DISPUTE_AUCTION_MARKET, or under `tariff` the market that commits to
 * it): the honest window root of the TypeScript fold, and a claim whose step 60 moves 1,000 tokens from
 * participant 1 to participant 0 with the bad-step proof a node would send (carrying the limit prices and
 * the tariff). Forge replays both (AuctionDispute.t.sol, TouDispute.t.sol).
 */
function auctionClaim(slots: (SignedReading | undefined)[][], tariff?: Tariff) {
  const market = marketWithTariff(DISPUTE_AUCTION_MARKET, tariff);
  const limits = DISPUTE_AUCTION_LIMITS;
  const honest = claimOf(slots, undefined, market, limits, tariff);
  const states = honest.states.map((s) => s.map((p) => ({ ...p })));
  states[60][0].net += 1000n;
  states[60][1].net -= 1000n;
  const owners = Array.from({ length: slots[0].length }, (_, m) => m);
  const schedule = paramsSchedule(market, tariff, DISPUTE_START, DISPUTE_INTERVAL);
  const rest = foldWindow(
    market,
    states[60],
    owners,
    slots.slice(61).map((row) => row.map(toMeterEnergy)),
    { limits, paramsAt: (t) => schedule(61 + t) },
  );
  const badStep = claimOf(slots, [...states.slice(0, 61), ...rest], market, limits);
  return {
    limits: limits.map((l) => ({ bidPrice: l.bidPrice.toString(), askPrice: l.askPrice.toString() })),
    limitsHash: market.limitsHash,
    // The limits as a BadStep proof carries them (`packLimits`, twin of PackedLimits).
    packedLimits: hexlify(packLimits(limits)),
    tariffHash: market.tariffHash,
    honestWindowRoot: honest.commitment.windowRoot,
    badStep: {
      windowRoot: badStep.commitment.windowRoot,
      finalState: hexlify(encodeState(badStep.states[badStep.states.length - 1])),
      proof: badStepProof(badStep, 60, limits, tariff),
    },
  };
}

/**
 * The Mmr community under DISPUTE_TARIFF (flat prices its ceilings, as forge's `BadEntryTouTest` opens it): the
 * honest window root of the TypeScript fold, and a claim whose step 70 moves 300 tokens from participant 1 to
 * participant 0 with the BadEntry proof a node sends (participant 0, the tariff carried: entry 0 judged at the
 * interval's hourly prices).
 */
function touEntryClaim(slots: (SignedReading | undefined)[][]) {
  const market = marketWithTariff(DISPUTE_MARKET, DISPUTE_TARIFF);
  const honest = claimOf(slots, undefined, market, [], DISPUTE_TARIFF);
  const states = honest.states.map((s) => s.map((p) => ({ ...p })));
  states[70][0].net += 300n;
  states[70][1].net -= 300n;
  const schedule = paramsSchedule(market, DISPUTE_TARIFF, DISPUTE_START, DISPUTE_INTERVAL);
  const rest = foldWindow(
    market,
    states[70],
    honest.layout.owners,
    slots.slice(71).map((row) => row.map(toMeterEnergy)),
    { paramsAt: (t) => schedule(71 + t) },
  );
  const claim = claimOf(slots, [...states.slice(0, 71), ...rest], market, [], DISPUTE_TARIFF);
  if (faultyEntry(claim, 70)?.participant !== 0) throw new Error('the wrong entry at 70 is not participant 0');
  return {
    honestWindowRoot: honest.commitment.windowRoot,
    badEntry: {
      windowRoot: claim.commitment.windowRoot,
      finalState: hexlify(encodeState(claim.states[claim.states.length - 1])),
      proof: badEntryProof(claim, 70, 0, DISPUTE_TARIFF),
    },
  };
}

/**
 * Fraudulent claims of window 0 built by the TypeScript twin, with the proof bytes a node would send:
 * forge submits each claim and its proof (Dispute.t.sol, test_TypeScriptProofs), so the encoders here
 * and the verifier agree.
 */
function disputeClaims(
  slots: (SignedReading | undefined)[][],
  honest: ClaimedWindow,
  genesis: Balance[],
  first: SignedReading,
  second: SignedReading,
) {
  const W = slots.length;
  const M = slots[0].length;
  const owners = Array.from({ length: M }, (_, m) => m);
  const out = (
    name: string,
    kind: DisputeKind,
    claim: ClaimedWindow,
    proof: string,
    finalState = claim.states[W - 1],
  ) => ({
    name,
    kind,
    windowRoot: claim.commitment.windowRoot,
    finalState: hexlify(encodeState(finalState)),
    // What the claim posts besides its window root: the final state's hash and the honest reaction of
    // its nets on the genesis balances (the disputes below are about the window, not the balances).
    stateHash: stateHash(finalState),
    balancesRoot: reactedRoot(genesis, finalState),
    proof,
  });

  const omitted = slots.map((row) => [...row]);
  const withheld = omitted[11][2]!;
  omitted[11][2] = undefined;
  const omission = claimOf(omitted);

  const forgedSlots = slots.map((row) => [...row]);
  const genuine = forgedSlots[50][4]!;
  forgedSlots[50][4] = {
    reading: { ...genuine.reading, exportWh: genuine.reading.exportWh + 500 },
    signature: genuine.signature,
  };
  const forged = claimOf(forgedSlots);

  const states = honest.states.map((s) => s.map((p) => ({ ...p })));
  states[60][0].net += 1000n;
  states[60][1].net -= 1000n;
  const rest = foldWindow(
    DISPUTE_MARKET,
    states[60],
    owners,
    slots.slice(61).map((row) => row.map(toMeterEnergy)),
  );
  const badStep = claimOf(slots, [...states.slice(0, 61), ...rest]);

  // Meter 5's running sum at interval 30 is 100 Wh above its reading (E_t follows it, F is right on it).
  const accumulation = energyClaim(slots, honest, 30, (tree) => {
    const acc = tree.acc.map((a, k) => (k === 5 ? { ...a, exportWh: a.exportWh + 100n } : a));
    const energy = tree.energy.map((x, j) => (j === 5 ? acc[5] : x));
    return readingsTreeFrom(tree.slotLeaves, acc, energy);
  });
  // Participant 2's E_t entry at interval 31 is 50 Wh of import above its meter's sum (the meter leaves are right).
  const total = energyClaim(slots, honest, 31, (tree) =>
    readingsTreeFrom(
      tree.slotLeaves,
      tree.acc,
      tree.energy.map((x, j) => (j === 2 ? { ...x, importWh: x.importWh + 50n } : x)),
    ),
  );

  // S_45 moves 250 tokens of net from participant 5 to participant 4 (the first wrong entry: 4's); participant
  // 9 (j = N−1: no last entry read) buys 1 Wh more from the grid at interval 0 (no previous leaf read).
  const badEntry = wrongEntryClaim(slots, honest, 45, 4, (s) => {
    s[4].net += 250n;
    s[5].net -= 250n;
  });
  const badEntryFirst = wrongEntryClaim(slots, honest, 0, M - 1, (s) => {
    s[M - 1].gridBoughtWh += 1n;
  });
  // Participant 6's step entry at interval 33 exports 100 Wh more than its meter (the flat E_t is right).
  const entryEnergy = entryEnergyClaim(honest, 33, 6, 100n);
  // Leaf 40's state tree moves 300 tokens of net from participant 7 to participant 3 (its entries honest: the
  // final state right); leaf W−1's moves 9 from participant 1 to participant 0, the posted final state with it.
  const stateEntry = stateEntryClaim(honest, 40, 3, 7, 300n);
  const stateEntryLast = stateEntryClaim(honest, W - 1, 0, 1, 9n);

  const wrongFinal = honest.states[W - 1].map((p) => ({ ...p }));
  wrongFinal[0].net += 7n;
  wrongFinal[1].net -= 7n;

  return [
    out('omission', DisputeKind.ReadingMismatch, omission, readingMismatchProof(omission, withheld)),
    out('forged', DisputeKind.ForgedReading, forged, forgedReadingProof(forged, 50, 4)),
    out('badStep', DisputeKind.BadStep, badStep, badStepProof(badStep, 60)),
    out('badFinalState', DisputeKind.BadFinalState, honest, badFinalStateProof(honest), wrongFinal),
    out('badEnergyAccumulation', DisputeKind.BadEnergy, accumulation, energyAccumulationProof(accumulation, 30, 5)),
    out('badEnergyTotal', DisputeKind.BadEnergy, total, energyTotalProof(total, 31, 2)),
    out('badEntry', DisputeKind.BadEntry, badEntry, badEntryProof(badEntry, 45, 4)),
    out('badEntryFirst', DisputeKind.BadEntry, badEntryFirst, badEntryProof(badEntryFirst, 0, M - 1)),
    out('badEnergyEntry', DisputeKind.BadEnergy, entryEnergy, entryEnergyProof(entryEnergy, 33, 6)),
    out('stateEntry', DisputeKind.StateEntry, stateEntry, stateEntryProof(stateEntry, 40, 3)),
    out('stateEntryLast', DisputeKind.StateEntry, stateEntryLast, stateEntryProof(stateEntryLast, W - 1, 0)),
    // Last: an equivocation leaves the claim pending (it voids a slot, it rejects nothing).
    out('equivocation', DisputeKind.Equivocation, honest, equivocationProof(first, second, layoutOf(M).registry!)),
  ];
}

/** The grouped meter layout of forge's `BadEnergyGroupedTest`: participants 2, 4, 6, 7, 8 and 9 run no meter. */
export const DISPUTE_GROUPED_OWNERS = [0, 0, 1, 1, 1, 3, 3, 5, 5, 5];

/**
 * The meterless participant's Total path as a node takes it (issue 10, review 5 M1), on the grouped community
 * of `BadEnergyGroupedTest`: a claim whose E_t entry of participant 2 (no meter) at interval 50 exports 500 Wh
 * from nowhere, every later state folded from it, under a readings tree with junk at padding index 12 (so no
 * readingsRoot of the node's own matches); and the proof the node builds from the published step alone
 * (`proofFromOpenedStep`, no tree of its own: leaf 50 with its path, S_49, E_50). Forge checks that the honest
 * window root is its own fold's, posts the claim and replays the proof.
 */
function meterlessClaim(slots: (SignedReading | undefined)[][], publicKeys: Uint8Array[]) {
  const W = slots.length;
  const M = slots[0].length;
  const n = DISPUTE_PARTICIPANTS.length;
  const meters = DISPUTE_GROUPED_OWNERS.map((owner, index) => ({
    index,
    owner,
    publicKey: publicKeys[index],
    scheme: MeterScheme.Ed25519,
  }));
  const layout = meterLayout({ participants: DISPUTE_PARTICIPANTS, meters });
  const energies = slots.map((row) => row.map(toMeterEnergy));
  const honestStates = foldWindow(DISPUTE_MARKET, emptyState(n), layout.owners, energies);
  const trees = slots.map((row) => readingsTree(layout, row));
  const entriesOf = (states: ParticipantState[][], committed: ReadingsTree[]): string[] =>
    windowEntriesRoots(
      { participants: n, paramsAt: () => DISPUTE_MARKET },
      0,
      states,
      committed.map((x) => x.energy),
    );
  const honestWindowRoot = commitTrees(
    0,
    trees,
    honestStates.map((x) => stateHash(x)),
    entriesOf(honestStates, trees),
  ).windowRoot;
  const t = 50;
  const j = 2;
  const tree = trees[t];
  const energy = tree.energy.map((x, i) => (i === j ? { ...x, exportWh: x.exportWh + 500n } : x));
  const padded = [...tree.meterLeaves, ...Array<string>((1 << treeDepth(M)) - M).fill(ZERO_HASH)];
  padded[12] = keccak256(toUtf8Bytes('junk'));
  const levels = buildLevels(padded);
  const wrong = { ...readingsTreeFrom(tree.slotLeaves, tree.acc, energy), levels, root: levels[levels.length - 1][0] };
  const claimed = trees.map((x, i) => (i === t ? wrong : x));
  const states = honestStates.slice(0, t);
  states.push(
    marketStepOfEnergy(
      DISPUTE_MARKET,
      states[t - 1],
      energy.map((x) => x.exportWh),
      energy.map((x) => x.importWh),
    ),
  );
  states.push(...foldWindow(DISPUTE_MARKET, states[t], layout.owners, energies.slice(t + 1)));
  const claim: ClaimedWindow = {
    firstInterval: 0,
    slots,
    states,
    commitment: commitTrees(
      0,
      claimed,
      states.map((x) => stateHash(x)),
      entriesOf(states, claimed),
    ),
    layout,
    trees: claimed,
  };
  const community = {
    chainId: DISPUTE_CHAIN_ID,
    hub: DISPUTE_HUB,
    communityId: DISPUTE_COMMUNITY_ID,
    participants: DISPUTE_PARTICIPANTS,
    meters,
    market: DISPUTE_MARKET,
    windowIntervals: W,
  };
  const found = proofFromOpenedStep(community, {
    leaf: intervalLeafProof(claim, t),
    previous: intervalLeafProof(claim, t - 1),
    prevState: hexlify(packState(states[t - 1])),
    energy: hexlify(packEnergy(energy)),
  });
  if (found?.kind !== DisputeKind.BadEnergy || found.data !== energyTotalProof(claim, t, j))
    throw new Error('the meterless Total proof from the published step is not the whole claim’s');
  return {
    owners: layout.owners,
    honestWindowRoot,
    interval: t,
    participant: j,
    windowRoot: claim.commitment.windowRoot,
    finalState: hexlify(encodeState(states[W - 1])),
    proof: found.data,
  };
}
