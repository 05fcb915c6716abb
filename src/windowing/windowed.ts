/** A window's bounds in epoch milliseconds: `start` inclusive, `end` exclusive (sessions: both inclusive). */
export interface Window {
  readonly start: number;
  readonly end: number;
}

/**
 * The key of a windowed aggregation: the original key plus the window it belongs to.
 *
 * @example
 * ```ts
 * const k: Windowed<string> = { key: 'alice', window: { start: 60_000, end: 120_000 } };
 * ```
 */
export interface Windowed<K> {
  readonly key: K;
  readonly window: Window;
}
