import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import { Contract, NonceManager, Wallet, type JsonRpcProvider } from 'ethers';
import { startAnvil, type Anvil } from '../../src/chain/anvil.js';
import { loadArtifact, projectRoot } from '../../src/chain/artifacts.js';
import { hubDomain } from '../../src/chain/eip712.js';
import { HubClient } from '../../src/chain/hubClient.js';
import { encodeMeters, encodeParticipants } from '../../src/chain/openCodec.js';
import { communityModules, marketTuple } from '../../src/chain/modules.js';
import { deployHub, localProvider, openCommunity, type Deployment } from '../../src/devnet/deploy.js';
import { meterKeyPair, MeterScheme } from '../../src/reading/signature.js';
import { seedFor } from '../../src/vectors/readings.js';
import { BalancesTree, genesisBalances } from '../../src/window/balances.js';
import { marketAt } from '../../src/window/fold.js';
import { signLimitOrder, type LimitOrder } from '../../src/window/limits.js';
import { limitsHash, MarketKind, type LimitPrices, type MarketParams } from '../../src/window/state.js';
import { parseTariff, pricesAt, tariffCeilings, tariffHash } from '../../src/window/tariff.js';

/**
 * An auction community on a real hub: the opener publishes the standing limit prices with the auction
 * module and commits to them in `MarketParams.limitsHash`; a node reads the prices back from the chain
 * alone, and refuses a community whose committed prices it cannot open (it could neither fold it nor
 * prove a bad step of it).
 */
