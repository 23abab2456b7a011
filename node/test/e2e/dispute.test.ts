import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Contract } from 'ethers';
import { auditWindow } from '../../src/audit/audit.js';
import { HubClient } from '../../src/chain/hubClient.js';
import { NodeDb } from '../../src/db/index.js';
import { outsiderBalanceBook } from '../../src/dispute/disputer.js';
import { createLogger } from '../../src/util/logger.js';
import { ByzantineMode } from '../../src/node/byzantine.js';
import { meterKeyPair, serializeSignedReading, signReading } from '../../src/reading/signature.js';
import { multiaddr } from '@multiformats/multiaddr';
import { createHost, type DiversityLibp2p } from '../../src/network/host.js';
import { defaultNetworkOptions } from '../../src/network/options.js';
import { peerKeyFromSecret } from '../../src/network/peerKey.js';
import { topics } from '../../src/network/topics.js';
import { seedFor } from '../../src/vectors/readings.js';
import { fastCommunityOptions, LocalCommunity } from '../utils/localCommunity.js';

const KIND = {
  'changed-reading': 1,
  'dropped-reading': 0,
  'wrong-arithmetic': 8, // BadEntry: the community is Mmr (an auction's would be BadStep, 2)
  'wrong-final-state': 3,
  'thief-balances': 6,
} as const;

/**
 * For each way to cheat: a byzantine node posts a wrong result alone, an honest node disputes it
 * within the challenge period with the cheapest proof, the claim is rejected and the cheat's bond
 * slashed, the honest result is finalized, and an auditor started afterwards agrees with it.
 */
