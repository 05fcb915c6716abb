package dev.tributary.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.ForeachAction;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.WindowedSerdes;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The broker workloads, doing the same work as bench/lib/workload.ts: the stateless filter and
 * mapping, a count per key, and a count per key in 1-minute tumbling windows, with the default
 * (RocksDB, cached) stores.
 */
final class Workloads {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  /** The windowed workload's tumbling windows, as WINDOW_SIZE_MS in bench/lib/workload.ts. */
  private static final long WINDOW_SIZE_MS = 60_000;
  /** The join workload's table, as TABLE_TOPIC in bench/lib/workload.ts. */
  private static final String TABLE_TOPIC = "tributary-bench-users-v1";

  private Workloads() {}

  /** The workload's topology; {@code onConsumed} (may be null) sees every input record. */
  static Topology topology(
      String workload, String input, String output, ForeachAction<String, JsonNode> onConsumed) {
    StreamsBuilder builder = new StreamsBuilder();
    Serde<JsonNode> json = jsonSerde();
    KStream<String, JsonNode> events = builder.stream(input, Consumed.with(Serdes.String(), json));
    if (onConsumed != null) events = events.peek(onConsumed);
    switch (workload) {
      case "stateless" ->
          events
              .filter((key, event) -> isPurchase(event))
              .mapValues(Workloads::toPurchase)
              .to(output, Produced.with(Serdes.String(), json));
      case "count" ->
          events
              .groupByKey()
              .count()
              .toStream()
              .to(output, Produced.with(Serdes.String(), Serdes.Long()));
      // The restoration benchmark's app: count with its store named as Tributary's ("counts"), so
      // both restore the same <application-id>-counts-changelog.
      case "restore" ->
          events
              .groupByKey()
              .count(Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as("counts"))
              .toStream()
              .to(output, Produced.with(Serdes.String(), Serdes.Long()));
      case "join" -> {
        KTable<String, JsonNode> users = builder.table(TABLE_TOPIC, Consumed.with(Serdes.String(), json));
        events.join(users, Workloads::enrich).to(output, Produced.with(Serdes.String(), json));
      }
      case "windowed" ->
          events
              .groupByKey()
              .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofMillis(WINDOW_SIZE_MS)))
              .count()
              .toStream()
              .to(
                  output,
                  Produced.with(
                      WindowedSerdes.timeWindowedSerdeFrom(String.class, WINDOW_SIZE_MS), Serdes.Long()));
      default -> throw new IllegalArgumentException("unknown --workload " + workload);
    }
    return builder.build();
  }

  /** The join workload's joiner: the event's user and amount with the profile's tier. */
  static JsonNode enrich(JsonNode event, JsonNode profile) {
    ObjectNode enriched = MAPPER.createObjectNode();
    enriched.set("user", event.get("user"));
    enriched.put("amount", event.get("amount").asDouble());
    enriched.set("tier", profile.get("tier"));
    return enriched;
  }

  /** The stateless filter: 9 events in 10 are purchases. */
  static boolean isPurchase(JsonNode event) {
    return "purchase".equals(event.get("kind").asText());
  }

  /** The stateless mapping: {user, amount, cents}. */
  static JsonNode toPurchase(JsonNode event) {
    double amount = event.get("amount").asDouble();
    ObjectNode purchase = MAPPER.createObjectNode();
    purchase.set("user", event.get("user"));
    purchase.put("amount", amount);
    purchase.put("cents", Math.round(amount * 100));
    return purchase;
  }

  /** JSON values as Jackson trees, the closest match to JSON.parse / JSON.stringify. */
  static Serde<JsonNode> jsonSerde() {
    Serializer<JsonNode> serializer =
        (topic, node) -> {
          try {
            return node == null ? null : MAPPER.writeValueAsBytes(node);
          } catch (IOException e) {
            throw new SerializationException(e);
          }
        };
    Deserializer<JsonNode> deserializer =
        (topic, bytes) -> {
          try {
            return bytes == null ? null : MAPPER.readTree(bytes);
          } catch (IOException e) {
            throw new SerializationException(e);
          }
        };
    return Serdes.serdeFrom(serializer, deserializer);
  }
}
