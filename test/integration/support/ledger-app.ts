import { KafkaStreams, Serdes, StreamsBuilder, type StreamsConfig } from '../../../src/index.js';
import { testKafkaClient } from './word-count-app.js';

/**
 * Payments keyed by account (value: `<id>:<amount>`) → an `echo` topic with every payment id
 * once (exactly-once shows no duplicates there) and a running sum per account (`sums`).
 */
export function ledgerTopology(input: string, echo: string, sums: string) {
  const b = new StreamsBuilder();
  const payments = b.stream(input, { key: Serdes.string(), value: Serdes.string() });
  payments.mapValues((v) => v.split(':')[0]!).to(echo, { key: Serdes.string(), value: Serdes.string() });
  payments
    .mapValues((v) => Number(v.split(':')[1]))
    .groupByKey({ value: Serdes.long() })
    .reduce((a, v) => a + v, { name: 'balances' })
    .toStream()
    .to(sums, { key: Serdes.string(), value: Serdes.long() });
  return b.build();
}

export function ledgerApp(input: string, echo: string, sums: string, config: StreamsConfig): KafkaStreams {
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  return new KafkaStreams(ledgerTopology(input, echo, sums), {
    logger: quiet,
    ...(config.brokers ? testKafkaClient() : {}),
    ...config,
  });
}
