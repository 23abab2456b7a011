import { TopicValidatorResult, type PeerId, type Message } from '@libp2p/interface';
import { GossipAction, GossipValidationError } from '../chain/errors.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Logger } from '../util/logger.js';

export type GossipHandler = (data: Uint8Array, from: PeerId) => Promise<void>;

/**
 * The one adapter between validation and gossipsub: a handler that returns accepts, a
 * GossipValidationError maps to Ignore/Reject and is counted by code; anything else is a bug
 * on our side, logged and ignored (never blamed on the peer, never crashing the node).
 */
export function gossipValidatorFn(
  topicName: string,
  handler: GossipHandler,
  metrics: Metrics | null,
  logger: Logger,
  /** Told of every IGNORE, so that useless senders can be charged (see `scoring.ts`). */
  onIgnore?: (from: PeerId, code: string) => void,
) {
  return async (from: PeerId, msg: Message): Promise<TopicValidatorResult> => {
    try {
      await handler(msg.data, from);
      metrics?.gossipMessages.inc({ topic: topicName, result: 'accept' });
      return TopicValidatorResult.Accept;
    } catch (e) {
      if (e instanceof GossipValidationError) {
        metrics?.gossipErrors.inc({ topic: topicName, code: e.code });
        metrics?.gossipMessages.inc({
          topic: topicName,
          result: e.action === GossipAction.REJECT ? 'reject' : 'ignore',
        });
        if (e.action === GossipAction.REJECT)
          logger.verbose('gossip message rejected', { topic: topicName, code: e.code, from: from.toString() });
        else onIgnore?.(from, e.code);
        return e.action === GossipAction.REJECT ? TopicValidatorResult.Reject : TopicValidatorResult.Ignore;
      }
      logger.error('gossip handler failed', { topic: topicName }, e);
      metrics?.gossipMessages.inc({ topic: topicName, result: 'error' });
      return TopicValidatorResult.Ignore;
    }
  };
}
