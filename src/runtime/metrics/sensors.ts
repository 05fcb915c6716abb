/** Length of one sample window; rates, averages and maxima cover the last two, as in Kafka's defaults. */
const SAMPLE_WINDOW_MS = 30_000;

interface Sample {
  start: number;
  count: number;
  sum: number;
  max: number;
}

/**
 * @internal One measured quantity: a count of events, each with a value (a latency in ms, or 0),
 * recorded in bulk (one call per batch, not per record). Reports Kafka's `-rate`, `-total`,
 * `-avg` and `-max` over two sample windows of 30 s.
 */
export class Sensor {
  total = 0;
  private current: Sample = { start: 0, count: 0, sum: 0, max: Number.NaN };
  private previous: Sample | undefined;
  private readonly createdAt: number;

  constructor(now: number) {
    this.createdAt = now;
    this.current.start = now;
  }

  /** `count` events whose values add up to `sum`, the largest being `max`, at `now` (ms, monotonic). */
  record(count: number, sum: number, max: number, now: number): void {
    let sample = this.current;
    if (now - sample.start >= SAMPLE_WINDOW_MS) sample = this.roll(now);
    sample.count += count;
    sample.sum += sum;
    if (!(max <= sample.max)) sample.max = max;
    this.total += count;
  }

  /** Events per second over the retained windows. */
  rate(now: number): number {
    const live = this.live(now);
    const count = live.reduce((n, s) => n + s.count, 0);
    const oldest = live.length > 0 ? live[0]!.start : now;
    // Like Kafka's Rate: never divide by less than a full window but one, so a fresh sensor reads low, not huge.
    const elapsed = Math.max(now - Math.max(oldest, this.createdAt), SAMPLE_WINDOW_MS / 30, 1);
    return (count * 1000) / elapsed;
  }

  /** Mean value per event over the retained windows; NaN without events, as Kafka reports it. */
  avg(now: number): number {
    const live = this.live(now);
    const count = live.reduce((n, s) => n + s.count, 0);
    return count === 0 ? Number.NaN : live.reduce((n, s) => n + s.sum, 0) / count;
  }

  /** Largest value over the retained windows; NaN without events. */
  max(now: number): number {
    let max = Number.NaN;
    for (const s of this.live(now)) if (!(s.max <= max)) max = s.max;
    return max;
  }

  private roll(now: number): Sample {
    this.previous = now - this.current.start < 2 * SAMPLE_WINDOW_MS ? this.current : undefined;
    this.current = { start: now, count: 0, sum: 0, max: Number.NaN };
    return this.current;
  }

  private live(now: number): Sample[] {
    const out: Sample[] = [];
    for (const s of [this.previous, this.current])
      if (s !== undefined && now - s.start < 2 * SAMPLE_WINDOW_MS) out.push(s);
    return out;
  }
}

/** @internal The sensors of one stream thread, summed over its tasks (past and present). */
export class ThreadSensors {
  readonly process: Sensor;
  readonly punctuate: Sensor;
  readonly commit: Sensor;
  /** Fetched batches handed to the thread. */
  readonly poll: Sensor;

  constructor(now = performance.now()) {
    this.process = new Sensor(now);
    this.punctuate = new Sensor(now);
    this.commit = new Sensor(now);
    this.poll = new Sensor(now);
  }

  /** The sensors of a new task of this thread. */
  task(): TaskSensors {
    return new TaskSensors(this);
  }

  /** One commit of the thread's tasks that took `ms`. */
  committed(ms: number, now = performance.now()): void {
    this.commit.record(1, ms, ms, now);
  }
}

/**
 * @internal The sensors of one task, created with the task and gone with it (the thread keeps the
 * totals). The hot path calls them once per batch.
 */
export class TaskSensors {
  readonly process: Sensor;
  readonly punctuate: Sensor;
  readonly commit: Sensor;

  constructor(private readonly thread: ThreadSensors) {
    const now = performance.now();
    this.process = new Sensor(now);
    this.punctuate = new Sensor(now);
    this.commit = new Sensor(now);
  }

  /** `records` processed in `ms` (one batch): latency per record is sampled per batch. */
  processed(records: number, ms: number, now: number): void {
    if (records === 0) return;
    const perRecord = ms / records;
    this.process.record(records, ms, perRecord, now);
    this.thread.process.record(records, ms, perRecord, now);
  }

  /** One punctuator call that took `ms`. */
  punctuated(ms: number): void {
    const now = performance.now();
    this.punctuate.record(1, ms, ms, now);
    this.thread.punctuate.record(1, ms, ms, now);
  }

  /** Part of a thread commit that took `ms`. */
  committed(ms: number, now: number): void {
    this.commit.record(1, ms, ms, now);
  }
}
