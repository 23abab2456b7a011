import { expect } from 'chai';
import { type Contract, keccak256, NonceManager, toUtf8Bytes, Wallet, type JsonRpcProvider } from 'ethers';
import { startAnvil, type Anvil } from '../../src/chain/anvil.js';
import { encodeEcdsaCoSignature } from '../../src/chain/ecdsaCoSignature.js';
import { decodeRevert } from '../../src/chain/errors.js';
import { hubDomain, signWindowResult } from '../../src/chain/eip712.js';
import { HubClient, WindowStatus } from '../../src/chain/hubClient.js';
import { deployHub, localProvider, openCommunity } from '../../src/devnet/deploy.js';
import { BalanceBook } from '../../src/node/balanceBook.js';
import { meterKeyPair, MeterScheme } from '../../src/reading/signature.js';
import type { Logger } from '../../src/util/logger.js';
import { seedFor } from '../../src/vectors/readings.js';
import { balancesRoot, genesisBalances, reactBalances } from '../../src/window/balances.js';
import { emptyState, MarketKind, stateHash } from '../../src/window/state.js';
import { runCli } from '../utils/cli.js';
import { tempDb } from '../utils/community.js';

const ETHER = 10n ** 18n;

const quiet = {
  info() {},
  warn() {},
  verbose() {},
  debug() {},
  error() {},
  child() {
    return this;
  },
} as unknown as Logger;

/**
 * Review 3 B1, the node side: a partial claim carries its packed final state in `update`'s calldata, and
 * a node that did not fold that window (the colluders kept a reading from it) reads S_w from the claim's
 * transaction — not from the peers, who may withhold it — and rebuilds the window's final balances, so it
 * can still prove a later window's balances wrong. Real hub on anvil, real co-signatures.
 */
