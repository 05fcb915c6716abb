import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { KafkaStreams } from '../runtime/kafka-streams.js';
import type { StreamsConfig } from '../runtime/config.js';
import type { Topology } from '../topology/topology.js';
import { UsageError } from './args.js';

/** What a module exported for the CLI. */
export type Entry =
  | { readonly kind: 'topology'; readonly exportName: string; readonly topology: Topology }
  | { readonly kind: 'app'; readonly exportName: string; readonly app: KafkaStreams };

const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx']);

/**
 * Imports a user module by path. TypeScript goes through tsx's loader when tsx can be resolved
 * from the module's folder (or the CLI already runs under tsx), else through Node's own type
 * stripping (Node 23.6+, erasable syntax only).
 */
export async function importModule(path: string): Promise<Record<string, unknown>> {
  const file = resolve(path);
  if (!existsSync(file)) throw new UsageError(`module not found: ${path} (looked at ${file})`);
  const url = pathToFileURL(file).href;
  if (!TS_EXTENSIONS.has(extname(file))) return (await import(url)) as Record<string, unknown>;
  const tsx = resolveTsx(dirname(file));
  try {
    if (tsx) {
      const api = (await import(pathToFileURL(tsx).href)) as {
        tsImport(specifier: string, parentURL: string): Promise<Record<string, unknown>>;
      };
      return await api.tsImport(url, import.meta.url);
    }
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    if (tsx) throw error;
    throw new UsageError(
      `could not import the TypeScript module ${path}: ${(error as Error).message}\n` +
        `Install tsx next to it (npm i -D tsx) or build it to JavaScript first.`,
    );
  }
}

function resolveTsx(from: string): string | undefined {
  for (const base of [from, process.cwd()]) {
    try {
      return createRequire(resolve(base, 'noop.js')).resolve('tsx/esm/api');
    } catch {
      // not installed there
    }
  }
  return undefined;
}

const isTopology = (value: unknown): value is Topology =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Topology).describe === 'function' &&
  typeof (value as Topology).subtopologies === 'function';

const isApp = (value: unknown): value is KafkaStreams =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as KafkaStreams).start === 'function' &&
  typeof (value as KafkaStreams).close === 'function' &&
  'state$' in value;

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (isTopology(value)) return 'a Topology';
  if (isApp(value)) return 'a KafkaStreams app';
  if (typeof value === 'object')
    return `an object (${(value as object).constructor?.name ?? 'no prototype'})`;
  return `a ${typeof value}`;
}

/**
 * Picks the first of `names` that the module exports as a Topology or KafkaStreams app (a function
 * export is called and awaited first). The error says what each name held.
 */
export async function findEntry(
  module: Record<string, unknown>,
  names: readonly string[],
  accept: readonly Entry['kind'][],
  path: string,
): Promise<Entry> {
  const seen: string[] = [];
  for (const name of names) {
    if (!(name in module) || module[name] === undefined) {
      seen.push(`'${name}': not exported`);
      continue;
    }
    let value: unknown = module[name];
    if (typeof value === 'function' && !isTopology(value)) value = await (value as () => unknown)();
    if (isTopology(value) && accept.includes('topology'))
      return { kind: 'topology', exportName: name, topology: value };
    if (isApp(value) && accept.includes('app')) return { kind: 'app', exportName: name, app: value };
    seen.push(`'${name}': ${kindOf(value)}`);
  }
  const wanted = accept.map((k) => (k === 'app' ? 'a KafkaStreams app' : 'a Topology')).join(' or ');
  throw new UsageError(
    `${path} does not export ${wanted} as ${names.map((n) => `'${n}'`).join(', ')} (${seen.join('; ')})`,
  );
}

/** The module's exported `config`, checked to be an object. */
export function moduleConfig(module: Record<string, unknown>, path: string): Partial<StreamsConfig> {
  const config = module.config;
  if (config === undefined) return {};
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw new UsageError(
      `${path}: the 'config' export must be a StreamsConfig object, got ${kindOf(config)}`,
    );
  return config as Partial<StreamsConfig>;
}
