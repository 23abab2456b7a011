import { expect } from 'chai';
import { parseUnits } from 'ethers';
import { WindowStatus, type HubClient, type WindowRecord } from '../../src/chain/hubClient.js';
import { defaultChainOptions, type ChainOptions } from '../../src/chain/options.js';
import type { NodeDb } from '../../src/db/index.js';
import { type ClaimStake, wholeBondSigners } from '../../src/node/claimStake.js';
import { Settlement, type SettlementModules } from '../../src/node/settlement.js';
import { createLogger } from '../../src/util/logger.js';
import { emptyState, type ParticipantState } from '../../src/window/state.js';
import { manualClock, tempDb, testCommunity } from '../utils/community.js';

/**
 * The submitter on a chain that behaves like a real one: slow to mine, transactions that revert
 * or get replaced. A fake hub and provider record every transaction the node sends.
 */
describe('submitter (settlement): rotation, tracking, replacement, backoff', () => {
  const { community } = testCommunity(3);
  const opts: ChainOptions = {
    ...defaultChainOptions,
    hub: community.hub,
    signatureDeadlineSeconds: 10,
    takeoverSeconds: 5,
    replaceAfterSeconds: 30,
    backoffSeconds: 2,
    backoffMaxSeconds: 16,
    maxFeePerGasGwei: 12,
    maxPriorityFeePerGasGwei: 2,
  };
  const GRACE = 5;
  /** Window 0's final state as this node folded it (what a partial claim carries, review 3 B1). */
  const FINAL_STATE = emptyState(3).map((p, i) => ({ ...p, net: [5n, -5n, 0n][i] }));
  const BALANCES = `0x${'b1'.repeat(32)}`;
  let db: NodeDb;
  let cleanup: () => Promise<void>;
  let clock: ReturnType<typeof manualClock>;
  let sent: {
    window: number;
    nonce?: number;
    maxFeePerGas: bigint;
    maxPriorityFeePerGas: bigint;
    hash: string;
    coSignature?: string;
    balancesRoot?: string;
    finalState?: readonly ParticipantState[] | null;
  }[];
  let receipts: Map<string, { status: number; gasUsed: bigint }>;
  let accountNonce: number;
  let minedNonce: number;
  let failNextSend: boolean;
  /** Pages of a pending slash on the fake hub (`SlashPending` while > 0), and the node's calls to finish it. */
  let slashPages: number;
  let finishCalls: number;
  let record: WindowRecord;
  let finalizes: number;

  const hub = {
    contract: { runner: null },
    lastFinalizedWindow: async () => -1,
    windowRecord: async () => record,
    sendUpdate: async (
      window: number,
      result: { balancesRoot: string },
      coSignature: string,
      finalState: readonly ParticipantState[] | null,
      o: { nonce?: number; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint },
    ) => {
      if (failNextSend) {
        failNextSend = false;
        throw Object.assign(new Error('execution reverted'), { shortMessage: 'execution reverted: WindowNotNext' });
      }
      if (slashPages > 0) throw Object.assign(new Error('execution reverted'), { slashPending: true });
      const nonce = o.nonce ?? accountNonce++;
      const hash = `0x${(sent.length + 1).toString(16).padStart(64, '0')}`;
      sent.push({
        window,
        nonce,
        maxFeePerGas: o.maxFeePerGas,
        maxPriorityFeePerGas: o.maxPriorityFeePerGas,
        hash,
        coSignature,
        balancesRoot: result.balancesRoot,
        finalState,
      });
      return { hash, nonce };
    },
    isSlashPending: (e: unknown) => (e as { slashPending?: boolean }).slashPending === true,
    finishPendingSlash: async () => {
      finishCalls++;
      const pages = slashPages;
      slashPages = 0;
      return pages;
    },
    sendFinalize: async () => {
      finalizes++;
      return { hash: `0x${'ff'.repeat(32)}`, nonce: accountNonce++ };
    },
  } as unknown as HubClient;
  const provider = {
    getTransactionReceipt: async (h: string) => receipts.get(h) ?? null,
    getTransactionCount: async () => minedNonce,
    getFeeData: async () => ({
      maxFeePerGas: parseUnits('10', 'gwei'),
      maxPriorityFeePerGas: parseUnits('1', 'gwei'),
      gasPrice: null,
    }),
    getBlock: async () => ({ timestamp: 0 }),
  };

  function settlement(participantIndex: number, extra: Partial<SettlementModules> = {}) {
    return new Settlement(opts, {
      ...extra,
      community,
      clock: clock.clock,
      db,
      hub,
      provider: provider as never,
      participantIndex,
      address: community.participants[participantIndex],
      graceSeconds: GRACE,
      metrics: null,
      logger: {
        info() {},
        warn() {},
        verbose() {},
        debug() {},
        error() {},
        child() {
          return this;
        },
      } as never,
    });
  }

  /** Window 0 committed here and signed by everyone (fast path). */
  async function committed(): Promise<void> {
    const root = `0x${'11'.repeat(32)}`;
    const stateHash = `0x${'22'.repeat(32)}`;
    await db.windowResults.put(0, {
      window: 0,
      windowRoot: root,
      stateHash,
      balancesRoot: BALANCES,
      finalState: FINAL_STATE,
      intervals: [],
      readingCount: 12,
      voidedSlots: 0,
      committedAt: 0,
    });
    for (let signer = 0; signer < 3; signer++)
      await db.coSignatures.put(
        { window: 0, signer },
        { window: 0, signer, windowRoot: root, stateHash, balancesRoot: BALANCES, signature: `0x${'33'.repeat(64)}1b` },
      );
  }

  const windowEnd = () => community.start + community.windowIntervals * community.intervalSeconds;
  const at = (t: number) => (clock.state.now = t);

  beforeEach(async () => {
    ({ db, cleanup } = await tempDb());
    clock = manualClock(community, community.start);
    sent = [];
    receipts = new Map();
    accountNonce = 7;
    minedNonce = 7;
    failNextSend = false;
    slashPages = 0;
    finishCalls = 0;
    finalizes = 0;
    record = {
      windowRoot: `0x${'00'.repeat(32)}`,
      stateHash: `0x${'00'.repeat(32)}`,
      balancesRoot: `0x${'00'.repeat(32)}`,
      signers: 0n,
      submittedAt: 0,
      status: WindowStatus.None,
    };
    await committed();
  });
  afterEach(async () => cleanup());

  it('does not try to finalize a claim that a data-availability game holds open (the hub would refuse), and does once it ends', async () => {
    let open = true;
    record = { ...record, status: WindowStatus.Pending, submittedAt: windowEnd(), signers: 3n };
    const s = settlement(0, { gameOpen: async () => open });
    at(windowEnd() + community.challengePeriod + 1);
    await s.tick();
    await s.tick();
    expect(finalizes).to.equal(0);
    expect(await db.submissions.get(0)).to.equal(undefined); // no attempt, so no backoff either
    open = false;
    await s.tick();
    expect(finalizes).to.equal(1);
  });

  it('sends no finalize when another rank finalized the window meanwhile (the hub would revert NoPendingWindow)', async () => {
    record = { ...record, status: WindowStatus.Pending, submittedAt: windowEnd(), signers: 3n };
    const s = settlement(0, {
      gameOpen: async () => {
        record = { ...record, status: WindowStatus.Final };
        return false;
      },
    });
    at(windowEnd() + community.challengePeriod + 1);
    await s.tick();
    expect(finalizes).to.equal(0);
    expect(await db.submissions.get(0)).to.equal(undefined);
  });

  describe('pending path: whole bonds and the claim deposit (review R6, R9)', () => {
    const BOND = 1_000n;
    let bonds: bigint[];
    let allowed: bigint[];
    let toppedUp: bigint[];
    const stake: ClaimStake = {
      terms: async () => ({ bond: BOND, deposit: BOND / 10n }),
      bonds: async (indexes) => indexes.map((i) => bonds[i]),
      allow: async (amount) => {
        allowed.push(amount);
      },
      topUp: async (missing) => {
        toppedUp.push(missing);
        bonds[0] = BOND;
      },
    };

    beforeEach(async () => {
      bonds = [BOND, BOND, BOND];
      allowed = [];
      toppedUp = [];
      // Participant 2 signed another result: the pending path, with the signatures of 0 and 1.
      await db.coSignatures.put(
        { window: 0, signer: 2 },
        {
          window: 0,
          signer: 2,
          windowRoot: `0x${'99'.repeat(32)}`,
          stateHash: `0x${'22'.repeat(32)}`,
          balancesRoot: BALANCES,
          signature: `0x${'33'.repeat(64)}1b`,
        },
      );
    });

    /** Ticks until the pending path is due (the signature deadline counts from the first tick). */
    async function pendingDue(s: Settlement): Promise<void> {
      at(windowEnd() + GRACE);
      await s.tick();
      at(windowEnd() + GRACE + opts.signatureDeadlineSeconds);
      await s.tick();
    }

    /** The signer bitmap of an ECDSA co-signature blob (its first 32 bytes). */
    const bitmap = (blob?: string) => BigInt(`0x${(blob ?? '').slice(2, 66)}`);

    it('leaves out a co-signer whose bond is not whole (the hub would revert BondNotWhole) and pays the deposit', async () => {
      bonds[1] = BOND - 1n;
      const s = settlement(0, { stake });
      await pendingDue(s);
      expect(sent.length).to.equal(1);
      expect(bitmap(sent[0].coSignature), 'only participant 0 counted').to.equal(1n);
      expect(allowed).to.deep.equal([BOND / 10n]);
      expect(sent[0].finalState, 'a partial claim carries its final state').to.deep.equal(FINAL_STATE);
    });

    it('sends no update when the window went on chain while it got ready (asked the peers): the hub would revert WindowAlreadyFinal', async () => {
      // Fault suite (huge response, duplicate flood, 10 nodes): a late rank 0 asked its peers before a
      // pending claim while rank 1's fully signed update was mined; rank 0 then sent its own, which reverted.
      const s = settlement(0, {
        stake,
        beforePendingClaim: async () => {
          record = { ...record, status: WindowStatus.Final, signers: 7n, submittedAt: windowEnd() + GRACE };
          return false;
        },
      });
      await pendingDue(s);
      expect(sent).to.deep.equal([]);
      expect(await db.submissions.get(0)).to.equal(undefined);
      expect(s.windowState(0)?.status).to.equal('final');
    });

    it('clock skew S tolerated: the pending path waits 2·S more (a meter S behind signs late, our clock may be S ahead)', async () => {
      // Fault suite, clock skew ±5 s: a node 5 s ahead claimed on the pending path before the readings
      // of a meter 5 s behind existed (3 lost); both clocks within the bound, 10 s apart.
      const s = settlement(0, { stake, clockSkewSeconds: 5 });
      await pendingDue(s);
      expect(sent).to.deep.equal([]);
      at(windowEnd() + GRACE + opts.signatureDeadlineSeconds + 2 * 5 - 1);
      await s.tick();
      expect(sent).to.deep.equal([]);
      at(windowEnd() + GRACE + opts.signatureDeadlineSeconds + 2 * 5);
      await s.tick();
      expect(sent.map((t) => t.window)).to.deep.equal([0]);
    });

    it('keeps every co-signer whose bond is whole', async () => {
      const s = settlement(0, { stake });
      await pendingDue(s);
      expect(bitmap(sent[0].coSignature)).to.equal(3n);
    });

    it('tops its own short bond up first, then posts (its own signature must count)', async () => {
      bonds[0] = BOND - 100n;
      const s = settlement(0, { stake });
      await pendingDue(s);
      expect(toppedUp).to.deep.equal([100n]);
      expect(sent.length, 'nothing posted before the top-up is mined').to.equal(0);
      await s.tick();
      expect(sent.length).to.equal(1);
      expect(bitmap(sent[0].coSignature)).to.equal(3n);
    });

    it('the fast path needs no bond check and no deposit', async () => {
      await committed();
      bonds = [0n, 0n, 0n];
      const s = settlement(0, { stake });
      at(windowEnd() + GRACE);
      await s.tick();
      expect(bitmap(sent[0].coSignature)).to.equal(7n);
      expect(allowed).to.deep.equal([]);
    });

    it('the filter: one bond per signature, strictly below the configured bond is short', () => {
      const sig = (signer: number) => ({
        window: 0,
        signer,
        windowRoot: '0x',
        stateHash: '0x',
        balancesRoot: '0x',
        signature: '0x',
      });
      const { kept, leftOut } = wholeBondSigners([sig(0), sig(4), sig(7)], [BOND, BOND - 1n, BOND + 1n], BOND);
      expect(kept.map((s) => s.signer)).to.deep.equal([0, 7]);
      expect(leftOut).to.deep.equal([4]);
      expect(() => wholeBondSigners([sig(0)], [], BOND)).to.throw(RangeError);
    });
  });

  it('posts our balances root, and counts only co-signatures over all three of our roots', async () => {
    // Signer 2 signed our window root and state with other balances: not a signature of our result.
    await db.coSignatures.put(
      { window: 0, signer: 2 },
      {
        window: 0,
        signer: 2,
        windowRoot: `0x${'11'.repeat(32)}`,
        stateHash: `0x${'22'.repeat(32)}`,
        balancesRoot: `0x${'0b'.repeat(32)}`,
        signature: `0x${'33'.repeat(64)}1b`,
      },
    );
    const s = settlement(0);
    at(windowEnd() + GRACE);
    await s.tick();
    expect(sent, 'no fast path without 3 signatures over our result').to.have.length(0);
    at(windowEnd() + GRACE + opts.signatureDeadlineSeconds);
    await s.tick();
    expect(sent).to.have.length(1);
    expect(sent[0].balancesRoot).to.equal(BALANCES);
    // The blob counts signers 0 and 1 only (bitmap 0b011).
    expect(BigInt(sent[0].coSignature!.slice(0, 66))).to.equal(3n);
  });

  it('after a backlog, the ranks still take turns: due times count from when the window became submittable', async () => {
    // Window 0 (rank 0 = participant 0) is submittable only long after its end (chain was down).
    const late = windowEnd() + GRACE + 600;
    const rank1 = settlement(1);
    const rank2 = settlement(2);
    at(late);
    await rank1.tick();
    await rank2.tick();
    expect(sent.length, 'ranks 1 and 2 at once after a backlog').to.equal(0);
    at(late + opts.takeoverSeconds);
    await rank2.tick();
    expect(sent.length).to.equal(0);
    await rank1.tick();
    expect(sent.length).to.equal(1);
  });

  it('a later rank takes over the fast path `takeoverSeconds` after it held every signature, not after its fold', async () => {
    // 10-node fault run: window 0's last signature came ~3 s after its end, past rank 1's turn counted
    // from its fold (end + 1 s + 2 s): ranks 0 and 1 both sent, one update reverted.
    await db.coSignatures.delete({ window: 0, signer: 2 });
    const rank1 = settlement(1);
    at(windowEnd() + 1);
    await rank1.tick();
    expect(sent.length, 'folded, two of three signatures: before the signature deadline').to.equal(0);
    at(windowEnd() + 1 + opts.takeoverSeconds + 1);
    await committed();
    await rank1.tick();
    expect(sent.length, "rank 0's turn: every signature just arrived").to.equal(0);
    at(windowEnd() + 1 + 2 * opts.takeoverSeconds + 1);
    await rank1.tick();
    expect(
      sent.map((t) => t.window),
      'rank 1, takeoverSeconds after the last signature',
    ).to.deep.equal([0]);
  });

  it('asks the peers once more before a pending claim: when they held more, it waits for the new fold and its signatures', async () => {
    // kill -9 fault run: a node folded a window alone after a restart and claimed it on the pending
    // path with 4 of 16 readings; the claim was overturned (or, when only the readings' owner
    // held them, they were lost for good). Now the pending claim first asks the peers.
    await db.coSignatures.put(
      { window: 0, signer: 1 },
      {
        window: 0,
        signer: 1,
        windowRoot: `0x${'44'.repeat(32)}`,
        stateHash: `0x${'22'.repeat(32)}`,
        balancesRoot: BALANCES,
        signature: '0x',
      },
    );
    let asked = 0;
    let peersHoldMore = true;
    const s = settlement(0, {
      beforePendingClaim: async () => {
        asked++;
        return peersHoldMore;
      },
    });
    at(windowEnd() + GRACE);
    await s.tick();
    expect(asked, 'not before the signature deadline').to.equal(0);
    const due = windowEnd() + GRACE + opts.signatureDeadlineSeconds;
    at(due);
    await s.tick();
    expect(asked).to.equal(1);
    expect(sent.length, 'no claim while the peers held more').to.equal(0);
    // The deadline counts anew; then the peers have nothing more: claimed, and not asked again.
    peersHoldMore = false;
    at(due + opts.signatureDeadlineSeconds - 1);
    await s.tick();
    expect(sent.length).to.equal(0);
    at(due + opts.signatureDeadlineSeconds);
    await s.tick();
    expect(asked).to.equal(2);
    expect(sent.length).to.equal(1);
  });

  it('does not ask the peers on the fast path (every signature over our result)', async () => {
    let asked = 0;
    const s = settlement(0, { beforePendingClaim: async () => ++asked > 0 });
    at(windowEnd() + GRACE);
    await s.tick();
    expect(asked).to.equal(0);
    expect(sent.length).to.equal(1);
  });

  it('the fast path counts from the window end, not end + grace (every participant signed: nothing is in flight)', async () => {
    const s = settlement(0);
    at(windowEnd() - 1);
    await s.tick();
    expect(sent).to.deep.equal([]);
    at(windowEnd());
    await s.tick();
    expect(sent.map((t) => t.window)).to.deep.equal([0]);
  });

  it('sync() reads the hub without sending: a window claimed on chain is known as settled before any reading is taken in', async () => {
    record = { ...record, status: WindowStatus.Pending, submittedAt: windowEnd(), signers: 1n };
    const s = settlement(0);
    expect(s.isWindowSettled(0)).to.equal(false);
    at(windowEnd() + GRACE + 100);
    expect(await s.sync()).to.equal(0);
    expect(s.isWindowSettled(0)).to.equal(true);
    expect(sent.length + finalizes).to.equal(0);
  });

  it('sync() reports each window final on chain in order (the balances of the next react from it)', async () => {
    const finalRecords = [0, 1].map((w) => ({
      ...record,
      windowRoot: `0x${String(w + 1).repeat(64)}`,
      balancesRoot: `0x${String(w + 5).repeat(64)}`,
      status: WindowStatus.Final,
    }));
    const seen: [number, string, number][] = [];
    const s = new Settlement(opts, {
      community,
      clock: clock.clock,
      db,
      hub: {
        ...hub,
        lastFinalizedWindow: async () => 1,
        windowRecord: async (w: number) => finalRecords[w] ?? record,
      } as unknown as HubClient,
      provider: provider as never,
      participantIndex: 0,
      address: community.participants[0],
      graceSeconds: GRACE,
      metrics: null,
      logger: createLogger({ level: 'error', name: 'test' }),
      onFinal: async (w, rec) => {
        // Called once the window counts as final here: the book reads it through finalRecord.
        seen.push([w, rec.balancesRoot, s.lastFinalWindow]);
      },
    });
    expect(await s.sync()).to.equal(2);
    expect(seen).to.deep.equal([
      [0, finalRecords[0].balancesRoot, 0],
      [1, finalRecords[1].balancesRoot, 1],
    ]);
    expect(s.finalRecord(1)?.balancesRoot).to.equal(finalRecords[1].balancesRoot);
    expect(s.finalRecord(2)).to.equal(undefined);
    await s.sync();
    expect(seen).to.have.length(2); // never twice
  });

  it('finalRecordNow() answers for a window final on chain since the last sync (GET /balances/<n> right after close), undefined for one that is not', async () => {
    const finals = [0, 1].map((w) => ({
      ...record,
      balancesRoot: `0x${String(w + 5).repeat(64)}`,
      status: WindowStatus.Final,
    }));
    let lastFinal = 0;
    const s = new Settlement(opts, {
      community,
      clock: clock.clock,
      db,
      hub: {
        ...hub,
        lastFinalizedWindow: async () => lastFinal,
        windowRecord: async (w: number) => finals[w] ?? record,
      } as unknown as HubClient,
      provider: provider as never,
      participantIndex: 0,
      address: community.participants[0],
      graceSeconds: GRACE,
      metrics: null,
      logger: createLogger({ level: 'error', name: 'test' }),
    });
    await s.sync();
    // Window 1 becomes final on chain; the node's loop has not read the hub since.
    lastFinal = 1;
    expect(s.finalRecord(1), 'the synced view lags').to.equal(undefined);
    expect((await s.finalRecordNow(1))?.balancesRoot).to.equal(finals[1].balancesRoot);
    expect((await s.finalRecordNow(0))?.balancesRoot).to.equal(finals[0].balancesRoot);
    expect(await s.finalRecordNow(2), 'not final: no balances served for it').to.equal(undefined);
    expect(await s.finalRecordNow(-1)).to.equal(undefined);
  });

  it('tracks a sent transaction until mined: no resend while it waits, however long', async () => {
    const s = settlement(0);
    at(windowEnd() + GRACE);
    await s.tick();
    expect(sent.length).to.equal(1);
    expect(sent[0].finalState, 'a fully signed result carries none (UnexpectedFinalState)').to.equal(null);
    for (let t = 1; t < opts.replaceAfterSeconds; t += 3) {
      at(windowEnd() + GRACE + t);
      await s.tick();
    }
    expect(sent.length).to.equal(1);
    receipts.set(sent[0].hash, { status: 1, gasUsed: 1n });
    minedNonce = 8;
    at(windowEnd() + GRACE + 200);
    await s.tick();
    expect(sent.length).to.equal(1);
    expect((await db.submissions.get(0))?.status).to.equal('mined');
  });

  it('replaces a transaction not mined in time with the same nonce and fees +12.5 %, never past the caps', async () => {
    const s = settlement(0);
    const t0 = windowEnd() + GRACE;
    at(t0);
    await s.tick();
    for (let k = 1; k <= 6; k++) {
      at(t0 + k * opts.replaceAfterSeconds);
      await s.tick();
    }
    expect(sent.every((x) => x.nonce === 7)).to.equal(true);
    const fees = sent.map((x) => x.maxFeePerGas);
    // 10 gwei, 11.25, 12.65 > cap 12: one replacement only, then it waits at the cap.
    expect(sent.length).to.equal(2);
    expect(fees[1] >= (fees[0] * 1125n) / 1000n).to.equal(true);
    expect(fees.every((f) => f <= parseUnits('12', 'gwei'))).to.equal(true);
    expect(sent[1].maxPriorityFeePerGas > sent[0].maxPriorityFeePerGas).to.equal(true);
    // The replaced one is mined after all: recorded as mined, nothing else sent.
    receipts.set(sent[0].hash, { status: 1, gasUsed: 1n });
    await s.tick();
    expect((await db.submissions.get(0))?.status).to.equal('mined');
  });

  it('a reverted transaction is not repeated blindly: exponential backoff, and a retry only if its simulation passes', async () => {
    const s = settlement(0);
    const t0 = windowEnd() + GRACE;
    at(t0);
    await s.tick();
    receipts.set(sent[0].hash, { status: 0, gasUsed: 1n }); // mined, reverted
    minedNonce = 8;
    await s.tick();
    expect((await db.submissions.get(0))?.status).to.equal('reverted');
    // 250 ms ticks for the whole backoff: nothing sent.
    for (let ms = 250; ms < 2000; ms += 250) {
      at(t0 + ms / 1000);
      await s.tick();
    }
    expect(sent.length).to.equal(1);
    // After the backoff the simulation (gas estimate) reverts: not sent, backoff doubles.
    failNextSend = true;
    at(t0 + 2);
    await s.tick();
    expect(sent.length).to.equal(1);
    const failed = await db.submissions.get(0);
    expect(failed?.status).to.equal('failed');
    expect(failed?.failures).to.equal(2);
    expect(failed!.notBefore! - (t0 + 2) * 1000).to.equal(4000);
    at(t0 + 5);
    await s.tick();
    expect(sent.length).to.equal(1);
    at(t0 + 6);
    await s.tick();
    expect(sent.length).to.equal(2);
  });
  it('an update that reverts SlashPending: the next tick finishes the pending slash, then the update goes after its backoff', async () => {
    // A slash too large for one transaction (paged, DESIGN.md §5.3) blocks a partial claim until someone
    // calls continueSlash to the end; a node that waited for someone else could wait for ever.
    const s = settlement(0);
    const t0 = windowEnd() + GRACE;
    slashPages = 3;
    at(t0);
    await s.tick();
    expect(sent.length).to.equal(0);
    expect((await db.submissions.get(0))?.status).to.equal('failed');
    expect(finishCalls).to.equal(0);
    at(t0 + 0.25);
    await s.tick();
    expect(finishCalls).to.equal(1);
    expect(slashPages).to.equal(0);
    // Once only: the flag is cleared, and the update is sent after its backoff.
    at(t0 + 1);
    await s.tick();
    expect(finishCalls).to.equal(1);
    at(t0 + 2);
    await s.tick();
    expect(sent.length).to.equal(1);
    expect(finishCalls).to.equal(1);
  });
});
