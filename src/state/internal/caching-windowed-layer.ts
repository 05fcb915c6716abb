import type { StateStore, StateStoreContext } from '../store.js';
import type { CachingLayerCore, FlushListener } from './caching-layer-core.js';
import type { CacheStats } from './write-back-cache.js';
import { WrappedStateStore } from './wrapped-state-store.js';

/** What a windowed bytes store (window or session) offers that a caching layer forwards as is. */
export interface WindowedBytesStoreBelow extends StateStore {
  readonly retentionPeriodMs: number;
  readonly observedStreamTime?: number;
  restore(storeKey: Buffer, value: Buffer | null): void;
}

/**
 * @internal The face the window and session caching layers share: the cache's statistics and
 * budget, the flush listener, the observed stream time, and the lifecycle (open the cache on
 * init, write it down on flush, drop it on close). Each layer supplies its `core` (its key
 * layout) and the reads and writes of its own store kind.
 *
 * @example
 * ```ts
 * class CachingSessionStore extends CachingWindowedLayer<SessionBytesStore, SessionBytes> implements SessionBytesStore {
 *   protected readonly core = new CachingLayerCore<SessionBytes>(this.wrapped, layout);
 * }
 * ```
 */
export abstract class CachingWindowedLayer<
  S extends WindowedBytesStoreBelow,
  K,
> extends WrappedStateStore<S> {
  protected abstract readonly core: CachingLayerCore<K>;

  /** Cache look-ups that hit and missed, for the `hit-ratio` metric. */
  cacheStats(): CacheStats {
    return this.core.cache.stats();
  }

  /** Whether this layer holds writes back (a budget above 0); at 0 it writes straight through. */
  get holdsWrites(): boolean {
    return this.core.cache.holdsWrites;
  }

  get retentionPeriodMs(): number {
    return this.wrapped.retentionPeriodMs;
  }

  get observedStreamTime(): number {
    return this.core.observedStreamTime;
  }

  /**
   * Sets the listener told about every entry written down. With `sendOldValues` the listener
   * gets the previous value too (one extra read of the store below per entry).
   *
   * @example
   * ```ts
   * cache.setFlushListener((windowedKey, newValue) => forward(windowedKey, newValue), false);
   * ```
   */
  setFlushListener(listener: FlushListener<K>, sendOldValues: boolean): void {
    this.core.setFlushListener(listener, sendOldValues);
  }

  override init(context: StateStoreContext, root: StateStore): void | Promise<void> {
    this.core.open(context);
    return super.init(context, root);
  }

  override flush(): void | Promise<void> {
    return this.core.flush();
  }

  override close(): void | Promise<void> {
    this.core.close();
    return super.close();
  }

  restore(storeKey: Buffer, value: Buffer | null): void {
    this.wrapped.restore(storeKey, value);
  }
}
