import { expect } from 'chai';
import { makeError, parseUnits } from 'ethers';
import { WindowStatus, type HubClient, type WindowRecord } from '../../src/chain/hubClient.js';
import type { HubRevert } from '../../src/chain/errors.js';
import { defaultChainOptions, type ChainOptions } from '../../src/chain/options.js';
import type { NodeDb, StoredBalances } from '../../src/db/index.js';
import type { BalanceBook } from '../../src/node/balanceBook.js';
import { Settlement } from '../../src/node/settlement.js';
import { balanceProof, balancesRoot, type Balance } from '../../src/window/balances.js';
import { createLogger } from '../../src/util/logger.js';
import { createMetrics, type Metrics } from '../../src/metrics/metrics.js';
import { manualClock, tempDb, testCommunity } from '../utils/community.js';

/** What ethers throws when the hub reverts a gas estimate (CALL_EXCEPTION: a refusal, not an RPC failure). */
const reverted = (name: string) =>
  makeError(`execution reverted: ${name}`, 'CALL_EXCEPTION', {
    action: 'estimateGas',
    data: null,
    reason: name,
    transaction: { to: null, data: '0x' },
    invocation: null,
    revert: null,
  });

/**
 * `chain.closeAndClaim`: once every window is final the node closes the community by rotation (a close the
 * hub would refuse is not sent; `SlashPending` finishes the slash first), then claims its member's balance
 * from the balances it holds under the last final root, then takes its creditor's share each time the
 * repaid pool grew. A fake hub records what is sent; the tracking (receipts, nonces) is the submitter's.
 */
