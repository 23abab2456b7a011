import { expect } from 'chai';
import type { Contract } from 'ethers';
import { multiaddr } from '@multiformats/multiaddr';
import * as lp from 'it-length-prefixed';
import { pipe } from 'it-pipe';
import { createHost, type DiversityLibp2p } from '../../src/network/host.js';
import { defaultNetworkOptions } from '../../src/network/options.js';
import { peerKeyFromSecret } from '../../src/network/peerKey.js';
import { topics } from '../../src/network/topics.js';
import { meterKeyPair, serializeSignedReading, signReading } from '../../src/reading/signature.js';
import { ReadingGossipErrorCode } from '../../src/chain/errors.js';
import { seedFor } from '../../src/vectors/readings.js';
import {
  fastCommunityOptions,
  FOUR_HOUSEHOLDS,
  LocalCommunity,
  type LocalCommunityOptions,
} from '../utils/localCommunity.js';

const households = FOUR_HOUSEHOLDS;
// The cases below assert the fast path (every signature, one update per window). The signature deadline and
// the takeover bound waits on a loaded machine, not the fast path's speed (a result every node signed goes out
// at once): 3 s and 2 s were short enough that a stalled event loop (these four nodes share this process)
// sent a window on the pending path, or had two ranks send it.
const base: LocalCommunityOptions = {
  ...fastCommunityOptions,
  challengePeriod: 60,
  signatureDeadlineSeconds: 20,
  takeoverSeconds: 10,
};

/** Update transactions sent to the hub, per window (reverted ones included): double submits show. */
async function updatesPerWindow(c: LocalCommunity): Promise<Map<number, number>> {
  const hub = c.deployment.hub as Contract;
  const hubAddress = c.deployment.hubAddress.toLowerCase();
  const counts = new Map<number, number>();
  const head = await c.provider.getBlockNumber();
  for (let b = 0; b <= head; b++) {
    const block = await c.provider.getBlock(b, true);
    for (const tx of block?.prefetchedTransactions ?? []) {
      if (tx.to?.toLowerCase() !== hubAddress) continue;
      const parsed = hub.interface.parseTransaction({ data: tx.data });
      if (parsed?.name !== 'update') continue;
      const w = Number(parsed.args[1]);
      counts.set(w, (counts.get(w) ?? 0) + 1);
    }
  }
  return counts;
}

async function signerCount(c: LocalCommunity, window: number): Promise<number> {
  const rec = await c.deployment.hub.windowRecord(c.communityId, window);
  return rec.signers
    .toString(2)
    .split('')
    .filter((b: string) => b === '1').length;
}

