import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import { StateStoreError } from '../errors.js';
import { keyBytes, keyString } from './internal/byte-keys.js';
import { SortedKeyValueBytesStore } from './internal/sorted-key-value-bytes-store.js';
import { LookaheadIterator } from './internal/key-value-iterators.js';
import { OnDemandSortedMap } from './internal/on-demand-sorted-map.js';
import { SortedCursor } from './internal/sorted-string-map.js';
import type { CursorBounds } from './internal/sorted-string-map.js';
import { storeNotOpen } from './internal/store-errors.js';
import {
  OFFSETS_KEY,
  OFFSETS_KEY_STRING,
  assertNoDroppedRecords,
  decodeOffsets,
  encodeOffsets,
  type ChangelogOffsets,
} from './internal/level-integrity.js';
import type {
  ChangelogOffsetStore,
  KeyValue,
  KeyValueBytesStore,
  KeyValueIterator,
  StateStore,
  StateStoreContext,
} from './store.js';

/** Marks an index entry whose current value is the one in the database. */
const ON_DISK = Symbol('on-disk');
type IndexedValue = Buffer | typeof ON_DISK;

type LevelDb = Level<Buffer, Buffer>;
type BatchOperation = { type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer };

/**
 * The persistent inner bytes store, on LevelDB through `level` (classic-level), in
 * `<taskDir>/<name>`.
 *
 * LevelDB iterators are asynchronous and per-record store calls are not, so the store keeps an
 * in-memory index of every key (keys only, loaded at `init`; sorted from the first range scan on). Each index entry holds either
 * the key's unflushed value or a marker meaning "read it with `getSync`". So:
 * - `get` of an absent key costs no disk read; of a flushed key, one `getSync`;
 * - `put`/`delete` only touch memory; `flush()` writes everything since the last flush as one
 *   atomic `db.batch()`;
 * - range scans walk a snapshot of the index and `getSync` the flushed values they reach;
 * - `commit(offsets)` writes the unflushed data and the store's changelog offsets as one atomic
 *   batch, so what the store says it holds and what it holds never disagree (KIP-1035), and
 *   `committedOffsets()` reads them back after a restart;
 * - under exactly-once (`context.exactlyOnce`) `flush()` writes nothing: the writes wait in memory
 *   for `commit`, after the transaction, so the disk holds committed state only (as KIP-892).
 *
 * An iterator sees the keys, and the unflushed values, as of its creation; a value that was
 * already on disk is read when the iterator reaches it, so a `flush()` completing while an
 * iterator is open can show that iterator a newer value (or hide a key deleted meanwhile).
 *
 * @example
 * ```ts
 * const store = Stores.persistentKeyValueStore('counts').get(); // a LevelKeyValueStore
 * await store.init(context, store); // opens <taskDir>/counts
 * store.put(Buffer.from('a'), Buffer.from('1'));
 * await store.commit({ 'app-counts-changelog:0': '1' }); // data and offset, one atomic batch
 * ```
 */
