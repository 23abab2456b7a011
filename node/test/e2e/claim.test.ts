import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Contract, NonceManager, Wallet, type JsonRpcProvider } from 'ethers';
import { startAnvil, type Anvil } from '../../src/chain/anvil.js';
import { claimForAll, finalBalances } from '../../src/chain/claims.js';
import { ClaimErrorCode } from '../../src/chain/errors.js';
import { HubClient } from '../../src/chain/hubClient.js';
import { deployHub, localProvider, openCommunity, type Deployment } from '../../src/devnet/deploy.js';
import { meterKeyPair, MeterScheme } from '../../src/reading/signature.js';
import { seedFor } from '../../src/vectors/readings.js';
import { MarketKind } from '../../src/window/state.js';
import { runCli as cli } from '../utils/cli.js';

const ETHER = 10n ** 18n;

/**
 * `diversity claim` on a real hub, on the cheapest community that closes: one that was aborted before it
 * became Active (participant 1 never joined). Its members are paid from the genesis balances root: the
 * joined one its escrow and bond, the other nothing. Exit codes as the other commands: 0 paid, 3 refused
 * by the hub (or not closed yet), 2 a bad option.
 */
describe('e2e: diversity claim (an aborted community, paid from the genesis root)', function () {
  // A deadline: each `diversity` run is a Node process loading the TypeScript sources (seconds; on a loaded
  // machine the three runs of the second case took 97 s of the former 120 s).
  this.timeout(300_000);
  let anvil: Anvil | undefined;
  let provider: JsonRpcProvider | undefined;
  let deployment: Deployment;
  let wallets: Wallet[];
  let communityId: bigint;
  const store = mkdtempSync(join(tmpdir(), 'diversity-claim-'));
  const base = () => ['claim', '--rpc-url', anvil!.rpcUrl, '--hub', deployment.hubAddress, '--community-id', '1'];

  let deployer: NonceManager;
  /** An aborted community of `wallets`: only participant 0 joined. */
  const openAborted = async () => {
    const latest = await provider!.getBlock('latest');
    return openCommunity(deployment, deployer, {
      participants: wallets,
      meters: [0, 1].map((i) => ({
        publicKey: meterKeyPair(seedFor(`claim-meter-${i}`)).publicKey,
        scheme: MeterScheme.Ed25519,
        owner: i,
      })),
      intervalSeconds: 60,
      windowIntervals: 4,
      start: latest!.timestamp + 600,
      windowCount: 1,
      market: { kind: MarketKind.Mmr, gridBuyPrice: ETHER / 4n, gridSellPrice: ETHER / 20n, feederCapacityWh: 0n },
      bond: 10n * ETHER,
      escrow: 100n * ETHER,
      challengePeriod: 600,
      joining: [0],
    });
  };

  before(async () => {
    anvil = await startAnvil({ accounts: 3 });
    provider = localProvider(anvil.rpcUrl);
    deployer = new NonceManager(new Wallet(anvil.privateKeys[0], provider));
    wallets = [1, 2].map((i) => new Wallet(anvil!.privateKeys[i], provider));
    deployment = await deployHub(deployer);
    communityId = await openAborted();
  });

  after(async () => {
    provider?.destroy();
    await anvil?.stop();
    rmSync(store, { recursive: true, force: true });
  });

  it('refuses before close (exit 3) and on a bad option (exit 2)', async () => {
    const early = await cli([...base(), '--private-key', wallets[0].privateKey, '--data-dir', store]);
    expect(early.code, early.out).to.equal(3);
    expect(early.out).to.match(/community 1 is not closed yet/);
    const both = await cli([...base(), '--private-key', wallets[0].privateKey, '--data-dir', store, '--node', 'x']);
    expect(both.code, both.out).to.equal(2);
    expect(both.out).to.match(/error: give exactly one of --node .* or --data-dir/);
  });

  it('pays the joined member its escrow and bond once, the other nothing; one line per claim', async () => {
    // An abort: only a member that joined may close a community that never became Active.
    const hub = deployment.hub.connect(wallets[0]) as Contract;
    const client = new HubClient(
      { hub: deployment.hubAddress, communityId },
      { runner: wallets[0], provider: provider! },
    );
    expect(await client.closedAtSeconds(), 'open: no close time').to.equal(undefined);
    const closing = await (await hub.close(communityId)).wait();
    // The close time a creditor's wait counts from (`chain.claimForDebtorsAfterSeconds`): its block's, in chain time.
    expect(await client.closedAtSeconds()).to.equal((await provider!.getBlock(closing.blockNumber))!.timestamp);
    const token = deployment.token.connect(provider!) as Contract;
    const before = (await token.balanceOf(wallets[0].address)) as bigint;

    const own = await cli([...base(), '--private-key', wallets[0].privateKey, '--data-dir', store]);
    expect(own.code, own.out).to.equal(0);
    expect(own.out).to.match(
      new RegExp(
        `^member 0 ${wallets[0].address}: claimed, paid 110\\.0 cEUR \\(repaid debt 0\\.0 cEUR\\) from window -1's balances, tx 0x[0-9a-f]{64} \\(\\d+ gas\\)$`,
        'm',
      ),
    );
    expect(((await token.balanceOf(wallets[0].address)) as bigint) - before).to.equal(110n * ETHER);

    // Twice: the hub's settled bit refuses it (AlreadyClaimed), nothing moves.
    const again = await cli([...base(), '--private-key', wallets[0].privateKey, '--data-dir', store]);
    expect(again.code, again.out).to.equal(3);
    expect(again.out).to.match(/^refused: member 0: already claimed/m);
    expect(((await token.balanceOf(wallets[0].address)) as bigint) - before).to.equal(110n * ETHER);

    // Nothing left to finalize in a closed community: `diversity finalize` says so and exits 0 (nothing to wait for).
    const finalize = await cli(['finalize', ...base().slice(1), '--private-key', wallets[0].privateKey]);
    expect(finalize.code, finalize.out).to.equal(0);
    expect(finalize.out).to.match(/0 windows finalized now; 0 of 1 final; the community is closed/);

    // An auditor (participant 0's key) claims for participant 1, who never joined: NotJoined.
    const other = await cli([...base(), '--private-key', wallets[0].privateKey, '--data-dir', store, '--member', '1']);
    expect(other.code, other.out).to.equal(3);
    expect(other.out).to.match(/^refused: member 1: never joined: nothing to pay \(NotJoined\(/m);
  });

  it('past the batch size, every member in batches: one claimRange per aligned subtree, proofs from TypeScript', async () => {
    const id = await openAborted();
    const hub = deployment.hub.connect(wallets[0]) as Contract;
    await (await hub.close(id)).wait();
    const client = new HubClient(
      { hub: deployment.hubAddress, communityId: id },
      { runner: wallets[1], provider: provider! },
    );
    // Aborted: paid from the genesis root, which the hub's participants and escrow give (no source read).
    const balances = await finalBalances(client, async () => undefined);
    const token = deployment.token.connect(provider!) as Contract;
    const before = (await token.balanceOf(wallets[0].address)) as bigint;
    // Batches of one (height 0): [0, 1) pays member 0 with a one-sibling proof; [1, 2) pays nobody (never
    // joined: NothingToClaim, passed over), and member 1's own claim after it is refused (NotJoined).
    const { outcomes, refused } = await claimForAll(client, balances, 0);
    expect(outcomes.map((o) => [o.index, o.kind, o.paid])).to.deep.equal([[0, 'claim', 110n * ETHER]]);
    expect(refused.map((e) => [e.type.index, e.code])).to.deep.equal([[1, ClaimErrorCode.NOT_JOINED]]);
    expect(((await token.balanceOf(wallets[0].address)) as bigint) - before).to.equal(110n * ETHER);
    const sent = await provider!.getTransaction(outcomes[0].txHash);
    expect(sent!.data.slice(0, 10)).to.equal(hub.interface.getFunction('claimRange')!.selector);
  });

  it('--all pays every member in one claimAll transaction (the one who never joined: nothing); again: nothing to send', async () => {
    const id = await openAborted();
    const hub = deployment.hub.connect(wallets[0]) as Contract;
    await (await hub.close(id)).wait();
    const token = deployment.token.connect(provider!) as Contract;
    const before = (await token.balanceOf(wallets[0].address)) as bigint;
    const args = [...base().slice(0, -1), String(id), '--private-key', wallets[1].privateKey, '--data-dir', store];
    const all = await cli([...args, '--all']);
    expect(all.code, all.out).to.equal(0);
    const lines = all.out.split('\n').filter((l) => l.startsWith('member '));
    expect(lines, all.out).to.have.length(1);
    expect(lines[0]).to.match(new RegExp(`^member 0 ${wallets[0].address}: claimed, paid 110\\.0 cEUR`));
    expect(((await token.balanceOf(wallets[0].address)) as bigint) - before).to.equal(110n * ETHER);
    const hash = /tx (0x[0-9a-f]{64})/.exec(lines[0])![1];
    const sent = await provider!.getTransaction(hash);
    expect(sent!.data.slice(0, 10)).to.equal(hub.interface.getFunction('claimAll')!.selector);
    const again = await cli([...args, '--all']);
    expect(again.code, again.out).to.equal(0);
    expect(again.out).to.match(/every member is paid already: nothing to claim/);
  });
});
