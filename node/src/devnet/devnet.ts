import { spawn, type ChildProcess } from 'node:child_process';
import { decodeEcdsaCoSignature } from '../chain/ecdsaCoSignature.js';
import { chmodSync, mkdirSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Contract, NonceManager, Wallet, formatUnits, parseUnits, type JsonRpcProvider } from 'ethers';
import { communityReadings, readCommunityFile } from '../../../datasets/src/communityFile.js';
import { startAnvil, type Anvil } from '../chain/anvil.js';
import { projectRoot } from '../chain/artifacts.js';
import { HubClient } from '../chain/hubClient.js';
import { peerIdFromSecret } from '../network/peerKey.js';
import { meterKeyPair, MeterScheme } from '../reading/signature.js';
import { seedFor } from '../vectors/readings.js';
import { toHex } from '../util/hex.js';
import type { Logger } from '../util/logger.js';
import { memberLimits } from '../window/limits.js';
import { MarketKind, stateFromStrings, stateHash, type MarketParams, type ParticipantState } from '../window/state.js';
import { parseTariff, TariffError, tariffHash, type Tariff } from '../window/tariff.js';
import {
  communityResults,
  resultsFromWindowStates,
  type CommunityResults,
  type CommunityRun,
  type MemberPayout,
} from '../results/members.js';
import {
  claimedEvents,
  claimForAll,
  finalBalances,
  nodeApiSource,
  payoutReport,
  type FinalBalances,
} from '../chain/claims.js';
import { ClaimErrorCode } from '../chain/errors.js';
import type { NodeOptions } from '../node/options.js';
import { deployHub, localProvider, newGasLedger, openCommunity, recordGas, type GasLedger } from './deploy.js';
import type { DevnetOptions, ProsumerSpec } from './options.js';
import { freePorts } from '../util/ports.js';
import { popcount } from '../util/bits.js';

export interface DevnetNode {
  name: string;
  index: number;
  wallet: Wallet;
  apiUrl: string;
  listen: string;
  peerId: string;
  pvKwp: number;
  /** The community file's member this node replays. */
  member?: string;
  process?: ChildProcess;
}

export interface WindowSettlement {
  window: number;
  p2pKwh: number;
  gridImportKwh: number;
  gridExportKwh: number;
  /** Token flow per participant (positive = received), in token units. */
  net: bigint[];
  /** The window's final state as the nodes folded it (its hash is final on chain). */
  finalState: ParticipantState[];
  signers: number;
  agreeing: number;
}

export interface DevnetResult {
  ok: boolean;
  windows: WindowSettlement[];
  /** Each member's payout at close beside its own fold (undefined: the community did not close). */
  payouts?: MemberPayout[];
  gas: GasLedger;
  nodes: DevnetNode[];
  seconds: number;
  problems: string[];
  /** Per-member results over the settled windows. */
  members?: CommunityResults;
}

/** Thrown when the devnet is asked for something the chain cannot do yet. */
export class DevnetUnsupportedError extends Error {}

type Print = (line: string) => void;

const ETHER = 10n ** 18n;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `probe()` every `everyMs` until it gives a value (not undefined) or `ms` pass: that value, else undefined. */
async function waitFor<T>(ms: number, probe: () => Promise<T | undefined>, everyMs = 1000): Promise<T | undefined> {
  for (const deadline = Date.now() + ms; ; await sleep(everyMs)) {
    const v = await probe();
    if (v !== undefined || Date.now() >= deadline) return v;
  }
}

/**
 * The main job: anvil + hub + token, a community of prosumers (some with PV), one node process
 * per prosumer with its meter, a few windows replayed at accelerated time, every window final
 * on chain, every node in agreement.
 */
export class Devnet {
  private anvil?: Anvil;
  private provider?: JsonRpcProvider;
  private nodes: DevnetNode[] = [];
  private stopped = false;

  constructor(
    private readonly opts: DevnetOptions,
    private readonly modules: { print: Print; logger: Logger },
  ) {}

