import { expect } from 'chai';
import { SimulatedMeter } from '../../src/meter/simulatedMeter.js';
import { encodeReading, meterKeyPair, signReading, verifyEd25519 } from '../../src/reading/index.js';
import { seedFor } from '../../src/vectors/readings.js';

describe('SimulatedMeter', () => {
  const key = meterKeyPair(seedFor('sim-meter'));
  const opts = { chainId: 31337n, hub: '0x5fbdb2315678afecb367f032d93f642f64180aa3', communityId: 1n, meterIndex: 2 };

  it('nets PV against load behind the meter', () => {
    const meter = new SimulatedMeter(opts, { key, profile: { loadWh: [100, 250.4, 80, 0], pvWh: [0, 100, 200.6, 0] } });
    expect([0, 1, 2, 3].map((t) => [meter.reading(t).exportWh, meter.reading(t).importWh])).to.deep.equal([
      [0, 100],
      [0, 150],
      [121, 0],
      [0, 0],
    ]);
  });

  it('streams one signed reading per interval that verifies under the meter key', () => {
    const meter = new SimulatedMeter(opts, { key, profile: { loadWh: [10, 20, 30, 40, 50] } });
    const signed = [...meter.stream(1, 4)];
    expect(signed.map((s) => s.reading.interval)).to.deep.equal([1, 2, 3]);
    expect(signed.map((s) => s.reading.importWh)).to.deep.equal([20, 30, 40]);
    for (const s of signed) expect(verifyEd25519(encodeReading(s.reading), s.signature, key.publicKey)).to.equal(true);
  });

  it('signs exactly what tweetnacl signs, as a meter firmware would (Ed25519 is deterministic)', () => {
    const meter = new SimulatedMeter(opts, { key, profile: { loadWh: [10, 20, 30], pvWh: [40, 0, 5] } });
    for (const t of [0, 1, 2])
      expect(Buffer.from(meter.sign(t).signature).toString('hex')).to.equal(
        Buffer.from(signReading(meter.reading(t), key.secretKey).signature).toString('hex'),
      );
  });

  it('refuses an interval outside the profile', () => {
    const meter = new SimulatedMeter(opts, { key, profile: { loadWh: [1] } });
    expect(() => meter.reading(1)).to.throw(RangeError);
  });
});
