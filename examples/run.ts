/**
 * A small runner for a `KafkaStreams` worker process: start it, log its state changes, and on
 * SIGTERM or SIGINT close it gracefully (stop fetching, finish in-flight work, commit, leave the
 * group) and exit with 0, so an orchestrator's rolling restart loses and repeats nothing.
 */
import type { KafkaStreams, StreamsState } from '../src/index.js';

/** Options of {@link runApp}. */
export interface RunAppOptions {
  /** Where state changes and shutdown progress go. Default: one line on stderr. */
  log?: (message: string) => void;
  /** How long a graceful close may take before the process exits anyway (with 1). Default 30000. */
  closeTimeoutMs?: number;
  /** Runs after the app has closed and before the exit, e.g. to close the caller's own clients. */
  afterClose?: () => Promise<void>;
  /** Exit the process when the app has closed. Default `true`; `false` for tests and embedding. */
  exit?: boolean;
}

/** A running app: how it ended, and a way to end it as SIGTERM would. */
export interface RunningApp {
  /** The exit code once the app has closed: 0 after a graceful close, 1 after an error or a timeout. */
  readonly done: Promise<number>;
  /** Closes gracefully, exactly as on SIGTERM; resolves with the exit code. */
  shutdown(reason?: string): Promise<number>;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Starts `app` and owns its process lifecycle: SIGTERM/SIGINT → graceful `close()` → exit 0; a
 * second signal exits at once with 1; an app that fails (state `ERROR`) is closed and exits with 1.
 *
 * @example
 * ```ts
 * const app = new KafkaStreams(buildWordCountTopology(), { applicationId: 'word-count', brokers });
 * await runApp(app); // returns once RUNNING; the process exits when a signal closes the app
 * ```
 */
export async function runApp(app: KafkaStreams, options: RunAppOptions = {}): Promise<RunningApp> {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const closeTimeoutMs = options.closeTimeoutMs ?? 30_000;
  const exit = options.exit ?? true;
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
  for (const signal of SIGNALS) process.on(signal, onSignal);

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
      for (const signal of SIGNALS) process.off(signal, onSignal);
      try {
        await options.afterClose?.();
      } catch (error) {
        log(`[tributary] afterClose failed: ${(error as Error).message}`);
        exitCode = 1;
      }
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
