import { expect } from 'chai';
import { AbiCoder, getBytes } from 'ethers';
import { WindowStatus, type HubClient, type WindowRecord } from '../../src/chain/hubClient.js';
import {
  BalancesCodec,
  BalancesCodecError,
  BalancesCodecErrorCode,
  type NodeDb,
  type StoredBalances,
} from '../../src/db/index.js';
import { auditWindow } from '../../src/audit/audit.js';
import { Disputer } from '../../src/dispute/disputer.js';
import { serializeSignedReading, signReading } from '../../src/reading/signature.js';
import { BalanceBook, GENESIS_WINDOW, react, thiefBalances } from '../../src/node/balanceBook.js';
import { MeterKeyRing } from '../../src/reading/meterKeys.js';
import { createLogger } from '../../src/util/logger.js';
import { balancesRoot, genesisBalances } from '../../src/window/balances.js';
import { DISPUTE_PROOF_TYPES, DisputeKind } from '../../src/window/disputeProof.js';
import { emptyState, packState, stateHash, type ParticipantState } from '../../src/window/state.js';
import { tempDb, testCommunity } from '../utils/community.js';

const logger = createLogger({ level: 'error', name: 'test' });

/** A final state of `nets` (energy fields zero). */
const stateOf = (nets: bigint[]): ParticipantState[] => nets.map((net, i) => ({ ...emptyState(nets.length)[i], net }));

