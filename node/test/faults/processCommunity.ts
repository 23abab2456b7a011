/**
 * A community of node PROCESSES (`node bin/diversity.js node --config ...`) on anvil, for the
 * fault suite: each node can be killed with SIGKILL at any point, stopped, restarted, run with a
 * skewed clock, and cut off from some peers (a network partition), and its peak RSS is read from
 * the kernel (`VmHWM` in /proc/<pid>/status).
 *
 * Partitions: every pair of nodes talks through its own loopback TCP relay — node i's bootstrap
 * address for node j is the relay (i→j), and the nodes dial nothing but their bootstrap
 * addresses — so cutting the relays between two groups cuts every connection between them and
 * refuses new ones, without touching the machine's firewall.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server, type Socket, connect } from 'node:net';
import { join } from 'node:path';
import { projectRoot } from '../../src/chain/artifacts.js';
import { freePorts } from '../../src/util/ports.js';
import { peerIdFromSecret } from '../../src/network/peerKey.js';
import type { NodeOptions } from '../../src/node/options.js';
import { type LocalCommunityOptions, LocalCommunity } from '../utils/localCommunity.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A loopback TCP relay from one node to another that the harness can cut and heal. */
class Relay {
  private readonly sockets = new Set<Socket>();
  private server?: Server;
  cut = false;

  constructor(
    readonly port: number,
    private readonly target: number,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((inbound) => {
      if (this.cut) return inbound.destroy();
      const outbound = connect(this.target, '127.0.0.1');
      for (const s of [inbound, outbound]) {
        this.sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => {
          this.sockets.delete(s);
          inbound.destroy();
          outbound.destroy();
        });
      }
      inbound.pipe(outbound);
      outbound.pipe(inbound);
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.port, '127.0.0.1', resolve);
    });
  }

  /** Drops every connection through the relay and refuses new ones until healed. */
  sever(): void {
    this.cut = true;
    for (const s of this.sockets) s.destroy();
  }

  async stop(): Promise<void> {
    this.sever();
    await new Promise((r) => this.server?.close(r) ?? r(undefined));
  }
}

export class ProcessCommunity {
  readonly chain: LocalCommunity;
  readonly processes: (ChildProcess | undefined)[] = [];
  /** Peak RSS (bytes) per node over all its processes. */
  readonly peakRss: number[] = [];
  apiUrls: string[] = [];
  listen: string[] = [];
  peerIds: string[] = [];
  /**
   * When each node's process ran with its meter (from its API answering to the signal that ended
   * it, wall-clock ms): the meter runs inside the node, so a reading of an interval that ended
   * while its node was down is produced only once the node is back.
   */
  readonly upSpans: { from: number; to?: number }[][] = [];
  /** Seconds each node spent down (from a signal to its API answering again). */
  readonly downSeconds: number[] = [];
  private readonly downSince: (number | undefined)[] = [];
  private tornDown = false;
  private readonly relays = new Map<string, Relay>();
  private configs: string[] = [];
  private sampler?: NodeJS.Timeout;
  private readonly skewMs: number[] = [];

  constructor(
    opts: LocalCommunityOptions,
    /** Options every node runs with on top of the community's (a scenario's). */
    private readonly nodeOverrides: Partial<NodeOptions> = {},
  ) {
    this.chain = new LocalCommunity(opts);
  }

  get size(): number {
    return this.chain.opts.households.length;
  }

