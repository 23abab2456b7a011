import { AbiCoder, concat, keccak256 } from 'ethers';
import { buildLevels, merkleRoot } from './merkle.js';
import { MarketError, MarketErrorCode } from './errors.js';

/** Which market function F a community folds its windows with (twin of Solidity `MarketKind`). */
export enum MarketKind {
  /** The paper's function: window totals, matched volume min(total export, total import). */
  Totals = 0,
  /** Per-interval pro-rata sharing at the mid-market rate, capped by the feeder. */
  Mmr = 1,
  /**
   * Per-interval uniform-price double auction over standing limit prices (`auction.ts`). Its Solidity
   * twin is the library `contracts/src/libraries/Auction.sol`, behind the hub's `AuctionMarketStep` module.
   */
  Auction = 2,
}

/**
 * A participant's standing limit prices for the auction, token units per kWh (uint128 each; twin of
 * Solidity `LimitPrices` in `contracts/src/types/Auction.sol`). Its metered deficit in an interval is
 * a bid at `bidPrice` (the most it pays), its surplus an ask at `askPrice` (the least it accepts).
 */
export interface LimitPrices {
  bidPrice: bigint;
  askPrice: bigint;
}

/** Market parameters fixed at open (twin of Solidity `MarketParams`). Prices in token units per kWh. */
export interface MarketParams {
  kind: MarketKind;
  /** Tariff at which the community buys from the grid (uint128). */
  gridBuyPrice: bigint;
  /** Tariff at which the grid buys the community's export (uint128). */
  gridSellPrice: bigint;
  /** Energy the feeder can carry between households in one interval (Wh, uint64); 0 = no limit. */
  feederCapacityWh: bigint;
  /**
   * Auction: `limitsHash` of the standing limit prices fixed at open (bytes32, 0x-prefixed), what the
   * hub's auction module checks a proof's prices against. Not read by the fold (which takes the prices
   * themselves, `FoldContext.limits`); absent = zero (Totals and Mmr).
   */
  limitsHash?: string;
  /**
   * `tariffHash` of the community's time-of-use tariff (`tariff.ts`; bytes32, 0x-prefixed), fixed at open;
   * absent or zero = flat prices. With a tariff, `gridBuyPrice` / `gridSellPrice` are its ceilings
   * (`tariffCeilings`), and the fold takes each interval's prices from the tariff (`paramsSchedule`).
   */
  tariffHash?: string;
}

/**
 * One participant's cumulative state S_t within a window (twin of Solidity `ParticipantState`).
 * Energy fields are uint64 Wh; `net` is int256 token units (positive = receives). Σ net = 0.
 */
export interface ParticipantState {
  exportWh: bigint;
  importWh: bigint;
  p2pSoldWh: bigint;
  p2pBoughtWh: bigint;
  gridSoldWh: bigint;
  gridBoughtWh: bigint;
  net: bigint;
}

/** One meter's reading for one interval as F consumes it; absent (`present: false`) = zero energy. */
export interface MeterEnergy {
  present: boolean;
  /** uint32 Wh. */
  exportWh: number;
  /** uint32 Wh. */
  importWh: number;
}

/** The uint64 energy fields of `ParticipantState`, in struct order. */
export const ENERGY_FIELDS = [
  'exportWh',
  'importWh',
  'p2pSoldWh',
  'p2pBoughtWh',
  'gridSoldWh',
  'gridBoughtWh',
] as const;

export const U32_MAX = 0xffff_ffff;
export const U64_MAX = (1n << 64n) - 1n;
export const U128_MAX = (1n << 128n) - 1n;
export const I256_MAX = (1n << 255n) - 1n;
export const I256_MIN = -(1n << 255n);

/**
 * A participant's state from its decimal-string form (the JSON of a store or a peer's answer). Throws on a
 * field that is not an integer string (`BigInt`'s SyntaxError); ranges are the caller's (`checkState`).
 */
