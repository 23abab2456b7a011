import { expect } from 'chai';
import { Contract, type EventLog, type JsonRpcProvider, keccak256, NonceManager, toUtf8Bytes, Wallet } from 'ethers';
import { startAnvil, type Anvil } from '../../src/chain/anvil.js';
import { encodeEcdsaCoSignature } from '../../src/chain/ecdsaCoSignature.js';
import { decodeRevert } from '../../src/chain/errors.js';
import { hubDomain, signWindowResult } from '../../src/chain/eip712.js';
import { type ClaimedResult, HubClient, WindowStatus } from '../../src/chain/hubClient.js';
import { loadArtifact } from '../../src/chain/artifacts.js';
import { defaultChainOptions } from '../../src/chain/options.js';
import { SequencedSigner } from '../../src/chain/sequencedSigner.js';
import type { NodeDb } from '../../src/db/index.js';
import { GameDesk } from '../../src/dispute/gameDesk.js';
import { chainClaimStake } from '../../src/node/claimStake.js';
import { Settlement } from '../../src/node/settlement.js';
import { signerList } from '../../src/api/chainView.js';
import { manualClock, tempDb } from '../utils/community.js';
import { deployHub, localProvider, openCommunity } from '../../src/devnet/deploy.js';
import { meterKeyPair, MeterScheme } from '../../src/reading/signature.js';
import { seedFor } from '../../src/vectors/readings.js';
import { createLogger, type Logger } from '../../src/util/logger.js';
import { balancesRoot, genesisBalances, reactBalances } from '../../src/window/balances.js';
import { emptyState, MarketKind, type ParticipantState, stateHash } from '../../src/window/state.js';

const ETHER = 10n ** 18n;
/** Participants: more than one page (`Settlement.SLASH_PAGE` = 64 member slots) of offenders. */
const N = 70;
const PAGE = 64;
/** The wrong claim's signers 0 … 66 (67 offenders); 67, 68 and 69 did not sign it. */
const OFFENDERS = 67;
const BOND = 10n * ETHER;
const ESCROW = 100n * ETHER;
/** A partial claim's deposit and a timed-out signer's penalty: `CLAIM_DEPOSIT_BPS` (10 %) of the bond. */
const DEPOSIT = BOND / 10n;
/** The game module's standard challenge bond: 10 % of the participant bond. */
const CHALLENGE_BOND = BOND / 10n;
/** The game module's move deadline here (a module instance parameter). */
const D = 30;
/** GameResult (contracts/src/types/Game.sol). */
const CLAIMANT_LOST = 2n;

/**
 * Issue 10, §5.3 "Paged slash", end to end on a real hub (anvil, loopback): a claim signed by 67 of 70
 * participants loses its game by timeout; the resolve takes the first 64 bonds and leaves the slash pending
 * (a continuation has work to do, the other 3 bonds untouched, no `Slashed` yet). A non-signer's submitter
 * (`Settlement`, composed as its daemon composes it, with a manual clock) holds the honest result: its
 * update is refused `SlashPending`, its next tick finishes the slash (`finishSlash` →
 * `HubClient.finishPendingSlash`, one `continueSlash`) and sends the update again, which goes through.
 * Every offender pays its penalty exactly once and money is conserved to the wei. No libp2p nodes: 70
 * accounts on anvil, as wideSignerRecord.test.ts.
 */
