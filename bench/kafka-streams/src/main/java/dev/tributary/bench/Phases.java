package dev.tributary.bench;

import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * The runs of BenchApp that are not throughput runs. {@code --until restored}: a fresh instance
 * whose store changelog is pre-filled restores it and reports the rate, timed by its restore
 * listener the way bench/lib/tributary-restore.ts times Tributary's restore events.
 * {@code --until stdin}: the latency benchmark's contender, which says when it runs and then
 * processes until its stdin closes (the harness drives the load and measures outside).
 */
final class Phases {
  /** The line {@code --until stdin} prints once RUNNING (bench/lib/latency-contenders.ts waits for it). */
  static final String READY = "@@bench-ready";

  private Phases() {}

  /** First restore start, last restore end (System.nanoTime) and the records restored. */
  static final class RestoreTimer implements StateRestoreListener {
    private final AtomicLong firstStart = new AtomicLong();
    private final AtomicLong lastEnd = new AtomicLong();
    private final AtomicLong restored = new AtomicLong();
    private final AtomicLong ended = new AtomicLong();

    @Override
    public void onRestoreStart(
        TopicPartition partition, String storeName, long startingOffset, long endingOffset) {
      firstStart.compareAndSet(0, System.nanoTime());
    }

    @Override
    public void onBatchRestored(
        TopicPartition partition, String storeName, long batchEndOffset, long numRestored) {}

    @Override
    public void onRestoreEnd(TopicPartition partition, String storeName, long totalRestored) {
      restored.addAndGet(totalRestored);
      lastEnd.set(System.nanoTime());
      ended.incrementAndGet();
    }
  }

  /**
   * After RUNNING: waits until {@code expected} records are restored, then prints records/s over
   * first restore start → last restore end, and start-up as main() → first restore start.
   */
  static void restored(RestoreTimer timer, long expected, long launchedAt, long deadline)
      throws InterruptedException {
    while (timer.restored.get() < expected) {
      if (System.nanoTime() > deadline) {
        fail("restored " + timer.restored.get() + " records of " + expected + " before the timeout");
      }
      Thread.sleep(5);
    }
    if (timer.restored.get() != expected) {
      fail("restored " + timer.restored.get() + " records instead of " + expected);
    }
    double seconds = (timer.lastEnd.get() - timer.firstStart.get()) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "{\"records\":%d,\"restoredRecords\":%d,\"restoreSeconds\":%.3f,\"recordsPerSecond\":%.1f,"
            + "\"startupSeconds\":%.3f,\"partitionsRestored\":%d,\"maxRssBytes\":%d}%n",
        expected,
        timer.restored.get(),
        seconds,
        expected / seconds,
        (timer.firstStart.get() - launchedAt) / 1e9,
        timer.ended.get(),
        BenchApp.maxRssBytes());
  }

  /** After RUNNING: says so, processes until stdin closes, then prints start-up and peak RSS. */
  static void served(long launchedAt) throws IOException {
    double startupSeconds = (System.nanoTime() - launchedAt) / 1e9;
    System.out.println(READY);
    System.out.flush();
    while (System.in.read() >= 0) {
      // the harness closes stdin when the run is over
    }
    System.out.printf(
        Locale.ROOT,
        "{\"startupSeconds\":%.3f,\"maxRssBytes\":%d}%n",
        startupSeconds,
        BenchApp.maxRssBytes());
  }

  private static void fail(String why) {
    BenchApp.fail(why);
  }
}
