/** Confluent's framing: magic byte 0, the schema id as a 4-byte big-endian int, then the payload. */
export const MAGIC_BYTE = 0;
export const HEADER_SIZE = 5;

export function frame(schemaId: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_SIZE + payload.length);
  out[0] = MAGIC_BYTE;
  out.writeInt32BE(schemaId, 1);
  payload.copy(out, HEADER_SIZE);
  return out;
}
