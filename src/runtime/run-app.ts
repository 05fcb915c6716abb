import type { StreamsState } from './events.js';
import type { KafkaStreams } from './kafka-streams.js';

/** Options of {@link runApp}. */
export interface RunAppOptions {
  /** Signals that close the app gracefully. Default `['SIGTERM', 'SIGINT']`; `[]` installs none. */
  signals?: readonly NodeJS.Signals[];
  /** Where state changes and shutdown progress go. Default: one line on stderr. */
  log?: (message: string) => void;
  /** How long a graceful close may take before the process exits anyway (with 1). Default 30000. */
  closeTimeoutMs?: number;
  /** Runs after the app has closed and before the exit, e.g. to close the caller's own clients. */
  afterClose?: () => Promise<void>;
  /** Exit the process when the app has closed. Default `true`; `false` for tests and embedding. */
  exit?: boolean;
}

/** A running app: how it ended, and a way to end it as a signal would. */
export interface RunningApp {
  /** The exit code once the app has closed: 0 after a graceful close, 1 after an error or a timeout. */
  readonly done: Promise<number>;
  /** Closes gracefully, exactly as on SIGTERM; resolves with the exit code. */
  shutdown(reason?: string): Promise<number>;
}

const DEFAULT_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * Starts `app` and owns its process lifecycle, as a container's main program should:
 * - the first SIGTERM or SIGINT closes the app gracefully (stop fetching, finish the batch in
 *   flight, commit, write checkpoints, leave the group) and exits with 0, so a rolling restart
 *   loses and repeats nothing; a second signal exits at once with 1;
 * - an app that reaches `ERROR` (see the `uncaughtExceptionHandler` config) is closed and the
 *   process exits with 1;
 * - a close that takes longer than `closeTimeoutMs` exits with 1.
 *
 * Resolves once the app is `RUNNING` (or has failed to start, then `done` resolves with 1).
 *
 * @example
 * ```ts
 * import { KafkaStreams, runApp } from 'tributary';
 *
 * const app = new KafkaStreams(buildWordCountTopology(), { applicationId: 'word-count', brokers });
 * await runApp(app); // the process exits when a signal has closed the app
 * ```
 */
export async function runApp(app: KafkaStreams, options: RunAppOptions = {}): Promise<RunningApp> {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const closeTimeoutMs = options.closeTimeoutMs ?? 30_000;
  const exit = options.exit ?? true;
  const signals = options.signals ?? DEFAULT_SIGNALS;
  let closing: Promise<number> | undefined;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((resolve) => (resolveDone = resolve));

  const subscription = app.state$.subscribe((state: StreamsState) => {
    log(`[tributary] state ${state}`);
    if (state === 'ERROR') void shutdown('the application failed', 1);
  });

  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing !== undefined) {
      log(`[tributary] ${signal} again: exiting without waiting for the graceful close`);
      process.exit(1);
    }
    void shutdown(`${signal} received`);
  };
  for (const signal of signals) process.on(signal, onSignal);

  function shutdown(reason = 'shutdown requested', code = 0): Promise<number> {
    closing ??= (async () => {
      log(`[tributary] ${reason}: closing (commit, close tasks, leave the group)`);
      const started = Date.now();
      let exitCode = code;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), closeTimeoutMs);
      });
      if ((await Promise.race([app.close(), timedOut])) === 'timeout') {
        log(`[tributary] close did not finish within ${closeTimeoutMs} ms`);
        exitCode = 1;
      } else {
        log(`[tributary] closed in ${Date.now() - started} ms`);
      }
      clearTimeout(timer);
      subscription.unsubscribe();
      try {
        await options.afterClose?.();
      } catch (error) {
        log(`[tributary] afterClose failed: ${(error as Error).message}`);
        exitCode = 1;
      }
      // Removed only now: a second signal during the close must still reach `onSignal`.
      for (const signal of signals) process.off(signal, onSignal);
      resolveDone(exitCode);
      if (exit) process.exit(exitCode);
      return exitCode;
    })();
    return closing;
  }

  try {
    await app.start();
  } catch (error) {
    log(`[tributary] could not start: ${(error as Error).message}`);
    await shutdown('start failed', 1);
  }
  return { done, shutdown: (reason) => shutdown(reason) };
}
