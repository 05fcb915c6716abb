import type { Logger } from '../../logger.js';
import type { Topology } from '../../topology/topology.js';
import type { ResolvedConfig } from '../config.js';
import type { StreamsState } from '../events.js';
import { collectMetrics } from '../metrics/collect.js';
import type { StreamsMetric } from '../metrics/metric.js';
import type { StreamsMonitor } from '../metrics/monitor.js';
import { loadPromClient, registerPrometheus, type PrometheusRegistry } from '../metrics/prometheus.js';
import { HttpServer, type KeyLookup } from './server.js';
import { healthView, liveView, taskViews, type ViewedThread } from './views.js';

/** @internal What the observability layer reads from a `KafkaStreams`. */
export interface ObservedApp {
  currentState(): StreamsState;
  readonly threads: readonly ViewedThread[];
  readonly monitor: StreamsMonitor;
  readonly topology: Topology;
  lookup(store: string, key: string): Promise<KeyLookup>;
}

/**
 * @internal The app's metrics surfaces beyond `app.metrics()`: the Prometheus gauges in the
 * user's `metricsRegistry` and the optional HTTP server. Started with the app, closed with it.
 */
export class Observability {
  private server: HttpServer | undefined;
  private unregister: (() => void) | undefined;
  /** The registry `/metrics` serves: the user's, or one of our own made on first scrape. */
  private registry: Promise<PrometheusRegistry | undefined> | undefined;

  constructor(
    private readonly app: ObservedApp,
    private readonly config: ResolvedConfig,
    private readonly logger: Logger,
  ) {}

  metrics(): StreamsMetric[] {
    return collectMetrics(this.app.threads, this.app.monitor);
  }

  /** Where the HTTP server listens, once started. */
  get httpAddress(): { host: string; port: number } | undefined {
    if (this.server === undefined) return undefined;
    const { address, port } = this.server.address;
    return { host: address, port };
  }

  async start(): Promise<void> {
    const registry = this.config.metricsRegistry;
    if (registry !== undefined) {
      this.unregister = await registerPrometheus(registry, () => this.metrics());
      this.registry = Promise.resolve(registry);
    }
    const http = this.config.http;
    if (http === undefined) return;
    const app = this.app;
    this.server = await HttpServer.start(
      {
        health: () => healthView(app.currentState(), taskViews(app.threads)),
        tasks: () => taskViews(app.threads),
        topology: () => app.topology.describe(),
        live: () => liveView(app.currentState(), app.threads, app.monitor),
        onRecent: (listener) => app.monitor.onRecent(listener),
        prometheus: async () => {
          const r = await (this.registry ??= this.ownRegistry());
          return r === undefined ? undefined : { contentType: r.contentType, body: await r.metrics() };
        },
        lookup: (store, key) => app.lookup(store, key),
      },
      http,
      this.logger,
    );
  }

  async close(): Promise<void> {
    this.unregister?.();
    this.unregister = undefined;
    await this.server?.close();
    this.server = undefined;
  }

  /** Without a `metricsRegistry`, `/metrics` registers into a registry of its own, if prom-client is there. */
  private async ownRegistry(): Promise<PrometheusRegistry | undefined> {
    try {
      const prom = await loadPromClient('/metrics');
      const registry = new prom.Registry();
      this.unregister = await registerPrometheus(registry, () => this.metrics());
      return registry;
    } catch (error) {
      this.logger.warn({ err: error }, 'GET /metrics: prom-client is not installed');
      return undefined;
    }
  }
}
