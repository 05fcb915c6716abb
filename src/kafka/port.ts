/**
 * The Kafka client port: the few operations the runtime needs from Kafka, and nothing else.
 * Two adapters implement it: `kafkajs/` (real clusters) and `embedded/` (an in-process broker).
 *
 * Conventions: offsets are decimal strings (int64-safe, as on the wire); timestamps are epoch
 * milliseconds; a committed or requested offset is always the next offset to read.
 */

/** Record headers. Duplicate header keys are not modelled: the last value of a key wins. */
export type RecordHeaders = Record<string, Buffer>;

/** One partition of one topic. */
export interface TopicPartition {
  topic: string;
  partition: number;
}

/** A position in a topic-partition: `offset` is the next offset to read. */
export interface TopicPartitionOffset extends TopicPartition {
  offset: string;
}

/** Partitions per topic: `{ orders: [0, 2] }`. */
export type TopicPartitions = Record<string, number[]>;

/** Whether readers see records of open and aborted transactions. */
export type IsolationLevel = 'read_committed' | 'read_uncommitted';

// ─── Admin ──────────────────────────────────────────────────────────────────────────

/** A topic to create. */
export interface NewTopic {
  topic: string;
  partitions: number;
  /** Defaults to the broker's default (`-1`). */
  replicationFactor?: number;
  /** Topic configs such as `{ 'cleanup.policy': 'compact' }`. */
  configs?: Record<string, string>;
}

/** The outcome of creating one topic. `created: false` means it already existed. */
export interface CreatedTopic {
  topic: string;
  created: boolean;
  /** The topic's partition count: the requested one if created, else the existing one. */
  partitions: number;
}

/** Begin (log start) and end (last stable offset) offsets of a topic-partition. */
export interface PartitionOffsets extends TopicPartition {
  begin: string;
  end: string;
}

/** A group offset: `offset` is `null` when the group never committed this partition. */
export interface CommittedOffset extends TopicPartition {
  offset: string | null;
}

/** One member of a group with the assignment (and its `userData`) the leader gave it. */
export interface GroupMemberAssignment {
  memberId: string;
  clientId: string;
  assignment: TopicPartitions;
  userData: Buffer;
}

/** Cluster administration: topics, offsets and groups. */
export interface KafkaAdmin {
  /** Creates topics; an existing topic is not an error and reports its partition count. */
  createTopics(topics: NewTopic[]): Promise<CreatedTopic[]>;
  /** Partition counts of existing topics; unknown topics are absent from the result. */
  describeTopics(topics: string[]): Promise<Record<string, number>>;
  /** Begin and end offsets; the end is the last stable offset (what `read_committed` can reach). */
  listOffsets(partitions: TopicPartition[]): Promise<PartitionOffsets[]>;
  /** A group's committed offsets for the given partitions. */
  fetchCommittedOffsets(groupId: string, partitions: TopicPartition[]): Promise<CommittedOffset[]>;
  /** Deletes topics; unknown topics are ignored. */
  deleteTopics(topics: string[]): Promise<void>;
  /**
   * Deletes every record before `offset` in each partition (moves its log start forward): how
   * consumed records of repartition topics are purged. An offset must not lie beyond the end.
   */
  deleteRecords(offsets: TopicPartitionOffset[]): Promise<void>;
  /** Deletes groups that have no members; unknown groups are ignored. */
  deleteGroups(groupIds: string[]): Promise<void>;
  /** The current members of a group and the raw assignment each received (empty while rebalancing). */
  describeGroupAssignments(groupId: string): Promise<GroupMemberAssignment[]>;
  /** Names of every topic of the cluster, internal ones (`__consumer_offsets`) excluded. */
  listTopics(): Promise<string[]>;
  /**
   * For each partition, the first offset whose record timestamp is at or after `timestamp`, or
   * the end offset when no record is that recent: where a reset "to a point in time" starts.
   */
  offsetsForTimestamp(partitions: TopicPartition[], timestamp: number): Promise<TopicPartitionOffset[]>;
  /**
   * Overwrites a group's committed offsets. The group must have no active members (rejects
   * otherwise): this is how an operator rewinds a stopped application.
   */
  alterCommittedOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void>;
  close(): Promise<void>;
}