  async run(): Promise<DevnetResult> {
    const { opts } = this;
    const print = this.modules.print;
    const started = Date.now();
    const dir = resolve(opts.dir);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const gas = newGasLedger();
    const problems: string[] = [];
    const { prosumers, profileOffset, gridBuyPrice, gridSellPrice, givenLimits, tariff, readings } = opts.community
      ? communityProsumers(opts.community, dir, opts)
      : {
          prosumers: opts.prosumers,
          profileOffset: opts.profileOffset,
          gridBuyPrice: opts.gridBuyPrice,
          gridSellPrice: opts.gridSellPrice,
          givenLimits: {},
          tariff: undefined,
          readings: undefined,
        };
    const market: MarketParams = {
      kind: opts.market === 'mmr' ? MarketKind.Mmr : opts.market === 'auction' ? MarketKind.Auction : MarketKind.Totals,
      gridBuyPrice,
      gridSellPrice,
      feederCapacityWh: 0n,
    };
    // Auction: each member's standing limit prices, the community file's or seeded (as `diversity sim`),
    // fixed at open: published on chain and committed by the community's limits hash.
    const limits =
      market.kind === MarketKind.Auction
        ? memberLimits(
            prosumers.map((p, i) => p.member?.name ?? `node-${i}`),
            givenLimits,
            gridBuyPrice,
            gridSellPrice,
            opts.seed,
            (v, where) => tokenPrice(v, where),
          )
        : undefined;

    print(`starting anvil (Osaka rules) on loopback...`);
    this.anvil = await startAnvil({ accounts: prosumers.length + 2 });
    const provider = localProvider(this.anvil.rpcUrl);
    this.provider = provider;
    const deployer = new NonceManager(new Wallet(this.anvil.privateKeys[0], provider));
    const wallets = prosumers.map((_, i) => new Wallet(this.anvil!.privateKeys[i + 1], provider));

    print(`deploying the hub and the community token...`);
    const deployment = await deployHub(deployer, gas);
    const meterKeys = prosumers.map((_, i) => meterKeyPair(seedFor(`devnet-meter-${i}-${opts.seed}`)));
    const latest = await provider.getBlock('latest');
    const start = Math.max(latest!.timestamp, Math.floor(Date.now() / 1000)) + opts.startDelaySeconds;
    const escrow = opts.escrow;
    const bond = 10n * ETHER;
    const communityId = await openCommunity(
      deployment,
      deployer,
      {
        participants: wallets,
        meters: meterKeys.map((k, i) => ({ publicKey: k.publicKey, scheme: MeterScheme.Ed25519, owner: i })),
        intervalSeconds: opts.intervalSeconds,
        windowIntervals: opts.windowIntervals,
        start,
        windowCount: opts.windowCount,
        market,
        limits,
        tariff,
        bond,
        escrow,
        challengePeriod: opts.challengePeriod,
        coSignature: opts.signatures,
        // Each prosumer runs meter i: the key it derives itself, checked against the table before it joins.
        ownMeterKeys: meterKeys.map((k) => [k.publicKey]),
      },
      gas,
    );
    print(
      `community ${communityId} open on hub ${deployment.hubAddress} (chain ${this.anvil.rpcUrl}): ${prosumers.length} prosumers ` +
        `(${prosumers.filter((p) => p.pvKwp > 0).length} with PV), ${opts.windowCount} windows of ` +
        `${opts.windowIntervals} x ${opts.intervalSeconds}s intervals (each replays 15 min of the profile)`,
    );
    if (tariff && market.kind !== MarketKind.Totals) {
      print(
        `time-of-use tariff ${tariffHash(tariff)} published and committed at open (UTC${tariff.utcOffsetMinutes >= 0 ? '+' : ''}` +
          `${tariff.utcOffsetMinutes / 60} h); interval 0 starts at unix ${start}, each priced at its local hour`,
      );
    }

    // Ports and identities first, so every node can be told where the others are.
    const ports = await freePorts(prosumers.length * 2);
    this.nodes = await Promise.all(
      wallets.map(async (wallet, i) => ({
        name: `node-${i}`,
        index: i,
        wallet,
        listen: `/ip4/127.0.0.1/tcp/${ports[2 * i]}`,
        apiUrl: `http://127.0.0.1:${ports[2 * i + 1]}`,
        peerId: await peerIdFromSecret(wallet.privateKey),
        pvKwp: prosumers[i].pvKwp,
        member: prosumers[i].member?.name,
      })),
    );
    for (const node of this.nodes) {
      const config: Omit<NodeOptions, 'network' | 'chain' | 'window' | 'api' | 'game'> & Record<string, unknown> = {
        name: node.name,
        dataDir: join(dir, node.name, 'db'),
        privateKey: node.wallet.privateKey,
        logLevel: 'info',
        maxFutureIntervals: 1,
        // Every node of a devnet runs on this machine's clock.
        maxClockSkewSeconds: 0,
        tickMs: 250,
        verifyWorkers: 1,
        network: {
          listen: [node.listen],
          bootstrap: this.nodes.filter((n) => n !== node).map((n) => `${n.listen}/p2p/${n.peerId}`),
        },
        chain: {
          rpcUrl: this.anvil.rpcUrl,
          hub: deployment.hubAddress,
          communityId: communityId.toString(),
          fromBlock: deployment.fromBlock,
          pollMs: 500,
          // The members' own nodes close the community and claim their balances (the devnet checks them).
          closeAndClaim: true,
          signatureDeadlineSeconds: 6 * opts.intervalSeconds,
          takeoverSeconds: 3 * opts.intervalSeconds,
        },
        window: {
          graceSeconds: opts.intervalSeconds,
          reconcileTimeoutMs: 2000,
          maxPeerWaitSeconds: 10 * opts.intervalSeconds,
        },
        api: { enabled: true, host: '127.0.0.1', port: Number(node.apiUrl.split(':').pop()) },
        meter: {
          meterIndex: node.index,
          secretKey: toHex(meterKeys[node.index].secretKey.subarray(0, 32)),
          profile:
            prosumers[node.index].member?.profile ??
            `builtin:italy-2020?pvKwp=${node.pvKwp}&seed=${opts.seed * 100 + node.index}`,
          profileOffset,
        },
      };
      const configPath = join(dir, node.name, 'config.json');
      // The config holds the node's keys: readable by this user only.
      mkdirSync(join(dir, node.name), { recursive: true, mode: 0o700 });
      writeFileSync(configPath, JSON.stringify(config, null, 2), { mode: 0o600 });
      chmodSync(configPath, 0o600);
      node.process = this.spawnNode(node, configPath, join(dir, node.name, 'node.log'));
    }
    print(
      `started ${this.nodes.length} node processes; interval 0 begins in ${Math.max(0, start - Math.floor(Date.now() / 1000))}s`,
    );
    for (const n of this.nodes)
      print(
        `  ${n.name}  ${n.member ? `${n.member.padEnd(8)} ` : ''}${n.pvKwp > 0 ? `${n.pvKwp} kWp PV` : 'no PV   '}` +
          (limits
            ? `  bids ${formatUnits(limits[n.index].bidPrice, 18)} asks ${formatUnits(limits[n.index].askPrice, 18)} /kWh`
            : '') +
          `  page ${n.apiUrl}/  p2p ${n.listen}`,
      );
    print(`  community overview: ${overviewUrl(this.nodes)}`);

    const target = { hub: deployment.hubAddress, communityId, fromBlock: deployment.fromBlock };
    const hub = new HubClient(target, { runner: provider, provider });
    const windows = await this.follow(hub, start, problems);

    // Every node's fold must match what became final on chain.
    let payouts: MemberPayout[] | undefined;
    if (windows.length === opts.windowCount) {
      const closeBlock = await this.awaitClose(hub, deployment.hub, deployer, gas, problems);
      payouts = await this.claimAll(new HubClient(target, { runner: deployer, provider }), closeBlock, gas, problems);
    }
    await this.awaitAgreement(hub, windows, problems);
    await this.collectNodeGas(deployment.hub, gas, opts.signatures === 'bls');
    const ok =
      windows.length === opts.windowCount &&
      windows.every((w) => w.agreeing === this.nodes.length) &&
      (payouts?.every((p) => p.received === p.expected) ?? false) &&
      problems.length === 0;
    const complete = windows.filter((w) => w.finalState.length === this.nodes.length);
    const names = this.nodes.map((n) =>
      n.member ? `${n.name} ${n.member}` : `${n.name}${n.pvKwp > 0 ? ` (${n.pvKwp} kWp)` : ''}`,
    );
    const finals = complete.map((w) => w.finalState);
    // Under a time-of-use tariff the grid legs are priced interval by interval: the simulator's one home
    // (`communityResults`) folds the replayed readings with the chain's schedule; it is used when its window
    // states are exactly the settled ones (every reading made it), else the table falls back to flat prices.
    // The prices in force per window, as the chain's order book has them (orders posted during the run).
    const book = tariff && limits ? (await hub.communityInfo()).limitBook : undefined;
    const replayed =
      tariff && readings && market.kind !== MarketKind.Totals
        ? communityResults({
            market,
            tariff,
            limits,
            limitsAt: book ? (w) => book.limitsAt(w) : undefined,
            names,
            startSeconds: start,
            intervalSeconds: opts.intervalSeconds,
            windowIntervals: opts.windowIntervals,
            ...readings,
          })
        : undefined;
    const sameFold =
      replayed !== undefined &&
      replayed.windowStates.length === finals.length &&
      replayed.windowStates.every((s, w) => stateHash(s) === stateHash(finals[w]));
    if (replayed && !sameFold)
      print('per-member table: the settled windows are not the fold of the replayed readings (flat prices used)');
    const members = sameFold ? replayed : resultsFromWindowStates(names, market, finals);
    return { ok, windows, payouts, gas, nodes: this.nodes, seconds: (Date.now() - started) / 1000, problems, members };
  }

