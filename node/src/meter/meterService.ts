import type { CommunityClock } from '../community/clock.js';
import { serializeSignedReading } from '../reading/signature.js';
import type { Logger } from '../util/logger.js';
import type { SimulatedMeter } from './simulatedMeter.js';

export interface MeterServiceModules {
  meter: SimulatedMeter;
  clock: CommunityClock;
  /** Where a signed reading goes (the node's ingest and gossip, or a meter-only host). */
  publish(bytes: Uint8Array): Promise<void>;
  logger: Logger;
}

/** Margin past an interval's end at which the meter looks (the clock has moved on to the next interval). */
const BOUNDARY_MARGIN_MS = 2;

/**
 * Milliseconds from now until the meter should look again: the end of the interval running now (plus a
 * margin), at most `tickMs`. A meter signs an interval as soon as it is over; a fixed poll of `tickMs`
 * delayed each reading by up to that period (250 ms with 1-second intervals), and the last reading of
 * a window is what every node waits for before it folds the window.
 */
export function msUntilNextLook(clock: CommunityClock, tickMs: number): number {
  const untilEnd = (clock.intervalStart(clock.currentInterval() + 1) - clock.nowSeconds()) * 1000;
  return Math.max(0, Math.min(tickMs, Math.ceil(untilEnd) + BOUNDARY_MARGIN_MS));
}

/**
 * Drives a simulated meter in real (or accelerated) time: when an interval is over, sign its
 * reading and publish it (the meter looks at each interval's end, and at least every `tickMs`).
 * Catches up on intervals missed while stopped.
 */
export class MeterService {
  private next = 0;
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly opts: { tickMs: number; lastInterval: number; profileOffset: number },
    private readonly modules: MeterServiceModules,
  ) {}

  start(fromInterval = 0): void {
    this.next = fromInterval;
    this.running = true;
    void this.look();
  }

  /**
   * Stops, after signing and publishing every interval already over: a node stopped just past an
   * interval's end (before the meter's look, a few ms later) still hands over that interval's
   * reading, as a meter's buffer would (fault suite, "node offline 3 windows": node 3 was stopped
   * at the end of interval 0 and that reading never existed).
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.tick().catch((e) => this.modules.logger.warn('meter round failed', {}, e));
  }

  /** Signs what is over, then sleeps until the end of the interval running now. */
  private async look(): Promise<void> {
    if (!this.running) return;
    await this.tick().catch((e) => this.modules.logger.warn('meter round failed', {}, e));
    if (!this.running) return;
    this.timer = setTimeout(() => void this.look(), msUntilNextLook(this.modules.clock, this.opts.tickMs));
  }

  private async tick(): Promise<void> {
    const { clock, meter, publish, logger } = this.modules;
    const completed = Math.min(clock.currentInterval() - 1, this.opts.lastInterval);
    while (this.next <= completed) {
      const t = this.next++;
      const profileIndex = (t + this.opts.profileOffset) % meter.length;
      // The profile's energy for that quarter-hour, stamped with the community's interval.
      const reading = { ...meter.reading(profileIndex), interval: t };
      try {
        await publish(serializeSignedReading(meter.signReading(reading)));
      } catch (e) {
        logger.warn('meter publish failed', { interval: t }, e);
      }
    }
  }
}
