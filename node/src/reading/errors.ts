import { DiversityError } from '../util/errors.js';

export enum ReadingErrorCode {
  WRONG_LENGTH = 'READING_ERROR_WRONG_LENGTH',
  WRONG_DOMAIN = 'READING_ERROR_WRONG_DOMAIN',
  WRONG_VERSION = 'READING_ERROR_WRONG_VERSION',
  OUT_OF_RANGE = 'READING_ERROR_OUT_OF_RANGE',
  BAD_ADDRESS = 'READING_ERROR_BAD_ADDRESS',
  BAD_PUBLIC_KEY = 'READING_ERROR_BAD_PUBLIC_KEY',
  BAD_SIGNATURE_LENGTH = 'READING_ERROR_BAD_SIGNATURE_LENGTH',
}

export type ReadingErrorType =
  | { code: ReadingErrorCode.WRONG_LENGTH; expected: number; actual: number }
  | { code: ReadingErrorCode.WRONG_DOMAIN }
  | { code: ReadingErrorCode.WRONG_VERSION; expected: number; actual: number }
  | { code: ReadingErrorCode.OUT_OF_RANGE; field: string; value: string }
  | { code: ReadingErrorCode.BAD_ADDRESS; value: string }
  | { code: ReadingErrorCode.BAD_PUBLIC_KEY; length: number }
  | { code: ReadingErrorCode.BAD_SIGNATURE_LENGTH; length: number };

export class ReadingError extends DiversityError<ReadingErrorType> {}
