import type { CommunityInfo } from './types.js';

type Timing = Pick<CommunityInfo, 'start' | 'intervalSeconds' | 'windowIntervals' | 'windowCount'>;

/** Interval and window arithmetic of one community; `now` is injectable for tests. */
export class CommunityClock {
  constructor(
    private readonly timing: Timing,
    private readonly now: () => number = () => Date.now() / 1000,
  ) {}

  nowSeconds(): number {
    return this.now();
  }

  /** The interval running now (negative before the start). */
  currentInterval(): number {
    return Math.floor((this.now() - this.timing.start) / this.timing.intervalSeconds);
  }

  windowOf(interval: number): number {
    return Math.floor(interval / this.timing.windowIntervals);
  }

  firstInterval(window: number): number {
    return window * this.timing.windowIntervals;
  }

  /** Unix seconds at which `interval` starts. */
  intervalStart(interval: number): number {
    return this.timing.start + interval * this.timing.intervalSeconds;
  }

  /** Unix seconds at which `window` ends (when its last interval is over). */
  windowEnd(window: number): number {
    return this.intervalStart(this.firstInterval(window + 1));
  }

  /** Milliseconds since `window` ended (negative before): the stage times of the logs on a window's way to final. */
  msAfterWindowEnd(window: number): number {
    return Math.round((this.now() - this.windowEnd(window)) * 1000);
  }

  get totalIntervals(): number {
    return this.timing.windowCount * this.timing.windowIntervals;
  }
}
