import { expect } from 'chai';
import {
  type Contract,
  type Filter,
  JsonRpcProvider,
  keccak256,
  NonceManager,
  toUtf8Bytes,
  Wallet,
  ZeroHash,
} from 'ethers';
import { startAnvil, type Anvil } from '../../src/chain/anvil.js';
import { encodeEcdsaCoSignature } from '../../src/chain/ecdsaCoSignature.js';
import { hubDomain, signWindowResult } from '../../src/chain/eip712.js';
import { type ClaimedResult, HubClient, WindowStatus } from '../../src/chain/hubClient.js';
import { deployHub, localProvider, openCommunity } from '../../src/devnet/deploy.js';
import { meterKeyPair, MeterScheme } from '../../src/reading/signature.js';
import { seedFor } from '../../src/vectors/readings.js';
import { balancesRoot, genesisBalances, reactBalances } from '../../src/window/balances.js';
import { emptyState, MarketKind, type ParticipantState, stateHash } from '../../src/window/state.js';

const ETHER = 10n ** 18n;

/**
 * Issue 11's gas goal (s6): a fully signed `update` stores only its balances root; its windowRoot and
 * stateHash are in the `WindowFinalized` event. The node's one reader, `HubClient.windowRecord`, gives
 * every auditor (settlement, disputer, balance book, dashboard, `diversity audit`) the co-signed roots of
 * such a window from that event, keeps a pending claim's stored record through its finality, and never
 * hands out a zero root for a final window. Real hub on anvil, real co-signatures.
 */
