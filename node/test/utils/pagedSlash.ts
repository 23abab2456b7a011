import { type Contract, type JsonRpcProvider, keccak256, NonceManager, toUtf8Bytes, Wallet } from 'ethers';
import type { Anvil } from '../../src/chain/anvil.js';
import { encodeEcdsaCoSignature } from '../../src/chain/ecdsaCoSignature.js';
import { hubDomain, signWindowResult } from '../../src/chain/eip712.js';
import { type ClaimedResult, HubClient, type WindowRecord } from '../../src/chain/hubClient.js';
import { deployHub, localProvider, openCommunity, type Deployment } from '../../src/devnet/deploy.js';
import { GameDesk } from '../../src/dispute/gameDesk.js';
import { meterKeyPair, MeterScheme } from '../../src/reading/signature.js';
import { createLogger } from '../../src/util/logger.js';
import { seedFor } from '../../src/vectors/readings.js';
import { balancesRoot, genesisBalances, reactBalances } from '../../src/window/balances.js';
import { emptyState, MarketKind, type ParticipantState, stateHash } from '../../src/window/state.js';

export const ETHER = 10n ** 18n;
/** Participants: more than one page (`Settlement.SLASH_PAGE` = 64 member slots) of offenders. */
export const N = 70;
export const PAGE = 64;
/** The wrong claim's signers 0 … 66 (67 offenders); 67, 68 and 69 did not sign it. */
export const OFFENDERS = 67;
export const BOND = 10n * ETHER;
export const ESCROW = 100n * ETHER;
/** A partial claim's deposit and a timed-out signer's penalty: `CLAIM_DEPOSIT_BPS` (10 %) of the bond. */
export const DEPOSIT = BOND / 10n;
/** The game module's standard challenge bond: 10 % of the participant bond. */
export const CHALLENGE_BOND = BOND / 10n;
/** The game module's move deadline here (a module instance parameter). */
export const D = 30;
/** The community's schedule: 60 s intervals, 4 a window, 2 windows, a 600 s challenge period. */
export const [INTERVAL_SECONDS, WINDOW_INTERVALS, CHALLENGE_PERIOD, WINDOW_COUNT] = [60, 4, 600, 2];

/** The anvil accounts `pendingSlashOf67` needs: the deployer, the N participants and an outsider. */
export const PAGED_SLASH_ACCOUNTS = N + 2;

/**
 * A real hub (anvil, loopback, no libp2p nodes) with a slash of 67 offenders pending (DESIGN.md §5.3 "Paged
 * slash"): N = 70 participants (accounts 1 … 70; 0 deploys, 71 is the outsider), a claim of window 0 signed
 * by 0 … 66 is posted after window 0, an outsider challenges it in the data-availability game (the path of
 * `diversity dispute --game challenge`), nobody answers, and the outsider's resolve after the deadline takes
 * the first 64 bonds and leaves the rest pending. Throws when a step does not go through; the values are
 * the caller's to assert. Shared by `e2e/pagedSlash.test.ts` (the daemon finishes it) and
 * `e2e/closeCommand.test.ts` (`diversity close` does).
 */