describe('e2e: a community of real nodes on anvil', function () {
  this.timeout(120_000);
  let c: LocalCommunity;

  afterEach(async () => {
    await c?.teardown();
  });

  it('settles every window through the fast path with one update each, and every node agrees', async () => {
    c = new LocalCommunity(base);
    await c.setup();
    await Promise.all(households.map((_, i) => c.startNode(i)));
    await c.waitFor('both windows final', async () => (await c.lastFinalizedWindow()) === 1, 60_000);

    const updates = await updatesPerWindow(c);
    expect([...updates.entries()].sort()).to.deep.equal([
      [0, 1],
      [1, 1],
    ]);
    for (const w of [0, 1]) {
      expect(await signerCount(c, w), `signers of window ${w}`).to.equal(4);
      const rec = await c.windowRecord(w);
      for (const node of c.nodes) {
        const own = (await (await fetch(`${node!.apiUrl}/window/${w}`)).json()) as {
          windowRoot: string;
          balancesRoot: string;
          readingCount: number;
        };
        expect(own.windowRoot).to.equal(rec.windowRoot);
        expect(own.balancesRoot).to.equal(rec.balancesRoot);
        expect(own.readingCount).to.equal(16);
      }
    }
    // Sellers (PV surplus) were paid by buyers; escrow is conserved (the leaves under the final root).
    // `/status` is the node's synced view: its settlement loop reads the hub each poll, so it may show
    // window 1 final a poll after the chain does (a loaded machine delays that poll): wait for it.
    type Status = { balances: { escrow: string; window: number }[] };
    const status = await c.waitFor(
      'node 1 holds the balances of window 1',
      async () => {
        const s = (await (await fetch(`${c.nodes[1]!.apiUrl}/status`)).json()) as Status;
        return s.balances.some((b) => b.window === 1) ? s : undefined;
      },
      30_000,
    );
    expect(status.balances.map((b) => b.window)).to.deep.equal([1, 1, 1, 1]);
    const escrow = status.balances.map((b) => BigInt(b.escrow));
    expect(escrow[0] > 100n * 10n ** 18n).to.equal(true);
    expect(escrow[2] < 100n * 10n ** 18n).to.equal(true);
    expect(escrow.reduce((a, b) => a + b, 0n)).to.equal(400n * 10n ** 18n);
  });

  it('a node offline for a window: the others submit with their signatures and it finalizes after the challenge period', async () => {
    c = new LocalCommunity({ ...base, windowCount: 3, signatureDeadlineSeconds: 5 });
    await c.setup();
    await Promise.all([0, 1, 2].map((i) => c.startNode(i)));
    // A bound, not a speed: a loaded 2-core machine (s14's first clean-clone CI, beside a forge run that
    // ran out of memory) took more than 40 s.
    await c.waitFor(
      'window 0 pending on chain',
      async () => Number((await c.deployment.hub.windowRecord(c.communityId, 0)).status) === 1,
      60_000,
    );
    // Node 3 never signed; the online nodes did (all three unless one was still folding again).
    const signers0 = (await c.deployment.hub.windowRecord(c.communityId, 0)).signers as bigint;
    expect(signers0 & 8n).to.equal(0n);
    expect(await signerCount(c, 0)).to.be.within(2, 3);
    expect(await c.lastFinalizedWindow()).to.equal(-1);
    await c.timeTravel(base.challengePeriod);
    await c.waitFor('window 0 final', async () => (await c.lastFinalizedWindow()) >= 0, 20_000);
    await c.startNode(3);
    await c.waitFor('every window final', async () => (await c.lastFinalizedWindow()) === 2, 60_000);
    // Window 1 may have gone pending too while node 3 was still away; the last one has all four.
    expect(await signerCount(c, 2)).to.equal(4);
    const updates = await updatesPerWindow(c);
    expect(updates.get(0)).to.equal(1);
  });

  it('a node restarted mid-window loses no reading and does not submit twice', async () => {
    c = new LocalCommunity(base);
    await c.setup();
    await Promise.all(households.map((_, i) => c.startNode(i)));
    await c.waitFor('interval 2 of window 0', async () => Date.now() / 1000 >= c.start + 2, 20_000);
    await c.stopNode(1);
    await new Promise((r) => setTimeout(r, 1500));
    await c.startNode(1);
    await c.waitFor('both windows final', async () => (await c.lastFinalizedWindow()) === 1, 60_000);
    const updates = await updatesPerWindow(c);
    expect(updates.get(0)).to.equal(1);
    expect(updates.get(1)).to.equal(1);
    const own = (await (await fetch(`${c.nodes[1]!.apiUrl}/window/0`)).json()) as { readingCount: number };
    expect(own.readingCount).to.equal(16);
    expect(await signerCount(c, 0)).to.equal(4);
  });

  it('a peer sending garbage is rejected, counted by code, and the others carry on', async () => {
    c = new LocalCommunity(base);
    await c.setup();
    await Promise.all(households.map((_, i) => c.startNode(i)));
    const community = { chainId: 31337n, hub: c.deployment.hubAddress, communityId: c.communityId };
    const rogue: DiversityLibp2p = await createHost(defaultNetworkOptions, await peerKeyFromSecret('rogue'));
    try {
      const t = topics(community);
      rogue.services.pubsub.subscribe(t.readings);
      rogue.services.pubsub.subscribe(t.coSignatures);
      const victim = c.nodes[0]!;
      await rogue.dial(multiaddr(victim.multiaddrs()[0]));
      await c.waitFor(
        'rogue in the mesh',
        async () => rogue.services.pubsub.getSubscribers(t.readings).length > 0,
        10_000,
      );
      const forger = meterKeyPair(seedFor('not-a-registered-meter'));
      const reading = { ...community, meterIndex: 0, interval: 1, exportWh: 999, importWh: 0 };
      const forged = serializeSignedReading(signReading(reading, forger.secretKey));
      const unknownMeter = serializeSignedReading(signReading({ ...reading, meterIndex: 40 }, forger.secretKey));
      await c.waitFor('interval 1 started', async () => Date.now() / 1000 >= c.start + 1, 10_000);
      for (const data of [new Uint8Array([1, 2, 3]), forged, unknownMeter])
        await rogue.services.pubsub.publish(t.readings, data);
      await rogue.services.pubsub.publish(t.coSignatures, new Uint8Array(40));

      await c.waitFor('both windows final', async () => (await c.lastFinalizedWindow()) === 1, 60_000);
      expect(await signerCount(c, 0)).to.equal(4);
      const errors = await victim.metrics!.gossipErrors.get();
      const count = (code: string) =>
        errors.values.filter((v) => v.labels.code === code).reduce((a, v) => a + v.value, 0);
      expect(count(ReadingGossipErrorCode.MALFORMED)).to.be.greaterThanOrEqual(1);
      expect(count(ReadingGossipErrorCode.BAD_SIGNATURE)).to.be.greaterThanOrEqual(1);
      expect(count(ReadingGossipErrorCode.UNKNOWN_METER)).to.be.greaterThanOrEqual(1);
      expect(count('COSIGNATURE_MALFORMED')).to.be.greaterThanOrEqual(1);
      // The forged reading never reached the store: meter 0's interval 1 is its own reading.
      const own = (await (await fetch(`${victim.apiUrl}/window/0`)).json()) as { readingCount: number };
      expect(own.readingCount).to.equal(16);
    } finally {
      await rogue.stop();
    }
  });

  it('a peer that accepts window requests and never answers, or answers a billion items, stalls nobody', async () => {
    c = new LocalCommunity(base);
    await c.setup();
    await Promise.all(households.map((_, i) => c.startNode(i)));
    const community = { chainId: 31337n, hub: c.deployment.hubAddress, communityId: c.communityId };
    const t = topics(community);
    const hostiles: DiversityLibp2p[] = [];
    try {
      for (const mode of ['hang', 'huge'] as const) {
        const h: DiversityLibp2p = await createHost(defaultNetworkOptions, await peerKeyFromSecret(`hostile-${mode}`));
        hostiles.push(h);
        await h.handle(t.windowProtocol, ({ stream }) => {
          if (mode === 'hang') return; // accept the stream, never read, never answer
          void pipe(
            (async function* () {
              yield Buffer.from(JSON.stringify({ ok: true, count: 1e9 }));
              for (;;) yield new Uint8Array(512 * 1024);
            })(),
            (s) => lp.encode(s),
            stream.sink,
          ).catch(() => {});
        });
        h.services.pubsub.subscribe(t.readings);
        for (const node of c.nodes) await h.dial(multiaddr(node!.multiaddrs()[0]));
      }
      await c.waitFor('both windows final', async () => (await c.lastFinalizedWindow()) === 1, 60_000);
      for (const w of [0, 1]) expect(await signerCount(c, w), `signers of window ${w}`).to.equal(4);
      const updates = await updatesPerWindow(c);
      expect(updates.get(0)).to.equal(1);
      expect(updates.get(1)).to.equal(1);
      // The victims asked the hostile peers and gave up on them by code. A window whose every
      // slot came by gossip is committed without asking the peers: ask once more, as a node does
      // before a pending claim or after a disagreeing signature; it returns, the hostiles dropped.
      await c.nodes[0]!.reconcile(1);
      const out = await c.nodes[0]!.metrics!.reqRespOutbound.get();
      const failed = out.values.filter((v) => v.labels.result !== 'ok').reduce((a, v) => a + v.value, 0);
      expect(failed).to.be.greaterThan(0);
      expect(process.memoryUsage().rss).to.be.lessThan(1024 * 1024 * 1024);
    } finally {
      for (const h of hostiles) await h.stop();
    }
  });

  it('a flood of one valid reading replayed (new envelope each time) delays no reading and costs no verification', async () => {
    c = new LocalCommunity(base);
    await c.setup();
    await Promise.all(households.map((_, i) => c.startNode(i)));
    const community = { chainId: 31337n, hub: c.deployment.hubAddress, communityId: c.communityId };
    const t = topics(community);
    const rogue: DiversityLibp2p = await createHost(defaultNetworkOptions, await peerKeyFromSecret('replayer'));
    let stop = false;
    try {
      rogue.services.pubsub.subscribe(t.readings);
      let captured: Uint8Array | undefined;
      rogue.services.pubsub.addEventListener('message', (e) => {
        if (e.detail.topic === t.readings) captured ??= e.detail.data;
      });
      for (const node of c.nodes) await rogue.dial(multiaddr(node!.multiaddrs()[0]));
      await c.waitFor('a reading to replay', async () => captured, 20_000);
      // Replay it as fast as this process can, for the rest of the run.
      let sent = 0;
      const flood = (async () => {
        while (!stop) {
          await rogue.services.pubsub.publish(t.readings, captured!).catch(() => {});
          if (++sent % 50 === 0) await new Promise((r) => setImmediate(r));
        }
      })();
      await c.waitFor('both windows final', async () => (await c.lastFinalizedWindow()) === 1, 60_000);
      stop = true;
      await flood;
      expect(sent).to.be.greaterThan(1000);
      for (const w of [0, 1]) {
        expect(await signerCount(c, w), `signers of window ${w}`).to.equal(4);
        for (const node of c.nodes) {
          const own = (await (await fetch(`${node!.apiUrl}/window/${w}`)).json()) as { readingCount: number };
          expect(own.readingCount, `readings of window ${w}`).to.equal(16);
        }
      }
      // The replays never reached validation: at most one copy per node was validated.
      for (const node of c.nodes) {
        const errors = await node!.metrics!.gossipErrors.get();
        const dup = errors.values
          .filter((v) => v.labels.code === ReadingGossipErrorCode.DUPLICATE)
          .reduce((a, v) => a + v.value, 0);
        expect(dup).to.be.lessThan(50);
      }
    } finally {
      stop = true;
      await rogue.stop();
    }
  });
});
