import { formatUnits, parseUnits } from 'ethers';
import type { CostPreset } from './presets.js';

export interface Cost {
  /** Total fee in wei. */
  wei: bigint;
  /** USD, exact to the micro-dollar (rounded down), as a decimal string. */
  usdExact: string;
  /** The same as a number, for tables and charts. */
  usd: number;
}

/**
 * fee = gasUsed × gasPrice + rawBytes × dataFee (wei); USD = fee × ETH price / 1e18, computed
 * in bigint micro-dollars so that the figures are exact and reproducible.
 */
export function cost(gasUsed: bigint, rawBytes: number, p: CostPreset): Cost {
  const gasPriceWei = parseUnits(p.gasPriceGwei, 'gwei');
  const dataFeeWei = parseUnits(p.dataFeeGweiPerByte, 'gwei');
  const wei = gasUsed * gasPriceWei + BigInt(rawBytes) * dataFeeWei;
  const microUsd = (wei * parseUnits(p.ethUsd, 6)) / 10n ** 18n;
  const usdExact = formatUnits(microUsd, 6);
  return { wei, usdExact, usd: Number(usdExact) };
}

/** Scales a period's figure to a year: 1 when the period is a whole year (365 or 366 days). */
export function yearFactor(periodSeconds: number): number {
  const days = periodSeconds / 86_400;
  return days === 365 || days === 366 ? 1 : (365 * 86_400) / periodSeconds;
}