describe('e2e: disputes against a byzantine node', function () {
  this.timeout(150_000);
  let c: LocalCommunity;

  afterEach(async () => {
    await c?.teardown();
  });

  // Every mode whose cheat a fraud proof catches (a withheld commitment is the game's: game.test.ts).
  for (const mode of Object.values(ByzantineMode).filter((m): m is ByzantineMode & keyof typeof KIND => m in KIND)) {
    it(`${mode}: disputed, rejected, slashed; the honest result is final`, async () => {
      c = new LocalCommunity({ ...fastCommunityOptions, windowCount: 1 });
      await c.setup();
      const hub = c.deployment.hub as Contract;
      await c.startNode(0, { byzantine: mode });
      await Promise.all([1, 2, 3].map((i) => c.startNode(i)));

      const disputed = await c.waitFor(
        'a dispute',
        async () => {
          const events = await hub.queryFilter(hub.filters.Disputed(c.communityId));
          return events.length > 0 ? events : undefined;
        },
        60_000,
      );
      const args = (disputed[0] as unknown as { args: { kind: bigint; challenger: string } }).args;
      expect(Number(args.kind)).to.equal(KIND[mode]);
      expect((await hub.queryFilter(hub.filters.ClaimRejected(c.communityId))).length).to.equal(1);
      // Every fraud costs the cheat its whole bond. The dropped reading is of the cheat's own meter:
      // an owner always has its meter's readings, so leaving one out is fraud, not good faith.
      expect((await hub.member(c.communityId, 0)).bond).to.equal(0n);
      expect((await hub.member(c.communityId, 1)).bond).to.equal(10n * 10n ** 18n);

      // The honest nodes resubmit with their three signatures; the claim finalizes after the period.
      await c.waitFor(
        'honest claim pending',
        async () => Number((await hub.windowRecord(c.communityId, 0)).status) === 1,
        40_000,
      );
      const rec = await hub.windowRecord(c.communityId, 0);
      expect(rec.signers & 1n).to.equal(0n);
      await c.timeTravel(120);
      await c.waitFor('window final', async () => (await c.lastFinalizedWindow()) === 0, 30_000);
      const honest = (await (await fetch(`${c.nodes[2]!.apiUrl}/window/0`)).json()) as {
        windowRoot: string;
        stateHash: string;
        balancesRoot: string;
      };
      const final = await hub.windowRecord(c.communityId, 0);
      expect(final.windowRoot).to.equal(honest.windowRoot);
      expect(final.stateHash).to.equal(honest.stateHash);
      // The final balances are the honest reaction: the thief's root (everyone's escrow to it) is gone.
      expect(final.balancesRoot).to.equal(honest.balancesRoot);

      // An auditor with only the readings reaches the same verdict.
      const dir = mkdtempSync(join(tmpdir(), 'diversity-auditor-'));
      const db = await NodeDb.open(dir);
      try {
        const client = new HubClient(
          { hub: c.deployment.hubAddress, communityId: c.communityId },
          { runner: c.provider, provider: c.provider },
        );
        const community = await client.communityInfo();
        const nodeDb = c.nodes[3]!.store!;
        const readings = (await nodeDb.readings.listWindow(0)).map(serializeSignedReading);
        // With the final balances (window 0 reacts on the genesis) the balances root is checked too.
        const balances = outsiderBalanceBook(community, db, client, async () => [], createLogger({ level: 'error' }));
        const report = await auditWindow(community, 0, {
          db,
          record: await client.windowRecord(0),
          readings,
          balances,
        });
        expect(report.verdict).to.equal('agree');
        expect(report.replay.balancesRoot).to.equal(report.chain.balancesRoot);
      } finally {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('e2e: a meter that equivocates', function () {
  this.timeout(120_000);
  let c: LocalCommunity;

  afterEach(async () => {
    await c?.teardown();
  });

  it('is reported on chain once, its owner slashed, the slot voided by every node, and windows still finalize', async () => {
    c = new LocalCommunity({ ...fastCommunityOptions });
    await c.setup();
    const hub = c.deployment.hub as Contract;
    await Promise.all([0, 1, 2, 3].map((i) => c.startNode(i)));
    const community = { chainId: 31337n, hub: c.deployment.hubAddress, communityId: c.communityId };
    const rogue: DiversityLibp2p = await createHost(defaultNetworkOptions, await peerKeyFromSecret('tampered-meter'));
    try {
      const t = topics(community);
      rogue.services.pubsub.subscribe(t.readings);
      await rogue.dial(multiaddr(c.nodes[1]!.multiaddrs()[0]));
      await c.waitFor(
        'rogue in the mesh',
        async () => rogue.services.pubsub.getSubscribers(t.readings).length > 0,
        10_000,
      );
      await c.waitFor('interval 2', async () => Date.now() / 1000 >= c.start + 2.2, 10_000);
      // Meter 2 (owner: participant 2) signs a second, different reading for interval 1.
      const meter2 = meterKeyPair(seedFor('e2e-meter-2'));
      const second = signReading(
        { ...community, meterIndex: 2, interval: 1, exportWh: 0, importWh: 999 },
        meter2.secretKey,
      );
      await rogue.services.pubsub.publish(t.readings, serializeSignedReading(second));

      await c.waitFor('slot voided on chain', async () => (await hub.isVoided(c.communityId, 2, 1)) as boolean, 20_000);
      await c.waitFor('both windows final', async () => (await c.lastFinalizedWindow()) === 1, 60_000);
      const disputes = await hub.queryFilter(hub.filters.Disputed(c.communityId));
      expect(disputes.length).to.equal(1);
      expect(Number((disputes[0] as unknown as { args: { kind: bigint } }).args.kind)).to.equal(4);
      expect((await hub.member(c.communityId, 2)).bond).to.equal(9n * 10n ** 18n); // 10 % of the bond
      const rec = await c.windowRecord(0);
      for (const node of c.nodes) {
        const own = (await (await fetch(`${node!.apiUrl}/window/0`)).json()) as {
          windowRoot: string;
          voidedSlots: number;
          readingCount: number;
        };
        expect(own.windowRoot).to.equal(rec.windowRoot);
        expect(own.voidedSlots).to.equal(1);
        expect(own.readingCount).to.equal(15);
      }
      // The dashboard's feed: the node that saw both readings, the proof on chain, the owner slashed.
      const feed = (await (await fetch(`${c.nodes[3]!.apiUrl}/api/events`)).json()) as {
        events: { type: string; source: string; message: string; data: Record<string, unknown> }[];
      };
      const of = (type: string) => feed.events.filter((e) => e.type === type);
      expect(of('equivocation').map((e) => e.data)).to.deep.include({ meter: 2, interval: 1 });
      expect(of('dispute').map((e) => e.data.kind)).to.deep.equal(['Equivocation']);
      expect(of('slashed')).to.have.length(1);
      expect(of('slashed')[0].data.offenders).to.deep.equal([2]);
      expect(of('slashed')[0].message).to.match(/^participant 2 slashed 1 \S+ \(from bonds/);
    } finally {
      await rogue.stop();
    }
  });
});
