import { bls12_381 } from '@noble/curves/bls12-381';
import { createHash, hkdfSync } from 'node:crypto';
import { DiversityError } from '../util/errors.js';

/*
 * BLS12-381 co-signatures of the DIVERSITY hub (docs/bls.md), twin of
 * `contracts/src/libraries/BLS12381.sol` and `contracts/src/modules/BlsCoSignatureScheme.sol`.
 *
 * Scheme: min-sig (signatures in G1, public keys in G2), chosen by measured gas (docs/bls.md):
 * the hub verifies one aggregate per update, so the cheaper hash-to-G1 on every verification
 * outweighs the larger keys, which are paid once at join.
 *
 * Hash-to-curve is RFC 9380 `BLS12381G1_XMD:SHA-256_SSWU_RO_` with a domain separation tag that
 * names the purpose and binds the chain, the hub and the community, so a signature or a proof of
 * possession made for one community is worthless in any other.
 *
 * Encodings are EIP-2537's: an Fp element is 64 bytes big-endian (16 zero bytes, then 48), a G1
 * point is x ‖ y (128 bytes), a G2 point is x.c0 ‖ x.c1 ‖ y.c0 ‖ y.c1 (256 bytes); the point at
 * infinity is all zeros.
 */

type G1Point = InstanceType<typeof bls12_381.G1.Point>;
type G2Point = InstanceType<typeof bls12_381.G2.Point>;
export type { G1Point as BlsG1Point, G2Point as BlsG2Point };

export const G1 = bls12_381.G1.Point;
export const G2 = bls12_381.G2.Point;
const Fp = bls12_381.fields.Fp;
/** Order of the prime subgroups (the scalar field). */
export const BLS_R: bigint = bls12_381.params.r;

export const G1_BYTES = 128;
export const G2_BYTES = 256;
/** Most participants a community may have under this scheme (a 4-word signer bitmap). */
export const MAX_BLS_PARTICIPANTS = 1024;

/** Purpose prefixes of the domain separation tags (ASCII); the binding follows them. */
export const SIGNATURE_DST_PREFIX = 'DIVERSITY-V01-CS01-with-BLS12381G1_XMD:SHA-256_SSWU_RO_COSIG_';
export const POP_DST_PREFIX = 'DIVERSITY-V01-CS01-with-BLS12381G1_XMD:SHA-256_SSWU_RO_POP_';

/** Where a co-signature counts: the chain, the hub contract and the community on it. */
export interface BlsDomain {
  chainId: bigint;
  hub: string;
  communityId: bigint;
}

export enum BlsErrorCode {
  INVALID_POINT = 'BLS_INVALID_POINT',
  INVALID_SECRET_KEY = 'BLS_INVALID_SECRET_KEY',
  INFINITE_PUBLIC_KEY = 'BLS_INFINITE_PUBLIC_KEY',
  TOO_MANY_PARTICIPANTS = 'BLS_TOO_MANY_PARTICIPANTS',
  BAD_SIGNER_SET = 'BLS_BAD_SIGNER_SET',
  NO_SIGNERS = 'BLS_NO_SIGNERS',
}

export type BlsErrorType = { code: BlsErrorCode; detail?: string };
export class BlsError extends DiversityError<BlsErrorType> {}

// ---------------------------------------------------------------------------------------------
// Domain separation.

