import { createKafkaClient } from '../../src/kafka/index.js';
import { adminResetContract } from '../unit/kafka/admin-reset-contract.js';
import { kafkaPortContract } from '../unit/kafka/port-contract.js';
import { describeWithKafka, kafkaBrokers } from './support/kafka.js';

describeWithKafka('the @platformatic/kafka adapter on a real broker', () => {
  kafkaPortContract('platformatic adapter', async () => {
    const client = createKafkaClient({
      brokers: kafkaBrokers(),
      clientId: 'kafka-port-contract-platformatic',
      client: 'platformatic',
    });
    return { client, eventuallyMs: 30_000, close: () => client.close() };
  });
  adminResetContract('platformatic adapter', async () => {
    const client = createKafkaClient({
      brokers: kafkaBrokers(),
      clientId: 'kafka-admin-reset-contract-platformatic',
      client: 'platformatic',
    });
    return { client, eventuallyMs: 30_000, close: () => client.close() };
  });
});
