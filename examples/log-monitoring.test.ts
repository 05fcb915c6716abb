import { describe, expect, it } from 'vitest';
import { Serdes } from '../src/index.js';
import { TopologyTestDriver } from '../src/testing/index.js';
import {
  ALERTS_TOPIC,
  buildLogMonitoringTopology,
  LOGS_TOPIC,
  sampleLogs,
  type ErrorRateAlert,
  type LogLine,
} from './log-monitoring.js';

const line = (service: string, level: LogLine['level'], seconds: number): LogLine => ({
  service,
  level,
  message: level,
  ts: seconds * 1_000,
});

describe('log monitoring on the TopologyTestDriver', () => {
  function driven() {
    const driver = new TopologyTestDriver(buildLogMonitoringTopology(), { applicationId: 'logs' });
    const logs = driver.createInputTopic(LOGS_TOPIC, Serdes.string(), Serdes.json<LogLine>());
    const alerts = driver.createOutputTopic(ALERTS_TOPIC, Serdes.string(), Serdes.json<ErrorRateAlert>());
    return { driver, send: (l: LogLine) => logs.pipeInput(l.service, l), alerts };
  }

  it('alerts once per closed window whose error rate is above 20 % over at least 5 lines', () => {
    const { driver, send, alerts } = driven();
    // Windows: 1 min, every 15 s, grace 5 s. Lines at 0…20 s fall in [-45 s, 15 s) … [0, 60 s).
    for (const s of [0, 5, 10]) send(line('api', 'info', s));
    send(line('api', 'error', 15)); // [0, 60 s): 1 of 4
    send(line('api', 'error', 20)); // [0, 60 s): 2 of 5 = 40 %; [15 s, 75 s): 2 of 2 (< 5 lines)
    send(line('web', 'error', 21)); // one line: never a rate
    expect(alerts.isEmpty()).toBe(true); // suppressed until the windows close
    send(line('api', 'info', 65)); // stream time 65 s ≥ 60 + 5: [0, 60 s) closes (and the earlier ones)
    expect(alerts.readKeyValuesToList()).toEqual([
      {
        key: 'api',
        value: { service: 'api', windowStart: 0, windowEnd: 60_000, errorRate: 0.4, errors: 2, lines: 5 },
      },
    ]);
    send(line('api', 'info', 200)); // closes every other window: [15 s, 75 s) has 3 lines, no alert
    expect(alerts.readKeyValuesToList()).toEqual([]);
    driver.close();
  });

  it("the sample's checkout outage raises one alert per window it touches, search none", () => {
    const { driver, send, alerts } = driven();
    for (const l of sampleLogs(0)) send(l);
    const raised = alerts.readValuesToList();
    expect(raised.map((a) => [a!.service, a!.windowStart / 1_000, a!.errors, a!.lines])).toEqual([
      ['checkout', 15, 3, 12],
      ['checkout', 30, 6, 12],
      ['checkout', 45, 6, 12],
      ['checkout', 60, 6, 12],
      ['checkout', 75, 3, 12],
    ]);
    driver.close();
  });
});