export function stateFromStrings(s: Record<keyof ParticipantState, string>): ParticipantState {
  return {
    exportWh: BigInt(s.exportWh),
    importWh: BigInt(s.importWh),
    p2pSoldWh: BigInt(s.p2pSoldWh),
    p2pBoughtWh: BigInt(s.p2pBoughtWh),
    gridSoldWh: BigInt(s.gridSoldWh),
    gridBoughtWh: BigInt(s.gridBoughtWh),
    net: BigInt(s.net),
  };
}

/** S_0: all zeros, one entry per participant. */
export function emptyState(participantCount: number): ParticipantState[] {
  return Array.from({ length: participantCount }, () => ({
    exportWh: 0n,
    importWh: 0n,
    p2pSoldWh: 0n,
    p2pBoughtWh: 0n,
    gridSoldWh: 0n,
    gridBoughtWh: 0n,
    net: 0n,
  }));
}

/** Throws STATE_LENGTH_MISMATCH unless `state` has one entry per participant (Solidity `requireStateLength`). */
export function assertStateLength(state: readonly ParticipantState[], participantCount: number): void {
  if (state.length !== participantCount) {
    throw new MarketError({
      code: MarketErrorCode.STATE_LENGTH_MISMATCH,
      expected: participantCount,
      actual: state.length,
    });
  }
}

/** Throws VALUE_OUT_OF_RANGE unless every field fits its Solidity type (so the encoding is the ABI's). */
export function checkState(state: readonly ParticipantState[]): void {
  state.forEach((s, i) => {
    for (const f of ENERGY_FIELDS) {
      const v = s[f];
      if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) {
        throw new MarketError({
          code: MarketErrorCode.VALUE_OUT_OF_RANGE,
          field: `state[${i}].${f}`,
          value: String(v),
        });
      }
    }
    if (typeof s.net !== 'bigint' || s.net < I256_MIN || s.net > I256_MAX) {
      throw new MarketError({
        code: MarketErrorCode.VALUE_OUT_OF_RANGE,
        field: `state[${i}].net`,
        value: String(s.net),
      });
    }
  });
}

const STATE_ABI_TYPE = 'tuple(uint64,uint64,uint64,uint64,uint64,uint64,int256)[]';

/** Exactly Solidity `abi.encode(ParticipantState[])`. */
export function encodeState(states: readonly ParticipantState[]): Uint8Array {
  checkState(states);
  const rows = states.map((s) => [
    s.exportWh,
    s.importWh,
    s.p2pSoldWh,
    s.p2pBoughtWh,
    s.gridSoldWh,
    s.gridBoughtWh,
    s.net,
  ]);
  const hex = AbiCoder.defaultAbiCoder().encode([STATE_ABI_TYPE], [rows]);
  return Buffer.from(hex.slice(2), 'hex');
}

const LIMITS_ABI_TYPE = 'tuple(uint128,uint128)[]';

/**
 * limitsHash(L) = keccak256(abi.encode(LimitPrices[])), equal to Solidity `LimitsHash.hash`
 * (`contracts/src/types/Auction.sol`): the commitment to an auction community's standing limit prices
 * that a hub keeps in place of the prices themselves. Throws VALUE_OUT_OF_RANGE for a price outside uint128.
 */
export function limitsHash(limits: readonly LimitPrices[]): string {
  limits.forEach((l, i) => {
    for (const f of ['bidPrice', 'askPrice'] as const) {
      const v = l[f];
      if (typeof v !== 'bigint' || v < 0n || v > U128_MAX) {
        throw new MarketError({
          code: MarketErrorCode.VALUE_OUT_OF_RANGE,
          field: `limits[${i}].${f}`,
          value: String(v),
        });
      }
    }
  });
  return keccak256(AbiCoder.defaultAbiCoder().encode([LIMITS_ABI_TYPE], [limits.map((l) => [l.bidPrice, l.askPrice])]));
}