// ─── Producer ───────────────────────────────────────────────────────────────────────

/** A record to produce. Without `partition`, Java's default partitioner picks one from the key. */
export interface ProducerRecord {
  topic: string;
  partition?: number;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: number;
  headers?: RecordHeaders;
}

/** Where one `send` wrote to one partition: `baseOffset` is the offset of its first record there. */
export interface SentPartition extends TopicPartition {
  baseOffset: string;
}

/** A non-transactional producer. */
export interface KafkaProducer {
  /** Sends a batch and resolves once every record is acknowledged. */
  send(records: ProducerRecord[]): Promise<SentPartition[]>;
  close(): Promise<void>;
}

/** Offsets to commit inside a transaction, for a consumer group. */
export interface TransactionOffsets {
  consumerGroupId: string;
  offsets: TopicPartitionOffset[];
}

/** One open transaction. Exactly one of `commit()` or `abort()` ends it. */
export interface ProducerTransaction {
  send(records: ProducerRecord[]): Promise<SentPartition[]>;
  /** Commits the group's offsets atomically with this transaction's records. */
  sendOffsets(offsets: TransactionOffsets): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * A transactional producer. Creating it initialises transactions, which fences any older
 * producer with the same `transactionalId`: the older one's next operation throws `FencedError`.
 */
export interface TransactionalProducer {
  readonly transactionalId: string;
  beginTransaction(): Promise<ProducerTransaction>;
  close(): Promise<void>;
}

/** Options of a transactional producer. */
export interface TransactionalProducerOptions {
  transactionalId: string;
  /** The broker aborts a transaction left open longer than this. */
  transactionTimeoutMs?: number;
}

// ─── Group consumer ─────────────────────────────────────────────────────────────────

/** What the group leader's assignor sees of one member. */
export interface AssignorMember {
  memberId: string;
  userData: Buffer;
}

/** The input of an assignment: every member and the partition count of every subscribed topic. */
export interface AssignmentInput {
  members: AssignorMember[];
  topicPartitions: Record<string, number>;
}

/** What one member receives: its partitions and opaque data from the leader. */
export interface MemberAssignment {
  assignment: TopicPartitions;
  userData: Buffer;
}

/**
 * A pluggable group assignor, supplied by the runtime and run by the group leader. Every member
 * sends `userData()` when it joins; the leader's `assign` maps each member id to its assignment.
 */
export interface PartitionAssignor {
  name: string;
  version: number;
  userData(): Buffer;
  assign(input: AssignmentInput): Promise<Record<string, MemberAssignment>>;
}

/** A consumed record. */
export interface ConsumedMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: number;
  headers: RecordHeaders;
}

/** Consecutive records of one partition. */
export interface ConsumedBatch {
  topic: string;
  partition: number;
  messages: ConsumedMessage[];
  /** The partition's high watermark when fetched. */
  highWatermark: string;
  /**
   * Where the next fetch of this partition starts: past the last record fetched, transaction
   * markers and aborted records included (they are never delivered). Below `highWatermark`, more
   * records are on their way.
   */
  nextOffset: string;
}

/** Handles one batch; the next batch of the consumer is delivered after it resolves. */
export type BatchHandler = (batch: ConsumedBatch) => Promise<void>;

/** How a consumer or reader delivers: `onCrash` learns why delivery stopped for good. */
export interface RunOptions {
  eachBatch: BatchHandler;
  /** Called once if delivery stops on an error (a throwing handler or listener, a lost broker). */
  onCrash?: (error: Error) => void;
}

/**
 * Rebalance signals. `onRebalancing` runs once when a rebalance of this member starts, after the
 * in-flight batch and before this member's next assignment: flush and commit there. `onAssigned`
 * runs with this member's new assignment and its userData before any batch of that assignment.
 */
