import { expect } from 'chai';
import { SigningKey, Transaction, Wallet } from 'ethers';
import { signEip1559 } from '../src/replay/rawTx.js';

describe('sim/replay rawTx', () => {
  const key = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';

  for (const [name, to, data, nonce] of [
    ['a call', '0x5FbDB2315678afecb367f032d93F642f64180aa3', `0x1234abcd${'00'.repeat(31)}07`, 0],
    ['a deployment with a high nonce', null, '0x6080604052', 35_135],
  ] as const) {
    it(`signs ${name} byte-for-byte like ethers`, () => {
      const f = {
        chainId: 31337,
        nonce,
        maxPriorityFeePerGas: 0n,
        maxFeePerGas: 1_000_000_000n,
        gasLimit: 80_000n,
        to,
        value: 0n,
        data,
      };
      const mine = signEip1559(f, new SigningKey(key));
      const tx = Transaction.from({ type: 2, ...f });
      tx.signature = new SigningKey(key).sign(tx.unsignedHash);
      expect(mine.raw).to.equal(tx.serialized);
      expect(mine.hash).to.equal(tx.hash);
      expect(Transaction.from(mine.raw).from).to.equal(new Wallet(key).address);
    });
  }
});
