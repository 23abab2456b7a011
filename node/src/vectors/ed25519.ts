import { createHash } from 'node:crypto';
import nacl from 'tweetnacl';
import { verifyEd25519, verifyEd25519Reference } from '../reading/signature.js';
import { seedFor } from './readings.js';

/*
 * Ed25519 and SHA-512 vectors for the Solidity verifier (`contracts/src/libraries/Ed25519.sol`,
 * `Sha512.sol`). Valid signatures come from tweetnacl, as a meter signs; the edge cases are built
 * with the small bigint model of the curve below (it only builds inputs, it never decides a label).
 * Every case records what node:crypto (OpenSSL) and tweetnacl answer; `expected` is node:crypto's
 * answer, which the Solidity verifier must reproduce.
 */

// ---------------------------------------------------------------------------------------------
// Reference model of edwards25519 (RFC 8032 §5.1), bigint, variable time: test-vector use only.

export const FIELD_P = (1n << 255n) - 19n;
export const GROUP_L = (1n << 252n) + 27742317777372353535851937790883648493n;
const D = mod(-121665n * inv(121666n));
const SQRT_M1 = pow(2n, (FIELD_P - 1n) / 4n);

export interface EdPoint {
  x: bigint;
  y: bigint;
}

function mod(a: bigint, m: bigint = FIELD_P): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