export async function pendingSlashOf67(anvil: Anvil) {
  const provider: JsonRpcProvider = localProvider(anvil.rpcUrl);
  const deployer = new NonceManager(new Wallet(anvil.privateKeys[0], provider));
  const wallets = anvil.privateKeys.slice(1, N + 1).map((k) => new Wallet(k, provider));
  const outsider = new Wallet(anvil.privateKeys[N + 1], provider);
  const deployment: Deployment = await deployHub(deployer, undefined, { moveDeadline: D });
  const start = (await provider.getBlock('latest'))!.timestamp + 60;
  const communityId = await openCommunity(deployment, deployer, {
    participants: wallets,
    meters: [0, 1].map((i) => ({
      publicKey: meterKeyPair(seedFor(`paged-slash-meter-${i}`)).publicKey,
      scheme: MeterScheme.Ed25519,
      owner: i,
    })),
    intervalSeconds: INTERVAL_SECONDS,
    windowIntervals: WINDOW_INTERVALS,
    start,
    windowCount: WINDOW_COUNT,
    market: { kind: MarketKind.Mmr, gridBuyPrice: ETHER / 4n, gridSellPrice: ETHER / 20n, feederCapacityWh: 0n },
    bond: BOND,
    escrow: ESCROW,
    challengePeriod: CHALLENGE_PERIOD,
    // Every participant joins one by one (not `openTogether`): a slash call then writes a whole PAGE of 64
    // member slots, where a community opened together writes half a page (fresh slots, `Hub._slashPage`).
    joining: Array.from({ length: N }, (_, i) => i),
  });
  const hub = deployment.hub as Contract;
  const token = deployment.token as Contract;
  const client = (w: Wallet) =>
    new HubClient({ hub: deployment.hubAddress, communityId }, { runner: w.connect(provider), provider });
  const domain = hubDomain((await provider.getNetwork()).chainId, deployment.hubAddress);
  /** Chain time to at least `t` (never back). */
  const at = async (t: number) => {
    const head = (await provider.getBlock('latest'))!.timestamp;
    await provider.send('evm_setNextBlockTimestamp', [Math.max(t, head + 1)]);
    await provider.send('evm_mine', []);
  };
  /** A result of `window` over `state` (its root named by `tag`) and the signatures of `signers` over it. */
  const sign = async (tag: string, state: ParticipantState[], signers: number[], window = 0) => {
    const { next, claimsAdded } = reactBalances(
      genesisBalances(
        wallets.map((w) => w.address),
        ESCROW,
      ),
      state.map((p) => p.net),
    );
    const result: ClaimedResult = {
      windowRoot: keccak256(toUtf8Bytes(tag)),
      stateHash: stateHash(state),
      balancesRoot: balancesRoot(next, claimsAdded),
    };
    const signatures = await Promise.all(
      signers.map(async (signer) => ({
        signer,
        signature: await signWindowResult(wallets[signer], domain, { communityId, window, ...result }),
      })),
    );
    return { result, signatures };
  };
  /** That claim posted by the first signer, with its deposit. */
  const post = async (tag: string, state: ParticipantState[], signers: number[]) => {
    const { result, signatures } = await sign(tag, state, signers);
    const coSignature = encodeEcdsaCoSignature(signatures, N);
    const poster = wallets[signers[0]];
    await (await (token.connect(poster) as Contract).approve(deployment.hubAddress, DEPOSIT)).wait();
    return client(poster).sendUpdate(0, result, coSignature, state);
  };
  const members = async () =>
    Promise.all(
      wallets.map(async (_, i) => {
        const m = await hub.member(communityId, i);
        return { bond: m.bond as bigint, credit: m.credit as bigint, fine: m.fine as bigint };
      }),
    );
  /** Σ bonds + credits − fines of the members. */
  const held = async () => (await members()).reduce((a, m) => a + m.bond + m.credit - m.fine, 0n);

  // The wrong claim: 67 signers move 5 tokens from participant 69 to participant 0, posted after window 0.
  await at(start + WINDOW_INTERVALS * INTERVAL_SECONDS);
  const wrong = emptyState(N).map((p, i) => ({ ...p, net: i === 0 ? 5n * ETHER : i === N - 1 ? -5n * ETHER : 0n }));
  const offenders = Array.from({ length: OFFENDERS }, (_, i) => i);
  const posted = await (await post('wrong window 0', wrong, offenders)).wait();
  if (posted?.status !== 1) throw new Error('the wrong claim was not posted');
  const claim: WindowRecord = await client(wallets[0]).windowRecord(0);
  const hubBalance0 = (await token.balanceOf(deployment.hubAddress)) as bigint;
  const held0 = await held();

  // An outsider challenges it (the path `diversity dispute --game challenge` takes); nobody answers.
  await (await (token.connect(deployer) as Contract).mint(outsider.address, CHALLENGE_BOND)).wait();
  const desk = await GameDesk.connect(client(outsider), outsider, provider, {
    logger: createLogger({ level: 'error', name: 'outsider' }),
  });
  const challenged = await desk.challenge(0, outsider.address);
  if (!challenged.mined) throw new Error(`challenge not mined: ${challenged.reason}`);
  const head = (await provider.getBlock('latest'))!.timestamp;
  await at(head + D + 1);
  const [resolved] = await desk.resolve(0, outsider.address);
  if (!resolved.outcome.mined) throw new Error(`resolve not mined: ${resolved.outcome.reason}`);
  return {
    provider,
    deployer,
    wallets,
    outsider,
    deployment,
    communityId,
    hub,
    token,
    start,
    client,
    at,
    sign,
    members,
    held,
    claim,
    hubBalance0,
    held0,
    challenged,
    resolved,
  };
}
