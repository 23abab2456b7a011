export interface ApiOptions {
  enabled: boolean;
  host: string;
  /** 0 picks a free port. */
  port: number;
}

export const defaultApiOptions: ApiOptions = { enabled: true, host: '127.0.0.1', port: 0 };
