import { expect } from 'chai';
import { Contract, NonceManager, Wallet, type JsonRpcProvider } from 'ethers';
import { startAnvil, type Anvil } from '../../src/chain/anvil.js';
import { loadArtifact } from '../../src/chain/artifacts.js';
import { HubClient } from '../../src/chain/hubClient.js';
import { communityModules, marketTuple } from '../../src/chain/modules.js';
import { deployHub, localProvider, openCommunity, type Deployment } from '../../src/devnet/deploy.js';
import { meterKeyPair, MeterScheme } from '../../src/reading/signature.js';
import { seedFor } from '../../src/vectors/readings.js';
import { toHex } from '../../src/util/hex.js';
import { limitsHash, MarketKind, type LimitPrices, type MarketParams } from '../../src/window/state.js';

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
  async function openRaw(hash: string): Promise<bigint> {
    const hub = deployment.hub.connect(opener) as Contract;
    const latest = await provider!.getBlock('latest');
    const config = {
      participants: wallets.map((w) => w.address),
      meters: meters.map((m) => ({ ...m, publicKey: toHex(m.publicKey) })),
      intervalSeconds: 60,
      windowIntervals: 4,
      start: latest!.timestamp + 3600,
      windowCount: 1,
      market: marketTuple({ ...market, limitsHash: hash }),
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
