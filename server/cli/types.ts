/**
 * The `deepboard` CLI's contract: every command gets its argv (after the command words), writes
 * to the given streams and returns an exit code. Bad input throws UsageError: the CLI prints its
 * message as one line on stderr and exits with code 2 — never a stack trace.
 */
import { InvalidInputError } from '@/lib/errors';

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface CliCommand {
  /** Words that select the command, e.g. ['arch', 'summary']. */
  path: string[];
  /** One line for `deepboard help`. */
  summary: string;
  /** Usage line(s), e.g. 'deepboard arch summary FILE [--json]'. */
  usage: string;
  run: (argv: string[], io: CliIO) => Promise<number>;
}

export class UsageError extends InvalidInputError {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
