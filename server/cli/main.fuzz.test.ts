import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counter, FUZZ_RUNS, fuzzParams } from '@/tests/helpers/fuzz';
import { commands, runCli } from './main';
import type { CliIO } from './types';

/**
 * Fuzzing the `deepboard` command line: bad usage — unknown commands, unknown or malformed
 * options, stray arguments, unreadable or malformed input files — always exits 2 with exactly
 * one line on stderr and nothing on stdout; never a stack trace, never another exit code.
 */

function io(cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: { NODE_ENV: 'test' } as NodeJS.ProcessEnv, cwd };
  return { io: value, out, err };
}

function expectUsageExit(code: number, t: ReturnType<typeof io>, argv: string[]) {
  expect({ code, err: t.err }, JSON.stringify(argv)).toMatchObject({ code: 2 });
  expect(t.err).toHaveLength(1);
  expect(t.err[0]).toMatch(/^deepboard: [^\n\r]+$/);
  expect(t.err[0]).not.toMatch(/\s+at .+:\d+:\d+/);
  expect(t.out).toHaveLength(0);
}

const commandWords = new Set(commands.flatMap((c) => c.path).concat(['help', '--help', '-h', '--version', '-v', 'version']));
// Tokens that switch to help or end option parsing are legitimate ways to succeed; the fuzz keeps
// to input that must be refused.
const benign = new Set(['--help', '-h', '--']);
const token = fc
  .oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom('--json', '--label', '--epochs', '--seed', '--csv', '--pred', '--score', '--threshold', '--sensitive', '-x', '---', '-', '--=', '--label=', '=x', 'a\nb', '\u0000', '--no-worker'),
  )
  .filter((t) => !benign.has(t));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'deepboard-cli-fuzz-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('CLI argument fuzzing', () => {
  it('refuses unknown commands with exit 2 and one line', async () => {
    const cases = counter();
    await fc.assert(
      fc.asyncProperty(
        fc.array(token, { minLength: 1, maxLength: 5 }).filter((a) => !commandWords.has(a[0]!)),
        async (argv) => {
          cases.tick();
          const t = io(dir);
          expectUsageExit(await runCli(argv, t.io), t, argv);
        },
      ),
      fuzzParams(),
    );
    expect(cases.count).toBeGreaterThanOrEqual(FUZZ_RUNS);
  });

  it('refuses every command given an unknown option among random arguments, before doing anything', async () => {
    const cases = counter();
    const argvFor = fc.record({
      command: fc.constantFrom(...commands),
      tokens: fc.array(token, { maxLength: 5 }),
      unknown: fc.stringMatching(/^[a-z][a-z-]{0,10}$/).map((s) => `--zz-${s}`),
      at: fc.nat(),
    });
    await fc.assert(
      fc.asyncProperty(argvFor, async ({ command, tokens, unknown, at }) => {
        cases.tick();
        const rest = [...tokens];
        rest.splice(at % (rest.length + 1), 0, unknown);
        const argv = [...command.path, ...rest];
        const t = io(dir);
        expectUsageExit(await runCli(argv, t.io), t, argv);
      }),
      fuzzParams(),
    );
    expect(cases.count).toBeGreaterThanOrEqual(FUZZ_RUNS);
  });

  it('arch summary: any file content summarises (exit 0) or is refused with exit 2 and one line', async () => {
    const cases = counter();
    const file = path.join(dir, 'arch.json');
    const content = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
      fc.constantFrom('{"kind":"sequential","version":1,"layers":[{"type":"input","shape":[4]},{"type":"dense","units":3}]}', '{"kind":', '{"class_name":"Sequential","config":{"layers":[]}}'),
    );
    await fc.assert(
      fc.asyncProperty(content, fc.boolean(), async (bytes, json) => {
        cases.tick();
        await writeFile(file, bytes);
        const argv = ['arch', 'summary', file, ...(json ? ['--json'] : [])];
        const t = io(dir);
        const code = await runCli(argv, t.io);
        if (code !== 0) expectUsageExit(code, t, argv);
      }),
      fuzzParams(),
    );
    expect(cases.count).toBeGreaterThanOrEqual(FUZZ_RUNS);
  });

  it('dataset profile: any CSV content profiles (exit 0) or is refused with exit 2 and one line', async () => {
    const cases = counter();
    const file = path.join(dir, 'data.csv');
    const chars = ['a', 'b', 'y', ',', ';', '"', '\n', '1', '0', '.', ' ', 'NA', 'yes', 'no', '\r\n', 'é'];
    const content = fc.oneof(
      fc.array(fc.constantFrom(...chars), { maxLength: 80 }).map((p) => `a,b,y\n${p.join('')}`),
      fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
    );
    await fc.assert(
      fc.asyncProperty(content, fc.constantFrom('y', 'b', 'missing'), fc.option(fc.constantFrom('a', 'a,b', 'y', 'zz', ',')), async (bytes, label, sensitive) => {
        cases.tick();
        await writeFile(file, bytes);
        const argv = ['dataset', 'profile', file, '--label', label, ...(sensitive === null ? [] : ['--sensitive', sensitive]), '--json'];
        const t = io(dir);
        const code = await runCli(argv, t.io);
        if (code !== 0) expectUsageExit(code, t, argv);
      }),
      fuzzParams(),
    );
    expect(cases.count).toBeGreaterThanOrEqual(FUZZ_RUNS);
  });
});
