import { DiversityError } from '../util/errors.js';
import { toHex } from '../util/hex.js';
import type { MeterInfo } from './types.js';

export enum MeterConsentErrorCode {
  /** The table lists, under this participant, a meter whose key is not one of the participant's meters. */
  FOREIGN_METER = 'METER_CONSENT_FOREIGN_METER',
}

/** Joining would consent to a meter table that binds a key the participant does not hold to it. */
export class MeterConsentError extends DiversityError<{
  code: MeterConsentErrorCode;
  meterIndex: number;
  participant: number;
}> {}

/**
 * A participant's `join` is its consent to the community's meter table (DESIGN.md §5.2, review R8):
 * the hub cannot check that a registered meter key belongs to the participant listed as its owner, so
 * an opener could list a key it holds under an honest participant and later "prove" that participant's
 * omission of its own meter (an owner fault: the victim's whole bond). Before joining, the node reads the
 * table the hub holds and refuses when a meter listed under its index has a key that is not one of its
 * own meters' keys. Meters of other participants, and own meters not listed, are not its business here.
 */
export function checkMeterConsent(table: MeterInfo[], participant: number, ownKeys: Uint8Array[]): void {
  const own = new Set(ownKeys.map((k) => toHex(k)));
  for (const m of table) {
    if (m.owner !== participant || own.has(toHex(m.publicKey))) continue;
    throw new MeterConsentError(
      { code: MeterConsentErrorCode.FOREIGN_METER, meterIndex: m.index, participant },
      `refusing to join: the meter table lists meter ${m.index} (key ${toHex(m.publicKey).slice(0, 18)}…) under participant ${participant}, and it is not one of this participant's meters`,
    );
  }
}
