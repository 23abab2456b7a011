import { expect } from 'chai';
import { checkMeterConsent, MeterConsentError, MeterConsentErrorCode } from '../../src/community/meterConsent.js';
import type { MeterInfo } from '../../src/community/types.js';
import { MeterScheme } from '../../src/reading/signature.js';

/** Review R8: a participant's join is its consent to the meter table; the node refuses a foreign key. */
describe('meter table consent (join)', () => {
  const key = (b: number) => new Uint8Array(32).fill(b);
  const meter = (index: number, owner: number, k: Uint8Array): MeterInfo => ({
    index,
    owner,
    publicKey: k,
    scheme: MeterScheme.Ed25519,
  });

  it('accepts a table whose meters listed under us all carry our own keys (others are not checked)', () => {
    const table = [meter(0, 0, key(1)), meter(1, 1, key(2)), meter(2, 1, key(3)), meter(3, 2, key(9))];
    expect(() => checkMeterConsent(table, 1, [key(2), key(3)])).not.to.throw();
    // An own meter the opener left out is not a foreign key under us.
    expect(() => checkMeterConsent(table, 1, [key(2), key(3), key(4)])).not.to.throw();
    expect(() => checkMeterConsent(table, 3, [])).not.to.throw();
  });

  it('refuses a table that lists a key we do not hold under our index (the opener registered its key as our meter)', () => {
    const table = [meter(0, 0, key(1)), meter(1, 1, key(2)), meter(2, 1, key(7))];
    let error: unknown;
    try {
      checkMeterConsent(table, 1, [key(2)]);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(MeterConsentError);
    const e = error as MeterConsentError;
    expect(e.code).to.equal(MeterConsentErrorCode.FOREIGN_METER);
    expect(e.type.meterIndex).to.equal(2);
    expect(e.type.participant).to.equal(1);
    expect(e.message).to.match(/^refusing to join: the meter table lists meter 2 .* under participant 1/);
    expect(e.message).not.to.include('\n');
  });
});
