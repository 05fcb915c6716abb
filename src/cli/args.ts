import { parseArgs } from 'node:util';

/** A command line that cannot be run: bad flag, bad value, missing argument. Exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** When to rewind input topics to, as `reset` takes it. */
export type ResetPoint =
  | { readonly kind: 'earliest' }
  | { readonly kind: 'datetime'; readonly timestamp: number }
  | { readonly kind: 'duration'; readonly ms: number };

/** A parsed command line. */
export type CliCommand =
  | { readonly command: 'help'; readonly topic?: 'describe' | 'run' | 'reset' }
  | { readonly command: 'describe'; readonly module: string; readonly mermaid: boolean }
  | {
      readonly command: 'run';
      readonly module: string;
      readonly applicationId?: string;
      readonly brokers?: string[];
      readonly stateDir?: string;
    }
  | {
      readonly command: 'reset';
      readonly applicationId: string;
      readonly brokers: string[];
      readonly inputTopics: string[];
      readonly to: ResetPoint;
      readonly stateDir?: string;
      readonly dryRun: boolean;
    };

export const USAGE = {
  main: `Usage: tributary <command> [options]

Commands:
  describe <module>   print the topology a module exports (--mermaid for a flowchart)
  run <module>        run the topology or KafkaStreams app a module exports until SIGTERM/SIGINT
  reset               rewind a stopped application: input offsets, internal topics, local state

Run 'tributary <command> --help' for a command's options.`,
  describe: `Usage: tributary describe <module> [--mermaid]

Prints the topology exported by <module> (a .js/.mjs file, or .ts with tsx installed): the
export 'default' or 'topology', a Topology or a function returning one.
  --mermaid   print a Mermaid flowchart instead of the text description`,
  run: `Usage: tributary run <module> [--application-id <id>] [--brokers <list>] [--state-dir <dir>]

Runs what <module> exports as 'default', 'app' or 'topology' (first found): a KafkaStreams app, or a
Topology run with the module's exported 'config' (StreamsConfig) overridden by the flags. A
function export is called (and awaited) to get the value. SIGTERM/SIGINT close it gracefully.
  --application-id <id>   applicationId (required for a Topology without config.applicationId)
  --brokers <list>        comma-separated bootstrap brokers (default: config.brokers)
  --state-dir <dir>       root of local state (default: config.stateDir)`,
  reset: `Usage: tributary reset --application-id <id> --brokers <list> [options]

Resets a stopped application so that it reprocesses its input: refuses while its consumer group
has members; commits the input topics' offsets back; deletes its internal topics
(<id>-...-repartition, <id>-...-changelog); wipes <state-dir>/<id>.
  --application-id <id>    the application to reset (its consumer group id)
  --brokers <list>         comma-separated bootstrap brokers
  --input-topics <list>    comma-separated input topics whose offsets to reset
  --to-earliest            reset to the earliest offsets (default)
  --to-datetime <iso>      reset to the first record at or after an ISO-8601 time
  --by-duration <ms>       reset to the first record at most <ms> milliseconds old
  --state-dir <dir>        also delete the application's local state under <dir>
  --dry-run                print what would be done, change nothing`,
} as const;

const list = (flag: string, value: string): string[] => {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0) throw new UsageError(`--${flag}: expected a comma-separated list, got '${value}'`);
  return items;
};

type Values = Record<string, string | boolean | undefined>;

