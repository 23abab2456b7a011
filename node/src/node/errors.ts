import { MeterListError } from '../chain/hubClient.js';
import { DiversityError } from '../util/errors.js';

export enum NodeStartErrorCode {
  /** Another process holds the data dir's LevelDB lock. */
  DATA_DIR_LOCKED = 'NODE_DATA_DIR_LOCKED',
  /** The data dir belongs to another chain, hub, community or participant. */
  DATA_DIR_FOREIGN = 'NODE_DATA_DIR_FOREIGN',
  /** The data dir was written by a node whose stored commitments have another shape (`STORE_FORMAT`). */
  DATA_DIR_OLD_FORMAT = 'NODE_DATA_DIR_OLD_FORMAT',
  /** The data dir cannot be created or opened (permissions, not a directory, corrupt). */
  DATA_DIR_UNUSABLE = 'NODE_DATA_DIR_UNUSABLE',
  /** The JSON-RPC endpoint does not answer, or not as a chain with this hub and community. */
  RPC_UNREACHABLE = 'NODE_RPC_UNREACHABLE',
  COMMUNITY_NOT_FOUND = 'NODE_COMMUNITY_NOT_FOUND',
  /** The community's meter list cannot be read from its open transaction, or is not what the hub committed to. */
  METER_LIST_UNREADABLE = 'NODE_METER_LIST_UNREADABLE',
  NOT_A_PARTICIPANT = 'NODE_NOT_A_PARTICIPANT',
  /** A listen address (libp2p or API) is taken or cannot be bound. */
  PORT_IN_USE = 'NODE_PORT_IN_USE',
  /** The simulated meter's key or profile is unusable. */
  BAD_METER = 'NODE_BAD_METER',
}

/** Why a node could not start: one line naming the cause (the CLI prints it and exits 2). */
export class NodeStartError extends DiversityError<{ code: NodeStartErrorCode }> {
  constructor(code: NodeStartErrorCode, message: string) {
    super({ code }, message);
  }
}

/** Maps a start-up failure to a NodeStartError naming its cause; never includes key material. */
export function startupError(
  step: 'store' | 'chain' | 'network' | 'api' | 'meter',
  e: unknown,
  where: string,
): NodeStartError {
  if (e instanceof NodeStartError) return e;
  const err = e as { code?: string; cause?: { code?: string }; message?: string; shortMessage?: string };
  const code = err.cause?.code ?? err.code;
  switch (step) {
    case 'store':
      if (code === 'LEVEL_LOCKED')
        return new NodeStartError(
          NodeStartErrorCode.DATA_DIR_LOCKED,
          `data dir ${where} is in use by another process (LevelDB lock held)`,
        );
      return new NodeStartError(
        NodeStartErrorCode.DATA_DIR_UNUSABLE,
        `data dir ${where} cannot be opened (${code ?? 'error'})`,
      );
    case 'chain':
      // Its message names the community and the calldata's shape or roots: no key bytes.
      if (e instanceof MeterListError)
        return new NodeStartError(NodeStartErrorCode.METER_LIST_UNREADABLE, err.message ?? '');
      if (code === 'CALL_EXCEPTION' || code === 'BAD_DATA')
        return new NodeStartError(
          NodeStartErrorCode.COMMUNITY_NOT_FOUND,
          `no such hub or community at ${where} (${err.shortMessage ?? code})`,
        );
      return new NodeStartError(
        NodeStartErrorCode.RPC_UNREACHABLE,
        `JSON-RPC endpoint ${where} does not answer (${code ?? err.shortMessage ?? 'error'})`,
      );
    case 'network':
    case 'api':
      if (code === 'EADDRINUSE' || /EADDRINUSE|address already in use/i.test(err.message ?? ''))
        return new NodeStartError(
          NodeStartErrorCode.PORT_IN_USE,
          `${step === 'api' ? 'API' : 'libp2p'} address ${where} is already in use`,
        );
      return new NodeStartError(
        NodeStartErrorCode.PORT_IN_USE,
        `${step === 'api' ? 'API' : 'libp2p'} cannot listen on ${where} (${code ?? 'error'})`,
      );
    case 'meter':
      // The message of a meter error names lengths and indexes, never key bytes (see util/hex.ts).
      return new NodeStartError(NodeStartErrorCode.BAD_METER, `simulated meter: ${err.message ?? 'unusable'}`);
  }
}