/** Bytes per participant in packed limit prices (`packLimits`). */
export const PACKED_LIMITS_STRIDE = 32;

/**
 * The standing limit prices as a BadStep proof carries them (twin of Solidity `PackedLimits`,
 * `contracts/src/libraries/PackedLimits.sol`): per participant, in index order, 32 bytes big-endian
 * `bidPrice ‖ askPrice` (uint128 each), half the ABI's 64. A transport encoding only: the commitment stays
 * `limitsHash` of the list. Throws VALUE_OUT_OF_RANGE for a price outside uint128.
 */
export function packLimits(limits: readonly LimitPrices[]): Uint8Array {
  limitsHash(limits); // the range checks, in one place
  const out = Buffer.alloc(limits.length * PACKED_LIMITS_STRIDE);
  limits.forEach((l, i) => {
    const at = i * PACKED_LIMITS_STRIDE;
    out.writeBigUInt64BE(l.bidPrice >> 64n, at);
    out.writeBigUInt64BE(l.bidPrice & U64_MAX, at + 8);
    out.writeBigUInt64BE(l.askPrice >> 64n, at + 16);
    out.writeBigUInt64BE(l.askPrice & U64_MAX, at + 24);
  });
  return out;
}

/** Inverse of `packLimits`; throws STATE_LENGTH_MISMATCH unless the length is a whole number of participants. */
export function unpackLimits(packed: Uint8Array): LimitPrices[] {
  if (packed.length % PACKED_LIMITS_STRIDE !== 0) {
    throw new MarketError({
      code: MarketErrorCode.STATE_LENGTH_MISMATCH,
      expected: packed.length - (packed.length % PACKED_LIMITS_STRIDE),
      actual: packed.length,
    });
  }
  const b = Buffer.from(packed.buffer, packed.byteOffset, packed.length);
  return Array.from({ length: packed.length / PACKED_LIMITS_STRIDE }, (_, i) => {
    const at = i * PACKED_LIMITS_STRIDE;
    const word = (k: number) => (b.readBigUInt64BE(at + 16 * k) << 64n) | b.readBigUInt64BE(at + 16 * k + 8);
    return { bidPrice: word(0), askPrice: word(1) };
  });
}

/** The state leaf's domain byte (0x00–0x04: the window commitment's; 0x05 the meter registry's; 0x06 a step entry's). */
const STATE_DOMAIN = '0x07';

/**
 * Participant j's leaf in the state tree: keccak256(0x07 ‖ S[j] packed), 65 bytes hashed (twin of Solidity
 * `PackedState.leaf`). With `minNet`, a net of −2^127 has a leaf too (what a step entry's state may hold: the
 * `StateEntry` dispute compares an entry's state with the committed leaf by this hash). Throws
 * VALUE_OUT_OF_RANGE for a state without a packed encoding (`packState`).
 */
export function stateLeaf(s: ParticipantState, opts: { minNet?: boolean } = {}): string {
  return keccak256(concat([STATE_DOMAIN, packState([s], opts)]));
}

/** The state tree's levels, leaves first (`merkle.ts`): what a `StateEntry` proof's path is read from. */
export function stateLevels(states: readonly ParticipantState[]): string[][] {
  return buildLevels(states.map((s) => stateLeaf(s)));
}

/**
 * hash(S): the root of the canonical zero-padded Merkle tree (`merkle.ts`) over one leaf per participant,
 * `stateLeaf(S[j])`, equal to Solidity `StateHash.hash` (DESIGN.md §4). A root and not one flat hash, so that
 * one participant's committed state opens in O(log N) (the `StateEntry` dispute, §5.4). 0x-prefixed. Throws
 * VALUE_OUT_OF_RANGE for a state without a packed encoding (`packState`): no committed state is one.
 */
export function stateHash(states: readonly ParticipantState[]): string {
  checkState(states);
  return merkleRoot(states.map((s) => stateLeaf(s)));
}

