import { TopologyError } from '../errors.js';

/**
 * @internal The keys an option object may have; a nested schema checks an option that is itself
 * an object (`materialized`, `stores`).
 */
export interface OptionSchema {
  readonly [key: string]: true | OptionSchema;
}

const materialized: OptionSchema = {
  storeName: true,
  storeType: true,
  storeSupplier: true,
  key: true,
  value: true,
  caching: true,
  logging: true,
};

const windowedMaterialized: OptionSchema = {
  storeName: true,
  storeType: true,
  key: true,
  value: true,
  retentionMs: true,
  caching: true,
  logging: true,
};

/** @internal The schema of every DSL option type, by the name of its interface. */
export const Options = {
  named: { name: true },
  consumed: { name: true, key: true, value: true, timestampExtractor: true, offsetReset: true },
  tableConsumed: {
    name: true,
    key: true,
    value: true,
    timestampExtractor: true,
    offsetReset: true,
    materialized,
  },
  produced: { name: true, key: true, value: true, partitioner: true },
  grouped: { name: true, key: true, value: true },
  repartitioned: { name: true, key: true, value: true, numberOfPartitions: true, partitioner: true },
  aggregate: { name: true, materialized },
  table: { name: true, materialized },
  windowedAggregate: { name: true, materialized: windowedMaterialized },
  process: { name: true, stores: true },
  joined: { name: true, key: true, value: true },
  streamJoined: {
    name: true,
    key: true,
    value: true,
    otherValue: true,
    stores: { name: true, logging: true },
  },
  branched: { name: true, chain: true },
} satisfies Record<string, OptionSchema>;

/**
 * @internal What is wrong with an option object, or undefined: the first unknown key (a typo such
 * as `{ kye }` or `{ nmae }` would otherwise be ignored and its default used silently).
 */
export function optionProblem(options: unknown, schema: OptionSchema, path = ''): string | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    return `${path === '' ? 'the options' : `option "${path}"`} must be an object; got ${JSON.stringify(options)}`;
  }
  for (const [key, value] of Object.entries(options)) {
    const expected = schema[key];
    const where = path === '' ? key : `${path}.${key}`;
    if (expected === undefined) {
      return `unknown option "${where}" (known: ${Object.keys(schema).join(', ')})`;
    }
    // `logging: false` and friends are not nested objects; only plain objects are checked deeper.
    if (expected !== true && value !== undefined && typeof value === 'object' && value !== null) {
      const nested = optionProblem(value, expected, where);
      if (nested !== undefined) return nested;
    }
  }
  return undefined;
}

/** @internal The error `build()` throws for a bad option object. */
export function optionError(operator: string, node: string | undefined, problem: string): TopologyError {
  const at = node === undefined ? '' : ` (at node "${node}")`;
  return new TopologyError(`${operator}${at}: ${problem}. Fix the option object passed to ${operator}.`, {
    node,
  });
}
