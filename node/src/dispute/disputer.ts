import type { CommunityInfo } from '../community/types.js';
import type { HubClient, WindowRecord } from '../chain/hubClient.js';
import type { NodeDb } from '../db/index.js';
import type { Metrics } from '../metrics/metrics.js';
import type { MeterKeyRing } from '../reading/meterKeys.js';
import { deserializeSignedReading } from '../reading/signature.js';
import { fromHex } from '../util/hex.js';
import type { Logger } from '../util/logger.js';
import { assembleStoredWindow } from '../window/assemble.js';
import type { ParticipantState } from '../window/state.js';
import { buildCheapestProof, claimFromServed, DisputeKind, type ClaimedWindow, type Proof } from './proofs.js';

/** Parses the `commitment` frames of the window protocol. */
export function parseClaimedWindow(frames: Uint8Array[]): ClaimedWindow | undefined {
  if (frames.length === 0) return undefined;
  const rows = frames.map(
    (f) =>
      JSON.parse(Buffer.from(f).toString('utf8')) as {
        interval: number;
        slots: (string | null)[];
        state: Record<keyof ParticipantState, string>[];
      },
  );
  return claimFromServed(
    rows[0].interval,
    rows.map((r) => r.slots.map((s) => (s ? deserializeSignedReading(fromHex(s)) : undefined))),
    rows.map((r) =>
      r.state.map((s) => ({
        exportWh: BigInt(s.exportWh),
        importWh: BigInt(s.importWh),
        p2pSoldWh: BigInt(s.p2pSoldWh),
        p2pBoughtWh: BigInt(s.p2pBoughtWh),
        gridSoldWh: BigInt(s.gridSoldWh),
        gridBoughtWh: BigInt(s.gridBoughtWh),
        net: BigInt(s.net),
      })),
    ),
  );
}

export interface DisputerModules {
  community: CommunityInfo;
  /** Our participant index (undefined for an outside auditor): decides which omissions we may raise. */
  participantIndex?: number;
  keys: MeterKeyRing;
  db: NodeDb;
  hub: HubClient;
  /** Asks the connected peers for the claimant's commitment of a window. */
  fetchCommitments(window: number): Promise<Uint8Array[][]>;
  metrics: Metrics | null;
  logger: Logger;
}

/**
 * Turns a disagreement with a pending claim into a fraud proof on chain: fetch the claimant's
 * commitment (any peer that holds the one whose root is on chain), compare it with the signed
 * readings this node holds, and send the cheapest proof that applies.
 */
export class Disputer {
  constructor(private readonly modules: DisputerModules) {}

  /** Finds a proof against the pending claim of `window`, or says why there is none. */
  async prove(window: number, record: WindowRecord): Promise<{ proof?: Proof; reason?: string }> {
    const { community, keys, db } = this.modules;
    let claim: ClaimedWindow | undefined;
    for (const frames of await this.modules.fetchCommitments(window)) {
      const candidate = parseClaimedWindow(frames);
      if (candidate && candidate.commitment.windowRoot === record.windowRoot) {
        claim = candidate;
        break;
      }
    }
    if (!claim)
      return {
        reason: 'no peer serves a commitment with the root on chain (withheld data: bisection is not implemented)',
      };
    // Our slots already void equivocated readings: they are never held against a claim.
    const ours = await assembleStoredWindow(db, community, window);
    const proof = buildCheapestProof(community, keys, claim, record.stateHash, ours.slots, {
      signers: record.signers,
      disputer: this.modules.participantIndex,
    });
    return proof ? { proof } : { reason: 'the claim agrees with every signed reading this node holds' };
  }

  /** Proves and sends; true when the hub accepted the dispute. */
  async dispute(window: number, record: WindowRecord): Promise<boolean> {
    const { hub, logger, metrics } = this.modules;
    const { proof, reason } = await this.prove(window, record);
    if (!proof) {
      logger.warn('cannot dispute', { window, reason });
      return false;
    }
    logger.warn('disputing window', { window, kind: DisputeKind[proof.kind], what: proof.summary });
    try {
      const receipt = await hub.dispute(window, proof.kind, proof.data, record);
      metrics?.disputes.inc({ kind: DisputeKind[proof.kind], result: 'accepted' });
      logger.warn('dispute accepted: claim rejected', {
        window,
        kind: DisputeKind[proof.kind],
        gasUsed: receipt.gasUsed,
      });
      return true;
    } catch (e) {
      metrics?.disputes.inc({ kind: DisputeKind[proof.kind], result: 'failed' });
      const err = e as { shortMessage?: string; message?: string };
      logger.warn('dispute failed', { window, kind: DisputeKind[proof.kind], reason: err.shortMessage ?? err.message });
      return false;
    }
  }
}
