import { bls12_381 } from '@noble/curves/bls12-381';
import { getBytes } from 'ethers';
import { hubDomain, windowResultDigest } from '../chain/eip712.js';
import {
  aggregateG1,
  aggregateG2,
  blsKeyGen,
  blsProofOfPossession,
  blsPublicKey,
  blsSign,
  BLS_R,
  encodeCoSignature,
  encodeG1,
  encodeG2,
  encodeKeyData,
  G2,
  hashToG1,
  popDst,
  popMessage,
  signatureDst,
  subtractsAbsent,
  type BlsDomain,
} from '../crypto/bls.js';
import { seedFor } from './readings.js';

/*
 * BLS vectors (`contracts/test/vectors/bls.json`) replayed by `contracts/test/modules/BlsCoSignatureScheme.t.sol`
 * and `contracts/test/libraries/BLS12381.t.sol`: RFC 9380 hash-to-curve (G1 and G2, the RFC's own
 * test tag), the tags of one community, registered keys with proofs of possession, encoded
 * co-signature blobs for several signer sets, and the rogue-key forgery the module must refuse.
 */

const hex = (b: Uint8Array): string => `0x${Buffer.from(b).toString('hex')}`;
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** RFC 9380 Appendix J.9.1 / J.10.1 messages and tags. */
const RFC_MESSAGES = ['', 'abc', 'abcdef0123456789', `q128_${'q'.repeat(128)}`, `a512_${'a'.repeat(512)}`];
export const RFC9380_G1_DST = 'QUUX-V01-CS02-with-BLS12381G1_XMD:SHA-256_SSWU_RO_';
export const RFC9380_G2_DST = 'QUUX-V01-CS02-with-BLS12381G2_XMD:SHA-256_SSWU_RO_';

/** The community the vectors live in: anvil's / forge's chain id, a fixed hub address. */
export const BLS_VECTOR_DOMAIN: BlsDomain = {
  chainId: 31337n,
  hub: '0x00000000000000000000000000000000000b1500',
  communityId: 3n,
};
export const BLS_VECTOR_PARTICIPANTS = 6;

const participantAddress = (i: number): string => `0x${(0xa11ce000 + i).toString(16).padStart(40, '0')}`;

