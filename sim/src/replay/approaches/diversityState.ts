import { AbiCoder, keccak256 } from 'ethers';
import type { CommunityReadings } from '../types.js';

/** Twin of `ParticipantState` in contracts/src/types/Market.sol. */
export interface ParticipantState {
  exportWh: bigint;
  importWh: bigint;
  p2pSoldWh: bigint;
  p2pBoughtWh: bigint;
  gridSoldWh: bigint;
  gridBoughtWh: bigint;
  net: bigint;
}

export const PARTICIPANT_STATE_TUPLE =
  'tuple(uint64 exportWh,uint64 importWh,uint64 p2pSoldWh,uint64 p2pBoughtWh,uint64 gridSoldWh,uint64 gridBoughtWh,int256 net)[]';

/** hash(S) = keccak256(abi.encode(ParticipantState[])), as `StateHash.hash` in Market.sol. */
export function stateHash(s: ParticipantState[]): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode([PARTICIPANT_STATE_TUPLE], [s.map(toTuple)]));
}

export function toTuple(p: ParticipantState): unknown[] {
  return [p.exportWh, p.importWh, p.p2pSoldWh, p.p2pBoughtWh, p.gridSoldWh, p.gridBoughtWh, p.net];
}

/** Splits `total` among weights pro rata, floor first, leftover units to the largest remainders (ties: lower index). */
export function proRata(total: bigint, weights: bigint[]): bigint[] {
  const sum = weights.reduce((a, b) => a + b, 0n);
  if (sum === 0n || total === 0n) return weights.map(() => 0n);
  const shares = weights.map((w) => (total * w) / sum);
  let left = total - shares.reduce((a, b) => a + b, 0n);
  const order = weights
    .map((w, i) => ({ i, rem: (total * w) % sum }))
    .sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  for (let k = 0; left > 0n; k++, left--) shares[order[k].i] += 1n;
  return shares;
}

/**
 * Final state S_W of one window under the paper's `totals` market (DESIGN.md §3): window
 * totals per meter, matched volume V = min(total export, total import), shared pro rata,
 * paid at `pricePerWh` (token base units). Stand-in for the node's fold until the lead wires
 * node/src/window; the gas of an update depends on the state's size, not on these values.
 */
export function totalsState(r: CommunityReadings, from: number, to: number, pricePerWh: bigint): ParticipantState[] {
  const exp: bigint[] = [];
  const imp: bigint[] = [];
  for (let m = 0; m < r.meters; m++) {
    let e = 0;
    let i = 0;
    for (let t = from; t < to; t++) {
      e += r.exportWh[m][t];
      i += r.importWh[m][t];
    }
    exp.push(BigInt(e));
    imp.push(BigInt(i));
  }
  const E = exp.reduce((a, b) => a + b, 0n);
  const I = imp.reduce((a, b) => a + b, 0n);
  const V = E < I ? E : I;
  const sold = proRata(V, exp);
  const bought = proRata(V, imp);
  return exp.map((e, m) => ({
    exportWh: e,
    importWh: imp[m],
    p2pSoldWh: sold[m],
    p2pBoughtWh: bought[m],
    gridSoldWh: e - sold[m],
    gridBoughtWh: imp[m] - bought[m],
    net: (sold[m] - bought[m]) * pricePerWh,
  }));
}
