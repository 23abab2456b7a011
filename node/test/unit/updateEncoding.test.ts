import { expect } from 'chai';
import { keccak256, recoverAddress, Signature, SigningKey, toUtf8Bytes } from 'ethers';
import {
  compactSignature,
  decodeEcdsaCoSignature,
  EcdsaCoSignatureErrorCode,
  encodeEcdsaCoSignature,
} from '../../src/chain/ecdsaCoSignature.js';
import { toHex } from '../../src/util/hex.js';
import { MarketErrorCode } from '../../src/window/errors.js';
import { packState, stateHash, U64_MAX, unpackState, type ParticipantState } from '../../src/window/state.js';

const CURVE_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const I128_MAX = (1n << 127n) - 1n;

function participant(net: bigint, e = 0n): ParticipantState {
  return {
    exportWh: e,
    importWh: e + 1n,
    p2pSoldWh: e + 2n,
    p2pBoughtWh: e + 3n,
    gridSoldWh: e + 4n,
    gridBoughtWh: e + 5n,
    net,
  };
}

describe('update encodings (packed state, EIP-2098 signer-set blob)', () => {
  describe('packState', () => {
    it('is 64 bytes per participant and unpacks to the same state (same stateHash)', () => {
      const s = [participant(-I128_MAX, U64_MAX - 5n), participant(I128_MAX, 7n), participant(0n, 0n)];
      const packed = packState(s);
      expect(packed.length).to.equal(3 * 64);
      const back = unpackState(packed, 3);
      expect(back).to.deep.equal(s);
      expect(stateHash(back)).to.equal(stateHash(s));
      // net is the low 16 bytes of the second word, two's complement.
      expect(toHex(packed.subarray(48, 64))).to.equal(`0x8${'0'.repeat(30)}1`);
    });

    it('rejects a net the hub would reject (|net| > int128 max) and energies past uint64', () => {
      for (const net of [I128_MAX + 1n, -I128_MAX - 1n]) {
        expect(() => packState([participant(net)]))
          .to.throw()
          .with.property('code', MarketErrorCode.VALUE_OUT_OF_RANGE);
      }
      expect(() => packState([{ ...participant(0n), gridSoldWh: U64_MAX + 1n }]))
        .to.throw()
        .with.property('code', MarketErrorCode.VALUE_OUT_OF_RANGE);
    });

    it('unpackState rejects a length that is not 64 bytes per participant', () => {
      expect(() => unpackState(new Uint8Array(65), 1))
        .to.throw()
        .with.property('code', MarketErrorCode.STATE_LENGTH_MISMATCH);
    });
  });

  describe('encodeEcdsaCoSignature', () => {
    const digest = keccak256(toUtf8Bytes('window result'));
    const keys = Array.from({ length: 4 }, (_, i) => new SigningKey(keccak256(toUtf8Bytes(`k${i}`))));
    const sig = (i: number) => keys[i].sign(digest).serialized;

    it('writes the bitmap, then 64-byte signatures in ascending index order that recover to the signers', () => {
      const blob = encodeEcdsaCoSignature(
        [
          { signer: 3, signature: sig(3) },
          { signer: 0, signature: sig(0) },
        ],
        4,
      );
      expect((blob.length - 2) / 2).to.equal(32 + 2 * 64);
      expect(BigInt(blob.slice(0, 66))).to.equal(0b1001n);
      const decoded = decodeEcdsaCoSignature(blob, 4);
      expect(decoded.map((d) => d.signer)).to.deep.equal([0, 3]);
      for (const d of decoded) {
        expect(recoverAddress(digest, d.signature)).to.equal(recoverAddress(digest, sig(d.signer)));
      }
    });

    it('writes ⌈n/256⌉ bitmap words for a wide community (n = 1,000: four words)', () => {
      const blob = encodeEcdsaCoSignature(
        [
          { signer: 999, signature: sig(1) },
          { signer: 256, signature: sig(0) },
        ],
        1000,
      );
      expect((blob.length - 2) / 2).to.equal(4 * 32 + 2 * 64);
      const words = [0, 1, 2, 3].map((w) => BigInt(`0x${blob.slice(2 + w * 64, 2 + (w + 1) * 64)}`));
      expect(words).to.deep.equal([0n, 1n, 0n, 1n << BigInt(999 - 768)]);
      expect(decodeEcdsaCoSignature(blob, 1000).map((d) => d.signer)).to.deep.equal([256, 999]);
      // Read as a 257-participant blob, the head is two words: the lengths no longer add up.
      expect(() => decodeEcdsaCoSignature(blob, 257))
        .to.throw()
        .with.property('code', EcdsaCoSignatureErrorCode.MALFORMED_BLOB);
    });

    it('rejects an empty set, a repeated signer, an index at or past n', () => {
      const code = (f: () => unknown) => {
        try {
          f();
        } catch (e) {
          return (e as { code?: string }).code;
        }
        return undefined;
      };
      expect(code(() => encodeEcdsaCoSignature([], 4))).to.equal(EcdsaCoSignatureErrorCode.EMPTY);
      expect(
        code(() =>
          encodeEcdsaCoSignature(
            [
              { signer: 1, signature: sig(1) },
              { signer: 1, signature: sig(1) },
            ],
            4,
          ),
        ),
      ).to.equal(EcdsaCoSignatureErrorCode.DUPLICATE_SIGNER);
      expect(code(() => encodeEcdsaCoSignature([{ signer: 4, signature: sig(1) }], 4))).to.equal(
        EcdsaCoSignatureErrorCode.SIGNER_OUT_OF_RANGE,
      );
      expect(code(() => encodeEcdsaCoSignature([{ signer: 1024, signature: sig(1) }], 1025))).to.equal(
        EcdsaCoSignatureErrorCode.SIGNER_OUT_OF_RANGE,
      );
    });

    it('rejects a high-s signature (the module would) and bytes that are no signature', () => {
      // A low s whose twin n - s stays below 2^255 (so the top bit is free) is rare: build one directly.
      const s = Signature.from(sig(2));
      const high = `0x${s.r.slice(2)}${(CURVE_N / 2n + 1n).toString(16).padStart(64, '0')}1b`;
      expect(() => compactSignature(high))
        .to.throw()
        .with.property('code', EcdsaCoSignatureErrorCode.MALFORMED_SIGNATURE);
      expect(() => compactSignature('0x1234'))
        .to.throw()
        .with.property('code', EcdsaCoSignatureErrorCode.MALFORMED_SIGNATURE);
    });

    it('decodeEcdsaCoSignature rejects a blob whose length does not match its bitmap', () => {
      const blob = encodeEcdsaCoSignature([{ signer: 0, signature: sig(0) }], 4);
      expect(() => decodeEcdsaCoSignature(`${blob}00`, 4))
        .to.throw()
        .with.property('code', EcdsaCoSignatureErrorCode.MALFORMED_BLOB);
      // A bit at or beyond n.
      expect(() => decodeEcdsaCoSignature(`0x${'00'.repeat(31)}10${blob.slice(66)}`, 4))
        .to.throw()
        .with.property('code', EcdsaCoSignatureErrorCode.MALFORMED_BLOB);
      expect(() => decodeEcdsaCoSignature(`0x${'00'.repeat(32)}`, 4))
        .to.throw()
        .with.property('code', EcdsaCoSignatureErrorCode.EMPTY);
    });
  });
});
