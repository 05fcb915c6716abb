import { InvalidStateStoreError } from '../errors.js';
import type { StateStore } from '../state/store.js';
import type { ActiveTask } from './active-task.js';
import type { StandbyTask } from './standby-task.js';

/** @internal What interactive queries see of one stream thread. */
export interface QueryableThread {
  /** Whether the thread has its assignment and every active task restored. */
  readonly ready: boolean;
  readonly active: Iterable<ActiveTask>;
  readonly standby: Iterable<StandbyTask>;
}

/**
 * @internal The open stores named `name` of a thread's tasks. As in Kafka Streams, only a thread
 * that runs (assigned, nothing restoring) answers, unless stale reads are allowed; then restoring
 * active tasks and standbys answer too, with whatever they hold so far.
 */
export function localStoresOf(name: string, thread: QueryableThread, includeStandbys: boolean): StateStore[] {
  if (!includeStandbys && !thread.ready)
    throw new InvalidStateStoreError(
      `State store "${name}" cannot be queried now: this instance is rebalancing or restoring it. Retry shortly, or pass { includeStandbys: true } to read possibly stale state.`,
      { node: name },
    );
  const out: StateStore[] = [];
  for (const task of thread.active) {
    const store = task.stores.get(name);
    if (store === undefined) continue;
    if (store.isOpen()) out.push(store);
    else if (!includeStandbys)
      throw new InvalidStateStoreError(
        `State store "${name}" of task ${task.id} is not open: it may have migrated to another instance. Retry after the rebalance.`,
        { node: name, taskId: task.id },
      );
  }
  if (includeStandbys)
    for (const standby of thread.standby) {
      const store = standby.stores.get(name);
      if (store?.isOpen() === true) out.push(store);
    }
  return out;
}

/** @internal What interactive queries see of the instance. */
export interface QueryableInstance {
  readonly state: string;
  readonly global: { store(name: string): StateStore | undefined } | undefined;
  readonly threads: readonly { queryableStores(name: string, includeStandbys: boolean): StateStore[] }[];
}

/**
 * @internal The stores named `name` across the instance: a global store, or the threads' task
 * stores. Only a `RUNNING` or `REBALANCING` instance answers.
 */
export function instanceStores(
  instance: QueryableInstance,
  name: string,
  includeStandbys: boolean,
): StateStore[] {
  const { state } = instance;
  if (state !== 'RUNNING' && state !== 'REBALANCING')
    throw new InvalidStateStoreError(
      `State store "${name}" cannot be queried: the application is ${state}${state === 'CREATED' ? ' (call start() first)' : ''}.`,
      { node: name },
    );
  const global = instance.global?.store(name);
  if (global !== undefined) return [global];
  return instance.threads.flatMap((thread) => thread.queryableStores(name, includeStandbys));
}