export interface RebalanceListener {
  onAssigned(assignment: TopicPartitions, userData: Buffer): void | Promise<void>;
  onRebalancing(): void | Promise<void>;
  /**
   * Instead of `onRebalancing` when this member learns it was evicted (its session timed out, the
   * group moved to a new generation without it): its partitions already belong to others, so it
   * must drop its work without flushing or committing anything.
   */
  onLost?(): void | Promise<void>;
}

/** Options of a group consumer. Offsets are never committed automatically. */
export interface GroupConsumerOptions {
  groupId: string;
  topics: string[];
  assignor: PartitionAssignor;
  listener: RebalanceListener;
  /** Default `read_uncommitted`. */
  isolation?: IsolationLevel;
  /** Where to start a partition without committed offset. Default `earliest`. */
  autoOffsetReset?: 'earliest' | 'latest';
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  rebalanceTimeoutMs?: number;
  /** Longest wait for new records before an empty poll. */
  maxWaitMs?: number;
  /**
   * How long the member keeps rejoining after retriable failures (a broker unreachable) once it
   * had an assignment, before it gives up with an error naming `taskTimeoutMs`. Default 300000.
   */
  taskTimeoutMs?: number;
}

/** A member of a consumer group. */
export interface GroupConsumer {
  /** Joins the group and starts delivering batches; resolves once the first assignment is received. */
  run(options: RunOptions): Promise<void>;
  /** Commits offsets for this member's generation. */
  commitOffsets(offsets: TopicPartitionOffset[]): Promise<void>;
  pause(partitions: TopicPartition[]): void;
  resume(partitions: TopicPartition[]): void;
  /**
   * Fetches these assigned partitions from `offset` on, from the next fetch (batches fetched
   * before may still arrive). Partitions not assigned to this member are ignored.
   */
  seek(offsets: TopicPartitionOffset[]): void;
  /** This member's id in the current generation (`undefined` before joining). */
  readonly memberId: string | undefined;
  /** Leaves the group and stops. */
  close(): Promise<void>;
}

// ─── Partition reader ───────────────────────────────────────────────────────────────

/** A partition to read from `fromOffset`, up to (excluding) `untilOffset` when given. */
export interface PartitionRange extends TopicPartition {
  fromOffset: string;
  untilOffset?: string;
}

/** How far a partition reader got in one partition: `position` is the next offset to read. */
export interface ReadProgress extends TopicPartition {
  position: string;
  untilOffset: string | undefined;
}

/** Options of a partition reader. */
export interface PartitionReaderOptions {
  /** A prefix for the reader's private group id, typically `<applicationId>-restore`. */
  groupIdPrefix: string;
  partitions: PartitionRange[];
  /** Default `read_committed`. */
  isolation?: IsolationLevel;
  maxWaitMs?: number;
}

/**
 * Reads given partitions from given offsets without joining the application's group (restoration,
 * standby replicas). Only records below `untilOffset` are delivered.
 */
export interface PartitionReader {
  /**
   * Delivers batches until every range with an `untilOffset` reached it (ranges without one are
   * read until `close()`), then resolves. Rejects if a handler throws or the reader fails.
   */
  run(options: { eachBatch: BatchHandler; onProgress?: (progress: ReadProgress) => void }): Promise<void>;
  close(): Promise<void>;
}

// ─── The client ─────────────────────────────────────────────────────────────────────

/** A Kafka cluster, real or embedded: the factory of every other port object. */
export interface KafkaClient {
  /** `kafkajs`, `platformatic` or `embedded`. */
  readonly kind: 'kafkajs' | 'platformatic' | 'embedded';
  admin(): Promise<KafkaAdmin>;
  producer(): Promise<KafkaProducer>;
  transactionalProducer(options: TransactionalProducerOptions): Promise<TransactionalProducer>;
  consumer(options: GroupConsumerOptions): GroupConsumer;
  partitionReader(options: PartitionReaderOptions): PartitionReader;
}
