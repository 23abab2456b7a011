import { expect } from 'chai';
import { Contract, type EventLog, type JsonRpcProvider } from 'ethers';
import { startAnvil, type Anvil } from '../../src/chain/anvil.js';
import { decodeRevert } from '../../src/chain/errors.js';
import { HubClient, WindowStatus } from '../../src/chain/hubClient.js';
import { loadArtifact } from '../../src/chain/artifacts.js';
import { defaultChainOptions } from '../../src/chain/options.js';
import { SequencedSigner } from '../../src/chain/sequencedSigner.js';
import type { NodeDb } from '../../src/db/index.js';
import { chainClaimStake } from '../../src/node/claimStake.js';
import { Settlement } from '../../src/node/settlement.js';
import { signerList } from '../../src/api/chainView.js';
import { manualClock, tempDb } from '../utils/community.js';
import {
  BOND,
  CHALLENGE_BOND,
  DEPOSIT,
  N,
  OFFENDERS,
  PAGE,
  PAGED_SLASH_ACCOUNTS,
  pendingSlashOf67,
} from '../utils/pagedSlash.js';
import type { Logger } from '../../src/util/logger.js';
import { emptyState } from '../../src/window/state.js';

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
    anvil = await startAnvil({ accounts: PAGED_SLASH_ACCOUNTS });
    const setup = await pendingSlashOf67(anvil);
    provider = setup.provider;
    const { deployment, communityId, hub, token, wallets, outsider, sign, members, held, claim } = setup;
    const { hubBalance0, held0, challenged, resolved } = setup;
    expect(claim.status).to.equal(WindowStatus.Pending);
    expect(held0, 'every bond whole, no credit yet').to.equal(BigInt(N) * BOND);
    expect(challenged.bond).to.equal(CHALLENGE_BOND);
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
    const tickErrors: string[] = [];
    for (let tick = 0; tick < 40; tick++) {
      clock.state.now += 5;
      // As the daemon's loop does: a tick that fails (a JSON-RPC request past REQUEST_TIMEOUT_MS) is logged and
      // the next one tries again; the assertions below say what it failed with.
      await settlement.tick().catch((e: unknown) => tickErrors.push(`tick ${tick}: ${(e as Error).message}`));
      if (refusedAt === undefined && (await db.submissions.get(0))?.status === 'failed') {
        refusedAt = tick;
        expect(finished, 'nothing finished before the refusal').to.deep.equal([]);
        expect(settlement.windowState(0)?.status).to.equal('none');
      }
      if (settlement.windowState(0)?.status === 'pending') break; // its update mined, as its sync read it
    }
    expect(
      refusedAt,
      `the update was refused (SlashPending) first; ticks failed: ${tickErrors.join('; ')}`,
    ).to.not.equal(undefined);
    expect(finished, 'one finish: one continueSlash (3 bonds, then the 3 recipients credited: 6 slots)').to.deep.equal([
      1,
    ]);
    expect(settlement.windowState(0), `ticks failed: ${tickErrors.join('; ')}`).to.deep.equal({
      status: 'pending',
      signers: 3,
    });
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
