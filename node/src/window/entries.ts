import { concat, keccak256, toBeHex, ZeroHash, zeroPadValue } from 'ethers';
import { type Energy, packEnergy } from './energy.js';
import { MarketError, MarketErrorCode } from './errors.js';
import { addU64, checkedU256, marketStepOfEnergy, p2pValue } from './market.js';
import { merkleRoot } from './merkle.js';
import { MarketKind, U64_MAX, type MarketParams, type ParticipantState, packState } from './state.js';

/**
 * One participant's market step judged alone, for Totals and Mmr: the twin of
 * `contracts/src/libraries/StepEntries.sol` (DESIGN.md §5.4, "One participant's step"; vectors
 * `contracts/test/vectors/stepEntries.json`).
 *
 * F gives participant j its share q_j = floor(Q·w_j/W) + [w_j > 0 and fewer than r = Q − Σ floors earlier
 * positive weights] of the matched energy Q, and its money floor(v·q_j/Q) + [q_j > 0 and fewer than
 * r' = v − Σ value floors earlier positive shares] (`share` in market.ts, applied twice). So j's step depends
 * on the others only through the totals and the counts before j: entry j carries them as running sums, and
 * is judged from S_{t−1}[j], entry j−1 and the last entry (whose sums are the totals). If every entry passes
 * `judgeEntry`, every running sum and state is the true one (by induction on j); the honest entries pass.
 */

/** Running sums over participants 0..j of one side (sellers or buyers). */
export interface SidePrefix {
  /** Σ w_i (Mmr: the interval's surplus or deficit; Totals: cumulative export or import). */
  weight: bigint;
  /** #{i : w_i > 0}. */
  positive: bigint;
  /** Σ floor(Q·w_i/W). */
  floors: bigint;
  /** #{i : q_i > 0}. */
  filled: bigint;
  /** Σ floor(v·q_i/Q). */
  valueFloors: bigint;
}

/** Participant j's entry of one step: S_t[j], E_t[j] and both sides' running sums. */
export interface StepEntry {
  state: ParticipantState;
  energy: Energy;
  sell: SidePrefix;
  buy: SidePrefix;
}

/** Twin of Solidity `EntryFault` (same order: the numeric values are the enum's). */
export enum EntryFault {
  None = 0,
  Totals = 1,
  SellWeight = 2,
  SellPositive = 3,
  SellFloors = 4,
  SellExcess = 5,
  SellFilled = 6,
  SellValueFloors = 7,
  BuyWeight = 8,
  BuyPositive = 9,
  BuyFloors = 10,
  BuyExcess = 11,
  BuyFilled = 12,
  BuyValueFloors = 13,
  State = 14,
}

/** The fields of a side, in leaf order. */
export const SIDE_FIELDS = ['weight', 'positive', 'floors', 'filled', 'valueFloors'] as const;

export const ZERO_SIDE: SidePrefix = Object.freeze({
  weight: 0n,
  positive: 0n,
  floors: 0n,
  filled: 0n,
  valueFloors: 0n,
});

/** Entry −1: what entry 0 is judged after. */
export const ZERO_ENTRY: StepEntry = Object.freeze({
  state: { exportWh: 0n, importWh: 0n, p2pSoldWh: 0n, p2pBoughtWh: 0n, gridSoldWh: 0n, gridBoughtWh: 0n, net: 0n },
  energy: { exportWh: 0n, importWh: 0n },
  sell: ZERO_SIDE,
  buy: ZERO_SIDE,
});

/** The leaf's domain byte (0x00–0x04: the window commitment's; 0x05: the meter registry's). */
const ENTRY_DOMAIN = '0x06';
const uint256 = (v: bigint): string => zeroPadValue(toBeHex(v), 32);
const U256_LIMIT = 1n << 256n;

function requireSupported(kind: MarketKind): void {
  if (kind !== MarketKind.Totals && kind !== MarketKind.Mmr)
    throw new MarketError(
      { code: MarketErrorCode.UNSUPPORTED_KIND, kind },
      `market kind ${kind} has no one-participant step (only Totals and Mmr)`,
    );
}

