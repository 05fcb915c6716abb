import type { InternalStreamsBuilder } from './internal-builder.js';
import { TopologyError } from '../errors.js';
import type { Serde } from '../serde/serde.js';
import { ktableSuppress } from '../topology/processors/ktable-suppress.js';
import { Suppressed } from '../windowing/suppressed.js';
import { findWindowInfo, suppressionDelayMs } from './window-info.js';

/**
 * @internal Adds the suppression processor below the table node `parent`; returns its name.
 * `untilWindowCloses` needs a windowed table upstream, for its grace period.
 */
export function addSuppressNode(
  builder: InternalStreamsBuilder,
  parent: string,
  keySerde: Serde<any> | undefined,
  valueSerde: Serde<any> | undefined,
  suppressed: Suppressed,
): string {
  if (!(suppressed instanceof Suppressed)) {
    throw new TopologyError(
      'suppress needs a Suppressed, e.g. Suppressed.untilWindowCloses(BufferConfig.unbounded()).',
    );
  }
  const name = builder.nameOr(suppressed.name, 'KTABLE-SUPPRESS-');
  let windowCloseDelayMs = 0;
  if (suppressed.type === 'until-window-closes') {
    const info = findWindowInfo(builder, parent);
    if (info === undefined) {
      throw new TopologyError(
        `Suppression "${name}": Suppressed.untilWindowCloses only works on a windowed KTable (the result of windowedBy(...) then count/reduce/aggregate); use Suppressed.untilTimeLimit for other tables.`,
        { node: name },
      );
    }
    windowCloseDelayMs = suppressionDelayMs(info);
  }
  builder.add({
    kind: 'processor',
    name,
    parents: [parent],
    supplier: ktableSuppress({
      nodeName: name,
      suppressed,
      windowCloseDelayMs,
      keySerde,
      valueSerde,
    }),
    stores: [],
  });
  return name;
}
