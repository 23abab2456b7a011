import type { HubClient } from '../chain/hubClient.js';
import type { CommunityInfo } from '../community/types.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Logger } from '../util/logger.js';
import { DisputeKind, equivocationProof } from '../window/disputeProof.js';
import { meterRegistryOf } from '../window/meters.js';
import type { NodeEvents } from './events.js';

export interface EquivocationReporterModules {
  community: CommunityInfo;
  participantIndex: number;
  hub: Pick<HubClient, 'dispute'>;
  events: NodeEvents;
  metrics: Metrics | null;
  logger: Logger;
}

/**
 * Registers a meter's equivocation on chain, so the voided slot cannot be held against an
 * honest claim. One reporter per meter: the participant after the meter's owner (the owner is
 * the one slashed). The transaction runs beside ingest, never inside it.
 */
export class EquivocationReporter {
  /** Reports in flight (awaited by tests and at shutdown). */
  readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly modules: EquivocationReporterModules) {
    modules.events.on('equivocation', ({ window, first, second }) => {
      if (!this.isReporter(first.reading.meterIndex)) return;
      const p = this.report(window, first, second).finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    });
  }

  isReporter(meterIndex: number): boolean {
    const { community, participantIndex } = this.modules;
    const owner = community.meters[meterIndex].owner;
    return participantIndex === (owner + 1) % community.participants.length;
  }

  private async report(
    window: number,
    first: Parameters<typeof equivocationProof>[0],
    second: Parameters<typeof equivocationProof>[1],
  ): Promise<void> {
    const { hub, metrics, logger } = this.modules;
    const ctx = { meter: first.reading.meterIndex, interval: first.reading.interval };
    try {
      const receipt = await hub.dispute(
        window,
        DisputeKind.Equivocation,
        equivocationProof(first, second, meterRegistryOf(this.modules.community.meters)),
      );
      metrics?.disputes.inc({ kind: 'Equivocation', result: 'accepted' });
      logger.warn('equivocation registered on chain', { ...ctx, gasUsed: receipt.gasUsed });
    } catch (e) {
      metrics?.disputes.inc({ kind: 'Equivocation', result: 'failed' });
      logger.warn('equivocation report failed', ctx, e);
    }
  }
}
