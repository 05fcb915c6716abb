package dev.tributary.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The Kafka Streams side of Tributary's throughput benchmarks; the workloads are defined in
 * bench/workload.md. Runs until it has consumed --expected records, then prints one JSON line:
 * {"records":N,"seconds":S,"recordsPerSecond":R,"startupSeconds":T,"maxRssBytes":B}.
 */
public final class BenchApp {
  /** Stateless workload: events whose amount is above this pass the filter. */
  static final double AMOUNT_THRESHOLD = 100.0;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private BenchApp() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = parseArgs(args);
    String workload = required(opts, "workload");
    long expected = Long.parseLong(required(opts, "expected"));
    long timeoutSeconds = Long.parseLong(opts.getOrDefault("timeout-seconds", "600"));

    Progress progress = new Progress(expected);
    Topology topology =
        buildTopology(workload, required(opts, "input"), required(opts, "output"), progress);
    KafkaStreams streams = new KafkaStreams(topology, config(opts));
    streams.setUncaughtExceptionHandler(
        e -> {
          System.err.println("stream thread failed: " + e);
          progress.fail();
          return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler
              .StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    streams.cleanUp();

    long startedAt = System.nanoTime();
    streams.start();
    boolean done = progress.done.await(timeoutSeconds, TimeUnit.SECONDS);
    streams.close(Duration.ofSeconds(30));

    if (!done || progress.failed) {
      System.err.printf(
          "consumed %d of %d records before %s%n",
          progress.consumed.get(), expected, progress.failed ? "a failure" : "the timeout");
      System.exit(1);
    }
    double seconds = (progress.lastAt - progress.firstAt) / 1e9;
    double startupSeconds = (progress.firstAt - startedAt) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "{\"records\":%d,\"seconds\":%.3f,\"recordsPerSecond\":%.1f,\"startupSeconds\":%.3f,"
            + "\"maxRssBytes\":%d}%n",
        expected,
        seconds,
        expected / seconds,
        startupSeconds,
        maxRssBytes());
    System.exit(0);
  }

  static Topology buildTopology(String workload, String input, String output, Progress progress) {
    StreamsBuilder builder = new StreamsBuilder();
    Serde<JsonNode> json = jsonSerde();
    KStream<String, JsonNode> events =
        builder.stream(input, Consumed.with(Serdes.String(), json)).peek(progress::onRecord);
    switch (workload) {
      case "stateless" ->
          events
              .filter((key, event) -> event.get("amount").asDouble() > AMOUNT_THRESHOLD)
              .mapValues(BenchApp::toPurchase)
              .to(output, Produced.with(Serdes.String(), json));
      case "count" ->
          events
              .groupByKey()
              .count()
              .toStream()
              .to(output, Produced.with(Serdes.String(), Serdes.Long()));
      default -> throw new IllegalArgumentException("unknown --workload " + workload);
    }
    return builder.build();
  }

  /** The stateless workload's mapping: {user, amount, cents}. */
  static JsonNode toPurchase(JsonNode event) {
    double amount = event.get("amount").asDouble();
    ObjectNode purchase = MAPPER.createObjectNode();
    purchase.set("user", event.get("user"));
    purchase.put("amount", amount);
    purchase.put("cents", Math.round(amount * 100));
    return purchase;
  }

  static Properties config(Map<String, String> opts) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, required(opts, "application-id"));
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, required(opts, "brokers"));
    props.put(StreamsConfig.STATE_DIR_CONFIG, required(opts, "state-dir"));
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return props;
  }

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

  /** Peak resident set size (VmHWM); 0 where /proc is unavailable. */
  static long maxRssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // fall through: the figure is informative only
    }
    return 0;
  }

  static Map<String, String> parseArgs(String[] args) {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value pairs, got " + args[i]);
      }
      opts.put(args[i].substring(2), args[++i]);
    }
    return opts;
  }

  static String required(Map<String, String> opts, String name) {
    String value = opts.get(name);
    if (value == null) throw new IllegalArgumentException("missing --" + name);
    return value;
  }

  /** Counts consumed records on the stream thread; the main thread waits for the last one. */
  static final class Progress {
    final long expected;
    final AtomicLong consumed = new AtomicLong();
    final CountDownLatch done = new CountDownLatch(1);
    volatile long firstAt;
    volatile long lastAt;
    volatile boolean failed;

    Progress(long expected) {
      this.expected = expected;
    }

    void onRecord(String key, JsonNode value) {
      long n = consumed.incrementAndGet();
      if (n == 1) firstAt = System.nanoTime();
      if (n == expected) {
        lastAt = System.nanoTime();
        done.countDown();
      }
    }

    void fail() {
      failed = true;
      done.countDown();
    }
  }
}
