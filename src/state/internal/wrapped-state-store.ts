import type { StateStore, StateStoreContext } from '../store.js';

/**
 * A store layer over another store of the same kind: forwards the lifecycle (name, init, flush,
 * close) to the store it wraps. The key-value, window and session bytes layers and the metered
 * stores extend it; each layer then overrides only what it changes. (Public: the metered
 * stores' published declarations extend it.)
 *
 * @example
 * ```ts
 * class CountingLayer extends WrappedKeyValueBytesStore {
 *   override put(key: Buffer, value: Buffer | null): void { puts++; super.put(key, value); }
 * }
 * ```
 */
export abstract class WrappedStateStore<S extends StateStore> implements StateStore {
  constructor(readonly wrapped: S) {}

  get name(): string {
    return this.wrapped.name;
  }

  get persistent(): boolean {
    return this.wrapped.persistent;
  }

  init(context: StateStoreContext, root: StateStore): void | Promise<void> {
    return this.wrapped.init(context, root);
  }

  flush(): void | Promise<void> {
    return this.wrapped.flush();
  }

  close(): void | Promise<void> {
    return this.wrapped.close();
  }

  isOpen(): boolean {
    return this.wrapped.isOpen();
  }
}

/**
 * @internal The bottom of a layer stack: the store that holds the data (in-memory or `level`).
 *
 * @example
 * ```ts
 * const level = innermost(changeLogging); // the LevelKeyValueStore below the logging layer
 * ```
 */
export function innermost<S extends StateStore>(store: S): S {
  let current: StateStore = store;
  while (current instanceof WrappedStateStore) current = current.wrapped as StateStore;
  return current as S;
}

/**
 * @internal The first layer of type `layerType` in a stack, walking down from `top` through
 * wrapping layers; `undefined` if there is none.
 *
 * @example
 * ```ts
 * const cache = findLayer(metered.wrapped, CachingWindowStore);
 * ```
 */
export function findLayer<L>(top: unknown, layerType: abstract new (...args: never[]) => L): L | undefined {
  let layer = top;
  while (!(layer instanceof layerType)) {
    if (!(layer instanceof WrappedStateStore)) return undefined;
    layer = layer.wrapped;
  }
  return layer;
}
