package dev.tributary.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * When a run is complete. {@code consumed}: the app has consumed the expected input records.
 * {@code output}: the output topic holds the expected records (what bench/lib/completion.ts uses
 * for the stateless workload). {@code committed}: the group's committed offsets cover the expected
 * input records (what it uses for count, whose output size depends on caching).
 */
final class Completion {
  private Completion() {}

  interface Condition {
    boolean reached() throws Exception;
  }

  static Condition of(
      String until,
      long expected,
      long expectedOutput,
      AtomicLong consumed,
      Admin admin,
      String input,
      String output,
      String groupId) {
    return switch (until) {
      case "consumed" -> () -> consumed.get() >= expected;
      case "output" -> () -> topicEnd(admin, output) >= expectedOutput;
      case "committed" -> () -> committed(admin, groupId, input) >= expected;
      default -> throw new IllegalArgumentException("unknown --until " + until);
    };
  }

  /** The sum of a topic's end offsets minus its start offsets; 0 while the topic is missing. */
  static long topicEnd(Admin admin, String topic) throws InterruptedException, ExecutionException {
    try {
      int partitions =
          admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        earliest.put(new TopicPartition(topic, p), OffsetSpec.earliest());
      }
      long end = sumOffsets(admin.listOffsets(latest).all().get());
      long begin = sumOffsets(admin.listOffsets(earliest).all().get());
      return end - begin;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) return 0;
      throw e;
    }
  }

  private static long sumOffsets(Map<TopicPartition, ListOffsetsResultInfo> offsets) {
    return offsets.values().stream().mapToLong(ListOffsetsResultInfo::offset).sum();
  }

  /** The sum of the group's committed offsets on {@code topic}. */
  static long committed(Admin admin, String groupId, String topic)
      throws InterruptedException, ExecutionException {
    Map<TopicPartition, OffsetAndMetadata> offsets =
        admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
    return offsets.entrySet().stream()
        .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
        .collect(Collectors.summingLong(e -> e.getValue().offset()));
  }
}