/**
 * keccak256(0x06 ‖ packState([S_t[j]], minNet) ‖ packEnergy([E_t[j]]) ‖ sell's five uint256 ‖ buy's five
 * uint256): 401 bytes. A net of −2^127 has a leaf (F never gives one, the judge faults it; a claimant may commit
 * it, and the entry must stay openable: review s18); throws VALUE_OUT_OF_RANGE for a field outside its bytes.
 */
export function entryLeaf(e: StepEntry): string {
  return keccak256(
    concat([
      ENTRY_DOMAIN,
      packState([e.state], { minNet: true }),
      packEnergy([e.energy]),
      ...SIDE_FIELDS.map((f) => uint256(e.sell[f])),
      ...SIDE_FIELDS.map((f) => uint256(e.buy[f])),
    ]),
  );
}

/** The entries tree's root: canonical, zero-padded (merkle.ts). */
export function entriesRoot(entries: readonly StepEntry[]): string {
  return merkleRoot(entries.map(entryLeaf));
}

/** j's weights: Mmr the interval's surplus and deficit, Totals the cumulative export and import. */
function weights(kind: MarketKind, j: number, prev: ParticipantState, e: Energy): { sell: bigint; buy: bigint } {
  if (kind === MarketKind.Mmr)
    return {
      sell: e.exportWh > e.importWh ? e.exportWh - e.importWh : 0n,
      buy: e.importWh > e.exportWh ? e.importWh - e.exportWh : 0n,
    };
  return {
    sell: addU64(j, 'exportWh', prev.exportWh, e.exportWh),
    buy: addU64(j, 'importWh', prev.importWh, e.importWh),
  };
}

/** Q: min(W_sell, W_buy), capped by the feeder for Mmr. */
function matchedOf(params: MarketParams, sellTotal: bigint, buyTotal: bigint): bigint {
  let q = sellTotal < buyTotal ? sellTotal : buyTotal;
  if (params.kind === MarketKind.Mmr && params.feederCapacityWh !== 0n && params.feederCapacityWh < q)
    q = params.feederCapacityWh;
  return q;
}

/** floor(amount·w/total), 0 when total = 0; the product checked as the full step's `share`. */
const floorOf = (amount: bigint, w: bigint, total: bigint): bigint =>
  total === 0n ? 0n : checkedU256('share', amount * w) / total;

/**
 * The entries of one step: S_t = F(S_{t−1}, E_t) (`marketStepOfEnergy`, the one F) with both sides' running
 * sums. Throws MarketError as the step does, UNSUPPORTED_KIND for the auction.
 */
export function stepEntries(
  params: MarketParams,
  prev: readonly ParticipantState[],
  energy: readonly Energy[],
): StepEntry[] {
  requireSupported(params.kind);
  const next = marketStepOfEnergy(
    params,
    prev,
    energy.map((e) => e.exportWh),
    energy.map((e) => e.importWh),
  );
  return entriesWithStates(params, prev, energy, next);
}

/**
 * The entries of a step whose states are `states` (a claim's S_t, right or wrong) and whose running sums are
 * those F's rule gives from S_{t−1} and E_t: the tree an interval leaf commits to (`intervalEntriesRoot`).
 * Throws as `stepEntries` (FIELD_OVERFLOW where a Totals weight overflows, UNSUPPORTED_KIND).
 */
export function entriesWithStates(
  params: MarketParams,
  prev: readonly ParticipantState[],
  energy: readonly Energy[],
  states: readonly ParticipantState[],
): StepEntry[] {
  requireSupported(params.kind);
  if (prev.length !== energy.length || states.length !== energy.length)
    throw new MarketError({
      code: MarketErrorCode.ENERGY_LENGTH_MISMATCH,
      participants: prev.length,
      entries: prev.length !== energy.length ? energy.length : states.length,
    });
  const w = prev.map((s, j) => weights(params.kind, j, s, energy[j]));
  const sellW = w.map((x) => x.sell);
  const buyW = w.map((x) => x.buy);
  const sum = (xs: bigint[]): bigint => xs.reduce((a, b) => a + b, 0n);
  const matched = matchedOf(params, sum(sellW), sum(buyW));
  const value = p2pValue(params, matched);
  const sell = sidePrefixes(sellW, sum(sellW), matched, value);
  const buy = sidePrefixes(buyW, sum(buyW), matched, value);
  return states.map((state, j) => ({ state, energy: { ...energy[j] }, sell: sell[j], buy: buy[j] }));
}

