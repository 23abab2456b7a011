import { defaultMarketOptions, type MarketOptions } from './market.js';
import type { ApproachName } from './replay/types.js';
import type { CoSignatureSchemeName } from '../../node/src/chain/modules.js';

export interface SimOptions extends MarketOptions {
  /** [] = no chain replay: the market and the per-member results only. */
  approaches: ApproachName[];
  /** A community file (`datasets/src/communityFile.ts`); '' = the dataset's profile scaled into households. */
  community: string;
  /** 'builtin:italy-2020' or a CSV path (ENTSO-E, OPSD or plain timestamp,kWh). */
  dataset: string;
  /** Rome-local period (YYYY | YYYY-MM | YYYY-MM-DD | from/to); '' = the whole dataset. */
  period: string;
  prosumers: number;
  pvShare: number;
  seed: number;
  intervalSeconds: number;
  /** SAT/SA session length in intervals (default one day). */
  sessionIntervals: number;
  /** SAT/SA sessions are calendar months (`--session month`); `sessionIntervals` is then unused. */
  calendarSessions: boolean;
  /** DIVERSITY window length in intervals. */
  windowIntervals: number;
  annualKWh: number;
  pvYieldKWhPerKWp: number;
  /** Preset names; a custom preset is added when gasPriceGwei/ethUsd are given. */
  presets: string[];
  gasPriceGwei: string;
  ethUsd: string;
  dataFeeGweiPerByte: string;
  /** Repository root whose contracts/out holds Hub and CommunityToken; '' = this repository. */
  hubRoot: string;
  /** Who signs the replay's transactions: anvil ('node', fast) or this process ('local', the old path). */
  signing: 'node' | 'local';
  /** DIVERSITY's co-signature scheme: the ECDSA signer set or BLS12-381 aggregates (chosen at open). */
  signatures: CoSignatureSchemeName;
}

export const defaultSimOptions: SimOptions = {
  ...defaultMarketOptions,
  approaches: ['rda', 'sat', 'sa', 'diversity'],
  community: '',
  dataset: 'builtin:italy-2020',
  period: '',
  prosumers: 1,
  pvShare: 0.5,
  seed: 1,
  intervalSeconds: 900,
  sessionIntervals: 96,
  calendarSessions: false,
  windowIntervals: 96,
  annualKWh: 5000,
  pvYieldKWhPerKWp: 1150,
  presets: ['paper-2022', 'mainnet', 'l2'],
  gasPriceGwei: '',
  ethUsd: '',
  dataFeeGweiPerByte: '0',
  hubRoot: '',
  signing: 'node',
  signatures: 'ecdsa',
};

/** The paper's figures (Marcozzi, Mostarda, Cacciagrano 2022) for one per-capita profile, 2020, 15 min. */
export const PAPER = {
  readings: 35_040,
  usd: { rda: 54_690, sat: 5_455, sa: 23 } as Record<string, number>,
};
