import { DiversityError } from '../util/errors.js';

export enum CliErrorCode {
  BAD_OPTION = 'CLI_BAD_OPTION',
  BAD_CONFIG = 'CLI_BAD_CONFIG',
  UNREACHABLE = 'CLI_UNREACHABLE',
  /** The node cannot start: data dir locked or bound elsewhere, port busy, not a participant... */
  STARTUP = 'CLI_STARTUP',
}

/** A user-facing error: printed as one readable line, no stack. */
export class CliError extends DiversityError<{ code: CliErrorCode }> {
  constructor(code: CliErrorCode, message: string) {
    super({ code }, message);
  }
}
