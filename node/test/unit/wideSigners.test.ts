import { expect } from 'chai';
import { type ContractRunner, type Provider, ZeroHash } from 'ethers';
import { signerList } from '../../src/api/chainView.js';
import { HubClient, WindowStatus } from '../../src/chain/hubClient.js';
import { allWords, joinWords, ref, splitWords, toWords } from '../../src/chain/signerBitmap.js';
import { popcount } from '../../src/util/bits.js';

const ROOT = `0x${'ab'.repeat(32)}`;

/**
 * A hub whose views answer as `Hub.windowRecord` does (s9): a record keeps one word of its signer set,
 * `SignerBitmap.ref` (the bitmap for N ≤ 256, else keccak256 of the words); the words are in the
 * `WindowClaimed` event; a fast-path-final window reports everyone's ref. `n` participants.
 */
function fakeHub(
  n: number,
  records: Record<number, { signers: bigint; status: WindowStatus; submittedAt: number }>,
  claimed: { window: number; signers: bigint[] }[],
) {
  const queried: string[] = [];
  const contract = {
    windowRecord: async (_id: bigint, window: number) => ({
      windowRoot: records[window]?.submittedAt ? ROOT : ZeroHash,
      stateHash: records[window]?.submittedAt ? ROOT : ZeroHash,
      balancesRoot: ROOT,
      ...(records[window] ?? { signers: 0n, status: WindowStatus.None, submittedAt: 0 }),
    }),
    community: async () => ({ participantCount: BigInt(n) }),
    filters: {
      WindowClaimed: (_id: bigint, window: number) => ({ event: 'WindowClaimed', window }),
      WindowFinalized: (_id: bigint, window: number) => ({ event: 'WindowFinalized', window }),
    },
    queryFilter: async (filter: { event: string; window: number }) => {
      queried.push(filter.event);
      if (filter.event === 'WindowFinalized')
        return [{ args: { windowRoot: ROOT, stateHash: ROOT, balancesRoot: ROOT, signers: allWords(n) } }];
      return claimed.filter((c) => c.window === filter.window).map((c) => ({ args: { signers: c.signers } }));
    },
  };
  const provider = { getBlockNumber: async () => 7 } as unknown as Provider;
  const hub = new HubClient(
    { hub: `0x${'11'.repeat(20)}`, communityId: 1n },
    { runner: provider as unknown as ContractRunner, provider },
  );
  (hub as unknown as { contract: unknown }).contract = contract;
  return { hub, queried };
}

describe('HubClient.windowRecord: the signers of a record at N > 256 (their words, not their hash)', () => {
  it('joins and splits words, and computes SignerBitmap.ref (the word itself, else keccak256 of the words)', () => {
    const words = toWords([0, 255, 256, 999], 1000);
    const set = joinWords(words);
    expect(popcount(set)).to.equal(4);
    expect(splitWords(set, 1000)).to.deep.equal(words);
    expect(signerList(set, 1000)).to.deep.equal([0, 255, 256, 999]);
    expect(ref([5n])).to.equal(5n);
    expect(ref(words)).to.not.equal(words[0]);
    expect(popcount(joinWords(allWords(300)))).to.equal(300);
  });

  it('a pending claim of 2 of 300: its words from its WindowClaimed event, counted as 2', async () => {
    const words = toWords([2, 299], 300);
    const other = toWords([0, 1, 2], 300); // another claim of the window (rejected before): not this record
    const { hub } = fakeHub(300, { 1: { signers: ref(words), status: WindowStatus.Pending, submittedAt: 100 } }, [
      { window: 1, signers: other },
      { window: 1, signers: words },
    ]);
    const rec = await hub.windowRecord(1);
    expect(rec.status).to.equal(WindowStatus.Pending);
    expect(rec.signers).to.equal(joinWords(words));
    expect(popcount(rec.signers), 'not the bits of a hash').to.equal(2);
    expect(signerList(rec.signers, 300)).to.deep.equal([2, 299]);
  });

  it('a claim final after its challenge period keeps its words; a fast-path-final window is everyone', async () => {
    const words = toWords([5, 260], 300);
    const { hub } = fakeHub(
      300,
      {
        0: { signers: ref(allWords(300)), status: WindowStatus.Final, submittedAt: 0 },
        1: { signers: ref(words), status: WindowStatus.Final, submittedAt: 100 },
      },
      [{ window: 1, signers: words }],
    );
    expect(popcount((await hub.windowRecord(0)).signers)).to.equal(300);
    expect(signerList((await hub.windowRecord(1)).signers, 300)).to.deep.equal([5, 260]);
  });

  it('N ≤ 256 reads the record word as the bitmap, no event', async () => {
    const { hub, queried } = fakeHub(10, { 0: { signers: 0b110n, status: WindowStatus.Pending, submittedAt: 9 } }, []);
    expect((await hub.windowRecord(0)).signers).to.equal(0b110n);
    expect(queried).to.deep.equal([]);
  });

  it('refuses when no event carries the words of the record (never counts a hash)', async () => {
    const { hub } = fakeHub(
      300,
      { 1: { signers: ref(toWords([7], 300)), status: WindowStatus.Pending, submittedAt: 1 } },
      [{ window: 1, signers: toWords([8], 300) }],
    );
    let refused: unknown;
    try {
      await hub.windowRecord(1);
    } catch (e) {
      refused = e;
    }
    expect(String(refused)).to.match(/no WindowClaimed event carries the signer words/);
  });
});