/**
 * The entries root interval leaf t commits to (DESIGN.md §4): for Totals and Mmr the root over the entries
 * of the claimed S_t (`entriesWithStates`: F's running sums from the claimed S_{t−1} and E_t), for the
 * auction zero (it has no one-participant step). Throws where `entriesWithStates` does or a claimed state
 * has no packed encoding: a served window that throws reproduces no root.
 */
export function intervalEntriesRoot(
  params: MarketParams,
  prev: readonly ParticipantState[],
  energy: readonly Energy[],
  states: readonly ParticipantState[],
): string {
  if (params.kind === MarketKind.Auction) return ZeroHash;
  return entriesRoot(entriesWithStates(params, prev, energy, states));
}

/** One side's running sums over all N: the rule `judgeEntry` checks entry by entry. */
function sidePrefixes(w: readonly bigint[], total: bigint, matched: bigint, value: bigint): SidePrefix[] {
  let rest = matched;
  for (const wi of w) rest -= floorOf(matched, wi, total);
  const acc = { ...ZERO_SIDE };
  return w.map((wi) => {
    const floor = floorOf(matched, wi, total);
    // acc.positive counts the positive weights before i.
    const q = floor + (wi > 0n && acc.positive < rest ? 1n : 0n);
    acc.weight += wi;
    if (wi > 0n) acc.positive += 1n;
    acc.floors += floor;
    if (q > 0n) acc.filled += 1n;
    acc.valueFloors += floorOf(value, q, matched);
    return { ...acc };
  });
}

/** The last entry's totals, or undefined when no honest interval has them. */
function totalsOf(params: MarketParams, n: number, last: StepEntry) {
  const bound = BigInt(n) * U64_MAX;
  if (last.sell.weight > bound || last.buy.weight > bound) return undefined;
  const matched = matchedOf(params, last.sell.weight, last.buy.weight);
  const value = p2pValue(params, matched);
  if (last.sell.floors > matched || last.buy.floors > matched) return undefined;
  if (last.sell.valueFloors > value || last.buy.valueFloors > value) return undefined;
  return { matched, value };
}

/** One side of the entry the judge accepts after `before`: its five sums, j's share q and money. */
interface ExpectedSide {
  sums: SidePrefix;
  q: bigint;
  money: bigint;
  /** q > w: no entry j is F's on these totals (the judge names the side's excess). */
  excess: boolean;
  /** v·q at or past 2^256: F's own product overflows (the judge names the side's value floors). */
  overflow: boolean;
}

/**
 * One side of entry j as F's rule has it, from `before`'s sums plus j's terms (weight `w`, its floor of Q, its
 * remainder unit, its floor of v), the totals `t` and the last entry's sums: what `judgeSide` compares and
 * `expectedEntry` builds. The value floor is left 0 where its product overflows (no entry holds it).
 */
function expectedSide(
  before: SidePrefix,
  w: bigint,
  t: { matched: bigint; value: bigint },
  last: SidePrefix,
): ExpectedSide {
  const floor = floorOf(t.matched, w, last.weight);
  const q = floor + (w > 0n && before.positive < t.matched - last.floors ? 1n : 0n);
  // v·q above 2^256: F's own product overflows, or wrong totals lift v or q where F's does not. No honest
  // entry holds j's term: a fault, not a throw (else fake totals could leave every seller's judge throwing).
  const overflow = q > 0n && t.value * q >= U256_LIMIT;
  const valueFloor = overflow ? 0n : floorOf(t.value, q, t.matched);
  return {
    sums: {
      weight: before.weight + w,
      positive: before.positive + (w > 0n ? 1n : 0n),
      floors: before.floors + floor,
      filled: before.filled + (q > 0n ? 1n : 0n),
      valueFloors: before.valueFloors + valueFloor,
    },
    q,
    money: valueFloor + (q > 0n && before.filled < t.value - last.valueFloors ? 1n : 0n),
    excess: q > w,
    overflow,
  };
}

