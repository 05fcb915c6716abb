import { SortedStringMap } from './sorted-string-map.js';
import type { SortedSnapshot } from './sorted-string-map.js';

/**
 * @internal A string-keyed map that pays for key order only once something asks for it.
 *
 * Point reads and writes go to a hash map. The first `snapshot()` (a range read) builds a
 * {@link SortedStringMap} from the keys and from then on keeps it up to date on every write, so a
 * store that never range-reads never pays a sorted insert per write, and one that does pays the
 * sort once, not per read. `sortedKeys()` (a flush) sorts the keys when there is no sorted map.
 *
 * @example
 * ```ts
 * const dirty = new OnDemandSortedMap<Buffer | null>();
 * dirty.set('b', Buffer.from('2')); // a hash-map write, no sorted insert
 * dirty.sortedKeys(); // ['b'], sorted now
 * dirty.snapshot(); // from here on writes keep a sorted map too
 * ```
 */
export class OnDemandSortedMap<V> {
  readonly #values = new Map<string, V>();
  #sorted: SortedStringMap<V> | undefined;

  /** `ordered`: keep the sorted map from the start (the previous map was range-read). */
  constructor(ordered = false) {
    if (ordered) this.#sorted = new SortedStringMap<V>();
  }

  get size(): number {
    return this.#values.size;
  }

  /** Whether a range read has asked for order, so writes now keep the sorted map too. */
  get ordered(): boolean {
    return this.#sorted !== undefined;
  }

  get(key: string): V | undefined {
    return this.#values.get(key);
  }

  has(key: string): boolean {
    return this.#values.has(key);
  }

  set(key: string, value: V): void {
    this.#values.set(key, value);
    this.#sorted?.set(key, value);
  }

  delete(key: string): boolean {
    if (!this.#values.delete(key)) return false;
    this.#sorted?.delete(key);
    return true;
  }

  clear(): void {
    this.#values.clear();
    this.#sorted?.clear();
  }

  /** An O(1) frozen sorted view after the first call (which sorts once); later writes do not show. */
  snapshot(): SortedSnapshot<V> {
    if (this.#sorted === undefined) {
      const keys = this.sortedKeys();
      const values = this.#values;
      this.#sorted = SortedStringMap.fromSorted(
        keys,
        keys.map((k) => values.get(k) as V),
      );
    }
    return this.#sorted.snapshot();
  }

  /** The keys in string (for latin1 keys: byte) order, as a new array. */
  sortedKeys(): string[] {
    // The default sort compares UTF-16 code units: exactly the `<` order of the sorted map.
    return this.#sorted === undefined ? [...this.#values.keys()].sort() : this.#sortedFromMap();
  }

  #sortedFromMap(): string[] {
    const keys: string[] = [];
    for (const chunk of (this.#sorted as SortedStringMap<V>).snapshot()) keys.push(...chunk.keys);
    return keys;
  }
}
