/**
 * Structured logger: `(message, context, error)`, one child per module. Details belong in the
 * context object, not in the message string. Lines go to stderr so stdout stays for results.
 */
export type LogLevel = 'error' | 'warn' | 'info' | 'verbose' | 'debug';
const LEVELS: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, verbose: 3, debug: 4 };

export type LogContext = Record<string, unknown>;

export interface Logger {
  error(message: string, context?: LogContext, error?: unknown): void;
  warn(message: string, context?: LogContext, error?: unknown): void;
  info(message: string, context?: LogContext, error?: unknown): void;
  verbose(message: string, context?: LogContext, error?: unknown): void;
  debug(message: string, context?: LogContext, error?: unknown): void;
  child(module: string): Logger;
}

export interface LoggerOptions {
  level: LogLevel;
  /** Prefix of every line, e.g. the node's name in a devnet. */
  name?: string;
  format?: 'human' | 'json';
  sink?: (line: string) => void;
}

function fmt(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString('hex')}`;
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

export function createLogger(opts: LoggerOptions, module = ''): Logger {
  const max = LEVELS[opts.level];
  const sink = opts.sink ?? ((line: string) => process.stderr.write(`${line}\n`));
  const emit = (level: LogLevel, message: string, context?: LogContext, error?: unknown): void => {
    if (LEVELS[level] > max) return;
    const err = error instanceof Error ? error : error !== undefined ? new Error(String(error)) : undefined;
    if (opts.format === 'json') {
      sink(
        fmt({
          time: new Date().toISOString(),
          level,
          name: opts.name,
          module,
          message,
          ...context,
          error: err?.message,
        }),
      );
      return;
    }
    const ctx = context
      ? ' ' +
        Object.entries(context)
          .map(([k, v]) => `${k}=${fmt(v)}`)
          .join(' ')
      : '';
    const where = [opts.name, module].filter(Boolean).join('/');
    sink(
      `${new Date().toISOString().slice(11, 23)} ${level.padEnd(7)} ${where ? `[${where}] ` : ''}${message}${ctx}${err ? ` - ${err.message}` : ''}`,
    );
  };
  return {
    error: (m, c, e) => emit('error', m, c, e),
    warn: (m, c, e) => emit('warn', m, c, e),
    info: (m, c, e) => emit('info', m, c, e),
    verbose: (m, c, e) => emit('verbose', m, c, e),
    debug: (m, c, e) => emit('debug', m, c, e),
    child: (name) => createLogger(opts, module ? `${module}/${name}` : name),
  };
}

/** A logger that drops everything (tests). */
export const nullLogger: Logger = createLogger({ level: 'error', sink: () => {} });
