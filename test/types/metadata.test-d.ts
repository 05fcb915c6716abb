import { describe, expectTypeOf, it } from 'vitest';
import type { HostInfo, KafkaStreams, KeyQueryMetadata, StreamsMetadata } from '../../src/index.js';

declare const app: KafkaStreams;

describe('interactive-query metadata types', () => {
  it('types hosts as HostInfo and the partitioner key as the queried key', () => {
    const meta = app.queryMetadataForKey('counts', 'hello', {
      partitioner: (topic, key, value, n) => {
        expectTypeOf(topic).toEqualTypeOf<string>();
        expectTypeOf(key).toEqualTypeOf<string>();
        expectTypeOf(value).toEqualTypeOf<unknown>();
        return key.length % n;
      },
    });
    expectTypeOf(meta).toEqualTypeOf<KeyQueryMetadata>();
    expectTypeOf(meta.activeHost).toEqualTypeOf<HostInfo>();
    expectTypeOf(meta.standbyHosts).toEqualTypeOf<readonly HostInfo[]>();
    expectTypeOf(app.allMetadata()).toEqualTypeOf<StreamsMetadata[]>();
    expectTypeOf(
      app.streamsMetadataForStore('counts')[0]!.topicPartitions[0]!.partition,
    ).toEqualTypeOf<number>();
  });

  it('rejects a partitioner that returns something else than a partition', () => {
    // @ts-expect-error a partitioner returns a number or undefined
    app.queryMetadataForKey('counts', 1, { partitioner: () => 'p' });
  });
});
