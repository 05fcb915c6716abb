/**
 * @internal Which store keys were written at which time (window start, or session end), so a
 * store can drop everything older than its retention in time order without scanning by key.
 */
export class TimeIndex {
  /** Distinct times, ascending, from `#head` on (earlier slots are already expired). */
  #times: number[] = [];
  #head = 0;
  readonly #keysByTime = new Map<number, Set<string>>();

  add(time: number, storeKey: string): void {
    let keys = this.#keysByTime.get(time);
    if (keys === undefined) {
      keys = new Set();
      this.#keysByTime.set(time, keys);
      this.#insertTime(time);
    }
    keys.add(storeKey);
  }

  remove(time: number, storeKey: string): void {
    this.#keysByTime.get(time)?.delete(storeKey);
  }

  /** Removes and yields to `drop` every key written at a time `<= cutoff`. */
  expireUpTo(cutoff: number, drop: (storeKey: string) => void): void {
    const times = this.#times;
    while (this.#head < times.length && (times[this.#head] as number) <= cutoff) {
      const time = times[this.#head++] as number;
      const keys = this.#keysByTime.get(time);
      this.#keysByTime.delete(time);
      if (keys !== undefined) for (const key of keys) drop(key);
    }
    if (this.#head > 1024 && this.#head * 2 > times.length) {
      this.#times = times.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Store keys with `from <= time <= to`, by time then key. */
  keysBetween(from: number, to: number): string[] {
    const out: string[] = [];
    const times = this.#times;
    for (let i = this.#lowerBound(from); i < times.length && (times[i] as number) <= to; i++) {
      const keys = this.#keysByTime.get(times[i] as number);
      if (keys !== undefined && keys.size > 0) out.push(...[...keys].sort());
    }
    return out;
  }

  clear(): void {
    this.#times = [];
    this.#head = 0;
    this.#keysByTime.clear();
  }

  #insertTime(time: number): void {
    const times = this.#times;
    if (times.length === this.#head || (times[times.length - 1] as number) < time) {
      times.push(time);
      return;
    }
    times.splice(this.#lowerBound(time), 0, time);
  }

  #lowerBound(time: number): number {
    const times = this.#times;
    let low = this.#head;
    let high = times.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((times[mid] as number) < time) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
