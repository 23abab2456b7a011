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
  /**
   * Over another result than ours while this signer's held signature is over ours: never kept
   * (`CoSigner.store`), so not checked (a superseded signature replayed).
   */
  SUPERSEDED = 'COSIGNATURE_SUPERSEDED',
}

/** Any topic: the sender, not the message, is why it was dropped unvalidated (`network/gossipValidatorFn.ts`). */
export enum GossipPeerErrorCode {
  /** The sender's messages on this topic were rejected `maxRejectsPerPeer` times lately: not validated again. */
  PEER_REJECTED = 'GOSSIP_PEER_REJECTED',
  /** Too many of the sender's messages wait for validation already. */
  PEER_BUSY = 'GOSSIP_PEER_BUSY',
}

export type GossipErrorCode = ReadingGossipErrorCode | CoSignatureGossipErrorCode | GossipPeerErrorCode;

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

/** The custom error a hub call reverted with, decoded from its revert data (`AlreadyClaimed(1, 3)`). */
export interface HubRevert {
  /** The Solidity error's name, e.g. `AlreadyClaimed`. */
  name: string;
  args: string[];
}

/**
 * Decodes the revert data carried by an ethers call or estimate error with the given interfaces (the hub's
 * first: it bubbles a module's revert data up unchanged); undefined when the error carries none that any
 * of them declares (a transport failure, an out-of-gas, a plain `require`).
 */
export function decodeRevert(
  e: unknown,
  ...interfaces: { parseError(data: string): { name: string; args: ArrayLike<unknown> } | null }[]
): HubRevert | undefined {
  const err = e as { data?: unknown; info?: { error?: { data?: unknown } }; error?: { data?: unknown } };
  const data = [err.data, err.info?.error?.data, err.error?.data].find(
    (d): d is string => typeof d === 'string' && d.length >= 10,
  );
  if (!data) return undefined;
  for (const iface of interfaces) {
    try {
      const parsed = iface.parseError(data);
      if (parsed) return { name: parsed.name, args: Array.from(parsed.args, (a) => String(a)) };
    } catch {
      // not this interface's error
    }
  }
  return undefined;
}

export enum ClaimErrorCode {
  /** The community is not closed yet: balances are paid out only after `close`. */
  NOT_CLOSED = 'CLAIM_NOT_CLOSED',
  /** This member was already paid (`claim` is once per member; a creditor takes later repayments by `claimShare`). */
  ALREADY_CLAIMED = 'CLAIM_ALREADY_CLAIMED',
  /** The member never joined (an aborted community): there is nothing of it on the hub. */
  NOT_JOINED = 'CLAIM_NOT_JOINED',
  /** The leaf does not verify under the hub's final balances root. */
  INVALID_PROOF = 'CLAIM_INVALID_PROOF',
  /** `claimShare`: the repaid pool did not grow since this creditor's last take (or it holds no claim). */
  NOTHING_TO_CLAIM = 'CLAIM_NOTHING_TO_CLAIM',
  /** The balances this claim was built from do not match the chain (another fold, a window not final). */
  BALANCES_MISMATCH = 'CLAIM_BALANCES_MISMATCH',
  /** No member at this index (or no such community). */
  UNKNOWN_MEMBER = 'CLAIM_UNKNOWN_MEMBER',
  /** Any other revert or failure, with the hub's error name when it gave one. */
  FAILED = 'CLAIM_FAILED',
}

/** A claim (or claim share) for one member could not be made. */
export class ClaimError extends DiversityError<{ code: ClaimErrorCode; index?: number; revert?: string }> {}

/** A hub revert of `claim` / `claimShare` as a ClaimError with its code (DESIGN.md §5.2). */
export function claimErrorOf(e: unknown, index: number, revert: HubRevert | undefined): ClaimError {
  const name = revert?.name;
  const said = revert ? `${revert.name}(${revert.args.join(', ')})` : ((e as Error).message ?? String(e));
  const code =
    name === 'CommunityNotClosed'
      ? ClaimErrorCode.NOT_CLOSED
      : name === 'AlreadyClaimed'
        ? ClaimErrorCode.ALREADY_CLAIMED
        : name === 'NotJoined'
          ? ClaimErrorCode.NOT_JOINED
          : name === 'InvalidBalanceProof'
            ? ClaimErrorCode.INVALID_PROOF
            : name === 'NothingToClaim'
              ? ClaimErrorCode.NOTHING_TO_CLAIM
              : name === 'UnknownCommunity'
                ? ClaimErrorCode.UNKNOWN_MEMBER
                : ClaimErrorCode.FAILED;
  const why: Record<ClaimErrorCode, string> = {
    [ClaimErrorCode.NOT_CLOSED]: 'the community is not closed yet (balances are paid after close)',
    [ClaimErrorCode.ALREADY_CLAIMED]: 'already claimed',
    [ClaimErrorCode.NOT_JOINED]: 'never joined: nothing to pay',
    [ClaimErrorCode.INVALID_PROOF]: "the balance does not verify under the hub's final balances root",
    [ClaimErrorCode.NOTHING_TO_CLAIM]: 'nothing more to take (the repaid pool did not grow)',
    [ClaimErrorCode.BALANCES_MISMATCH]: 'the balances do not match the chain',
    [ClaimErrorCode.UNKNOWN_MEMBER]: 'no such member',
    [ClaimErrorCode.FAILED]: 'the hub refused',
  };
  return new ClaimError({ code, index, revert: said }, `member ${index}: ${why[code]} (${said})`);
}
