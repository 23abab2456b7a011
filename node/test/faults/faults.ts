/**
 * The fault suite (`npm run faults`, not part of `npm test`): a community of 4 in-process nodes on
 * anvil (1-second intervals, 4 per window, 4 windows) under one fault per scenario. For each:
 * readings lost, double submissions, reverted hub transactions, windows final with every
 * honest node agreeing, and the process's peak RSS (all nodes share this process). Writes the
 * table to docs/faults.md. Frugal: one scenario at a time, about a minute each.
 */
import { writeFileSync } from 'node:fs';
import { multiaddr } from '@multiformats/multiaddr';
import * as lp from 'it-length-prefixed';
import { pipe } from 'it-pipe';
import type { Contract } from 'ethers';
import { createHost, type DiversityLibp2p } from '../../src/network/host.js';
import { defaultNetworkOptions } from '../../src/network/options.js';
import { peerKeyFromSecret } from '../../src/network/peerKey.js';
import { topics } from '../../src/network/topics.js';
import { meterKeyPair, serializeSignedReading, signReading } from '../../src/reading/signature.js';
import { seedFor } from '../../src/vectors/readings.js';
import { fastCommunityOptions, LocalCommunity } from '../utils/localCommunity.js';

const WINDOWS = 4;
const READINGS_PER_WINDOW = 16;

