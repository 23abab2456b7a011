import type { SignedReading } from '../reading/signature.js';
import type { CommunityInfo } from '../community/types.js';
import type { Equivocation, NodeDb } from '../db/index.js';
import type { MeterEnergy } from './state.js';

/**
 * The readings of one window as fixed slots: `slots[t - first][meter]`. An equivocated slot is
 * voided (absent) by every honest node, so all of them fold the same input (DESIGN.md §5).
 */
export interface AssembledWindow {
  firstInterval: number;
  slots: (SignedReading | undefined)[][];
  readingCount: number;
  voidedSlots: number;
}

export function assembleWindow(
  firstInterval: number,
  windowIntervals: number,
  meterCount: number,
  readings: readonly SignedReading[],
  equivocations: readonly Equivocation[],
): AssembledWindow {
  const slots: (SignedReading | undefined)[][] = Array.from({ length: windowIntervals }, () =>
    new Array(meterCount).fill(undefined),
  );
  let readingCount = 0;
  for (const s of readings) {
    const t = s.reading.interval - firstInterval;
    if (t < 0 || t >= windowIntervals || s.reading.meterIndex >= meterCount) continue;
    slots[t][s.reading.meterIndex] = s;
    readingCount++;
  }
  let voidedSlots = 0;
  for (const e of equivocations) {
    const t = e.first.reading.interval - firstInterval;
    if (t < 0 || t >= windowIntervals) continue;
    if (slots[t][e.first.reading.meterIndex]) readingCount--;
    slots[t][e.first.reading.meterIndex] = undefined;
    voidedSlots++;
  }
  return { firstInterval, slots, readingCount, voidedSlots };
}

/** A window as this node's store holds it: its readings, equivocated slots voided. */
export async function assembleStoredWindow(
  db: NodeDb,
  community: Pick<CommunityInfo, 'windowIntervals' | 'meters'>,
  window: number,
  /** The window's readings as the caller just listed them (`db.readings.listWindow`), or read here. */
  readings?: SignedReading[],
): Promise<AssembledWindow> {
  return assembleWindow(
    window * community.windowIntervals,
    community.windowIntervals,
    community.meters.length,
    readings ?? (await db.readings.listWindow(window)),
    await db.equivocations.listWindow(window),
  );
}

export function toMeterEnergy(slot: SignedReading | undefined): MeterEnergy {
  return slot
    ? { present: true, exportWh: slot.reading.exportWh, importWh: slot.reading.importWh }
    : { present: false, exportWh: 0, importWh: 0 };
}
