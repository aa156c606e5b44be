import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { inject } from 'vitest';
import { prisma } from '@/lib/db/client';
import { callerFor, makeArchitecture, makeDataset, makeRun, makeWorkspace } from '../helpers/factories';

const root = path.resolve(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);

/** A team with a project, a synthetic loans dataset and an MLP for it: what a long run needs. */
export async function trainingFixture(rows = 3000) {
  const t = await makeWorkspace({ project: 'Chaos' });
  const api = callerFor(t.owner);
  const ds = await makeDataset(t, { name: 'Loans', loans: { rows, seed: 5 } });
  const arch = await makeArchitecture(t, { name: 'MLP', inputs: ds.inputs });
  const createRun = (epochs: number, batchSize = 16) => makeRun(t, { architectureId: arch.id, datasetId: ds.datasetId, config: { epochs, batchSize, batchMetricThrottleMs: 0, seed: 3 } });
  return { ...t, api, projectId: t.project.id, createRun };
}

export interface Point {
  key: string;
  context: string;
  step: number;
  epoch: number | null;
  value: number;
}

/** Every metric point of a run (system metrics aside: they are sampled by wall-clock time). */
export async function pointsOf(runId: string): Promise<Point[]> {
  return prisma.$queryRaw<Point[]>`
    SELECT s.key, s.context, p.step, p.epoch, p.value
    FROM "MetricPoint" p JOIN "MetricSeries" s ON s.id = p."seriesId"
    WHERE s."runId" = ${runId} AND s.context <> 'system'
    ORDER BY s.context, s.key, p.step`;
}

export const pointKey = (p: Point) => `${p.context}/${p.key}@${p.step}`;

/**
 * The completeness check of a finished supervised run: every epoch-level series has exactly one
 * point per epoch 1..epochs, and every batch series one point per step 1..lastStep (with
 * batchMetricThrottleMs 0 each batch logs). Returns the problems found (empty when whole).
 */
export function completenessProblems(points: Point[], epochs: number): string[] {
  const problems: string[] = [];
  const series = new Map<string, number[]>();
  for (const p of points) {
    const k = `${p.context}/${p.key}`;
    if (!series.has(k)) series.set(k, []);
    series.get(k)!.push(p.step);
  }
  for (const [k, steps] of series) {
    if (k.startsWith('test/')) continue;
    const expected = k.startsWith('train/batch/') ? steps.length && Math.max(...steps) : epochs;
    const want = Array.from({ length: expected }, (_, i) => i + 1);
    const have = [...steps].sort((a, b) => a - b);
    if (new Set(have).size !== have.length) problems.push(`${k}: duplicated steps`);
    const missing = want.filter((s) => !have.includes(s));
    if (missing.length) problems.push(`${k}: missing steps ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ' …' : ''}`);
    const extra = have.filter((s) => s < 1 || s > expected);
    if (extra.length) problems.push(`${k}: unexpected steps ${extra.slice(0, 10).join(', ')}`);
  }
  return problems;
}

export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms: number, everyMs = 100): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The test database's URL with an application_name, so a test can find one process's connections. */
export function databaseUrlNamed(name: string): string {
  const u = new URL(inject('databaseUrl'));
  u.searchParams.set('application_name', name);
  return u.toString();
}

export interface WebServer {
  url: string;
  child: ChildProcess;
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

/** `next build` unless a build exists (a clean clone has none; it takes a minute or more). */
export async function ensureBuilt(): Promise<void> {
  if (existsSync(path.join(root, '.next', 'BUILD_ID'))) return;
  const nextBin = require.resolve('next/dist/bin/next');
  await new Promise<void>((resolve, reject) => {
    const b = spawn(process.execPath, [nextBin, 'build'], { cwd: root, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }, stdio: 'inherit' });
    b.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`next build failed (${code})`))));
  });
}

/** The production web server (bin/web.mjs, what `deepboard start` runs) on the test database. */
export async function startWebServer(port: number, env: Record<string, string> = {}): Promise<WebServer> {
  const child = spawn(process.execPath, [path.join(root, 'bin', 'web.mjs'), '-p', String(port), '-H', '127.0.0.1'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: inject('databaseUrl'),
      AUTH_SECRET: 'chaos-secret-not-for-production-0123456789',
      AUTH_TRUST_HOST: 'true',
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  await until(
    `the web server on ${port}\n${out}`,
    async () => {
      if (child.exitCode !== null) throw new Error(`the web server exited (${child.exitCode}): ${out.slice(-2000)}`);
      return fetch(`${url}/api/health`).then(
        (r) => r.ok,
        () => false,
      );
    },
    120_000,
    200,
  );
  return {
    url,
    child,
    output: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Signs in through next-auth's credentials flow over HTTP; returns the session cookie header. */
export async function signInOverHttp(base: string, email: string, password: string, headers: Record<string, string> = {}) {
  const csrf = await fetch(`${base}/api/auth/csrf`, { headers });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const jar = csrf.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', cookie: jar },
    body: new URLSearchParams({ email, password, csrfToken, callbackUrl: `${base}/` }),
  });
  const setCookies = res.headers.getSetCookie();
  const session = setCookies.find((c) => /authjs\.session-token=/.test(c));
  if (!session) throw new Error(`sign-in failed: ${res.status} ${setCookies.join(' | ')}`);
  return { cookie: session.split(';')[0]!, setCookie: session };
}