describe('e2e: a node reads a partial claim’s final state from its update transaction (review 3 B1)', function () {
  this.timeout(180_000);
  let anvil: Anvil | undefined;
  let provider: JsonRpcProvider | undefined;
  const cleanups: (() => Promise<void>)[] = [];

  after(async () => {
    for (const c of cleanups) await c();
    provider?.destroy();
    await anvil?.stop();
  });

  it('HubClient.claimedFinalState returns S_w; `diversity finalize` finalizes it when due; BalanceBook adopts balances(w) from it with no peer answering', async () => {
    anvil = await startAnvil({ accounts: 5 });
    provider = localProvider(anvil.rpcUrl);
    const deployer = new NonceManager(new Wallet(anvil.privateKeys[0], provider));
    const wallets = [1, 2, 3].map((i) => new Wallet(anvil!.privateKeys[i], provider));
    const auditor = new Wallet(anvil.privateKeys[4], provider);
    const deployment = await deployHub(deployer);
    const latest = await provider.getBlock('latest');
    const start = latest!.timestamp + 60;
    const [intervalSeconds, windowIntervals, challengePeriod] = [60, 4, 600];
    const bond = 10n * ETHER;
    const escrow = 100n * ETHER;
    const communityId = await openCommunity(deployment, deployer, {
      participants: wallets,
      meters: [0, 1, 2].map((i) => ({
        publicKey: meterKeyPair(seedFor(`b1-meter-${i}`)).publicKey,
        scheme: MeterScheme.Ed25519,
        owner: i,
      })),
      intervalSeconds,
      windowIntervals,
      start,
      windowCount: 2,
      market: { kind: MarketKind.Mmr, gridBuyPrice: ETHER / 4n, gridSellPrice: ETHER / 20n, feederCapacityWh: 0n },
      bond,
      escrow,
      challengePeriod,
    });
    const client = (w: Wallet) =>
      new HubClient({ hub: deployment.hubAddress, communityId }, { runner: w, provider: provider! });
    const [honest, submitter] = [client(wallets[0]), client(wallets[1])];

    // Window 0's result as members 1 and 2 fold it (node 0 never saw it): 7 tokens from member 0 to 1.
    const finalState = emptyState(3).map((p, i) => ({ ...p, net: [-7n * ETHER, 7n * ETHER, 0n][i] }));
    const participants = wallets.map((w) => w.address);
    const { next, claimsAdded } = reactBalances(
      genesisBalances(participants, escrow),
      finalState.map((p) => p.net),
    );
    const result = {
      windowRoot: keccak256(toUtf8Bytes('b1 window 0 root')),
      stateHash: stateHash(finalState),
      balancesRoot: balancesRoot(next, claimsAdded),
    };
    const domain = hubDomain((await provider.getNetwork()).chainId, deployment.hubAddress);
    const message = { communityId, window: 0, ...result };
    const coSignature = encodeEcdsaCoSignature(
      await Promise.all(
        [1, 2].map(async (signer) => ({ signer, signature: await signWindowResult(wallets[signer], domain, message) })),
      ),
      wallets.length,
    );
    // Chain time to at least `t` (never back: on a slow machine the set-up may already have passed it).
    const at = async (t: number) => {
      const head = (await provider!.getBlock('latest'))!.timestamp;
      await provider!.send('evm_setNextBlockTimestamp', [Math.max(t, head + 1)]);
      await provider!.send('evm_mine', []);
    };
    await at(start + windowIntervals * intervalSeconds);
    const token = deployment.token.connect(wallets[1]) as Contract;
    await (await token.approve(deployment.hubAddress, bond / 10n)).wait(); // the claim deposit (R9)

    // A partial claim must carry its state (the hub refuses it without), and carries it checked.
    let refused: unknown;
    try {
      await submitter.sendUpdate(0, result, coSignature, null);
    } catch (e) {
      refused = e;
    }
    expect(decodeRevert(refused, submitter.contract.interface)?.name, 'a partial claim needs its state').to.equal(
      'StateLengthMismatch',
    );
    const receipt = await (await submitter.sendUpdate(0, result, coSignature, finalState)).wait();
    expect(receipt?.status).to.equal(1);
    expect((await honest.windowRecord(0)).status).to.equal(WindowStatus.Pending);

    // Read back from the claim transaction's calldata, by the node that never held it.
    expect(await honest.claimedFinalState(0, result)).to.deep.equal(finalState);
    expect(
      await honest.claimedFinalState(0, { ...result, balancesRoot: keccak256(toUtf8Bytes('another claim')) }),
      'no such claim: nothing',
    ).to.equal(undefined);

    // The claim finalizes by `diversity finalize` (an auditor's key: anyone may); the honest node adopts
    // balances(0) from the chain alone. Before the challenge period is over: refused with its deadline, exit 3.
    const finalize = () =>
      runCli([
        'finalize',
        ...['--rpc-url', anvil!.rpcUrl, '--hub', deployment.hubAddress, '--community-id', String(communityId)],
        ...['--private-key', auditor.privateKey],
      ]);
    // The challenge period runs from the claim's own block (mined seconds after `at` on a loaded machine).
    const until = (await honest.windowRecord(0)).submittedAt + challengePeriod;
    const early = await finalize();
    expect(early.code, early.out).to.equal(3);
    expect(early.out).to.equal(
      `0 windows finalized now; 0 of 2 final; window 0's claim is pending until ${new Date(until * 1000).toISOString()} (its challenge period)\n`,
    );
    await at(until);
    const done = await finalize();
    expect(done.code, done.out).to.equal(0);
    const sent =
      /^window 0 final: tx (0x[0-9a-f]{64}) \((\d+) gas\)\n1 window finalized now; 1 of 2 final; no claim is pending for window 1\n$/.exec(
        done.out,
      );
    expect(sent, done.out).to.not.equal(null);
    const finalized = await provider.getTransactionReceipt(sent![1]);
    expect([finalized?.from, finalized?.gasUsed]).to.deep.equal([auditor.address, BigInt(sent![2])]);
    expect(done.out).to.not.include(auditor.privateKey.slice(2));
    const again = await finalize();
    expect([again.code, again.out]).to.deep.equal([
      0,
      '0 windows finalized now; 1 of 2 final; no claim is pending for window 1\n',
    ]);
    const record = await honest.windowRecord(0);
    expect(record.status).to.equal(WindowStatus.Final);
    const community = await honest.communityInfo();
    const book = async (withChain: boolean) => {
      const { db, cleanup } = await tempDb();
      cleanups.push(cleanup);
      return new BalanceBook({
        community,
        db,
        finalRecord: async (w) => (w === 0 ? record : undefined),
        ...(withChain ? { chainFinalState: async (w, r) => honest.claimedFinalState(w, r) } : {}),
        fetchFinalState: async () => undefined, // the peers withhold it
        metrics: null,
        logger: quiet,
      });
    };
    const adopted = await (await book(true)).finalBalances(0, record);
    expect(adopted?.balancesRoot).to.equal(record.balancesRoot);
    expect(adopted?.leaves).to.deep.equal(next);
    expect(adopted?.totalClaims).to.equal(claimsAdded);
    // Without the calldata (the rule before the fix) the node is blind: no balances of window 0.
    expect(await (await book(false)).finalBalances(0, record)).to.equal(undefined);
  });
});
