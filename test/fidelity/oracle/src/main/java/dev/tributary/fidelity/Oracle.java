package dev.tributary.fidelity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.BuiltInDslStoreSuppliers;
import org.apache.kafka.streams.test.TestRecord;

/**
 * Runs every case of a batch file through Kafka Streams' TopologyTestDriver with caching off and
 * writes, per case, every output record with the index of the input record that caused it.
 *
 * <p>Usage: {@code java -jar fidelity-oracle.jar cases.json results.json [rocksdb]}. DSL stores
 * are in-memory, like Tributary's driver, unless {@code rocksdb} is given: RocksDB drops expired
 * windows by segment (so some windowed outputs differ), and its per-driver set-up costs half a
 * second a case.
 */
public final class Oracle {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    JsonNode cases = JSON.readTree(new File(args[0]));
    ArrayNode results = JSON.createArrayNode();
    boolean rocksDb = args.length > 2 && args[2].equals("rocksdb");
    for (JsonNode c : cases) results.add(run(c, rocksDb));
    JSON.writeValue(new File(args[1]), results);
  }

  private static ObjectNode run(JsonNode c, boolean rocksDb) {
    ObjectNode result = JSON.createObjectNode();
    result.put("name", c.get("name").asText());
    ArrayNode records = result.putArray("records");
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "fidelity");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    if (!rocksDb) {
      props.put(
          StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG,
          BuiltInDslStoreSuppliers.InMemoryDslStoreSuppliers.class);
    }
    try (TopologyTestDriver driver = new TopologyTestDriver(Build.topology(c), props)) {
      Map<String, TestInputTopic<String, String>> inputs = new HashMap<>();
      Map<String, TestOutputTopic<String, String>> outputs = new LinkedHashMap<>();
      for (JsonNode topic : c.get("outputs")) {
        outputs.put(topic.asText(), driver.createOutputTopic(
            topic.asText(), new StringDeserializer(), new StringDeserializer()));
      }
      int index = 0;
      for (JsonNode in : c.get("inputs")) {
        String topic = in.get("topic").asText();
        TestInputTopic<String, String> input = inputs.computeIfAbsent(topic,
            t -> driver.createInputTopic(t, new StringSerializer(), new StringSerializer()));
        input.pipeInput(textOrNull(in, "key"), textOrNull(in, "value"), in.get("ts").asLong());
        for (Map.Entry<String, TestOutputTopic<String, String>> out : outputs.entrySet()) {
          for (TestRecord<String, String> r : out.getValue().readRecordsToList()) {
            ObjectNode rec = records.addObject();
            rec.put("topic", out.getKey());
            rec.put("key", r.key());
            rec.put("value", r.value());
            rec.put("ts", r.timestamp());
            rec.put("after", index);
          }
        }
        index++;
      }
    } catch (Exception | StackOverflowError e) {
      StringBuilder message = new StringBuilder();
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (message.length() > 0) message.append(" <- ");
        message.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
      }
      result.put("error", message.toString());
    }
    return result;
  }

  private static String textOrNull(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
