import { ConfigError } from '../../errors.js';
import { METRIC_DEFINITIONS, type MetricName, type StreamsMetric } from './metric.js';

/**
 * The part of a `prom-client` `Registry` Tributary uses: pass `new Registry()` (or prom-client's
 * default `register`) as `metricsRegistry`.
 *
 * @example
 * ```ts
 * import { Registry } from 'prom-client';
 * const registry = new Registry();
 * new KafkaStreams(topology, { applicationId: 'shop', metricsRegistry: registry });
 * ```
 */
export interface PrometheusRegistry {
  metrics(): Promise<string>;
  readonly contentType: string;
  getSingleMetric(name: string): unknown;
  removeSingleMetric(name: string): void;
}

interface GaugeLike {
  reset(): void;
  set(labels: Record<string, string>, value: number): void;
}

interface PromClient {
  Registry: new () => PrometheusRegistry;
  Gauge: new (options: {
    name: string;
    help: string;
    labelNames: string[];
    registers: PrometheusRegistry[];
    collect(this: GaugeLike): void;
  }) => unknown;
}

/** How long one snapshot serves a scrape: every gauge of one scrape reads the same snapshot. */
const SNAPSHOT_REUSE_MS = 250;

/** `process-rate` → `tributary_process_rate`. */
export function prometheusName(name: string): string {
  return `tributary_${name.replace(/-/g, '_')}`;
}

/** @internal Loads the optional peer dependency, or says how to install it. */
export async function loadPromClient(why: string): Promise<PromClient> {
  try {
    const loaded = (await import('prom-client')) as unknown as PromClient & { default?: PromClient };
    return loaded.Gauge !== undefined ? loaded : loaded.default!;
  } catch (error) {
    throw new ConfigError(`${why} needs the optional dependency prom-client: npm install prom-client.`, {
      cause: error,
    });
  }
}

/**
 * @internal Registers one gauge per metric name into `registry`, labelled by the metric's tags
 * (`task_id`, `topic`, `partition`, `store`, ...); values are read from `snapshot()` when scraped.
 * Returns the function that unregisters them.
 */
export async function registerPrometheus(
  registry: PrometheusRegistry,
  snapshot: () => StreamsMetric[],
): Promise<() => void> {
  const prom = await loadPromClient('metricsRegistry');
  let cached: { at: number; byName: Map<string, StreamsMetric[]> } | undefined;
  const read = (name: MetricName): StreamsMetric[] => {
    const now = performance.now();
    if (cached === undefined || now - cached.at > SNAPSHOT_REUSE_MS) {
      const byName = new Map<string, StreamsMetric[]>();
      for (const m of snapshot()) {
        const list = byName.get(m.name) ?? [];
        list.push(m);
        byName.set(m.name, list);
      }
      cached = { at: now, byName };
    }
    return cached.byName.get(name) ?? [];
  };
  const names = Object.keys(METRIC_DEFINITIONS) as MetricName[];
  const taken = names.map(prometheusName).filter((n) => registry.getSingleMetric(n) !== undefined);
  if (taken.length > 0) {
    throw new ConfigError(
      `metricsRegistry already holds ${taken[0]}: another KafkaStreams registered into it. Give each instance its own Registry (prom-client's Registry.merge combines them).`,
    );
  }
  for (const name of names) {
    const [help, tags] = METRIC_DEFINITIONS[name];
    new prom.Gauge({
      name: prometheusName(name),
      help,
      labelNames: tags.map(labelName),
      registers: [registry],
      collect() {
        this.reset();
        for (const m of read(name)) {
          // Absent rather than NaN: an average over nothing has no series.
          if (Number.isNaN(m.value)) continue;
          const labels: Record<string, string> = {};
          for (const [tag, value] of Object.entries(m.tags)) labels[labelName(tag)] = value;
          this.set(labels, m.value);
        }
      },
    });
  }
  return () => {
    for (const name of names) registry.removeSingleMetric(prometheusName(name));
  };
}

function labelName(tag: string): string {
  return tag.replace(/-/g, '_');
}