  /**
   * Every window is final: the nodes close the community themselves (`chain.closeAndClaim`, by rotation)
   * and claim their members' balances; the devnet waits up to 60 s for the close (a problem if no node sent
   * it, and then it closes itself so that the members are still paid), then up to 30 s for every member to
   * be paid. Returns the close's block.
   */
  private async awaitClose(
    hub: HubClient,
    hubContract: Contract,
    deployer: NonceManager,
    gas: GasLedger,
    problems: string[],
  ): Promise<number> {
    const print = this.modules.print;
    const closedLog = async () => (await hub.events(hub.contract.filters.CommunityClosed(hub.opts.communityId)))[0];
    const log = await waitFor(60_000, closedLog);
    let closeBlock: number;
    if (log === undefined) {
      problems.push('close: no node closed the community within 60 s of its last window final');
      const closed = await (await (hubContract.connect(deployer) as Contract).close(hub.opts.communityId)).wait();
      recordGas(gas, 'close', closed);
      closeBlock = closed!.blockNumber;
    } else {
      closeBlock = log.blockNumber;
      const from = (await log.getTransaction()).from.toLowerCase();
      const by = this.nodes.find((n) => n.wallet.address.toLowerCase() === from);
      print(
        `community closed by ${by?.name ?? from}: every member is paid by proof from the last window's balances root`,
      );
    }
    const everyonePaid = async () => {
      const settled = await Promise.all(this.nodes.map((_, i) => hub.member(i).then((m) => m.settled)));
      return settled.every(Boolean) ? true : undefined;
    };
    const allPaid = await waitFor(30_000, everyonePaid);
    for (const e of await claimedEvents(hub)) {
      const from = (await this.provider!.getTransaction(e.txHash))?.from.toLowerCase();
      const sender = this.nodes.find((n) => n.wallet.address.toLowerCase() === from);
      print(
        `  ${this.nodes[e.index]?.name ?? `member ${e.index}`} claimed: paid ${formatUnits(e.paid, 18)}` +
          `${e.repaid > 0n ? `, repaid debt ${formatUnits(e.repaid, 18)}` : ''} (tx ${e.txHash}, sent by ${sender?.index === e.index ? 'its own node' : (sender?.name ?? from)})`,
      );
    }
    if (!allPaid) print('  not every node claimed for its member within 30 s: the devnet claims for the rest');
    return closeBlock;
  }