describe('balances per window: the store, the book and the BadBalances proof', () => {
  const { community } = testCommunity(3);
  const E = community.escrow;
  let db: NodeDb;
  let cleanup: () => Promise<void>;
  const final = new Map<number, WindowRecord>();
  let peersServe: ParticipantState[] | undefined;
  const book = () =>
    new BalanceBook({
      community,
      db,
      finalRecord: async (w) => final.get(w),
      fetchFinalState: async () => peersServe,
      metrics: null,
      logger,
    });
  const record = (over: Partial<WindowRecord>): WindowRecord => ({
    windowRoot: `0x${'11'.repeat(32)}`,
    stateHash: `0x${'22'.repeat(32)}`,
    balancesRoot: `0x${'33'.repeat(32)}`,
    signers: 7n,
    submittedAt: 0,
    status: WindowStatus.Final,
    ...over,
  });

  beforeEach(async () => {
    ({ db, cleanup } = await tempDb());
    final.clear();
    peersServe = undefined;
  });
  afterEach(async () => cleanup());

  describe('BalancesCodec (bucket 8)', () => {
    const sample = (): StoredBalances => {
      const leaves = genesisBalances(community.participants, E).map((b, i) => ({
        ...b,
        debt: BigInt(i) * 7n,
        claim: (1n << 255n) - BigInt(i),
      }));
      const totalClaims = 12345n;
      return { window: 9, balancesRoot: balancesRoot(leaves, totalClaims), totalClaims, leaves };
    };
    const code = (bytes: Uint8Array) => {
      try {
        BalancesCodec.decode(bytes);
        return 'ok';
      } catch (e) {
        if (e instanceof BalancesCodecError) return e.type.code;
        throw e;
      }
    };

    it('round-trips exactly, 256-bit values included', () => {
      const b = sample();
      expect(BalancesCodec.decode(BalancesCodec.encode(b))).to.deep.equal(b);
    });

    it('refuses a value of the wrong length, and one whose leaves do not make its root (damaged store)', () => {
      const bytes = BalancesCodec.encode(sample());
      expect(code(bytes.subarray(0, bytes.length - 1))).to.equal(BalancesCodecErrorCode.WRONG_LENGTH);
      expect(code(new Uint8Array(10))).to.equal(BalancesCodecErrorCode.WRONG_LENGTH);
      const count = Buffer.from(bytes);
      count.writeUInt32BE(0xffffffff, 68); // a huge count: refused before any allocation
      expect(code(count)).to.equal(BalancesCodecErrorCode.WRONG_LENGTH);
      const tampered = Buffer.from(bytes);
      tampered[tampered.length - 1] ^= 1; // the last leaf's claim
      expect(code(tampered)).to.equal(BalancesCodecErrorCode.ROOT_MISMATCH);
    });

    it('the repository keys by (window, balancesRoot) and lists a window in order', async () => {
      const a = sample();
      const leaves = a.leaves.map((l) => ({ ...l, debt: l.debt + 1n }));
      const b = { ...a, leaves, balancesRoot: balancesRoot(leaves, a.totalClaims) };
      await db.balances.put({ window: 9, balancesRoot: a.balancesRoot }, a);
      await db.balances.put({ window: 9, balancesRoot: b.balancesRoot }, b);
      expect(await db.balances.get({ window: 9, balancesRoot: b.balancesRoot })).to.deep.equal(b);
      expect((await db.balances.listWindow(9)).map((x) => x.balancesRoot).sort()).to.deep.equal(
        [a.balancesRoot, b.balancesRoot].sort(),
      );
      expect(await db.balances.listWindow(8)).to.deep.equal([]);
    });
  });

  describe('BalanceBook', () => {
    it('window 0 reacts on the genesis: the participants in index order, each with the configured escrow', async () => {
      const g = book().genesis();
      expect(g.window).to.equal(GENESIS_WINDOW);
      expect(g.leaves.map((b) => b.participant)).to.deep.equal(community.participants);
      expect(g.leaves.every((b) => b.escrow === E && b.debt === 0n && b.claim === 0n)).to.equal(true);
      const after = await book().after(0, stateOf([-5n, 2n, 3n]));
      expect(after.leaves.map((b) => b.escrow)).to.deep.equal([E - 5n, E + 2n, E + 3n]);
      expect(await db.balances.get({ window: 0, balancesRoot: after.balancesRoot })).to.deep.equal(after);
    });

    it('a debtor short of escrow: its debt and the creditors claims, carried into the next window', async () => {
      const b = book();
      const w0 = await b.after(0, stateOf([-(E + 10n), E + 10n, 0n]));
      expect(w0.leaves[0]).to.include({ escrow: 0n, debt: 10n });
      expect(w0.leaves[1]).to.include({ escrow: 2n * E, claim: 10n });
      expect(w0.totalClaims).to.equal(10n);
      await db.windowResults.put(0, {
        window: 0,
        windowRoot: `0x${'11'.repeat(32)}`,
        stateHash: stateHash(stateOf([-(E + 10n), E + 10n, 0n])),
        balancesRoot: w0.balancesRoot,
        finalState: stateOf([-(E + 10n), E + 10n, 0n]),
        intervals: [],
        readingCount: 0,
        voidedSlots: 0,
        committedAt: 0,
      });
      // Window 0 still pending: window 1 reacts on our own balances of window 0.
      const w1 = await b.after(1, stateOf([0n, -1n, 1n]));
      expect(w1.totalClaims).to.equal(10n);
      expect(w1.leaves[0].debt).to.equal(10n);
      // Anchored (what a proof must carry): nothing until window 0 is final on chain.
      expect(await b.before(1, true)).to.equal(undefined);
      final.set(0, record({ balancesRoot: w0.balancesRoot }));
      expect((await b.before(1, true))?.balancesRoot).to.equal(w0.balancesRoot);
    });

    it("adopts the chain's final balances from the final claim's state (peers), checked against its root", async () => {
      const served = stateOf([-3n, 0n, 3n]);
      const next = react(book().genesis(), served);
      const root = balancesRoot(next.leaves, next.totalClaims);
      final.set(0, record({ stateHash: stateHash(served), balancesRoot: root }));
      // No peer serves it: unknown (and our own window 0 is not there either).
      expect(await book().before(1, true)).to.equal(undefined);
      peersServe = served;
      const adopted = await book().before(1, true);
      expect(adopted?.balancesRoot).to.equal(root);
      expect(await db.balances.get({ window: 0, balancesRoot: root })).to.deep.equal(adopted);
      // A final root that is not the reaction of the served state is never adopted.
      await cleanup();
      ({ db, cleanup } = await tempDb());
      final.set(0, record({ stateHash: stateHash(served), balancesRoot: `0x${'44'.repeat(32)}` }));
      expect(await book().before(1, true)).to.equal(undefined);
      // Nor a served state that is not the claim's.
      final.set(0, record({ stateHash: `0x${'22'.repeat(32)}`, balancesRoot: root }));
      expect(await book().before(1, true)).to.equal(undefined);
    });

    it('thief-balances: every escrow to the thief, Σ escrow kept', () => {
      const honest = genesisBalances(community.participants, E);
      const { leaves, totalClaims } = thiefBalances(2)(honest, 5n);
      expect(leaves.map((b) => b.escrow)).to.deep.equal([0n, 0n, 3n * E]);
      expect(totalClaims).to.equal(5n);
    });
  });

  describe('auditWindow with the final balances', () => {
    it("agrees with the honest balances root, disagrees with the thief's (same window root and state)", async () => {
      const { meterKeys } = testCommunity(3);
      const readings = [0, 1, 2].map((m) =>
        serializeSignedReading(
          signReading(
            {
              chainId: community.chainId,
              hub: community.hub,
              communityId: community.communityId,
              meterIndex: m,
              interval: 1,
              exportWh: m === 1 ? 400 : 0,
              importWh: m === 1 ? 0 : 300,
            },
            meterKeys[m].secretKey,
          ),
        ),
      );
      const balances = book();
      const probe = await auditWindow(community, 0, { db, record: record({ status: 1 }), readings, balances });
      const { folded } = probe;
      expect(folded.finalState.some((p) => p.net !== 0n)).to.equal(true);
      const honest = react(balances.genesis(), folded.finalState);
      const honestRoot = balancesRoot(honest.leaves, honest.totalClaims);
      const stolen = thiefBalances(0)(honest.leaves, honest.totalClaims);
      const claim = (balances: string) =>
        record({ windowRoot: folded.commitment.windowRoot, stateHash: folded.stateHash, balancesRoot: balances });
      const ok = await auditWindow(community, 0, { db, record: claim(honestRoot), readings, balances });
      expect(ok.verdict).to.equal('agree');
      expect(ok.replay.balancesRoot).to.equal(honestRoot);
      const thief = claim(balancesRoot(stolen.leaves, stolen.totalClaims));
      expect((await auditWindow(community, 0, { db, record: thief, readings, balances })).verdict).to.equal('disagree');
      // Without the balances (an auditor that cannot rebuild them) the root is not checked.
      const unchecked = await auditWindow(community, 0, { db, record: thief, readings });
      expect(unchecked.verdict).to.equal('agree');
      expect(unchecked.replay.balancesRoot).to.equal(undefined);
    });
  });

  describe('Disputer.balancesProof (kind 6)', () => {
    const disputer = () =>
      new Disputer({
        community,
        participantIndex: 1,
        keys: new MeterKeyRing(community.meters),
        db,
        hub: {} as HubClient,
        balances: book(),
        fetchCommitments: async () => [],
        metrics: null,
        logger,
      });
    const nets = [-4n, 1n, 3n];
    const state = stateOf(nets);
    const honest = react(book().genesis(), state);
    const claim = (balances: string) => record({ stateHash: stateHash(state), balancesRoot: balances, status: 1 });

    it('none against the honest reaction', async () => {
      expect(await disputer().balancesProof(0, claim(balancesRoot(honest.leaves, honest.totalClaims)), state)).to.equal(
        undefined,
      );
    });

    it("against the thief's root: the genesis balances, their claims total and the final state packed", async () => {
      const stolen = thiefBalances(0)(honest.leaves, honest.totalClaims);
      const proof = await disputer().balancesProof(0, claim(balancesRoot(stolen.leaves, stolen.totalClaims)), state);
      expect(proof?.kind).to.equal(DisputeKind.BadBalances);
      const [decoded] = AbiCoder.defaultAbiCoder().decode([DISPUTE_PROOF_TYPES[DisputeKind.BadBalances]], proof!.data);
      expect(decoded.previous.map((b: { participant: string }) => b.participant)).to.deep.equal(community.participants);
      expect(decoded.previous.map((b: { escrow: bigint }) => b.escrow)).to.deep.equal([E, E, E]);
      expect(decoded.previousTotalClaims).to.equal(0n);
      expect(getBytes(decoded.finalState)).to.deep.equal(packState(state));
    });

    it('against a state that hashes right but cannot be reacted (Σ net ≠ 0: fraud by itself)', async () => {
      const unbalanced = stateOf([5n, 0n, 0n]);
      const rec = record({ stateHash: stateHash(unbalanced), status: 1 });
      expect((await disputer().balancesProof(0, rec, unbalanced))?.kind).to.equal(DisputeKind.BadBalances);
    });

    it('none when the state is not the claim, or the final balances of the window before are unknown', async () => {
      expect(await disputer().balancesProof(0, record({ status: 1 }), state)).to.equal(undefined);
      expect(await disputer().balancesProof(1, claim(`0x${'55'.repeat(32)}`), state)).to.equal(undefined);
    });
  });
});
