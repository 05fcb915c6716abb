import { KafkaStreams } from '../runtime/kafka-streams.js';
import { runApp, type RunAppOptions, type RunningApp } from '../runtime/run-app.js';
import type { StreamsConfig } from '../runtime/config.js';
import { UsageError } from './args.js';
import { findEntry, importModule, moduleConfig } from './load.js';

/** Flags of `tributary run` that override the module's `config`. */
export interface RunFlags {
  applicationId?: string;
  brokers?: string[];
  stateDir?: string;
}

/**
 * `tributary run`: starts what a module exports as `default`, `app` or `topology` under
 * {@link runApp}, so SIGTERM/SIGINT close it gracefully and the process exits with its code.
 *
 * @example
 * ```ts
 * const running = await runModule('./dist/word-count.js', { brokers: ['127.0.0.1:9092'] });
 * process.exitCode = await running.done;
 * ```
 */
export async function runModule(
  path: string,
  flags: RunFlags,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  runOptions: Omit<RunAppOptions, 'log'> = {},
): Promise<RunningApp> {
  const module = await importModule(path);
  const entry = await findEntry(module, ['default', 'app', 'topology'], ['app', 'topology'], path);
  let app: KafkaStreams;
  if (entry.kind === 'app') {
    const overridden = Object.keys(flags).filter((k) => flags[k as keyof RunFlags] !== undefined);
    if (overridden.length > 0)
      throw new UsageError(
        `${path} exports a KafkaStreams app ('${entry.exportName}'), which carries its own config: ` +
          `drop ${overridden.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} ` +
          `or export a Topology and a 'config' instead`,
      );
    app = entry.app;
  } else {
    const config = { ...moduleConfig(module, path), ...flags } as StreamsConfig;
    if (!config.applicationId)
      throw new UsageError(`${path}: no applicationId: pass --application-id or export a 'config' with one`);
    app = new KafkaStreams(entry.topology, config);
  }
  log(`[tributary] running '${entry.exportName}' of ${path}`);
  return runApp(app, { ...runOptions, log });
}