export function blsVectorFile() {
  const d = BLS_VECTOR_DOMAIN;
  const rfc9380 = {
    g1: RFC_MESSAGES.map((m) => ({
      dst: hex(utf8(RFC9380_G1_DST)),
      msg: hex(utf8(m)),
      point: hex(encodeG1(bls12_381.G1.hashToCurve(utf8(m), { DST: RFC9380_G1_DST }) as never)),
    })),
    g2: RFC_MESSAGES.map((m) => ({
      dst: hex(utf8(RFC9380_G2_DST)),
      msg: hex(utf8(m)),
      point: hex(encodeG2(bls12_381.G2.hashToCurve(utf8(m), { DST: RFC9380_G2_DST }) as never)),
    })),
  };

  const sks = Array.from({ length: BLS_VECTOR_PARTICIPANTS }, (_, i) => blsKeyGen(seedFor(`bls-participant-${i}`)));
  const pks = sks.map(blsPublicKey);
  const participants = sks.map((sk, i) => {
    const address = participantAddress(i);
    const pop = blsProofOfPossession(sk, address, d);
    return {
      index: i,
      address,
      secretKey: `0x${sk.toString(16).padStart(64, '0')}`,
      publicKey: hex(encodeG2(pks[i])),
      pop: hex(encodeG1(pop)),
      keyData: hex(encodeKeyData(pks[i], pop)),
    };
  });

  // The statement co-signed: a window result digest exactly as the hub computes it.
  const digest = getBytes(
    windowResultDigest(hubDomain(d.chainId, d.hub), {
      communityId: d.communityId,
      window: 4,
      windowRoot: hex(seedFor('bls-window-root')),
      stateHash: hex(seedFor('bls-state-hash')),
      balancesRoot: hex(seedFor('bls-balances-root')),
    }),
  );
  const shares = sks.map((sk) => blsSign(sk, digest, d));
  const signerSets: [string, number[]][] = [
    ['all', [0, 1, 2, 3, 4, 5]],
    ['one-absent', [0, 1, 2, 3, 5]],
    ['half-absent', [1, 3, 5]],
    ['minority', [2, 4]],
    ['single', [4]],
  ];
  const cases = signerSets.map(([label, signers]) => {
    const blob = encodeCoSignature(signers, aggregateG1(signers.map((i) => shares[i])), pks);
    const bitmap = signers.reduce((b, i) => b | (1n << BigInt(i)), 0n);
    return {
      label,
      signers,
      bitmap: `0x${bitmap.toString(16).padStart(64, '0')}`,
      subtract: subtractsAbsent(signers.length, pks.length),
      signatures: hex(blob),
    };
  });

  // Rogue key: the attacker (participant 1's slot, fresh address) publishes pk' = [x]G2 - pk_0, so
  // pk_0 + pk' = [x]G2 and [x]H(m) "verifies" as a signature of both without participant 0.
  const x = blsKeyGen(seedFor('bls-rogue-x'));
  const rogue = G2.BASE.multiply(x).subtract(pks[0]);
  const attacker = participantAddress(100);
  const h = hashToG1(digest, signatureDst(d));
  const rogueCase = {
    attacker,
    victimIndex: 0,
    roguePublicKey: hex(encodeG2(rogue)),
    // The best proof the attacker can make without the discrete log of pk': [x]H_pop(pk' ‖ attacker).
    attemptedPop: hex(encodeG1(hashToG1(popMessage(rogue, attacker), popDst(d)).multiply(x))),
    forgedSignature: hex(encodeG1(h.multiply(x))),
    forgedAggregateKey: hex(encodeG2(pks[0].add(rogue))),
  };

  // min-pk, for the library test of hashToG2 and the swapped pairing (the gas comparison).
  const minPkSk = sks[0] % BLS_R;
  const minPkDst = utf8('DIVERSITY-V01-CS01-with-BLS12381G2_XMD:SHA-256_SSWU_RO_COSIG_');
  const minPk = {
    dst: hex(minPkDst),
    publicKey: hex(encodeG1(bls12_381.G1.Point.BASE.multiply(minPkSk) as never)),
    message: hex(digest),
    signature: hex(encodeG2((bls12_381.G2.hashToCurve(digest, { DST: minPkDst }) as typeof rogue).multiply(minPkSk))),
  };

  return {
    outsideSubgroup: outsideSubgroupPoints(),
    rfc9380,
    domain: {
      chainId: Number(d.chainId),
      hub: d.hub,
      communityId: Number(d.communityId),
      signatureDst: hex(signatureDst(d)),
      popDst: hex(popDst(d)),
    },
    participants,
    aggregateKey: hex(encodeG2(aggregateG2(pks))),
    digest: hex(digest),
    shares: shares.map((s) => hex(encodeG1(s))),
    cases,
    rogue: rogueCase,
    minPk,
  };
}

/** Big-endian 64-byte EIP-2537 field element. */
function fp64(v: bigint): Uint8Array {
  const out = new Uint8Array(64);
  for (let i = 63; i >= 16; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

/**
 * Points on the curves (y² = x³ + 4 and its twist y² = x³ + 4(1 + i)) but outside the prime-order
 * subgroups, with the smallest x that gives one: keys and signatures that pass an on-curve check
 * and must still be refused (EIP-2537's pairing does the subgroup check).
 */
export function outsideSubgroupPoints(): { g1: string; g2: string } {
  const { Fp, Fp2 } = bls12_381.fields;
  const inSubgroup = (p: { assertValidity(): void }): boolean => {
    try {
      p.assertValidity();
      return true;
    } catch {
      return false;
    }
  };
  let g1: string | undefined;
  for (let x = 1n; !g1; x++) {
    const r = Fp.add(Fp.pow(x, 3n), 4n);
    let y: bigint;
    try {
      y = Fp.sqrt(r);
    } catch {
      continue;
    }
    if (!inSubgroup(bls12_381.G1.Point.fromAffine({ x, y }))) g1 = hex(new Uint8Array([...fp64(x), ...fp64(y)]));
  }
  let g2: string | undefined;
  for (let c0 = 1n; !g2; c0++) {
    const x = { c0, c1: 1n };
    const r = Fp2.add(Fp2.pow(x, 3n), { c0: 4n, c1: 4n });
    let y: { c0: bigint; c1: bigint };
    try {
      y = Fp2.sqrt(r);
    } catch {
      continue;
    }
    if (!inSubgroup(bls12_381.G2.Point.fromAffine({ x, y })))
      g2 = hex(new Uint8Array([...fp64(x.c0), ...fp64(x.c1), ...fp64(y.c0), ...fp64(y.c1)]));
  }
  return { g1, g2 };
}