  /**
   * After close: the balances of the last final window as a node stored them (checked against the hub's
   * root), a claim for every member not paid yet (a node may have claimed for itself first), and each
   * member's payout against its own fold.
   */
  private async claimAll(
    hub: HubClient,
    closeBlock: number,
    gas: GasLedger,
    problems: string[],
  ): Promise<MemberPayout[] | undefined> {
    const print = this.modules.print;
    // The balances the nodes stored under the last final root (`GET /balances/<n>`), the first node's whose
    // root is the hub's: no node is trusted, the hub's root is the check. A node starved on a loaded machine
    // may not answer in time: every node is asked again each 2 s for up to 30 s.
    let refusals: string[] = [];
    const balances: FinalBalances | undefined = await waitFor(
      30_000,
      async () => {
        refusals = [];
        for (const n of this.nodes) {
          try {
            return await finalBalances(hub, nodeApiSource(n.apiUrl));
          } catch (e) {
            refusals.push(`${n.name}: ${(e as Error).message}`);
          }
        }
        return undefined;
      },
      2000,
    );
    if (!balances) {
      problems.push(`close: no node serves the balances the hub pays from (${refusals.join('; ')})`);
      return undefined;
    }
    const { outcomes, refused } = await claimForAll(hub, balances);
    // One `claimAll` pays several members: its gas is counted once, as "claim all".
    const batches = new Set(
      outcomes.filter((o) => outcomes.some((p) => p !== o && p.txHash === o.txHash)).map((o) => o.txHash),
    );
    const counted = new Set<string>();
    for (const o of outcomes) {
      if (!batches.has(o.txHash)) recordGas(gas, o.kind === 'claim' ? 'claim' : 'claim share', o);
      else if (!counted.has(o.txHash)) {
        counted.add(o.txHash);
        recordGas(gas, 'claim all', o);
      }
      print(
        `  ${this.nodes[o.index]?.name ?? `member ${o.index}`} ${o.kind === 'claim' ? 'claimed' : 'took its claim share'}: ` +
          `paid ${formatUnits(o.paid, 18)}${o.repaid > 0n ? `, repaid debt ${formatUnits(o.repaid, 18)}` : ''} (tx ${o.txHash})`,
      );
    }
    // A member's node paid it (or took its share) meanwhile: no failure; the payouts below are the check.
    for (const r of refused)
      if (r.code !== ClaimErrorCode.ALREADY_CLAIMED && r.code !== ClaimErrorCode.NOTHING_TO_CLAIM)
        problems.push(`claim refused: ${r.message}`);
    const payouts = await payoutReport(
      hub,
      balances,
      closeBlock,
      this.nodes.map((n) => n.name),
    );
    for (const p of payouts)
      if (p.received !== p.expected)
        problems.push(
          `${p.name}: received ${formatUnits(p.received, 18)}, its own fold says ${formatUnits(p.expected, 18)}`,
        );
    return payouts;
  }

