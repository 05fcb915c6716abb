/** What every example's `main()` needs: a broker (embedded or `KAFKA_BROKERS`) and an entry point. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { embeddedKafka } from '../src/index.js';
import { createKafkaClient, type KafkaClient } from '../src/kafka/index.js';
import type { NewTopic } from '../src/kafka/port.js';

export interface ExampleCluster {
  kafka: KafkaClient;
  /** A fresh state dir on the embedded broker (its state dies with the process); default on a cluster. */
  stateDir: { stateDir: string } | Record<string, never>;
  close(): Promise<void>;
}

/** Connects to `KAFKA_BROKERS` or the embedded broker, says which, and creates `topics`. */
export async function exampleCluster(title: string, topics: NewTopic[]): Promise<ExampleCluster> {
  const brokers = process.env.KAFKA_BROKERS?.split(',').filter((b) => b.length > 0);
  const cluster = brokers !== undefined && brokers.length > 0 ? createKafkaClient({ brokers }) : undefined;
  const kafka: KafkaClient = cluster ?? embeddedKafka();
  console.log(
    `${title} on ${cluster ? `the Kafka cluster at ${brokers!.join(',')}` : 'the embedded broker'}`,
  );
  const admin = await kafka.admin();
  await admin.createTopics(topics);
  await admin.close();
  const dir = cluster ? undefined : await mkdtemp(join(tmpdir(), 'tributary-example-'));
  return {
    kafka,
    stateDir: dir === undefined ? {} : { stateDir: dir },
    close: async () => {
      await cluster?.close();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `main` when `moduleUrl` is the script node was started with; exits 0, or 1 on an error. */
export function runIfMain(moduleUrl: string, main: () => Promise<void>): void {
  if (process.argv[1] === undefined || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
