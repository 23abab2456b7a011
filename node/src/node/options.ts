import { defaultApiOptions, type ApiOptions } from '../api/options.js';
import { defaultChainOptions, type ChainOptions } from '../chain/options.js';
import type { MeterOptions } from '../meter/options.js';
import { defaultNetworkOptions, type NetworkOptions } from '../network/options.js';
import type { LogLevel } from '../util/logger.js';
import type { ByzantineMode } from './byzantine.js';
import { defaultGameOptions, type GameOptions } from '../dispute/gameLoop.js';
import { defaultWindowOptions, type WindowOptions } from '../window/options.js';

/** Everything a node is configured with; each area owns its part and its defaults. */
export interface NodeOptions {
  /** Shown in logs (e.g. `node-2` in a devnet). */
  name: string;
  /** LevelDB directory. */
  dataDir: string;
  /** The participant's Ethereum private key (0x hex). */
  privateKey: string;
  logLevel: LogLevel;
  /** Intervals ahead of the local clock still accepted from meters (at least what `maxClockSkewSeconds` needs). */
  maxFutureIntervals: number;
  /**
   * The clock skew S (seconds) tolerated between any two clocks of the community (nodes and meters,
   * either way). Two clocks can be 2·S apart, so by rule (DESIGN §6): a reading is accepted up to
   * ⌈2·S / interval⌉ intervals ahead of this node's clock, and no pending claim is made before
   * windowEnd + grace + 2·S + signatureDeadline by its own clock (a meter S behind signs its last
   * interval S late; a claimant S ahead acts S early).
   */
  maxClockSkewSeconds: number;
  /** Main loop period. */
  tickMs: number;
  /** Worker threads verifying meter signatures (0 = on the main thread only). */
  verifyWorkers: number;
  network: NetworkOptions;
  chain: ChainOptions;
  window: WindowOptions;
  api: ApiOptions;
  /** The data-availability game: when to challenge a claim whose data no peer serves. */
  game: GameOptions;
  /** A simulated meter run inside the node (devnet, tests). */
  meter?: MeterOptions;
  /** Tests and demos only: cheat in this way and post the result alone (the dispute game). */
  byzantine?: ByzantineMode;
}

export const defaultNodeOptions: Omit<NodeOptions, 'privateKey'> = {
  name: 'node',
  dataDir: '.diversity/node',
  logLevel: 'info',
  maxFutureIntervals: 1,
  maxClockSkewSeconds: 5,
  tickMs: 500,
  verifyWorkers: 1,
  network: defaultNetworkOptions,
  chain: defaultChainOptions,
  window: defaultWindowOptions,
  api: defaultApiOptions,
  game: defaultGameOptions,
};