  private spawnNode(node: DevnetNode, configPath: string, logPath: string): ChildProcess {
    const bin = join(projectRoot(), 'bin', 'diversity.js');
    const child = spawn(process.execPath, [bin, 'node', '--config', configPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: devnetNodeEnv(process.env),
    });
    const log = createWriteStream(logPath);
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    if (this.opts.verbose) child.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
    child.once('exit', (code, signal) => {
      if (!this.stopped)
        this.modules.print(`  ${node.name} exited (code ${code}, signal ${signal}); its log: ${logPath}`);
    });
    return child;
  }

  /** Polls the hub and the nodes until every window is final (or the time is up). */
  private async follow(hub: HubClient, start: number, problems: string[]): Promise<WindowSettlement[]> {
    const { opts } = this;
    const print = this.modules.print;
    const deadline = Date.now() + opts.timeoutSeconds * 1000;
    const settled: WindowSettlement[] = [];
    let lastProgress = '';
    while (Date.now() < deadline && settled.length < opts.windowCount) {
      await sleep(1000);
      const now = Date.now() / 1000;
      const interval = Math.floor((now - start) / opts.intervalSeconds);
      const statuses = await Promise.all(this.nodes.map((n) => fetchJson<StatusJson>(`${n.apiUrl}/status`)));
      const lastFinal = await hub.lastFinalizedWindow();
      const w = settled.length;
      const readings = statuses.map((s) => s?.windows?.find((x) => x.window === w)?.readings ?? '-');
      const line =
        interval < 0
          ? `waiting for interval 0 (${Math.ceil(-interval * opts.intervalSeconds)}s)`
          : `window ${w}: interval ${Math.min(interval, opts.windowCount * opts.windowIntervals)}/${opts.windowCount * opts.windowIntervals}, ` +
            `readings per node [${readings.join(' ')}] of ${opts.windowIntervals * this.nodes.length}, ` +
            `peers [${statuses.map((s) => s?.peers?.length ?? '-').join(' ')}], ` +
            `committed [${statuses.map((s) => (s && s.lastCommittedWindow >= w ? 'y' : 'n')).join(' ')}]`;
      if (line !== lastProgress) print(line);
      lastProgress = line;
      while (settled.length <= lastFinal) {
        const window = settled.length;
        const rec = await hub.windowRecord(window);
        // A node busy on a loaded machine may answer late (10 s), or commit after the window is final:
        // those are asked again at the end (`awaitAgreement`) before they count as disagreeing. The window's
        // states come from a node that holds the final result: while none answers with it, all are asked
        // again each 2 s for up to 30 s (a signer holds it, but may be starved right now).
        let results: (WindowJson | undefined)[] = [];
        const own = await waitFor(
          30_000,
          async () => {
            results = await Promise.all(
              this.nodes.map((n) => fetchJson<WindowJson>(`${n.apiUrl}/window/${window}`, 10_000)),
            );
            return results.find((r) => r?.windowRoot === rec.windowRoot);
          },
          2000,
        );
        const agreeing = results.filter(
          (r) => r?.windowRoot === rec.windowRoot && r?.stateHash === rec.stateHash,
        ).length;
        if (!own) problems.push(`window ${window}: no node holds the result that is final on chain`);
        const fs = own?.finalState ?? [];
        const sum = (k: string) => fs.reduce((a, s) => a + BigInt(s[k]), 0n);
        const entry: WindowSettlement = {
          window,
          p2pKwh: Number(sum('p2pSoldWh')) / 1000,
          gridImportKwh: Number(sum('gridBoughtWh')) / 1000,
          gridExportKwh: Number(sum('gridSoldWh')) / 1000,
          net: fs.map((s) => BigInt(s.net)),
          finalState: fs.map(stateFromStrings),
          signers: popcount(rec.signers),
          agreeing,
        };
        settled.push(entry);
        print(
          `window ${window} FINAL on chain: ${entry.signers}/${this.nodes.length} signatures, ${agreeing}/${this.nodes.length} nodes agree; ` +
            `P2P ${entry.p2pKwh.toFixed(3)} kWh, grid import ${entry.gridImportKwh.toFixed(3)} kWh, grid export ${entry.gridExportKwh.toFixed(3)} kWh; ` +
            `token flows [${entry.net.map((n) => formatUnits(n, 18)).join(', ')}]`,
        );
      }
    }
    if (settled.length < opts.windowCount)
      problems.push(`timed out after ${opts.timeoutSeconds}s with ${settled.length}/${opts.windowCount} windows final`);
    return settled;
  }

