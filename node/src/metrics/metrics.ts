import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The node's Prometheus metrics, in a registry of its own (several nodes can share a process
 * in tests). Callers hold `Metrics | null` and write `metrics?.x.inc()`.
 */
export function createMetrics(opts: { defaultMetrics?: boolean } = {}) {
  const register = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register, prefix: 'diversity_process_' });
  const reg = { registers: [register] };
  return {
    register,
    gossipMessages: new Counter({
      name: 'diversity_gossip_messages_total',
      help: 'Gossip messages validated, by topic and result',
      labelNames: ['topic', 'result'] as const,
      ...reg,
    }),
    gossipErrors: new Counter({
      name: 'diversity_gossip_errors_total',
      help: 'Gossip messages ignored or rejected, by topic and error code',
      labelNames: ['topic', 'code'] as const,
      ...reg,
    }),
    readingsStored: new Counter({
      name: 'diversity_readings_stored_total',
      help: 'Readings validated and stored',
      labelNames: ['source'] as const,
      ...reg,
    }),
    equivocations: new Counter({
      name: 'diversity_equivocations_total',
      help: 'Meter equivocations detected and kept as evidence',
      ...reg,
    }),
    readingValidationSeconds: new Histogram({
      name: 'diversity_reading_validation_seconds',
      help: 'Time to validate and store one reading',
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.02, 0.1],
      ...reg,
    }),
    reconciledReadings: new Counter({
      name: 'diversity_reconciled_readings_total',
      help: 'Missing readings fetched from peers',
      ...reg,
    }),
    reconciledReadingsRefused: new Counter({
      name: 'diversity_reconciled_readings_refused_total',
      help: 'Readings (and evidence) fetched from peers and not kept, by validation code',
      labelNames: ['code'] as const,
      ...reg,
    }),
    windowsCommitted: new Counter({
      name: 'diversity_windows_committed_total',
      help: 'Windows folded and committed by this node',
      ...reg,
    }),
    windowFoldSeconds: new Histogram({
      name: 'diversity_window_fold_seconds',
      help: 'Time to fold and commit one window',
      buckets: [0.001, 0.01, 0.05, 0.2, 1, 5],
      ...reg,
    }),
    coSignaturesReceived: new Counter({
      name: 'diversity_cosignatures_received_total',
      help: 'Co-signatures received, by agreement with our result',
      labelNames: ['agrees'] as const,
      ...reg,
    }),
    submissions: new Counter({
      name: 'diversity_submissions_total',
      help: 'Transactions sent to the hub, by kind and result',
      labelNames: ['kind', 'result'] as const,
      ...reg,
    }),
    claimsForDebtors: new Counter({
      name: 'diversity_claims_for_debtors_total',
      help: 'Claims this node sent for another member (a debtor still unpaid after chain.claimForDebtorsAfterSeconds)',
      ...reg,
    }),
    coSignaturesLeftOut: new Counter({
      name: 'diversity_cosignatures_left_out_total',
      help: 'Co-signatures left out of a partial claim because the signer bond is not whole on chain',
      ...reg,
    }),
    windowFinalitySeconds: new Histogram({
      name: 'diversity_window_finality_seconds',
      help: 'From window end to the window being final on chain',
      buckets: [1, 2, 5, 10, 20, 60, 300, 3600],
      ...reg,
    }),
    disputes: new Counter({
      name: 'diversity_disputes_total',
      help: 'Fraud proofs sent, by kind and result',
      labelNames: ['kind', 'result'] as const,
      ...reg,
    }),
    gameMoves: new Counter({
      name: 'diversity_game_moves_total',
      help: 'Data-availability game moves sent, by action (Challenge, Reveal, Pick, Resolve, Publish, OpenEntry, OpenMeter) and result (mined, failed)',
      labelNames: ['action', 'result'] as const,
      ...reg,
    }),
    gamesEnded: new Counter({
      name: 'diversity_games_ended_total',
      help: 'Data-availability games of this community that ended, by result and by our role in them',
      labelNames: ['result', 'role'] as const,
      ...reg,
    }),
    gameEntriesOpened: new Counter({
      name: 'diversity_game_entries_opened_total',
      help: "Step entries opened in this community's data-availability games (EntryOpened events seen)",
      ...reg,
    }),
    gameMetersOpened: new Counter({
      name: 'diversity_game_meters_opened_total',
      help: "Meter leaves opened in this community's data-availability games (MeterOpened events seen)",
      ...reg,
    }),
    gameChallenges: new Counter({
      name: 'diversity_game_challenges_total',
      help: 'Pending claims this node challenged because no peer served their data in time',
      ...reg,
    }),
    auditDisagreements: new Counter({
      name: 'diversity_audit_disagreements_total',
      help: 'On-chain results that differ from our own fold',
      ...reg,
    }),
    apiRequests: new Counter({
      name: 'diversity_api_requests_total',
      help: 'HTTP API requests answered, by route and status code',
      labelNames: ['route', 'code'] as const,
      ...reg,
    }),
    reqRespRequests: new Counter({
      name: 'diversity_reqresp_requests_total',
      help: 'Window protocol requests served, by method and result',
      labelNames: ['method', 'result'] as const,
      ...reg,
    }),
    reqRespOutbound: new Counter({
      name: 'diversity_reqresp_outbound_total',
      help: 'Window protocol requests made, by method and result (ok or error code)',
      labelNames: ['method', 'result'] as const,
      ...reg,
    }),
    peersForgotten: new Counter({
      name: 'diversity_peers_forgotten_total',
      help: 'Peer-store entries of peers gone (neither connected nor bootstrap) dropped past maxKnownPeers',
      ...reg,
    }),
    peersDisconnected: new Counter({
      name: 'diversity_peers_disconnected_total',
      help: 'Peers disconnected by this node, by reason',
      labelNames: ['reason'] as const,
      ...reg,
    }),
    duplicatesDropped: new Counter({
      name: 'diversity_duplicates_dropped_total',
      help: 'Readings dropped as duplicates before verification',
      ...reg,
    }),
    rpcTimeouts: new Counter({
      name: 'diversity_rpc_timeouts_total',
      help: 'JSON-RPC requests the chain node left unanswered past REQUEST_TIMEOUT_MS, by method and outcome (retried: a read sent once more; failed: the error went to the caller)',
      labelNames: ['method', 'outcome'] as const,
      ...reg,
    }),
    peers: new Gauge({ name: 'diversity_peers', help: 'Connected libp2p peers', ...reg }),
    currentWindow: new Gauge({ name: 'diversity_current_window', help: 'Window of the current interval', ...reg }),
    lastCommittedWindow: new Gauge({
      name: 'diversity_last_committed_window',
      help: 'Last window this node committed',
      ...reg,
    }),
    lastFinalWindow: new Gauge({ name: 'diversity_last_final_window', help: 'Last window final on chain', ...reg }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
