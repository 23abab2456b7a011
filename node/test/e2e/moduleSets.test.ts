import { expect } from 'chai';
import { NonceManager, Wallet, type JsonRpcProvider } from 'ethers';
import { startAnvil, type Anvil } from '../../src/chain/anvil.js';
import { standardModuleSets } from '../../src/chain/modules.js';
import { deployHub, localProvider } from '../../src/devnet/deploy.js';

/**
 * `deployHub` registers the hub's six standard module sets (`Hub.registerModules`), as `DeployHub.s.sol` does,
 * in the order of `standardModuleSets` (ids 1 to 6): a community opening with any of them writes none of its
 * slots. A set the TypeScript side builds differently from the one registered would be a new set (id 7), and
 * every devnet open would pay its ~256,000 gas again.
 */
describe('e2e: the standard module sets are registered at deployment', function () {
  this.timeout(60_000);
  let anvil: Anvil | undefined;
  let provider: JsonRpcProvider | undefined;

  after(async () => {
    provider?.destroy();
    await anvil?.stop();
  });

  it('each standard set answers its id 1..6 and nothing more is registered', async () => {
    anvil = await startAnvil({ accounts: 1 });
    provider = localProvider(anvil.rpcUrl);
    const deployment = await deployHub(new NonceManager(new Wallet(anvil.privateKeys[0], provider)));
    const sets = standardModuleSets(deployment.modules);
    expect(sets.map((s) => s.label)).to.deep.equal([
      'register modules (totals, ecdsa)',
      'register modules (totals, bls)',
      'register modules (mmr, ecdsa)',
      'register modules (mmr, bls)',
      'register modules (auction, ecdsa)',
      'register modules (auction, bls)',
    ]);
    const register = deployment.hub.getFunction('registerModules');
    for (const [i, set] of sets.entries()) {
      expect(await register.staticCall(set.modules, set.kind)).to.equal(BigInt(i + 1));
    }
    const logs = await deployment.hub.queryFilter(deployment.hub.filters.ModulesRegistered(), deployment.fromBlock);
    expect(logs.length).to.equal(6);
  });
});
