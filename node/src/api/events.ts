import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * What the dashboard's event feed reports. `chain` events are read from the hub's logs (the same
 * for every node); `node` events are this node's own observations.
 */
export type FeedEventType =
  /** chain: a result signed by some but not all participants is pending (challengeable). */
  | 'claim-pending'
  /** chain: a window's result is final (`fastPath` when every participant signed). */
  | 'window-final'
  /** chain: a fraud proof was accepted against a pending claim, or an equivocation was proven. */
  | 'dispute'
  /** chain: the pending claim was rejected by a dispute (the window is open for a correct update). */
  | 'claim-rejected'
  /** chain: bonds were slashed, part of it rewarded to the challenger. */
  | 'slashed'
  /** chain: the community closed; members are paid by proof from the last balances root. */
  | 'closed'
  /** chain: a member was paid at close (`Hub.claim`), its debt repaid first. */
  | 'claimed'
  /** chain: a member's on-chain fine (an equivocation its bond and credit could not pay) taken at close. */
  | 'fine'
  /** node: this node's fold differs from a result posted on chain. */
  | 'disagreement'
  /** node: this node sent a fraud proof (`outcome` says what the hub did with it). */
  | 'dispute-sent'
  /** node: a meter signed two different readings for one interval (the slot is voided). */
  | 'equivocation';

export type FeedSeverity = 'info' | 'warn' | 'alert';

export interface FeedEvent {
  /** Increasing from 1 for the life of the node process (the SSE `id`). */
  id: number;
  /** Unix seconds (block time for chain events, wall clock for node events). */
  at: number;
  source: 'chain' | 'node';
  type: FeedEventType;
  severity: FeedSeverity;
  window?: number;
  /** One readable sentence, with units. */
  message: string;
  /** Structured details (all strings or numbers: token amounts are decimal strings in token units). */
  data: Record<string, string | number | boolean | number[]>;
  /** For chain events: the transaction and block. */
  tx?: string;
  block?: number;
}

export type NewFeedEvent = Omit<FeedEvent, 'id' | 'at'> & { at?: number };

export interface EventFeedOptions {
  /** Events kept for late readers (oldest dropped first). */
  capacity: number;
  /** SSE keep-alive comment period, so proxies and browsers keep the stream open. */
  heartbeatMs: number;
  /** Server-sent-event streams open at once; one more is answered 503 (each holds a connection for good). */
  maxStreams: number;
  /** Bytes that may wait for a stream's client (one that does not read): past it the stream is ended. */
  maxBufferedBytes: number;
}

export const defaultEventFeedOptions: EventFeedOptions = {
  capacity: 1000,
  heartbeatMs: 15_000,
  maxStreams: 32,
  maxBufferedBytes: 1024 * 1024,
};

/**
 * A bounded, ordered event log with live subscribers: served as JSON (`GET /api/events?since=`)
 * and as server-sent events (`GET /api/events/stream`, resumable with `Last-Event-ID`).
 */
export class EventFeed {
  private readonly events: FeedEvent[] = [];
  private nextId = 1;
  private readonly subscribers = new Set<(e: FeedEvent) => void>();
  private readonly streams = new Set<ServerResponse>();

  private readonly opts: EventFeedOptions;

  constructor(opts: Partial<EventFeedOptions> = {}) {
    this.opts = { ...defaultEventFeedOptions, ...opts };
  }

  push(event: NewFeedEvent): FeedEvent {
    const e: FeedEvent = { ...event, id: this.nextId++, at: event.at ?? Math.floor(Date.now() / 1000) };
    this.events.push(e);
    if (this.events.length > this.opts.capacity) this.events.splice(0, this.events.length - this.opts.capacity);
    for (const fn of this.subscribers) fn(e);
    return e;
  }

  /** Events with an id above `since` (all that are kept when `since` is 0), oldest first. */
  since(since = 0, limit = this.opts.capacity): FeedEvent[] {
    const out = this.events.filter((e) => e.id > since);
    return out.slice(Math.max(0, out.length - limit));
  }

  subscribe(fn: (e: FeedEvent) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  /** Serves the feed as server-sent events: the backlog after `Last-Event-ID` (or `?since=`), then live. */
  stream(req: IncomingMessage, res: ServerResponse, since: number): void {
    const header = req.headers['last-event-id'];
    const resumeFrom = typeof header === 'string' && /^\d+$/.test(header) ? Number(header) : since;
    if (this.streams.size >= this.opts.maxStreams) {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '10' });
      res.end(JSON.stringify({ error: 'too many event streams open' }));
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
    });
    // A client that does not read gets its stream ended, not an ever-growing buffer in the node.
    const write = (chunk: string) => {
      if (res.writableLength > this.opts.maxBufferedBytes) res.destroy();
      else res.write(chunk);
    };
    const send = (e: FeedEvent) => write(`id: ${e.id}\nevent: feed\ndata: ${JSON.stringify(e)}\n\n`);
    res.write(`retry: 2000\n\n`);
    for (const e of this.since(resumeFrom)) send(e);
    const unsubscribe = this.subscribe(send);
    const heartbeat = setInterval(() => write(`: keep-alive\n\n`), this.opts.heartbeatMs);
    this.streams.add(res);
    const close = () => {
      clearInterval(heartbeat);
      unsubscribe();
      this.streams.delete(res);
    };
    req.once('close', close);
    res.once('close', close);
  }

  /** Ends every open stream (the server is stopping). */
  closeStreams(): void {
    for (const res of this.streams) res.end();
    this.streams.clear();
  }

  get openStreams(): number {
    return this.streams.size;
  }
}
