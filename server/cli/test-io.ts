import { expect } from 'vitest';
import { UsageError, type CliCommand, type CliIO } from './types';

/** A CliIO that collects what a command prints, for command tests. */
export function fakeIo(cwd: string): CliIO & { out: string; err: string } {
  const io: CliIO & { out: string; err: string } = {
    out: '',
    err: '',
    env: { NODE_ENV: 'test' },
    cwd,
    stdout: (text: string) => {
      io.out += text;
    },
    stderr: (text: string) => {
      io.err += text;
    },
  };
  return io;
}

/** Runs a command expecting bad usage: a one-line UsageError with exit code 2. */
export async function expectUsageError(command: CliCommand, argv: string[], cwd: string): Promise<UsageError> {
  const error = await command.run(argv, fakeIo(cwd)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsageError);
  expect((error as UsageError).exitCode).toBe(2);
  expect((error as UsageError).message).not.toContain('\n');
  return error as UsageError;
}
