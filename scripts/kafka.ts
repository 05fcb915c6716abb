/**
 * Starts or stops the Kafka cluster used by tests and benchmarks.
 *
 *   tsx scripts/kafka.ts up [--nodes N]   # leaves it running; last stdout line: KAFKA_BROKERS=...
 *   tsx scripts/kafka.ts down             # stops every cluster this machine provisioned
 *   tsx scripts/kafka.ts down --if-unused # only clusters no live process uses (CI clean-up)
 */
import { parseArgs } from 'node:util';
import { ensureKafka, stopKafka } from './kafka/provision.js';

const progress = (line: string) => process.stderr.write(`[kafka] ${line}\n`);

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { nodes: { type: 'string' }, 'if-unused': { type: 'boolean' } },
  });
  const nodes = values.nodes === undefined ? undefined : Number(values.nodes);
  if (nodes !== undefined && !(Number.isInteger(nodes) && nodes >= 1)) {
    throw new Error(`--nodes must be a positive integer, got ${values.nodes}`);
  }
  switch (positionals[0]) {
    case 'up': {
      const kafka = await ensureKafka({ nodes: nodes ?? 1, log: progress, keep: true });
      process.stdout.write(`KAFKA_BROKERS=${kafka.brokers.join(',')}\n`);
      return;
    }
    case 'down': {
      const stopped = await stopKafka({ nodes, onlyIfUnused: values['if-unused'] ?? false, log: progress });
      progress(stopped ? `Stopped ${stopped} cluster(s).` : 'No cluster to stop.');
      return;
    }
    default:
      throw new Error('usage: tsx scripts/kafka.ts up [--nodes N] | down [--nodes N] [--if-unused]');
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    progress(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
