// Writes contracts/test/vectors/p256.json: one P-256 signature made by node:crypto, which the
// forge test verifies through the Osaka precompile. ECDSA nonces are random, so this file is
// made once and committed; the mocha test re-verifies it rather than regenerating it.
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const message = Buffer.from('DIVERSITY P-256 precompile vector');
const der = sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' });
// OpenZeppelin's P256 (like most verifiers) accepts only low-S signatures: normalise.
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
function lowS(s: bigint): bigint {
  return s > N / 2n ? N - s : s;
}
const jwk = publicKey.export({ format: 'jwk' });
const b64 = (s: string) => `0x${Buffer.from(s, 'base64url').toString('hex')}`;
const vector = {
  message: `0x${message.toString('hex')}`,
  hash: `0x${createHash('sha256').update(message).digest('hex')}`,
  r: `0x${der.subarray(0, 32).toString('hex')}`,
  s:
    '0x' +
    lowS(BigInt(`0x${der.subarray(32).toString('hex')}`))
      .toString(16)
      .padStart(64, '0'),
  qx: b64(jwk.x!),
  qy: b64(jwk.y!),
};
writeFileSync(
  join(import.meta.dirname, '..', 'contracts', 'test', 'vectors', 'p256.json'),
  `${JSON.stringify(vector, null, 2)}\n`,
);
console.log('wrote contracts/test/vectors/p256.json');
