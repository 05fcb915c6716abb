#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createKafkaClient } from '../kafka/client.js';
import { parseCommandLine, USAGE, UsageError } from './args.js';
import { describeModule } from './describe.js';
import { ActiveMembersError, formatReport, resetApplication, UnknownInputTopicError } from './reset.js';
import { runModule } from './run.js';

/** Output streams of the CLI, replaceable in tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/**
 * Runs `tributary` with the given arguments; resolves with the exit code (0 ok, 1 failure, 2 bad
 * command line). `run` resolves only when the app has closed.
 *
 * @example
 * ```ts
 * process.exitCode = await main(['reset', '--application-id', 'shop', '--brokers', 'localhost:9092', '--dry-run']);
 * ```
 */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  try {
    const cli = parseCommandLine(argv);
    switch (cli.command) {
      case 'help':
        io.out(`${USAGE[cli.topic ?? 'main']}\n`);
        return 0;
      case 'describe':
        io.out(await describeModule(cli.module, { mermaid: cli.mermaid }));
        return 0;
      case 'run': {
        const { module, command: _command, ...flags } = cli;
        const running = await runModule(module, flags, (line) => io.err(`${line}\n`));
        return await running.done;
      }
      case 'reset': {
        const client = createKafkaClient({ brokers: cli.brokers, clientId: `${cli.applicationId}-reset` });
        try {
          const report = await resetApplication(client, cli);
          io.out(formatReport(cli.applicationId, report, cli.stateDir));
          return 0;
        } finally {
          await client.close();
        }
      }
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`tributary: ${error.message}\n`);
      return 2;
    }
    if (error instanceof ActiveMembersError || error instanceof UnknownInputTopicError) {
      io.err(`tributary reset: ${error.message}\n`);
      return 1;
    }
    io.err(`tributary: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

const invokedDirectly =
  process.argv[1] !== undefined &&
  realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
if (invokedDirectly) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
