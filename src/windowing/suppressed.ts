import { ConfigError } from '../errors.js';
import { checkDuration } from './durations.js';

/**
 * How big a suppression buffer may grow and what happens when it is full: emit the oldest records
 * early, or stop the application with an error. `unbounded()` never fills (memory permitting).
 *
 * @example
 * ```ts
 * BufferConfig.maxRecords(10_000).emitEarlyWhenFull();
 * BufferConfig.maxBytes(1_000_000).shutDownWhenFull();
 * ```
 */
export class BufferConfig {
  private constructor(
    /** The most keys the buffer holds; `Infinity` when unbounded. */
    readonly maxRecords: number,
    /** The most bytes (serialized keys and values, estimated) the buffer holds; `Infinity` when unbounded. */
    readonly maxBytes: number,
    readonly whenFull: 'emit-early' | 'shut-down',
  ) {
    Object.freeze(this);
  }

  /**
   * A buffer with no limit; it never emits early and never fails.
   * @example `Suppressed.untilWindowCloses(BufferConfig.unbounded())`
   */
  static unbounded(): BufferConfig {
    return new BufferConfig(Infinity, Infinity, 'shut-down');
  }

  /**
   * A buffer of at most `records` keys; emits early when full unless `shutDownWhenFull()`.
   * @example `BufferConfig.maxRecords(1_000)`
   */
  static maxRecords(records: number): BufferConfig {
    checkDuration('BufferConfig.maxRecords', 'records', records, 1);
    return new BufferConfig(records, Infinity, 'emit-early');
  }

  /**
   * A buffer of at most `bytes` bytes; emits early when full unless `shutDownWhenFull()`.
   * @example `BufferConfig.maxBytes(10 * 1024 * 1024)`
   */
  static maxBytes(bytes: number): BufferConfig {
    checkDuration('BufferConfig.maxBytes', 'bytes', bytes, 1);
    return new BufferConfig(Infinity, bytes, 'emit-early');
  }

  /**
   * Also limits the number of records.
   * @example `BufferConfig.maxBytes(1_000_000).withMaxRecords(1_000)`
   */
  withMaxRecords(records: number): BufferConfig {
    checkDuration('BufferConfig.withMaxRecords', 'records', records, 1);
    return new BufferConfig(records, this.maxBytes, this.whenFull);
  }

  /**
   * Also limits the bytes.
   * @example `BufferConfig.maxRecords(1_000).withMaxBytes(1_000_000)`
   */
  withMaxBytes(bytes: number): BufferConfig {
    checkDuration('BufferConfig.withMaxBytes', 'bytes', bytes, 1);
    return new BufferConfig(this.maxRecords, bytes, this.whenFull);
  }

  /**
   * When full, emit the oldest buffered records early (results may no longer be final).
   * @example `BufferConfig.maxRecords(100).emitEarlyWhenFull()`
   */
  emitEarlyWhenFull(): BufferConfig {
    this.#requireBounded('emitEarlyWhenFull');
    return new BufferConfig(this.maxRecords, this.maxBytes, 'emit-early');
  }

  /**
   * When full, fail the task with a `StreamsError` naming the suppression.
   * @example `BufferConfig.maxRecords(100).shutDownWhenFull()`
   */
  shutDownWhenFull(): BufferConfig {
    this.#requireBounded('shutDownWhenFull');
    return new BufferConfig(this.maxRecords, this.maxBytes, 'shut-down');
  }

  #requireBounded(method: string): void {
    if (this.maxRecords === Infinity && this.maxBytes === Infinity) {
      throw new ConfigError(
        `BufferConfig.${method}: an unbounded buffer is never full; use maxRecords() or maxBytes().`,
      );
    }
  }
}

/**
 * How `KTable.suppress` holds back updates: until a window closes (final results of a windowed
 * aggregation), or until a time limit after a key's first buffered update. Only the latest value
 * per key is kept; time is stream time as seen by the suppression.
 *
 * @example
 * ```ts
 * counts.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()));
 * table.suppress(Suppressed.untilTimeLimit(10_000, BufferConfig.maxRecords(1_000)));
 * ```
 */
export class Suppressed {
  private constructor(
    readonly type: 'until-window-closes' | 'until-time-limit',
    /** For `untilTimeLimit`: how long a key's first update waits, in ms. */
    readonly timeLimitMs: number,
    readonly bufferConfig: BufferConfig,
    /** Names the suppression processor. */
    readonly name: string | undefined,
  ) {
    Object.freeze(this);
  }

  /**
   * Emits only the final result of each window, once stream time passes its end plus grace.
   * Windowed tables only (checked when the topology is built). The buffer must be unbounded or
   * `shutDownWhenFull()`.
   * @example `Suppressed.untilWindowCloses(BufferConfig.unbounded())`
   */
  static untilWindowCloses(bufferConfig: BufferConfig): Suppressed {
    Suppressed.#checkBuffer(bufferConfig);
    if (bufferConfig.whenFull === 'emit-early') {
      // Emitting early would break the promise of one final result per window (Kafka's StrictBufferConfig).
      throw new ConfigError(
        'Suppressed.untilWindowCloses needs a buffer that never emits early: BufferConfig.unbounded() or ….shutDownWhenFull().',
      );
    }
    return new Suppressed('until-window-closes', 0, bufferConfig, undefined);
  }

  /**
   * Emits a key's latest value `timeLimitMs` after its first buffered update (later updates in
   * the meantime replace the value but do not restart the timer).
   * @example `Suppressed.untilTimeLimit(60_000, BufferConfig.maxRecords(1_000).emitEarlyWhenFull())`
   */
  static untilTimeLimit(timeLimitMs: number, bufferConfig: BufferConfig): Suppressed {
    checkDuration('Suppressed.untilTimeLimit', 'timeLimitMs', timeLimitMs, 0);
    Suppressed.#checkBuffer(bufferConfig);
    return new Suppressed('until-time-limit', timeLimitMs, bufferConfig, undefined);
  }

  /**
   * Names the suppression processor (and so error messages about it).
   * @example `Suppressed.untilWindowCloses(BufferConfig.unbounded()).withName('final-counts')`
   */
  withName(name: string): Suppressed {
    if (typeof name !== 'string' || name.length === 0)
      throw new ConfigError('Suppressed.withName: name must be a non-empty string.');
    return new Suppressed(this.type, this.timeLimitMs, this.bufferConfig, name);
  }

  static #checkBuffer(bufferConfig: BufferConfig): void {
    if (!(bufferConfig instanceof BufferConfig)) {
      throw new ConfigError(
        'Suppressed: bufferConfig must be a BufferConfig (e.g. BufferConfig.unbounded()).',
      );
    }
  }
}