  async setup(): Promise<void> {
    await this.chain.setup();
    const n = this.size;
    const ports = await freePorts(n * 2 + n * (n - 1));
    const peerIds = await Promise.all(this.chain.options.map((o) => peerIdFromSecret(o.privateKey)));
    this.peerIds = peerIds;
    this.listen = ports.slice(0, n).map((p) => `/ip4/127.0.0.1/tcp/${p}`);
    this.apiUrls = ports.slice(n, 2 * n).map((p) => `http://127.0.0.1:${p}`);
    let next = 2 * n;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        const relay = new Relay(ports[next++], ports[j]);
        await relay.start();
        this.relays.set(`${i}>${j}`, relay);
      }
    const dir = join(this.chain.dataRoot, 'configs');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.configs = this.chain.options.map((o, i) => {
      const config: NodeOptions = {
        ...o,
        ...this.nodeOverrides,
        logLevel: (process.env.FAULTS_LOG_LEVEL ?? 'warn') as NodeOptions['logLevel'],
        network: {
          ...o.network,
          listen: [this.listen[i]],
          bootstrap: peerIds.flatMap((id, j) =>
            j === i ? [] : [`/ip4/127.0.0.1/tcp/${this.relays.get(`${i}>${j}`)!.port}/p2p/${id}`],
          ),
        },
        api: { ...o.api, port: ports[n + i] },
      };
      const path = join(dir, `node-${i}.json`);
      writeFileSync(
        path,
        JSON.stringify(config, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2),
        { mode: 0o600 },
      );
      chmodSync(path, 0o600);
      return path;
    });
    this.peakRss.push(...new Array(n).fill(0));
    this.skewMs.push(...new Array(n).fill(0));
    this.downSeconds.push(...new Array(n).fill(0));
    for (let i = 0; i < n; i++) this.upSpans.push([]);
    this.sampler = setInterval(() => this.sampleRss(), 250);
  }

  /** Runs node i's process from now on with its clock `ms` off (a preload shifts Date.now). */
  setClockSkew(i: number, ms: number): void {
    this.skewMs[i] = ms;
  }

  /** Spawns node i's process; resolves once its API answers (or rejects after `timeoutMs`). */
  async startNode(i: number, timeoutMs = 240_000): Promise<void> {
    if (this.processes[i]) throw new Error(`node ${i} is already running`);
    const bin = join(projectRoot(), 'bin', 'diversity.js');
    const preload = new URL('./skewClock.mjs', import.meta.url).href;
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.toUpperCase().startsWith('DIVERSITY_')),
    );
    // FAULTS_CPU_PROF=<dir>: each node process writes a V8 CPU profile there when it is stopped (killAll
    // stops the nodes with SIGTERM first then, so that the profile is written).
    const prof = process.env.FAULTS_CPU_PROF
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${process.env.FAULTS_CPU_PROF}`,
          `--cpu-prof-name=node-${i}-${Date.now()}.cpuprofile`,
        ]
      : [];
    const child = spawn(process.execPath, [...prof, '--import', preload, bin, 'node', '--config', this.configs[i]], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...env, FAULTS_CLOCK_SKEW_MS: String(this.skewMs[i]) },
    });
    const log = createWriteStream(join(this.chain.dataRoot, `node-${i}.log`), { flags: 'a' });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    this.processes[i] = child;
    child.once('exit', () => {
      if (this.processes[i] === child) this.processes[i] = undefined;
    });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.processes[i] !== child) throw new Error(`node ${i} exited during start (log: ${this.logPath(i)})`);
      const ok = await fetch(`${this.apiUrls[i]}/status`, { signal: AbortSignal.timeout(1000) })
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) {
        this.upSpans[i].push({ from: Date.now() });
        const since = this.downSince[i];
        if (since !== undefined) this.downSeconds[i] += (Date.now() - since) / 1000;
        this.downSince[i] = undefined;
        return;
      }
      await sleep(200);
    }
    throw new Error(`node ${i} did not answer in ${timeoutMs} ms (log: ${this.logPath(i)})`);
  }

  /** Spawns node i without waiting for it (a kill may land at any point of its start). */
  spawnNode(i: number): void {
    void this.startNode(i).catch(() => {});
  }

  logPath(i: number): string {
    return join(this.chain.dataRoot, `node-${i}.log`);
  }

  /** Sends `signal` to node i's process and waits for it to exit. */
  async signalNode(i: number, signal: NodeJS.Signals): Promise<void> {
    const child = this.processes[i];
    if (!child || child.exitCode !== null) return;
    this.sampleRss();
    const exited = new Promise((r) => child.once('exit', r));
    this.downSince[i] ??= Date.now();
    const span = this.upSpans[i]?.at(-1);
    if (span && span.to === undefined) span.to = Date.now();
    child.kill(signal);
    await exited;
  }

  /** Cuts every connection between the two groups (both directions) and refuses new ones. */
  partition(a: number[], b: number[]): void {
    for (const i of a) for (const j of b) for (const k of [`${i}>${j}`, `${j}>${i}`]) this.relays.get(k)!.sever();
  }

  heal(): void {
    for (const r of this.relays.values()) r.cut = false;
  }

  async status(i: number): Promise<{ peers: string[]; lastFinalWindow: number } | undefined> {
    return fetch(`${this.apiUrls[i]}/status`, { signal: AbortSignal.timeout(3000) })
      .then((r) => r.json() as Promise<{ peers: string[]; lastFinalWindow: number }>)
      .catch(() => undefined);
  }

  async windowResult(i: number, w: number): Promise<{ windowRoot?: string; readingCount?: number }> {
    return fetch(`${this.apiUrls[i]}/window/${w}`, { signal: AbortSignal.timeout(3000) })
      .then((r) => r.json() as Promise<{ windowRoot?: string; readingCount?: number }>)
      .catch(() => ({}));
  }

  private sampleRss(): void {
    this.processes.forEach((p, i) => {
      if (!p?.pid) return;
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p.pid}/status`, 'utf8'));
        if (m) this.peakRss[i] = Math.max(this.peakRss[i], Number(m[1]) * 1024);
      } catch {
        // exited between the check and the read
      }
    });
  }

  /** Node i's data dir (its LevelDB). */
  dataDir(i: number): string {
    return this.chain.options[i].dataDir;
  }

  /** SIGKILLs every node (their stores can then be opened by the harness). */
  async killAll(): Promise<void> {
    if (process.env.FAULTS_CPU_PROF)
      await Promise.all(this.processes.map((_, i) => Promise.race([this.signalNode(i, 'SIGTERM'), sleep(15_000)])));
    await Promise.all(this.processes.map((_, i) => this.signalNode(i, 'SIGKILL')));
  }

  /** Hooks run first at teardown (a hostile peer stops there). */
  readonly onTeardown: (() => Promise<void>)[] = [];

  async teardown(): Promise<void> {
    if (this.tornDown) return;
    this.tornDown = true;
    for (const hook of this.onTeardown) await hook().catch(() => {});
    clearInterval(this.sampler);
    this.sampleRss();
    await Promise.all(this.processes.map((_, i) => this.signalNode(i, 'SIGKILL')));
    await Promise.all([...this.relays.values()].map((r) => r.stop()));
    // FAULTS_KEEP_LOGS=<dir>: the nodes' logs survive the scenario (the data root is removed).
    const keepRoot = process.env.FAULTS_KEEP_LOGS;
    if (keepRoot) {
      const keep = join(keepRoot, new Date().toISOString().slice(11, 19).replaceAll(':', ''));
      mkdirSync(keep, { recursive: true });
      for (let i = 0; i < this.size; i++)
        if (existsSync(this.logPath(i))) copyFileSync(this.logPath(i), join(keep, `node-${i}.log`));
    }
    await this.chain.teardown();
  }
}
