import { ConfigError } from './errors.js';

/**
 * A structured logger: pino's signature (`logger.warn({ taskId }, 'message')`), so a pino logger
 * can be passed as is.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * new KafkaStreams(topology, { applicationId: 'app', logger: pino() });
 * ```
 */
export interface Logger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

/**
 * How much the built-in logger writes: `'debug'` most, `'silent'` nothing.
 *
 * @example
 * ```ts
 * const level: LogLevel = 'warn';
 * ```
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const METHODS = ['debug', 'info', 'warn', 'error'] as const;
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** @internal Whether `level` is one of the log levels. */
export function isLogLevel(level: unknown): level is LogLevel {
  return typeof level === 'string' && Object.hasOwn(order, level);
}

/**
 * A logger writing one JSON line per entry on stderr, at or above `level`; errors in the fields
 * are written with their name, message, stack and cause chain.
 *
 * @example
 * ```ts
 * new KafkaStreams(topology, { applicationId: 'app', logger: consoleLogger('debug') });
 * ```
 */
export function consoleLogger(level: LogLevel = 'info', base: object = {}): Logger {
  if (!isLogLevel(level)) {
    throw new ConfigError(
      `consoleLogger level must be one of ${Object.keys(order).join(', ')}; got ${JSON.stringify(level)}.`,
    );
  }
  const at =
    (l: Exclude<LogLevel, 'silent'>) =>
    (fields: object, message?: string): void => {
      if (order[l] < order[level]) return;
      const entry: Record<string, unknown> = {
        level: l,
        time: Date.now(),
        ...base,
        ...serializeErrors(fields),
      };
      if (message !== undefined) entry.msg = message;
      process.stderr.write(`${JSON.stringify(entry)}\n`);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function serializeErrors(fields: object): object {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = v instanceof Error ? serializeError(v, 0) : v;
  return out;
}

function serializeError(error: Error, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = { type: error.name, message: error.message, stack: error.stack };
  const cause = (error as { cause?: unknown }).cause;
  // A cycle of causes must not loop forever.
  if (cause !== undefined && depth < 5) {
    out.cause = cause instanceof Error ? serializeError(cause, depth + 1) : String(cause);
  }
  return out;
}

/**
 * @internal Checks a configured logger at construction (a logger without `warn` or `error` would
 * otherwise fail only on the failure path, leaving the app running and doing nothing), and wraps
 * it so that a method that throws never breaks the code that logs: the throw is reported once on
 * stderr and warnings and errors are written there instead. Entries below `level` are skipped.
 */
export function guardedLogger(logger: unknown, level: LogLevel = 'debug', option = 'logger'): Logger {
  if (logger === null || typeof logger !== 'object') {
    throw new ConfigError(
      `${option} must be an object with debug, info, warn and error methods (e.g. pino()).`,
    );
  }
  const missing = METHODS.filter((m) => typeof (logger as Record<string, unknown>)[m] !== 'function');
  if (missing.length > 0) {
    throw new ConfigError(
      `${option} has no ${missing.join(', ')} method${missing.length > 1 ? 's' : ''}: pass a logger with debug, info, warn and error (e.g. pino()), or use logLevel.`,
    );
  }
  const target = logger as Logger;
  let reported = false;
  const fallback = consoleLogger('debug');
  const guard =
    (m: (typeof METHODS)[number]) =>
    (fields: object, message?: string): void => {
      if (order[m] < order[level]) return;
      try {
        target[m](fields, message);
      } catch (error) {
        if (!reported) {
          reported = true;
          fallback.error(
            { err: error },
            `the configured logger's ${m}() threw; its entries that fail go to stderr instead`,
          );
        }
        if (m === 'warn' || m === 'error') fallback[m](fields, message);
      }
    };
  return { debug: guard('debug'), info: guard('info'), warn: guard('warn'), error: guard('error') };
}
