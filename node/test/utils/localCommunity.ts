import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NonceManager, Wallet, type JsonRpcProvider } from 'ethers';
import { startAnvil, type Anvil } from '../../src/chain/anvil.js';
import { HubClient, type WindowRecord } from '../../src/chain/hubClient.js';
import { deployHub, localProvider, openCommunity, type Deployment } from '../../src/devnet/deploy.js';
import { freePorts } from '../../src/util/ports.js';
import { DiversityNode } from '../../src/node/node.js';
import { defaultNodeOptions, type NodeOptions } from '../../src/node/options.js';
import { peerIdFromSecret } from '../../src/network/peerKey.js';
import { meterKeyPair, MeterScheme, serializeSignedReading } from '../../src/reading/signature.js';
import { encodeReading } from '../../src/reading/encoding.js';
import { seedFor } from '../../src/vectors/readings.js';
import { toHex } from '../../src/util/hex.js';
import { createLogger } from '../../src/util/logger.js';
import { MarketKind } from '../../src/window/state.js';

export interface LocalCommunityOptions {
  /** Per node: constant load and PV (Wh per interval) of its meter. */
  households: { loadWh: number; pvWh: number }[];
  intervalSeconds: number;
  windowIntervals: number;
  windowCount: number;
  challengePeriod: number;
  startDelaySeconds: number;
  signatureDeadlineSeconds: number;
  takeoverSeconds: number;
  /** The game module's seconds per move (default: the standard set's). */
  gameMoveDeadline?: number;
  /**
   * P-256 meters (secure elements) registered after the nodes' own meters, owned by participant 0
   * and signed by the test (`signP256`): no node runs them.
   */
  p256Meters?: number;
}

const ETHER = 10n ** 18n;

/** Two PV households and two consumers, constant profiles (Wh per interval). */
export const FOUR_HOUSEHOLDS = [
  { loadWh: 100, pvWh: 400 },
  { loadWh: 150, pvWh: 250 },
  { loadWh: 300, pvWh: 0 },
  { loadWh: 200, pvWh: 0 },
];

/** Accelerated time: 1-second intervals, 4 per window, short deadlines; tests override what they need. */
export const fastCommunityOptions: LocalCommunityOptions = {
  households: FOUR_HOUSEHOLDS,
  intervalSeconds: 1,
  windowIntervals: 4,
  windowCount: 2,
  challengePeriod: 120,
  startDelaySeconds: 4,
  signatureDeadlineSeconds: 3,
  takeoverSeconds: 2,
};

/**
 * A community on a real anvil with real libp2p nodes on loopback, in this process (frugal on
 * two cores). Nodes are created up front and started by the test, so it can keep one offline,
 * restart one, or add a misbehaving peer.
 */
export class LocalCommunity {
  anvil!: Anvil;
  provider!: JsonRpcProvider;
  deployment!: Deployment;
  communityId!: bigint;
  start!: number;
  options: NodeOptions[] = [];
  /** The private keys of the P-256 meters (meter index = households + k). */
  p256Keys: KeyObject[] = [];
  nodes: (DiversityNode | undefined)[] = [];
  /** Data dirs (and logs) of this community's nodes; removed at teardown. */
  readonly dataRoot = mkdtempSync(join(tmpdir(), 'diversity-e2e-'));

  constructor(readonly opts: LocalCommunityOptions) {}

