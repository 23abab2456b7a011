import { expect } from 'chai';
import { generateKeyPairSync, sign } from 'node:crypto';
import { MeterKeyRing } from '../../src/reading/meterKeys.js';
import { encodeReading, type Reading } from '../../src/reading/encoding.js';
import { meterKeyPair, MeterScheme, signReading } from '../../src/reading/signature.js';
import { seedFor } from '../../src/vectors/readings.js';

describe('meter key ring (Ed25519 and P-256 meters)', () => {
  const reading: Reading = {
    chainId: 31337n,
    hub: `0x${'11'.repeat(20)}`,
    communityId: 1n,
    meterIndex: 1,
    interval: 9,
    exportWh: 40,
    importWh: 0,
  };

  // A secure-element meter: ECDSA P-256 over sha256(encoding), r || s; registered as qx || qy.
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const p256Raw = new Uint8Array(Buffer.concat([Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]));
  const ed = meterKeyPair(seedFor('meter-0'));
  const ring = new MeterKeyRing([
    { publicKey: ed.publicKey, scheme: MeterScheme.Ed25519 },
    { publicKey: p256Raw, scheme: MeterScheme.P256 },
  ]);

  it('verifies a P-256 meter signature with node:crypto, and rejects a changed value', () => {
    const signature = new Uint8Array(
      sign('sha256', encodeReading(reading), { key: privateKey, dsaEncoding: 'ieee-p1363' }),
    );
    expect(ring.verify({ reading, signature })).to.equal(true);
    expect(ring.verify({ reading: { ...reading, exportWh: 41 }, signature })).to.equal(false);
  });

  it('checks each meter under its own scheme and key', () => {
    const edSigned = signReading({ ...reading, meterIndex: 0 }, ed.secretKey);
    expect(ring.verify(edSigned)).to.equal(true);
    // The Ed25519 signature under the P-256 meter's slot fails, as does an unknown meter.
    expect(ring.verify({ ...edSigned, reading: { ...edSigned.reading, meterIndex: 1 } })).to.equal(false);
    expect(ring.verify({ ...edSigned, reading: { ...edSigned.reading, meterIndex: 7 } })).to.equal(false);
  });

  it('a key its scheme does not accept (a P-256 key that is not 64 bytes) verifies no reading, as on chain', () => {
    // `Hub.open` no longer checks keys: the verifier counts no reading under a key that is not valid.
    const ring = new MeterKeyRing([{ publicKey: new Uint8Array(33), scheme: MeterScheme.P256 }]);
    expect(ring.size).to.equal(1);
    expect(ring.verifyEncoded(0, new Uint8Array(70), new Uint8Array(64))).to.equal(false);
  });
});