  /**
   * Every node's own fold of every final window must be the result on chain: the nodes that did not hold
   * it when the window became final (a node starved on a loaded machine commits late) are asked again
   * every 3 s for up to 90 s; those that still differ (or never answer) are the run's problems.
   */
  private async awaitAgreement(hub: HubClient, windows: WindowSettlement[], problems: string[]): Promise<void> {
    const n = this.nodes.length;
    const deadline = Date.now() + 90_000;
    for (const w of windows) {
      if (w.agreeing === n) continue;
      const rec = await hub.windowRecord(w.window);
      const agrees = new Set<number>();
      // Every window is asked at least once (a window after one that used up the deadline is not "0 of n").
      for (let round = 0; agrees.size < n && (round === 0 || Date.now() < deadline); round++) {
        await Promise.all(
          this.nodes.map(async (node, i) => {
            if (agrees.has(i)) return;
            const r = await fetchJson<WindowJson>(`${node.apiUrl}/window/${w.window}`, 10_000);
            if (r?.windowRoot === rec.windowRoot && r.stateHash === rec.stateHash) agrees.add(i);
          }),
        );
        if (agrees.size < n) await sleep(3000);
      }
      if (agrees.size !== w.agreeing)
        this.modules.print(`window ${w.window}: ${agrees.size}/${n} nodes agree with the chain (some folded it late)`);
      w.agreeing = agrees.size;
      if (w.agreeing !== n) problems.push(`window ${w.window}: only ${w.agreeing} of ${n} nodes agree with the chain`);
    }
  }

