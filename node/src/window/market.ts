import { assertLimitsLength, clearAuction } from './auction.js';
import { MarketError, MarketErrorCode } from './errors.js';
import {
  MarketKind,
  U128_MAX,
  U32_MAX,
  U64_MAX,
  I256_MAX,
  I256_MIN,
  checkState,
  type LimitPrices,
  type MarketParams,
  type MeterEnergy,
  type ParticipantState,
} from './state.js';

/**
 * The market step F(S_{t-1}, R_t) -> S_t and its helpers. Twin of `contracts/src/libraries/Market.sol`;
 * the shared vectors in `contracts/test/vectors/market.json` keep both byte-identical.
 * Integer arithmetic only (bigint here, uint256/int256 there).
 */

/**
 * Pro-rata share of `total` by `weights`: x_i = floor(total * w_i / W) with W = Σ w (all 0 if W = 0 or
 * total = 0); the remainder r = total − Σ x_i is given 1 unit each to the first r indices (ascending)
 * with w_i > 0. Then Σ x = total whenever W > 0 (r < count of w_i > 0 since each floor loses < 1), and
 * when total ≤ W every x_i ≤ w_i. Twin of `ProRata.share`: W and every total · w_i must fit 256 bits
 * (ARITHMETIC_OVERFLOW otherwise, where Solidity panics 0x11).
 */
export function share(total: bigint, weights: readonly bigint[]): bigint[] {
  let sum = 0n;
  for (const w of weights) sum = checkedU256('share', sum + w);
  if (total === 0n || sum === 0n) return weights.map(() => 0n);
  for (const w of weights) checkedU256('share', total * w);
  return proRata(total, weights, sum);
}

/**
 * The same rounding rule for money (twin of `ProRata.split`, used by the balances reaction): shares of
 * `amount` by `weights` whose sum is `total`, with 0 < total and amount ≤ total. Solidity computes the
 * products in 512 bits there, so no intermediate bound applies (bigint here).
 */
export function splitProRata(amount: bigint, weights: readonly bigint[], total: bigint): bigint[] {
  let sum = 0n;
  for (const w of weights) {
    if (w < 0n) throw new RangeError('splitProRata: negative weight');
    sum += w;
  }
  if (sum !== total || total <= 0n || amount < 0n || amount > total) {
    throw new RangeError('splitProRata: needs total = Σ weights > 0 and 0 ≤ amount ≤ total');
  }
  return proRata(amount, weights, total);
}

/** The rule itself (one home): floors, then the remainder one unit each to the first positive weights. */
function proRata(amount: bigint, weights: readonly bigint[], total: bigint): bigint[] {
  const parts = weights.map(() => 0n);
  let given = 0n;
  for (let i = 0; i < weights.length; i++) {
    parts[i] = (amount * weights[i]) / total;
    given += parts[i];
  }
  let rest = amount - given;
  for (let i = 0; rest > 0n; i++) {
    if (weights[i] > 0n) {
      parts[i] += 1n;
      rest -= 1n;
    }
  }
  return parts;
}

/**
 * Token value of `energyWh` at the P2P price, the midpoint (gridBuyPrice + gridSellPrice) / 2 per kWh:
 * floor(energyWh * (gridBuyPrice + gridSellPrice) / 2000). Rounding down once, on the total, is what
 * lets the pro-rata shares of it conserve money exactly.
 */
export function p2pValue(params: MarketParams, energyWh: bigint): bigint {
  return checkedU256('p2pValue', energyWh * (params.gridBuyPrice + params.gridSellPrice)) / 2000n;
}

const U256_LIMIT = 1n << 256n;

/** A uint256 intermediate, as Solidity's checked arithmetic (panic 0x11 there, ARITHMETIC_OVERFLOW here). */
export function checkedU256(operation: 'share' | 'p2pValue', v: bigint): bigint {
  if (v >= U256_LIMIT) throw new MarketError({ code: MarketErrorCode.ARITHMETIC_OVERFLOW, operation });
  return v;
}

function checkRange(field: string, value: bigint, max: bigint): void {
  if (typeof value !== 'bigint' || value < 0n || value > max) {
    throw new MarketError({ code: MarketErrorCode.VALUE_OUT_OF_RANGE, field, value: String(value) });
  }
}

