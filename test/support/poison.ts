import { Serdes, StreamsBuilder, type Topology } from '../../src/index.js';

/** How many more lines containing "poison" throw; `Infinity` for all of them. */
export interface Poison {
  left: number;
}

/**
 * Word count whose first step throws (a processing error under `logAndFail`) on a line containing
 * "poison" while `poison.left > 0`: the uncaught-exception policy's tests.
 */
export function poisonableWordCount(input: string, output: string, poison: Poison): Topology {
  const b = new StreamsBuilder();
  b.stream(input, { key: Serdes.string(), value: Serdes.string() })
    .mapValues((line) => {
      if (line.includes('poison') && poison.left > 0) {
        poison.left--;
        throw new Error('poisoned line');
      }
      return line;
    })
    .flatMapValues((line) => line.split(' '))
    .groupBy((_, w) => w, { key: Serdes.string(), value: Serdes.string() })
    .count({ name: 'counts' })
    .toStream()
    .to(output, { key: Serdes.string(), value: Serdes.long() });
  return b.build();
}

/**
 * Records for `lines`, keyed `k<index>` except lines with "poison": one key, so one partition.
 * On a real broker pass a current `baseTimestamp` (older records fall to retention at once).
 */
export function poisonableLines(topic: string, lines: readonly string[], baseTimestamp = 0) {
  return lines.map((line, i) => ({
    topic,
    key: Buffer.from(line.includes('poison') ? 'poison' : `k${i}`),
    value: Buffer.from(line),
    timestamp: baseTimestamp + i,
  }));
}
