import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withSettingsTable } from '@/bin/gen-env-table';
import { SETTINGS, numericSettings, type SettingName } from '@/lib/env';

/**
 * Must-show 3 of issue 17: a bad value of any numeric setting stops `deepboard start`, the worker
 * and a CLI command at once (the web server too: one case below) — exit code 2, one line on
 * stderr naming the variable, nothing built or started — and the README's table is the one
 * lib/env.ts generates. The settings come from lib/env.ts, so a new numeric setting is covered
 * without touching this file.
 */
const root = path.resolve(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'deepboard-settings-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a real process; one that is still running after `ms` is killed (by its pid) and fails the test. */
function runProcess(args: string[], env: NodeJS.ProcessEnv, ms = 30_000): Promise<Exit> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} still running after ${ms} ms:\n${stdout}\n${stderr}`));
    }, ms);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Runs the tasks a few at a time (each is a Node process starting tsx). */
async function limited<T>(tasks: (() => Promise<T>)[], concurrency = 4): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]!();
      }
    }),
  );
  return results;
}

const processes = {
  'deepboard start': ['bin/deepboard.mjs', 'start', '--no-seed'],
  'deepboard worker': ['bin/deepboard.mjs', 'worker'],
  'deepboard db status': ['bin/deepboard.mjs', 'db', 'status'],
} as const;

/** Kinds of bad number, taken in turn so that each appears across the settings. */
function badValues(min: number, max: number): string[] {
  return [`${min}MB`, String(max + 1), '', 'abc', '-1', '1e400', `${min}.5`, `${min}mb`].concat(min > 0 ? ['0'] : []);
}

describe('a bad numeric setting stops every process before it starts anything', () => {
  const numeric = numericSettings();
  const cases = numeric.flatMap(({ name, min, max }, i) =>
    Object.entries(processes).map(([label, args], j) => {
      const values = badValues(min, max);
      return { name, label, args: [...args], value: values[(i + j) % values.length]! };
    }),
  );

  it('declares the numeric settings the issue names', () => {
    const names = numeric.map((s) => s.name);
    for (const name of [
      'DEEPBOARD_MAX_UPLOAD_MB',
      'DEEPBOARD_MAX_BODY_MB',
      'DEEPBOARD_RUN_STALE_MS',
      'INVITATION_TTL_HOURS',
      'PORT',
      'DEEPBOARD_PG_PORT',
      'DEEPBOARD_WEB_PROCESSES',
    ] as SettingName[]) {
      expect(names).toContain(name);
    }
  });

  it(`${cases.length} processes (each numeric setting × start, worker, a command) exit 2 with one line naming the variable`, async () => {
    const results = await limited(
      cases.map((c, k) => async () => {
        const dataDir = path.join(scratch, `case-${k}`);
        const env = { ...process.env, DEEPBOARD_DATA_DIR: dataDir, [c.name]: c.value };
        return { ...c, dataDir, exit: await runProcess(c.args, env) };
      }),
    );
    for (const r of results) {
      const what = `${r.label} with ${r.name}=${JSON.stringify(r.value)}: ${r.exit.stdout}${r.exit.stderr}`;
      expect(r.exit.code, what).toBe(2);
      const lines = r.exit.stderr.split('\n').filter((l) => l !== '');
      expect(lines, what).toHaveLength(1);
      expect(lines[0], what).toMatch(new RegExp(`^deepboard: ${r.name}=`));
      expect(lines[0], what).toMatch(/expected a (whole|port) number/);
      expect(r.exit.stderr, what).not.toMatch(/\n\s+at /);
      expect(r.exit.stdout, what).toBe('');
      // Nothing was started: no embedded database, no secret, no build.
      expect(existsSync(r.dataDir), what).toBe(false);
    }
  });

  it('the web server checks them too, before it forks a server process', async () => {
    const exit = await runProcess(['bin/web.mjs', '-p', '3299'], { ...process.env, DEEPBOARD_MAX_BODY_MB: '4mb' });
    expect(exit.code).toBe(2);
    expect(exit.stderr).toBe('deepboard web: DEEPBOARD_MAX_BODY_MB=4mb: expected a whole number of megabytes between 1 and 1024\n');
  });

  it('other kinds of setting are checked too: enums, URLs (without echoing secrets), flags', async () => {
    const [backend, database, flag] = await limited([
      () => runProcess(['bin/deepboard.mjs', 'worker'], { ...process.env, DEEPBOARD_BACKEND: 'cuda' }),
      () => runProcess(['bin/deepboard.mjs', 'db', 'status'], { ...process.env, DATABASE_URL: 'mysql://root:hunter2@db/deepboard' }),
      () => runProcess(['bin/deepboard.mjs', 'start'], { ...process.env, DEEPBOARD_SEED: 'maybe' }),
    ]);
    expect(backend!.code).toBe(2);
    expect(backend!.stderr.trim()).toBe('deepboard: DEEPBOARD_BACKEND=cuda: expected one of auto, node-gpu, webgpu, node, wasm, cpu');
    expect(database!.code).toBe(2);
    expect(database!.stderr.trim()).toBe('deepboard: DATABASE_URL: expected a postgresql:// or postgres:// URL (value not shown)');
    expect(flag!.code).toBe(2);
    expect(flag!.stderr.trim()).toBe('deepboard: DEEPBOARD_SEED=maybe: expected 1 or 0 (also on/off, true/false, yes/no)');
  });
});

describe("the README's configuration table", () => {
  it('equals the one generated from lib/env.ts (`npm run docs:env` rewrites it)', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(readme).toBe(withSettingsTable(readme));
    for (const name of Object.keys(SETTINGS)) expect(readme).toContain(`| \`${name}\` |`);
  });
});
