import { TopologyError } from '../errors.js';
import { foreignKeyJoin } from './join-foreign-key.js';
import { streamStreamJoin } from './join-stream-stream.js';
import { streamGlobalTableJoin, streamTableJoin } from './join-stream-table.js';
import { tableTableJoin } from './join-table-table.js';
import { KStreamImpl } from './kstream-impl.js';
import { KTableImpl } from './ktable-impl.js';

/** @internal */
export type JoinMode = 'inner' | 'left' | 'outer';

/**
 * @internal Picks the stream join by what `other` is: a stream (windowed join), a table (lookup
 * join) or a global table (lookup join through a key selector). The public overloads guarantee
 * the argument shapes; the checks here catch untyped callers.
 */
export function joinStream(
  stream: KStreamImpl,
  mode: JoinMode,
  other: unknown,
  a: any,
  b: any,
  c: any,
): KStreamImpl {
  if (other instanceof KStreamImpl) return streamStreamJoin(stream, other, a, b, c, mode);
  if (mode === 'outer')
    throw new TopologyError('outerJoin() of a KStream needs another KStream (and JoinWindows).');
  if (other instanceof KTableImpl) return streamTableJoin(stream, other, a, b, mode === 'left');
  if (isGlobalTable(other)) return streamGlobalTableJoin(stream, other, a, b, c, mode === 'left');
  throw new TopologyError(
    `${mode === 'inner' ? 'join' : 'leftJoin'}() needs a KStream, a KTable or a GlobalKTable to join with.`,
  );
}

/** @internal A primary-key table join, or a foreign-key join when the second argument is the extractor and a joiner follows. */
export function joinTable(
  table: KTableImpl,
  mode: JoinMode,
  other: unknown,
  a: any,
  b: any,
  c: any,
): KTableImpl {
  const op = mode === 'inner' ? 'join' : `${mode}Join`;
  if (!(other instanceof KTableImpl)) throw new TopologyError(`${op}() of a KTable needs another KTable.`);
  if (typeof b === 'function') {
    if (mode === 'outer')
      throw new TopologyError(
        'outerJoin() has no foreign-key form: use join() or leftJoin() with a foreign-key extractor.',
      );
    return foreignKeyJoin(table, other, a, b, c, mode === 'left');
  }
  return tableTableJoin(table, other, a, b, mode);
}

function isGlobalTable(other: unknown): other is { queryableStoreName: string } {
  return (
    typeof other === 'object' &&
    other !== null &&
    typeof (other as { queryableStoreName?: unknown }).queryableStoreName === 'string'
  );
}
