package dev.tributary.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * The Kafka Streams side of Tributary's broker benchmarks (bench/workload.md).
 *
 * <p>Arguments: --brokers, --workload stateless|count|windowed|join, --input, --output, --application-id,
 * --expected N (input records), --state-dir, and optionally --until consumed|output|committed
 * (default consumed; output needs --expected-output M) and --timeout-seconds (default 600). Throughput is measured from the first assignment (state
 * RUNNING) until the completion condition holds; start-up is from main() to that assignment.
 * Two more --until modes do not measure throughput: {@code restored} (the restoration benchmark,
 * see {@link Phases#restored}) and {@code stdin} (the latency benchmark, see {@link Phases#served}).
 * {@code --streams-defaults true} leaves commit.interval.ms at Kafka Streams' default.
 * Prints one JSON line on stdout and exits 0; anything else goes to stderr with exit code 1.
 */
public final class BenchApp {
  private static final long POLL_MS = 20;

  private BenchApp() {}

  public static void main(String[] args) {
    try {
      run(args, System.nanoTime());
    } catch (Exception e) {
      StringBuilder why = new StringBuilder(e.toString());
      for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
        why.append(" <- ").append(cause);
      }
      fail(why.toString());
    }
    System.exit(0);
  }

  private static void run(String[] args, long launchedAt) throws Exception {
    Map<String, String> opts = parseArgs(args);
    String workload = required(opts, "workload");
    String input = required(opts, "input");
    String output = required(opts, "output");
    String applicationId = required(opts, "application-id");
    String brokers = required(opts, "brokers");
    long expected = Long.parseLong(required(opts, "expected"));
    String until = opts.getOrDefault("until", "consumed");
    long expectedOutput =
        until.equals("output") ? Long.parseLong(required(opts, "expected-output")) : -1;
    long deadline =
        launchedAt + TimeUnit.SECONDS.toNanos(Long.parseLong(opts.getOrDefault("timeout-seconds", "600")));

    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers))) {
      createOutputLike(admin, input, output);

      Phases.RestoreTimer restores = new Phases.RestoreTimer();
      AtomicLong consumed = new AtomicLong();
      KafkaStreams streams =
          new KafkaStreams(
              Workloads.topology(
                  workload,
                  input,
                  output,
                  until.equals("consumed") ? (k, v) -> consumed.incrementAndGet() : null),
              config(opts, applicationId, brokers));
      CountDownLatch running = new CountDownLatch(1);
      streams.setStateListener(
          (now, before) -> {
            if (now == KafkaStreams.State.RUNNING) running.countDown();
          });
      streams.setUncaughtExceptionHandler(
          e -> {
            System.err.println("stream thread failed: " + e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
          });
      streams.setGlobalStateRestoreListener(restores);
      streams.cleanUp();
      streams.start();
      if (until.equals("restored") || until.equals("stdin")) {
        try {
          if (!running.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            fail("not RUNNING before the timeout (state " + streams.state() + ")");
          }
          if (until.equals("restored")) Phases.restored(restores, expected, launchedAt, deadline);
          else Phases.served(launchedAt);
        } finally {
          streams.close(
              new KafkaStreams.CloseOptions().timeout(Duration.ofSeconds(30)).leaveGroup(true));
        }
        return;
      }

      Completion.Condition complete =
          Completion.of(
              until, expected, expectedOutput, consumed, admin, input, output, applicationId);
      long runningAt = 0;
      long completeAt = 0;
      try {
        if (!running.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          fail("not RUNNING before the timeout (state " + streams.state() + ")");
        }
        runningAt = System.nanoTime();
        while (!complete.reached()) {
          if (System.nanoTime() > deadline || !streams.state().isRunningOrRebalancing()) {
            fail("incomplete (--until " + until + ", state " + streams.state() + ")");
          }
          Thread.sleep(POLL_MS);
        }
        completeAt = System.nanoTime();
      } finally {
        // Streams does not leave the group by default; leaving lets the caller delete it at once.
        streams.close(
            new KafkaStreams.CloseOptions().timeout(Duration.ofSeconds(30)).leaveGroup(true));
      }

      double seconds = (completeAt - runningAt) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "{\"records\":%d,\"seconds\":%.3f,\"recordsPerSecond\":%.1f,\"startupSeconds\":%.3f,"
              + "\"maxRssBytes\":%d,\"outputRecords\":%d,\"until\":\"%s\"}%n",
          expected,
          seconds,
          expected / seconds,
          (runningAt - launchedAt) / 1e9,
          maxRssBytes(),
          Completion.topicEnd(admin, output),
          until);
    }
  }

  static void fail(String why) {
    System.err.println("kafka-streams-bench: " + why);
    System.exit(1);
  }

  /** Creates the output topic with the input's partition count unless it exists. */
  static void createOutputLike(Admin admin, String input, String output)
      throws InterruptedException, ExecutionException {
    int partitions =
        admin.describeTopics(List.of(input)).allTopicNames().get().get(input).partitions().size();
    try {
      admin.createTopics(List.of(new NewTopic(output, partitions, (short) -1))).all().get();
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) throw e;
    }
  }

  static Properties config(Map<String, String> opts, String applicationId, String brokers) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    props.put(StreamsConfig.STATE_DIR_CONFIG, required(opts, "state-dir"));
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    if (!"true".equals(opts.get("streams-defaults"))) {
      props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000);
    }
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // A static member can be removed on close (leaveGroup), so the caller can delete the group.
    props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), "bench");
    return props;
  }

  /** Peak resident set size (VmHWM); 0 where /proc is unavailable. */
  static long maxRssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    } catch (IOException | NumberFormatException e) {
      // informative only
    }
    return 0;
  }

  static Map<String, String> parseArgs(String[] args) {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value pairs, got " + args[i]);
      }
      opts.put(args[i].substring(2), args[i + 1]);
    }
    return opts;
  }

  static String required(Map<String, String> opts, String name) {
    String value = opts.get(name);
    if (value == null) throw new IllegalArgumentException("missing --" + name);
    return value;
  }
}
