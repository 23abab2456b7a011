export interface ApiOptions {
  enabled: boolean;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /**
   * Other origins whose pages may read the JSON (e.g. `https://overview.example`; `*` for any).
   * Pages served from the same host name (another node's port on this machine) always may.
   */
  corsOrigins?: string[];
  /**
   * Connections held at once; a connection past it is dropped at once (counted as
   * `diversity_api_requests_total{route="connection",code="dropped"}`). Unset: the default.
   */
  maxConnections?: number;
  /** Longest time a client may take to send its request headers (slowloris). Unset: the default. */
  headersTimeoutMs?: number;
  /** Longest time a client may take to send its whole request. Unset: the default. */
  requestTimeoutMs?: number;
  /**
   * Queries that read the store, the hub or the peers (`/window/<n>`, `/balances/<n>`, `/api/health`,
   * `/api/member`, `/api/windows`, `/api/accounts`) running at once; one more is answered 503 with
   * `retry-after` at once. Each runs on the node's event loop and RPC (`/api/member` folds up to 96
   * windows; a missing `/balances/<n>` reads the chain and asks the peers). Unset: the default.
   */
  maxConcurrentQueries?: number;
  /**
   * How long `/balances/<n>` of a window whose balances were not found is answered 404 at once, without
   * looking again (finding them reads the chain and fetches the final state from the peers). Unset: the
   * default.
   */
  missingBalancesRetryMs?: number;
}

export const defaultApiOptions = {
  enabled: true,
  host: '127.0.0.1',
  port: 0,
  corsOrigins: [],
  maxConnections: 256,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxConcurrentQueries: 8,
  missingBalancesRetryMs: 10_000,
} satisfies ApiOptions;

/** Windows remembered as missing balances at most (oldest forgotten first): the memo is bounded too. */
export const MAX_MISSING_BALANCES_MEMO = 1024;
