import { expect } from 'chai';
import { hubDomain, recoverWindowResultSigner, signWindowResult } from '../../src/chain/eip712.js';
import { storeValidReadings } from '../../src/chain/validation/reading.js';
import { CoSignatureGossipErrorCode, type GossipValidationError } from '../../src/chain/errors.js';
import type { NodeDb, StoredWindowResult } from '../../src/db/index.js';
import { decodeCoSignature, encodeCoSignature } from '../../src/network/messages.js';
import { WindowStatus, type WindowRecord } from '../../src/chain/hubClient.js';
import { BalanceBook, type BalancesStrategy, thiefBalances } from '../../src/node/balanceBook.js';
import { ByzantineMode, byzantineStrategy } from '../../src/node/byzantine.js';
import { balancesRoot, genesisBalances, reactBalances } from '../../src/window/balances.js';
import { CoSigner } from '../../src/node/coSigner.js';
import { CLAIM_WAITS_FOR_PEERS, commitmentFrames, honestFold, WindowCommitter } from '../../src/node/committer.js';
import { assembleWindow } from '../../src/window/assemble.js';
import { foldAndCommit } from '../../src/window/fold.js';
import { fromHex, toHex } from '../../src/util/hex.js';
import { NodeEvents } from '../../src/node/events.js';
import type { WindowRequest } from '../../src/network/reqresp.js';
import { deserializeSignedReading, fastReadingSigner, serializeSignedReading } from '../../src/reading/signature.js';
import { createLogger } from '../../src/util/logger.js';
import { MeterKeyRing } from '../../src/reading/meterKeys.js';
import { manualClock, tempDb, testCommunity } from '../utils/community.js';

/**
 * The parts split out of the node, each on its own with a real store and fakes for the network
 * (and nothing else): they talk only through `NodeEvents`.
 */