function parse(
  args: string[],
  options: Record<string, { type: 'string' | 'boolean' }>,
  command: string,
): { values: Values; positionals: string[] } {
  try {
    const parsed = parseArgs({
      args,
      options: { ...options, help: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    return { values: parsed.values as Values, positionals: parsed.positionals };
  } catch (error) {
    // parseArgs names the flag in its message ("Unknown option '--x'", "Option '--y <value>' argument missing").
    throw new UsageError(`${command}: ${(error as Error).message.split('. ')[0]}`);
  }
}

function onePositional(positionals: string[], command: string, what: string): string {
  if (positionals.length === 0) throw new UsageError(`${command}: missing <${what}>`);
  if (positionals.length > 1)
    throw new UsageError(`${command}: unexpected argument '${positionals[1]}' (one <${what}> only)`);
  return positionals[0]!;
}

function resetPoint(values: Values): ResetPoint {
  const given = (['to-earliest', 'to-datetime', 'by-duration'] as const).filter(
    (f) => values[f] !== undefined,
  );
  if (given.length > 1)
    throw new UsageError(`reset: --${given.join(' and --')} exclude each other: give one`);
  if (typeof values['to-datetime'] === 'string') {
    const text = values['to-datetime'];
    const timestamp = Date.parse(text);
    if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(timestamp))
      throw new UsageError(
        `--to-datetime: '${text}' is not an ISO-8601 date-time (e.g. 2026-01-31T12:00:00Z)`,
      );
    return { kind: 'datetime', timestamp };
  }
  if (typeof values['by-duration'] === 'string') {
    const text = values['by-duration'];
    const ms = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(ms))
      throw new UsageError(`--by-duration: '${text}' is not a whole number of milliseconds`);
    return { kind: 'duration', ms };
  }
  return { kind: 'earliest' };
}

/**
 * Parses `tributary`'s arguments (without `node` and the script).
 *
 * @example
 * ```ts
 * parseCommandLine(['describe', './app.js', '--mermaid']); // { command: 'describe', module: './app.js', mermaid: true }
 * ```
 */
export function parseCommandLine(argv: readonly string[]): CliCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help')
    return { command: 'help' };
  if (command === 'describe') {
    const { values, positionals } = parse(rest, { mermaid: { type: 'boolean' } }, command);
    if (values.help) return { command: 'help', topic: command };
    return {
      command,
      module: onePositional(positionals, command, 'module'),
      mermaid: values.mermaid === true,
    };
  }
  if (command === 'run') {
    const { values, positionals } = parse(
      rest,
      { 'application-id': { type: 'string' }, brokers: { type: 'string' }, 'state-dir': { type: 'string' } },
      command,
    );
    if (values.help) return { command: 'help', topic: command };
    const applicationId = values['application-id'] as string | undefined;
    const brokers = values.brokers as string | undefined;
    const stateDir = values['state-dir'] as string | undefined;
    return {
      command,
      module: onePositional(positionals, command, 'module'),
      ...(applicationId === undefined ? {} : { applicationId }),
      ...(brokers === undefined ? {} : { brokers: list('brokers', brokers) }),
      ...(stateDir === undefined ? {} : { stateDir }),
    };
  }
  if (command === 'reset') {
    const { values, positionals } = parse(
      rest,
      {
        'application-id': { type: 'string' },
        brokers: { type: 'string' },
        'input-topics': { type: 'string' },
        'to-earliest': { type: 'boolean' },
        'to-datetime': { type: 'string' },
        'by-duration': { type: 'string' },
        'state-dir': { type: 'string' },
        'dry-run': { type: 'boolean' },
      },
      command,
    );
    if (values.help) return { command: 'help', topic: command };
    if (positionals.length > 0) throw new UsageError(`reset: unexpected argument '${positionals[0]}'`);
    const applicationId = values['application-id'] as string | undefined;
    if (!applicationId) throw new UsageError('reset: --application-id <id> is required');
    const brokers = values.brokers as string | undefined;
    if (!brokers) throw new UsageError('reset: --brokers <list> is required');
    const inputTopics = values['input-topics'] as string | undefined;
    const stateDir = values['state-dir'] as string | undefined;
    return {
      command,
      applicationId,
      brokers: list('brokers', brokers),
      inputTopics: inputTopics === undefined ? [] : list('input-topics', inputTopics),
      to: resetPoint(values),
      ...(stateDir === undefined ? {} : { stateDir }),
      dryRun: values['dry-run'] === true,
    };
  }
  throw new UsageError(`unknown command '${command}': expected describe, run or reset (tributary --help)`);
}
