export interface WindowOptions {
  /** Seconds after a window ends before it is folded: late readings and reconciliation. */
  graceSeconds: number;
  /** Per-peer timeout of a reconciliation request. */
  reconcileTimeoutMs: number;
  /**
   * After the grace period, how long to wait for a peer to be connected before folding anyway:
   * a node that just started must fetch the window from its peers first.
   */
  maxPeerWaitSeconds: number;
}

export const defaultWindowOptions: WindowOptions = {
  graceSeconds: 30,
  reconcileTimeoutMs: 5000,
  maxPeerWaitSeconds: 60,
};
