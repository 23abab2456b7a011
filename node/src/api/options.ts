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
}

export const defaultApiOptions: ApiOptions = { enabled: true, host: '127.0.0.1', port: 0, corsOrigins: [] };
