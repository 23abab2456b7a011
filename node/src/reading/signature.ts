import {
  createPrivateKey,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import nacl from 'tweetnacl';
import { decodeReading, encodeReading, READING_ENCODED_LENGTH, type Reading } from './encoding.js';
import { ReadingError, ReadingErrorCode } from './errors.js';

/** Signature scheme of a meter, as registered on chain (`IHub.MeterScheme`). */
export enum MeterScheme {
  Ed25519 = 0,
  P256 = 1,
}

/** The order N of the P-256 group: (r, s) and (r, N − s) both verify. */
export const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/**
 * A P-256 signature r || s in its low-s form (s ≤ N/2). Anyone can turn a valid (r, s) into the valid
 * (r, N − s); the commitment's reading leaf hashes the signature, so two honest nodes that kept the two
 * twins of one reading would fold different roots from the same values. Every node keeps the low-s
 * twin: same reading, same leaf. (The chain's P-256 check accepts either s.)
 */
export function lowS(signature: Uint8Array): Uint8Array {
  if (signature.length !== 64) return signature;
  const s = BigInt(`0x${Buffer.from(signature.subarray(32)).toString('hex')}`);
  if (s <= P256_N / 2n) return signature;
  const out = new Uint8Array(64);
  out.set(signature.subarray(0, 32), 0);
  out.set(Buffer.from((P256_N - s).toString(16).padStart(64, '0'), 'hex'), 32);
  return out;
}

export const ED25519_PUBLIC_KEY_LENGTH = 32;
export const ED25519_SIGNATURE_LENGTH = 64;

export interface MeterKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

/** A reading with the meter's signature over its canonical encoding. */
export interface SignedReading {
  reading: Reading;
  signature: Uint8Array;
}

/** Deterministic key from a 32-byte seed (tests, simulated meters), or a fresh random one. */
export function meterKeyPair(seed?: Uint8Array): MeterKeyPair {
  const kp = seed ? nacl.sign.keyPair.fromSeed(seed) : nacl.sign.keyPair();
  return { publicKey: kp.publicKey, secretKey: kp.secretKey };
}

/** Signs with tweetnacl, as a meter's firmware would. */
export function signReading(reading: Reading, secretKey: Uint8Array): SignedReading {
  const signature = nacl.sign.detached(encodeReading(reading), secretKey);
  return { reading, signature };
}

// DER prefix of an Ed25519 PKCS#8 private key (RFC 8410), followed by the 32-byte seed.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * Signs readings with node:crypto from a meter's 32-byte seed: Ed25519 is deterministic, so the
 * signatures are byte-identical to tweetnacl's (unit-tested), about 50x faster. For replays and
 * benchmarks that sign thousands of readings.
 */
export function fastReadingSigner(seed: Uint8Array): (reading: Reading) => SignedReading {
  const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  return (reading) => ({ reading, signature: new Uint8Array(cryptoSign(null, encodeReading(reading), key)) });
}

// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): node:crypto takes keys only as objects.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function ed25519KeyObject(publicKey: Uint8Array): KeyObject {
  if (publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) {
    throw new ReadingError({ code: ReadingErrorCode.BAD_PUBLIC_KEY, length: publicKey.length });
  }
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
}

/**
 * Fast path: OpenSSL through node:crypto, about 100x tweetnacl on this hardware.
 * Pass a cached KeyObject on hot paths (`ed25519KeyObject`).
 */
export function verifyEd25519(message: Uint8Array, signature: Uint8Array, key: KeyObject | Uint8Array): boolean {
  if (signature.length !== ED25519_SIGNATURE_LENGTH) return false;
  const keyObject = key instanceof Uint8Array ? ed25519KeyObject(key) : key;
  return cryptoVerify(null, message, keyObject, signature);
}

/** Reference path: tweetnacl, the library meters sign with. */
export function verifyEd25519Reference(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== ED25519_SIGNATURE_LENGTH || publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) return false;
  return nacl.sign.detached.verify(message, signature, publicKey);
}

export function verifySignedReading(signed: SignedReading, key: KeyObject | Uint8Array): boolean {
  return verifyEd25519(encodeReading(signed.reading), signed.signature, key);
}

/** Wire form of a signed reading: encoding (70 bytes) followed by the signature (64 bytes). */
export function serializeSignedReading(signed: SignedReading): Uint8Array {
  const enc = encodeReading(signed.reading);
  const out = new Uint8Array(enc.length + signed.signature.length);
  out.set(enc, 0);
  out.set(signed.signature, enc.length);
  return out;
}

export function deserializeSignedReading(bytes: Uint8Array): SignedReading {
  const encodedLength = READING_ENCODED_LENGTH;
  if (bytes.length !== encodedLength + ED25519_SIGNATURE_LENGTH) {
    throw new ReadingError({
      code: ReadingErrorCode.WRONG_LENGTH,
      expected: encodedLength + ED25519_SIGNATURE_LENGTH,
      actual: bytes.length,
    });
  }
  return { reading: decodeReading(bytes.subarray(0, encodedLength)), signature: bytes.slice(encodedLength) };
}
