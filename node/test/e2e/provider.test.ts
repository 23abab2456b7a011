import { expect } from 'chai';
import { JsonRpcProvider, type PerformActionRequest, Wallet } from 'ethers';
import { startAnvil, type Anvil } from '../../src/chain/anvil.js';
import { ChainProvider } from '../../src/chain/provider.js';

const POLL_MS = 100;

/**
 * A provider that plays the race of a transaction mined late (`provider.ts`): the chain mines nothing by
 * itself (anvil `--no-mining`); once a waiter has looked for `armed`'s receipt twice and found none (its own
 * lookup and its subscriber's first one) and the block poller takes its baseline, the block is mined first,
 * so the baseline already holds the transaction and no new block is ever announced.
 */
function racing(Base: typeof JsonRpcProvider) {
  return class extends Base {
    armed: string | undefined;
    mined = false;
    #lookups = 0;
    #twice: (() => void) | undefined;
    readonly #lookedTwice = new Promise<void>((resolve) => (this.#twice = resolve));

    override async _perform(req: PerformActionRequest) {
      if (this.armed && !this.mined && req.method === 'getBlockNumber' && (await this.listenerCount('block')) > 0) {
        this.mined = true;
        await this.#lookedTwice;
        await this.send('evm_mine', []);
      }
      const result = await super._perform(req);
      if (req.method === 'getTransactionReceipt' && req.hash === this.armed && ++this.#lookups === 2) this.#twice?.();
      return result;
    }
  };
}

/** Sends one transfer on a chain that does not mine, waits on it through `Provider`'s race; the outcome in 1.5 s. */
async function waitThroughRace(anvil: Anvil, Provider: typeof JsonRpcProvider): Promise<'mined' | 'still waiting'> {
  const Racing = racing(Provider);
  const provider = new Racing(anvil.rpcUrl, undefined, {
    staticNetwork: true,
    cacheTimeout: -1,
    pollingInterval: POLL_MS,
  });
  try {
    const wallet = new Wallet(anvil.privateKeys[0], provider);
    const tx = await wallet.sendTransaction({ to: anvil.accounts[1], value: 1n });
    provider.armed = tx.hash;
    const outcome = await Promise.race([
      tx.wait().then((r) => (r?.status === 1 ? ('mined' as const) : ('still waiting' as const))),
      new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), 1_500)),
    ]);
    expect(provider.mined, 'the race was played: the block was mined before the baseline').to.equal(true);
    expect(await provider.getTransactionReceipt(tx.hash), 'the transaction is on chain').to.not.equal(null);
    return outcome;
  } finally {
    provider.destroy();
  }
}

describe('e2e: ChainProvider, a transaction mined between the last receipt lookup and the block baseline', function () {
  this.timeout(30_000);
  let anvil: Anvil | undefined;

  before(async () => {
    anvil = await startAnvil({ accounts: 2, noMining: true });
  });
  after(async () => {
    await anvil?.stop();
  });

  it("ethers' own provider never sees it (the hang ChainProvider exists for)", async () => {
    expect(await waitThroughRace(anvil!, JsonRpcProvider)).to.equal('still waiting');
  });

  it('ChainProvider asks for the receipt on a timer and returns it', async () => {
    expect(await waitThroughRace(anvil!, ChainProvider)).to.equal('mined');
  });
});