  async setup(): Promise<void> {
    const { opts } = this;
    const n = opts.households.length;
    this.anvil = await startAnvil({ accounts: n + 1 });
    this.provider = localProvider(this.anvil.rpcUrl);
    const deployer = new NonceManager(new Wallet(this.anvil.privateKeys[0], this.provider));
    const wallets = opts.households.map((_, i) => new Wallet(this.anvil.privateKeys[i + 1], this.provider));
    const deployStarted = Date.now();
    this.deployment = await deployHub(deployer, undefined, { moveDeadline: opts.gameMoveDeadline });
    const deploySeconds = (Date.now() - deployStarted) / 1000;
    const meterKeys = opts.households.map((_, i) => meterKeyPair(seedFor(`e2e-meter-${i}`)));
    const p256 = Array.from({ length: opts.p256Meters ?? 0 }, () => generateKeyPairSync('ec', { namedCurve: 'P-256' }));
    this.p256Keys = p256.map((k) => k.privateKey);
    const p256Public = p256.map((k) => {
      const jwk = k.publicKey.export({ format: 'jwk' });
      return new Uint8Array(Buffer.concat([Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]));
    });
    const latest = await this.provider.getBlock('latest');
    // Interval 0 must not begin long before the nodes run: the open, the joins and the nodes' start come
    // first, about as much work as the deployment just done (1.5 s here unloaded, against a 4 s delay). On a
    // machine slow enough that twice the deployment's time is more than the delay, the delay is that: readings
    // a node makes after its first window's grace (a node up that late) are sealed out of that window.
    const delay = Math.max(opts.startDelaySeconds, Math.ceil(2 * deploySeconds));
    this.start = Math.max(latest!.timestamp, Math.floor(Date.now() / 1000)) + delay;
    this.communityId = await openCommunity(this.deployment, deployer, {
      participants: wallets,
      meters: [
        ...meterKeys.map((k, i) => ({ publicKey: k.publicKey, scheme: MeterScheme.Ed25519, owner: i })),
        // Owned by the last participant: the hub takes the meters grouped by owner (§5.1).
        ...p256Public.map((publicKey) => ({ publicKey, scheme: MeterScheme.P256, owner: meterKeys.length - 1 })),
      ],
      intervalSeconds: opts.intervalSeconds,
      windowIntervals: opts.windowIntervals,
      start: this.start,
      windowCount: opts.windowCount,
      market: {
        kind: MarketKind.Mmr,
        gridBuyPrice: (25n * ETHER) / 100n,
        gridSellPrice: (5n * ETHER) / 100n,
        feederCapacityWh: 0n,
      },
      bond: 10n * ETHER,
      escrow: 100n * ETHER,
      challengePeriod: opts.challengePeriod,
      ownMeterKeys: meterKeys.map((k, i) =>
        i === meterKeys.length - 1 ? [k.publicKey, ...p256Public] : [k.publicKey],
      ),
    });
    const ports = await freePorts(n);
    const peerIds = await Promise.all(wallets.map((w) => peerIdFromSecret(w.privateKey)));
    const listen = ports.map((p) => `/ip4/127.0.0.1/tcp/${p}`);
    this.options = wallets.map((w, i) => ({
      ...defaultNodeOptions,
      name: `node-${i}`,
      dataDir: join(this.dataRoot, `node-${i}`),
      privateKey: w.privateKey,
      logLevel: 'warn',
      // One machine, one clock (the fault suite's clock-skew scenario sets its own bound).
      maxClockSkewSeconds: 0,
      tickMs: 200,
      network: {
        ...defaultNodeOptions.network,
        listen: [listen[i]],
        bootstrap: listen.flatMap((a, j) => (j === i ? [] : [`${a}/p2p/${peerIds[j]}`])),
        redialIntervalMs: 500,
      },
      chain: {
        ...defaultNodeOptions.chain,
        replaceAfterSeconds: 10,
        backoffSeconds: 1,
        backoffMaxSeconds: 8,
        rpcUrl: this.anvil.rpcUrl,
        hub: this.deployment.hubAddress,
        communityId: this.communityId,
        pollMs: 300,
        signatureDeadlineSeconds: opts.signatureDeadlineSeconds,
        takeoverSeconds: opts.takeoverSeconds,
      },
      window: { graceSeconds: 1, reconcileTimeoutMs: 1500, maxPeerWaitSeconds: 3 },
      api: { enabled: true, host: '127.0.0.1', port: 0 },
      meter: {
        meterIndex: i,
        secretKey: toHex(meterKeys[i].secretKey.subarray(0, 32)),
        profile: `constant:loadWh=${opts.households[i].loadWh},pvWh=${opts.households[i].pvWh},intervals=1000`,
        profileOffset: 0,
      },
    }));
    this.nodes = new Array(n).fill(undefined);
  }

  async startNode(i: number, overrides: Partial<NodeOptions> = {}): Promise<DiversityNode> {
    const node = new DiversityNode(
      { ...this.options[i], ...overrides },
      { logger: createLogger({ level: 'error', name: `node-${i}` }) },
    );
    this.nodes[i] = node;
    await node.start();
    return node;
  }

  async stopNode(i: number): Promise<void> {
    await this.nodes[i]?.stop();
    this.nodes[i] = undefined;
  }

  /** Meter `meterIndex`'s (a P-256 one) signed reading of `interval`, serialized as gossiped. */
  signP256(meterIndex: number, interval: number, exportWh: number, importWh: number): Uint8Array {
    const reading = {
      chainId: 31337n,
      hub: this.deployment.hubAddress,
      communityId: this.communityId,
      meterIndex,
      interval,
      exportWh,
      importWh,
    };
    const key = this.p256Keys[meterIndex - this.opts.households.length];
    const signature = new Uint8Array(sign('sha256', encodeReading(reading), { key, dsaEncoding: 'ieee-p1363' }));
    return serializeSignedReading({ reading, signature });
  }

  /** The interval running now by the wall clock (negative before the community starts). */
  currentInterval(): number {
    return Math.floor((Date.now() / 1000 - this.start) / this.opts.intervalSeconds);
  }

  /** Unix seconds when `window` ends. */
  windowEnd(window: number): number {
    return this.start + (window + 1) * this.opts.windowIntervals * this.opts.intervalSeconds;
  }

  /**
   * Window `w`'s result as every node reads it (`HubClient.windowRecord`: a fast-path-final window's
   * windowRoot and stateHash from its `WindowFinalized` event, the hub stores only its balances root).
   */
  async windowRecord(w: number): Promise<WindowRecord> {
    const hub = new HubClient(
      { hub: this.deployment.hubAddress, communityId: this.communityId },
      { runner: this.provider, provider: this.provider },
    );
    return hub.windowRecord(w);
  }

  async lastFinalizedWindow(): Promise<number> {
    const info = await this.deployment.hub.community(this.communityId);
    return Number(info.finalizedWindows) - 1;
  }

  async waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  }

  /** Advances chain time (anvil) and mines a block. */
  async timeTravel(seconds: number): Promise<void> {
    await this.provider.send('evm_increaseTime', [seconds]);
    await this.provider.send('evm_mine', []);
  }

  async teardown(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n?.stop().catch(() => {})));
    this.provider?.destroy();
    await this.anvil?.stop();
    rmSync(this.dataRoot, { recursive: true, force: true });
  }
}
