/**
 * Named price assumptions. Gas price and ETH price are decimal strings so that USD arithmetic
 * stays exact (bigint wei × micro-USD). Why each value was chosen is in `note` and in
 * docs/simulator.md; pass --gas-price-gwei / --eth-usd to use your own.
 */
export interface CostPreset {
  name: string;
  /** Execution gas price, gwei (decimal string). */
  gasPriceGwei: string;
  /** ETH price, USD (decimal string). */
  ethUsd: string;
  /** Extra fee per signed transaction byte, gwei (an L2's L1 data fee); '0' = none. */
  dataFeeGweiPerByte: string;
  note: string;
}

export const PRESETS: Record<string, CostPreset> = {
  'paper-2022': {
    name: 'paper-2022',
    gasPriceGwei: '17.5',
    ethUsd: '1900',
    dataFeeGweiPerByte: '0',
    note:
      'Mainnet, mid-2022 (when the paper was written): ETH at 1,900 USD and 17.5 gwei. The paper prices byte counts and does not ' +
      'give its gas and ETH prices in a form we could recover, so the gas price is the one at which our measured RDA year ' +
      '(one reading per transaction) costs what the paper reports for RDA (54,690 USD); both values lie inside mid-2022 ' +
      'mainnet ranges. SAT and SA are then directly comparable with the paper.',
  },
  mainnet: {
    name: 'mainnet',
    gasPriceGwei: '1',
    ethUsd: '3000',
    dataFeeGweiPerByte: '0',
    note: 'Ethereum mainnet today (assumption at the time of writing: ~1 gwei base fee after the 2025 gas-limit increases, ETH 3,000 USD). Override with --gas-price-gwei/--eth-usd.',
  },
  l2: {
    name: 'l2',
    gasPriceGwei: '0.01',
    ethUsd: '3000',
    dataFeeGweiPerByte: '0',
    note: 'An optimistic rollup (assumption: 0.01 gwei L2 execution gas price, ETH 3,000 USD). The L1 data fee is not modelled (blob fees after EIP-4844 are usually far below execution cost); set --data-fee-gwei-per-byte to add one.',
  },
};

export const DEFAULT_PRESETS = ['paper-2022', 'mainnet', 'l2'];