interface Row {
  scenario: string;
  readingsLost: number;
  doubleSubmissions: number;
  reverted: number;
  finalAgreeing: string;
  peakRssMb: number;
  seconds: number;
  note: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function hubTransactions(c: LocalCommunity) {
  const hub = c.deployment.hub as Contract;
  const hubAddress = c.deployment.hubAddress.toLowerCase();
  const updates = new Map<number, number>();
  let reverted = 0;
  const head = await c.provider.getBlockNumber();
  for (let b = 0; b <= head; b++) {
    const block = await c.provider.getBlock(b, true);
    for (const tx of block?.prefetchedTransactions ?? []) {
      if (tx.to?.toLowerCase() !== hubAddress) continue;
      const receipt = await c.provider.getTransactionReceipt(tx.hash);
      if (receipt?.status === 0) reverted++;
      const parsed = hub.interface.parseTransaction({ data: tx.data });
      if (parsed?.name === 'update' && receipt?.status === 1) {
        const w = Number(parsed.args[1]);
        updates.set(w, (updates.get(w) ?? 0) + 1);
      }
    }
  }
  return { updates, reverted };
}

async function run(
  scenario: string,
  note: string,
  fault: (c: LocalCommunity) => Promise<void>,
  honest = [0, 1, 2, 3],
): Promise<Row> {
  const started = Date.now();
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
  const c = new LocalCommunity({
    ...fastCommunityOptions,
    windowCount: WINDOWS,
    challengePeriod: 30,
    startDelaySeconds: 5,
    signatureDeadlineSeconds: 4,
    takeoverSeconds: 2,
  });
  try {
    await c.setup();
    await Promise.all([0, 1, 2, 3].map((i) => c.startNode(i)));
    await fault(c);
    const deadline = Date.now() + 150_000;
    while ((await c.lastFinalizedWindow()) < WINDOWS - 1 && Date.now() < deadline) {
      // Pending claims finalize after the challenge period: let chain time pass when idle.
      await sleep(1000);
      for (let w = 0; w < WINDOWS; w++) {
        const rec = await c.deployment.hub.windowRecord(c.communityId, w);
        if (Number(rec.status) === 1 && Date.now() / 1000 > Number(rec.submittedAt) + 5) await c.timeTravel(30);
      }
    }
    const final = (await c.lastFinalizedWindow()) + 1;
    let lost = 0;
    let agreeing = 0;
    for (let w = 0; w < final; w++) {
      const rec = await c.deployment.hub.windowRecord(c.communityId, w);
      let all = true;
      for (const i of honest) {
        const node = c.nodes[i];
        if (!node) continue;
        const own = (await (await fetch(`${node.apiUrl}/window/${w}`)).json()) as {
          windowRoot?: string;
          readingCount?: number;
        };
        if (own.windowRoot !== rec.windowRoot) all = false;
        if (i === honest[0]) lost += READINGS_PER_WINDOW - (own.readingCount ?? 0);
      }
      if (all) agreeing++;
    }
    const { updates, reverted } = await hubTransactions(c);
    const doubles = [...updates.values()].reduce((a, n) => a + Math.max(0, n - 1), 0);
    return {
      scenario,
      readingsLost: lost + (WINDOWS - final) * READINGS_PER_WINDOW,
      doubleSubmissions: doubles,
      reverted,
      finalAgreeing: `${agreeing}/${WINDOWS}`,
      peakRssMb: Math.round(peak / 1024 / 1024),
      seconds: Math.round((Date.now() - started) / 1000),
      note,
    };
  } finally {
    clearInterval(sampler);
    await c.teardown();
  }
}

async function hostilePeer(c: LocalCommunity, mode: 'hang' | 'huge' | 'flood' | 'badsig'): Promise<void> {
  const community = { chainId: 31337n, hub: c.deployment.hubAddress, communityId: c.communityId };
  const t = topics(community);
  const h: DiversityLibp2p = await createHost(defaultNetworkOptions, await peerKeyFromSecret(`fault-${mode}`));
  await h.handle(t.windowProtocol, ({ stream }) => {
    if (mode !== 'huge') return;
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
  for (const node of c.nodes) await h.dial(multiaddr(node!.multiaddrs()[0])).catch(() => {});
  let captured: Uint8Array | undefined;
  h.services.pubsub.addEventListener('message', (e) => {
    if (e.detail.topic === t.readings) captured ??= e.detail.data;
  });
  const forger = meterKeyPair(seedFor('fault-forger'));
  let stop = false;
  void (async () => {
    let i = 0;
    while (!stop) {
      if (mode === 'flood' && captured) await h.services.pubsub.publish(t.readings, captured).catch(() => {});
      else if (mode === 'badsig') {
        const reading = {
          ...community,
          meterIndex: i % 4,
          interval: Math.max(0, Math.floor(Date.now() / 1000 - c.start)),
          exportWh: 1,
          importWh: i,
        };
        await h.services.pubsub
          .publish(t.readings, serializeSignedReading(signReading(reading, forger.secretKey)))
          .catch(() => {});
        await sleep(5);
      } else await sleep(200);
      if (++i % 50 === 0) await sleep(0);
    }
  })();
  const teardown = c.teardown.bind(c);
  c.teardown = async () => {
    stop = true;
    await h.stop();
    await teardown();
  };
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const scenarios: [string, string, (c: LocalCommunity) => Promise<void>][] = [
    ['baseline', 'no fault', async () => {}],
    [
      'node offline 3 windows',
      'node 3 stopped from interval 1 to the end of window 3',
      async (c) => {
        await sleep(Math.max(0, (c.start + 1) * 1000 - Date.now()));
        await c.stopNode(3);
        await sleep(3 * 4 * 1000);
        await c.startNode(3);
      },
    ],
    [
      'restart cycles',
      'node 1 stopped and restarted every 3 s, 5 times (graceful stop: in-process, not kill -9)',
      async (c) => {
        for (let k = 0; k < 5; k++) {
          await sleep(1500);
          await c.stopNode(1);
          await sleep(1500);
          await c.startNode(1);
        }
      },
    ],
    [
      'anvil paused 30 s',
      'SIGSTOP anvil after window 0 ends, SIGCONT 30 s later',
      async (c) => {
        await sleep(Math.max(0, c.windowEnd(0) * 1000 - Date.now()));
        process.kill(c.anvil.pid, 'SIGSTOP');
        await sleep(30_000);
        process.kill(c.anvil.pid, 'SIGCONT');
      },
    ],
    ['hostile: hang', 'a peer accepts window requests and never answers', (c) => hostilePeer(c, 'hang')],
    ['hostile: huge response', 'a peer answers count 1e9 and streams 512 KiB frames', (c) => hostilePeer(c, 'huge')],
    ['hostile: duplicate flood', 'a peer replays one valid reading as fast as it can', (c) => hostilePeer(c, 'flood')],
    ['hostile: bad signatures', 'a peer publishes forged readings every 5 ms', (c) => hostilePeer(c, 'badsig')],
  ];
  const rows: Row[] = [];
  for (const [name, note, fault] of scenarios) {
    if (only.length > 0 && !only.some((o) => name.includes(o))) continue;
    process.stdout.write(`${name} ... `);
    const row = await run(name, note, fault);
    rows.push(row);
    process.stdout.write(
      `lost ${row.readingsLost}, double ${row.doubleSubmissions}, reverted ${row.reverted}, final+agreeing ${row.finalAgreeing}, peak RSS ${row.peakRssMb} MB (${row.seconds} s)\n`,
    );
  }
  const table = [
    '| scenario | fault | readings lost | double submissions | reverted hub txs | windows final, honest nodes agreeing | peak RSS (MB, all 4 nodes + anvil client in one process) | s |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.scenario} | ${r.note} | ${r.readingsLost} | ${r.doubleSubmissions} | ${r.reverted} | ${r.finalAgreeing} | ${r.peakRssMb} | ${r.seconds} |`,
    ),
  ].join('\n');
  if (only.length === 0) {
    writeFileSync(
      'docs/faults.md',
      `# Fault suite\n\nProduced by \`npm run faults\` (node/test/faults/faults.ts) on ${new Date().toISOString().slice(0, 16)} UTC, on the shared 2-core machine.\n` +
        `A community of 4 in-process nodes on anvil, 1-second intervals, 4 per window, ${WINDOWS} windows; one fault per run.\n` +
        `Readings lost: expected minus committed readings of the first honest node, over every window (a window not final counts all its readings).\n` +
        `Double submissions: successful \`update\` transactions beyond one per window. Reverted: hub transactions mined with status 0.\n\n${table}\n\n` +
        `Reading the table: in "node offline 3 windows" the meter runs inside the stopped node, so its readings of those windows reach the others only when it comes back, after the windows went on chain (pending path) without them: they count as lost, and the returning node's own fold of one window then differs from the chain (the "3/4"). Peak RSS is this whole process (4 nodes, the hostile peer, the harness) and grows across scenarios run one after another in it; it is an upper bound per scenario, not per node.\n\n` +
        `Not covered yet: kill -9 of node processes (nodes run in-process here: the restart cycle stops them gracefully), a network partition and heal, clock skew, a malleated P-256 meter (covered by unit tests), per-node memory (one process).\n`,
    );
  }
  process.stdout.write(`\n${table}\n`);
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`faults: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