/** One side of entry j against its expected sums (`expectedSide`): the first fault in leaf order, or None. */
function judgeSide(entry: SidePrefix, x: ExpectedSide, base: EntryFault): EntryFault {
  if (entry.weight !== x.sums.weight) return base;
  if (entry.positive !== x.sums.positive) return base + 1;
  if (entry.floors !== x.sums.floors) return base + 2;
  if (x.excess) return base + 3;
  if (entry.filled !== x.sums.filled) return base + 4;
  if (x.overflow || entry.valueFloors !== x.sums.valueFloors) return base + 5;
  return EntryFault.None;
}

/**
 * Both sides of entry j as F's rule has them after `before`, with E_t[j] = `energy` and the totals of `last`;
 * undefined when no honest interval has those totals (the judge's Totals). Throws FIELD_OVERFLOW where F does
 * (a Totals weight past uint64), UNSUPPORTED_KIND for the auction.
 */
function expectedSides(
  params: MarketParams,
  n: number,
  prev: ParticipantState,
  before: StepEntry,
  energy: Energy,
  last: StepEntry,
) {
  requireSupported(params.kind);
  const t = totalsOf(params, n, last);
  if (t === undefined) return undefined;
  const w = weights(params.kind, -1, prev, energy);
  return {
    w,
    sell: expectedSide(before.sell, w.sell, t, last.sell),
    buy: expectedSide(before.buy, w.buy, t, last.buy),
  };
}

/**
 * Judges entry j of a step of `n` participants (twin of `StepEntries.judge`): `prev` = S_{t−1}[j] (zeros at a
 * window's first interval), `before` = entry j−1 (`ZERO_ENTRY` for j = 0), `last` = entry n−1 (`entry` for
 * j = n−1). The first fault in the order totals, sell's sums, buy's sums, state; None when the entry is F's,
 * that is `expectedEntry` of its own energy. Throws FIELD_OVERFLOW where F does (a uint64 field),
 * UNSUPPORTED_KIND for the auction; where F's v·q_j overflows no entry is F's, and the judge names the value
 * floors (a fault, not a throw).
 */
export function judgeEntry(
  params: MarketParams,
  n: number,
  prev: ParticipantState,
  before: StepEntry,
  entry: StepEntry,
  last: StepEntry,
): EntryFault {
  const x = expectedSides(params, n, prev, before, entry.energy, last);
  if (x === undefined) return EntryFault.Totals;
  const sold = judgeSide(entry.sell, x.sell, EntryFault.SellWeight);
  if (sold !== EntryFault.None) return sold;
  const bought = judgeSide(entry.buy, x.buy, EntryFault.BuyWeight);
  if (bought !== EntryFault.None) return bought;
  const expected = expectedState(params.kind, prev, entry.energy, x.w, x.sell, x.buy);
  return sameState(expected, entry.state) ? EntryFault.None : EntryFault.State;
}

/**
 * The one entry j that `judgeEntry` accepts after `before`, with S_{t−1}[j] = `prev`, E_t[j] = `energy` and the
 * totals of `last`: its running sums are `before`'s plus j's terms, its state F's for j. Undefined when the
 * judge accepts none there (totals no honest interval has, an excess share, an overflowing value). Throws as
 * `judgeEntry`.
 */
export function expectedEntry(
  params: MarketParams,
  n: number,
  prev: ParticipantState,
  before: StepEntry,
  energy: Energy,
  last: StepEntry,
): StepEntry | undefined {
  const x = expectedSides(params, n, prev, before, energy, last);
  if (x === undefined || [x.sell, x.buy].some((s) => s.excess || s.overflow)) return undefined;
  return {
    state: expectedState(params.kind, prev, energy, x.w, x.sell, x.buy),
    energy: { ...energy },
    sell: x.sell.sums,
    buy: x.buy.sums,
  };
}

