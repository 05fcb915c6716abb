/**
 * @internal An update of a table row as it travels between table processors: the new value and,
 * when a downstream operator needs it (re-grouping, joins), the value it replaces. `null` means
 * "absent" on either side.
 */
export interface Change<V> {
  readonly newValue: V | null;
  readonly oldValue: V | null;
}

/** @internal */
export function change<V>(newValue: V | null, oldValue: V | null): Change<V> {
  return { newValue, oldValue };
}
