/**
 * Word count, the "hello world" of stream processing: lines of text in, a running count per word
 * out. Run it with `npm run demo`; test it with `examples/word-count.test.ts`.
 */
import { Serdes, StreamsBuilder, type Topology } from '../src/index.js';

/** Input topic: one line of text per record (the key is ignored). */
export const LINES_TOPIC = 'text-lines';
/** Output topic: `word → count` updates, counts as Java longs (`Serdes.long()`). */
export const COUNTS_TOPIC = 'word-counts';
/** The store holding the current count per word (and the base of its changelog name). */
export const COUNTS_STORE = 'counts';

/**
 * lines → lower-cased words → grouped by word (repartitioned) → count → `word-counts`.
 *
 * @example
 * ```ts
 * const driver = new TopologyTestDriver(buildWordCountTopology(), { applicationId: 'word-count' });
 * ```
 */
export function buildWordCountTopology(): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream(LINES_TOPIC, { key: Serdes.string(), value: Serdes.string() })
    .flatMapValues((line) =>
      line
        .toLowerCase()
        .split(/\W+/)
        .filter((word) => word.length > 0),
    )
    .groupBy((_, word) => word, { key: Serdes.string(), value: Serdes.string() })
    .count({ name: COUNTS_STORE })
    .toStream()
    .to(COUNTS_TOPIC, { key: Serdes.string(), value: Serdes.long() });
  return builder.build();
}
