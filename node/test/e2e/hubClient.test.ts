import { expect } from 'chai';
import { NonceManager, Wallet, type JsonRpcProvider } from 'ethers';
import { startAnvil, type Anvil } from '../../src/chain/anvil.js';
import { HubClient } from '../../src/chain/hubClient.js';
import { deployHub, localProvider } from '../../src/devnet/deploy.js';
import { DisputeKind } from '../../src/window/disputeProof.js';

/**
 * A dispute that reverts (in a race, another node's proof lands first) must not leave a nonce
 * gap in the node's signer: ethers' NonceManager counts the nonce before the gas estimate fails,
 * and the node's next transaction (a finalize, an update) then waits behind the gap until it
 * times out, a minute in which the node settles nothing.
 */
describe('e2e: HubClient.dispute on a reverting dispute', function () {
  this.timeout(60_000);
  let anvil: Anvil | undefined;
  let provider: JsonRpcProvider | undefined;

  after(async () => {
    provider?.destroy();
    await anvil?.stop();
  });

  it('leaves the signer at the chain nonce, so the next transaction is mined at once', async () => {
    anvil = await startAnvil({ accounts: 2 });
    provider = localProvider(anvil.rpcUrl);
    const deployment = await deployHub(new NonceManager(new Wallet(anvil.privateKeys[0], provider)));
    const wallet = new Wallet(anvil.privateKeys[1], provider);
    const signer = new NonceManager(wallet);
    const hub = new HubClient({ hub: deployment.hubAddress, communityId: 1n }, { runner: signer, provider });
    // Community 1 does not exist: the commitment is mined (commit–reveal), then the reveal reverts at
    // the gas estimate, before anything is sent.
    let reverted = false;
    try {
      await hub.dispute(0, DisputeKind.BadFinalState, '0x');
    } catch {
      reverted = true;
    }
    expect(reverted).to.equal(true);
    const chainNonce = await provider.getTransactionCount(wallet.address, 'pending');
    expect(await signer.getNonce('pending')).to.equal(chainNonce);
    const tx = await signer.sendTransaction({ to: wallet.address, value: 1n });
    const receipt = await tx.wait(1, 5_000);
    expect(receipt?.status).to.equal(1);
    expect(tx.nonce).to.equal(chainNonce);
  });

  it("finishPendingSlash reads the real hub's NoSlashPending: nothing pending, nothing sent", async () => {
    anvil ??= await startAnvil({ accounts: 2 });
    provider ??= localProvider(anvil.rpcUrl);
    const deployment = await deployHub(new NonceManager(new Wallet(anvil.privateKeys[0], provider)));
    const wallet = new Wallet(anvil.privateKeys[1], provider);
    const hub = new HubClient({ hub: deployment.hubAddress, communityId: 1n }, { runner: wallet, provider });
    const before = await provider.getTransactionCount(wallet.address);
    expect(await hub.finishPendingSlash()).to.equal(0);
    expect(await provider.getTransactionCount(wallet.address)).to.equal(before);
    // Another revert of the hub is not taken for a pending slash.
    let error: unknown;
    await hub.contract.finalize.staticCall(1n).catch((e: unknown) => (error = e));
    expect(error).to.not.equal(undefined);
    expect(hub.isSlashPending(error)).to.equal(false);
    // The close a node would send at the end (`chain.closeAndClaim`): the real hub's refusal, decoded.
    expect(await hub.closeRefusal()).to.deep.equal({ name: 'UnknownCommunity', args: ['1'] });
    expect(await provider.getTransactionCount(wallet.address)).to.equal(before);
  });
});
