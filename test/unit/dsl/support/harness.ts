import {
  Serdes,
  StreamsBuilder,
  StreamsError,
  type KStream,
  type Logger,
  type Topology,
} from '../../../../src/index.js';
import { TopologyTestDriver, type TestDriverConfig } from '../../../../src/testing/index.js';

/** A logger that records entries instead of printing them, so tests stay quiet and can assert on logs. */
export function recordingLogger(): Logger & { entries: { level: string; message: string | undefined }[] } {
  const entries: { level: string; message: string | undefined }[] = [];
  const at = (level: string) => (_fields: object, message?: string) => void entries.push({ level, message });
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A driver with a quiet logger and a fixed wall clock. */
export function driverFor(
  topology: Topology,
  config: TestDriverConfig = {},
  wallClockMs = 0,
): TopologyTestDriver {
  return new TopologyTestDriver(
    topology,
    { applicationId: 'app', logger: recordingLogger(), ...config },
    wallClockMs,
  );
}

/** A `string`/`string` source stream `input` on a fresh builder. */
export function stringStream(): { builder: StreamsBuilder; input: KStream<string, string> } {
  const builder = new StreamsBuilder();
  return { builder, input: builder.stream('input', { key: Serdes.string(), value: Serdes.string() }) };
}

/** The StreamsError `fn` throws (fails the test if it throws nothing or something else). */
export function thrown(fn: () => unknown): StreamsError {
  try {
    fn();
  } catch (error) {
    if (error instanceof StreamsError) return error;
    throw error;
  }
  throw new Error('expected a StreamsError');
}
