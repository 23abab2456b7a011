import { DiversityError } from '../../../node/src/util/errors.js';

export enum ReplayErrorCode {
  RPC = 'REPLAY_ERROR_RPC',
  TX_REVERTED = 'REPLAY_ERROR_TX_REVERTED',
  TX_NOT_MINED = 'REPLAY_ERROR_TX_NOT_MINED',
  OVER_TX_GAS_CAP = 'REPLAY_ERROR_OVER_TX_GAS_CAP',
}

export type ReplayErrorType =
  | { code: ReplayErrorCode.RPC; method: string; message: string }
  | { code: ReplayErrorCode.TX_REVERTED; hash: string; approach: string; kind?: string; gasUsed?: string }
  | { code: ReplayErrorCode.TX_NOT_MINED; pending: number }
  | { code: ReplayErrorCode.OVER_TX_GAS_CAP; gas: bigint; cap: bigint };

export class ReplayError extends DiversityError<ReplayErrorType> {}
