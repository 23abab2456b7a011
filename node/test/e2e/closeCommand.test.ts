import { expect } from 'chai';
import type { EventLog, JsonRpcProvider } from 'ethers';
import { startAnvil, type Anvil } from '../../src/chain/anvil.js';
import { encodeEcdsaCoSignature } from '../../src/chain/ecdsaCoSignature.js';
import { WindowStatus } from '../../src/chain/hubClient.js';
import { emptyState } from '../../src/window/state.js';
import { runCli } from '../utils/cli.js';
import {
  BOND,
  CHALLENGE_PERIOD,
  DEPOSIT,
  INTERVAL_SECONDS,
  N,
  OFFENDERS,
  PAGE,
  PAGED_SLASH_ACCOUNTS,
  pendingSlashOf67,
  WINDOW_COUNT,
  WINDOW_INTERVALS,
} from '../utils/pagedSlash.js';

/**
 * `diversity close` on a real hub (anvil, loopback), as an auditor without a daemon uses it: the 67-offender
 * slash of `pagedSlash.test.ts` (`pendingSlashOf67`) is pending after the resolve's first page of 64 bonds;
 * `close --finish-slash` sends the continuation (one `continueSlash`: 3 bonds, then the 3 non-signers
 * credited) and prints its gas, exit 0; `close` then finds no slash pending and is
 * refused with the hub's reason in one line (window 0 has no result: its claim was rejected), exit 3; after
 * fully signed results of both windows, refused again while the rejected claim stays disputable
 * (`ChallengePeriodNotOver`), then accepted once that deadline passed.
 */
describe('e2e: diversity close finishes a pending slash of 67 offenders and closes the community', function () {
  // Each `diversity` run is a Node process loading the TypeScript sources (seconds).
  this.timeout(300_000);
  let anvil: Anvil | undefined;
  let provider: JsonRpcProvider | undefined;

  after(async () => {
    provider?.destroy();
    await anvil?.stop();
  });

  it('--finish-slash: one continueSlash, its gas printed, every offender slashed once; close refused, then accepted', async () => {
    anvil = await startAnvil({ accounts: PAGED_SLASH_ACCOUNTS });
    const setup = await pendingSlashOf67(anvil);
    provider = setup.provider;
    const { deployment, communityId, hub, wallets, outsider, members, sign, client, at, start } = setup;
    const mid = await members();
    for (let i = 0; i < N; i++) expect(mid[i].bond, `member ${i} mid-slash`).to.equal(i < PAGE ? BOND - DEPOSIT : BOND);
    // The auditor: the outsider's key (it challenged; any account may).
    const base = ['close', '--rpc-url', anvil.rpcUrl, '--hub', deployment.hubAddress, '--community-id'];
    const cli = (...more: string[]) =>
      runCli([...base, String(communityId), '--private-key', outsider.privateKey, ...more]);

    const before = await provider.getBlockNumber();
    const finish = await cli('--finish-slash');
    expect(finish.code, finish.out).to.equal(0);
    const lines = finish.out.trim().split('\n');
    expect(lines, finish.out).to.have.length(2);
    const gas = /^continueSlash 1: tx (0x[0-9a-f]{64}) \((\d+) gas\)$/.exec(lines[0]);
    expect(gas, lines[0]).to.not.equal(null);
    expect(lines[1]).to.equal(`pending slash finished: 1 continueSlash call, ${gas![2]} gas in all`);
    expect(finish.out).to.not.include(outsider.privateKey.slice(2));
    // The printed gas is the receipt's; the transaction is the outsider's continueSlash.
    const receipt = await provider.getTransactionReceipt(gas![1]);
    expect(receipt?.from).to.equal(outsider.address);
    expect(receipt?.gasUsed).to.equal(BigInt(gas![2]));
    const slashed = (await hub.queryFilter(hub.filters.Slashed(communityId), before + 1)) as EventLog[];
    expect(slashed.map((e) => e.transactionHash)).to.deep.equal([gas![1]]);
    const total = BigInt(OFFENDERS) * DEPOSIT + DEPOSIT;
    const each = total / 2n / 3n;
    const after = await members();
    for (let i = 0; i < N; i++) {
      expect(after[i].bond, `member ${i}'s bond`).to.equal(i < OFFENDERS ? BOND - DEPOSIT : BOND);
      expect(after[i].credit, `member ${i}'s credit`).to.equal(i < OFFENDERS ? 0n : each);
    }

    // Nothing left (the first line); window 0's claim was rejected: no result. close refused, with the reason
    // (and the window's schedule).
    const windowSeconds = WINDOW_INTERVALS * INTERVAL_SECONDS;
    const noResult = await cli();
    expect(noResult.code, noResult.out).to.equal(3);
    expect(noResult.out).to.equal(
      `no slash pending in community ${communityId}\n` +
        `close refused: 0 of ${WINDOW_COUNT} windows final: no result posted for window 0 (its schedule: it ends at ${new Date((start + windowSeconds) * 1000).toISOString()})\n`,
    );

    // Both windows' results signed by all 70: final at once. The rejected claim stays disputable until its
    // own deadline (submittedAt + the challenge period): close refused with that deadline.
    await at(start + WINDOW_COUNT * windowSeconds);
    const all = Array.from({ length: N }, (_, i) => i);
    for (let w = 0; w < WINDOW_COUNT; w++) {
      const { result, signatures } = await sign(`honest window ${w}`, emptyState(N), all, w);
      const tx = await client(wallets[N - 1]).sendUpdate(w, result, encodeEcdsaCoSignature(signatures, N), null);
      expect((await tx.wait())?.status).to.equal(1);
      expect((await client(wallets[0]).windowRecord(w)).status).to.equal(WindowStatus.Final);
    }
    const until = setup.claim.submittedAt + CHALLENGE_PERIOD;
    const disputable = await cli();
    expect(disputable.code, disputable.out).to.equal(3);
    expect(disputable.out).to.match(
      new RegExp(
        `^close refused: every window is final \\(the last is ${WINDOW_COUNT - 1}\\), but claims stay disputable until ${new Date(until * 1000).toISOString().replace(/\./g, '\\.')} \\(a challenge period\\)$`,
        'm',
      ),
    );

    await at(until);
    const closed = await cli();
    expect(closed.code, closed.out).to.equal(0);
    expect(closed.out).to.match(
      new RegExp(
        `^community ${communityId} closed: tx 0x[0-9a-f]{64} \\(\\d+ gas\\); members are paid with \`diversity claim\`$`,
        'm',
      ),
    );
    expect(await hub.queryFilter(hub.filters.CommunityClosed(communityId))).to.have.length(1);
    const twice = await cli();
    expect(twice.code, twice.out).to.equal(0);
    expect(twice.out).to.equal(
      `community ${communityId} is closed already: members are paid with \`diversity claim\`\n`,
    );
  });
});
