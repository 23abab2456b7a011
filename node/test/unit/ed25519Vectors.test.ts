import { expect } from 'chai';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import nacl from 'tweetnacl';
import { ED25519_CONSTANTS, ed25519BaseTableHex, GROUP_L, type Ed25519VectorFile } from '../../src/vectors/ed25519.js';

const root = join(import.meta.dirname, '..', '..', '..');
const file: Ed25519VectorFile = JSON.parse(
  readFileSync(join(root, 'contracts', 'test', 'vectors', 'ed25519.json'), 'utf8'),
);
const bytes = (h: string): Buffer => Buffer.from(h.slice(2), 'hex');
const spki = (pk: Buffer) =>
  createPublicKey({
    key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), pk]),
    format: 'der',
    type: 'spki',
  });
const nodeVerify = (pk: string, sig: string, msg: string): boolean =>
  verify(null, bytes(msg), spki(bytes(pk)), bytes(sig));
const naclVerify = (pk: string, sig: string, msg: string): boolean =>
  nacl.sign.detached.verify(bytes(msg), bytes(sig), bytes(pk));
const sOf = (sig: string): bigint => BigInt(`0x${Buffer.from(bytes(sig).subarray(32)).reverse().toString('hex')}`);

describe('ed25519.json vectors (contracts/test/vectors)', () => {
  it('labels every case with what node:crypto answers, and expects that answer', () => {
    expect(file.cases).to.have.length(file.count);
    for (const c of file.cases) {
      expect(nodeVerify(c.publicKey, c.signature, c.message), c.label).to.equal(c.nodeCrypto);
      expect(c.expected, c.label).to.equal(c.nodeCrypto);
    }
  });

  it('labels every case with what tweetnacl answers', () => {
    for (const c of file.cases) expect(naclVerify(c.publicKey, c.signature, c.message), c.label).to.equal(c.tweetnacl);
  });

  it('tweetnacl differs from node:crypto only on non-canonical S (S ≥ L), which tweetnacl accepts', () => {
    const diffs = file.cases.filter((c) => c.tweetnacl !== c.nodeCrypto);
    expect(diffs.map((c) => c.label)).to.deep.equal(['S-plus-1L', 'S-plus-2L', 'S-plus-15L', 'S-equals-L']);
    for (const c of diffs) {
      expect(c.tweetnacl, c.label).to.equal(true);
      expect(sOf(c.signature) >= GROUP_L, c.label).to.equal(true);
    }
  });

  it('holds 24 valid signatures over messages of 0..300 bytes and labelled invalid cases', () => {
    const valid = file.cases.filter((c) => c.label.startsWith('valid-'));
    expect(valid).to.have.length(24);
    expect(valid.every((c) => c.nodeCrypto && c.tweetnacl)).to.equal(true);
    const lengths = valid.map((c) => bytes(c.message).length);
    expect(Math.min(...lengths)).to.equal(0);
    expect(Math.max(...lengths)).to.equal(300);
    for (const prefix of [
      'flip-R-',
      'flip-S-',
      'flip-A-',
      'flip-M-',
      'S-plus-',
      'small-order-A-',
      'A-noncanonical-',
      'A-off-curve',
      'R-off-curve',
    ]) {
      expect(
        file.cases.some((c) => c.label.startsWith(prefix)),
        prefix,
      ).to.equal(true);
    }
    for (const c of file.cases) expect(c.reason.length, c.label).to.be.greaterThan(0);
    expect(file.cases.filter((c) => c.expected)).to.have.length(41);
  });

  it('RFC 8032 §7.1 vectors verify with node:crypto and tweetnacl', () => {
    expect(file.rfc8032.vectors.map((v) => v.name)).to.deep.equal([
      'TEST 1',
      'TEST 2',
      'TEST 3',
      'TEST 1024',
      'TEST SHA(abc)',
    ]);
    for (const v of file.rfc8032.vectors) {
      expect(nodeVerify(v.publicKey, v.signature, v.message), v.name).to.equal(true);
      expect(naclVerify(v.publicKey, v.signature, v.message), v.name).to.equal(true);
    }
    expect(bytes(file.rfc8032.vectors[3].message)).to.have.length(1023);
  });

  it('SHA-512 digests are node:crypto digests, and cross the 112- and 128-byte boundaries', () => {
    for (const v of file.sha512.vectors) {
      expect(`0x${createHash('sha512').update(bytes(v.message)).digest('hex')}`).to.equal(v.digest);
    }
    const lengths = new Set(file.sha512.vectors.map((v) => bytes(v.message).length));
    for (const n of [0, 1, 111, 112, 127, 128, 129, 239, 240, 256, 300])
      expect(lengths.has(n), String(n)).to.equal(true);
  });

  it('Ed25519.sol holds the generated base-point table and curve constants', () => {
    const source = readFileSync(join(root, 'contracts', 'src', 'libraries', 'Ed25519.sol'), 'utf8');
    const table = [...source.slice(source.indexOf('BASE_TABLE =')).matchAll(/hex"([0-9a-f]+)"/g)]
      .map((m) => m[1])
      .join('');
    expect(table).to.equal(ed25519BaseTableHex());
    for (const [name, value] of Object.entries(ED25519_CONSTANTS)) {
      const m = source.match(new RegExp(`constant ${name} = (0x[0-9a-f]+);`));
      expect(m, name).to.not.equal(null);
      expect(BigInt(m![1]), name).to.equal(value);
    }
  });
});
