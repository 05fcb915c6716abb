/** `tributary/testing`: run topologies without Kafka. */
import '../node-version.js';

export { TopologyTestDriver, type TestDriverConfig } from './topology-test-driver.js';
export { TestInputTopic, TestOutputTopic, type TestRecord, type TestRecordInput } from './test-topics.js';
