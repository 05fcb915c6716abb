import { markDslSupplier } from '../internal/dsl-store-defaults.js';
import type { SessionBytesStoreSupplier } from '../session/session-store.js';
import { Stores } from '../stores.js';
import type { WindowBytesStoreSupplier } from './window-store.js';

/** @internal Which inner store a DSL store uses: decided when a task builds it. */
export type DslStoreType = () => 'in-memory' | 'persistent';

/** @internal A retention, or one that depends on the inner store type. */
export type DslRetention = number | ((storeType: 'in-memory' | 'persistent') => number);

const retentionFor = (retention: DslRetention, storeType: DslStoreType): number =>
  typeof retention === 'number' ? retention : retention(storeType());

/**
 * @internal The inner window store of a DSL windowed aggregation, picked when a task builds it
 * (like the key-value `deferredSupplier` in `compile.ts`): persistent in a running app, in-memory
 * in the TopologyTestDriver, unless `materialized.storeType` pins it. Builders over it cache by
 * default, like the DSL's key-value stores (never with `retainDuplicates`: join stores).
 */
export function deferredWindowStoreSupplier(
  name: string,
  retention: DslRetention,
  windowSizeMs: number,
  retainDuplicates: boolean,
  storeType: DslStoreType,
): WindowBytesStoreSupplier {
  // Made on use: a persistent store's name must also be a valid directory name.
  const current = (): WindowBytesStoreSupplier =>
    (storeType() === 'persistent' ? Stores.persistentWindowStore : Stores.inMemoryWindowStore)(
      name,
      retentionFor(retention, storeType),
      windowSizeMs,
      retainDuplicates,
    );
  return markDslSupplier({
    name,
    get retentionPeriodMs() {
      return retentionFor(retention, storeType);
    },
    windowSizeMs,
    retainDuplicates,
    get kind() {
      return current().kind;
    },
    get: () => current().get(),
  });
}

/** @internal The inner session store of a DSL session aggregation; see {@link deferredWindowStoreSupplier}. */
export function deferredSessionStoreSupplier(
  name: string,
  retention: DslRetention,
  storeType: DslStoreType,
): SessionBytesStoreSupplier {
  const current = (): SessionBytesStoreSupplier =>
    (storeType() === 'persistent' ? Stores.persistentSessionStore : Stores.inMemorySessionStore)(
      name,
      retentionFor(retention, storeType),
    );
  return markDslSupplier({
    name,
    get retentionPeriodMs() {
      return retentionFor(retention, storeType);
    },
    get kind() {
      return current().kind;
    },
    get: () => current().get(),
  });
}
