export enum DatasetErrorCode {
  FILE_NOT_FOUND = 'DATASET_ERROR_FILE_NOT_FOUND',
  UNKNOWN_FORMAT = 'DATASET_ERROR_UNKNOWN_FORMAT',
  EMPTY = 'DATASET_ERROR_EMPTY',
  MISSING_COLUMN = 'DATASET_ERROR_MISSING_COLUMN',
  BAD_CSV = 'DATASET_ERROR_BAD_CSV',
  BAD_TIMESTAMP = 'DATASET_ERROR_BAD_TIMESTAMP',
  BAD_VALUE = 'DATASET_ERROR_BAD_VALUE',
  /** A timestamp out of order, repeated, or a gap in a series that must be regular. */
  IRREGULAR = 'DATASET_ERROR_IRREGULAR',
  BAD_PERIOD = 'DATASET_ERROR_BAD_PERIOD',
  BAD_RESOLUTION = 'DATASET_ERROR_BAD_RESOLUTION',
  UNKNOWN_BUILTIN = 'DATASET_ERROR_UNKNOWN_BUILTIN',
  /** A community file's unit is not kWh, Wh or kW. */
  BAD_UNIT = 'DATASET_ERROR_BAD_UNIT',
  /** A community's member series do not cover the same intervals. */
  LENGTH_MISMATCH = 'DATASET_ERROR_LENGTH_MISMATCH',
  /** A community file (JSON) that does not describe a community. */
  BAD_COMMUNITY = 'DATASET_ERROR_BAD_COMMUNITY',
}

/** Where in a file: 1-based line and column (column = field index, 1-based). */
export interface FilePosition {
  file: string;
  line: number;
  column: number;
}

export type DatasetErrorType =
  | { code: DatasetErrorCode.FILE_NOT_FOUND; file: string }
  | { code: DatasetErrorCode.UNKNOWN_FORMAT; file: string; header: string }
  | { code: DatasetErrorCode.EMPTY; file: string }
  | { code: DatasetErrorCode.MISSING_COLUMN; file: string; column: string; available: string[] }
  | ({ code: DatasetErrorCode.BAD_CSV; reason: string } & FilePosition)
  | ({ code: DatasetErrorCode.BAD_TIMESTAMP; value: string } & FilePosition)
  | ({ code: DatasetErrorCode.BAD_VALUE; value: string } & FilePosition)
  | ({ code: DatasetErrorCode.IRREGULAR; reason: string } & FilePosition)
  | { code: DatasetErrorCode.BAD_PERIOD; value: string; reason: string }
  | { code: DatasetErrorCode.BAD_RESOLUTION; reason: string }
  | { code: DatasetErrorCode.UNKNOWN_BUILTIN; name: string; known: string[] }
  | { code: DatasetErrorCode.BAD_UNIT; file: string; value: string; reason: string }
  | { code: DatasetErrorCode.LENGTH_MISMATCH; file: string; reason: string }
  | { code: DatasetErrorCode.BAD_COMMUNITY; file: string; reason: string };

/**
 * A dataset that cannot be used, with a typed `type` whose `code` names the failure (the same
 * shape as the node's `DiversityError`; datasets sit below the node and import nothing from it).
 */
export class DatasetError extends Error {
  readonly type: DatasetErrorType;

  constructor(type: DatasetErrorType) {
    const where = 'line' in type ? `${type.file}:${type.line}:${type.column}: ` : '';
    super(
      `${where}${type.code}${'reason' in type ? ` (${type.reason})` : ''}${'value' in type ? ` '${type.value}'` : ''}`,
    );
    this.name = 'DatasetError';
    this.type = type;
  }

  get code(): DatasetErrorCode {
    return this.type.code;
  }
}
