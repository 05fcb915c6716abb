/**
 * @internal The window store key layout, as latin1 strings (one char per byte, so string order is
 * byte order): key bytes, then the window start as a big-endian int64, then a big-endian uint32
 * sequence number. Byte-compatible with Kafka Streams' `WindowKeySchema` store keys.
 */
import { keyBytes, keyString } from '../internal/byte-keys.js';
import type { KeySchema } from './segmented-bytes-store.js';

export const TIME_CHARS = 8;
export const SEQ_CHARS = 4;
export const WINDOW_SUFFIX_CHARS = TIME_CHARS + SEQ_CHARS;
export const MAX_SEQ = 0xffffffff;

const TWO_POW_32 = 2 ** 32;

/** The 8-char big-endian form of a non-negative safe integer. */
export function timeChars(ms: number): string {
  const high = Math.floor(ms / TWO_POW_32);
  const low = ms - high * TWO_POW_32;
  return String.fromCharCode(
    (high >>> 24) & 0xff,
    (high >>> 16) & 0xff,
    (high >>> 8) & 0xff,
    high & 0xff,
    (low >>> 24) & 0xff,
    (low >>> 16) & 0xff,
    (low >>> 8) & 0xff,
    low & 0xff,
  );
}

/** Reads 8 chars at `offset` as a big-endian integer. */
export function readTimeChars(s: string, offset: number): number {
  let high = 0;
  let low = 0;
  for (let i = 0; i < 4; i++) high = high * 256 + s.charCodeAt(offset + i);
  for (let i = 4; i < 8; i++) low = low * 256 + s.charCodeAt(offset + i);
  // Negative int64 values do not occur: stores reject negative times.
  return high * TWO_POW_32 + low;
}

export function seqChars(seq: number): string {
  return String.fromCharCode((seq >>> 24) & 0xff, (seq >>> 16) & 0xff, (seq >>> 8) & 0xff, seq & 0xff);
}

export function readSeqChars(s: string, offset: number): number {
  return (
    s.charCodeAt(offset) * 0x1000000 +
    (s.charCodeAt(offset + 1) << 16) +
    (s.charCodeAt(offset + 2) << 8) +
    s.charCodeAt(offset + 3)
  );
}

export function windowStoreKey(key: string, windowStart: number, seq: number): string {
  return key + timeChars(windowStart) + seqChars(seq);
}

/** The store key bytes of (key, windowStart, seq): also the changelog key. */
export function windowStoreKeyBytes(key: Buffer, windowStart: number, seq: number): Buffer {
  return keyBytes(windowStoreKey(keyString(key), windowStart, seq));
}

export interface DecodedWindowKey {
  key: string;
  windowStart: number;
  seq: number;
}

function windowKeyLength(storeKey: string): number {
  const keyLength = storeKey.length - WINDOW_SUFFIX_CHARS;
  if (keyLength < 0)
    throw new RangeError(
      `A window store key needs at least ${WINDOW_SUFFIX_CHARS} bytes, got ${storeKey.length}`,
    );
  return keyLength;
}

export function decodeWindowStoreKey(storeKey: string): DecodedWindowKey {
  const keyLength = windowKeyLength(storeKey);
  return {
    key: storeKey.slice(0, keyLength),
    windowStart: readTimeChars(storeKey, keyLength),
    seq: readSeqChars(storeKey, keyLength + TIME_CHARS),
  };
}

/** Window store keys belong to their window start. */
export const WINDOW_KEY_SCHEMA: KeySchema = {
  segmentTimestamp: (storeKey) => readTimeChars(storeKey, windowKeyLength(storeKey)),
};
