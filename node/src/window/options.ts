export interface WindowOptions {
  /** Seconds after a window ends before it is folded: late readings and reconciliation. */
  graceSeconds: number;
  /** Per-peer timeout of a reconciliation request. */
  reconcileTimeoutMs: number;
}

export const defaultWindowOptions: WindowOptions = {
  graceSeconds: 30,
  reconcileTimeoutMs: 5000,
};
