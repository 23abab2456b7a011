import { expect } from 'chai';
import { cost, yearFactor } from '../src/costModel.js';
import { PRESETS } from '../src/presets.js';

describe('sim/costModel', () => {
  it('prices gas exactly in micro-dollars', () => {
    // 1,000,000 gas × 17.5 gwei = 0.0175 ETH; × 1,900 USD = 33.25 USD.
    const c = cost(1_000_000n, 0, PRESETS['paper-2022']);
    expect(c.wei).to.equal(17_500_000_000_000_000n);
    expect(c.usdExact).to.equal('33.25');
    expect(c.usd).to.equal(33.25);
  });

  it('rounds down to the micro-dollar and adds a per-byte data fee', () => {
    const p = { name: 't', gasPriceGwei: '0.01', ethUsd: '3000.5', dataFeeGweiPerByte: '0.002', note: '' };
    const c = cost(21_000n, 110, p);
    // 21,000 × 1e7 wei + 110 × 2e6 wei = 210,000,000,000 + 220,000,000 = 210,220,000,000 wei
    expect(c.wei).to.equal(210_220_000_000n);
    // × 3000.5 USD / 1e18 = 0.000630765110 USD -> 0.00063 (micro-dollar floor)
    expect(c.usdExact).to.equal('0.00063');
  });

  it('scales a period to a year, leaving whole years alone', () => {
    expect(yearFactor(366 * 86_400)).to.equal(1);
    expect(yearFactor(365 * 86_400)).to.equal(1);
    expect(yearFactor(73 * 86_400)).to.equal(5);
  });
});
