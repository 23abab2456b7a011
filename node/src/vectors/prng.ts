/**
 * Small seeded PRNG (mulberry32) for reproducible randomized vectors and tests: the same seed
 * always yields the same sequence, on every machine.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform integer in [0, bound) for 0 < bound <= 2^32 (modulo bias is irrelevant for tests). */
  below(bound: number): number {
    return bound === 0x1_0000_0000 ? this.nextU32() : this.nextU32() % bound;
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + this.below(max - min + 1);
  }

  /** true with probability p. */
  chance(p: number): boolean {
    return this.nextU32() / 0x1_0000_0000 < p;
  }
}