function u256be(v: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

function addressBytes(a: string): Uint8Array {
  const s = a.startsWith('0x') ? a.slice(2) : a;
  if (!/^[0-9a-fA-F]{40}$/.test(s)) throw new TypeError(`not an address: ${a}`);
  return new Uint8Array(Buffer.from(s, 'hex'));
}

/** prefix ‖ chainId (32 bytes) ‖ hub (20 bytes) ‖ communityId (8 bytes): 60 bytes of binding. */
function dst(prefix: string, d: BlsDomain): Uint8Array {
  if (d.communityId < 0n || d.communityId >= 1n << 64n) throw new RangeError('communityId is a uint64');
  return concat(
    new TextEncoder().encode(prefix),
    u256be(d.chainId),
    addressBytes(d.hub),
    u256be(d.communityId).subarray(24),
  );
}

/** Tag under which co-signatures of window results are hashed to G1. */
export function signatureDst(d: BlsDomain): Uint8Array {
  return dst(SIGNATURE_DST_PREFIX, d);
}

/** Tag under which proofs of possession are hashed to G1 (distinct from signatures: a PoP is never a co-signature). */
export function popDst(d: BlsDomain): Uint8Array {
  return dst(POP_DST_PREFIX, d);
}

// ---------------------------------------------------------------------------------------------
// EIP-2537 encodings.

function fp64(v: bigint): Uint8Array {
  const out = new Uint8Array(64);
  for (let i = 63; i >= 16; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

function readFp(b: Uint8Array, off: number): bigint {
  for (let i = 0; i < 16; i++)
    if (b[off + i] !== 0) throw new BlsError({ code: BlsErrorCode.INVALID_POINT, detail: 'nonzero padding' });
  let v = 0n;
  for (let i = 16; i < 64; i++) v = (v << 8n) | BigInt(b[off + i]);
  if (v >= Fp.ORDER) throw new BlsError({ code: BlsErrorCode.INVALID_POINT, detail: 'coordinate not below p' });
  return v;
}

export function encodeG1(p: G1Point): Uint8Array {
  if (p.is0()) return new Uint8Array(G1_BYTES);
  const a = p.toAffine();
  return concat(fp64(a.x), fp64(a.y));
}

export function encodeG2(p: G2Point): Uint8Array {
  if (p.is0()) return new Uint8Array(G2_BYTES);
  const a = p.toAffine();
  return concat(fp64(a.x.c0), fp64(a.x.c1), fp64(a.y.c0), fp64(a.y.c1));
}

/** A G1 point from its EIP-2537 encoding, checked on the curve and in the subgroup. */
export function decodeG1(b: Uint8Array): G1Point {
  if (b.length !== G1_BYTES)
    throw new BlsError({ code: BlsErrorCode.INVALID_POINT, detail: `G1 is ${G1_BYTES} bytes` });
  const x = readFp(b, 0);
  const y = readFp(b, 64);
  if (x === 0n && y === 0n) return G1.ZERO;
  try {
    const p = G1.fromAffine({ x, y });
    p.assertValidity();
    return p;
  } catch {
    throw new BlsError({ code: BlsErrorCode.INVALID_POINT, detail: 'not a G1 subgroup point' });
  }
}

/** A G2 point from its EIP-2537 encoding, checked on the curve and in the subgroup. */
export function decodeG2(b: Uint8Array): G2Point {
  if (b.length !== G2_BYTES)
    throw new BlsError({ code: BlsErrorCode.INVALID_POINT, detail: `G2 is ${G2_BYTES} bytes` });
  const [x0, x1, y0, y1] = [0, 64, 128, 192].map((o) => readFp(b, o));
  if (x0 === 0n && x1 === 0n && y0 === 0n && y1 === 0n) return G2.ZERO;
  try {
    const p = G2.fromAffine({ x: { c0: x0, c1: x1 }, y: { c0: y0, c1: y1 } });
    p.assertValidity();
    return p;
  } catch {
    throw new BlsError({ code: BlsErrorCode.INVALID_POINT, detail: 'not a G2 subgroup point' });
  }
}

// ---------------------------------------------------------------------------------------------
// Keys, signatures, proofs of possession.

/**
 * KeyGen of draft-irtf-cfrg-bls-signature-05 §2.3: HKDF-SHA-256 over `ikm` (at least 32 bytes of
 * secret seed) with salt "BLS-SIG-KEYGEN-SALT-", rehashing the salt until the key is nonzero.
 */
export function blsKeyGen(ikm: Uint8Array, keyInfo: Uint8Array = new Uint8Array(0)): bigint {
  if (ikm.length < 32)
    throw new BlsError({ code: BlsErrorCode.INVALID_SECRET_KEY, detail: 'seed shorter than 32 bytes' });
  const L = 48;
  let salt: Uint8Array = new TextEncoder().encode('BLS-SIG-KEYGEN-SALT-');
  for (;;) {
    salt = createHash('sha256').update(salt).digest();
    const okm = new Uint8Array(
      hkdfSync('sha256', concat(ikm, new Uint8Array([0])), salt, concat(keyInfo, new Uint8Array([0, L])), L),
    );
    let v = 0n;
    for (const byte of okm) v = (v << 8n) | BigInt(byte);
    const sk = v % BLS_R;
    if (sk !== 0n) return sk;
  }
}

function checkSecretKey(sk: bigint): void {
  if (sk <= 0n || sk >= BLS_R) throw new BlsError({ code: BlsErrorCode.INVALID_SECRET_KEY });
}

/** The public key [sk]G2. */
export function blsPublicKey(sk: bigint): G2Point {
  checkSecretKey(sk);
  return G2.BASE.multiply(sk);
}

/** The message a proof of possession signs: the encoded key and the participant's address. */
export function popMessage(publicKey: G2Point, participant: string): Uint8Array {
  return concat(encodeG2(publicKey), addressBytes(participant));
}

export function hashToG1(message: Uint8Array, tag: Uint8Array): G1Point {
  return bls12_381.G1.hashToCurve(message, { DST: tag }) as G1Point;
}

/** A co-signature of `digest` (the hub's EIP-712 digest of a window result), 32 bytes. */
export function blsSign(sk: bigint, digest: Uint8Array, d: BlsDomain): G1Point {
  checkSecretKey(sk);
  return hashDigest(digest, d).multiply(sk);
}

/** Proof that the holder of `sk` registers [sk]G2 for `participant` in this community (rogue-key defence). */
export function blsProofOfPossession(sk: bigint, participant: string, d: BlsDomain): G1Point {
  return hashToG1(popMessage(blsPublicKey(sk), participant), popDst(d)).multiply(sk);
}

/** e(sig, G2) = e(H(m), pk), with pk ≠ O. */
function pairingCheck(sig: G1Point, h: G1Point, pk: G2Point): boolean {
  if (pk.is0()) return false;
  const { Fp12 } = bls12_381.fields;
  const r = bls12_381.pairingBatch([
    { g1: sig, g2: G2.BASE.negate() },
    { g1: h, g2: pk },
  ]);
  return Fp12.eql(r, Fp12.ONE);
}

export function blsVerify(sig: G1Point, digest: Uint8Array, publicKey: G2Point, d: BlsDomain): boolean {
  return pairingCheck(sig, hashToG1(digest, signatureDst(d)), publicKey);
}

/** The point a co-signature of `digest` signs: hash it once to check many signatures over it. */
export function hashDigest(digest: Uint8Array, d: BlsDomain): G1Point {
  if (digest.length !== 32) throw new TypeError('digest is 32 bytes');
  return hashToG1(digest, signatureDst(d));
}

/** `blsVerify` with the digest already hashed by `hashDigest`. */
export function blsVerifyHashed(sig: G1Point, hashed: G1Point, publicKey: G2Point): boolean {
  return pairingCheck(sig, hashed, publicKey);
}

export function blsVerifyProofOfPossession(
  pop: G1Point,
  publicKey: G2Point,
  participant: string,
  d: BlsDomain,
): boolean {
  return pairingCheck(pop, hashToG1(popMessage(publicKey, participant), popDst(d)), publicKey);
}

/** The key data a participant hands the hub at join: public key ‖ proof of possession (384 bytes). */
export function encodeKeyData(publicKey: G2Point, pop: G1Point): Uint8Array {
  if (publicKey.is0()) throw new BlsError({ code: BlsErrorCode.INFINITE_PUBLIC_KEY });
  return concat(encodeG2(publicKey), encodeG1(pop));
}

export function aggregateG1(points: G1Point[]): G1Point {
  return points.reduce((a, p) => a.add(p), G1.ZERO);
}

export function aggregateG2(points: G2Point[]): G2Point {
  return points.reduce((a, p) => a.add(p), G2.ZERO);
}

// ---------------------------------------------------------------------------------------------
// The co-signature blob the module verifies.

/** Words of the signer bitmap for `n` participants. */
export function bitmapWords(n: number): number {
  return Math.ceil(n / 256);
}

/**
 * Whether the verifier subtracts the absent keys from the stored aggregate (true) or adds the
 * present ones (false): whichever names fewer keys; a tie adds (no stored aggregate to read). Twin of the module's rule.
 */
export function subtractsAbsent(present: number, n: number): boolean {
  return n - present < present;
}

/**
 * The `signatures` argument of `BlsCoSignatureScheme.verify`:
 *   bitmap (⌈n/256⌉ big-endian words; participant i is bit i % 256 of word ⌊i/256⌋)
 *   ‖ aggregate signature (G1, 128 bytes)
 *   ‖ the public keys (G2, 256 bytes each, ascending index) of the absent participants when
 *     `subtractsAbsent`, otherwise of the present ones.
 * `publicKeys` are every participant's keys in index order (as registered).
 */
export function encodeCoSignature(
  signers: readonly number[],
  aggregate: G1Point,
  publicKeys: readonly G2Point[],
): Uint8Array {
  const n = publicKeys.length;
  if (n === 0 || n > MAX_BLS_PARTICIPANTS)
    throw new BlsError({ code: BlsErrorCode.TOO_MANY_PARTICIPANTS, detail: `n = ${n}` });
  const present = new Set<number>();
  for (const i of signers) {
    if (!Number.isInteger(i) || i < 0 || i >= n || present.has(i))
      throw new BlsError({ code: BlsErrorCode.BAD_SIGNER_SET, detail: `index ${i}` });
    present.add(i);
  }
  if (present.size === 0) throw new BlsError({ code: BlsErrorCode.NO_SIGNERS });
  const words = bitmapWords(n);
  const bitmap = new Uint8Array(32 * words);
  for (const i of present) {
    const w = i >> 8;
    const b = i & 255;
    bitmap[32 * w + 31 - (b >> 3)] |= 1 << (b & 7);
  }
  const subtract = subtractsAbsent(present.size, n);
  const keys: Uint8Array[] = [];
  for (let i = 0; i < n; i++) if (present.has(i) !== subtract) keys.push(encodeG2(publicKeys[i]));
  return concat(bitmap, encodeG1(aggregate), ...keys);
}

/** Participant indices set in an encoded bitmap of `n` participants. */
export function decodeSignerBitmap(bitmap: Uint8Array, n: number): number[] {
  if (bitmap.length !== 32 * bitmapWords(n))
    throw new BlsError({ code: BlsErrorCode.BAD_SIGNER_SET, detail: 'bitmap length' });
  const out: number[] = [];
  for (let i = 0; i < 32 * 8 * bitmapWords(n); i++) {
    const set = (bitmap[32 * (i >> 8) + 31 - ((i & 255) >> 3)] >> (i & 7)) & 1;
    if (set && i >= n)
      throw new BlsError({ code: BlsErrorCode.BAD_SIGNER_SET, detail: `bit ${i} beyond ${n} participants` });
    if (set) out.push(i);
  }
  return out;
}

/**
 * A node's BLS secret key, derived from its secp256k1 node key by KeyGen with the key info
 * "DIVERSITY node BLS key": one secret to keep, and the BLS key never leaves the node.
 */
export function nodeBlsSecretKey(nodePrivateKey: Uint8Array): bigint {
  return blsKeyGen(nodePrivateKey, new TextEncoder().encode('DIVERSITY node BLS key'));
}

/** The `join` key data of a node in a BLS community: its public key ‖ proof of possession. */
export function nodeBlsKeyData(nodePrivateKey: Uint8Array, participant: string, d: BlsDomain): Uint8Array {
  const sk = nodeBlsSecretKey(nodePrivateKey);
  return encodeKeyData(blsPublicKey(sk), blsProofOfPossession(sk, participant, d));
}
