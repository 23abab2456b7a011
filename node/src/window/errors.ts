import { DiversityError } from '../util/errors.js';

/**
 * Failures of the market step F. Each has a Solidity twin in `contracts/src/libraries/Market.sol`:
 *
 * | code | Solidity |
 * |---|---|
 * | READINGS_LENGTH_MISMATCH | `MarketReadingsLengthMismatch(meters, readings)` |
 * | ENERGY_LENGTH_MISMATCH | `MarketEnergyLengthMismatch(participants, entries)` (the energy core) |
 * | METER_OWNER_OUT_OF_RANGE | `MarketMeterOwnerOutOfRange(meter, owner, participants)` |
 * | STATE_LENGTH_MISMATCH | `MarketStateLengthMismatch(expected, actual)` |
 * | LIMITS_LENGTH_MISMATCH | `AuctionLimitsLengthMismatch(participants, limits)` (`contracts/src/libraries/Auction.sol`) |
 * | VALUE_OUT_OF_RANGE | an input that the Solidity ABI type cannot hold (uint32/64/128, int256) |
 * | FIELD_OVERFLOW | arithmetic panic 0x11: a cumulative uint64 field or `net` overflows |
 * | ARITHMETIC_OVERFLOW | arithmetic panic 0x11: a uint256 intermediate of `share` or `p2pValue` overflows |
 *   (unreachable for ABI-valid inputs below ~64 participants; kept so both twins fail alike) |
 * | UNSUPPORTED_KIND | `StepEntries.UnsupportedMarketKind(kind)`: the auction has no one-participant step |
 */
export enum MarketErrorCode {
  READINGS_LENGTH_MISMATCH = 'MARKET_ERROR_READINGS_LENGTH_MISMATCH',
  ENERGY_LENGTH_MISMATCH = 'MARKET_ERROR_ENERGY_LENGTH_MISMATCH',
  METER_OWNER_OUT_OF_RANGE = 'MARKET_ERROR_METER_OWNER_OUT_OF_RANGE',
  STATE_LENGTH_MISMATCH = 'MARKET_ERROR_STATE_LENGTH_MISMATCH',
  LIMITS_LENGTH_MISMATCH = 'MARKET_ERROR_LIMITS_LENGTH_MISMATCH',
  VALUE_OUT_OF_RANGE = 'MARKET_ERROR_VALUE_OUT_OF_RANGE',
  FIELD_OVERFLOW = 'MARKET_ERROR_FIELD_OVERFLOW',
  ARITHMETIC_OVERFLOW = 'MARKET_ERROR_ARITHMETIC_OVERFLOW',
  UNSUPPORTED_KIND = 'MARKET_ERROR_UNSUPPORTED_KIND',
}

export type MarketErrorType =
  | { code: MarketErrorCode.READINGS_LENGTH_MISMATCH; meters: number; readings: number }
  | { code: MarketErrorCode.ENERGY_LENGTH_MISMATCH; participants: number; entries: number }
  | { code: MarketErrorCode.METER_OWNER_OUT_OF_RANGE; meter: number; owner: number; participants: number }
  | { code: MarketErrorCode.STATE_LENGTH_MISMATCH; expected: number; actual: number }
  | { code: MarketErrorCode.LIMITS_LENGTH_MISMATCH; participants: number; limits: number }
  | { code: MarketErrorCode.VALUE_OUT_OF_RANGE; field: string; value: string }
  | { code: MarketErrorCode.FIELD_OVERFLOW; participant: number; field: string }
  | { code: MarketErrorCode.ARITHMETIC_OVERFLOW; operation: 'share' | 'p2pValue' | 'auctionValue' }
  | { code: MarketErrorCode.UNSUPPORTED_KIND; kind: number };

export class MarketError extends DiversityError<MarketErrorType> {}
