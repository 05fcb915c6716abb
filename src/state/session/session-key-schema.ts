/**
 * The session store key layout, as latin1 strings: key bytes, then the session end and
 * the session start, each a big-endian int64. Byte-compatible with Kafka Streams' session store
 * keys; also the changelog key.
 */
import { keyBytes } from '../internal/byte-keys.js';
import type { KeySchema } from '../window/segmented-bytes-store.js';
import { readTimeChars, TIME_CHARS, timeChars } from '../window/window-key-schema.js';
import type { SessionBytes } from './session-store.js';

export const SESSION_SUFFIX_CHARS = 2 * TIME_CHARS;

/** The session store key of (key, start, end). */
export function sessionStoreKey(key: string, start: number, end: number): string {
  return key + timeChars(end) + timeChars(start);
}

function sessionKeyLength(storeKey: string): number {
  if (storeKey.length < SESSION_SUFFIX_CHARS)
    throw new RangeError(`A session store key needs at least ${SESSION_SUFFIX_CHARS} bytes`);
  return storeKey.length - SESSION_SUFFIX_CHARS;
}

/** Decodes a session store key into the session below the typed layer. */
export function sessionBytes(storeKey: string): SessionBytes {
  const keyLength = storeKey.length - SESSION_SUFFIX_CHARS;
  return {
    key: keyBytes(storeKey.slice(0, keyLength)),
    end: readTimeChars(storeKey, keyLength),
    start: readTimeChars(storeKey, keyLength + TIME_CHARS),
  };
}

/** Session store keys belong to their session end. */
export const SESSION_KEY_SCHEMA: KeySchema = {
  segmentTimestamp: (storeKey) => readTimeChars(storeKey, sessionKeyLength(storeKey)),
};
