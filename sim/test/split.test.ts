import { expect } from 'chai';
import { gasLimitFor, maxWordsPerTx, splitMeters, splitTrace } from '../src/replay/approaches/split.js';

describe('sim/replay split', () => {
  const cap = 16_777_216n;

  it('budgets words under the per-transaction cap', () => {
    expect(maxWordsPerTx(cap)).to.equal(555);
    expect(gasLimitFor(555, cap) <= cap).to.equal(true);
    expect(gasLimitFor(10_000, cap)).to.equal(cap);
  });

  it('keeps a day of one meter in one transaction and groups meters', () => {
    expect(splitTrace(1, 0, 96, 555)).to.deep.equal([
      { firstMeter: 0, meterCount: 1, firstInterval: 0, intervalCount: 96 },
    ]);
    const c = splitTrace(100, 96, 192, 555); // 24 words per meter, 23 meters per tx
    expect(c.length).to.equal(5);
    expect(c.map((x) => x.meterCount)).to.deep.equal([23, 23, 23, 23, 8]);
  });

  it('cuts a long session of one meter into runs of whole words', () => {
    const c = splitTrace(2, 0, 5856, 555); // two months: 1,464 words per meter
    expect(c.length).to.equal(6);
    expect(c[0]).to.deep.equal({ firstMeter: 0, meterCount: 1, firstInterval: 0, intervalCount: 2220 });
    expect(c[2]).to.deep.equal({ firstMeter: 0, meterCount: 1, firstInterval: 4440, intervalCount: 1416 });
    for (const x of c) expect(x.firstInterval % 4).to.equal(0);
  });

  it('splits meters into blocks', () => {
    expect(splitMeters(5, 2)).to.deep.equal([
      { firstMeter: 0, meterCount: 2 },
      { firstMeter: 2, meterCount: 2 },
      { firstMeter: 4, meterCount: 1 },
    ]);
  });
});
