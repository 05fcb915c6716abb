import { hasDeadLetterOfFailure, sendDeadLetterOfFailure } from './dead-letter-queue.js';
import type { ThreadMetadata, StreamsState } from './events.js';
import { StreamThread, type StreamThreadOptions } from './stream-thread.js';

/** What every thread of an instance shares; each thread adds its name and its own error callback. */
export type SharedThreadOptions = Omit<StreamThreadOptions, 'name' | 'tasksWithState' | 'onError'>;

/**
 * The stream threads of one instance: starts them with consecutive names, removes a failed one,
 * and answers for all of them (ready, per-thread metadata). The unit `numStreamThreads` multiplies.
 *
 * @internal
 */
export class StreamThreads {
  /** Live threads; shared by reference with the metrics, the live view and interactive queries. */
  readonly list: StreamThread[] = [];
  private started = 0;

  constructor(
    private readonly clientId: string,
    /** Read when a thread starts: the client, admin and topic plan exist only once connected. */
    private readonly shared: () => SharedThreadOptions,
    private readonly onThreadError: (error: unknown, thread: StreamThread) => void,
  ) {}

  /** Starts one more thread; it joins the group and gets its share of the tasks. */
  async add(tasksWithState: Iterable<string>): Promise<StreamThread> {
    const thread: StreamThread = new StreamThread({
      ...this.shared(),
      name: this.threadName(++this.started),
      tasksWithState,
      onError: (error) => this.threadFailed(error, thread),
    });
    this.list.push(thread);
    await thread.start();
    return thread;
  }

  /**
   * A handler's `'fail'` with a dead-letter topic: the thread stops taking work (nothing more is
   * processed or committed) while that record's dead-letter record goes out, then fails.
   */
  private threadFailed(error: unknown, thread: StreamThread): void {
    if (!hasDeadLetterOfFailure(error)) return this.onThreadError(error, thread);
    thread.stop();
    const { client, config, logger } = this.shared();
    const exactlyOnce = config.processingGuarantee === 'exactly_once';
    void sendDeadLetterOfFailure(error, { client, exactlyOnce, logger }).finally(() =>
      this.onThreadError(error, thread),
    );
  }

  remove(thread: StreamThread): void {
    const index = this.list.indexOf(thread);
    if (index >= 0) this.list.splice(index, 1);
  }

  /** Every thread has its assignment and every active task restored. */
  get ready(): boolean {
    return this.list.every((t) => t.ready);
  }

  /** Kafka Streams' per-thread view; before the first thread starts, the one that will. */
  metadata(state: StreamsState): ThreadMetadata[] {
    if (this.list.length === 0)
      return [{ threadName: this.threadName(1), state, activeTasks: [], standbyTasks: [] }];
    return this.list.map((thread) => thread.threadMetadata(state));
  }

  private threadName(n: number): string {
    return `${this.clientId}-StreamThread-${n}`;
  }
}
