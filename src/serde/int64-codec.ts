/**
 * Reads and writes 8-byte big-endian signed integers (Java `long`) as JavaScript numbers, for
 * timestamps embedded in keys and values. Splitting into two 32-bit halves avoids allocating a
 * `bigint` per record, which `readBigInt64BE`/`writeBigInt64BE` would.
 */

export const INT64_SIZE = 8;

const TWO_POW_32 = 0x1_0000_0000;

/** Writes a safe integer at `offset`. The caller checks `Number.isSafeInteger(value)`. */
export function writeInt64Number(buffer: Buffer, value: number, offset: number): void {
  const high = Math.floor(value / TWO_POW_32);
  buffer.writeInt32BE(high, offset);
  buffer.writeUInt32BE(value - high * TWO_POW_32, offset + 4);
}

/**
 * Reads the long at `offset`. Exact whenever the stored value is a safe integer; callers check
 * the result with `Number.isSafeInteger` (values beyond ±2^53 come back rounded and unsafe).
 */
export function readInt64Number(buffer: Buffer, offset: number): number {
  return buffer.readInt32BE(offset) * TWO_POW_32 + buffer.readUInt32BE(offset + 4);
}
