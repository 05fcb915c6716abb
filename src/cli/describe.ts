import { findEntry, importModule } from './load.js';

/**
 * `tributary describe`: the text (or Mermaid) description of the topology a module exports as
 * `default` or `topology`.
 *
 * @example
 * ```ts
 * process.stdout.write(await describeModule('./dist/word-count.js', { mermaid: true }));
 * ```
 */
export async function describeModule(path: string, options: { mermaid: boolean }): Promise<string> {
  const module = await importModule(path);
  const entry = await findEntry(module, ['default', 'topology'], ['topology'], path);
  if (entry.kind !== 'topology') throw new Error('unreachable');
  const description = entry.topology.describe();
  const text = options.mermaid ? description.toMermaid() : description.toString();
  return text.endsWith('\n') ? text : `${text}\n`;
}
