/** `tributary/testing`: run topologies without Kafka. */
import '../node-version.js';

export { TopologyTestDriver, type TestDriverConfig } from './topology-test-driver.js';
export { TestInputTopic, TestOutputTopic, type TestRecord, type TestRecordInput } from './test-topics.js';
export {
  produce,
  readOutput,
  type OutputRecord,
  type ProduceRecord,
  type ReadOutputOptions,
  type TopicSerdes,
} from './embedded-topics.js';
