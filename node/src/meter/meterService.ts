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

/**
 * Drives a simulated meter in real (or accelerated) time: when an interval is over, sign its
 * reading and publish it. Catches up on intervals missed while stopped.
 */
export class MeterService {
  private next = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly opts: { tickMs: number; lastInterval: number; profileOffset: number },
    private readonly modules: MeterServiceModules,
  ) {}

  start(fromInterval = 0): void {
    this.next = fromInterval;
    this.timer = setInterval(() => void this.tick(), this.opts.tickMs);
    void this.tick();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
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
