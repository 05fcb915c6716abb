import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../logger.js';
import type { TopologyDescription } from '../../topology/describe.js';
import type { HttpConfig } from '../config.js';
import type { RecentEvent } from '../metrics/monitor.js';
import type { HealthView, LiveView, TaskView } from './views.js';
import { WEB_VIEW_HTML } from './web-view.js';

/** What a key look-up answers: the value here, or where the key lives. */
export interface KeyLookup {
  readonly status: number;
  readonly body: unknown;
}

/** @internal What the HTTP server reads from the app. */
export interface HttpApp {
  health(): HealthView;
  tasks(): TaskView[];
  topology(): TopologyDescription;
  live(): LiveView;
  onRecent(listener: (event: RecentEvent) => void): () => void;
  /** Prometheus text, or undefined when prom-client is not installed. */
  prometheus(): Promise<{ contentType: string; body: string } | undefined>;
  lookup(store: string, key: string): Promise<KeyLookup>;
}

/** How often the live view gets a new snapshot. */
const LIVE_INTERVAL_MS = 1_000;

/**
 * @internal The app's optional HTTP server: health, Prometheus metrics, JSON for topology, tasks
 * and key look-ups, and the live view with its server-sent events. Node's own `http`; nothing
 * fetched at run time.
 */
export class HttpServer {
  private readonly server: Server;
  private readonly clients = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  private constructor(
    private readonly app: HttpApp,
    private readonly logger: Logger,
  ) {
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        this.logger.warn({ err: error, url: req.url }, 'HTTP request failed');
        if (!res.headersSent) json(res, 500, { error: (error as Error).message });
        else res.end();
      });
    });
  }

  /** Starts listening; resolves with the server once bound. */
  static async start(app: HttpApp, config: HttpConfig, logger: Logger): Promise<HttpServer> {
    const server = new HttpServer(app, logger);
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.server.listen(config.port, config.host ?? '127.0.0.1', () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    const { address, port } = server.address;
    logger.info({ url: `http://${address}:${port}/` }, 'HTTP server listening');
    return server;
  }

  get address(): { address: string; port: number } {
    const info = this.server.address() as AddressInfo;
    return { address: info.address, port: info.port };
  }

  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.unsubscribe?.();
    for (const client of this.clients) client.end();
    this.clients.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET') return json(res, 405, { error: `${req.method} is not supported; use GET` });
    const path = url.pathname;
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      return void res.end(WEB_VIEW_HTML);
    }
    if (path === '/health') {
      const health = this.app.health();
      return json(res, health.state === 'RUNNING' ? 200 : 503, health);
    }
    if (path === '/metrics') {
      const text = await this.app.prometheus();
      if (text === undefined) {
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
        return void res.end(
          'Prometheus metrics need the optional dependency prom-client: npm install prom-client\n',
        );
      }
      res.writeHead(200, { 'content-type': text.contentType });
      return void res.end(text.body);
    }
    if (path === '/api/topology') {
      const description = this.app.topology();
      return json(res, 200, {
        subtopologies: description.subtopologies,
        globalStores: description.globalStores,
        text: description.toString(),
      });
    }
    if (path === '/api/tasks') return json(res, 200, this.app.tasks());
    if (path === '/api/events') return this.stream(req, res);
    const store = /^\/api\/stores\/([^/]+)\/(.+)$/.exec(path);
    if (store !== null) {
      const answer = await this.app.lookup(decodeURIComponent(store[1]!), decodeURIComponent(store[2]!));
      return json(res, answer.status, answer.body);
    }
    json(res, 404, {
      error: `No route ${path}. Routes: /, /health, /metrics, /api/topology, /api/tasks, /api/stores/:store/:key, /api/events`,
    });
  }

  /** Server-sent events: a `live` snapshot now and every second, a `recent` event as it happens. */
  private stream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    this.clients.add(res);
    req.on('close', () => this.clients.delete(res));
    send(res, 'live', this.app.live());
    // One timer and one subscription for every client.
    this.timer ??= setInterval(() => this.broadcast('live', this.app.live()), LIVE_INTERVAL_MS);
    this.timer.unref();
    this.unsubscribe ??= this.app.onRecent((event) => this.broadcast('recent', event));
  }

  private broadcast(event: string, data: unknown): void {
    if (this.clients.size === 0) return;
    for (const client of this.clients) send(client, event, data);
  }
}

function send(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data, finite)}\n\n`);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body, finite));
}

/** JSON has no NaN or Infinity: they become null. */
function finite(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}
