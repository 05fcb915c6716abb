/**
 * The latency benchmark's arithmetic, kept free of I/O so it can be unit-tested: per-record
 * end-to-end latencies from the output records, and their percentiles.
 */

/** One output record as the latency benchmark reads it back. */
export interface OutputSample {
  /** The output record's timestamp: the broker's append time (the output topic is LogAppendTime). */
  readonly appendedAt: number;
  /** The `bench-sent-at` header the load generator stamped on the input record (ms since the epoch). */
  readonly sentAt: number;
}

/** Latency figures of one run, in milliseconds. */
export interface LatencyFigures {
  /** Records measured (produced after the warm-up). */
  readonly measured: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * The nearest-rank percentile of ascending `sorted` values: the smallest value with at least
 * `p` percent of the values at or below it.
 * @example
 * percentile([1, 2, 3, 4], 50); // 2
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('percentile of no values.');
  if (!(p > 0 && p <= 100)) throw new Error(`percentile p must be in (0, 100], got ${p}.`);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

/**
 * p50, p99 and max of append time − sent time over the samples sent at or after `measureFrom`
 * (earlier ones are the warm-up). A negative latency means two clocks were mixed: it throws.
 * @example
 * latencyFigures([{ sentAt: 1_000, appendedAt: 1_004 }], 0); // { measured: 1, p50Ms: 4, p99Ms: 4, maxMs: 4 }
 */
export function latencyFigures(samples: Iterable<OutputSample>, measureFrom: number): LatencyFigures {
  const latencies: number[] = [];
  for (const s of samples) {
    if (s.sentAt < measureFrom) continue;
    const latency = s.appendedAt - s.sentAt;
    if (latency < 0) {
      throw new Error(
        `An output record was appended ${-latency} ms before its input was sent: the broker's clock is not the load generator's.`,
      );
    }
    latencies.push(latency);
  }
  if (latencies.length === 0) throw new Error('No output record was sent after the warm-up.');
  latencies.sort((a, b) => a - b);
  return {
    measured: latencies.length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies[latencies.length - 1]!,
  };
}