function pow(b: bigint, e: bigint, m: bigint = FIELD_P): bigint {
  let r = 1n;
  b = mod(b, m);
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

function inv(a: bigint): bigint {
  return pow(a, FIELD_P - 2n);
}

export const IDENTITY: EdPoint = { x: 0n, y: 1n };

/** x-coordinate with the given parity for `y`, or null when y is not on the curve. */
export function recoverX(y: bigint, sign: number): bigint | null {
  const u = mod(y * y - 1n);
  const v = mod(D * y * y + 1n);
  let x = mod(u * pow(v, FIELD_P - 2n));
  x = pow(x, (FIELD_P + 3n) / 8n);
  if (mod(x * x - mod(u * inv(v))) !== 0n) x = mod(x * SQRT_M1);
  if (mod(x * x * v - u) !== 0n) return null;
  if (Number(x & 1n) !== sign) x = mod(-x);
  return x;
}

export const BASE: EdPoint = { x: recoverX(mod(4n * inv(5n)), 0)!, y: mod(4n * inv(5n)) };

export function pointAdd(a: EdPoint, b: EdPoint): EdPoint {
  const t = mod(D * a.x * b.x * a.y * b.y);
  const x = mod((a.x * b.y + a.y * b.x) * inv(mod(1n + t)));
  const y = mod((a.y * b.y + a.x * b.x) * inv(mod(1n - t)));
  return { x, y };
}

export function pointNeg(a: EdPoint): EdPoint {
  return { x: mod(-a.x), y: a.y };
}

/** [k]a, double-and-add in extended coordinates (one inversion at the end). */
export function scalarMult(k: bigint, a: EdPoint): EdPoint {
  type Ext = [bigint, bigint, bigint, bigint];
  // add-2008-hwcd-3 for a = -1: complete on edwards25519, so it also doubles.
  const add = ([x1, y1, z1, t1]: Ext, [x2, y2, z2, t2]: Ext): Ext => {
    const a1 = mod((y1 - x1) * (y2 - x2));
    const b1 = mod((y1 + x1) * (y2 + x2));
    const c1 = mod(2n * D * t1 * t2);
    const d1 = mod(2n * z1 * z2);
    const [e, f, g, h] = [b1 - a1, d1 - c1, d1 + c1, b1 + a1];
    return [mod(e * f), mod(g * h), mod(f * g), mod(e * h)];
  };
  let r: Ext = [0n, 1n, 1n, 0n];
  let q: Ext = [a.x, a.y, 1n, mod(a.x * a.y)];
  while (k > 0n) {
    if (k & 1n) r = add(r, q);
    q = add(q, q);
    k >>= 1n;
  }
  const zi = inv(r[2]);
  return { x: mod(r[0] * zi), y: mod(r[1] * zi) };
}

/** 32 little-endian bytes of `v` (v < 2^256). */
export function le32(v: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

export function fromLe(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return v;
}

/** Canonical encoding (RFC 8032 §5.1.2). */
export function encodePoint(a: EdPoint): Uint8Array {
  return le32(a.y | ((a.x & 1n) << 255n));
}

/** Raw encoding of any y (possibly ≥ p) and sign bit: how non-canonical encodings are made. */
export function encodeRaw(y: bigint, sign: number): Uint8Array {
  return le32(y | (BigInt(sign) << 255n));
}

/** k = SHA-512(R || A || M) mod L, the RFC 8032 challenge. */
export function challenge(r: Uint8Array, a: Uint8Array, m: Uint8Array): bigint {
  return mod(fromLe(createHash('sha512').update(r).update(a).update(m).digest()), GROUP_L);
}

/** Order of a point of small order (1, 2, 4 or 8), or 0 when larger. */
function smallOrder(a: EdPoint): number {
  let q = a;
  for (const n of [1, 2, 4, 8]) {
    if (q.x === 0n && q.y === 1n) return n;
    q = pointAdd(q, q);
  }
  return 0;
}

/** The 8 points of order dividing 8 (the torsion subgroup), from a point of order 8. */
export function smallOrderPoints(): EdPoint[] {
  // [L]P kills the prime-order part of any curve point P and leaves its torsion component;
  // try small y until that component has order 8.
  for (let y = 2n; ; y++) {
    const x = recoverX(y, 0);
    if (x === null) continue;
    const t = scalarMult(GROUP_L, { x, y });
    if (smallOrder(t) === 8) {
      const pts: EdPoint[] = [];
      let q = IDENTITY;
      for (let i = 0; i < 8; i++) {
        pts.push(q);
        q = pointAdd(q, t);
      }
      return pts;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness.

/** `n` bytes from a SHA-256 counter stream seeded by `label`. */
export function seededBytes(label: string, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let off = 0;
  for (let ctr = 0; off < n; ctr++) {
    const block = createHash('sha256').update(seedFor(label)).update(String(ctr)).digest();
    out.set(block.subarray(0, Math.min(32, n - off)), off);
    off += 32;
  }
  return out;
}

function seededInt(label: string, max: number): number {
  return Buffer.from(seededBytes(label, 4)).readUInt32BE(0) % max;
}

// ---------------------------------------------------------------------------------------------
// Vectors.

export interface Sha512Vector {
  message: string;
  digest: string;
}

export interface Ed25519Case {
  /** Short unique label. */
  label: string;
  /** Why the case exists / what was changed. */
  reason: string;
  publicKey: string;
  signature: string;
  message: string;
  /** Answer of node:crypto (`crypto.verify(null, msg, keyObject, sig)`), OpenSSL underneath. */
  nodeCrypto: boolean;
  /** Answer of tweetnacl's `nacl.sign.detached.verify`. */
  tweetnacl: boolean;
  /** What the Solidity verifier must answer: node:crypto's answer. */
  expected: boolean;
}

export interface Ed25519VectorFile {
  sha512: { count: number; vectors: Sha512Vector[] };
  rfc8032: {
    count: number;
    vectors: { name: string; secretKey: string; publicKey: string; message: string; signature: string }[];
  };
  cases: Ed25519Case[];
  count: number;
}

const hex = (b: Uint8Array): string => `0x${Buffer.from(b).toString('hex')}`;
const unhex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/^0x/, ''), 'hex'));

/** Message lengths that cross SHA-512's 128-byte blocks and its 112-byte padding limit. */
export const SHA512_LENGTHS = [
  0, 1, 3, 55, 56, 63, 64, 70, 111, 112, 113, 127, 128, 129, 134, 200, 239, 240, 241, 255, 256, 257, 300, 383, 384,
  1000,
];

export function sha512Vectors(): Sha512Vector[] {
  const messages = [new TextEncoder().encode('abc'), ...SHA512_LENGTHS.map((n) => seededBytes(`sha512-${n}`, n))];
  return messages.map((m) => ({ message: hex(m), digest: hex(createHash('sha512').update(m).digest()) }));
}

/** RFC 8032 §7.1 TEST 1, 2, 3, 1024 and SHA(abc). The 1023-byte message is rebuilt below. */
const RFC8032 = [
  {
    name: 'TEST 1',
    secretKey: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    name: 'TEST 2',
    secretKey: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    name: 'TEST 3',
    secretKey: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    publicKey: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
  {
    name: 'TEST 1024',
    secretKey: 'f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5',
    publicKey: '278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e',
    message: 'rfc8032-test-1024',
    signature:
      '0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03',
  },
  {
    name: 'TEST SHA(abc)',
    secretKey: '833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42',
    publicKey: 'ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf',
    message:
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    signature:
      'dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704',
  },
];

/** RFC 8032 TEST 1024's 1023-byte message. */
const RFC8032_TEST_1024_MESSAGE = [
  '08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e264bf09efe12ee50f8f54e9f77b1e355f6c50544e23fb1433ddf73be84d8',
  '79de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc',
  '1a858efcb8550ee3a5e1998bd177e93a7363c344fe6b199ee5d02e82d522c4feba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e',
  '06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbefefd75499da96bd68a8a97b928a8bbc103b6621fcde2beca1231d206be6cd9ec7',
  'aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed185ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2',
  'd17ba70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc24554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270',
  '88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2cf65bd92dd597b07',
  '07e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128bab27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51a',
  'ddd3b75a2b1ae0784504df543af8969be3ea7082ff7fc9888c144da2af58429ec96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7',
  '51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c42f58c30c04aafdb038dda0847dd988dcda6f3bfd15c4b4c4525004aa06eeff8',
  'ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34dff7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08',
  'd78ff4ef5d63653a65040cf9bfd4aca7984a74d37145986780fc0b16ac451649de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4',
  '88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a32ef5b52a1ecc820e308aa342721aac0943bf6686b64b2579376504ccc493d97e',
  '6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5fb93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b5',
  '0d334ba77c225bc307ba537152f3f1610e4eafe595f6d9d90d11faa933a15ef1369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d',
  'b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c0618983f8741c5ef68d3a101e8a3b8cac60c905c15fc910840b94c00a0b9d0',
].join('');

function rfc8032Message(m: string): string {
  return m === 'rfc8032-test-1024' ? RFC8032_TEST_1024_MESSAGE : m;
}

export function rfc8032Vectors(): Ed25519VectorFile['rfc8032']['vectors'] {
  return RFC8032.map((v) => {
    const message = rfc8032Message(v.message);
    const kp = nacl.sign.keyPair.fromSeed(unhex(v.secretKey));
    const sig = nacl.sign.detached(unhex(message), kp.secretKey);
    if (Buffer.from(kp.publicKey).toString('hex') !== v.publicKey || Buffer.from(sig).toString('hex') !== v.signature) {
      throw new Error(`RFC 8032 ${v.name}: tweetnacl disagrees with the RFC`);
    }
    return {
      name: v.name,
      secretKey: `0x${v.secretKey}`,
      publicKey: `0x${v.publicKey}`,
      message: `0x${message}`,
      signature: `0x${v.signature}`,
    };
  });
}

function makeCase(
  label: string,
  reason: string,
  publicKey: Uint8Array,
  signature: Uint8Array,
  message: Uint8Array,
): Ed25519Case {
  const nodeCrypto = verifyEd25519(message, signature, publicKey);
  const tweetnacl = verifyEd25519Reference(message, signature, publicKey);
  return {
    label,
    reason,
    publicKey: hex(publicKey),
    signature: hex(signature),
    message: hex(message),
    nodeCrypto,
    tweetnacl,
    expected: nodeCrypto,
  };
}

function flipBit(b: Uint8Array, bit: number): Uint8Array {
  const c = Uint8Array.from(b);
  c[bit >> 3] ^= 1 << (bit & 7);
  return c;
}

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
};

/**
 * A signature under any public-key bytes `a` whose point is `aPoint` of small order: R = [r]B,
 * S = r verifies cofactorless iff [k]A = O, so search a message suffix until k ≡ 0 mod ord(A).
 * Returns the message and signature.
 */
function forgeForSmallOrderKey(
  label: string,
  aBytes: Uint8Array,
  order: number,
): { message: Uint8Array; signature: Uint8Array } {
  const r = mod(fromLe(seededBytes(`${label}-r`, 64)), GROUP_L);
  const rBytes = encodePoint(scalarMult(r, BASE));
  const base = seededBytes(`${label}-m`, 40);
  for (let i = 0; ; i++) {
    const message = concat(base, new TextEncoder().encode(String(i)));
    const k = challenge(rBytes, aBytes, message);
    if (k % BigInt(order) === 0n) return { message, signature: concat(rBytes, le32(r)) };
  }
}

/** A signature by secret scalar `a` under public key bytes `aBytes` (RFC 8032 signing with a given nonce). */
function signWithScalar(label: string, a: bigint, aBytes: Uint8Array, message: Uint8Array, r?: bigint): Uint8Array {
  const nonce = r ?? mod(fromLe(seededBytes(`${label}-r`, 64)), GROUP_L);
  const rBytes = encodePoint(scalarMult(nonce, BASE));
  const k = challenge(rBytes, aBytes, message);
  return concat(rBytes, le32(mod(nonce + k * a, GROUP_L)));
}

export function ed25519Cases(): Ed25519Case[] {
  const cases: Ed25519Case[] = [];

  // Valid tweetnacl signatures over seeded messages of 0..300 bytes, 4 keys.
  const valid: { pk: Uint8Array; sig: Uint8Array; msg: Uint8Array; sk: Uint8Array }[] = [];
  const lengths = [0, 1, 70, 300, ...Array.from({ length: 20 }, (_, i) => seededInt(`ed25519-len-${i}`, 301))];
  lengths.forEach((n, i) => {
    const kp = nacl.sign.keyPair.fromSeed(seedFor(`ed25519-key-${i % 4}`));
    const msg = seededBytes(`ed25519-msg-${i}`, n);
    const sig = nacl.sign.detached(msg, kp.secretKey);
    valid.push({ pk: kp.publicKey, sig, msg, sk: kp.secretKey });
    cases.push(makeCase(`valid-${i}`, `valid tweetnacl signature, ${n}-byte message`, kp.publicKey, sig, msg));
  });

  // Flipped bits in R, S, A and the message.
  const v0 = valid[2];
  const [r0, s0] = [v0.sig.subarray(0, 32), v0.sig.subarray(32)];
  for (const bit of [0, 1, 100, 254, 255]) {
    cases.push(makeCase(`flip-R-${bit}`, `bit ${bit} of R flipped`, v0.pk, concat(flipBit(r0, bit), s0), v0.msg));
  }
  for (const bit of [0, 1, 100, 251]) {
    const s = flipBit(s0, bit);
    if (fromLe(s) >= GROUP_L) throw new Error(`flip-S-${bit}: S is not below L`);
    cases.push(makeCase(`flip-S-${bit}`, `bit ${bit} of S flipped (S stays below L)`, v0.pk, concat(r0, s), v0.msg));
  }
  for (const bit of [253, 255]) {
    cases.push(
      makeCase(
        `flip-S-${bit}`,
        `bit ${bit} of S flipped: S ≥ L, non-canonical`,
        v0.pk,
        concat(r0, flipBit(s0, bit)),
        v0.msg,
      ),
    );
  }
  for (const bit of [0, 1, 100, 254, 255]) {
    cases.push(makeCase(`flip-A-${bit}`, `bit ${bit} of the public key flipped`, flipBit(v0.pk, bit), v0.sig, v0.msg));
  }
  for (const bit of [0, 7, 300, 559]) {
    cases.push(makeCase(`flip-M-${bit}`, `bit ${bit} of the message flipped`, v0.pk, v0.sig, flipBit(v0.msg, bit)));
  }
  cases.push(
    makeCase(
      'message-extended',
      'one zero byte appended to the message',
      v0.pk,
      v0.sig,
      concat(v0.msg, new Uint8Array(1)),
    ),
  );
  cases.push(
    makeCase(
      'message-truncated',
      'last byte of the message dropped',
      v0.pk,
      v0.sig,
      v0.msg.subarray(0, v0.msg.length - 1),
    ),
  );
  cases.push(makeCase('swap-R-S', 'R and S swapped', v0.pk, concat(s0, r0), v0.msg));
  cases.push(makeCase('other-key', 'valid signature checked under another meter key', valid[3].pk, v0.sig, v0.msg));

  // Non-canonical S: S + L (and S + 2L, S + 15L, all < 2^256): same point [S]B, different bytes.
  for (const [i, mult] of [
    [2, 1n],
    [5, 2n],
    [6, 15n],
  ] as const) {
    const v = valid[i];
    const s = fromLe(v.sig.subarray(32));
    cases.push(
      makeCase(
        `S-plus-${mult}L`,
        `non-canonical S = S + ${mult}·L (${v.msg.length}-byte message)`,
        v.pk,
        concat(v.sig.subarray(0, 32), le32(s + mult * GROUP_L)),
        v.msg,
      ),
    );
  }
  cases.push(
    makeCase(
      'S-equals-L',
      'S = L (S ≥ L), R = identity, public key = identity',
      encodePoint(IDENTITY),
      concat(encodePoint(IDENTITY), le32(GROUP_L)),
      new Uint8Array(0),
    ),
  );
  cases.push(makeCase('S-max', 'S = 2^256 - 1', v0.pk, concat(r0, le32((1n << 256n) - 1n)), v0.msg));

  // Points not on the curve (y with no x), as A and as R.
  const offCurve: bigint[] = [];
  for (let y = 2n; offCurve.length < 2; y++) if (recoverX(y, 0) === null) offCurve.push(y);
  cases.push(
    makeCase(
      'A-off-curve',
      `public key y = ${offCurve[0]} is not on the curve`,
      encodeRaw(offCurve[0], 0),
      v0.sig,
      v0.msg,
    ),
  );
  cases.push(
    makeCase(
      'A-off-curve-random',
      'public key = random bytes not on the curve',
      (() => {
        for (let i = 0; ; i++) {
          const b = seededBytes(`off-curve-${i}`, 32);
          if (recoverX(fromLe(b) & ((1n << 255n) - 1n), 0) === null) return b;
        }
      })(),
      v0.sig,
      v0.msg,
    ),
  );
  cases.push(
    makeCase(
      'R-off-curve',
      `R y = ${offCurve[1]} is not on the curve`,
      v0.pk,
      concat(encodeRaw(offCurve[1], 0), s0),
      v0.msg,
    ),
  );

  // Zero scalars and identity points that still satisfy [S]B = R + [k]A.
  const sk0 = fromLe(nacl.hash(v0.sk.subarray(0, 32)).subarray(0, 32));
  const a0 = mod((sk0 & ~7n & ((1n << 254n) - 1n)) | (1n << 254n), GROUP_L);
  cases.push(
    makeCase(
      'R-identity',
      'nonce r = 0: R = identity, S = k·a (valid)',
      v0.pk,
      signWithScalar('r0', a0, v0.pk, v0.msg, 0n),
      v0.msg,
    ),
  );
  cases.push(
    makeCase(
      'all-identity',
      'A = R = identity, S = 0: [0]B = O + [k]O',
      encodePoint(IDENTITY),
      concat(encodePoint(IDENTITY), le32(0n)),
      v0.msg,
    ),
  );
  cases.push(
    makeCase(
      'R-identity-noncanonical',
      'A = identity, S = 0, R = identity encoded with y = p + 1',
      encodePoint(IDENTITY),
      concat(encodeRaw(FIELD_P + 1n, 0), le32(0n)),
      v0.msg,
    ),
  );
  cases.push(
    makeCase(
      'R-identity-negative-zero',
      'A = identity, S = 0, R = identity with sign bit 1 (x = 0)',
      encodePoint(IDENTITY),
      concat(encodeRaw(1n, 1), le32(0n)),
      v0.msg,
    ),
  );

  // Small-order public keys: the 8 torsion points, each with a cofactorless-valid signature
  // ([k]A = O) and one where [k]A != O.
  const torsion = smallOrderPoints();
  torsion.forEach((t, i) => {
    const order = smallOrder(t);
    const aBytes = encodePoint(t);
    const forged = forgeForSmallOrderKey(`small-order-${i}`, aBytes, order);
    cases.push(
      makeCase(
        `small-order-A-${i}`,
        `public key of order ${order}, R = [r]B, S = r, k ≡ 0 mod ${order}: satisfies [S]B = R + [k]A`,
        aBytes,
        forged.signature,
        forged.message,
      ),
    );
    if (order > 1) {
      let m = concat(forged.message, new Uint8Array([0]));
      while (challenge(forged.signature.subarray(0, 32), aBytes, m) % BigInt(order) === 0n)
        m = concat(m, new Uint8Array([0]));
      cases.push(
        makeCase(
          `small-order-A-${i}-k-nonzero`,
          `public key of order ${order}, R = [r]B, S = r, k ≢ 0 mod ${order}`,
          aBytes,
          forged.signature,
          m,
        ),
      );
    }
  });

  // Non-canonical public keys: y ≥ p (y = p + 1 is the identity, y = p is y = 0 of order 4) and
  // x = 0 with the sign bit set.
  const nonCanonicalKeys: [string, string, Uint8Array, number][] = [
    [
      'A-noncanonical-identity',
      'public key y = p + 1 (identity, non-canonical), [k]A = O',
      encodeRaw(FIELD_P + 1n, 0),
      1,
    ],
    ['A-noncanonical-identity-sign', 'public key y = p + 1 with sign bit 1 (x = 0)', encodeRaw(FIELD_P + 1n, 1), 1],
    ['A-noncanonical-y0', 'public key y = p (≡ 0, order 4, non-canonical), k ≡ 0 mod 4', encodeRaw(FIELD_P, 0), 4],
    [
      'A-noncanonical-y0-sign',
      'public key y = p (≡ 0, order 4, non-canonical) with sign bit 1, k ≡ 0 mod 4',
      encodeRaw(FIELD_P, 1),
      4,
    ],
    ['A-negative-zero-identity', 'public key = identity with sign bit 1 (x = 0, sign 1)', encodeRaw(1n, 1), 1],
    [
      'A-negative-zero-order2',
      'public key = (0, -1) with sign bit 1 (x = 0, sign 1), k even',
      encodeRaw(FIELD_P - 1n, 1),
      2,
    ],
  ];
  for (const [label, reason, aBytes, order] of nonCanonicalKeys) {
    const forged = forgeForSmallOrderKey(label, aBytes, order);
    cases.push(makeCase(label, reason, aBytes, forged.signature, forged.message));
  }
  // A non-canonical key y + p with y < 19 that is on the curve and not of small order.
  for (let y = 2n; y < 19n; y++) {
    if (recoverX(y, 0) === null) continue;
    cases.push(
      makeCase(
        `A-noncanonical-y${y}`,
        `public key y = p + ${y} (non-canonical), signature of another key`,
        encodeRaw(FIELD_P + y, 0),
        v0.sig,
        v0.msg,
      ),
    );
    break;
  }

  // Mixed-order public key A = [a]B + T (T of order 8), honestly signed with a: a cofactorless
  // verifier accepts iff k ≡ 0 mod 8, a cofactored one always.
  const t8 = torsion.find((t) => smallOrder(t) === 8)!;
  const mixed = encodePoint(pointAdd(scalarMult(a0, BASE), t8));
  for (let i = 0, found = { zero: false, nonzero: false }; !(found.zero && found.nonzero); i++) {
    const msg = seededBytes(`mixed-${i}`, 48);
    const sig = signWithScalar(`mixed-${i}`, a0, mixed, msg);
    const zero = challenge(sig.subarray(0, 32), mixed, msg) % 8n === 0n;
    if (zero && !found.zero) {
      found.zero = true;
      cases.push(makeCase('mixed-order-A-k0', 'A = [a]B + T8 signed with a, k ≡ 0 mod 8', mixed, sig, msg));
    } else if (!zero && !found.nonzero) {
      found.nonzero = true;
      cases.push(
        makeCase(
          'mixed-order-A-k-nonzero',
          'A = [a]B + T8 signed with a, k ≢ 0 mod 8 (cofactored verifiers accept)',
          mixed,
          sig,
          msg,
        ),
      );
    }
  }

  // R with a small-order component: R = [r]B + T8, honest S. Fails cofactorless unless T8 = O.
  {
    const r = mod(fromLe(seededBytes('r-mixed', 64)), GROUP_L);
    const rBytes = encodePoint(pointAdd(scalarMult(r, BASE), t8));
    const k = challenge(rBytes, v0.pk, v0.msg);
    cases.push(
      makeCase(
        'R-mixed-order',
        'R = [r]B + T8, S = r + k·a (cofactored verifiers accept)',
        v0.pk,
        concat(rBytes, le32(mod(r + k * a0, GROUP_L))),
        v0.msg,
      ),
    );
  }

  // Garbage.
  cases.push(makeCase('zero-signature', 'signature of 64 zero bytes', v0.pk, new Uint8Array(64), v0.msg));
  cases.push(makeCase('random-signature', 'random 64 bytes', v0.pk, seededBytes('random-signature', 64), v0.msg));
  cases.push(
    makeCase(
      'zero-key',
      'public key of 32 zero bytes (y = 0, order 4) with a valid signature of another key',
      new Uint8Array(32),
      v0.sig,
      v0.msg,
    ),
  );

  const labels = new Set(cases.map((c) => c.label));
  if (labels.size !== cases.length) throw new Error('duplicate Ed25519 case label');
  return cases;
}

export function ed25519VectorFile(): Ed25519VectorFile {
  const sha512 = sha512Vectors();
  const rfc8032 = rfc8032Vectors();
  const cases = ed25519Cases();
  return {
    sha512: { count: sha512.length, vectors: sha512 },
    rfc8032: { count: rfc8032.length, vectors: rfc8032 },
    cases,
    count: cases.length,
  };
}

/**
 * The constant table of `Ed25519.sol` (`BASE_TABLE`): [i]B for i = 1..15 as three 32-byte
 * big-endian words (y - x, y + x, 2d·x·y) mod p, the form its mixed addition consumes.
 */
export function ed25519BaseTableHex(): string {
  const words: bigint[] = [];
  for (let i = 1n; i <= 15n; i++) {
    const q = scalarMult(i, BASE);
    words.push(mod(q.y - q.x), mod(q.y + q.x), mod(2n * D * q.x * q.y));
  }
  return words.map((w) => w.toString(16).padStart(64, '0')).join('');
}

/** Field and group constants of `Ed25519.sol`, for the mocha check that the source holds them. */
export const ED25519_CONSTANTS = {
  P: FIELD_P,
  L: GROUP_L,
  D,
  D2: mod(2n * D),
  SQRT_M1,
  TWO_256_MOD_L: (1n << 256n) % GROUP_L,
} as const;
