import type { Logger } from '../util/logger.js';

/**
 * One of the node's loops (commit, settle, co-signature upkeep, game): a round on a timer every
 * `periodMs`, never overlapping itself, never waiting on another loop. `wake()` runs a round now
 * instead of at the next tick: the part that learns a loop has work (the window's last reading
 * stored, every co-signature held) wakes it, so the work does not wait up to a period for the
 * timer. A wake that comes while a round runs makes one more round run right after it (any number
 * of such wakes make one round: the round reads the state as it is then); the timer stays as the
 * fallback for work nobody wakes the loop for (deadlines, the chain).
 */
export class Loop {
  private timer?: NodeJS.Timeout;
  private running = false;
  private again = false;
  private idle: Promise<void> = Promise.resolve();
  private wakeIdle?: () => void;

  constructor(
    readonly name: string,
    private readonly periodMs: number,
    private readonly round: () => Promise<void>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.run(), this.periodMs);
  }

  /** Stops the timer and further wakes; resolves once a round in progress is over. */
  stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.again = false;
    return this.idle;
  }

  /** True while a round runs. */
  get busy(): boolean {
    return this.running;
  }

  /** Runs a round now, or once the round in progress is over. */
  wake(): void {
    if (!this.timer) return;
    if (this.running) this.again = true;
    else void this.run();
  }

  private async run(): Promise<void> {
    if (this.running || !this.timer) return;
    this.running = true;
    this.idle = new Promise((r) => (this.wakeIdle = r));
    try {
      do {
        this.again = false;
        try {
          await this.round();
        } catch (e) {
          this.logger.error(`${this.name} loop failed`, {}, e);
        }
      } while (this.again && this.timer);
    } finally {
      this.running = false;
      this.wakeIdle?.();
    }
  }
}
