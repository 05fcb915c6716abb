import { Consumer } from '@platformatic/kafka';
import type { BaseOptions, RecordsBatch } from '@platformatic/kafka';
import type {
  ConsumedBatch,
  ConsumedMessage,
  IsolationLevel,
  RecordHeaders,
  TopicPartition,
} from '../port.js';
import { hasProtocolError, retryTransient, translateError } from './errors.js';

/** Where one partition is read next, as a bigint offset. */
export interface FetchPosition extends TopicPartition {
  offset: bigint;
}

const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;
const LOG_APPEND_TIME = 0x08;
const PARTITION_MAX_BYTES = 1_048_576;
const MAX_BYTES = 16_777_216;

function decodeHeaders(entries: [Buffer | null, Buffer | null][]): RecordHeaders {
  const headers: RecordHeaders = {};
  for (const [name, value] of entries) if (name) headers[name.toString()] = value ?? Buffer.alloc(0);
  return headers;
}

/**
 * Turns one partition's fetched record batches into a port batch: records before `from` are
 * dropped (a batch may start earlier), control batches are skipped, and under read_committed so
 * are the batches of aborted transactions (the broker returns them with the list of aborted
 * producer ids and where their transactions began, and leaves the filtering to the client).
 */
export function decodeBatches(
  position: FetchPosition,
  batches: RecordsBatch[],
  aborted: { producerId: bigint; firstOffset: bigint }[] | null,
  highWatermark: bigint,
): ConsumedBatch {
  const messages: ConsumedMessage[] = [];
  const pendingAborts = [...(aborted ?? [])].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1));
  const abortedProducers = new Set<bigint>();
  let next = position.offset;
  for (const batch of batches) {
    const lastOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta);
    while (pendingAborts.length > 0 && pendingAborts[0]!.firstOffset <= lastOffset) {
      abortedProducers.add(pendingAborts.shift()!.producerId);
    }
    if (lastOffset >= next) next = lastOffset + 1n;
    if ((batch.attributes & CONTROL) !== 0) {
      abortedProducers.delete(batch.producerId);
      continue;
    }
    if ((batch.attributes & TRANSACTIONAL) !== 0 && abortedProducers.has(batch.producerId)) continue;
    const appendTime = (batch.attributes & LOG_APPEND_TIME) !== 0;
    for (const record of batch.records) {
      const offset = batch.firstOffset + BigInt(record.offsetDelta);
      if (offset < position.offset) continue;
      messages.push({
        offset: String(offset),
        key: record.key,
        value: record.value,
        timestamp: Number(appendTime ? batch.maxTimestamp : batch.firstTimestamp + record.timestampDelta),
        headers: decodeHeaders(record.headers),
      });
    }
  }
  return {
    topic: position.topic,
    partition: position.partition,
    messages,
    highWatermark: String(highWatermark),
    nextOffset: String(next),
  };
}

type FetchResponse = Awaited<ReturnType<Consumer['fetch']>>;

interface ResponseWithPartitions {
  response?: FetchResponse;
}

/**
 * Fetches given positions from their leaders with @platformatic/kafka's low-level `fetch` (no
 * group, no automatic positions): what both the group consumer and the partition reader build on,
 * so that pause, resume and seek are simply which positions the next fetch asks for.
 */
export class Fetcher {
  readonly client: Consumer<Buffer, Buffer, Buffer, Buffer>;

  constructor(
    options: BaseOptions,
    groupId: string,
    private readonly isolation: IsolationLevel,
    private readonly maxWaitMs: number,
  ) {
    this.client = new Consumer<Buffer, Buffer, Buffer, Buffer>({
      ...options,
      groupId,
      // A fetch waits up to maxWaitMs on the broker: the request timeout must be longer.
      timeout: Math.max(options.timeout ?? 5_000, maxWaitMs + 5_000),
    });
  }

  /** Fetches once from every leader of `positions`; out-of-range positions are reset through `onOutOfRange`. */
  async fetch(
    positions: FetchPosition[],
    onOutOfRange: (position: FetchPosition) => Promise<bigint>,
  ): Promise<ConsumedBatch[]> {
    if (positions.length === 0) return [];
    const topics = [...new Set(positions.map((p) => p.topic))];
    this.client.topics.trackAll(...topics);
    const metadata = await retryTransient(() => this.client.metadata({ topics }));
    const byNode = new Map<number, FetchPosition[]>();
    for (const position of positions) {
      const leader = metadata.topics.get(position.topic)?.partitions[position.partition]?.leader ?? -1;
      const node = leader >= 0 ? leader : [...metadata.brokers.keys()][0]!;
      const list = byNode.get(node) ?? [];
      list.push(position);
      byNode.set(node, list);
    }
    const names = new Map<string, string>();
    for (const [name, topic] of metadata.topics) names.set(topic.id, name);
    const results = await Promise.all(
      [...byNode].map(([node, list]) => this.fetchFrom(node, list, metadata.topics, names, onOutOfRange)),
    );
    return results.flat();
  }

  private async fetchFrom(
    node: number,
    positions: FetchPosition[],
    topics: Map<string, { id: string }>,
    names: Map<string, string>,
    onOutOfRange: (position: FetchPosition) => Promise<bigint>,
  ): Promise<ConsumedBatch[]> {
    const requested = new Map<string, FetchPosition>();
    const byTopic = new Map<string, FetchPosition[]>();
    for (const position of positions) {
      requested.set(`${position.topic}:${position.partition}`, position);
      const list = byTopic.get(position.topic) ?? [];
      list.push(position);
      byTopic.set(position.topic, list);
    }
    let response: FetchResponse;
    try {
      response = await this.client.fetch({
        node,
        maxWaitTime: this.maxWaitMs,
        minBytes: 1,
        maxBytes: MAX_BYTES,
        isolationLevel: this.isolation === 'read_committed' ? 1 : 0,
        topics: [...byTopic].map(([topic, list]) => ({
          topicId: topics.get(topic)!.id,
          partitions: list.map(({ partition, offset }) => ({
            partition,
            fetchOffset: offset,
            currentLeaderEpoch: -1,
            lastFetchedEpoch: -1,
            partitionMaxBytes: PARTITION_MAX_BYTES,
          })),
        })),
      });
    } catch (error) {
      const partial = (error as ResponseWithPartitions).response;
      if (!partial || !hasProtocolError(error, 'OFFSET_OUT_OF_RANGE')) {
        if (
          hasProtocolError(error, 'NOT_LEADER_OR_FOLLOWER', 'LEADER_NOT_AVAILABLE', 'FENCED_LEADER_EPOCH')
        ) {
          this.client.clearMetadata();
          return [];
        }
        throw translateError(error);
      }
      for (const topic of partial.responses) {
        for (const p of topic.partitions) {
          const position = requested.get(`${names.get(topic.topicId)}:${p.partitionIndex}`);
          if (position && p.errorCode === 1) position.offset = await onOutOfRange(position);
        }
      }
      return [];
    }
    const batches: ConsumedBatch[] = [];
    for (const topic of response.responses) {
      const name = names.get(topic.topicId);
      for (const p of topic.partitions) {
        const position = requested.get(`${name}:${p.partitionIndex}`);
        if (!position || p.errorCode !== 0) continue;
        batches.push(decodeBatches(position, p.records ?? [], p.abortedTransactions, p.highWatermark));
      }
    }
    return batches;
  }

  close(): Promise<void> {
    return this.client.close(true);
  }
}
