import { expect } from 'chai';
import { Contract, ContractFactory, type JsonRpcProvider, NonceManager, Wallet } from 'ethers';
import { startAnvil, type Anvil } from '../../src/chain/anvil.js';
import { loadArtifact } from '../../src/chain/artifacts.js';
import { allWords, ref } from '../../src/chain/signerBitmap.js';
import { localProvider } from '../../src/devnet/deploy.js';

/**
 * The node resolves a wide record's signer word (`SignerBitmap.ref`, keccak256 of the words for N > 256)
 * by recomputing it from the `WindowClaimed` words (`HubClient.wideSigners`): its `ref` must be the hub's.
 * Checked against the deployed `Settlement.everyoneRef` (the record word of a fast-path-final window).
 */
describe('e2e: signerBitmap.ref is SignerBitmap.ref (Settlement.everyoneRef on anvil)', function () {
  this.timeout(120_000);
  let anvil: Anvil | undefined;
  let provider: JsonRpcProvider | undefined;

  after(async () => {
    provider?.destroy();
    await anvil?.stop();
  });

  it('matches at N = 1, 256, 257, 300, 512, 1000 and 1024', async () => {
    anvil = await startAnvil({ accounts: 1 });
    provider = localProvider(anvil.rpcUrl);
    const deployer = new NonceManager(new Wallet(anvil.privateKeys[0], provider));
    // Deployed by bytecode, called through a one-function ABI (the library's own ABI does not parse in ethers).
    const factory = new ContractFactory([], loadArtifact('Settlement').bytecode, deployer);
    const deployed = await factory.deploy();
    await deployed.waitForDeployment();
    const settlement = new Contract(
      await deployed.getAddress(),
      ['function everyoneRef(uint256 n) pure returns (uint256)'],
      provider,
    );
    for (const n of [1, 256, 257, 300, 512, 1000, 1024])
      expect(await settlement.everyoneRef(n), `N = ${n}`).to.equal(ref(allWords(n)));
  });
});
