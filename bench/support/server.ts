import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BenchPlace } from './seed';

const root = path.resolve(import.meta.dirname, '..', '..');

/** The port the benchmark's web server listens on (BENCH_PORT, default 3222). */
export function benchPort(): number {
  return Number(process.env.BENCH_PORT ?? 3222);
}

export interface BenchServer {
  url: string;
  stop: () => Promise<void>;
}

/**
 * The production web server (bin/web.mjs, what `deepboard start` runs) over this checkout's build on the benchmark's database (the build must
 * exist: `npx next build`). Resolves once /api/health answers.
 */
export async function startServer(databaseUrl: string, log: (l: string) => void): Promise<BenchServer> {
  if (!existsSync(path.join(root, '.next', 'BUILD_ID'))) throw new Error('no production build: run `npx next build` first');
  const port = benchPort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'deepboard-bench-web-'));
  // BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the server.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const web: ChildProcess = spawn(process.execPath, [...nodeArgs, path.join(root, 'bin', 'web.mjs'), '-p', String(port), '-H', '127.0.0.1'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      DEEPBOARD_DATA_DIR: dataDir,
      AUTH_SECRET: 'bench-secret-not-for-production-use-0123456789',
      AUTH_TRUST_HOST: 'true',
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  web.stderr!.on('data', (d) => (stderr = (stderr + String(d)).slice(-2000)));
  const stop = async () => {
    if (web.exitCode === null) {
      const exited = new Promise((r) => web.once('exit', r));
      web.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (web.exitCode === null) web.kill('SIGKILL');
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (web.exitCode !== null) throw new Error(`the web server exited (${web.exitCode}): ${stderr.trim().split('\n').pop()}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the server on port ${port} did not answer /api/health within 60 s`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  log(`web server on ${url}`);
  return { url, stop };
}

/** Signs in through next-auth's credentials callback, as the sign-in form does; returns the Cookie header. */
export async function signIn(url: string, place: BenchPlace): Promise<string> {
  const csrfRes = await fetch(`${url}/api/auth/csrf`);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      jar.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
  };
  keep(csrfRes);
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await fetch(`${url}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie() },
    body: new URLSearchParams({ email: place.email, password: place.password, csrfToken, callbackUrl: `${url}/` }),
  });
  keep(res);
  if (![...jar.keys()].some((k) => k.includes('session-token'))) throw new Error(`sign-in failed (HTTP ${res.status})`);
  return cookie();
}

/** A tRPC query URL (GET, superjson-encoded input). */
export function trpcUrl(url: string, proc: string, input: unknown): string {
  return `${url}/api/trpc/${proc}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
}
