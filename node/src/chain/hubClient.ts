import { Contract, type ContractRunner, type Overrides, type Provider, type TransactionReceipt } from 'ethers';
import type { CommunityInfo, MeterInfo } from '../community/types.js';
import type { ParticipantState } from '../window/state.js';
import { fromHex } from '../util/hex.js';
import { loadArtifact } from './artifacts.js';

export enum WindowStatus {
  None = 0,
  Pending = 1,
  Final = 2,
}

export interface WindowRecord {
  windowRoot: string;
  stateHash: string;
  /** Bitmap of participant indexes that signed. */
  signers: bigint;
  submittedAt: number;
  status: WindowStatus;
}

export interface AccountInfo {
  escrow: bigint;
  bond: bigint;
  debt: bigint;
  claim: bigint;
}

/** How long to wait for a transaction to be mined before giving up on it (the caller retries). */
export const TX_TIMEOUT_MS = 60_000;

/** Typed access to one community on the hub contract. */
export class HubClient {
  readonly contract: Contract;

  constructor(
    readonly opts: { hub: string; communityId: bigint },
    private readonly modules: { runner: ContractRunner; provider: Provider },
  ) {
    this.contract = new Contract(opts.hub, loadArtifact('Hub').abi, modules.runner);
  }

  async communityInfo(): Promise<CommunityInfo> {
    const id = this.opts.communityId;
    const [network, info, participants, meters] = await Promise.all([
      this.modules.provider.getNetwork(),
      this.contract.community(id),
      this.contract.participants(id),
      this.contract.meters(id),
    ]);
    return {
      chainId: network.chainId,
      hub: this.opts.hub,
      communityId: id,
      participants: [...participants],
      meters: meters.map((m: { publicKey: string; scheme: bigint; owner: bigint }, index: number): MeterInfo => ({
        index,
        publicKey: fromHex(m.publicKey),
        scheme: Number(m.scheme),
        owner: Number(m.owner),
      })),
      intervalSeconds: Number(info.intervalSeconds),
      windowIntervals: Number(info.windowIntervals),
      start: Number(info.start),
      windowCount: Number(info.windowCount),
      market: {
        kind: Number(info.market.kind),
        gridBuyPrice: info.market.gridBuyPrice,
        gridSellPrice: info.market.gridSellPrice,
        feederCapacityWh: info.market.feederCapacityWh,
      },
      challengePeriod: Number(info.challengePeriod),
      token: info.token,
    };
  }


  async windowRecord(window: number): Promise<WindowRecord> {
    const r = await this.contract.windowRecord(this.opts.communityId, window);
    return { windowRoot: r.windowRoot, stateHash: r.stateHash, signers: r.signers, submittedAt: Number(r.submittedAt), status: Number(r.status) };
  }

  /** Index of the last final window, or -1. */
  async lastFinalizedWindow(): Promise<number> {
    const [any, window] = await this.contract.lastFinalizedWindow(this.opts.communityId);
    return any ? Number(window) : -1;
  }

  async account(index: number): Promise<AccountInfo> {
    const a = await this.contract.account(this.opts.communityId, index);
    return { escrow: a.escrow, bond: a.bond, debt: a.debt, claim: a.claim };
  }


  async sendUpdate(window: number, windowRoot: string, finalState: ParticipantState[], signatures: string[], overrides: Overrides = {}) {
    return this.contract.update(this.opts.communityId, window, windowRoot, finalState, signatures, overrides);
  }

  /** Sends a fraud proof (`kind` and `abi.encode(proof)`) and waits for it to be mined. */
  async dispute(window: number, kind: number, proof: string): Promise<TransactionReceipt> {
    const tx = await this.contract.dispute(this.opts.communityId, window, kind, proof);
    return (await tx.wait(1, TX_TIMEOUT_MS))!;
  }

  async isVoided(meterIndex: number, interval: number): Promise<boolean> {
    return this.contract.isVoided(this.opts.communityId, meterIndex, interval);
  }

  async sendFinalize(overrides: Overrides = {}) {
    return this.contract.finalize(this.opts.communityId, overrides);
  }
}
