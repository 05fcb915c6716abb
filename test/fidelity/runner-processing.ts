/**
 * The processing ops (split, peek, processValues, punctuate) with Tributary's DSL, doing what
 * the oracle's Processing.java does.
 */
import { Serdes, Stores } from '../../src/index.js';
import type {
  KStream,
  KeyValueStore,
  ProcessorContext,
  StreamRecord,
  StreamsBuilder,
} from '../../src/index.js';
import type { OpNode } from './case.js';
import * as fns from './fns.js';

type Str = string | null;
type Stream = KStream<Str, Str>;

/** The branches of a split, by the ids later nodes use (`<id>.<i>`, `<id>.d`). */
export function split(n: Extract<OpNode, { op: 'split' }>, s: Stream): Map<string, Stream> {
  let b = s.split({ name: `${n.id}-` });
  n.predicates.forEach((spec, i) => {
    b = b.branch(fns.predicate(spec), { name: String(i) });
  });
  const branches = n.withDefault ? b.defaultBranch({ name: 'd' }) : b.noDefaultBranch();
  return new Map(
    Object.entries(branches).map(([name, stream]) => [`${n.id}.${name.slice(n.id.length + 1)}`, stream]),
  );
}

export function processValues(n: Extract<OpNode, { op: 'processValues' }>, s: Stream): Stream {
  if (n.fn !== 'twiceIfA') throw new Error(`unknown processValues fn ${n.fn}`);
  return s.processValues(() => {
    let context: ProcessorContext<Str, Str>;
    return {
      init(c: ProcessorContext<Str, Str>) {
        context = c;
      },
      process(r: StreamRecord<Str, Str>) {
        const v = r.value;
        if (v === null) return;
        if (v.includes('a')) {
          context.forward({ ...r, value: v });
          context.forward({ ...r, value: `${v}2` });
        } else context.forward({ ...r, value: v.toUpperCase() });
      },
    };
  });
}

export function punctuate(
  n: Extract<OpNode, { op: 'punctuate' }>,
  s: Stream,
  builder: StreamsBuilder,
): Stream {
  const storeName = `${n.id}-buffer`;
  builder.addStateStore(
    Stores.keyValueStoreBuilder(
      Stores.inMemoryKeyValueStore(storeName),
      Serdes.string(),
      Serdes.string(),
    ).withLoggingDisabled(),
  );
  return s.process<Str, Str>(
    () => {
      let buffer: KeyValueStore<string, string>;
      return {
        init(context: ProcessorContext<Str, Str>) {
          buffer = context.getStateStore<KeyValueStore<string, string>>(storeName);
          context.schedule(n.interval, n.type === 'wallClock' ? 'wall-clock' : 'stream-time', (ts) => {
            const all = buffer.all();
            const out = [...all];
            all.close();
            for (const { key, value } of out) {
              context.forward({ key, value, timestamp: ts });
              buffer.delete(key);
            }
          });
        },
        process(r: StreamRecord<Str, Str>) {
          if (r.key === null) return;
          if (r.value === null) buffer.delete(r.key);
          else buffer.put(r.key, r.value);
        },
      };
    },
    { stores: [storeName] },
  );
}
