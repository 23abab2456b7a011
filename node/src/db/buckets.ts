/**
 * Key prefixes of the node's LevelDB, one per repository. Every key is `bucket (1 byte) || key`.
 * Keys embed big-endian integers so that range scans walk windows and intervals in order.
 */
export enum Bucket {
  /** window u32 | interval u32 | meter u32 -> signed reading (134 bytes) */
  reading = 1,
  /** window u32 | interval u32 | meter u32 -> first signed reading || conflicting one (268 bytes) */
  equivocation = 2,
  /** window u32 -> JSON WindowResult (root, state hashes, final state) */
  windowResult = 3,
  /** window u32 | signer u16 -> JSON co-signature (root, state hash, signature) */
  coSignature = 4,
  /** window u32 -> JSON submission (tx hash, kind, time): never submit a window twice */
  submission = 5,
  /** name (utf8) -> JSON value: chain cursor, last final window, ... */
  meta = 6,
  /** window u32 | windowRoot 32 -> JSON commitment as signed (per interval: slots and state) */
  commitment = 7,
  /**
   * window u32 | balancesRoot 32 -> the balances after the window's reaction (`BalancesCodec`: root,
   * total of claims, the leaves; the root is recomputed and checked on decode)
   */
  balances = 8,
}
