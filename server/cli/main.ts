import { readFileSync } from 'node:fs';
import path from 'node:path';
import { settingsFrom, validateEnv } from '@/lib/env';
import { firstLine, UserError } from '@/lib/errors';
import { projectRoot } from '@/lib/paths';
import { adminCreateApiKeyCommand, adminCreateUserCommand } from './commands/admin';
import { archSummaryCommand } from './commands/arch';
import { datasetProfileCommand } from './commands/dataset';
import { dbMigrateCommand, dbSeedCommand, dbStatusCommand } from './commands/db';
import { doctorCommand } from './commands/doctor';
import { fairnessCommand } from './commands/fairness';
import { startCommand } from './commands/start';
import { trainCommand } from './commands/train';
import { workerCommand } from './commands/worker';
import { UsageError, type CliCommand, type CliIO } from './types';

/** Every `deepboard` command; `deepboard help` lists them in this order. */
export const commands: CliCommand[] = [
  startCommand,
  workerCommand,
  dbMigrateCommand,
  dbStatusCommand,
  dbSeedCommand,
  archSummaryCommand,
  datasetProfileCommand,
  trainCommand,
  fairnessCommand,
  adminCreateUserCommand,
  adminCreateApiKeyCommand,
  doctorCommand,
];

function version(): string {
  try {
    return JSON.parse(readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')).version as string;
  } catch {
    return 'unknown';
  }
}

function helpText(): string {
  // Usage lines vary a lot in length: each command gets its usage, then its summary indented.
  return [
    `deepboard ${version()} — experiment tracking for deep-learning teams`,
    '',
    'Usage: deepboard COMMAND [OPTIONS]',
    '',
    'Commands:',
    ...commands.flatMap((c) => [`  ${c.usage}`, `      ${c.summary}`]),
    '  deepboard help [COMMAND]',
    "      Show this help, or one command's",
    '  deepboard --version',
    '      Print the version',
    '',
    'Bad usage, or a bad setting in the environment, exits with code 2 and a one-line message.',
  ].join('\n');
}

/** The command whose words match the longest prefix of argv. */
export function findCommand(argv: string[]): { command: CliCommand; rest: string[] } | null {
  let best: { command: CliCommand; rest: string[] } | null = null;
  for (const command of commands) {
    const n = command.path.length;
    if (argv.length >= n && command.path.every((w, i) => argv[i] === w) && (!best || n > best.command.path.length)) {
      best = { command, rest: argv.slice(n) };
    }
  }
  return best;
}

export function registerCommand(command: CliCommand): void {
  commands.push(command);
}

/**
 * Messages quote user input (arguments, file names, bits of a file), which may hold line breaks
 * or control characters; they are escaped so the message stays one line.
 */
function oneLine(message: string): string {
  return message.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

function debugging(io: Pick<CliIO, 'env'>): boolean {
  try {
    return settingsFrom(io.env).DEEPBOARD_DEBUG;
  } catch {
    return false;
  }
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  try {
    // Every setting is checked before a command does anything (`deepboard start` builds nothing,
    // starts no database): a bad one exits 2 naming the variable.
    validateEnv(io.env);
    const [first] = argv;
    if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
      const topic = argv.slice(1);
      const found = topic.length ? findCommand(topic) : null;
      if (topic.length && !found) throw new UsageError(`unknown command '${topic.join(' ')}'; run 'deepboard help'`);
      io.stdout(found ? `Usage: ${found.command.usage}\n\n${found.command.summary}` : helpText());
      return 0;
    }
    if (first === '--version' || first === '-v' || first === 'version') {
      io.stdout(version());
      return 0;
    }
    const found = findCommand(argv);
    if (!found) {
      const group = commands.filter((c) => c.path[0] === first);
      if (group.length) {
        const sub = argv[1];
        throw new UsageError(`${sub ? `unknown command '${first} ${sub}'` : `'${first}' needs a subcommand`}; one of: ${group.map((c) => c.path.slice(1).join(' ')).join(', ')}`);
      }
      throw new UsageError(`unknown command '${first}'; run 'deepboard help'`);
    }
    if (found.rest.includes('--help') || found.rest.includes('-h')) {
      io.stdout(`Usage: ${found.command.usage}\n\n${found.command.summary}`);
      return 0;
    }
    return await found.command.run(found.rest, io);
  } catch (err) {
    return reportError(err, io);
  }
}

/**
 * The CLI's one error mapping. Input the user must change (bad usage, an invalid file or value)
 * exits 2 with the message alone; other user errors (not found, forbidden, unavailable …) exit 1
 * with `error:`; anything else is unexpected: exit 1, its first line, and the stack only with
 * DEEPBOARD_DEBUG set.
 */
export function reportError(err: unknown, io: Pick<CliIO, 'stderr' | 'env'>): number {
  if (err instanceof UserError) {
    const code = err.mapping.exit;
    io.stderr(code === 2 ? `deepboard: ${oneLine(err.message)}` : `deepboard: error: ${oneLine(firstLine(err.message))}`);
    return code;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.stderr(`deepboard: error: ${oneLine(firstLine(message))}`);
  if (debugging(io) && err instanceof Error && err.stack) io.stderr(err.stack);
  return 1;
}
