/** @internal One buffered update: the latest value of a key and when it may be emitted. */
export interface BufferedRecord<K, V> {
  /** The serialized key, one char per byte: equal due times are ordered by it. */
  readonly id: string;
  readonly key: K;
  newValue: V | null;
  /** The value before the first buffered update of this key. */
  readonly oldValue: V | null;
  timestamp: number;
  /** The time the record becomes due (window end, or first-update time); fixed per key. */
  readonly dueTime: number;
  bytes: number;
}

/**
 * @internal The suppression buffer: the latest update per key, evicted in due-time order through
 * a binary heap. Equal due times go by key bytes, as Kafka Streams' in-memory time-ordered buffer,
 * whose `BufferKey` sorts by time, then by the serialized key.
 */
export class SuppressionBuffer<K, V> {
  readonly #byId = new Map<string, BufferedRecord<K, V>>();
  readonly #heap: BufferedRecord<K, V>[] = [];
  #bytes = 0;

  get size(): number {
    return this.#byId.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Buffers an update, keeping the first update's old value and due time. */
  put(
    id: string,
    key: K,
    newValue: V | null,
    oldValue: V | null,
    timestamp: number,
    dueTime: number,
    bytes: number,
  ): void {
    const existing = this.#byId.get(id);
    if (existing !== undefined) {
      existing.newValue = newValue;
      existing.timestamp = timestamp;
      this.#bytes += bytes - existing.bytes;
      existing.bytes = bytes;
      return;
    }
    const record: BufferedRecord<K, V> = {
      id,
      key,
      newValue,
      oldValue,
      timestamp,
      dueTime,
      bytes,
    };
    this.#byId.set(id, record);
    this.#bytes += bytes;
    this.#push(record);
  }

  /** The record due first, or `undefined` when empty. */
  peek(): BufferedRecord<K, V> | undefined {
    return this.#heap[0];
  }

  /** Removes and returns the record due first. */
  poll(): BufferedRecord<K, V> | undefined {
    const heap = this.#heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    const last = heap.pop() as BufferedRecord<K, V>;
    if (heap.length > 0) {
      heap[0] = last;
      this.#siftDown(0);
    }
    this.#byId.delete(top.id);
    this.#bytes -= top.bytes;
    return top;
  }

  #push(record: BufferedRecord<K, V>): void {
    const heap = this.#heap;
    heap.push(record);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >>> 1;
      if (!before(heap[i] as BufferedRecord<K, V>, heap[parent] as BufferedRecord<K, V>)) break;
      [heap[i], heap[parent]] = [heap[parent] as BufferedRecord<K, V>, heap[i] as BufferedRecord<K, V>];
      i = parent;
    }
  }

  #siftDown(start: number): void {
    const heap = this.#heap;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (
        left < heap.length &&
        before(heap[left] as BufferedRecord<K, V>, heap[smallest] as BufferedRecord<K, V>)
      )
        smallest = left;
      if (
        right < heap.length &&
        before(heap[right] as BufferedRecord<K, V>, heap[smallest] as BufferedRecord<K, V>)
      )
        smallest = right;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest] as BufferedRecord<K, V>, heap[i] as BufferedRecord<K, V>];
      i = smallest;
    }
  }
}

function before<K, V>(a: BufferedRecord<K, V>, b: BufferedRecord<K, V>): boolean {
  return a.dueTime < b.dueTime || (a.dueTime === b.dueTime && a.id < b.id);
}
