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
}

export const defaultApiOptions: ApiOptions = {
  enabled: true,
  host: '127.0.0.1',
  port: 0,
  corsOrigins: [],
  maxConnections: 256,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
};
