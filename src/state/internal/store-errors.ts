import { StateStoreError } from '../../errors.js';

/** The error every store throws when used before `init` or after `close`. */
export function storeNotOpen(name: string): StateStoreError {
  return new StateStoreError(`State store '${name}' is not open: use it between init() and close().`);
}
