import { expect } from 'chai';
import { signerList } from '../../src/api/chainView.js';
import { bitmapWords, fromWords, isValidBitmap, MAX_PARTICIPANTS, toWords } from '../../src/chain/signerBitmap.js';

describe('signerBitmap (twin of SignerBitmap.sol)', () => {
  it('uses ⌈n/256⌉ words, up to four for 1,024 participants', () => {
    expect([1, 256, 257, 512, 1000, 1024].map(bitmapWords)).to.deep.equal([1, 1, 2, 2, 4, 4]);
    expect(MAX_PARTICIPANTS).to.equal(1024);
  });

  it('round-trips a set across words (bit i % 256 of word i / 256)', () => {
    const who = [0, 255, 256, 511, 767, 999];
    const words = toWords(who, 1000);
    expect(words).to.have.length(4);
    expect(words[1]).to.equal(1n | (1n << 255n));
    expect(fromWords(words, 1000)).to.deep.equal(who);
    expect(isValidBitmap(words, 1000)).to.equal(true);
  });

  it('refuses an index at or beyond n, a bit beyond n, the wrong word count', () => {
    expect(() => toWords([1000], 1000)).to.throw(RangeError);
    const words = toWords([1], 1000);
    expect(isValidBitmap([...words.slice(0, 3), 1n << 232n], 1000)).to.equal(false);
    expect(isValidBitmap(words.slice(0, 3), 1000)).to.equal(false);
    expect(isValidBitmap([...words, 0n], 1000)).to.equal(false);
    expect(isValidBitmap([1n << 255n], 256)).to.equal(true);
  });

  it('signerList reads an event’s words or a record’s one word', () => {
    expect(signerList(toWords([2, 300], 301), 301)).to.deep.equal([2, 300]);
    expect(signerList(0b101n, 3)).to.deep.equal([0, 2]);
  });
});
