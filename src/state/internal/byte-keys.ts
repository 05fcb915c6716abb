/**
 * Keys inside the bytes stores are held as latin1 strings: one char per byte, so JavaScript string
 * order equals unsigned byte order, and string hashing/comparison is much faster than
 * `Buffer.compare`.
 */

/** The latin1 string form of a key's bytes. */
export function keyString(key: Buffer): string {
  return key.toString('latin1');
}

/** The bytes of a latin1 key string. */
export function keyBytes(key: string): Buffer {
  return Buffer.from(key, 'latin1');
}

/**
 * The smallest key string greater than every key starting with `prefix`, or `undefined` if there
 * is none (the prefix is empty or all 0xff bytes), in which case the scan is open-ended.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  let end = prefix.length;
  while (end > 0 && prefix.charCodeAt(end - 1) === 0xff) end--;
  if (end === 0) return undefined;
  return prefix.slice(0, end - 1) + String.fromCharCode(prefix.charCodeAt(end - 1) + 1);
}
