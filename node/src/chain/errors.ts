import { DiversityError } from '../util/errors.js';

/** What gossipsub does with a message (mirrors TopicValidatorResult). */
export enum GossipAction {
  /** The sender misbehaved: drop the message and penalise the peer. */
  REJECT = 'REJECT',
  /** Not useful now (duplicate, too early, too late): drop without penalty. */
  IGNORE = 'IGNORE',
}

export enum ReadingGossipErrorCode {
  MALFORMED = 'READING_MALFORMED',
  WRONG_COMMUNITY = 'READING_WRONG_COMMUNITY',
  UNKNOWN_METER = 'READING_UNKNOWN_METER',
  OUTSIDE_COMMUNITY = 'READING_OUTSIDE_COMMUNITY',
  BAD_SIGNATURE = 'READING_BAD_SIGNATURE',
  UNSUPPORTED_SCHEME = 'READING_UNSUPPORTED_SCHEME',
  TOO_EARLY = 'READING_TOO_EARLY',
  WINDOW_SEALED = 'READING_WINDOW_SEALED',
  DUPLICATE = 'READING_DUPLICATE',
  EQUIVOCATION_KNOWN = 'READING_EQUIVOCATION_KNOWN',
  /** The ingest queue is full: dropped unverified (reconciliation fetches it again later). */
  BUSY = 'READING_BUSY',
}

export enum CoSignatureGossipErrorCode {
  MALFORMED = 'COSIGNATURE_MALFORMED',
  UNKNOWN_SIGNER = 'COSIGNATURE_UNKNOWN_SIGNER',
  BAD_SIGNATURE = 'COSIGNATURE_BAD_SIGNATURE',
  OUTSIDE_COMMUNITY = 'COSIGNATURE_OUTSIDE_COMMUNITY',
  TOO_EARLY = 'COSIGNATURE_TOO_EARLY',
  DUPLICATE = 'COSIGNATURE_DUPLICATE',
  WINDOW_FINAL = 'COSIGNATURE_WINDOW_FINAL',
}

export type GossipErrorCode = ReadingGossipErrorCode | CoSignatureGossipErrorCode;

export interface GossipErrorType {
  code: GossipErrorCode;
  [detail: string]: unknown;
}

/** A gossip message failed validation; `action` says whether the sender is to blame. */
export class GossipValidationError extends DiversityError<GossipErrorType> {
  constructor(
    readonly action: GossipAction,
    type: GossipErrorType,
  ) {
    super(type, `${action} ${type.code}`);
  }
}
