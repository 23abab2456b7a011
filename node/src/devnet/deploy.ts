import { Contract, ContractFactory, JsonRpcProvider, NonceManager, Wallet, type TransactionReceipt } from 'ethers';
import { loadArtifact } from '../chain/artifacts.js';
import type { MarketParams } from '../window/state.js';
import type { MeterScheme } from '../reading/signature.js';
import { toHex } from '../util/hex.js';

export interface GasLedger {
  /** kind -> gas of each transaction of that kind */
  entries: Map<string, bigint[]>;
}

export function newGasLedger(): GasLedger {
  return { entries: new Map() };
}

export function recordGas(ledger: GasLedger, kind: string, receipt: TransactionReceipt | null): void {
  if (!receipt) return;
  const list = ledger.entries.get(kind) ?? [];
  list.push(receipt.gasUsed);
  ledger.entries.set(kind, list);
}

export interface Deployment {
  hub: Contract;
  token: Contract;
  hubAddress: string;
  tokenAddress: string;
}

/** Deploys the demo payment token, the fraud-proof verifier and the hub from `deployer`. */
export async function deployHub(deployer: Wallet | NonceManager, ledger?: GasLedger): Promise<Deployment> {
  const tokenArtifact = loadArtifact('CommunityToken');
  const hubArtifact = loadArtifact('Hub');
  const owner = await deployer.getAddress();
  const token = await new ContractFactory(tokenArtifact.abi, tokenArtifact.bytecode, deployer).deploy('Community Euro', 'cEUR', owner);
  await token.waitForDeployment();
  if (ledger) recordGas(ledger, 'deploy token', await token.deploymentTransaction()!.wait());
  // The fraud-proof verifier does not fit in the hub's code: deployed first, passed to the hub.
  const verifierArtifact = loadArtifact('FraudProofVerifier');
  const verifier = await new ContractFactory(verifierArtifact.abi, verifierArtifact.bytecode, deployer).deploy();
  await verifier.waitForDeployment();
  if (ledger) recordGas(ledger, 'deploy verifier', await verifier.deploymentTransaction()!.wait());
  const hub = await new ContractFactory(hubArtifact.abi, hubArtifact.bytecode, deployer).deploy(await verifier.getAddress());
  await hub.waitForDeployment();
  if (ledger) recordGas(ledger, 'deploy hub', await hub.deploymentTransaction()!.wait());
  return { hub: hub as Contract, token: token as Contract, hubAddress: await hub.getAddress(), tokenAddress: await token.getAddress() };
}

export interface CommunitySpec {
  participants: Wallet[];
  meters: { publicKey: Uint8Array; scheme: MeterScheme; owner: number }[];
  intervalSeconds: number;
  windowIntervals: number;
  start: number;
  windowCount: number;
  market: MarketParams;
  bond: bigint;
  escrow: bigint;
  challengePeriod: number;
}

/**
 * Opens a community and has every participant join (mint, approve, join), so it is Active.
 * Returns the community id.
 */
export async function openCommunity(
  deployment: Deployment,
  opener: Wallet | NonceManager,
  spec: CommunitySpec,
  ledger?: GasLedger,
): Promise<bigint> {
  const hub = deployment.hub.connect(opener) as Contract;
  const config = {
    participants: spec.participants.map((w) => w.address),
    meters: spec.meters.map((m) => ({ publicKey: toHex(m.publicKey), scheme: m.scheme, owner: m.owner })),
    intervalSeconds: spec.intervalSeconds,
    windowIntervals: spec.windowIntervals,
    start: spec.start,
    windowCount: spec.windowCount,
    market: spec.market,
    token: deployment.tokenAddress,
    bond: spec.bond,
    escrow: spec.escrow,
    challengePeriod: spec.challengePeriod,
  };
  const communityId: bigint = await hub.open.staticCall(config);
  const openReceipt = await (await hub.open(config)).wait();
  if (ledger) recordGas(ledger, 'open', openReceipt);
  const token = deployment.token.connect(opener) as Contract;
  const deposit = spec.bond + spec.escrow;
  await Promise.all(
    spec.participants.map(async (p) => {
      await (await token.mint(p.address, deposit * 10n)).wait();
    }),
  );
  for (const p of spec.participants) {
    const asParticipant = deployment.token.connect(p) as Contract;
    await (await asParticipant.approve(deployment.hubAddress, deposit)).wait();
    const receipt = await (await (deployment.hub.connect(p) as Contract).join(communityId)).wait();
    if (ledger) recordGas(ledger, 'join', receipt);
  }
  return communityId;
}

/** A provider for scripts: no network detection round-trips, fast polling. */
export function localProvider(rpcUrl: string, pollMs = 250): JsonRpcProvider {
  return new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, pollingInterval: pollMs, cacheTimeout: -1 });
}