describe('settlement at the end: close and claim (chain.closeAndClaim)', () => {
  const N = 3;
  const { community } = testCommunity(N, { windowCount: 2 });
  const opts: ChainOptions = {
    ...defaultChainOptions,
    hub: community.hub,
    takeoverSeconds: 5,
    backoffSeconds: 2,
    backoffMaxSeconds: 16,
    closeAndClaim: true,
    claimForDebtorsAfterSeconds: 3600,
  };
  /** After the last window: members 1 and 2 owe 40 and 20, member 0 is owed 60 (a claim). */
  const leaves: Balance[] = community.participants.map((participant, i) => ({
    participant,
    escrow: 100n,
    debt: [0n, 40n, 20n][i],
    claim: i === 0 ? 60n : 0n,
  }));
  const held: StoredBalances = { window: 1, balancesRoot: balancesRoot(leaves, 60n), totalClaims: 60n, leaves };
  let db: NodeDb;
  let cleanup: () => Promise<void>;
  let clock: ReturnType<typeof manualClock>;
  let closed: boolean;
  let refusal: HubRevert | undefined;
  let members: { settled: boolean; claimTaken: bigint }[];
  let pool: bigint;
  let sent: { kind: string; index?: number; leaf?: Balance; totalClaims?: bigint; proof?: string[] }[];
  let finishCalls: number;
  let nonce: number;
  /** Receipt status of every mined transaction (0: reverted on chain). */
  let receiptStatus: number;
  /** `hub.member(i)` reads, by index. */
  let memberReads: number[];
  /** Makes the next `sendClaim` throw (its gas estimate reverts), once. */
  let claimEstimateReverts: boolean;
  /** Makes every `sendClaim` throw (a claim whose estimate always reverts). */
  let claimAlwaysReverts: boolean;
  /** Makes the next this many `sendClaim`s fail as an RPC that does not answer (no revert). */
  let claimRpcDown: number;
  /** The head block's timestamp, and the block time of the community's `CommunityClosed`. */
  let chainNow: number;
  let closedAt: number;
  let metrics: Metrics;
  /** What the node's balance book holds under the last final window. */
  let bookHeld: StoredBalances;

  const record: WindowRecord = {
    windowRoot: `0x${'11'.repeat(32)}`,
    stateHash: `0x${'22'.repeat(32)}`,
    balancesRoot: held.balancesRoot,
    status: WindowStatus.Final,
    submittedAt: 0,
    signers: 7n,
  } as WindowRecord;
  const tx = (kind: string, extra: Partial<(typeof sent)[number]> = {}) => {
    sent.push({ kind, ...extra });
    return { hash: `0x${sent.length.toString(16).padStart(64, '0')}`, nonce: nonce++ };
  };
  const hub = {
    contract: { runner: null },
    lastFinalizedWindow: async () => community.windowCount - 1,
    windowRecord: async () => record,
    isClosed: async () => closed,
    closedAtSeconds: async () => (closed ? closedAt : undefined),
    closeRefusal: async () => refusal,
    sendClose: async () => tx('close'),
    member: async (i: number) => {
      memberReads[i]++;
      return { bond: 0n, credit: 0n, fine: 0n, ...members[i] };
    },
    repaidPool: async () => pool,
    sendClaim: async (index: number, leaf: Balance, totalClaims: bigint, proof: string[]) => {
      if (claimAlwaysReverts) throw reverted('InvalidBalanceProof');
      if (claimEstimateReverts) {
        claimEstimateReverts = false;
        throw reverted('AlreadyClaimed');
      }
      if (claimRpcDown > 0) {
        claimRpcDown--;
        throw makeError('connect ECONNREFUSED 127.0.0.1:8545', 'NETWORK_ERROR', { event: 'request' });
      }
      return tx('claim', { index, leaf, totalClaims, proof });
    },
    sendClaimShare: async (index: number, leaf: Balance, totalClaims: bigint, proof: string[]) => {
      // Mined at once, as the hub does it: the member's claimTaken becomes its share of the pool.
      if (receiptStatus === 1) members[index].claimTaken = (pool * leaf.claim) / totalClaims;
      return tx('share', { index, leaf, totalClaims, proof });
    },
    isSlashPending: () => false,
    finishPendingSlash: async () => {
      finishCalls++;
      refusal = undefined;
      return 1;
    },
  } as unknown as HubClient;
  /** Every transaction sent is mined at once, successfully. */
  const provider = {
    getTransactionReceipt: async (h: string) => ({ status: receiptStatus, gasUsed: 50_000n, blockNumber: 1, hash: h }),
    getTransactionCount: async () => nonce,
    getFeeData: async () => ({ maxFeePerGas: parseUnits('10', 'gwei'), maxPriorityFeePerGas: parseUnits('1', 'gwei') }),
    getBlock: async () => ({ timestamp: chainNow }),
  };
  const book = { before: async (w: number, anchored: boolean) => (w === 2 && anchored ? bookHeld : undefined) };

  function settlement(participantIndex: number, closeAndClaim = true, store = db) {
    return new Settlement(
      { ...opts, closeAndClaim },
      {
        community,
        clock: clock.clock,
        db: store,
        hub,
        provider: provider as never,
        participantIndex,
        address: community.participants[participantIndex],
        graceSeconds: 5,
        balanceBook: book as unknown as BalanceBook,
        metrics,
        logger: createLogger({ level: 'error', name: 'test' }),
      },
    );
  }

  beforeEach(async () => {
    ({ db, cleanup } = await tempDb());
    clock = manualClock(community, community.start + 10_000);
    closed = false;
    refusal = undefined;
    members = leaves.map(() => ({ settled: false, claimTaken: 0n }));
    pool = 0n;
    sent = [];
    finishCalls = 0;
    nonce = 0;
    receiptStatus = 1;
    memberReads = leaves.map(() => 0);
    claimEstimateReverts = false;
    claimAlwaysReverts = false;
    claimRpcDown = 0;
    closedAt = 1_000_000;
    chainNow = closedAt;
    metrics = createMetrics();
    bookHeld = held;
  });
  afterEach(async () => cleanup());

  it('off by default: a node sends nothing at the end', async () => {
    expect(defaultChainOptions.closeAndClaim).to.equal(false);
    const s = settlement(windowCountRank0(), false);
    await s.tick();
    await s.tick();
    expect(sent).to.deep.equal([]);
  });

  it('rotation: participant windowCount mod N closes first; the next one takes over takeoverSeconds later', async () => {
    const first = settlement(windowCountRank0());
    // Each node has its own store.
    const other = await tempDb();
    const second = settlement((windowCountRank0() + 1) % N, true, other.db);
    try {
      await second.tick();
      expect(sent, 'rank 1 waits its turn').to.deep.equal([]);
      await first.tick();
      expect(sent.map((t) => t.kind)).to.deep.equal(['close']);
      // Rank 0's close is never mined (it went missing): rank 1 sends one after its turn.
      sent = [];
      clock.state.now += opts.takeoverSeconds;
      await second.tick();
      expect(sent.map((t) => t.kind)).to.deep.equal(['close']);
    } finally {
      await other.cleanup();
    }
  });

  it('a close the hub would refuse is not sent; SlashPending finishes the pending slash, then the close goes', async () => {
    const s = settlement(windowCountRank0());
    refusal = { name: 'ChallengePeriodNotOver', args: [] };
    await s.tick();
    expect(sent).to.deep.equal([]);
    refusal = { name: 'SlashPending', args: ['1'] };
    await s.tick();
    expect([finishCalls, sent.length]).to.deep.equal([1, 0]);
    await s.tick();
    expect(sent.map((t) => t.kind)).to.deep.equal(['close']);
  });

  it('closed: claims its own balance once, with the proof of its leaf under the last final root', async () => {
    closed = true;
    const s = settlement(1);
    await s.tick();
    expect(sent).to.have.length(1);
    expect(sent[0]).to.deep.include({ kind: 'claim', index: 1, totalClaims: 60n });
    expect(sent[0].leaf).to.deep.equal(leaves[1]);
    expect(sent[0].proof).to.deep.equal(balanceProof(leaves, 1));
    // Mined: the hub says settled from now on; a debtor holds no claim, so nothing more is sent.
    members[1].settled = true;
    await s.tick();
    await s.tick();
    expect(sent).to.have.length(1);
  });

  it('a creditor takes its share once every debtor is paid out (the pool complete): one claimShare, not one per debtor', async () => {
    closed = true;
    const s = settlement(0);
    await s.tick();
    expect(sent.map((t) => t.kind)).to.deep.equal(['claim']);
    members[0] = { settled: true, claimTaken: 0n };
    await s.tick();
    expect(sent, 'the pool is empty: no share').to.have.length(1);
    // Debtor 1 repaid its 40; debtor 2 (20) is not paid out yet: the share waits for the whole pool.
    members[1].settled = true;
    pool = 40n;
    await s.tick();
    expect(sent, 'debtor 2 not paid out yet').to.have.length(1);
    members[2].settled = true;
    pool = 60n;
    await s.tick();
    expect(sent.map((t) => t.kind)).to.deep.equal(['claim', 'share']);
    expect(sent[1]).to.deep.include({ index: 0, totalClaims: 60n });
    members[0].claimTaken = 60n;
    await s.tick();
    await s.tick();
    expect(sent, 'nothing more to take').to.have.length(2);
  });

  it('a member paid by someone else (an auditor sent --all) sends nothing', async () => {
    closed = true;
    members[2].settled = true;
    await settlement(2).tick();
    expect(sent).to.deep.equal([]);
  });

  // ------------------------------------------------------------------ review s12: hostile chain states

  it('attack: a claim that reverts every time it is mined is retried on the backoff only, never in a loop', async () => {
    closed = true;
    receiptStatus = 0;
    const s = settlement(1);
    const t0 = clock.state.now;
    // Ten minutes of one tick a second: 2, 4, 8, 16 s, then every 16 s (backoffMaxSeconds).
    for (let t = 0; t < 600; t++) {
      clock.state.now = t0 + t;
      await s.tick();
    }
    const claims = sent.filter((x) => x.kind === 'claim').length;
    expect(claims, 'one send, then one per backoff').to.be.within(2, 1 + 4 + Math.ceil(600 / 16));
    expect((await db.submissions.get(community.windowCount))?.status).to.equal('reverted');
    expect((await db.submissions.get(community.windowCount))?.failures).to.equal(claims);
  });

  it('attack: another party claims for us between our read and our send (the estimate reverts): one back-off, then nothing', async () => {
    closed = true;
    claimEstimateReverts = true;
    const s = settlement(1);
    await s.tick();
    expect(sent, 'not sent: the estimate reverted').to.deep.equal([]);
    expect((await db.submissions.get(community.windowCount))?.status).to.equal('failed');
    members[1].settled = true;
    for (let t = 0; t < 60; t++) {
      clock.state.now += 1;
      await s.tick();
    }
    expect(sent).to.deep.equal([]);
  });

  it('attack: a debtor that never claims costs a waiting creditor one read a tick and no transaction until the wait is over', async () => {
    closed = true;
    members[0] = { settled: true, claimTaken: 0n };
    // Debtor 1 paid out (its 40 in the pool), debtor 2 never claims.
    members[1].settled = true;
    pool = 40n;
    const s = settlement(0);
    await s.tick();
    const before = [...memberReads];
    for (let t = 0; t < 100; t++) {
      clock.state.now += 1;
      await s.tick();
    }
    expect(sent, 'no share while the pool is incomplete').to.deep.equal([]);
    // Per tick: our own record, and the one debtor waited for; debtor 1, known settled, is not asked again.
    expect(memberReads[2] - before[2]).to.equal(100);
    expect(memberReads[1] - before[1]).to.equal(0);
    expect(memberReads[0] - before[0]).to.equal(100);
  });

  it('after claimForDebtorsAfterSeconds (chain time since the close), not before: claims for the debtor still unpaid with its own leaf and proof, then takes the share once', async () => {
    closed = true;
    members[0] = { settled: true, claimTaken: 0n };
    members[1].settled = true;
    pool = 40n;
    const s = settlement(0);
    // One second short of the wait, by the chain's clock (the node's own clock is far ahead: it does not count).
    chainNow = closedAt + opts.claimForDebtorsAfterSeconds - 1;
    clock.state.now += 10 * opts.claimForDebtorsAfterSeconds;
    await s.tick();
    expect(sent, 'not before the wait is over').to.deep.equal([]);
    chainNow += 1;
    await s.tick();
    expect(sent.map((t) => t.kind)).to.deep.equal(['claim']);
    expect(sent[0]).to.deep.include({ index: 2, totalClaims: 60n });
    expect(sent[0].leaf, "the debtor's own leaf: the hub pays its participant").to.deep.equal(leaves[2]);
    expect(sent[0].proof).to.deep.equal(balanceProof(leaves, 2));
    expect((await db.submissions.get(community.windowCount + 1 + 2))?.kind).to.equal('claimFor');
    expect(await counter('diversity_claims_for_debtors_total')).to.equal(1);
    // Mined: the debtor is paid out, the pool complete; the share goes once.
    members[2].settled = true;
    pool = 60n;
    for (let t = 0; t < 5; t++) {
      clock.state.now += 1;
      await s.tick();
    }
    expect(sent.map((t) => t.kind)).to.deep.equal(['claim', 'share']);
    expect(sent[1]).to.deep.include({ index: 0 });
    members[0].claimTaken = 60n;
    for (let t = 0; t < 5; t++) {
      clock.state.now += 1;
      await s.tick();
    }
    expect(sent, 'nothing more').to.have.length(2);
    expect(await counter('diversity_claims_for_debtors_total')).to.equal(1);
  });

  it('attack: a claim for a debtor that reverts on chain (someone claimed first) is sent once, never again; the share is not held back by it', async () => {
    closed = true;
    members[0] = { settled: true, claimTaken: 0n };
    members[1].settled = true;
    pool = 40n;
    chainNow = closedAt + opts.claimForDebtorsAfterSeconds;
    receiptStatus = 0;
    const s = settlement(0);
    // Ten minutes of one tick a second: far past every backoff.
    for (let t = 0; t < 600; t++) {
      clock.state.now += 1;
      await s.tick();
      // Only our claim for the debtor reverts (the share after it goes through).
      if ((await db.submissions.get(community.windowCount + 1 + 2))?.status === 'reverted') receiptStatus = 1;
    }
    expect(
      sent.filter((x) => x.kind === 'claim').map((x) => x.index),
      'one claim for debtor 2, ever',
    ).to.deep.equal([2]);
    expect(
      sent.filter((x) => x.kind === 'share'),
      'then the share of the pool as it is',
    ).to.have.length(1);
    expect((await db.submissions.get(community.windowCount + 1 + 2))?.status).to.equal('reverted');
  });

  it('attack: a claim for a debtor whose estimate reverts every time costs no gas, is tried on the backoff only, and at most 3 times', async () => {
    closed = true;
    members[0] = { settled: true, claimTaken: 0n };
    members[1].settled = true;
    pool = 40n;
    chainNow = closedAt + opts.claimForDebtorsAfterSeconds;
    claimAlwaysReverts = true;
    let attempts = 0;
    const sendClaim = hub.sendClaim;
    hub.sendClaim = async (...a: Parameters<HubClient['sendClaim']>) => {
      attempts++;
      return sendClaim(...a);
    };
    try {
      const s = settlement(0);
      for (let t = 0; t < 600; t++) {
        clock.state.now += 1;
        await s.tick();
      }
      expect(attempts, 'three estimates, each after the backoff').to.equal(3);
      expect(
        sent.map((t) => t.kind),
        'no claim transaction left; the share goes once',
      ).to.deep.equal(['share']);
      expect(await counter('diversity_claims_for_debtors_total')).to.equal(0);
    } finally {
      hub.sendClaim = sendClaim;
    }
  });

  it('review s13: an RPC outage while claiming for a debtor (estimates fail, not refused) never gives it up: the claim goes once the RPC answers', async () => {
    closed = true;
    members[0] = { settled: true, claimTaken: 0n };
    members[1].settled = true;
    pool = 40n;
    chainNow = closedAt + opts.claimForDebtorsAfterSeconds;
    claimRpcDown = 5;
    let attempts = 0;
    const sendClaim = hub.sendClaim;
    hub.sendClaim = async (...a: Parameters<HubClient['sendClaim']>) => {
      attempts++;
      return sendClaim(...a);
    };
    try {
      const s = settlement(0);
      // Ten minutes of one tick a second: 2, 4, 8, 16, 16 s of backoff, then the RPC answers.
      for (let t = 0; t < 600 && !sent.some((x) => x.kind === 'claim'); t++) {
        clock.state.now += 1;
        await s.tick();
      }
      expect(attempts, 'five failed estimates, then the claim').to.equal(6);
      expect(sent.map((x) => [x.kind, x.index])).to.deep.equal([['claim', 2]]);
      const sub = await db.submissions.get(community.windowCount + 1 + 2);
      expect([sub?.kind, sub?.status, sub?.failures, sub?.refusals]).to.deep.equal(['claimFor', 'sent', 5, 0]);
      expect(await counter('diversity_claims_for_debtors_total')).to.equal(1);
    } finally {
      hub.sendClaim = sendClaim;
    }
  });

  it('review s13: a debtor given up on that pays later (it claims itself) grows the pool: the creditor takes the rest, once', async () => {
    closed = true;
    members[0] = { settled: true, claimTaken: 0n };
    members[1].settled = true;
    pool = 40n;
    chainNow = closedAt + opts.claimForDebtorsAfterSeconds;
    claimAlwaysReverts = true;
    const s = settlement(0);
    for (let t = 0; t < 600; t++) {
      clock.state.now += 1;
      await s.tick();
    }
    expect(
      sent.map((t) => t.kind),
      'debtor 2 given up on: the share of the pool as it is',
    ).to.deep.equal(['share']);
    expect(members[0].claimTaken).to.equal(40n);
    // Debtor 2 claims itself at last: its 20 joins the pool. Before s13 the mined share waited for ever.
    claimAlwaysReverts = false;
    members[2].settled = true;
    pool = 60n;
    for (let t = 0; t < 600; t++) {
      clock.state.now += 1;
      await s.tick();
    }
    expect(
      sent.map((t) => t.kind),
      'the rest, once',
    ).to.deep.equal(['share', 'share']);
    expect(members[0].claimTaken).to.equal(60n);
  });

  it('attack: a member that owes nothing is never claimed for (nor is the creditor itself); only the debtor is', async () => {
    closed = true;
    // Member 1 owes nothing and has not claimed (an absent creditor-free member); member 2 owes 60.
    const own: Balance[] = leaves.map((l, i) => ({ ...l, debt: [0n, 0n, 60n][i] }));
    bookHeld = { ...held, balancesRoot: balancesRoot(own, 60n), leaves: own };
    record.balancesRoot = bookHeld.balancesRoot;
    try {
      members[0] = { settled: true, claimTaken: 0n };
      chainNow = closedAt + opts.claimForDebtorsAfterSeconds;
      const s = settlement(0);
      for (let t = 0; t < 60; t++) {
        clock.state.now += 1;
        await s.tick();
      }
      expect(sent.filter((x) => x.kind === 'claim').map((x) => x.index)).to.deep.equal([2]);
      expect(memberReads[1], 'not even asked').to.equal(0);
    } finally {
      record.balancesRoot = held.balancesRoot;
    }
  });

  it("attack: balances that are not under the hub's final root are never used to claim for a debtor", async () => {
    closed = true;
    members[0] = { settled: true, claimTaken: 0n };
    members[1].settled = true;
    pool = 40n;
    // Our book says debtor 2 owes 10, not 20: its leaf would not verify (InvalidBalanceProof), so nothing is sent.
    const wrong: Balance[] = leaves.map((l, i) => (i === 2 ? { ...l, debt: 10n } : l));
    bookHeld = { ...held, balancesRoot: balancesRoot(wrong, 60n), leaves: wrong };
    chainNow = closedAt + 10 * opts.claimForDebtorsAfterSeconds;
    const s = settlement(0);
    for (let t = 0; t < 60; t++) {
      clock.state.now += 1;
      await s.tick();
    }
    expect(sent).to.deep.equal([]);
    // Nor leaves filed under the hub's root that do not hash to it (a corrupted or tampered store).
    bookHeld = { ...held, leaves: wrong };
    const t = settlement(0);
    for (let i = 0; i < 60; i++) {
      clock.state.now += 1;
      await t.tick();
    }
    expect(sent).to.deep.equal([]);
  });

  it('attack: the debtor claims for itself between our read and our send (the estimate reverts): no transaction, then nothing more', async () => {
    closed = true;
    members[0] = { settled: true, claimTaken: 0n };
    members[1].settled = true;
    pool = 40n;
    chainNow = closedAt + opts.claimForDebtorsAfterSeconds;
    claimEstimateReverts = true;
    const s = settlement(0);
    await s.tick();
    expect(sent).to.deep.equal([]);
    members[2].settled = true;
    pool = 60n;
    for (let t = 0; t < 60; t++) {
      clock.state.now += 1;
      await s.tick();
    }
    expect(sent.map((t) => t.kind)).to.deep.equal(['share']);
  });

  async function counter(name: string): Promise<number> {
    const m = await metrics.register.getSingleMetric(name)?.get();
    return m?.values.reduce((a, v) => a + v.value, 0) ?? 0;
  }

  /** The participant first in the close's rotation: rank (i − windowCount) mod N = 0. */
  function windowCountRank0(): number {
    return community.windowCount % N;
  }
});
