import { deserializationError, messageOf, serializationError } from './errors.js';
import type { Serde } from './serde.js';

/**
 * UTF-8 JSON. One instance serves every `T`: the type parameter is the caller's promise about
 * the shape, which is not checked at run time.
 */
export const jsonSerde: Serde<unknown> = Object.freeze({
  name: 'JSON',
  serialize(value: unknown, topic?: string): Buffer | null {
    if (value === null) return null;
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (error) {
      throw serializationError('JSON', value, messageOf(error), topic, error);
    }
    // JSON.stringify returns undefined for undefined, functions and symbols: there is no JSON for them.
    if (text === undefined) throw serializationError('JSON', value, 'it has no JSON representation', topic);
    return Buffer.from(text, 'utf8');
  },
  deserialize(bytes: Buffer | null, topic?: string): unknown {
    if (bytes === null) return null;
    try {
      return JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      throw deserializationError('JSON', bytes, messageOf(error), topic, error);
    }
  },
});
