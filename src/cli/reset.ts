import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { KafkaAdmin, KafkaClient, TopicPartition, TopicPartitionOffset } from '../kafka/port.js';
import type { ResetPoint } from './args.js';

/** What to reset. */
export interface ResetOptions {
  applicationId: string;
  inputTopics: readonly string[];
  to: ResetPoint;
  /** The app's `stateDir`: `<stateDir>/<applicationId>` is deleted. */
  stateDir?: string;
  dryRun: boolean;
  /** For `by-duration`; default `Date.now`. */
  now?: () => number;
}

/** One input partition's committed offset before and after. */
export interface OffsetChange extends TopicPartition {
  from: string | null;
  to: string;
}

/** What a reset did (or, on a dry run, would do). */
export interface ResetReport {
  dryRun: boolean;
  offsets: OffsetChange[];
  deletedTopics: string[];
  /** The local state folder deleted, `undefined` when none was given or it did not exist. */
  deletedStateDir: string | undefined;
}

/** The application still has running instances: nothing was changed. */
export class ActiveMembersError extends Error {
  override readonly name = 'ActiveMembersError';
}

/** An input topic given to reset does not exist. */
export class UnknownInputTopicError extends Error {
  override readonly name = 'UnknownInputTopicError';
}

/** Internal topics of an application: `<applicationId>-<name>-repartition` / `-changelog`. */
export function internalTopicsOf(applicationId: string, topics: readonly string[]): string[] {
  const prefix = `${applicationId}-`;
  const internal = (topic: string, suffix: string) =>
    topic.startsWith(prefix) && topic.endsWith(suffix) && topic.length > prefix.length + suffix.length;
  return topics.filter((t) => internal(t, '-repartition') || internal(t, '-changelog')).sort();
}

/**
 * Resets an application so its next run reprocesses its input from the reset point, as Kafka's
 * `kafka-streams-application-reset` does: refuses while the application's consumer group has
 * members; commits the input topics' offsets back (earliest, or the first record at a time);
 * deletes its repartition and changelog topics; deletes its local state folder.
 *
 * @example
 * ```ts
 * const client = createKafkaClient({ brokers: ['127.0.0.1:9092'] });
 * const report = await resetApplication(client, {
 *   applicationId: 'word-count', inputTopics: ['lines'], to: { kind: 'earliest' }, dryRun: false,
 * });
 * ```
 */
export async function resetApplication(client: KafkaClient, options: ResetOptions): Promise<ResetReport> {
  const { applicationId } = options;
  const admin = await client.admin();
  try {
    const members = await admin.describeGroupAssignments(applicationId);
    if (members.length > 0) {
      const who = members.map((m) => m.clientId || m.memberId).join(', ');
      throw new ActiveMembersError(
        `application '${applicationId}' is still running: its consumer group has ${members.length} ` +
          `active member(s) (${who}). Stop every instance first; nothing was changed.`,
      );
    }

    const counts = await admin.describeTopics([...options.inputTopics]);
    const missing = options.inputTopics.filter((t) => counts[t] === undefined);
    if (missing.length > 0)
      throw new UnknownInputTopicError(
        `--input-topics: no such topic ${missing.map((t) => `'${t}'`).join(', ')}`,
      );
    const partitions = options.inputTopics.flatMap((topic) =>
      Array.from({ length: counts[topic]! }, (_, partition) => ({ topic, partition })),
    );

    const targets = partitions.length === 0 ? [] : await targetOffsets(admin, partitions, options);
    const committed =
      partitions.length === 0 ? [] : await admin.fetchCommittedOffsets(applicationId, partitions);
    const offsets = targets.map((t, i) => ({ ...t, from: committed[i]!.offset, to: t.offset }));
    const deletedTopics = internalTopicsOf(applicationId, await admin.listTopics());
    const stateDir = options.stateDir === undefined ? undefined : resolve(options.stateDir, applicationId);
    const deletedStateDir = stateDir !== undefined && existsSync(stateDir) ? stateDir : undefined;

    if (!options.dryRun) {
      if (targets.length > 0) await admin.alterCommittedOffsets(applicationId, targets);
      if (deletedTopics.length > 0) await admin.deleteTopics(deletedTopics);
      if (deletedStateDir !== undefined) await rm(deletedStateDir, { recursive: true, force: true });
    }
    return {
      dryRun: options.dryRun,
      offsets: offsets.map(({ topic, partition, from, to }) => ({ topic, partition, from, to })),
      deletedTopics,
      deletedStateDir,
    };
  } finally {
    await admin.close();
  }
}

async function targetOffsets(
  admin: KafkaAdmin,
  partitions: TopicPartition[],
  options: ResetOptions,
): Promise<TopicPartitionOffset[]> {
  if (options.to.kind === 'earliest')
    return (await admin.listOffsets(partitions)).map(({ topic, partition, begin }) => ({
      topic,
      partition,
      offset: begin,
    }));
  const timestamp =
    options.to.kind === 'datetime' ? options.to.timestamp : (options.now ?? Date.now)() - options.to.ms;
  return admin.offsetsForTimestamp(partitions, timestamp);
}

/** The report as the lines `tributary reset` prints. */
export function formatReport(
  applicationId: string,
  report: ResetReport,
  stateDirGiven: string | undefined,
): string {
  const verb = (done: string, would: string) => (report.dryRun ? would : done);
  const lines = [
    `${report.dryRun ? 'Dry run: nothing changed. ' : ''}Reset of application '${applicationId}':`,
  ];
  if (report.offsets.length === 0) lines.push('  input offsets: none given (--input-topics), left unchanged');
  else {
    lines.push(`  input offsets ${verb('reset', 'to reset')} (group '${applicationId}'):`);
    for (const o of report.offsets)
      lines.push(`    ${o.topic}-${o.partition}: ${o.from ?? '(none committed)'} -> ${o.to}`);
  }
  if (report.deletedTopics.length === 0) lines.push('  internal topics: none found');
  else {
    lines.push(`  internal topics ${verb('deleted', 'to delete')}:`);
    for (const topic of report.deletedTopics) lines.push(`    ${topic}`);
  }
  if (stateDirGiven === undefined) lines.push('  local state: no --state-dir given, left alone');
  else if (report.deletedStateDir === undefined)
    lines.push(`  local state: ${join(resolve(stateDirGiven), applicationId)} does not exist`);
  else lines.push(`  local state ${verb('deleted', 'to delete')}: ${report.deletedStateDir}`);
  return `${lines.join('\n')}\n`;
}
