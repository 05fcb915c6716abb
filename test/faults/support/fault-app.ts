import { KafkaStreams, Serdes, StreamsBuilder, type StreamsConfig, TimeWindows } from '../../../src/index.js';
import { consoleLogger } from '../../../src/logger.js';

/** The topics of one fault run; every name is unique to the run. */
export interface FaultTopics {
  clicks: string;
  profiles: string;
  counts: string;
  windowCounts: string;
  enriched: string;
}

export const WINDOW_SIZE_MS = 1_000;
export const USERS = 17;
export const REGIONS = 3;

export function faultTopics(id: string): FaultTopics {
  return {
    clicks: `${id}-clicks`,
    profiles: `${id}-profiles`,
    counts: `${id}-counts`,
    windowCounts: `${id}-window-counts`,
    enriched: `${id}-enriched`,
  };
}

/**
 * The three topologies of the fault suite over one stream of clicks keyed by user (value: the
 * click id): a count per user, a count per user and one-second tumbling window, and a
 * stream–table join of each click with the user's region. Each output tells what exactly-once
 * must hold: counts and window counts equal to the truth, every click id enriched once.
 */
export function faultTopology(topics: FaultTopics) {
  const b = new StreamsBuilder();
  const strings = { key: Serdes.string(), value: Serdes.string() };
  const clicks = b.stream(topics.clicks, strings);
  const regions = b.table(topics.profiles, { ...strings, name: 'regions' });

  clicks
    .groupByKey()
    .count({ name: 'counts' })
    .toStream()
    .to(topics.counts, { key: Serdes.string(), value: Serdes.long() });

  clicks
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeWithNoGrace(WINDOW_SIZE_MS))
    .count({ name: 'window-counts' })
    .toStream()
    .map((windowed, count) => [`${windowed.key}@${windowed.window.start}` as string, count] as const)
    .to(topics.windowCounts, { key: Serdes.string(), value: Serdes.long() });

  clicks
    .join(regions, (click, region) => `${click}:${region}`, { name: 'enrich' })
    .to(topics.enriched, strings);
  return b.build();
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** Quiet unless `TRIBUTARY_TEST_LOG` names a level: for chasing a failing run. */
export function faultLogger(instance: string) {
  const level = process.env.TRIBUTARY_TEST_LOG as 'debug' | 'info' | 'warn' | 'error' | undefined;
  return level ? consoleLogger(level, { instance }) : quiet;
}

/** Short timeouts so a killed member leaves the group within seconds. */
export const FAULT_APP_CONFIG = {
  commitIntervalMs: 200,
  sessionTimeoutMs: 6_000,
  heartbeatIntervalMs: 1_000,
} as const;

export function faultApp(topics: FaultTopics, config: StreamsConfig): KafkaStreams {
  return new KafkaStreams(faultTopology(topics), {
    logger: faultLogger(String(process.pid)),
    ...FAULT_APP_CONFIG,
    ...config,
  });
}