/**
 * `stateHash`, or undefined for a state whose net has no packed encoding (−2^127 or outside int128: the hub's
 * bounds at open keep every honest net inside, DESIGN.md §5.2). Twin of Solidity `StateHash.tryHash`.
 */
export function tryStateHash(states: readonly ParticipantState[]): string | undefined {
  return states.every((s) => netPackable(s.net)) ? stateHash(states) : undefined;
}

/** Bytes per participant in the packed final state `Hub.update` takes. */
export const PACKED_STATE_STRIDE = 64;
const I128_MAX = (1n << 127n) - 1n;
/** Whether a net has a packed encoding: |net| ≤ int128 max (−2^127 has none: its negation does not fit). */
const netPackable = (net: bigint): boolean => net <= I128_MAX && net >= -I128_MAX;
/** Whether a net fits the 16 bytes at all (−2^127 included: `packState` with `minNet`). */
const netFits = (net: bigint): boolean => net <= I128_MAX && net >= -I128_MAX - 1n;

/**
 * The final state as `Hub.update` takes it (twin of Solidity `PackedState`): per participant, in index
 * order, 64 bytes big-endian `exportWh ‖ importWh ‖ p2pSoldWh ‖ p2pBoughtWh ‖ gridSoldWh ‖ gridBoughtWh`
 * (8 bytes each) `‖ net` (16 bytes, two's complement). It is the state hash's preimage (`stateHash`),
 * which the hub and the game hash as it came, without rebuilding the ABI's 224 bytes. Throws VALUE_OUT_OF_RANGE
 * for a field outside uint64 or |net| > int128 max (the hub rejects those states too). With `minNet`, a net of
 * −2^127 is written too (twin of Solidity `PackedState.pack`; what a step entry's leaf encodes: a claimant may
 * commit those 16 bytes, and an entry must stay openable to be judged, review s18).
 */
export function packState(states: readonly ParticipantState[], opts: { minNet?: boolean } = {}): Uint8Array {
  checkState(states);
  const fits = opts.minNet ? netFits : netPackable;
  const out = Buffer.alloc(states.length * PACKED_STATE_STRIDE);
  states.forEach((s, i) => {
    if (!fits(s.net)) {
      throw new MarketError({
        code: MarketErrorCode.VALUE_OUT_OF_RANGE,
        field: `state[${i}].net`,
        value: String(s.net),
      });
    }
    const at = i * PACKED_STATE_STRIDE;
    ENERGY_FIELDS.forEach((f, k) => {
      out.writeBigUInt64BE(s[f], at + 8 * k);
    });
    const net = BigInt.asUintN(128, s.net);
    out.writeBigUInt64BE(net >> 64n, at + 48);
    out.writeBigUInt64BE(net & U64_MAX, at + 56);
  });
  return out;
}

/** Inverse of `packState` (for auditors reading an update's calldata); throws STATE_LENGTH_MISMATCH. */
export function unpackState(packed: Uint8Array, participantCount: number): ParticipantState[] {
  if (packed.length !== participantCount * PACKED_STATE_STRIDE) {
    throw new MarketError({
      code: MarketErrorCode.STATE_LENGTH_MISMATCH,
      expected: participantCount * PACKED_STATE_STRIDE,
      actual: packed.length,
    });
  }
  const b = Buffer.from(packed.buffer, packed.byteOffset, packed.length);
  return Array.from({ length: participantCount }, (_, i) => {
    const at = i * PACKED_STATE_STRIDE;
    const [exportWh, importWh, p2pSoldWh, p2pBoughtWh, gridSoldWh, gridBoughtWh] = ENERGY_FIELDS.map((_f, k) =>
      b.readBigUInt64BE(at + 8 * k),
    );
    const net = BigInt.asIntN(128, (b.readBigUInt64BE(at + 48) << 64n) | b.readBigUInt64BE(at + 56));
    return { exportWh, importWh, p2pSoldWh, p2pBoughtWh, gridSoldWh, gridBoughtWh, net };
  });
}
