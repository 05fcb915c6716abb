import type {
  CacheBudget,
  ChangelogRecord,
  StateStore,
  StateStoreContext,
} from '../../../../src/state/store.js';

export interface LoggedChange {
  storeName: string;
  key: Buffer;
  value: Buffer | null;
  timestamp: number;
}

export interface Registration {
  store: StateStore;
  restore: (batch: readonly ChangelogRecord[]) => void;
}

/** A task context for store tests: records changelog writes and registrations, time is settable. */
export class FakeStoreContext implements StateStoreContext {
  readonly applicationId = 'app';
  readonly taskId = '0_0';
  readonly partition = 0;
  readonly taskDir: string | undefined;
  readonly cacheMaxBytes: number;
  readonly cacheBudget: CacheBudget | undefined;
  timestamp = 0;
  readonly changes: LoggedChange[] = [];
  readonly registrations: Registration[] = [];

  constructor(options: { taskDir?: string; cacheMaxBytes?: number; cacheBudget?: CacheBudget } = {}) {
    this.taskDir = options.taskDir;
    this.cacheBudget = options.cacheBudget;
    this.cacheMaxBytes = options.cacheMaxBytes ?? 10 * 1024 * 1024;
  }

  currentTimestamp(): number {
    return this.timestamp;
  }

  logChange(storeName: string, key: Buffer, value: Buffer | null, timestamp: number): void {
    this.changes.push({ storeName, key, value, timestamp });
  }

  register(store: StateStore, restore: (batch: readonly ChangelogRecord[]) => void): void {
    this.registrations.push({ store, restore });
  }
}