  /** Gas of the nodes' own transactions (updates, finalizations), read from the chain. */
  private async collectNodeGas(hub: Contract, gas: GasLedger, bls: boolean): Promise<void> {
    const provider = this.provider!;
    const head = await provider.getBlockNumber();
    const nodeAddresses = new Set(this.nodes.map((n) => n.wallet.address.toLowerCase()));
    const hubAddress = (await hub.getAddress()).toLowerCase();
    for (let b = 0; b <= head; b++) {
      const block = await provider.getBlock(b, true);
      for (const tx of block?.prefetchedTransactions ?? []) {
        if (!nodeAddresses.has(tx.from.toLowerCase()) || tx.to?.toLowerCase() !== hubAddress) continue;
        const parsed = hub.interface.parseTransaction({ data: tx.data });
        if (!parsed || parsed.name === 'join') continue;
        const receipt = await provider.getTransactionReceipt(tx.hash);
        // ECDSA: signer bitmap and 64-byte signatures (EcdsaSignerSet); BLS: one aggregate (BlsCoSignatureScheme).
        const kind =
          parsed.name !== 'update'
            ? parsed.name === 'claimShare'
              ? 'claim share'
              : parsed.name
            : bls
              ? 'update (BLS aggregate)'
              : `update (${decodeEcdsaCoSignature(parsed.args[parsed.args.length - 1] as string, this.nodes.length).length} signatures)`;
        recordGas(gas, kind, receipt);
      }
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all(
      this.nodes.map(
        (n) =>
          new Promise<void>((resolve) => {
            const p = n.process;
            if (!p || p.exitCode !== null || p.signalCode !== null) return resolve();
            const t = setTimeout(() => p.kill('SIGKILL'), 5000);
            p.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
            p.kill('SIGTERM');
          }),
      ),
    );
    this.provider?.destroy();
    await this.anvil?.stop();
  }
}

/**
 * One prosumer per member of a community file: its readings at 15 minutes (each devnet interval
 * replays 15 minutes) written as a meter profile (`csv:` loadWh,pvWh per interval) under `dir`; a member
 * given by import/export replays them as load and PV (the meter sees the same net flow).
 */
export function communityProsumers(
  file: string,
  dir: string,
  opts: Pick<DevnetOptions, 'windowCount' | 'windowIntervals' | 'gridBuyPrice' | 'gridSellPrice' | 'communityOffset'>,
): {
  prosumers: ProsumerSpec[];
  profileOffset: number;
  gridBuyPrice: bigint;
  gridSellPrice: bigint;
  /** The file's `market.limits` (auction), by member name. */
  givenLimits: Record<string, { bid?: unknown; ask?: unknown }>;
  /** The file's time-of-use tariff, opened on chain with the community (Mmr, Auction). */
  tariff: Tariff | undefined;
  /** The readings the meters replay, per member, over the run's windows (for the per-member table). */
  readings: Pick<CommunityRun, 'exportWh' | 'importWh' | 'loadWh' | 'pvWh'>;
} {
  const c = readCommunityFile(file);
  const r = communityReadings(c, 900);
  const offset = opts.communityOffset ?? 0;
  const run = opts.windowCount * opts.windowIntervals;
  if (!Number.isInteger(offset) || offset < 0 || r.intervals < offset + opts.windowCount * opts.windowIntervals) {
    throw new DevnetUnsupportedError(
      `${file}: ${r.intervals} quarter-hours, fewer than ${opts.windowCount} windows x ${opts.windowIntervals} intervals from quarter-hour ${offset}`,
    );
  }
  mkdirSync(join(dir, 'profiles'), { recursive: true });
  const prosumers = r.members.map((m, i): ProsumerSpec => {
    const load = m.loadWh ?? m.importWh;
    const pv = m.loadWh ? (m.pvWh ?? new Uint32Array(load.length)) : m.exportWh;
    const path = join(dir, 'profiles', `member-${i}.csv`);
    writeFileSync(path, `loadWh,pvWh\n${Array.from(load, (l, t) => `${l},${pv[t]}`).join('\n')}\n`);
    return { pvKwp: pv.some((x) => x > 0) ? 1 : 0, member: { name: m.name, profile: `csv:${path}` } };
  });
  const market = (c.market ?? {}) as Record<string, unknown>;
  const price = (v: unknown, fallback: bigint): bigint => (v === undefined ? fallback : parseUnits(String(v), 18));
  return {
    prosumers,
    profileOffset: offset,
    gridBuyPrice: price(market.gridBuyPrice, opts.gridBuyPrice),
    gridSellPrice: price(market.gridSellPrice, opts.gridSellPrice),
    givenLimits: (market.limits ?? {}) as Record<string, { bid?: unknown; ask?: unknown }>,
    tariff: c.tariff === undefined ? undefined : fileTariff(c.tariff, file),
    readings: {
      exportWh: r.members.map((m) => m.exportWh.slice(offset, offset + run)),
      importWh: r.members.map((m) => m.importWh.slice(offset, offset + run)),
      loadWh: r.members.map((m) => m.loadWh?.slice(offset, offset + run) ?? null),
      pvWh: r.members.map((m) => m.pvWh?.slice(offset, offset + run) ?? null),
    },
  };
}

/** A community file's `tariff` block (`parseTariff`, 18 decimals); its errors as DevnetUnsupportedError. */
function fileTariff(json: unknown, file: string): Tariff {
  try {
    return parseTariff(json, 18);
  } catch (e) {
    if (e instanceof TariffError) throw new DevnetUnsupportedError(`${file}: ${e.message}`);
    throw e;
  }
}

/** A price in currency units per kWh (decimal string or number) as token units (18 decimals). */
function tokenPrice(v: unknown, where: string): bigint {
  try {
    const p = parseUnits(String(v), 18);
    if (p >= 0n) return p;
  } catch {
    // reported below
  }
  throw new DevnetUnsupportedError(`${where}: not a non-negative decimal price: ${JSON.stringify(v)}`);
}

/** The overview page (served by the first node) reading every node's JSON API. */
export function overviewUrl(nodes: Pick<DevnetNode, 'apiUrl'>[]): string {
  return `${nodes[0].apiUrl}/overview.html?nodes=${nodes.map((n) => n.apiUrl).join(',')}`;
}

/** The fields of a node's `/status` JSON that the progress line reads. */
interface StatusJson {
  windows?: { window: number; readings: number }[];
  peers?: string[];
  lastCommittedWindow: number;
}

/** The fields of a node's `/window/<n>` JSON (its fold of the window) that the report reads. */
interface WindowJson {
  windowRoot: string;
  stateHash: string;
  finalState?: Record<string, string>[];
}

/** A node's JSON at `url`, or undefined when it does not answer in `timeoutMs` (the devnet reports it as missing). */
async function fetchJson<T>(url: string, timeoutMs = 2000): Promise<T | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok ? ((await res.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The environment of a devnet node: the operator's, minus every DIVERSITY_* variable. Options
 * come from env before the config file, so an exported DIVERSITY_PRIVATE_KEY would otherwise make
 * every devnet node sign with the operator's key (and DIVERSITY_CHAIN_RPC_URL send it elsewhere).
 */
export function devnetNodeEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.toUpperCase().startsWith('DIVERSITY_')));
}
