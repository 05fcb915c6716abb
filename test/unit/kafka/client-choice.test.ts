import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { createKafkaClient } from '../../../src/kafka/index.js';
import { assertPlatformaticNode } from '../../../src/kafka/platformatic/options.js';

describe('createKafkaClient chooses the client library', () => {
  it('uses kafkajs by default and @platformatic/kafka on request', async () => {
    const kafkajs = createKafkaClient({ brokers: ['127.0.0.1:9'] });
    const platformatic = createKafkaClient({ brokers: ['127.0.0.1:9'], client: 'platformatic' });
    expect(kafkajs.kind).toBe('kafkajs');
    expect(platformatic.kind).toBe('platformatic');
    await Promise.all([kafkajs.close(), platformatic.close()]);
  });

  it('names the option and the allowed values for an unknown client', () => {
    expect(() => createKafkaClient({ brokers: ['127.0.0.1:9'], client: 'rdkafka' as never })).toThrow(
      ConfigError,
    );
    expect(() => createKafkaClient({ brokers: ['127.0.0.1:9'], client: 'rdkafka' as never })).toThrow(
      /client must be one of 'kafkajs', 'platformatic', got "rdkafka"/,
    );
  });

  it('rejects a SASL mechanism the platformatic client does not support', () => {
    expect(() =>
      createKafkaClient({
        brokers: ['127.0.0.1:9'],
        client: 'platformatic',
        sasl: { mechanism: 'aws', authorizationIdentity: 'x', accessKeyId: 'a', secretAccessKey: 's' },
      }),
    ).toThrow(/sasl.mechanism "aws" is not supported by the platformatic client/);
  });

  it('refuses to hand out objects once closed', async () => {
    const client = createKafkaClient({ brokers: ['127.0.0.1:9'], client: 'platformatic' });
    await client.close();
    await expect(client.admin()).rejects.toThrow(/closed/);
  });

  it('refuses the platformatic client on a Node.js older than the client supports', () => {
    expect(() => assertPlatformaticNode('22.12.0')).toThrow(ConfigError);
    expect(() => assertPlatformaticNode('22.21.9')).toThrow(
      /needs Node.js >= 22.22.0; this process runs Node.js 22.21.9.*use the default 'kafkajs' client/,
    );
    expect(() => assertPlatformaticNode('22.22.0')).not.toThrow();
    expect(() => assertPlatformaticNode('24.6.1')).not.toThrow();
  });
});
