import { expect } from 'chai';
import { type Contract, NonceManager, Wallet, type JsonRpcProvider } from 'ethers';
import { startAnvil, type Anvil } from '../../src/chain/anvil.js';
import { MeterConsentError, MeterConsentErrorCode } from '../../src/community/meterConsent.js';
import { deployHub, localProvider, openCommunity } from '../../src/devnet/deploy.js';
import { meterKeyPair, MeterScheme } from '../../src/reading/signature.js';
import { seedFor } from '../../src/vectors/readings.js';
import { MarketKind } from '../../src/window/state.js';

const ETHER = 10n ** 18n;

/**
 * Review R8 on a real hub: the opener lists a meter key it holds as participant 1's meter. Participant
 * 0 joins; participant 1 reads the table on chain before joining, finds a key that is none of its own
 * meters', and refuses: the community never becomes Active, nobody can be slashed through that meter.
 */
describe('e2e: a participant refuses to join a meter table that lists a foreign key under it', function () {
  this.timeout(120_000);
  let anvil: Anvil | undefined;
  let provider: JsonRpcProvider | undefined;

  after(async () => {
    provider?.destroy();
    await anvil?.stop();
  });

  it('participant 1 refuses (MeterConsentError, one line): opened together, nothing opens; joined one by one, the community stays Opening', async () => {
    anvil = await startAnvil({ accounts: 3 });
    provider = localProvider(anvil.rpcUrl);
    const deployer = new NonceManager(new Wallet(anvil.privateKeys[0], provider));
    const wallets = [1, 2].map((i) => new Wallet(anvil!.privateKeys[i], provider));
    const deployment = await deployHub(deployer);
    const own = [0, 1].map((i) => meterKeyPair(seedFor(`consent-meter-${i}`)).publicKey);
    const openers = meterKeyPair(seedFor('consent-opener-key')).publicKey;
    const latest = await provider.getBlock('latest');
    const hub = deployment.hub.connect(provider) as Contract;
    // `joining` given: open, then one join each (participant 0 joins before participant 1 refuses); absent: the
    // ECDSA community opens together, and participant 1 refuses to sign its consent.
    const attempt = async (joining?: number[]): Promise<unknown> => {
      try {
        await openCommunity(deployment, deployer, {
          participants: wallets,
          // The opener's key registered as participant 1's meter.
          meters: [
            { publicKey: own[0], scheme: MeterScheme.Ed25519, owner: 0 },
            { publicKey: openers, scheme: MeterScheme.Ed25519, owner: 1 },
          ],
          intervalSeconds: 60,
          windowIntervals: 4,
          start: latest!.timestamp + 600,
          windowCount: 1,
          market: { kind: MarketKind.Mmr, gridBuyPrice: ETHER / 4n, gridSellPrice: ETHER / 20n, feederCapacityWh: 0n },
          bond: 10n * ETHER,
          escrow: 100n * ETHER,
          challengePeriod: 600,
          ownMeterKeys: [[own[0]], [own[1]]],
          joining,
        });
      } catch (e) {
        return e;
      }
      return undefined;
    };
    for (const joining of [undefined, [0, 1]]) {
      const error = await attempt(joining);
      expect(error).to.be.instanceOf(MeterConsentError);
      expect((error as MeterConsentError).code).to.equal(MeterConsentErrorCode.FOREIGN_METER);
      expect((error as MeterConsentError).type).to.include({ meterIndex: 1, participant: 1 });
    }
    // Together: the refusal came before any consent was sent, so no community was opened and no deposit moved.
    expect(await hub.communityCount()).to.equal(1n, 'only the community opened one by one');
    const info = await hub.community(1n);
    expect(info.joinedCount).to.equal(1n, 'participant 0 joined, participant 1 did not');
    expect(Number(info.status)).to.equal(1, 'still Opening');
  });
});
