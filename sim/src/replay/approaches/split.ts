/**
 * Splitting of session data into transactions that fit the per-transaction gas cap
 * (EIP-7825: 16,777,216 gas). Budgets are deliberately conservative per storage word; the
 * receipts then prove every transaction stayed under the cap.
 */

/** Gas budgeted per fresh 32-byte storage word: SSTORE 22,100 + calldata + loop, rounded up. */
export const GAS_PER_WORD = 30_000n;
/** Gas budgeted per transaction besides its words: intrinsic 21,000 + call overhead. */
export const GAS_PER_TX = 100_000n;

export function maxWordsPerTx(cap: bigint): number {
  return Number((cap - GAS_PER_TX) / GAS_PER_WORD);
}

export function gasLimitFor(words: number, cap: bigint): bigint {
  const g = GAS_PER_TX + GAS_PER_WORD * BigInt(words);
  return g < cap ? g : cap;
}

export interface TraceChunk {
  firstMeter: number;
  meterCount: number;
  firstInterval: number;
  intervalCount: number;
}

/**
 * Cuts the (meters × [from, to)) block of a session into chunks of at most `maxWords` storage
 * words (four readings per word per meter). Whole meters go together when one meter's
 * session fits; otherwise each meter's session is cut into runs of whole words.
 */
export function splitTrace(meters: number, from: number, to: number, maxWords: number): TraceChunk[] {
  const n = to - from;
  const wordsPerMeter = Math.ceil(n / 4);
  const out: TraceChunk[] = [];
  if (wordsPerMeter <= maxWords) {
    const per = Math.floor(maxWords / wordsPerMeter);
    for (let m = 0; m < meters; m += per) {
      out.push({ firstMeter: m, meterCount: Math.min(per, meters - m), firstInterval: from, intervalCount: n });
    }
  } else {
    const run = maxWords * 4;
    for (let m = 0; m < meters; m++) {
      for (let t = from; t < to; t += run) {
        out.push({ firstMeter: m, meterCount: 1, firstInterval: t, intervalCount: Math.min(run, to - t) });
      }
    }
  }
  return out;
}

/** Cuts `meters` into blocks of at most `maxPerTx`. */
export function splitMeters(meters: number, maxPerTx: number): Array<{ firstMeter: number; meterCount: number }> {
  const out = [];
  for (let m = 0; m < meters; m += maxPerTx) out.push({ firstMeter: m, meterCount: Math.min(maxPerTx, meters - m) });
  return out;
}
