import { describe, expectTypeOf, it } from 'vitest';
import type { Serde, SerdeType, SessionWindowedSerde, TimeWindowedSerde } from '../../src/serde/index.js';
import { Serdes } from '../../src/serde/index.js';
import type { ValueAndTimestamp } from '../../src/serde/internal.js';
import { valueAndTimestampSerde } from '../../src/serde/internal.js';
import type { Windowed } from '../../src/windowing/windowed.js';

interface Order {
  id: string;
  total: number;
}

describe('Serdes types', () => {
  it('types the primitive serdes', () => {
    expectTypeOf(Serdes.string()).toEqualTypeOf<Serde<string>>();
    expectTypeOf(Serdes.float64()).toEqualTypeOf<Serde<number>>();
    expectTypeOf(Serdes.int32()).toEqualTypeOf<Serde<number>>();
    expectTypeOf(Serdes.int64()).toEqualTypeOf<Serde<bigint>>();
    expectTypeOf(Serdes.buffer()).toEqualTypeOf<Serde<Buffer>>();
    expectTypeOf(Serdes.void()).toEqualTypeOf<Serde<null>>();
  });

  it('types JSON and Avro by their type parameter', () => {
    expectTypeOf(Serdes.json<Order>()).toEqualTypeOf<Serde<Order>>();
    expectTypeOf(Serdes.json()).toEqualTypeOf<Serde<unknown>>();
    expectTypeOf(Serdes.avro<Order>({ type: 'record', name: 'Order', fields: [] })).toEqualTypeOf<
      Serde<Order>
    >();
  });

  it('types Schema Registry Avro serdes by their type parameter, usable as a plain Serde', () => {
    const users = Serdes.schemaRegistry.avro<Order>({ url: 'http://localhost:8081' });
    expectTypeOf(users).toExtend<Serde<Order>>();
    expectTypeOf(users.prepare).toEqualTypeOf<(topic: string) => Promise<void>>();
    expectTypeOf(Serdes.schemaRegistry.avro({ url: 'http://localhost:8081' })).toExtend<Serde<unknown>>();
  });

  it('types windowed serdes from their inner serde', () => {
    const windowed = Serdes.windowed(Serdes.string());
    expectTypeOf(windowed).toExtend<Serde<Windowed<string>>>();
    expectTypeOf(windowed).toEqualTypeOf<TimeWindowedSerde<string>>();
    expectTypeOf(windowed.windowSizeMs).toEqualTypeOf<number | undefined>();
    expectTypeOf(windowed.inner).toEqualTypeOf<Serde<string>>();
    expectTypeOf(Serdes.sessionWindowed(Serdes.int64())).toEqualTypeOf<SessionWindowedSerde<bigint>>();
    expectTypeOf(Serdes.sessionWindowed(Serdes.int64())).toExtend<Serde<Windowed<bigint>>>();
    expectTypeOf(windowed.deserialize(null)).toEqualTypeOf<Windowed<string> | null>();
  });

  it('extracts the value type with SerdeType', () => {
    expectTypeOf<SerdeType<ReturnType<typeof Serdes.int64>>>().toEqualTypeOf<bigint>();
    expectTypeOf<SerdeType<TimeWindowedSerde<string>>>().toEqualTypeOf<Windowed<string>>();
    expectTypeOf<SerdeType<Serde<Order>>>().toEqualTypeOf<Order>();
  });

  it('lets Serdes.void() serve as the key serde of a keyless topic', () => {
    const keyless = <K, V>(serdes: { key: Serde<K>; value: Serde<V> }): [K, V] => [
      serdes.key.deserialize(null) as K,
      serdes.value.deserialize(null) as V,
    ];
    expectTypeOf(keyless({ key: Serdes.void(), value: Serdes.json<Order>() })).toEqualTypeOf<[null, Order]>();
  });

  it('rejects values of the wrong type', () => {
    // @ts-expect-error an int64 serde takes bigints, not numbers
    Serdes.int64().serialize(1);
    // @ts-expect-error a string serde does not take numbers
    Serdes.string().serialize(1);
    // @ts-expect-error a windowed serde needs a window
    Serdes.windowed(Serdes.string()).serialize({ key: 'a' });
  });

  it('types the internal timestamped-value serde', () => {
    expectTypeOf(valueAndTimestampSerde(Serdes.float64())).toEqualTypeOf<Serde<ValueAndTimestamp<number>>>();
  });
});
