export interface ProsumerSpec {
  /** Installed PV (kWp); 0 = a consumer without PV. */
  pvKwp: number;
  /** A member of a community file: its name and its meter profile (`csv:...`). */
  member?: { name: string; profile: string };
}

export interface DevnetOptions {
  /** Households; each runs one node process with its own meter. */
  prosumers: ProsumerSpec[];
  intervalSeconds: number;
  windowIntervals: number;
  windowCount: number;
  /** Profile interval replayed as interval 0 (default: 21 June, 09:00 UTC, when the sun is up). */
  profileOffset: number;
  challengePeriod: number;
  /** Seconds from deployment to interval 0: time for the nodes to start and meet. */
  startDelaySeconds: number;
  /** Where node data and logs go (wiped at start). */
  dir: string;
  /** Give up after this long. */
  timeoutSeconds: number;
  /** Keep the chain and nodes running after the run (inspect their APIs); Ctrl-C to stop. */
  keepAlive: boolean;
  /** Market function F; 'auction' with each member's standing limit prices (the community file's or seeded). */
  market: 'mmr' | 'totals' | 'auction';
  /** Co-signature scheme the community names at open (docs/bls.md). */
  signatures: 'ecdsa' | 'bls';
  /**
   * A community file (`datasets/src/communityFile.ts`): one node per member replaying its own
   * readings from the file's first interval (replaces `prosumers` and `profileOffset`); its market
   * block's flat prices replace `gridBuyPrice` / `gridSellPrice`.
   */
  community?: string;
  /** With `community`: the file's quarter-hour replayed as interval 0. */
  communityOffset?: number;
  /**
   * Escrow each participant deposits at join (token units, 18 decimals). A small one makes debtors run
   * out: their debt is repaid from their bond at close and shared by the creditors (DESIGN.md §5.2).
   */
  escrow: bigint;
  /** Token units (18 decimals) per kWh. */
  gridBuyPrice: bigint;
  gridSellPrice: bigint;
  seed: number;
  /** Print each node's log lines prefixed with its name. */
  verbose: boolean;
}

const ETHER = 10n ** 18n;

export const defaultDevnetOptions: DevnetOptions = {
  prosumers: [{ pvKwp: 6 }, { pvKwp: 4 }, { pvKwp: 0 }, { pvKwp: 0 }],
  intervalSeconds: 2,
  windowIntervals: 8,
  windowCount: 2,
  profileOffset: 171 * 96 + 36,
  challengePeriod: 30,
  startDelaySeconds: 20,
  dir: '.diversity/devnet',
  timeoutSeconds: 240,
  keepAlive: false,
  market: 'mmr',
  signatures: 'ecdsa',
  escrow: 100n * ETHER,
  gridBuyPrice: (25n * ETHER) / 100n,
  gridSellPrice: (5n * ETHER) / 100n,
  seed: 1,
  verbose: false,
};
