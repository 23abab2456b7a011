import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  aggregateG1,
  aggregateG2,
  BlsError,
  BlsErrorCode,
  blsKeyGen,
  blsProofOfPossession,
  blsPublicKey,
  blsSign,
  blsVerify,
  blsVerifyProofOfPossession,
  decodeG1,
  decodeG2,
  decodeSignerBitmap,
  encodeCoSignature,
  encodeG1,
  encodeG2,
  G1,
  G2,
  nodeBlsKeyData,
  nodeBlsSecretKey,
  popDst,
  signatureDst,
  subtractsAbsent,
  type BlsDomain,
} from '../../src/crypto/bls.js';
import { blsVectorFile } from '../../src/vectors/bls.js';

const domain: BlsDomain = { chainId: 31337n, hub: `0x${'0b'.repeat(20)}`, communityId: 9n };
const seed = (i: number) => new Uint8Array(32).fill(i + 1);
const digest = new Uint8Array(32).fill(0x5a);
const who = (i: number) => `0x${(i + 1).toString(16).padStart(40, '0')}`;

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof BlsError ? e.code : `not a BlsError: ${String(e)}`;
  }
  return undefined;
}

describe('BLS co-signatures (node/src/crypto/bls.ts)', () => {
  const sks = [0, 1, 2, 3].map((i) => blsKeyGen(seed(i)));
  const pks = sks.map(blsPublicKey);

  it('hashes to G1 per RFC 9380 (Appendix J.9.1, msg "")', () => {
    const v = blsVectorFile().rfc9380.g1[0];
    // P.x and P.y of the RFC's first BLS12381G1_XMD:SHA-256_SSWU_RO_ vector.
    expect(v.point.slice(2 + 32, 2 + 128)).to.equal(
      '052926add2207b76ca4fa57a8734416c8dc95e24501772c814278700eed6d1e4e8cf62d9c09db0fac349612b759e79a1',
    );
    expect(v.point.slice(2 + 128 + 32)).to.equal(
      '08ba738453bfed09cb546dbb0783dbb3a5f1f566ed67bb6be0e8c67e2e81a4cc68ee29813bb7994998f3eae0c9c6a265',
    );
  });

  it('a node derives its BLS key from its node key; its join key data carries a PoP for its own address only', () => {
    const nodeKey = new Uint8Array(32).fill(0x42);
    const sk = nodeBlsSecretKey(nodeKey);
    expect(nodeBlsSecretKey(nodeKey)).to.equal(sk);
    expect(nodeBlsSecretKey(new Uint8Array(32).fill(0x43))).to.not.equal(sk);
    // Domain-separated from a plain KeyGen over the same bytes: the BLS key is not the seed's default key.
    expect(sk).to.not.equal(blsKeyGen(nodeKey));
    const kd = nodeBlsKeyData(nodeKey, who(0), domain);
    expect(kd.length).to.equal(384);
    const pk = decodeG2(kd.subarray(0, 256));
    const pop = decodeG1(kd.subarray(256));
    expect(pk.equals(blsPublicKey(sk))).to.equal(true);
    expect(blsVerifyProofOfPossession(pop, pk, who(0), domain)).to.equal(true);
    expect(blsVerifyProofOfPossession(pop, pk, who(1), domain)).to.equal(false);
    expect(blsVerifyProofOfPossession(pop, pk, who(0), { ...domain, communityId: 10n })).to.equal(false);
  });

  it('keygen is deterministic in the seed and refuses short seeds', () => {
    expect(blsKeyGen(seed(0))).to.equal(sks[0]);
    expect(blsKeyGen(seed(1))).to.not.equal(sks[0]);
    expect(codeOf(() => blsKeyGen(new Uint8Array(31)))).to.equal(BlsErrorCode.INVALID_SECRET_KEY);
    expect(codeOf(() => blsPublicKey(0n))).to.equal(BlsErrorCode.INVALID_SECRET_KEY);
  });

  it('a co-signature verifies only under its key, digest and domain', () => {
    const sig = blsSign(sks[0], digest, domain);
    expect(blsVerify(sig, digest, pks[0], domain)).to.equal(true);
    expect(blsVerify(sig, digest, pks[1], domain)).to.equal(false);
    expect(blsVerify(sig, new Uint8Array(32), pks[0], domain)).to.equal(false);
    expect(blsVerify(sig, digest, pks[0], { ...domain, communityId: 10n })).to.equal(false);
    expect(blsVerify(sig, digest, pks[0], { ...domain, chainId: 1n })).to.equal(false);
    expect(blsVerify(sig, digest, pks[0], { ...domain, hub: `0x${'0c'.repeat(20)}` })).to.equal(false);
    expect(blsVerify(G1.ZERO, digest, G2.ZERO, domain)).to.equal(false);
  });

  it('tags bind chain, hub and community, and separate PoPs from co-signatures', () => {
    const s = signatureDst(domain);
    const p = popDst(domain);
    expect(s.length).to.be.at.most(255);
    expect(Buffer.from(s).equals(Buffer.from(p))).to.equal(false);
    expect(Buffer.from(s.subarray(s.length - 60)).toString('hex')).to.equal(
      `${(31337).toString(16).padStart(64, '0') + '0b'.repeat(20)}0000000000000009`,
    );
  });

  it('a proof of possession is bound to the key and the participant', () => {
    const pop = blsProofOfPossession(sks[0], who(0), domain);
    expect(blsVerifyProofOfPossession(pop, pks[0], who(0), domain)).to.equal(true);
    expect(blsVerifyProofOfPossession(pop, pks[0], who(1), domain)).to.equal(false);
    expect(blsVerifyProofOfPossession(pop, pks[1], who(0), domain)).to.equal(false);
    // A co-signature over the same bytes is not a proof (distinct tags).
    expect(blsVerifyProofOfPossession(blsSign(sks[0], digest, domain), pks[0], who(0), domain)).to.equal(false);
  });

  it('aggregates shares into one signature under the aggregate key', () => {
    const agg = aggregateG1(sks.map((sk) => blsSign(sk, digest, domain)));
    expect(blsVerify(agg, digest, aggregateG2(pks), domain)).to.equal(true);
    expect(blsVerify(agg, digest, aggregateG2(pks.slice(1)), domain)).to.equal(false);
  });

  it('EIP-2537 encodings round-trip and reject non-canonical or off-curve input', () => {
    const sig = blsSign(sks[1], digest, domain);
    expect(decodeG1(encodeG1(sig)).equals(sig)).to.equal(true);
    expect(decodeG2(encodeG2(pks[1])).equals(pks[1])).to.equal(true);
    expect(decodeG2(new Uint8Array(256)).is0()).to.equal(true);
    const padded = encodeG1(sig);
    padded[0] = 1;
    expect(codeOf(() => decodeG1(padded))).to.equal(BlsErrorCode.INVALID_POINT);
    const off = encodeG2(pks[1]);
    off[255] ^= 1;
    expect(codeOf(() => decodeG2(off))).to.equal(BlsErrorCode.INVALID_POINT);
    expect(codeOf(() => decodeG1(new Uint8Array(96)))).to.equal(BlsErrorCode.INVALID_POINT);
    // On the curve, outside the prime-order subgroup.
    const outside = blsVectorFile().outsideSubgroup;
    expect(codeOf(() => decodeG1(new Uint8Array(Buffer.from(outside.g1.slice(2), 'hex'))))).to.equal(
      BlsErrorCode.INVALID_POINT,
    );
    expect(codeOf(() => decodeG2(new Uint8Array(Buffer.from(outside.g2.slice(2), 'hex'))))).to.equal(
      BlsErrorCode.INVALID_POINT,
    );
  });

  it('the co-signature blob names the fewer keys and its bitmap decodes to the signers', () => {
    const n = 4;
    const all = pks.slice(0, n);
    const shares = sks.map((sk) => blsSign(sk, digest, domain));
    const cases: [number[], boolean][] = [
      [[0, 1, 2, 3], true],
      [[0, 2, 3], true],
      [[1, 3], false],
      [[2], false],
    ];
    for (const [signers, subtract] of cases) {
      expect(subtractsAbsent(signers.length, n)).to.equal(subtract);
      const blob = encodeCoSignature(signers, aggregateG1(signers.map((i) => shares[i])), all);
      const named = subtract ? n - signers.length : signers.length;
      expect(blob.length).to.equal(32 + 128 + 256 * named);
      expect(decodeSignerBitmap(blob.subarray(0, 32), n)).to.deep.equal(signers);
    }
    expect(codeOf(() => encodeCoSignature([], G1.ZERO, all))).to.equal(BlsErrorCode.NO_SIGNERS);
    expect(codeOf(() => encodeCoSignature([1, 1], G1.ZERO, all))).to.equal(BlsErrorCode.BAD_SIGNER_SET);
    expect(codeOf(() => encodeCoSignature([4], G1.ZERO, all))).to.equal(BlsErrorCode.BAD_SIGNER_SET);
    const stray = new Uint8Array(32);
    stray[31 - 0] = 0x10; // bit 4 of a 4-participant bitmap
    expect(codeOf(() => decodeSignerBitmap(stray, n))).to.equal(BlsErrorCode.BAD_SIGNER_SET);
  });

  it('bit i of word i / 256 is participant i, for the 1,024-participant bitmap', () => {
    const keys = Array.from({ length: 700 }, () => pks[0]);
    const blob = encodeCoSignature([0, 255, 256, 699], G1.ZERO, keys);
    expect(decodeSignerBitmap(blob.subarray(0, 96), 700)).to.deep.equal([0, 255, 256, 699]);
    expect(blob[31]).to.equal(1);
    expect(blob[0]).to.equal(0x80);
    expect(blob[63]).to.equal(1);
  });

  it('bls.json keeps the rogue-key forgery valid without a PoP (the attack the module refuses)', () => {
    const v = JSON.parse(
      readFileSync(join(import.meta.dirname, '..', '..', '..', 'contracts', 'test', 'vectors', 'bls.json'), 'utf8'),
    );
    const d: BlsDomain = {
      chainId: BigInt(v.domain.chainId),
      hub: v.domain.hub,
      communityId: BigInt(v.domain.communityId),
    };
    const unhex = (h: string) => new Uint8Array(Buffer.from(h.slice(2), 'hex'));
    const forged = decodeG1(unhex(v.rogue.forgedSignature));
    expect(blsVerify(forged, unhex(v.digest), decodeG2(unhex(v.rogue.forgedAggregateKey)), d)).to.equal(true);
    expect(
      blsVerifyProofOfPossession(
        decodeG1(unhex(v.rogue.attemptedPop)),
        decodeG2(unhex(v.rogue.roguePublicKey)),
        v.rogue.attacker,
        d,
      ),
    ).to.equal(false);
  });
});
