/**
 * A sorted map from strings to values, ordered by JavaScript string comparison (UTF-16 code
 * units, which for latin1 strings made from bytes is unsigned byte order).
 *
 * Layout: an array of sorted chunks of at most {@link MAX_CHUNK_LENGTH} keys. Lookups are two
 * binary searches; an insert splices into one small chunk. `snapshot()` is O(1): it freezes the
 * current chunk array and bumps a generation, and later writes copy a chunk (or the chunk array)
 * the first time they touch it after a snapshot (copy-on-write).
 */

const MAX_CHUNK_LENGTH = 256;

interface Chunk<V> {
  keys: string[];
  values: V[];
  /** The map generation that owns this chunk; an older generation means a snapshot may share it. */
  generation: number;
}

/** An immutable view of a {@link SortedStringMap} at one moment; cursors read from it. */
export type SortedSnapshot<V> = readonly Chunk<V>[];

/** The first index in `keys` whose key is `>= key` (`keys.length` if none). */
function lowerBound(keys: readonly string[], key: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((keys[mid] as string) < key) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The first index in `keys` whose key is `> key` (`keys.length` if none). */
function upperBound(keys: readonly string[], key: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((keys[mid] as string) <= key) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The first chunk whose last key is `>= key` (`chunks.length` if none). */
function chunkIndexFor<V>(chunks: SortedSnapshot<V>, key: string): number {
  let low = 0;
  let high = chunks.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const keys = (chunks[mid] as Chunk<V>).keys;
    if ((keys[keys.length - 1] as string) < key) low = mid + 1;
    else high = mid;
  }
  return low;
}

export class SortedStringMap<V> {
  #chunks: Chunk<V>[] = [];
  #size = 0;
  #generation = 0;
  /** True while the current chunk array is referenced by a snapshot and must not be mutated. */
  #chunksShared = false;

  /** A map of `keys` (strictly ascending, no duplicates) to `values`, loaded in O(n). */
  static fromSorted<V>(keys: readonly string[], values: readonly V[]): SortedStringMap<V> {
    const map = new SortedStringMap<V>();
    // Half-full chunks leave room for inserts before the first split.
    const step = MAX_CHUNK_LENGTH >>> 1;
    for (let i = 0; i < keys.length; i += step) {
      map.#chunks.push({ keys: keys.slice(i, i + step), values: values.slice(i, i + step), generation: 0 });
    }
    map.#size = keys.length;
    return map;
  }

  get size(): number {
    return this.#size;
  }

  get(key: string): V | undefined {
    const chunks = this.#chunks;
    const ci = chunkIndexFor(chunks, key);
    if (ci === chunks.length) return undefined;
    const chunk = chunks[ci] as Chunk<V>;
    const i = lowerBound(chunk.keys, key);
    return chunk.keys[i] === key ? chunk.values[i] : undefined;
  }

  has(key: string): boolean {
    const chunks = this.#chunks;
    const ci = chunkIndexFor(chunks, key);
    if (ci === chunks.length) return false;
    const chunk = chunks[ci] as Chunk<V>;
    return chunk.keys[lowerBound(chunk.keys, key)] === key;
  }

  /** Sets `key` to `value`; returns true if the key is new. */
  set(key: string, value: V): boolean {
    if (this.#chunks.length === 0) {
      this.#writableChunks().push({ keys: [key], values: [value], generation: this.#generation });
      this.#size = 1;
      return true;
    }
    let ci = chunkIndexFor(this.#chunks, key);
    if (ci === this.#chunks.length) ci--; // larger than every key: append to the last chunk
    const i = lowerBound((this.#chunks[ci] as Chunk<V>).keys, key);
    const chunk = this.#writableChunk(ci);
    if (chunk.keys[i] === key) {
      chunk.values[i] = value;
      return false;
    }
    chunk.keys.splice(i, 0, key);
    chunk.values.splice(i, 0, value);
    this.#size++;
    if (chunk.keys.length > MAX_CHUNK_LENGTH) {
      const half = chunk.keys.length >>> 1;
      const upper: Chunk<V> = {
        keys: chunk.keys.splice(half),
        values: chunk.values.splice(half),
        generation: this.#generation,
      };
      this.#chunks.splice(ci + 1, 0, upper);
    }
    return true;
  }

  /** Removes `key`; returns true if it was present. */
  delete(key: string): boolean {
    const ci = chunkIndexFor(this.#chunks, key);
    if (ci === this.#chunks.length) return false;
    const i = lowerBound((this.#chunks[ci] as Chunk<V>).keys, key);
    if ((this.#chunks[ci] as Chunk<V>).keys[i] !== key) return false;
    const chunk = this.#writableChunk(ci);
    chunk.keys.splice(i, 1);
    chunk.values.splice(i, 1);
    this.#size--;
    if (chunk.keys.length === 0) this.#chunks.splice(ci, 1);
    return true;
  }

  clear(): void {
    this.#chunks = [];
    this.#chunksShared = false;
    this.#size = 0;
  }

  /** An O(1) frozen view: later writes to this map never show through it. */
  snapshot(): SortedSnapshot<V> {
    if (!this.#chunksShared) {
      this.#chunksShared = true;
      this.#generation++;
    }
    return this.#chunks;
  }

  #writableChunks(): Chunk<V>[] {
    if (this.#chunksShared) {
      this.#chunks = this.#chunks.slice();
      this.#chunksShared = false;
    }
    return this.#chunks;
  }

  #writableChunk(ci: number): Chunk<V> {
    const chunks = this.#writableChunks();
    const chunk = chunks[ci] as Chunk<V>;
    if (chunk.generation === this.#generation) return chunk;
    const copy: Chunk<V> = {
      keys: chunk.keys.slice(),
      values: chunk.values.slice(),
      generation: this.#generation,
    };
    chunks[ci] = copy;
    return copy;
  }
}

/** Bounds of a cursor: `lower` is inclusive; `upper` is inclusive unless `upperExclusive`. */
export interface CursorBounds {
  lower?: string | undefined;
  upper?: string | undefined;
  upperExclusive?: boolean;
  reverse?: boolean;
}

/**
 * Walks a snapshot between bounds without allocating per step. `key` is `undefined` once the
 * cursor is past its last entry; `value` is only meaningful while `key` is defined.
 */
export class SortedCursor<V> {
  key: string | undefined;
  value: V | undefined;
  readonly #chunks: SortedSnapshot<V>;
  readonly #lower: string | undefined;
  readonly #upper: string | undefined;
  readonly #upperExclusive: boolean;
  readonly #reverse: boolean;
  #ci: number;
  #i: number;

  constructor(chunks: SortedSnapshot<V>, bounds: CursorBounds = {}) {
    this.#chunks = chunks;
    this.#lower = bounds.lower;
    this.#upper = bounds.upper;
    this.#upperExclusive = bounds.upperExclusive ?? false;
    this.#reverse = bounds.reverse ?? false;
    if (this.#reverse) {
      [this.#ci, this.#i] = this.#lastAtOrBelowUpper();
    } else if (this.#lower === undefined) {
      this.#ci = 0;
      this.#i = 0;
    } else {
      this.#ci = chunkIndexFor(chunks, this.#lower);
      this.#i = this.#ci < chunks.length ? lowerBound((chunks[this.#ci] as Chunk<V>).keys, this.#lower) : 0;
    }
    this.#load();
  }

  advance(): void {
    if (this.key === undefined) return;
    if (this.#reverse) {
      if (--this.#i < 0) {
        this.#ci--;
        this.#i = this.#ci >= 0 ? (this.#chunks[this.#ci] as Chunk<V>).keys.length - 1 : -1;
      }
    } else if (++this.#i >= (this.#chunks[this.#ci] as Chunk<V>).keys.length) {
      this.#ci++;
      this.#i = 0;
    }
    this.#load();
  }

  #lastAtOrBelowUpper(): [number, number] {
    const chunks = this.#chunks;
    const upper = this.#upper;
    if (chunks.length === 0) return [-1, -1];
    let ci = upper === undefined ? chunks.length : chunkIndexFor(chunks, upper);
    if (ci === chunks.length) {
      ci = chunks.length - 1;
      return [ci, (chunks[ci] as Chunk<V>).keys.length - 1];
    }
    const keys = (chunks[ci] as Chunk<V>).keys;
    const i =
      (this.#upperExclusive ? lowerBound(keys, upper as string) : upperBound(keys, upper as string)) - 1;
    if (i >= 0) return [ci, i];
    ci--;
    return [ci, ci >= 0 ? (chunks[ci] as Chunk<V>).keys.length - 1 : -1];
  }

  #load(): void {
    const chunk = this.#chunks[this.#ci];
    if (chunk === undefined || this.#i < 0) {
      this.key = undefined;
      this.value = undefined;
      return;
    }
    const key = chunk.keys[this.#i] as string;
    const beyond = this.#reverse
      ? this.#lower !== undefined && key < this.#lower
      : this.#upper !== undefined && (key > this.#upper || (this.#upperExclusive && key === this.#upper));
    if (beyond) {
      this.key = undefined;
      this.value = undefined;
      return;
    }
    this.key = key;
    this.value = chunk.values[this.#i];
  }
}