describe('e2e: auction community on anvil (limit prices from the chain)', function () {
  this.timeout(120_000);
  let anvil: Anvil | undefined;
  let provider: JsonRpcProvider | undefined;
  let deployment: Deployment;
  let opener: NonceManager;
  let wallets: Wallet[];

  const ETHER = 10n ** 18n;
  const market: MarketParams = {
    kind: MarketKind.Auction,
    gridBuyPrice: ETHER / 4n,
    gridSellPrice: ETHER / 20n,
    feederCapacityWh: 0n,
  };
  const limits: LimitPrices[] = [
    { bidPrice: ETHER / 5n, askPrice: ETHER / 10n },
    { bidPrice: ETHER / 4n, askPrice: ETHER / 12n },
    { bidPrice: ETHER / 6n, askPrice: ETHER / 20n },
  ];
  const meters = [0, 1, 2].map((i) => ({
    publicKey: meterKeyPair(seedFor(`auction-meter-${i}`)).publicKey,
    scheme: MeterScheme.Ed25519,
    owner: i,
  }));

  before(async () => {
    anvil = await startAnvil({ accounts: 4 });
    provider = localProvider(anvil.rpcUrl);
    opener = new NonceManager(new Wallet(anvil.privateKeys[0], provider));
    deployment = await deployHub(opener);
    wallets = [1, 2, 3].map((i) => new Wallet(anvil!.privateKeys[i], provider));
  });

  after(async () => {
    provider?.destroy();
    await anvil?.stop();
  });

  /** Opens (without joins) an auction community committing to `hash`, as a raw `Hub.open`. */
  async function openRaw(hash: string, more: Partial<MarketParams> = {}): Promise<bigint> {
    const hub = deployment.hub.connect(opener) as Contract;
    const latest = await provider!.getBlock('latest');
    const config = {
      participants: encodeParticipants(wallets.map((w) => w.address)),
      meters: encodeMeters(meters),
      intervalSeconds: 60,
      windowIntervals: 4,
      start: latest!.timestamp + 3600,
      windowCount: 1,
      market: marketTuple({ ...market, limitsHash: hash, ...more }),
      token: deployment.tokenAddress,
      bond: 1n,
      escrow: 1n,
      challengePeriod: 60,
      modules: communityModules(deployment.modules, MarketKind.Auction),
    };
    const id: bigint = await hub.open.staticCall(config);
    await (await hub.open(config)).wait();
    return id;
  }

  const client = (communityId: bigint) =>
    new HubClient({ hub: deployment.hubAddress, communityId }, { runner: provider!, provider: provider! });

  it('the node reads the published limit prices back, checked against the limits hash on chain', async () => {
    const latest = await provider!.getBlock('latest');
    const id = await openCommunity(deployment, opener, {
      participants: wallets,
      meters,
      intervalSeconds: 60,
      windowIntervals: 4,
      start: latest!.timestamp + 3600,
      windowCount: 1,
      market,
      limits,
      bond: ETHER,
      escrow: ETHER,
      challengePeriod: 60,
    });
    const info = await client(id).communityInfo();
    expect(info.market.kind).to.equal(MarketKind.Auction);
    expect(info.market.limitsHash).to.equal(limitsHash(limits));
    expect(info.limits).to.deep.equal(limits);
  });

  // A time-of-use tariff at UTC+2: 0.30 from 17:00 to 21:00 on weekdays, 0.20 otherwise; export 0.04 / 0.06.
  const tariff = parseTariff(
    {
      utcOffsetMinutes: 120,
      weekday: {
        buy: [
          { from: 0, to: 17, price: '0.20' },
          { from: 17, to: 21, price: '0.30' },
          { from: 21, to: 24, price: '0.20' },
        ],
        sell: [
          { from: 0, to: 10, price: '0.04' },
          { from: 10, to: 16, price: '0.06' },
          { from: 16, to: 24, price: '0.04' },
        ],
      },
      weekend: { buy: '0.18', sell: '0.03' },
    },
    18,
  );

  it('a time-of-use community: the opener publishes the tariff; the node reads it back, checks it and folds by the hour', async () => {
    const latest = await provider!.getBlock('latest');
    const id = await openCommunity(deployment, opener, {
      participants: wallets,
      meters,
      intervalSeconds: 900,
      windowIntervals: 96,
      start: latest!.timestamp + 3600,
      windowCount: 1,
      market,
      limits,
      tariff,
      bond: ETHER,
      escrow: ETHER,
      challengePeriod: 60,
    });
    const info = await client(id).communityInfo();
    expect(info.market.tariffHash).to.equal(tariffHash(tariff));
    expect(info.market.gridBuyPrice).to.equal((3n * ETHER) / 10n, 'the flat buy price is the ceiling');
    expect(info.market.gridSellPrice).to.equal((6n * ETHER) / 100n, 'the flat sell price is the ceiling');
    expect(info.tariff).to.deep.equal(tariff);
    for (let t = 0; t < 96; t += 5) {
      const at = info.start + t * info.intervalSeconds;
      expect(marketAt(info, t)).to.deep.equal({ ...info.market, ...pricesAt(tariff, at) });
    }
  });

  it('refuses a community whose tariff hash has no published preimage', async () => {
    const other = { ...tariff, utcOffsetMinutes: 60 };
    const id = await openRaw(limitsHash(limits), { ...tariffCeilings(other), tariffHash: tariffHash(other) });
    await (
      await new Contract(deployment.modules.auction, loadArtifact('AuctionMarketStep').abi, opener).publishLimits(
        limits.map((l) => [l.bidPrice, l.askPrice]),
      )
    ).wait();
    await expectRejects(client(id).communityInfo(), /no usable tariff published under its tariff hash/);
  });

  it('refuses a published tariff whose ceilings are not the flat prices (the bounds at open would not cover it)', async () => {
    const auction = new Contract(deployment.modules.auction, loadArtifact('AuctionMarketStep').abi, opener);
    const t = tariff;
    await (
      await auction.publishTariff([t.utcOffsetMinutes, t.weekday.buy, t.weekday.sell, t.weekend.buy, t.weekend.sell])
    ).wait();
    await (await auction.publishLimits(limits.map((l) => [l.bidPrice, l.askPrice]))).wait();
    // Flat prices below the tariff's 0.30 peak: committed, published, but not a community to join.
    const id = await openRaw(limitsHash(limits), { tariffHash: tariffHash(tariff) });
    await expectRejects(client(id).communityInfo(), /not the tariff's ceilings/);
  });

  it('prices at join, then an order by the CLI: the book on chain and every reader agree on the limits per window', async () => {
    const latest = await provider!.getBlock('latest');
    const own = { bidPrice: (ETHER * 3n) / 10n, askPrice: ETHER / 15n };
    const id = await openCommunity(deployment, opener, {
      participants: wallets,
      meters,
      intervalSeconds: 60,
      windowIntervals: 4,
      start: latest!.timestamp + 3600,
      windowCount: 3,
      market,
      limits,
      // Participant 1 states its own prices: it posts an order for them at join; the others keep the listed ones.
      ownLimits: [limits[0], own, limits[2]],
      bond: ETHER,
      escrow: ETHER,
      challengePeriod: 60,
    });
    const reader = client(id);
    const info = await reader.communityInfo();
    const book = info.limitBook!;
    expect(book.epochs.map((e) => e.fromWindow)).to.deep.equal([0], 'in force from window 0 (none begun)');
    expect(book.epochs[0].limits).to.deep.equal([limits[0], own, limits[2]]);
    // Window 0 has not begun: its prices are not final yet (an order may still come), so the node does not fold it.
    expect(() => book.limitsAt(0)).to.throw(/NOT_SYNCED/);
    const onChain = async (w: number) =>
      (await reader.limitBookContract()).limitsHashAt(deployment.hubAddress, id, w, info.market.limitsHash);
    expect(await onChain(0)).to.equal(book.epochs[0].limitsHash);

    const bin = join(projectRoot(), 'bin', 'diversity.js');
    const base = ['order', '--rpc-url', anvil!.rpcUrl, '--hub', deployment.hubAddress, '--community-id', String(id)];
    const key = anvil!.privateKeys[3]; // wallets[2]
    // The CLI signs and posts participant 2's order: one line, exit 0.
    const ok = cli(bin, [...base, '--private-key', key, '--bid', '0.3', '--ask', '0.07', '--from-window', '1']);
    expect(ok.status, ok.out).to.equal(0);
    expect(ok.out).to.match(
      /^order posted: participant 2 bids 0\.3 and asks 0\.07 per kWh from window 1 \(nonce 1\), tx 0x[0-9a-f]{64} \(\d+ gas\)\n$/,
    );
    expect(await reader.refreshLimitBook(book)).to.equal(1);
    book.syncedTo = Number.POSITIVE_INFINITY; // as once window 2 has begun (nothing can change windows 0-2 then)
    expect(book.limitsAt(0)[2]).to.deep.equal(limits[2], 'window 0 keeps the prices at join');
    expect(book.limitsAt(1)[2]).to.deep.equal({ bidPrice: (ETHER * 3n) / 10n, askPrice: (ETHER * 7n) / 100n });
    expect(book.limitsAt(2)[1]).to.deep.equal(own);
    for (const w of [0, 1, 2]) expect(await onChain(w)).to.equal(book.limitsHashAt(w));

    // Bad input: a clear line and exit 2; an order the book refuses: `refused: <code>` and exit 3.
    const bad = cli(bin, [...base, '--private-key', key, '--bid', 'abc', '--ask', '0.07']);
    expect([bad.status, bad.out]).to.deep.equal([2, 'error: --bid: not a price in currency units, got abc\n']);
    const outsider = cli(bin, [...base, '--private-key', anvil!.privateKeys[0], '--bid', '0.3', '--ask', '0.07']);
    expect(outsider.status).to.equal(2);
    expect(outsider.out).to.match(/is not a participant of community/);
    const late = cli(bin, [...base, '--private-key', key, '--bid', '0.3', '--ask', '0.07', '--from-window', '3']);
    expect(late.status, late.out).to.equal(3);
    expect(late.out).to.match(/^refused: LIMIT_ORDER_ERROR_WINDOW_OUT_OF_RANGE/);
    const early = cli(bin, [...base, '--private-key', key, '--bid', '0.3', '--ask', '0.07', '--from-window', '0']);
    expect(early.status, early.out).to.equal(3);
    expect(early.out).to.match(/^refused: LIMIT_ORDER_ERROR_BEFORE_LATEST_EPOCH/);

    // Review 4, L1: two relays built on the same prices, another member's order first. The second is
    // refused as stale over the latest it read, and the same signed order lands over the open's prices.
    const stale = (await client(id).communityInfo()).limitBook!;
    const domain = hubDomain((await provider!.getNetwork()).chainId, deployment.hubAddress);
    const genesis = new BalancesTree(genesisBalances(info.participants, ETHER));
    const relay = async (i: number, bidPrice: bigint) => {
      const order: LimitOrder = {
        communityId: id,
        participant: i,
        fromWindow: 1,
        bidPrice,
        askPrice: ETHER / 50n,
        nonce: stale.nonceOf(i) + 1n,
      };
      const member = new HubClient(
        { hub: deployment.hubAddress, communityId: id },
        { runner: wallets[i], provider: provider! },
      );
      return member.relayLimitOrder(order, await signLimitOrder(wallets[i], domain, order), genesis.proof(i), stale);
    };
    expect((await relay(0, ETHER / 3n)).retried).to.equal(false, 'the first lands over the latest');
    expect((await relay(1, ETHER / 7n)).retried).to.equal(true, 'the second is relayed again over the open');
    expect(await reader.refreshLimitBook(book)).to.equal(2);
    expect(book.limitsAt(1).map((l) => l.bidPrice)).to.deep.equal([ETHER / 3n, ETHER / 7n, (ETHER * 3n) / 10n]);
    for (const w of [0, 1, 2]) expect(await onChain(w)).to.equal(book.limitsHashAt(w));
  });

  it('refuses a community whose limits hash has no published preimage', async () => {
    const unknown = limitsHash([{ bidPrice: 1n, askPrice: 2n }, ...limits.slice(1)]);
    const id = await openRaw(unknown);
    await expectRejects(client(id).communityInfo(), /no limit prices published under its limits hash/);
  });

  it('refuses a committed list of prices that is not one pair per participant', async () => {
    // The preimage is on chain, but for two of the three participants: no step of this community could
    // be recomputed on chain (the auction module reverts), so an honest node does not run it.
    const short = limits.slice(0, 2);
    const auction = new Contract(deployment.modules.auction, loadArtifact('AuctionMarketStep').abi, opener);
    await (await auction.publishLimits(short.map((l) => [l.bidPrice, l.askPrice]))).wait();
    const id = await openRaw(limitsHash(short));
    await expectRejects(client(id).communityInfo(), /no limit prices published under its limits hash/);
  });
});

/** Runs the `diversity` CLI to completion: exit status and stdout + stderr. */
function cli(bin: string, args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

async function expectRejects(p: Promise<unknown>, message: RegExp): Promise<void> {
  let error: unknown;
  try {
    await p;
  } catch (e) {
    error = e;
  }
  expect(error, 'expected a rejection').to.be.instanceOf(Error);
  expect((error as Error).message).to.match(message);
}