/**
 * chain*(T) of the game's entries level (DESIGN.md §5.7): the entries the judge accepts one after the other
 * from `ZERO_ENTRY`, given S_{t−1} = `prevStates`, E_t = `energy` and the totals of `last` (the claim's entry
 * N−1, opened in `Publish`): entry j is `expectedEntry` after entry j−1. Where T is F's last entry this is
 * `stepEntries`; where a claim departs from it, the leftmost entry that differs is one the judge faults (its
 * predecessor being chain*'s), or one with other energy. Shorter than N where the judge accepts no entry j
 * (then the claim's entry j is faulted whatever it holds) or its judgement throws (F's does too).
 */
export function entriesUnderTotals(
  params: MarketParams,
  prevStates: readonly ParticipantState[],
  energy: readonly Energy[],
  last: StepEntry,
): StepEntry[] {
  const n = energy.length;
  const out: StepEntry[] = [];
  for (let j = 0; j < n; j++) {
    let next: StepEntry | undefined;
    try {
      next = expectedEntry(params, n, prevStates[j], j === 0 ? ZERO_ENTRY : out[j - 1], energy[j], last);
    } catch (e) {
      if (e instanceof MarketError) break;
      throw e;
    }
    if (!next) break;
    out.push(next);
  }
  return out;
}

/** S_t[j] from S_{t−1}[j], E_t[j], j's weights and both sides' shares and money (the market's rule). */
function expectedState(
  kind: MarketKind,
  prev: ParticipantState,
  e: Energy,
  w: { sell: bigint; buy: bigint },
  sold: { q: bigint; money: bigint },
  bought: { q: bigint; money: bigint },
): ParticipantState {
  const u64 = (field: string, v: bigint): bigint => addU64(-1, field, 0n, v);
  const exportWh = u64('exportWh', prev.exportWh + e.exportWh);
  const importWh = u64('importWh', prev.importWh + e.importWh);
  const flow = sold.money - bought.money;
  if (kind === MarketKind.Mmr)
    return {
      exportWh,
      importWh,
      p2pSoldWh: u64('p2pSoldWh', prev.p2pSoldWh + sold.q),
      p2pBoughtWh: u64('p2pBoughtWh', prev.p2pBoughtWh + bought.q),
      gridSoldWh: u64('gridSoldWh', prev.gridSoldWh + (w.sell - sold.q)),
      gridBoughtWh: u64('gridBoughtWh', prev.gridBoughtWh + (w.buy - bought.q)),
      net: prev.net + flow,
    };
  return {
    exportWh,
    importWh,
    p2pSoldWh: u64('p2pSoldWh', sold.q),
    p2pBoughtWh: u64('p2pBoughtWh', bought.q),
    gridSoldWh: u64('gridSoldWh', w.sell - sold.q),
    gridBoughtWh: u64('gridBoughtWh', w.buy - bought.q),
    net: flow,
  };
}

/** A participant state's fields, in leaf order. */
export const STATE_FIELDS = [
  'exportWh',
  'importWh',
  'p2pSoldWh',
  'p2pBoughtWh',
  'gridSoldWh',
  'gridBoughtWh',
  'net',
] as const;

function sameState(a: ParticipantState, b: ParticipantState): boolean {
  return STATE_FIELDS.every((f) => a[f] === b[f]);
}

/**
 * The entries a node would dispute: every j whose entry fails `judgeEntry` against the committed
 * neighbours (`prevStates` = S_{t−1}, the committed entries of step t), in order. Empty when the committed
 * entries are F's. A j whose judgement throws a MarketError (a uint64 field past its range: the verifier's
 * judge reverts there too, so no BadEntry proves it) is left out rather than hiding the others. O(N).
 */
export function faultyEntries(
  params: MarketParams,
  prevStates: readonly ParticipantState[],
  committed: readonly StepEntry[],
): { participant: number; fault: EntryFault }[] {
  const n = committed.length;
  const out: { participant: number; fault: EntryFault }[] = [];
  for (let j = 0; j < n; j++) {
    let fault: EntryFault;
    try {
      fault = judgeEntry(
        params,
        n,
        prevStates[j],
        j === 0 ? ZERO_ENTRY : committed[j - 1],
        committed[j],
        committed[n - 1],
      );
    } catch (e) {
      if (e instanceof MarketError) continue;
      throw e;
    }
    if (fault !== EntryFault.None) out.push({ participant: j, fault });
  }
  return out;
}