export class LevelKeyValueStore
  extends SortedKeyValueBytesStore
  implements KeyValueBytesStore, ChangelogOffsetStore
{
  readonly name: string;
  readonly persistent = true;
  readonly #index = new OnDemandSortedMap<IndexedValue>();
  /** Keys written since the last flush began. */
  #dirty = new Set<string>();
  #db: LevelDb | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #committedOffsets: ChangelogOffsets = {};
  #writesOnlyOnCommit = false;

  constructor(name: string) {
    super();
    this.name = name;
  }

  async init(context: StateStoreContext, _root: StateStore): Promise<void> {
    if (context.taskDir === undefined) {
      throw new StateStoreError(
        `Persistent store '${this.name}' needs a task directory, but this context has none: use Stores.inMemoryKeyValueStore('${this.name}') here.`,
        { taskId: context.taskId },
      );
    }
    const location = join(context.taskDir, this.name);
    await mkdir(location, { recursive: true });
    const db: LevelDb = new Level<Buffer, Buffer>(location, {
      keyEncoding: 'buffer',
      valueEncoding: 'buffer',
    });
    await db.open();
    try {
      await assertNoDroppedRecords(this.name, location);
      this.#committedOffsets = decodeOffsets(this.name, db.getSync(OFFSETS_KEY));
      await this.#loadIndex(db);
    } catch (error) {
      // A handle left open keeps LevelDB's lock, and wiping and reopening would fail with LEVEL_LOCKED.
      await db.close().catch(() => undefined);
      throw error;
    }
    this.#db = db;
    this.#writesOnlyOnCommit = context.exactlyOnce === true;
    context.registerOffsetStore?.(this);
  }

  committedOffsets(): ChangelogOffsets {
    this.#openDb();
    return this.#committedOffsets;
  }

  commit(changelogOffsets: ChangelogOffsets): Promise<void> {
    this.#committedOffsets = { ...this.#committedOffsets, ...changelogOffsets };
    return this.#write(encodeOffsets(this.#committedOffsets));
  }

  get writesOnlyOnCommit(): boolean {
    return this.#writesOnlyOnCommit;
  }

  flush(): Promise<void> {
    // Under exactly-once the writes wait in memory for the transaction (see `writesOnlyOnCommit`).
    if (this.#writesOnlyOnCommit) return this.#flushing;
    return this.#write(undefined);
  }

  #write(offsets: Buffer | undefined): Promise<void> {
    const db = this.#openDb();
    if (this.#dirty.size === 0 && offsets === undefined) return this.#flushing;
    const operations: BatchOperation[] = [];
    /** The key strings of the puts, in the order of their operations. */
    const putKeys: string[] = [];
    for (const k of this.#dirty) {
      const value = this.#index.get(k);
      if (value === undefined) operations.push({ type: 'del', key: keyBytes(k) });
      else if (value !== ON_DISK) {
        operations.push({ type: 'put', key: keyBytes(k), value });
        putKeys.push(k);
      }
    }
    this.#dirty = new Set();
    if (offsets !== undefined) operations.push({ type: 'put', key: OFFSETS_KEY, value: offsets });
    // Chained so batches reach the database in the order their flushes were called.
    this.#flushing = this.#flushing.then(async () => {
      await db.batch(operations);
      let p = 0;
      for (const op of operations) {
        if (op.type !== 'put' || op.key === OFFSETS_KEY) continue;
        const k = putKeys[p++] as string;
        // Release the value from memory unless it was overwritten while the batch was in flight.
        if (this.#index.get(k) === op.value) this.#index.set(k, ON_DISK);
      }
    });
    return this.#flushing;
  }

  async close(): Promise<void> {
    const db = this.#db;
    if (db === undefined) return;
    await this.#flushing.catch(() => undefined);
    this.#db = undefined;
    this.#index.clear();
    this.#dirty.clear();
    this.#committedOffsets = {};
    await db.close();
  }

  isOpen(): boolean {
    return this.#db !== undefined;
  }

  get(key: Buffer): Buffer | undefined {
    const db = this.#openDb();
    const value = this.#index.get(keyString(key));
    return value === ON_DISK ? db.getSync(key) : value;
  }

  put(key: Buffer, value: Buffer | null): void {
    this.#openDb();
    const k = keyString(key);
    if (k === OFFSETS_KEY_STRING)
      throw new StateStoreError(
        `State store '${this.name}': this key is reserved for the store's changelog offsets.`,
        {
          node: this.name,
        },
      );
    if (value === null) this.#index.delete(k);
    else this.#index.set(k, value);
    this.#dirty.add(k);
  }

  putIfAbsent(key: Buffer, value: Buffer): Buffer | undefined {
    const existing = this.get(key);
    if (existing === undefined) this.put(key, value);
    return existing;
  }

  delete(key: Buffer): Buffer | undefined {
    const existing = this.get(key);
    if (existing !== undefined) this.put(key, null);
    return existing;
  }

  approximateNumEntries(): number {
    this.#openDb();
    return this.#index.size;
  }

  protected iterate(bounds: CursorBounds): KeyValueIterator<Buffer, Buffer> {
    const db = this.#openDb();
    return new LevelIndexIterator(db, new SortedCursor(this.#index.snapshot(), bounds));
  }

  #openDb(): LevelDb {
    if (this.#db === undefined) throw storeNotOpen(this.name);
    return this.#db;
  }

  async #loadIndex(db: LevelDb): Promise<void> {
    this.#index.clear();
    this.#dirty.clear();
    const keys = db.keys();
    try {
      for (let batch = await keys.nextv(1000); batch.length > 0; batch = await keys.nextv(1000)) {
        for (const key of batch) {
          const k = keyString(key);
          if (k !== OFFSETS_KEY_STRING) this.#index.set(k, ON_DISK);
        }
      }
    } finally {
      await keys.close();
    }
  }
}

/** Walks an index snapshot, reading flushed values with `getSync`. */
class LevelIndexIterator extends LookaheadIterator<Buffer, Buffer> {
  readonly #db: LevelDb;
  readonly #cursor: SortedCursor<IndexedValue>;

  constructor(db: LevelDb, cursor: SortedCursor<IndexedValue>) {
    super();
    this.#db = db;
    this.#cursor = cursor;
  }

  protected fetch(): KeyValue<Buffer, Buffer> | undefined {
    const cursor = this.#cursor;
    while (cursor.key !== undefined) {
      const key = keyBytes(cursor.key);
      const indexed = cursor.value as IndexedValue;
      cursor.advance();
      const value = indexed === ON_DISK ? this.#db.getSync(key) : indexed;
      if (value !== undefined) return { key, value };
    }
    return undefined;
  }
}
