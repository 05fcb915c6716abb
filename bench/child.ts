/**
 * One contender's run in a process of its own, so that its peak RSS and CPU profile are its own.
 * Started by `bench/run.ts` with the job as JSON in `argv[2]`; prints one result line on stdout.
 */
import { broker, driver } from './lib/child-runs.js';
import { RESULT_MARKER, type ChildJob } from './lib/protocol.js';
import { serveLatency } from './lib/tributary-latency.js';
import { restore } from './lib/tributary-restore.js';

const job = JSON.parse(process.argv[2] ?? '{}') as ChildJob;
const result =
  job.kind === 'broker'
    ? await broker(job)
    : job.kind === 'restore'
      ? await restore(job)
      : job.kind === 'latency'
        ? await serveLatency(job)
        : driver(job);
// Exit explicitly: a client's leftover timer must not keep the child (and the bench) waiting.
process.stdout.write(`${RESULT_MARKER}${JSON.stringify(result)}\n`, () => process.exit(0));
