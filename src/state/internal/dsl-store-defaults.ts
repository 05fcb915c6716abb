/** Suppliers the DSL made for its windowed aggregations. */
const dslSuppliers = new WeakSet<object>();

/**
 * @internal Marks a supplier as the DSL's: window and session store builders over it cache by
 * default, as the DSL's key-value stores do. (Builders over user suppliers keep caching off by
 * default, Kafka Streams' default for `Stores.windowStoreBuilder` and `sessionStoreBuilder`.)
 *
 * @example
 * ```ts
 * return markDslSupplier({ name, retentionPeriodMs, kind: 'in-memory', get: () => new InMemorySessionStore(name, retentionPeriodMs) });
 * ```
 */
export function markDslSupplier<S extends object>(supplier: S): S {
  dslSuppliers.add(supplier);
  return supplier;
}

/**
 * @internal Whether the DSL made `supplier` (see {@link markDslSupplier}).
 *
 * @example
 * ```ts
 * super(isDslSupplier(supplier) && !supplier.retainDuplicates); // a builder's caching default
 * ```
 */
export function isDslSupplier(supplier: object): boolean {
  return dslSuppliers.has(supplier);
}
