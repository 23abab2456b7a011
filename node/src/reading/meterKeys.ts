import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519';
import { encodeReading } from './encoding.js';
import { ed25519KeyObject, MeterScheme, type SignedReading } from './signature.js';

/** P-256 public keys are registered as qx || qy (64 bytes), as the Osaka precompile takes them. */
export function p256KeyObject(publicKey: Uint8Array): KeyObject {
  if (publicKey.length !== 64)
    throw new RangeError(`P-256 public key must be 64 bytes (qx || qy), got ${publicKey.length}`);
  const b = Buffer.from(publicKey);
  return createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: b.subarray(0, 32).toString('base64url'),
      y: b.subarray(32).toString('base64url'),
    },
    format: 'jwk',
  });
}

/**
 * Whether a registered key is usable for its scheme: the twin of the meter schemes' `isValidKey`
 * (`Ed25519.isStrictPublicKey`: 32 bytes, a canonical encoding of a curve point (y < p, not x = 0 with the
 * sign bit set), not of small order; P-256: 64 bytes, a point on the curve). `Hub.open` does not check keys;
 * the chain's verifier counts no reading of a meter whose key is not valid (`DisputeVerifier._validFor`), so a
 * node must not either: under a small-order Ed25519 key anyone forges readings node:crypto accepts, and a
 * committed one would be proven forged.
 */
export function isValidMeterKey(scheme: MeterScheme, publicKey: Uint8Array): boolean {
  try {
    if (scheme === MeterScheme.P256) {
      p256KeyObject(publicKey);
      return true;
    }
    if (publicKey.length !== 32) return false;
    return !ed25519.ExtendedPoint.fromHex(publicKey, false).isSmallOrder();
  } catch {
    return false;
  }
}

/**
 * The registered meters' keys as node:crypto KeyObjects, built once: parsing a key costs more
 * than verifying with it.
 */
export class MeterKeyRing {
  private readonly keys: ({ scheme: MeterScheme; key: KeyObject } | undefined)[];

  constructor(meters: readonly { publicKey: Uint8Array; scheme: MeterScheme }[]) {
    // A meter whose key is not valid gets no key: none of its readings verifies (as on chain).
    this.keys = meters.map((m) =>
      isValidMeterKey(m.scheme, m.publicKey)
        ? {
            scheme: m.scheme,
            key: m.scheme === MeterScheme.P256 ? p256KeyObject(m.publicKey) : ed25519KeyObject(m.publicKey),
          }
        : undefined,
    );
  }

  get size(): number {
    return this.keys.length;
  }

  /** Verifies a reading's signature under its meter's registered key and scheme. */
  verify(signed: SignedReading): boolean {
    if (!this.keys[signed.reading.meterIndex] || signed.signature.length !== 64) return false;
    return this.verifyEncoded(signed.reading.meterIndex, encodeReading(signed.reading), signed.signature);
  }

  /** Same, from the reading's 70-byte canonical encoding as received (no re-encoding). */
  verifyEncoded(meterIndex: number, message: Uint8Array, signature: Uint8Array): boolean {
    const entry = this.keys[meterIndex];
    if (!entry || signature.length !== 64) return false;
    if (entry.scheme === MeterScheme.P256) {
      // ECDSA over SHA-256, r || s; the chain verifies the same with P256.verify(sha256(message), ...).
      return cryptoVerify('sha256', message, { key: entry.key, dsaEncoding: 'ieee-p1363' }, signature);
    }
    return cryptoVerify(null, message, entry.key, signature);
  }
}
