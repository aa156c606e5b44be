import { describe, expect, it } from 'vitest';
import { findCommand, runCli } from './main';
import type { CliIO } from './types';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {} as NodeJS.ProcessEnv, cwd: process.cwd() };
  return { io: value, out, err };
}

describe('deepboard CLI', () => {
  it('prints help listing the commands', async () => {
    const t = io();
    expect(await runCli(['help'], t.io)).toBe(0);
    expect(t.out.join('\n')).toMatch(/deepboard db migrate/);
    expect(t.out.join('\n')).toMatch(/deepboard start/);
  });

  it.each([
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['db'], /'db' needs a subcommand; one of: migrate, status, seed/],
    [['db', 'explode'], /unknown command 'db explode'/],
    [['db', 'migrate', '--bogus'], /Unknown option '--bogus'.*usage: deepboard db migrate/],
    [['db', 'migrate', 'extra'], /unexpected argument 'extra'/],
    [['help', 'nothing'], /unknown command 'nothing'/],
    [[''], /unknown command ''/],
    [['arch', 'summary', 'a\nb.json'], /cannot read a\\nb\.json/],
  ])('bad usage %j exits 2 with one line', async (argv, message) => {
    const t = io();
    expect(await runCli(argv, t.io)).toBe(2);
    expect(t.err).toHaveLength(1);
    expect(t.err[0]).toMatch(message);
    expect(t.err[0]).not.toMatch(/\n|at .*\.ts:/);
  });

  it('a bad setting in the environment exits 2 with one line naming it, before the command runs', async () => {
    const t = io();
    t.io.env = { DEEPBOARD_MAX_UPLOAD_MB: '512MB', DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none' } as unknown as NodeJS.ProcessEnv;
    expect(await runCli(['db', 'status'], t.io)).toBe(2);
    expect(t.err).toEqual(['deepboard: DEEPBOARD_MAX_UPLOAD_MB=512MB: expected a whole number of megabytes between 1 and 102400']);
  });

  it('picks the longest matching command path', () => {
    expect(findCommand(['db', 'migrate', '--json'])?.command.path).toEqual(['db', 'migrate']);
    expect(findCommand(['db'])).toBeNull();
  });

  it('reports runtime failures in one line with exit code 1', async () => {
    const t = io();
    t.io.env = { DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none' } as unknown as NodeJS.ProcessEnv;
    const prev = process.env.DATABASE_URL;
    process.env.DATABASE_URL = t.io.env.DATABASE_URL;
    try {
      expect(await runCli(['db', 'status'], t.io)).toBe(1);
    } finally {
      if (prev === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = prev;
    }
    expect(t.err).toHaveLength(1);
    expect(t.err[0]).toMatch(/^deepboard: error: /);
  });
});