/** Inputs the Solidity ABI types would reject (they cannot occur on chain). */
function checkInputs(
  params: MarketParams,
  prev: readonly ParticipantState[],
  meterOwner: readonly number[],
  readings: readonly MeterEnergy[],
  limits: readonly LimitPrices[],
): void {
  if (params.kind !== MarketKind.Totals && params.kind !== MarketKind.Mmr && params.kind !== MarketKind.Auction) {
    throw new MarketError({ code: MarketErrorCode.VALUE_OUT_OF_RANGE, field: 'kind', value: String(params.kind) });
  }
  checkRange('gridBuyPrice', params.gridBuyPrice, U128_MAX);
  checkRange('gridSellPrice', params.gridSellPrice, U128_MAX);
  checkRange('feederCapacityWh', params.feederCapacityWh, U64_MAX);
  checkState(prev);
  if (params.kind === MarketKind.Auction) {
    // Solidity's Auction.step checks the limits' length first, then the readings in meter order.
    assertLimitsLength(limits, prev.length);
    limits.forEach((l, i) => {
      checkRange(`limits[${i}].bidPrice`, l.bidPrice, U128_MAX);
      checkRange(`limits[${i}].askPrice`, l.askPrice, U128_MAX);
    });
  }
  if (readings.length !== meterOwner.length) {
    throw new MarketError({
      code: MarketErrorCode.READINGS_LENGTH_MISMATCH,
      meters: meterOwner.length,
      readings: readings.length,
    });
  }
  meterOwner.forEach((owner, meter) => {
    if (!Number.isInteger(owner) || owner < 0 || owner > U32_MAX) {
      throw new MarketError({
        code: MarketErrorCode.VALUE_OUT_OF_RANGE,
        field: `meterOwner[${meter}]`,
        value: String(owner),
      });
    }
    // Solidity checks the owner inside its one loop over the meters, in meter order: same first failure.
    if (owner >= prev.length) {
      throw new MarketError({
        code: MarketErrorCode.METER_OWNER_OUT_OF_RANGE,
        meter,
        owner,
        participants: prev.length,
      });
    }
    const r = readings[meter];
    for (const f of ['exportWh', 'importWh'] as const) {
      if (!Number.isInteger(r[f]) || r[f] < 0 || r[f] > U32_MAX) {
        throw new MarketError({
          code: MarketErrorCode.VALUE_OUT_OF_RANGE,
          field: `readings[${meter}].${f}`,
          value: String(r[f]),
        });
      }
    }
  });
}

/** uint64 field arithmetic as Solidity's checked `+=` (panic 0x11 there, FIELD_OVERFLOW here). */
export function addU64(participant: number, field: string, a: bigint, b: bigint): bigint {
  const v = a + b;
  if (v > U64_MAX) throw new MarketError({ code: MarketErrorCode.FIELD_OVERFLOW, participant, field });
  return v;
}

function addI256(participant: number, a: bigint, b: bigint): bigint {
  const v = a + b;
  if (v > I256_MAX || v < I256_MIN)
    throw new MarketError({ code: MarketErrorCode.FIELD_OVERFLOW, participant, field: 'net' });
  return v;
}

/**
 * F(S_{t-1}, R_t) -> S_t: folds one interval into the window state.
 *
 * `prev` has one entry per participant; `meterOwner[k]` is the participant index of meter k and
 * `readings[k]` its reading (absent = zero energy, whatever its fields say). Per participant
 * e_i = Σ exportWh and m_i = Σ importWh of its meters. Then:
 *
 * - **Mmr**: p_i = e_i − m_i; s_i = max(p_i, 0), d_i = max(−p_i, 0); S = Σ s, D = Σ d;
 *   M = min(S, D, cap) (cap = feederCapacityWh, 0 = no limit); sold = share(M, s),
 *   bought = share(M, d); value = p2pValue(M); recv = share(value, sold), pay = share(value, bought).
 *   exportWh += e_i, importWh += m_i, p2pSoldWh += sold_i, p2pBoughtWh += bought_i,
 *   gridSoldWh += s_i − sold_i, gridBoughtWh += d_i − bought_i, net += recv_i − pay_i.
 * - **Totals**: exportWh += e_i, importWh += m_i (cumulative E_i, I_i); everything else is recomputed
 *   from the totals, so S_t is the result if the window ended at t: V = min(Σ E, Σ I) (no capacity),
 *   p2pSoldWh = share(V, E), p2pBoughtWh = share(V, I), gridSoldWh = E_i − p2pSoldWh_i,
 *   gridBoughtWh = I_i − p2pBoughtWh_i, net = share(p2pValue(V), p2pSoldWh) − share(p2pValue(V), p2pBoughtWh).
 * - **Auction**: s_i and d_i as for Mmr; `clearAuction` (auction.ts) gives sold, bought and the value
 *   at the uniform clearing price from the participants' standing `limits` (one per participant) and
 *   the grid prices of `params` (those in force for the interval); the flows are added as for Mmr.
 *
 * Pure: `prev` is not modified. Throws MarketError (READINGS_LENGTH_MISMATCH, METER_OWNER_OUT_OF_RANGE,
 * LIMITS_LENGTH_MISMATCH, VALUE_OUT_OF_RANGE, FIELD_OVERFLOW).
 */
