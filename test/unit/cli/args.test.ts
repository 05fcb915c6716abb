import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError } from '../../../src/cli/args.js';

const resetPoint = (argv: string[]) => {
  const parsed = parseCommandLine(argv);
  if (parsed.command !== 'reset') throw new Error(`parsed as ${parsed.command}`);
  return parsed.to;
};

const reset = ['reset', '--application-id', 'shop', '--brokers', 'a:9092, b:9092'];

describe('tributary command line', () => {
  it('parses describe with and without --mermaid', () => {
    expect(parseCommandLine(['describe', 'app.js'])).toEqual({
      command: 'describe',
      module: 'app.js',
      mermaid: false,
    });
    expect(parseCommandLine(['describe', '--mermaid', 'app.js'])).toEqual({
      command: 'describe',
      module: 'app.js',
      mermaid: true,
    });
  });

  it('parses run flags, splitting the broker list', () => {
    expect(
      parseCommandLine([
        'run',
        'app.js',
        '--application-id',
        'x',
        '--brokers',
        'h1:1,h2:2',
        '--state-dir',
        '/s',
      ]),
    ).toEqual({
      command: 'run',
      module: 'app.js',
      applicationId: 'x',
      brokers: ['h1:1', 'h2:2'],
      stateDir: '/s',
    });
    expect(parseCommandLine(['run', 'app.js'])).toEqual({ command: 'run', module: 'app.js' });
  });

  it('parses reset with earliest as the default point', () => {
    expect(parseCommandLine([...reset, '--input-topics', 'a,b', '--state-dir', 'st', '--dry-run'])).toEqual({
      command: 'reset',
      applicationId: 'shop',
      brokers: ['a:9092', 'b:9092'],
      inputTopics: ['a', 'b'],
      to: { kind: 'earliest' },
      stateDir: 'st',
      dryRun: true,
    });
    expect(parseCommandLine(reset)).toMatchObject({
      inputTopics: [],
      to: { kind: 'earliest' },
      dryRun: false,
    });
  });

  it('parses --to-datetime as an ISO time and --by-duration as milliseconds', () => {
    expect(resetPoint([...reset, '--to-datetime', '2026-01-31T12:00:00Z'])).toEqual({
      kind: 'datetime',
      timestamp: Date.UTC(2026, 0, 31, 12),
    });
    expect(resetPoint([...reset, '--by-duration', '60000'])).toEqual({
      kind: 'duration',
      ms: 60_000,
    });
  });

  it.each([
    [['describe', 'a.js', '--bogus'], /--bogus/],
    [['describe'], /describe: missing <module>/],
    [['describe', 'a.js', 'b.js'], /unexpected argument 'b.js'/],
    [['run', 'a.js', '--brokers'], /--brokers/],
    [['reset', '--brokers', 'a:1'], /--application-id <id> is required/],
    [['reset', '--application-id', 'x'], /--brokers <list> is required/],
    [[...reset, '--to-datetime', 'yesterday'], /--to-datetime: 'yesterday' is not an ISO-8601/],
    [[...reset, '--by-duration', '1.5'], /--by-duration: '1.5' is not a whole number/],
    [[...reset, '--to-earliest', '--by-duration', '5'], /--to-earliest and --by-duration exclude each other/],
    [[...reset, '--input-topics', ','], /--input-topics: expected a comma-separated list/],
    [['rest'], /unknown command 'rest'/],
  ])('rejects %j naming the culprit', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(UsageError);
    expect(() => parseCommandLine(argv)).toThrow(message);
  });

  it('answers --help for the tool and for each command', () => {
    expect(parseCommandLine([])).toEqual({ command: 'help' });
    expect(parseCommandLine(['--help'])).toEqual({ command: 'help' });
    expect(parseCommandLine(['reset', '--help'])).toEqual({ command: 'help', topic: 'reset' });
    expect(parseCommandLine(['describe', '--help'])).toEqual({ command: 'help', topic: 'describe' });
  });
});
