import { Serdes, type Topology } from '../../../src/index.js';
import { TopologyTestDriver } from '../../../src/testing/index.js';

/** A driver named `app` that keeps log lines out of the test output. */
export function joinDriver(topology: Topology): TopologyTestDriver {
  const quiet = () => {};
  return new TopologyTestDriver(
    topology,
    { applicationId: 'app', logger: { debug: quiet, info: quiet, warn: quiet, error: quiet } },
    0,
  );
}

/** String keys and values everywhere: the joins' behaviour, not serdes, is under test. */
export const str = Serdes.string();

/** What a processor under test forwarded. */
export interface Forwarded {
  key: unknown;
  value: unknown;
  timestamp: number | undefined;
  child: string | undefined;
}

/**
 * A minimal processor context for driving one processor by hand: stores are plain maps holding
 * `{ value, timestamp }` rows (as DSL stores do), forwards are recorded.
 */
export function fakeProcessorContext(
  stores: Record<string, Map<unknown, { value: unknown; timestamp: number }>>,
) {
  const forwarded: Forwarded[] = [];
  const asStore = (rows: Map<unknown, { value: unknown; timestamp: number }>) => ({
    get: (key: unknown) => rows.get(key),
    put: (key: unknown, row: { value: unknown; timestamp: number } | null) =>
      void (row === null ? rows.delete(key) : rows.set(key, row)),
    delete: (key: unknown) => rows.delete(key),
  });
  const context = {
    applicationId: 'app',
    taskId: '0_0',
    partition: 3,
    forward: (record: { key: unknown; value: unknown; timestamp?: number }, child?: string) =>
      void forwarded.push({ key: record.key, value: record.value, timestamp: record.timestamp, child }),
    getStateStore: (name: string) => asStore(stores[name]!),
    currentStreamTimeMs: () => 0,
    currentSystemTimeMs: () => 0,
  };
  return { context: context as never, forwarded };
}
