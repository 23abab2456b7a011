import type { StoredWindowResult } from '../db/index.js';
import type { SignedReading } from '../reading/signature.js';
import type { ReadingSource } from './ingest.js';
import type { Logger } from '../util/logger.js';

/**
 * What the parts of a node tell each other. Each part emits what it did; the parts that act on
 * it subscribe when the node is composed, so no part holds a reference to another.
 */
export interface NodeEventMap {
  /** A reading was stored (new, or the second half of an equivocation that voided its slot). */
  readingStored: { window: number; source: ReadingSource; equivocation: boolean };
  /** A meter signed two different readings for one slot: the slot is void, the evidence kept. */
  equivocation: { window: number; first: SignedReading; second: SignedReading };
  /** The committer folded a window and stored the result (and its commitment) to be signed. */
  windowCommitted: { result: StoredWindowResult; refold: boolean };
  /** A peer signed a different result for the window: it may hold readings we miss. */
  coSignatureDisagrees: { window: number; signer: number };
  /** Every participant's signature over our result of the window is held: the fast path can go. */
  coSignaturesComplete: { window: number };
}

export type NodeEventName = keyof NodeEventMap;
type Listener<K extends NodeEventName> = (payload: NodeEventMap[K]) => void | Promise<void>;

/**
 * A typed event bus whose `emit` waits for the listeners: the committer's round ends once the
 * co-signer has signed and published what it committed, so the loops stay ordered without one
 * part calling into another. A listener that fails is logged and does not stop the others.
 */
export class NodeEvents {
  private readonly listeners = new Map<NodeEventName, Listener<never>[]>();

  constructor(private readonly logger: Logger) {}

  on<K extends NodeEventName>(name: K, listener: Listener<K>): void {
    const list = (this.listeners.get(name) ?? []) as Listener<K>[];
    list.push(listener);
    this.listeners.set(name, list as Listener<never>[]);
  }

  async emit<K extends NodeEventName>(name: K, payload: NodeEventMap[K]): Promise<void> {
    const list = (this.listeners.get(name) ?? []) as Listener<K>[];
    for (const listener of list) {
      try {
        await listener(payload);
      } catch (e) {
        this.logger.error(`${name} listener failed`, {}, e);
      }
    }
  }

  listenerCount(name: NodeEventName): number {
    return this.listeners.get(name)?.length ?? 0;
  }
}
