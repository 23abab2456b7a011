import { expect } from 'chai';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allVectorFiles, renderVectorFile } from '../../src/vectors/index.js';

const dir = join(import.meta.dirname, '..', '..', '..', 'contracts', 'test', 'vectors');

describe('shared test vectors (contracts/test/vectors)', () => {
  for (const [name, content] of Object.entries(allVectorFiles())) {
    it(`${name} is what the TypeScript side generates (run \`npm run vectors\` after a change)`, () => {
      const committed = readFileSync(join(dir, name), 'utf8');
      expect(committed === renderVectorFile(content), `${name} differs from the generator`).to.equal(true);
    });
  }

  it('p256.json holds a P-256 signature that node:crypto verifies', () => {
    const v = JSON.parse(readFileSync(join(dir, 'p256.json'), 'utf8'));
    const strip = (h: string) => Buffer.from(h.slice(2), 'hex');
    const message = strip(v.message);
    expect(`0x${createHash('sha256').update(message).digest('hex')}`).to.equal(v.hash);
    const key = createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: strip(v.qx).toString('base64url'), y: strip(v.qy).toString('base64url') },
      format: 'jwk',
    });
    const sig = Buffer.concat([strip(v.r), strip(v.s)]);
    expect(verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, sig)).to.equal(true);
  });
});