describe('e2e: the roots of a fast-path-final window come from its WindowFinalized event', function () {
  this.timeout(120_000);
  let anvil: Anvil | undefined;
  let provider: JsonRpcProvider | undefined;
  const extra: JsonRpcProvider[] = [];

  after(async () => {
    for (const p of extra) p.destroy();
    provider?.destroy();
    await anvil?.stop();
  });

  it('HubClient.windowRecord: event roots for a fast-path window, stored roots for a finalized claim, never zeros', async () => {
    anvil = await startAnvil({ accounts: 4 });
    provider = localProvider(anvil.rpcUrl);
    const deployer = new NonceManager(new Wallet(anvil.privateKeys[0], provider));
    const wallets = [1, 2, 3].map((i) => new Wallet(anvil!.privateKeys[i], provider));
    const deployment = await deployHub(deployer);
    const start = (await provider.getBlock('latest'))!.timestamp + 60;
    const [intervalSeconds, windowIntervals, challengePeriod] = [60, 4, 600];
    const bond = 10n * ETHER;
    const escrow = 100n * ETHER;
    const communityId = await openCommunity(deployment, deployer, {
      participants: wallets,
      meters: [0, 1, 2].map((i) => ({
        publicKey: meterKeyPair(seedFor(`fast-path-meter-${i}`)).publicKey,
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
    const client = (w: Wallet, p: JsonRpcProvider = provider!) =>
      new HubClient({ hub: deployment.hubAddress, communityId }, { runner: w.connect(p), provider: p });
    const hub = client(wallets[0]);
    const domain = hubDomain((await provider.getNetwork()).chainId, deployment.hubAddress);
    const participants = wallets.map((w) => w.address);

    const resultOf = (window: number, state: ParticipantState[], from: ReturnType<typeof genesisBalances>) => {
      const { next, claimsAdded } = reactBalances(
        from,
        state.map((p) => p.net),
      );
      const result: ClaimedResult = {
        windowRoot: keccak256(toUtf8Bytes(`fast path window ${window} root`)),
        stateHash: stateHash(state),
        balancesRoot: balancesRoot(next, claimsAdded),
      };
      return { result, next };
    };
    const coSign = async (window: number, result: ClaimedResult, signers: number[]) =>
      encodeEcdsaCoSignature(
        await Promise.all(
          signers.map(async (signer) => ({
            signer,
            signature: await signWindowResult(wallets[signer], domain, { communityId, window, ...result }),
          })),
        ),
        wallets.length,
      );
    // Chain time to at least `t` (never back: on a slow machine the set-up may already have passed it).
    const at = async (t: number) => {
      const head = (await provider!.getBlock('latest'))!.timestamp;
      await provider!.send('evm_setNextBlockTimestamp', [Math.max(t, head + 1)]);
      await provider!.send('evm_mine', []);
    };

    // Window 0, signed by everyone: final at once, no record stored, its balances root the community's final
    // root (one slot every final window overwrites, s16).
    const s0 = emptyState(3).map((p, i) => ({ ...p, net: [-7n * ETHER, 7n * ETHER, 0n][i] }));
    const w0 = resultOf(0, s0, genesisBalances(participants, escrow));
    await at(start + windowIntervals * intervalSeconds);
    const receipt = await (await hub.sendUpdate(0, w0.result, await coSign(0, w0.result, [0, 1, 2]), null)).wait();
    expect(receipt?.status).to.equal(1);
    const stored = await hub.contract.windowRecord(communityId, 0);
    expect([stored.windowRoot, stored.stateHash, stored.balancesRoot], 'the hub stores none').to.deep.equal([
      ZeroHash,
      ZeroHash,
      ZeroHash,
    ]);
    expect(await hub.contract.finalBalancesRoot(communityId)).to.equal(w0.result.balancesRoot);

    const r0 = await hub.windowRecord(0);
    expect(r0.status).to.equal(WindowStatus.Final);
    expect({ windowRoot: r0.windowRoot, stateHash: r0.stateHash, balancesRoot: r0.balancesRoot }).to.deep.equal(
      w0.result,
    );
    expect(r0.signers).to.equal(7n);
    // Another node's client reads the same roots (nothing is kept locally but a cache of the event).
    expect((await client(wallets[2]).windowRecord(0)).windowRoot).to.equal(w0.result.windowRoot);

    // Event queries start at the community's first block (`chain.fromBlock`) and go in bounded ranges (public
    // endpoints cap eth_getLogs): from the deployment, 2 blocks a query, the same roots, every range within
    // [fromBlock, head] and none wider than 2; a client told to start after the event cannot find it.
    const counted = localProvider(anvil.rpcUrl);
    extra.push(counted);
    const ranges: [number, number][] = [];
    const getLogs = counted.getLogs.bind(counted);
    counted.getLogs = async (filter) => {
      const { fromBlock, toBlock } = filter as Filter;
      ranges.push([Number(fromBlock), Number(toBlock)]);
      return getLogs(filter);
    };
    const scoped = (fromBlock: number) =>
      new HubClient(
        { hub: deployment.hubAddress, communityId, fromBlock, maxLogRange: 2 },
        { runner: wallets[2].connect(counted), provider: counted },
      );
    const head = await provider.getBlockNumber();
    expect((await scoped(deployment.fromBlock).windowRecord(0)).windowRoot).to.equal(w0.result.windowRoot);
    expect(ranges.length, 'one query per 2 blocks').to.equal(Math.ceil((head - deployment.fromBlock + 1) / 2));
    expect(ranges[0][0]).to.equal(deployment.fromBlock);
    for (const [from, to] of ranges) expect(to - from, `range ${from}..${to}`).to.be.within(0, 1);
    let late: unknown;
    await scoped(receipt!.blockNumber + 1)
      .windowRecord(0)
      .catch((e: unknown) => (late = e));
    expect(String(late)).to.match(/WindowFinalized event was not found/);

    // Window 1, a partial claim by 1 and 2 that finalizes after its challenge period: its stored record.
    const s1 = emptyState(3).map((p, i) => ({ ...p, net: [0n, -3n * ETHER, 3n * ETHER][i] }));
    const w1 = resultOf(1, s1, w0.next);
    await at(start + 2 * windowIntervals * intervalSeconds);
    const token = deployment.token.connect(wallets[1]) as Contract;
    await (await token.approve(deployment.hubAddress, bond / 10n)).wait(); // the claim deposit (R9)
    const claimer = client(wallets[1]);
    await (await claimer.sendUpdate(1, w1.result, await coSign(1, w1.result, [1, 2]), s1)).wait();
    const pending = await hub.windowRecord(1);
    expect(pending.status).to.equal(WindowStatus.Pending);
    expect({
      windowRoot: pending.windowRoot,
      stateHash: pending.stateHash,
      balancesRoot: pending.balancesRoot,
    }).to.deep.equal(w1.result);
    // The challenge period runs from the claim's own block (mined seconds after `at` on a loaded machine).
    await at(pending.submittedAt + challengePeriod);
    await (await hub.sendFinalize()).wait();
    const r1 = await hub.windowRecord(1);
    expect(r1.status).to.equal(WindowStatus.Final);
    expect(r1.submittedAt, 'a finalized claim keeps its record').to.be.greaterThan(0);
    expect({ windowRoot: r1.windowRoot, stateHash: r1.stateHash, balancesRoot: r1.balancesRoot }).to.deep.equal(
      w1.result,
    );
    expect(r1.signers).to.equal(6n);

    // Read once per block (the node's loops ask every tick; decoding the answers was most of an idle
    // node's CPU): no eth_call while the head stays, one after a new block; `latest` always asks.
    const methods: string[] = [];
    provider.on('debug', (e: { action?: string; payload?: { method: string } | { method: string }[] }) => {
      if (e.action === 'sendRpcPayload' && e.payload) for (const p of [e.payload].flat()) methods.push(p.method);
    });
    const ethCalls = () => methods.filter((m) => m === 'eth_call').length;
    expect(await hub.lastFinalizedWindow()).to.equal(1);
    expect(await hub.lastFinalizedWindow()).to.equal(1);
    expect((await hub.windowRecord(1)).status).to.equal(WindowStatus.Final);
    expect(ethCalls(), 'the head did not move: one read of the community, the record read above kept').to.equal(1);
    expect((await hub.windowRecord(1, { latest: true })).status).to.equal(WindowStatus.Final);
    expect(ethCalls(), '`latest` reads the chain').to.equal(2);
    await provider.send('evm_mine', []);
    expect((await hub.windowRecord(1)).status).to.equal(WindowStatus.Final);
    expect(ethCalls(), 'a new block: read again').to.equal(3);
    provider.removeAllListeners('debug');

    // A node whose RPC serves no logs (pruned, or a lying endpoint) cannot learn the fast-path roots: it
    // refuses, and never audits window 0 against zero roots. The finalized claim needs no event.
    const blind = new JsonRpcProvider(anvil.rpcUrl, undefined, { staticNetwork: true });
    extra.push(blind);
    blind.getLogs = async () => [];
    const blindClient = client(wallets[0], blind);
    let refused: unknown;
    try {
      await blindClient.windowRecord(0);
    } catch (e) {
      refused = e;
    }
    expect(String(refused)).to.match(/WindowFinalized event was not found/);
    expect((await blindClient.windowRecord(1)).windowRoot).to.equal(w1.result.windowRoot);
  });
});
