/**
 * When a windowed aggregation emits results: on every update (the default), or once per window
 * when it closes (stream time passes window end + grace), without a separate suppression buffer.
 *
 * @example
 * ```ts
 * stream.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(60_000))
 *   .emitStrategy(EmitStrategy.onWindowClose())
 *   .count();
 * ```
 */
export class EmitStrategy {
  private constructor(readonly type: 'on-window-update' | 'on-window-close') {
    Object.freeze(this);
  }

  /**
   * Emit each window's final result once, when it closes.
   * @example `EmitStrategy.onWindowClose()`
   */
  static onWindowClose(): EmitStrategy {
    return new EmitStrategy('on-window-close');
  }

  /**
   * Emit every update of every window (the default).
   * @example `EmitStrategy.onWindowUpdate()`
   */
  static onWindowUpdate(): EmitStrategy {
    return new EmitStrategy('on-window-update');
  }
}
