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

type Level = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** @internal One JSON line per entry on stderr, at or above `level`. */
export function consoleLogger(level: Level = 'info', base: object = {}): Logger {
  const at =
    (l: Exclude<Level, 'silent'>) =>
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
  for (const [k, v] of Object.entries(fields))
    out[k] = v instanceof Error ? { type: v.name, message: v.message } : v;
  return out;
}
