import { expect } from 'chai';
import {
  CommunityReadingDecoder,
  decodeReading,
  encodeReading,
  READING_ENCODED_LENGTH,
  ReadingError,
  ReadingErrorCode,
  readingHash,
  meterKeyPair,
  signReading,
  verifyEd25519,
  verifyEd25519Reference,
  ed25519KeyObject,
  serializeSignedReading,
  deserializeSignedReading,
  fastReadingSigner,
  type Reading,
} from '../../src/reading/index.js';
import { seedFor } from '../../src/vectors/readings.js';

const base: Reading = {
  chainId: 31337n,
  hub: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
  communityId: 7n,
  meterIndex: 3,
  interval: 95,
  exportWh: 1234,
  importWh: 56,
};

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ReadingError) return e.code;
    throw e;
  }
  throw new Error('expected a ReadingError');
}

describe('reading encoding', () => {
  it('round-trips and has the fixed length', () => {
    const enc = encodeReading(base);
    expect(enc.length).to.equal(READING_ENCODED_LENGTH).and.equal(70);
    expect(decodeReading(enc)).to.deep.equal(base);
  });

  it('places each field at its documented offset', () => {
    const enc = Buffer.from(encodeReading(base));
    expect(enc.subarray(0, 17).toString()).to.equal('DIVERSITY.reading');
    expect(enc[17]).to.equal(1);
    expect(enc.readBigUInt64BE(18)).to.equal(31337n);
    expect(`0x${enc.subarray(26, 46).toString('hex')}`).to.equal(base.hub);
    expect(enc.readUInt32BE(62)).to.equal(1234);
  });

  it('rejects a wrong length, domain or version with typed codes', () => {
    const enc = encodeReading(base);
    expect(codeOf(() => decodeReading(enc.subarray(0, 69)))).to.equal(ReadingErrorCode.WRONG_LENGTH);
    const wrongDomain = enc.slice();
    wrongDomain[0] ^= 1;
    expect(codeOf(() => decodeReading(wrongDomain))).to.equal(ReadingErrorCode.WRONG_DOMAIN);
    const wrongVersion = enc.slice();
    wrongVersion[17] = 2;
    expect(codeOf(() => decodeReading(wrongVersion))).to.equal(ReadingErrorCode.WRONG_VERSION);
  });

  it("a community's decoder reads what decodeReading reads, and nothing of another community, domain or version", () => {
    const checksummed = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
    const decoder = new CommunityReadingDecoder(base.chainId, checksummed, base.communityId);
    for (const values of [
      base,
      { ...base, meterIndex: 1023, interval: 2 ** 32 - 1, exportWh: 0, importWh: 2 ** 32 - 1 },
    ])
      expect(decoder.decode(encodeReading(values))).to.deep.equal(decodeReading(encodeReading(values)));
    for (const other of [{ chainId: 1n }, { hub: `0x${'33'.repeat(20)}` }, { communityId: 8n }])
      expect(decoder.decode(encodeReading({ ...base, ...other })), Object.keys(other)[0]).to.equal(undefined);
    const enc = encodeReading(base);
    for (const at of [0, 16, 17, 53]) {
      const changed = enc.slice();
      changed[at] ^= 1;
      expect(decoder.decode(changed), `byte ${at}`).to.equal(undefined);
    }
    expect(decoder.decode(enc.subarray(0, 69))).to.equal(undefined);
    expect(decoder.decode(Buffer.concat([enc, new Uint8Array(1)]))).to.equal(undefined);
  });

  it('refuses to encode out-of-range values', () => {
    for (const bad of [
      { exportWh: -1 },
      { importWh: 2 ** 32 },
      { interval: 1.5 },
      { meterIndex: Number.NaN },
      { chainId: -1n },
      { communityId: 1n << 64n },
    ]) {
      expect(
        codeOf(() => encodeReading({ ...base, ...bad })),
        JSON.stringify(bad, (_, v) => (typeof v === 'bigint' ? String(v) : v)),
      ).to.equal(ReadingErrorCode.OUT_OF_RANGE);
    }
    expect(codeOf(() => encodeReading({ ...base, hub: '0x1234' }))).to.equal(ReadingErrorCode.BAD_ADDRESS);
  });

  it('hash is keccak256 of the encoding and changes with every field', () => {
    const h = readingHash(base);
    for (const change of [
      { chainId: 1n },
      { communityId: 8n },
      { meterIndex: 4 },
      { interval: 96 },
      { exportWh: 1235 },
      { importWh: 57 },
    ]) {
      expect(readingHash({ ...base, ...change })).to.not.equal(h);
    }
    expect(readingHash({ ...base, hub: base.hub.toUpperCase().replace('0X', '0x') })).to.equal(h);
  });
});

describe('reading signatures', () => {
  const key = meterKeyPair(seedFor('meter-3'));
  const keyObject = ed25519KeyObject(key.publicKey);

  it('tweetnacl signatures verify on both node:crypto and tweetnacl', () => {
    for (let interval = 0; interval < 20; interval++) {
      const signed = signReading({ ...base, interval }, key.secretKey);
      const msg = encodeReading(signed.reading);
      expect(verifyEd25519(msg, signed.signature, keyObject)).to.equal(true);
      expect(verifyEd25519(msg, signed.signature, key.publicKey)).to.equal(true);
      expect(verifyEd25519Reference(msg, signed.signature, key.publicKey)).to.equal(true);
    }
  });

  it('a flipped bit in any byte of the message or the signature is rejected by both', () => {
    const signed = signReading(base, key.secretKey);
    const msg = encodeReading(base);
    for (let i = 0; i < msg.length; i++) {
      const m = msg.slice();
      m[i] ^= 1 << (i % 8);
      expect(verifyEd25519(m, signed.signature, keyObject), `message byte ${i}`).to.equal(false);
      expect(verifyEd25519Reference(m, signed.signature, key.publicKey), `message byte ${i}`).to.equal(false);
    }
    for (let i = 0; i < signed.signature.length; i++) {
      const s = signed.signature.slice();
      s[i] ^= 1 << (i % 8);
      expect(verifyEd25519(msg, s, keyObject), `signature byte ${i}`).to.equal(false);
      expect(verifyEd25519Reference(msg, s, key.publicKey), `signature byte ${i}`).to.equal(false);
    }
  });

  it("node:crypto signing from the seed gives tweetnacl's very bytes", () => {
    const sign = fastReadingSigner(seedFor('meter-3'));
    for (let interval = 0; interval < 10; interval++) {
      const r = { ...base, interval, exportWh: interval * 17 };
      expect(Buffer.from(sign(r).signature).equals(Buffer.from(signReading(r, key.secretKey).signature))).to.equal(
        true,
      );
    }
  });

  it('another meter key does not verify', () => {
    const other = meterKeyPair(seedFor('meter-4'));
    const signed = signReading(base, key.secretKey);
    expect(verifyEd25519(encodeReading(base), signed.signature, other.publicKey)).to.equal(false);
  });

  it('wire form round-trips and rejects a wrong length', () => {
    const signed = signReading(base, key.secretKey);
    const wire = serializeSignedReading(signed);
    expect(wire.length).to.equal(134);
    const back = deserializeSignedReading(wire);
    expect(back.reading).to.deep.equal(base);
    expect(Buffer.from(back.signature).equals(Buffer.from(signed.signature))).to.equal(true);
    expect(codeOf(() => deserializeSignedReading(wire.subarray(1)))).to.equal(ReadingErrorCode.WRONG_LENGTH);
  });
});
