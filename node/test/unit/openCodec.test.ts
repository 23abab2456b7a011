import { expect } from 'chai';
import { getBytes, hexlify } from 'ethers';
import {
  ADDRESS_LENGTH,
  METER_HEADER,
  OpenCodecError,
  OpenCodecErrorCode,
  decodeMeters,
  decodeParticipants,
  encodeMeters,
  encodeParticipants,
} from '../../src/chain/openCodec.js';
import type { MeterRecord } from '../../src/window/meters.js';

const addr = (i: number): string => `0x${(i + 1).toString(16).padStart(40, '0')}`;
const key = (fill: number, length: number): Uint8Array => new Uint8Array(length).fill(fill);

describe('open codec (chain/openCodec.ts, twin of OpenCodec.sol)', () => {
  it('packs participants as 20 bytes each and reads them back checksummed', () => {
    const list = [addr(0), addr(255), '0xabcdef0123456789abcdef0123456789abcdef01'];
    const packed = encodeParticipants(list);
    expect(getBytes(packed).length).to.equal(3 * ADDRESS_LENGTH);
    expect(packed.slice(2, 42)).to.equal(addr(0).slice(2));
    expect(decodeParticipants(packed).map((a) => a.toLowerCase())).to.deep.equal(list.map((a) => a.toLowerCase()));
  });

  it('packs a meter as scheme ‖ uint16 owner ‖ uint8 key length ‖ key and reads every field back', () => {
    const meters: MeterRecord[] = [
      { scheme: 0, owner: 0, publicKey: key(0xaa, 32) },
      { scheme: 1, owner: 0x0123, publicKey: key(0xbb, 64) },
      { scheme: 2, owner: 1023, publicKey: new Uint8Array(0) },
    ];
    const packed = encodeMeters(meters);
    expect(getBytes(packed).length).to.equal(3 * METER_HEADER + 96);
    expect(packed.slice(0, 10)).to.equal('0x00000020');
    expect(packed.slice(2 + 2 * 36, 2 + 2 * 40)).to.equal('01012340');
    const read = decodeMeters(packed);
    expect(read.map((m) => [m.scheme, m.owner, hexlify(m.publicKey)])).to.deep.equal(
      meters.map((m) => [m.scheme, m.owner, hexlify(m.publicKey)]),
    );
  });

  it('refuses a participant list cut inside an address, and a meter list cut inside a header or a key', () => {
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        expect(e).to.be.instanceOf(OpenCodecError);
        return `${(e as OpenCodecError).code}@${(e as OpenCodecError).type.at}`;
      }
      return undefined;
    };
    expect(code(() => decodeParticipants(`${encodeParticipants([addr(0)])}00`))).to.equal(
      `${OpenCodecErrorCode.MALFORMED_PARTICIPANTS}@21`,
    );
    const one = encodeMeters([{ scheme: 0, owner: 0, publicKey: key(1, 32) }]);
    expect(code(() => decodeMeters(`${one}000000`))).to.equal(`${OpenCodecErrorCode.MALFORMED_METERS}@36`);
    expect(code(() => decodeMeters(one.slice(0, -2)))).to.equal(`${OpenCodecErrorCode.MALFORMED_METERS}@0`);
    expect(code(() => encodeMeters([{ scheme: 0, owner: 65_536, publicKey: key(1, 32) }]))).to.equal(
      `${OpenCodecErrorCode.NOT_ENCODABLE}@0`,
    );
    expect(code(() => encodeMeters([{ scheme: 0, owner: 0, publicKey: key(1, 256) }]))).to.equal(
      `${OpenCodecErrorCode.NOT_ENCODABLE}@0`,
    );
  });
});