export function marketStep(
  params: MarketParams,
  prev: readonly ParticipantState[],
  meterOwner: readonly number[],
  readings: readonly MeterEnergy[],
  limits: readonly LimitPrices[] = [],
): ParticipantState[] {
  checkInputs(params, prev, meterOwner, readings, limits);
  const { exported, imported } = intervalEnergy(prev.length, meterOwner, readings);
  return stepEnergy(params, prev, exported, imported, limits);
}

/**
 * F(S_{t-1}, E_t) -> S_t over the participants' energies of the interval (E_t, DESIGN.md §4): the core
 * `marketStep` calls after summing the meters, and the one a dispute over a committed E_t recomputes
 * (Solidity `IMarketStep.step(p, prev, exported, imported, limits)`). `exported[j]`, `imported[j]`: the Wh of
 * participant j's meters. Throws MarketError as `marketStep` (READINGS_LENGTH_MISMATCH when the energies
 * are not one per participant: ENERGY_LENGTH_MISMATCH).
 */
export function marketStepOfEnergy(
  params: MarketParams,
  prev: readonly ParticipantState[],
  exported: readonly bigint[],
  imported: readonly bigint[],
  limits: readonly LimitPrices[] = [],
): ParticipantState[] {
  checkInputs(params, prev, [], [], limits);
  if (exported.length !== prev.length || imported.length !== prev.length)
    throw new MarketError({
      code: MarketErrorCode.ENERGY_LENGTH_MISMATCH,
      participants: prev.length,
      entries: exported.length !== prev.length ? exported.length : imported.length,
    });
  for (let i = 0; i < prev.length; i++) {
    checkRange(`exported[${i}]`, exported[i], U64_MAX);
    checkRange(`imported[${i}]`, imported[i], U64_MAX);
  }
  return stepEnergy(params, prev, exported, imported, limits);
}

function stepEnergy(
  params: MarketParams,
  prev: readonly ParticipantState[],
  exported: readonly bigint[],
  imported: readonly bigint[],
  limits: readonly LimitPrices[],
): ParticipantState[] {
  const next = prev.map((s, i) => ({
    ...s,
    exportWh: addU64(i, 'exportWh', s.exportWh, exported[i]),
    importWh: addU64(i, 'importWh', s.importWh, imported[i]),
  }));
  if (params.kind === MarketKind.Totals) return totalsRecompute(params, next);
  const { surplus, deficit } = netPositions([...exported], [...imported]);
  if (params.kind === MarketKind.Auction) {
    const { sold, bought, value } = clearAuction(params, limits, surplus, deficit);
    return addFlows(next, surplus, deficit, sold, bought, value);
  }
  return mmrInterval(params, next, surplus, deficit);
}

/**
 * e_i and m_i: the sums of the present readings of participant i's meters (Solidity
 * `Market.participantEnergy`, without its checks: `marketStep` checks the inputs first).
 */
export function intervalEnergy(
  participants: number,
  meterOwner: readonly number[],
  readings: readonly MeterEnergy[],
): { exported: bigint[]; imported: bigint[] } {
  const exported: bigint[] = new Array<bigint>(participants).fill(0n);
  const imported: bigint[] = new Array<bigint>(participants).fill(0n);
  readings.forEach((r, meter) => {
    if (!r.present) return;
    exported[meterOwner[meter]] += BigInt(r.exportWh);
    imported[meterOwner[meter]] += BigInt(r.importWh);
  });
  return { exported, imported };
}