describe('node parts: co-signer and window committer', () => {
  const { community, wallets, meterKeys } = testCommunity(3);
  const domain = hubDomain(community.chainId, community.hub);
  const logger = createLogger({ level: 'error', name: 'test' });
  const signers = meterKeys.map((k) => fastReadingSigner(k.secretKey.subarray(0, 32)));
  const reading = (meter: number, interval: number, exportWh = 10, importWh = 0) =>
    signers[meter]({
      chainId: community.chainId,
      hub: community.hub,
      communityId: community.communityId,
      meterIndex: meter,
      interval,
      exportWh,
      importWh,
    });
  /** Every slot of window 0 stored, as gossip would have delivered them; the readings stored. */
  const storeWholeWindow0 = async () => {
    const all = [];
    for (let t = 0; t < community.windowIntervals; t++)
      for (let m = 0; m < community.meters.length; m++)
        all.push({ kind: 'new' as const, signed: reading(m, t), window: 0 });
    await storeValidReadings(db, all);
    return all;
  };
  let db: NodeDb;
  let cleanup: () => Promise<void>;
  let events: NodeEvents;
  let published: Uint8Array[];
  let failPublish: boolean;
  // Window 1 is over (intervals 4..7 end at start + 80 s) with the grace period.
  const { clock, state } = manualClock(community, community.start + 8 * 10 + 5);

  beforeEach(async () => {
    ({ db, cleanup } = await tempDb());
    events = new NodeEvents(logger);
    published = [];
    failPublish = false;
    state.now = community.start + 8 * 10 + 5;
  });
  afterEach(() => cleanup());

  const coSigner = (participantIndex = 0, next = () => 2, lastFinal = () => -1) =>
    new CoSigner({
      community,
      clock,
      db,
      participantIndex,
      signer: wallets[participantIndex],
      domain,
      publish: async (bytes) => {
        if (failPublish) throw new Error('no peers subscribed');
        published.push(bytes);
      },
      lastFinalWindow: lastFinal,
      nextWindowToCommit: next,
      events,
      metrics: null,
      logger,
    });

  const result = (window: number, root = `0x${'ab'.repeat(32)}`): StoredWindowResult => ({
    window,
    windowRoot: root,
    stateHash: `0x${'cd'.repeat(32)}`,
    balancesRoot: `0x${'ba'.repeat(32)}`,
    finalState: [],
    intervals: [],
    readingCount: 0,
    voidedSlots: 0,
    committedAt: 0,
  });

  describe('CoSigner', () => {
    it('signs what was committed (windowCommitted), stores it and publishes it before the emit returns', async () => {
      coSigner(1);
      const r = result(0);
      await db.windowResults.put(0, r);
      await events.emit('windowCommitted', { result: r, refold: false });
      expect(published).to.have.length(1);
      const msg = decodeCoSignature(published[0]);
      expect(msg).to.include({
        window: 0,
        signer: 1,
        windowRoot: r.windowRoot,
        stateHash: r.stateHash,
        balancesRoot: r.balancesRoot,
      });
      const signer = recoverWindowResultSigner(
        domain,
        {
          communityId: community.communityId,
          window: 0,
          windowRoot: r.windowRoot,
          stateHash: r.stateHash,
          balancesRoot: r.balancesRoot,
        },
        msg.signature,
      );
      expect(signer).to.equal(wallets[1].address);
      expect(await db.coSignatures.get({ window: 0, signer: 1 })).to.deep.include({ signature: msg.signature });
    });

    it('says coSignaturesComplete once every participant signed our result (the submitter acts at once), not before, once', async () => {
      const part = coSigner(0);
      const complete: number[] = [];
      events.on('coSignaturesComplete', ({ window }) => {
        complete.push(window);
      });
      const r = result(0);
      const peerSignature = async (signer: number, root = r.windowRoot) => ({
        window: 0,
        windowRoot: root,
        stateHash: r.stateHash,
        balancesRoot: r.balancesRoot,
        signer,
        signature: await signWindowResult(wallets[signer], domain, {
          communityId: community.communityId,
          window: 0,
          windowRoot: root,
          stateHash: r.stateHash,
          balancesRoot: r.balancesRoot,
        }),
      });
      // Participant 2's signature arrives before we folded the window (nothing to compare it with yet).
      await part.store(await peerSignature(2));
      await db.windowResults.put(0, r);
      await events.emit('windowCommitted', { result: r, refold: false });
      expect(complete).to.deep.equal([]);
      // A signature over another result does not complete ours.
      await part.store(await peerSignature(1, `0x${'99'.repeat(32)}`));
      expect(complete).to.deep.equal([]);
      await part.store(await peerSignature(1));
      expect(complete).to.deep.equal([0]);
      // The same signature again (a re-send) says nothing more.
      await part.store(await peerSignature(1));
      expect(complete).to.deep.equal([0]);
    });

    it('does not re-send a signature it published less than a period ago (every peer just got it), does after', async () => {
      // 10-node finality run: an upkeep round right after the fold re-sent each new signature, and all
      // 9 peers checked and dropped it as a duplicate while the window was on its way to final.
      const part = coSigner(0);
      const r = result(0);
      await db.windowResults.put(0, r);
      await events.emit('windowCommitted', { result: r, refold: false });
      expect(published).to.have.length(1);
      published = [];
      const signedAt = Date.now();
      expect(await part.republish(signedAt + 1)).to.equal(0);
      expect(published).to.deep.equal([]);
      // The upkeep period here is the interval (10 s).
      expect(await part.republish(signedAt + 10_001)).to.equal(1);
      expect(decodeCoSignature(published[0])).to.include({ window: 0, signer: 0 });
    });

    it('a publish failure (no peer yet) is logged, the signature is kept for the upkeep to resend', async () => {
      const part = coSigner(0);
      failPublish = true;
      const r = result(0);
      await db.windowResults.put(0, r);
      await events.emit('windowCommitted', { result: r, refold: false });
      expect(await db.coSignatures.get({ window: 0, signer: 0 })).to.not.equal(undefined);
      failPublish = false;
      expect(await part.republish(1_000_000)).to.equal(1);
      expect(decodeCoSignature(published[0])).to.include({ window: 0, signer: 0 });
    });

    it("a peer's signature over another result is stored and reported as a disagreement; it never replaces an agreeing one", async () => {
      const part = coSigner(0);
      const disagreements: { window: number; signer: number }[] = [];
      events.on('coSignatureDisagrees', (e) => {
        disagreements.push(e);
      });
      const ours = result(1);
      await db.windowResults.put(1, ours);
      const sign = async (signer: number, root: string, balancesRoot = ours.balancesRoot) =>
        encodeCoSignature({
          window: 1,
          signer,
          windowRoot: root,
          stateHash: ours.stateHash,
          balancesRoot,
          signature: await signWindowResult(wallets[signer], domain, {
            communityId: community.communityId,
            window: 1,
            windowRoot: root,
            stateHash: ours.stateHash,
            balancesRoot,
          }),
        });
      const other = `0x${'ef'.repeat(32)}`;
      await part.onGossip(await sign(1, ours.windowRoot));
      expect(disagreements).to.deep.equal([]);
      await part.onGossip(await sign(2, other));
      expect(disagreements).to.deep.equal([{ window: 1, signer: 2 }]);
      expect((await db.coSignatures.get({ window: 1, signer: 2 }))?.windowRoot).to.equal(other);
      // Signer 1 later signs something else: its agreeing signature stays (the submitter needs it), and the
      // other one is ignored before its recovery (a superseded signature, as a replay of it would be).
      const superseded = await part.onGossip(await sign(1, other)).then(
        () => 'kept',
        (e) => (e as GossipValidationError).code,
      );
      expect(superseded).to.equal(CoSignatureGossipErrorCode.SUPERSEDED);
      expect((await db.coSignatures.get({ window: 1, signer: 1 }))?.windowRoot).to.equal(ours.windowRoot);
      // Same window root and state, other balances: a disagreement exactly like another state.
      await part.onGossip(await sign(0, ours.windowRoot, `0x${'0b'.repeat(32)}`));
      expect(disagreements).to.deep.equal([
        { window: 1, signer: 2 },
        { window: 1, signer: 0 },
      ]);
    });

    it('warm-up (start-up, off the record): signs and checks a co-signature, stores and publishes nothing', async () => {
      let emitted = 0;
      events.on('coSignatureDisagrees', () => {
        emitted++;
      });
      expect(await coSigner(1).warmUp()).to.equal(true);
      // Another key than the participant's: its own signature does not check as participant 1's.
      const wrong = new CoSigner({
        ...{ community, clock, db, participantIndex: 1, domain, events, metrics: null, logger },
        signer: {
          ...wallets[2],
          getAddress: async () => wallets[1].address,
          signTypedData: wallets[2].signTypedData.bind(wallets[2]),
        } as never,
        publish: async (bytes) => {
          published.push(bytes);
        },
        lastFinalWindow: () => -1,
        nextWindowToCommit: () => 0,
      });
      expect(await wrong.warmUp()).to.equal(false);
      expect(published).to.deep.equal([]);
      expect(await db.coSignatures.listWindow(0)).to.deep.equal([]);
      expect(emitted).to.equal(0);
    });

    it('republishes its own signatures of the windows committed and not final, at most every 2 s (or interval)', async () => {
      const part = coSigner(
        0,
        () => 3,
        () => 0,
      );
      for (const w of [0, 1, 2]) {
        await db.windowResults.put(w, result(w));
        await events.emit('windowCommitted', { result: result(w), refold: false });
      }
      published = [];
      expect(await part.republish(5_000_000)).to.equal(2);
      expect(published.map((b) => decodeCoSignature(b).window)).to.deep.equal([1, 2]);
      expect(await part.republish(5_000_000 + 9_999)).to.equal(0);
      expect(await part.republish(5_000_000 + 10_000)).to.equal(2);
    });
  });

  describe('WindowCommitter', () => {
    const requests: WindowRequest[] = [];
    let peers: unknown[];
    let served: Uint8Array[];
    /** Each peer's answer to `commitment` (one list of frames per peer). */
    let servedCommitments: Uint8Array[][];
    const network = {
      connectedPeers: () => peers as never,
      requestAll: async (req: WindowRequest) => {
        requests.push(req);
        if (peers.length === 0) return [];
        if (req.method === 'commitment') return servedCommitments.map((items) => ({ peer: 'p' as never, items }));
        return req.method === 'readings' ? [{ peer: 'p' as never, items: served }] : [];
      },
    };
    const final = new Map<number, WindowRecord>();
    const committer = (fold = honestFold, settled: (w: number) => boolean = () => false, strategy?: BalancesStrategy) =>
      new WindowCommitter(
        { graceSeconds: 5, reconcileTimeoutMs: 100, maxPeerWaitSeconds: 30 },
        {
          community,
          keys: new MeterKeyRing(community.meters),
          clock,
          db,
          network,
          fold,
          balances: new BalanceBook({ community, db, finalRecord: async (w) => final.get(w), metrics: null, logger }),
          balancesStrategy: strategy,
          ingest: async (bytes) => {
            const signed = deserializeSignedReading(bytes);
            const valid = { kind: 'new' as const, signed, window: Math.floor(signed.reading.interval / 4) };
            await storeValidReadings(db, [valid]);
            await events.emit('readingStored', { window: valid.window, source: 'reconcile', equivocation: false });
            return valid;
          },
          isWindowSettled: settled,
          bootstrapPeers: 1,
          events,
          metrics: null,
          logger,
        },
      );

    beforeEach(() => {
      final.clear();
      requests.length = 0;
      peers = ['p'];
      served = [];
      servedCommitments = [];
    });

    it('adopts the readings of a final claim it lacks (restarted, offline): only a commitment that folds to the final root, validly signed', async () => {
      // kill -9 ×20 ended 29/30 and "node offline 3 windows" 3/4: a node that lacked readings the final
      // claim holds stayed disagreeing with the chain for good.
      await storeValidReadings(db, [{ kind: 'new', signed: reading(0, 0), window: 0 }]);
      const part = committer(honestFold, (w) => w === 0);
      await part.init();
      await part.tick();
      const ours = (await db.windowResults.get(0))!;
      // The claim made final: three more readings of window 0 than ours.
      const claimed = [reading(0, 0), reading(1, 1, 40), reading(2, 2, 0, 25), reading(1, 3, 7)];
      const assembled = assembleWindow(0, community.windowIntervals, community.meters.length, claimed, []);
      const folded = foldAndCommit(community, 0, assembled);
      const frames = commitmentFrames(assembled, folded).map((f) => Buffer.from(f));
      const record: WindowRecord = {
        windowRoot: folded.commitment.windowRoot,
        stateHash: folded.stateHash,
        balancesRoot: `0x${'ba'.repeat(32)}`,
        signers: 0b111n,
        submittedAt: 1,
        status: WindowStatus.Final,
      };
      expect(ours.windowRoot).to.not.equal(record.windowRoot);
      // Hostile answers first: a reading with its values changed (bad signature), a reading moved to
      // another slot, our own smaller fold (valid, other root), garbage.
      const forged = JSON.parse(frames[1].toString()) as { slots: (string | null)[] };
      const bytes = fromHex(forged.slots[1]!);
      bytes[bytes.length - 70] ^= 1;
      forged.slots[1] = toHex(bytes);
      const moved = JSON.parse(frames[2].toString()) as { slots: (string | null)[] };
      moved.slots = [moved.slots[2], null, null];
      servedCommitments = [
        [frames[0], Buffer.from(JSON.stringify(forged)), frames[2], frames[3]],
        [frames[0], frames[1], Buffer.from(JSON.stringify(moved)), frames[3]],
        (await db.commitments.listWindow(0)).map((c) => c.frames.map((f) => Buffer.from(f)))[0],
        [Buffer.from('not json'), frames[1], frames[2], frames[3]],
        frames.slice(0, 3),
      ];
      await part.onWindowFinal(0, record);
      expect(part.adoptionsWanted).to.deep.equal([0]);
      await part.tick();
      expect((await db.windowResults.get(0))?.windowRoot).to.equal(ours.windowRoot);
      expect(await db.readings.listWindow(0)).to.have.length(1);
      // The claimant's commitment: adopted, its readings stored, our result is the final one.
      servedCommitments.push(frames);
      state.now += community.intervalSeconds;
      await part.tick();
      const adopted = (await db.windowResults.get(0))!;
      expect(adopted.windowRoot).to.equal(record.windowRoot);
      expect(adopted.stateHash).to.equal(record.stateHash);
      expect(adopted.readingCount).to.equal(4);
      expect(
        (await db.readings.listWindow(0)).map((r) => `${r.reading.interval}:${r.reading.meterIndex}`),
      ).to.have.members(['0:0', '1:1', '2:2', '3:1']);
      // Served as held from now on (a peer asking for the final claim gets it from us too).
      expect((await db.commitments.listWindow(0)).map((c) => c.windowRoot)).to.include(record.windowRoot);
      expect(part.adoptionsWanted).to.deep.equal([]);
    });

    it('a final window whose root is ours is not adopted (nothing fetched)', async () => {
      const part = committer(honestFold, (w) => w === 0);
      await part.init();
      await part.tick();
      const ours = (await db.windowResults.get(0))!;
      requests.length = 0;
      await part.onWindowFinal(0, { ...ours, signers: 0b111n, submittedAt: 1, status: WindowStatus.Final });
      await part.tick();
      expect(part.adoptionsWanted).to.deep.equal([]);
      expect(requests.filter((r) => r.method === 'commitment')).to.deep.equal([]);
    });

    it('commits each window once it is over plus the grace period, after fetching it from the peers, and says so (windowCommitted)', async () => {
      const part = committer();
      await part.init();
      const committed: number[] = [];
      events.on('windowCommitted', ({ result }) => {
        committed.push(result.window);
      });
      served = [serializeSignedReading(reading(0, 4))];
      await part.tick();
      expect(committed).to.deep.equal([0, 1]);
      expect(part.nextWindowToCommit).to.equal(2);
      expect(requests.filter((r) => r.method === 'readings').map((r) => r.window)).to.deep.equal([0, 1]);
      expect((await db.windowResults.get(1))?.readingCount).to.equal(1);
      // The commitment frames are stored as signed.
      const signed = await db.commitments.listWindow(1);
      expect(signed.map((c) => c.windowRoot)).to.deep.equal([(await db.windowResults.get(1))?.windowRoot]);
      // A restart resumes where it stopped.
      const again = committer();
      await again.init();
      expect(again.nextWindowToCommit).to.equal(2);
    });

    it('waits for a peer (a node that just started must fetch the window first), at most maxPeerWaitSeconds', async () => {
      const part = committer();
      await part.init();
      peers = [];
      expect(part.readyToCommit(1)).to.equal(false);
      state.now = community.start + 8 * 10 + 5 + 30;
      expect(part.readyToCommit(1)).to.equal(true);
      expect(part.readyToCommit(2)).to.equal(false);
    });

    it('a reading stored late for a committed window folds it again (refold) until the window is on chain', async () => {
      let settled = false;
      const part = committer(honestFold, () => settled);
      await part.init();
      await part.tick();
      const before = await db.windowResults.get(1);
      const refolds: boolean[] = [];
      events.on('windowCommitted', ({ refold }) => {
        refolds.push(refold);
      });
      const late = { kind: 'new' as const, signed: reading(1, 5), window: 1 };
      await storeValidReadings(db, [late]);
      await events.emit('readingStored', { window: 1, source: 'gossip', equivocation: false });
      await part.tick();
      const after = await db.windowResults.get(1);
      expect(after?.readingCount).to.equal((before?.readingCount ?? 0) + 1);
      expect(after?.windowRoot).to.not.equal(before?.windowRoot);
      expect(refolds).to.deep.equal([true]);
      // Both signed commitments are kept (the one on chain is served).
      expect((await db.commitments.listWindow(1)).length).to.equal(2);
      // Once on chain, no more re-folds.
      settled = true;
      await storeValidReadings(db, [{ kind: 'new', signed: reading(2, 6), window: 1 }]);
      await events.emit('readingStored', { window: 1, source: 'gossip', equivocation: false });
      await part.tick();
      expect((await db.windowResults.get(1))?.windowRoot).to.equal(after?.windowRoot);
    });

    it('a disagreeing co-signature (coSignatureDisagrees) makes it fetch that window from the peers again', async () => {
      const part = committer();
      await part.init();
      await part.tick();
      requests.length = 0;
      await events.emit('coSignatureDisagrees', { window: 0, signer: 2 });
      served = [serializeSignedReading(reading(2, 1))];
      await part.tick();
      expect(requests.map((r) => `${r.method} ${r.window}`)).to.deep.equal(['readings 0', 'equivocations 0']);
      expect((await db.windowResults.get(0))?.readingCount).to.equal(1);
    });

    it("a peer's signature over another result held BEFORE we commit (or from before a restart) still makes us fetch the window", async () => {
      // kill -9 fault run: a peer's signature arrived while this node had no result for the window
      // (nothing to compare it with: no disagreement), and every re-send of it is a duplicate. The
      // node committed fewer readings and never fetched the peer's: the window was claimed without them.
      const part = committer();
      const signing = coSigner(0);
      await part.init();
      const other = `0x${'ef'.repeat(32)}`;
      const stateHash = `0x${'cd'.repeat(32)}`;
      const balancesRoot = `0x${'ba'.repeat(32)}`;
      const fields = { communityId: community.communityId, window: 0, windowRoot: other, stateHash, balancesRoot };
      await signing.onGossip(
        encodeCoSignature({
          window: 0,
          signer: 2,
          windowRoot: other,
          stateHash,
          balancesRoot,
          signature: await signWindowResult(wallets[2], domain, fields),
        }),
      );
      await part.tick();
      // Once when committing, once more because signer 2 signed something else.
      expect(requests.filter((r) => r.method === 'readings' && r.window === 0)).to.have.length(2);
      // A restart: the disagreement is found again from the store, for the windows not yet final.
      expect(await signing.reportDisagreements(0)).to.equal(1);
      expect(await signing.reportDisagreements(1)).to.equal(0);
    });

    it('after a restart, readings stored after a fold (the refold mark died with the process) are folded in', async () => {
      // kill -9 fault run: node 0 stored readings it fetched for window 0, was killed before folding
      // them in, and after its restart claimed window 0 from the stale fold (7 of 16 readings).
      const part = committer();
      await part.init();
      await part.tick();
      expect((await db.windowResults.get(0))?.readingCount).to.equal(0);
      await storeValidReadings(db, [{ kind: 'new', signed: reading(2, 1), window: 0 }]);
      const restarted = committer();
      await restarted.init(0);
      await restarted.tick();
      expect((await db.windowResults.get(0))?.readingCount).to.equal(1);
    });

    it('refreshBeforeClaim: fetches the window once more and folds it at once; true only when the result changed', async () => {
      const part = committer();
      await part.init();
      await part.tick();
      served = [serializeSignedReading(reading(2, 1))];
      expect(await part.refreshBeforeClaim(0)).to.equal(true);
      expect((await db.windowResults.get(0))?.readingCount).to.equal(1);
      expect(await part.refreshBeforeClaim(0)).to.equal(false);
    });

    it('refreshBeforeClaim: while no peer answers, puts the pending claim off a few rounds, then lets it go', async () => {
      const part = committer();
      await part.init();
      await part.tick();
      peers = [];
      for (let i = 0; i < CLAIM_WAITS_FOR_PEERS; i++) expect(await part.refreshBeforeClaim(0)).to.equal(true);
      expect(await part.refreshBeforeClaim(0)).to.equal(false);
    });

    it('folds a window whose every slot it holds as soon as it is over, without the grace period', async () => {
      const part = committer();
      state.now = community.start + 4 * 10; // window 0 just over, grace (5 s) not yet
      await part.init();
      await part.tick();
      expect(part.nextWindowToCommit).to.equal(0);
      const all = await storeWholeWindow0();
      state.now = community.start + 4 * 10 - 1; // not before its end
      await part.tick();
      expect(part.nextWindowToCommit).to.equal(0);
      state.now = community.start + 4 * 10;
      await part.tick();
      expect(part.nextWindowToCommit).to.equal(1);
      expect((await db.windowResults.get(0))?.readingCount).to.equal(all.length);
    });

    it('awaitsFold: a reading stored for a window that is over and not folded yet wakes the commit loop; others do not', async () => {
      const part = committer();
      state.now = community.start + 4 * 10 - 1; // window 0 not over yet
      await part.init();
      expect(part.awaitsFold(0)).to.equal(false);
      state.now = community.start + 4 * 10; // window 0 over: its last readings are arriving
      expect(part.awaitsFold(0)).to.equal(true);
      expect(part.awaitsFold(1)).to.equal(false);
      await storeWholeWindow0();
      await part.tick();
      expect(part.nextWindowToCommit).to.equal(1);
      // Folded: a late reading of it is a re-fold's business (the tick), not a wake.
      expect(part.awaitsFold(0)).to.equal(false);
      state.now = community.start + 10 * 4 * 10; // past the community's last window
      expect(part.awaitsFold(community.windowCount)).to.equal(false);
    });

    it('does not ask the peers when committing a window whose every slot it holds (gossip delivered it)', async () => {
      const part = committer();
      await part.init();
      const all = await storeWholeWindow0();
      await part.tick();
      expect(requests.filter((r) => r.window === 0)).to.deep.equal([]);
      expect(requests.filter((r) => r.window === 1).map((r) => r.method)).to.deep.equal(['readings', 'equivocations']);
      expect((await db.windowResults.get(0))?.readingCount).to.equal(all.length);
    });

    it('the fold is a strategy: a byzantine mode changes what is committed, not the committer', async () => {
      await storeValidReadings(
        db,
        [0, 1, 2].map((m) => ({ kind: 'new' as const, signed: reading(m, 2), window: 0 })),
      );
      const honest = committer();
      await honest.init();
      await honest.tick();
      const honestResult = await db.windowResults.get(0);
      await cleanup();
      ({ db, cleanup } = await tempDb());
      await storeValidReadings(
        db,
        [0, 1, 2].map((m) => ({ kind: 'new' as const, signed: reading(m, 2), window: 0 })),
      );
      const cheat = committer(byzantineStrategy(ByzantineMode.WrongFinalState));
      await cheat.init();
      await cheat.tick();
      const cheatResult = await db.windowResults.get(0);
      expect(cheatResult?.windowRoot).to.equal(honestResult?.windowRoot);
      expect(cheatResult?.stateHash).to.not.equal(honestResult?.stateHash);
    });

    it('warm-up (start-up, off the record): folds a synthetic window through the strategy, stores and emits nothing', async () => {
      let committed = 0;
      events.on('windowCommitted', () => {
        committed++;
      });
      let folds = 0;
      const counting: typeof honestFold = (c, w, a) => {
        folds++;
        expect(a.readingCount).to.equal(c.windowIntervals * c.meters.length);
        return honestFold(c, w, a);
      };
      const c = committer(counting);
      c.warmUp();
      expect(folds).to.equal(1);
      expect(committed).to.equal(0);
      expect(await db.windowResults.get(0)).to.equal(undefined);
      expect(await db.commitments.listWindow(0)).to.deep.equal([]);
      expect(await db.balances.get({ window: 0, balancesRoot: `0x${'00'.repeat(32)}` })).to.equal(undefined);
      expect(c.nextWindowToCommit).to.equal(0);
      let keys = 0;
      for await (const _ of db.level.keys()) keys++;
      expect(keys).to.equal(0);
    });

    it('balances: window 0 reacts on the genesis, window w on our balances of w−1; stored under the signed root', async () => {
      await storeValidReadings(
        db,
        [0, 1, 2].map((m) => ({
          kind: 'new' as const,
          signed: reading(m, 2, m === 1 ? 400 : 0, m === 1 ? 0 : 300),
          window: 0,
        })),
      );
      const part = committer();
      await part.init();
      await part.tick();
      const r0 = (await db.windowResults.get(0))!;
      const genesis = genesisBalances(community.participants, community.escrow);
      const { next, claimsAdded } = reactBalances(
        genesis,
        r0.finalState.map((s) => s.net),
      );
      expect(r0.balancesRoot).to.equal(balancesRoot(next, claimsAdded));
      expect(r0.finalState.some((s) => s.net !== 0n)).to.equal(true);
      const stored = await db.balances.get({ window: 0, balancesRoot: r0.balancesRoot });
      expect(stored?.leaves).to.deep.equal(next);
      const r1 = (await db.windowResults.get(1))!;
      const after1 = reactBalances(
        next,
        r1.finalState.map((s) => s.net),
      );
      expect(r1.balancesRoot).to.equal(balancesRoot(after1.next, claimsAdded + after1.claimsAdded));
    });

    it('thief-balances: honest window root and state, a balances root that hands the submitter every escrow', async () => {
      await storeValidReadings(
        db,
        [0, 1, 2].map((m) => ({ kind: 'new' as const, signed: reading(m, 2), window: 0 })),
      );
      const honest = committer();
      await honest.init();
      await honest.tick();
      const honestResult = (await db.windowResults.get(0))!;
      await cleanup();
      ({ db, cleanup } = await tempDb());
      await storeValidReadings(
        db,
        [0, 1, 2].map((m) => ({ kind: 'new' as const, signed: reading(m, 2), window: 0 })),
      );
      const thief = committer(byzantineStrategy(ByzantineMode.ThiefBalances), () => false, thiefBalances(1));
      await thief.init();
      await thief.tick();
      const cheat = (await db.windowResults.get(0))!;
      expect(cheat.windowRoot).to.equal(honestResult.windowRoot);
      expect(cheat.stateHash).to.equal(honestResult.stateHash);
      expect(cheat.balancesRoot).to.not.equal(honestResult.balancesRoot);
      const stolen = (await db.balances.get({ window: 0, balancesRoot: cheat.balancesRoot }))!;
      expect(stolen.leaves.map((b) => b.escrow)).to.deep.equal([0n, community.escrow * 3n, 0n]);
    });

    it("a re-fold that changes a window's balances folds the later committed windows again (they react from them)", async () => {
      // kill -9 fault run: window 1 was folded on a stale fold of window 0; window 0 was folded again
      // (more readings) and went final, window 1 was claimed on the old balances: BadBalances, overturned.
      const part = committer();
      await part.init();
      await part.tick();
      const r1 = (await db.windowResults.get(1))!;
      await storeValidReadings(
        db,
        [0, 1, 2].map((m) => ({
          kind: 'new' as const,
          signed: reading(m, 2, m === 1 ? 400 : 0, m === 1 ? 0 : 300),
          window: 0,
        })),
      );
      await events.emit('readingStored', { window: 0, source: 'reconcile', equivocation: false });
      await part.tick();
      const r0 = (await db.windowResults.get(0))!;
      const again = (await db.windowResults.get(1))!;
      expect(again.windowRoot).to.equal(r1.windowRoot);
      const b0 = (await db.balances.get({ window: 0, balancesRoot: r0.balancesRoot }))!;
      const { next, claimsAdded } = reactBalances(
        b0.leaves,
        again.finalState.map((x) => x.net),
      );
      expect(again.balancesRoot).to.equal(balancesRoot(next, b0.totalClaims + claimsAdded));
      expect(again.balancesRoot).to.not.equal(r1.balancesRoot);
    });

    it('a window final on chain with other balances: later windows react again from the final ones', async () => {
      await storeValidReadings(
        db,
        [0, 1, 2].map((m) => ({
          kind: 'new' as const,
          signed: reading(m, 2, m === 1 ? 400 : 0, m === 1 ? 0 : 300),
          window: 0,
        })),
      );
      const part = committer();
      await part.init();
      await part.tick();
      const r0 = (await db.windowResults.get(0))!;
      const r1 = (await db.windowResults.get(1))!;
      // Window 0 went final with other balances (e.g. a fully signed result we did not sign), whose
      // leaves this node holds (a stored commitment, or adopted from the peers).
      const other = genesisBalances(community.participants, community.escrow).map((b, i) => ({
        ...b,
        escrow: b.escrow + BigInt(i),
      }));
      const otherRoot = balancesRoot(other, 0n);
      await db.balances.put(
        { window: 0, balancesRoot: otherRoot },
        { window: 0, balancesRoot: otherRoot, totalClaims: 0n, leaves: other },
      );
      const record: WindowRecord = {
        ...r0,
        balancesRoot: otherRoot,
        signers: 7n,
        submittedAt: 0,
        status: WindowStatus.Final,
      };
      final.set(0, record);
      await part.onWindowFinal(0, record);
      await part.tick();
      const again = (await db.windowResults.get(1))!;
      expect(again.windowRoot).to.equal(r1.windowRoot);
      const { next, claimsAdded } = reactBalances(
        other,
        r1.finalState.map((s) => s.net),
      );
      expect(again.balancesRoot).to.equal(balancesRoot(next, claimsAdded));
      expect(again.balancesRoot).to.not.equal(r1.balancesRoot);
    });
  });
});
