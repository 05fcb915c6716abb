import { createEmbeddedKafka } from '../../../src/kafka/index.js';
import { adminResetContract } from './admin-reset-contract.js';
import { kafkaPortContract } from './port-contract.js';

kafkaPortContract('embedded broker', async () => {
  const client = createEmbeddedKafka();
  return { client, eventuallyMs: 5_000, close: () => client.close() };
});

adminResetContract('embedded broker', async () => {
  const client = createEmbeddedKafka();
  return { client, eventuallyMs: 5_000, close: () => client.close() };
});