/** s_i = max(e_i − m_i, 0) and d_i = max(m_i − e_i, 0): the interval's net surplus and deficit. */
export function netPositions(
  exported: readonly bigint[],
  imported: readonly bigint[],
): { surplus: bigint[]; deficit: bigint[] } {
  return {
    surplus: exported.map((e, i) => (e > imported[i] ? e - imported[i] : 0n)),
    deficit: exported.map((e, i) => (imported[i] > e ? imported[i] - e : 0n)),
  };
}

/** Mmr: shares this interval's net surplus and deficit and adds the flows to `next` (exports already added). */
function mmrInterval(
  params: MarketParams,
  next: ParticipantState[],
  surplus: bigint[],
  deficit: bigint[],
): ParticipantState[] {
  const totalSurplus = surplus.reduce((a, b) => a + b, 0n);
  const totalDeficit = deficit.reduce((a, b) => a + b, 0n);
  let matched = totalSurplus < totalDeficit ? totalSurplus : totalDeficit;
  if (params.feederCapacityWh !== 0n && params.feederCapacityWh < matched) matched = params.feederCapacityWh;
  return addFlows(next, surplus, deficit, share(matched, surplus), share(matched, deficit), p2pValue(params, matched));
}

/**
 * Per-interval markets (Mmr, Auction): adds one interval's flows to `next`. `value` is the token value of
 * the matched volume Σ sold = Σ bought; sellers receive share(value, sold), buyers pay share(value, bought).
 */
function addFlows(
  next: ParticipantState[],
  surplus: readonly bigint[],
  deficit: readonly bigint[],
  sold: readonly bigint[],
  bought: readonly bigint[],
  value: bigint,
): ParticipantState[] {
  const received = share(value, [...sold]);
  const paid = share(value, [...bought]);
  return next.map((s, i) => ({
    ...s,
    p2pSoldWh: addU64(i, 'p2pSoldWh', s.p2pSoldWh, sold[i]),
    p2pBoughtWh: addU64(i, 'p2pBoughtWh', s.p2pBoughtWh, bought[i]),
    gridSoldWh: addU64(i, 'gridSoldWh', s.gridSoldWh, surplus[i] - sold[i]),
    gridBoughtWh: addU64(i, 'gridBoughtWh', s.gridBoughtWh, deficit[i] - bought[i]),
    net: addI256(i, s.net, received[i] - paid[i]),
  }));
}

/** Totals: recomputes the window's matching from the cumulative exportWh/importWh in `next`. */
function totalsRecompute(params: MarketParams, next: ParticipantState[]): ParticipantState[] {
  const exports = next.map((s) => s.exportWh);
  const imports = next.map((s) => s.importWh);
  const totalExport = exports.reduce((a, b) => a + b, 0n);
  const totalImport = imports.reduce((a, b) => a + b, 0n);
  const matched = totalExport < totalImport ? totalExport : totalImport;
  const sold = share(matched, exports);
  const bought = share(matched, imports);
  const value = p2pValue(params, matched);
  const received = share(value, sold);
  const paid = share(value, bought);
  return next.map((s, i) => ({
    ...s,
    p2pSoldWh: sold[i],
    p2pBoughtWh: bought[i],
    gridSoldWh: s.exportWh - sold[i],
    gridBoughtWh: s.importWh - bought[i],
    net: received[i] - paid[i],
  }));
}

/** What a fold needs besides the market parameters fixed at open. */
export interface FoldContext {
  /** The auction's standing limit prices, one per participant, in force for the window. */
  limits?: readonly LimitPrices[];
  /**
   * The parameters in force for the t-th interval of the fold (a time-of-use tariff's grid prices,
   * `tariff.ts`); default: `params` for every interval.
   */
  paramsAt?: (t: number) => MarketParams;
}

/**
 * Folds several intervals from `start`: returns [S_1, ..., S_T] for intervals R_1..R_T (the commitment
 * needs every S_t). The Solidity `fold` returns only the last one.
 */
export function foldWindow(
  params: MarketParams,
  start: readonly ParticipantState[],
  meterOwner: readonly number[],
  intervals: readonly (readonly MeterEnergy[])[],
  ctx: FoldContext = {},
): ParticipantState[][] {
  const states: ParticipantState[][] = [];
  let state: readonly ParticipantState[] = start;
  for (let t = 0; t < intervals.length; t++) {
    const readings = intervals[t];
    const next = marketStep(ctx.paramsAt ? ctx.paramsAt(t) : params, state, meterOwner, readings, ctx.limits);
    states.push(next);
    state = next;
  }
  return states;
}

export { emptyState } from './state.js';
