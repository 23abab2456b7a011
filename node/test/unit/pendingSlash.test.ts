import { expect } from 'chai';
import { Interface, type Contract } from 'ethers';
import { loadArtifact } from '../../src/chain/artifacts.js';
import { finishPendingSlash, isSlashPending } from '../../src/chain/hubClient.js';

/**
 * A slash too large for one transaction (DESIGN.md §5.3 "Paged slash") blocks a partial claim, `close` and
 * another slashing dispute or game outcome (`SlashPending`) until someone calls `continueSlash` to the end:
 * the node does it (`finishPendingSlash`), against a hub that answers with the real ABI's errors.
 */
describe('finishPendingSlash: continueSlash until the hub says NoSlashPending', () => {
  const iface = new Interface(loadArtifact('Hub').abi);
  const revert = (name: string) =>
    Object.assign(new Error('execution reverted'), { data: iface.encodeErrorResult(name, [1n]) });

  /** A hub with `pages` pages of slash left; `failing` makes a continuation mined reverted. */
  function fakeHub(pages: number, failing = false) {
    const sent: bigint[] = [];
    const continueSlash = Object.assign(
      async (communityId: bigint) => {
        sent.push(communityId);
        pages--;
        return { hash: '0x01', wait: async () => ({ status: failing ? 0 : 1 }) };
      },
      {
        staticCall: async () => {
          if (pages <= 0) throw revert('NoSlashPending');
        },
      },
    );
    return { hub: { interface: iface, continueSlash } as unknown as Contract, sent };
  }

  it('sends one continueSlash per page left, each mined before the next, then stops', async () => {
    const { hub, sent } = fakeHub(3);
    expect(await finishPendingSlash(hub, 1n)).to.equal(3);
    expect(sent).to.deep.equal([1n, 1n, 1n]);
    const none = fakeHub(0);
    expect(await finishPendingSlash(none.hub, 1n)).to.equal(0);
    expect(none.sent).to.deep.equal([]);
  });

  it('at most maxCalls; a continuation mined reverted is an error', async () => {
    const { hub, sent } = fakeHub(10);
    expect(await finishPendingSlash(hub, 1n, 4)).to.equal(4);
    expect(sent.length).to.equal(4);
    let error: unknown;
    await finishPendingSlash(fakeHub(2, true).hub, 1n).catch((e: unknown) => (error = e));
    expect((error as Error).message).to.match(/continueSlash reverted/);
  });

  it("a continuation refused at its estimate (another's got in first) resets the signer's nonce and is an error", async () => {
    let resets = 0;
    const hub = {
      interface: iface,
      runner: { reset: () => resets++ },
      continueSlash: Object.assign(
        async () => {
          throw revert('NoSlashPending');
        },
        { staticCall: async () => {} },
      ),
    } as unknown as Contract;
    let error: unknown;
    await finishPendingSlash(hub, 1n).catch((e: unknown) => (error = e));
    expect(error).to.not.equal(undefined);
    expect(resets).to.equal(1);
  });

  it('isSlashPending: the hub error SlashPending only', () => {
    const hub = { interface: iface } as unknown as Contract;
    expect(isSlashPending(hub, revert('SlashPending'))).to.equal(true);
    expect(isSlashPending(hub, revert('NoSlashPending'))).to.equal(false);
    expect(isSlashPending(hub, new Error('timeout'))).to.equal(false);
  });
});
