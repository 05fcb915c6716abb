import { describe, expect, it } from 'vitest';
import { Sensor, ThreadSensors } from '../../../../src/runtime/metrics/sensors.js';

describe('Sensor', () => {
  it('reports total, rate, mean and max over the last two 30 s windows', () => {
    const sensor = new Sensor(0);
    sensor.record(100, 50, 2, 1_000); // 100 records in 50 ms, worst 2 ms
    sensor.record(300, 30, 0.5, 2_000);
    expect(sensor.total).toBe(400);
    expect(sensor.rate(4_000)).toBe(100); // 400 records over 4 s
    expect(sensor.avg(4_000)).toBeCloseTo(0.2); // 80 ms over 400 records
    expect(sensor.max(4_000)).toBe(2);
  });

  it('forgets windows older than 60 s but keeps the total', () => {
    const sensor = new Sensor(0);
    sensor.record(10, 10, 1, 1_000);
    sensor.record(5, 50, 10, 31_000); // second window
    expect(sensor.max(40_000)).toBe(10);
    expect(sensor.avg(40_000)).toBeCloseTo(60 / 15);
    sensor.record(1, 1, 1, 62_000); // third window: the first one expires
    expect(sensor.max(62_000)).toBe(10);
    expect(sensor.rate(62_000)).toBeCloseTo((6 * 1000) / 31_000);
    expect(sensor.total).toBe(16);
    expect(sensor.max(200_000)).toBeNaN();
    expect(sensor.rate(200_000)).toBe(0);
  });

  it('reports NaN for the mean and max of nothing, as Kafka does', () => {
    const sensor = new Sensor(0);
    expect(sensor.avg(10)).toBeNaN();
    expect(sensor.max(10)).toBeNaN();
    expect(sensor.rate(10)).toBe(0);
  });
});

describe('TaskSensors', () => {
  it('adds each task’s records and punctuations to its thread', () => {
    const thread = new ThreadSensors(0);
    const a = thread.task();
    const b = thread.task();
    a.processed(10, 5, 1);
    b.processed(30, 3, 1);
    a.punctuated(2);
    expect([a.process.total, b.process.total, thread.process.total]).toEqual([10, 30, 40]);
    expect(thread.punctuate.total).toBe(1);
    expect(a.process.max(1)).toBe(0.5); // per-record latency of the batch
  });
});