describe('e2e: a slash of 67 offenders goes pending and the node finishes it', function () {
  this.timeout(300_000);
  let anvil: Anvil | undefined;
  let provider: JsonRpcProvider | undefined;
  let db: NodeDb | undefined;
  let cleanup: (() => Promise<void>) | undefined;

  after(async () => {
    await cleanup?.();
    provider?.destroy();
    await anvil?.stop();
  });

  it('the resolve takes 64 bonds; the submitter’s update is refused SlashPending, its next tick finishes the slash and the update goes through; money conserved', async () => {
    anvil = await startAnvil({ accounts: N + 2 });
    provider = localProvider(anvil.rpcUrl);
    const deployer = new NonceManager(new Wallet(anvil.privateKeys[0], provider));
    const wallets = anvil.privateKeys.slice(1, N + 1).map((k) => new Wallet(k, provider));
    const outsider = new Wallet(anvil.privateKeys[N + 1], provider);
    const deployment = await deployHub(deployer, undefined, { moveDeadline: D });
    const start = (await provider.getBlock('latest'))!.timestamp + 60;
    const [intervalSeconds, windowIntervals, challengePeriod] = [60, 4, 600];
    const communityId = await openCommunity(deployment, deployer, {
      participants: wallets,
      meters: [0, 1].map((i) => ({
        publicKey: meterKeyPair(seedFor(`paged-slash-meter-${i}`)).publicKey,
        scheme: MeterScheme.Ed25519,
        owner: i,
      })),
      intervalSeconds,
      windowIntervals,
      start,
      windowCount: 2,
      market: { kind: MarketKind.Mmr, gridBuyPrice: ETHER / 4n, gridSellPrice: ETHER / 20n, feederCapacityWh: 0n },
      bond: BOND,
      escrow: ESCROW,
      challengePeriod,
    });
    const hub = deployment.hub as Contract;
    const token = deployment.token as Contract;
    const client = (w: Wallet) =>
      new HubClient({ hub: deployment.hubAddress, communityId }, { runner: w.connect(provider!), provider: provider! });
    const domain = hubDomain((await provider.getNetwork()).chainId, deployment.hubAddress);
    // Chain time to at least `t` (never back).
    const at = async (t: number) => {
      const head = (await provider!.getBlock('latest'))!.timestamp;
      await provider!.send('evm_setNextBlockTimestamp', [Math.max(t, head + 1)]);
      await provider!.send('evm_mine', []);
    };
    /** A result of window 0 over `state` (its root named by `tag`) and the signatures of `signers` over it. */
    const sign = async (tag: string, state: ParticipantState[], signers: number[]) => {
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
          signature: await signWindowResult(wallets[signer], domain, { communityId, window: 0, ...result }),
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
    const held = async () => {
      const all = await members();
      return all.reduce((a, m) => a + m.bond + m.credit - m.fine, 0n);
    };

    // The wrong claim: 67 signers move 5 tokens from participant 69 to participant 0, posted after window 0.
    await at(start + windowIntervals * intervalSeconds);
    const wrong = emptyState(N).map((p, i) => ({ ...p, net: i === 0 ? 5n * ETHER : i === N - 1 ? -5n * ETHER : 0n }));
    const offenders = Array.from({ length: OFFENDERS }, (_, i) => i);
    expect((await (await post('wrong window 0', wrong, offenders)).wait())?.status).to.equal(1);
    const claim = await client(wallets[0]).windowRecord(0);
    expect(claim.status).to.equal(WindowStatus.Pending);
    const hubBalance0 = (await token.balanceOf(deployment.hubAddress)) as bigint;
    const held0 = await held();
    expect(held0, 'every bond whole, no credit yet').to.equal(BigInt(N) * BOND);

    // An outsider challenges it (the path `diversity dispute --game challenge` takes); nobody answers.
    await (await (token.connect(deployer) as Contract).mint(outsider.address, CHALLENGE_BOND)).wait();
    const desk = await GameDesk.connect(client(outsider), outsider, provider, {
      logger: createLogger({ level: 'error', name: 'outsider' }),
    });
    const challenged = await desk.challenge(0, outsider.address);
    expect(challenged.mined, challenged.reason).to.equal(true);
    expect(challenged.bond).to.equal(CHALLENGE_BOND);
    const head = (await provider.getBlock('latest'))!.timestamp;
    await at(head + D + 1);
    const [resolved] = await desk.resolve(0, outsider.address);
    expect(resolved.outcome.mined, resolved.outcome.reason).to.equal(true);
    const game = new Contract(deployment.modules.game, loadArtifact('DataAvailabilityGame').abi, provider);
    const ended = (await game.queryFilter(game.filters.GameEnded(deployment.hubAddress))) as EventLog[];
    expect(ended.map((e) => e.args.result)).to.deep.equal([CLAIMANT_LOST]);
    const rejected = (await hub.queryFilter(hub.filters.ClaimRejected(communityId))) as EventLog[];
    expect(rejected).to.have.length(1);
    expect(rejected[0].transactionHash).to.equal(resolved.outcome.txHash);

    // The slash is pending: the first 64 offenders paid, the last 3 not yet; no `Slashed` yet (it is emitted
    // when the last bond is taken); a continuation has work; a partial claim is refused with SlashPending.
    const mid = await members();
    for (let i = 0; i < N; i++) expect(mid[i].bond, `member ${i} mid-slash`).to.equal(i < PAGE ? BOND - DEPOSIT : BOND);
    expect(mid.every((m) => m.credit === 0n)).to.equal(true);
    expect(await hub.queryFilter(hub.filters.Slashed(communityId))).to.have.length(0);
    await hub.continueSlash.staticCall(communityId); // a slash is pending: a continuation would do something
    expect((await token.balanceOf(deployment.hubAddress)) as bigint).to.equal(hubBalance0 + CHALLENGE_BOND);

    // Participant 67's submitter, as its daemon composes it (node.ts: a sequenced signer, the real hub client
    // and claim stake), holds the honest result of window 0 signed by the three non-signers. Its update is
    // refused (SlashPending); its next tick finishes the slash (`finishSlash` → `HubClient.finishPendingSlash`)
    // and, after its backoff, the update goes through. Its clock is a manual one, set from the chain's.
    const me = OFFENDERS;
    const signer = new SequencedSigner(wallets[me]);
    const node = new HubClient({ hub: deployment.hubAddress, communityId }, { runner: signer, provider });
    const finishPendingSlash = node.finishPendingSlash.bind(node);
    const finished: number[] = [];
    node.finishPendingSlash = async (maxCalls?: number) => {
      const pages = await finishPendingSlash(maxCalls);
      finished.push(pages);
      return pages;
    };
    const community = await node.communityInfo();
    const honest = emptyState(N);
    const nonSigners = [OFFENDERS, OFFENDERS + 1, OFFENDERS + 2];
    const own = await sign('honest window 0', honest, nonSigners);
    ({ db, cleanup } = await tempDb());
    await db.windowResults.put(0, {
      window: 0,
      ...own.result,
      finalState: honest,
      intervals: [],
      readingCount: 0,
      voidedSlots: 0,
      committedAt: 0,
    });
    for (const { signer: i, signature } of own.signatures)
      await db.coSignatures.put({ window: 0, signer: i }, { window: 0, signer: i, ...own.result, signature });
    const clock = manualClock(community, (await provider.getBlock('latest'))!.timestamp);
    // The submitter's log lines (message and fields), as its daemon would write them.
    const lines: { message: string; fields?: Record<string, unknown> }[] = [];
    const log = (message: string, fields?: Record<string, unknown>) => lines.push({ message, fields });
    const said = {
      info: log,
      warn: log,
      verbose: log,
      debug: log,
      error: log,
      child() {
        return this;
      },
    } as unknown as Logger;
    const settlement = new Settlement(
      {
        ...defaultChainOptions,
        rpcUrl: anvil.rpcUrl,
        hub: deployment.hubAddress,
        communityId,
        signatureDeadlineSeconds: 1,
        takeoverSeconds: 1,
        backoffSeconds: 1,
      },
      {
        community,
        clock: clock.clock,
        db,
        hub: node,
        provider,
        participantIndex: me,
        address: wallets[me].address,
        graceSeconds: 0,
        stake: chainClaimStake(node, token.connect(signer) as Contract, wallets[me].address),
        metrics: null,
        logger: said,
      },
    );
    // Ticks 5 s of the node's clock apart: its turn (rank 67 of the rotation, 1 s a rank) comes, the update is
    // refused, the next tick finishes the slash and sends it again, a later one reads it pending on chain.
    const before = await provider.getBlockNumber();
    let refusedAt: number | undefined;
    for (let tick = 0; tick < 40; tick++) {
      clock.state.now += 5;
      await settlement.tick();
      if (refusedAt === undefined && (await db.submissions.get(0))?.status === 'failed') {
        refusedAt = tick;
        expect(finished, 'nothing finished before the refusal').to.deep.equal([]);
        expect(settlement.windowState(0)?.status).to.equal('none');
      }
      if (settlement.windowState(0)?.status === 'pending') break; // its update mined, as its sync read it
    }
    expect(refusedAt, 'the update was refused (SlashPending) first').to.not.equal(undefined);
    expect(finished, 'one finish: one continueSlash (3 bonds, then the 3 recipients credited: 6 slots)').to.deep.equal([
      1,
    ]);
    expect(settlement.windowState(0)).to.deep.equal({ status: 'pending', signers: 3 });
    // Only an update refused `SlashPending` sets the flag the next tick finishes the slash on (settlement.ts).
    const order = lines.map((l) => l.message);
    const refusal = order.indexOf('update not sent; backing off');
    const finish = order.indexOf('pending slash finished');
    expect(refusal).to.be.greaterThan(-1);
    expect(finish).to.be.greaterThan(refusal);
    expect(lines[finish].fields).to.deep.equal({ continueSlashCalls: 1 });
    expect(await node.finishPendingSlash(), 'nothing left').to.equal(0);
    const slashed = (await hub.queryFilter(hub.filters.Slashed(communityId), before + 1)) as EventLog[];
    expect(slashed).to.have.length(1);
    // Every signer's penalty (the deposit's size) and the forfeited claim deposit; half to the challenger.
    const total = BigInt(OFFENDERS) * DEPOSIT + DEPOSIT;
    const each = total / 2n / BigInt(nonSigners.length);
    const reward = total - each * BigInt(nonSigners.length);
    expect(slashed[0].args.challenger).to.equal(outsider.address);
    expect(slashed[0].args.amount).to.equal(total);
    expect(slashed[0].args.reward).to.equal(reward);
    expect(await hub.queryFilter(hub.filters.Slashed(communityId))).to.have.length(1);

    // Every offender slashed exactly once, every non-signer credited once; nothing left the hub.
    const after = await members();
    for (let i = 0; i < N; i++) {
      expect(after[i].bond, `member ${i}'s bond`).to.equal(i < OFFENDERS ? BOND - DEPOSIT : BOND);
      expect(after[i].credit, `member ${i}'s credit`).to.equal(i < OFFENDERS ? 0n : each);
      expect(after[i].fine).to.equal(0n);
    }
    const paid = (await hub.withdrawable(deployment.tokenAddress, outsider.address)) as bigint;
    expect(paid, 'the challenge bond back and the reward').to.equal(CHALLENGE_BOND + reward);
    // Nothing left the hub; the node's new claim brought its deposit.
    expect((await token.balanceOf(deployment.hubAddress)) as bigint).to.equal(hubBalance0 + CHALLENGE_BOND + DEPOSIT);
    // Money: bonds + credits + the challenger's withdrawable = what was held + the claim deposit + the bond.
    expect((await held()) + paid).to.equal(held0 + DEPOSIT + CHALLENGE_BOND);
    let none: unknown;
    await hub.continueSlash.staticCall(communityId).catch((e: unknown) => (none = e));
    expect(decodeRevert(none, hub.interface)?.name).to.equal('NoSlashPending');

    // The next update went through: the node's claim, partial, signed by the three non-signers (bonds whole).
    const next = await node.windowRecord(0);
    expect(next.status).to.equal(WindowStatus.Pending);
    expect(next.windowRoot).to.equal(own.result.windowRoot);
    expect(signerList(next.signers, N)).to.deep.equal(nonSigners);
  });
});
