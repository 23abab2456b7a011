import { expect } from 'chai';
import { inBlockRanges } from '../../src/chain/logs.js';

describe('chain/logs: event queries in bounded block ranges (public endpoints cap eth_getLogs)', () => {
  const recorder = () => {
    const calls: [number, number][] = [];
    const read = async (from: number, to: number) => {
      calls.push([from, to]);
      return [`${from}-${to}`];
    };
    return { calls, read };
  };

  it('splits from..to (both included) into consecutive ranges of at most maxRange, results in block order', async () => {
    const { calls, read } = recorder();
    expect(await inBlockRanges(7, 19, 5, read)).to.deep.equal(['7-11', '12-16', '17-19']);
    expect(calls).to.deep.equal([
      [7, 11],
      [12, 16],
      [17, 19],
    ]);
    const one = recorder();
    expect(await inBlockRanges(4, 4, 5_000, one.read)).to.deep.equal(['4-4']);
  });

  it('asks nothing when from is past to (no block since the last read: a range past the head is an error on some nodes)', async () => {
    const { calls, read } = recorder();
    expect(await inBlockRanges(10, 9, 5, read)).to.deep.equal([]);
    expect(calls).to.deep.equal([]);
  });

  it('refuses a range width or a start that is not a block count or number', async () => {
    const { read } = recorder();
    for (const width of [0, -1, 1.5, Number.NaN])
      await inBlockRanges(0, 9, width, read).then(
        () => expect.fail(`width ${width} accepted`),
        (e: unknown) => expect(e).to.be.instanceOf(RangeError),
      );
    await inBlockRanges(-1, 9, 5, read).then(
      () => expect.fail('start -1 accepted'),
      (e: unknown) => expect(e).to.be.instanceOf(RangeError),
    );
  });
});
