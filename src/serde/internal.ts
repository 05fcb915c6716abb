/** Serde helpers for the runtime and the state stores; not part of the public API. */
export { type ValueAndTimestamp, valueAndTimestampSerde } from './value-and-timestamp-serde.js';
export { INT64_SIZE, readInt64Number, writeInt64Number } from './int64-codec.js';
export { describeValue } from './errors.js';
