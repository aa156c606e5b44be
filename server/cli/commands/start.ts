import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createPrismaClient } from '@/lib/db/client';
import { prepareDatabase } from '@/lib/db/setup';
import { env, settingsFrom } from '@/lib/env';
import { dataDir, projectRoot } from '@/lib/paths';
import { resolveDatabase } from '../../db/resolve';
import { DEMO, isFirstStart, seedDemo } from '../../services/seed';
import { parseCommandArgs } from '../args';
import type { CliCommand, CliIO } from '../types';

const require = createRequire(import.meta.url);

/** AUTH_SECRET from the environment, else one generated on first start and kept in the data folder. */
async function authSecret(): Promise<string> {
  const configured = env().AUTH_SECRET;
  if (configured) return configured;
  const file = path.join(dataDir(), 'auth-secret');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const secret = randomBytes(32).toString('base64url');
  await mkdir(dataDir(), { recursive: true, mode: 0o755 });
  await writeFile(file, secret + '\n', { mode: 0o600 });
  return secret;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'inherit', env, cwd: projectRoot() });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function waitForHealth(url: string, ms: number, children: ChildProcess[]): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (children.some((c) => c.exitCode !== null || c.signalCode !== null)) return false;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

function prefixed(child: ChildProcess, io: CliIO) {
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream?.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) io.stdout(line);
    });
  }
}

export const startCommand: CliCommand = {
  path: ['start'],
  summary: 'Start Deepboard: database (embedded without DATABASE_URL), migrations, web app and one worker',
  usage: 'deepboard start [--no-worker] [--no-seed]',
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { 'no-worker': { type: 'boolean' }, 'no-seed': { type: 'boolean' } }, this.usage);
    const settings = settingsFrom(io.env);
    const webPort = settings.PORT;
    const log = (l: string) => io.stdout(`[deepboard] ${l}`);

    const db = await resolveDatabase({ startIfNeeded: true, attach: false, log });
    log(db.kind === 'embedded' ? `embedded PostgreSQL running, data in ${dataDir()}` : 'using the database in DATABASE_URL');

    const children: ChildProcess[] = [];
    let shuttingDown: Promise<void> | null = null;
    const shutdown = (reason: string) => {
      shuttingDown ??= (async () => {
        log(`stopping (${reason})`);
        const exits = children
          .filter((c) => c.exitCode === null && c.signalCode === null)
          .map(
            (c) =>
              new Promise<void>((resolve) => {
                c.once('exit', () => resolve());
                c.kill('SIGTERM');
                setTimeout(() => c.kill('SIGKILL'), 15_000).unref();
              }),
          );
        await Promise.all(exits);
        await db.stop();
        log('stopped');
      })();
      return shuttingDown;
    };
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const stopped = new Promise<number>((resolve) => {
      for (const s of signals) process.once(s, () => void shutdown(s).then(() => resolve(0)));
    });

    try {
      const res = await prepareDatabase(db.url, { log });
      if (!res.applied.length) log(`database is up to date (${res.alreadyApplied} migration(s))`);
      const prisma = createPrismaClient(db.url);
      let seeded = false;
      try {
        if (!values['no-seed'] && settings.DEEPBOARD_SEED && (await isFirstStart(prisma))) seeded = await seedDemo(prisma);
      } finally {
        await prisma.$disconnect();
      }
      if (seeded) log(`first start: created the demo team "${DEMO.team.name}"`);

      const env: NodeJS.ProcessEnv = {
        ...io.env,
        DATABASE_URL: db.url,
        AUTH_SECRET: await authSecret(),
        AUTH_TRUST_HOST: 'true',
        NODE_ENV: 'production',
        PORT: String(webPort),
        DEEPBOARD_ROOT: projectRoot(),
        NEXT_TELEMETRY_DISABLED: '1',
      };
      const nextBin = require.resolve('next/dist/bin/next');
      if (!existsSync(path.join(projectRoot(), '.next', 'BUILD_ID'))) {
        log('building the web app (first start only; about a minute)…');
        const code = await run(process.execPath, [nextBin, 'build'], env);
        if (code !== 0) throw new Error(`the web app build failed (exit code ${code})`);
      }
      if (shuttingDown) return await stopped;

      const watch = path.join(projectRoot(), 'bin', 'with-parent-watch.mjs');
      const webBin = path.join(projectRoot(), 'bin', 'web.mjs');
      const web = spawn(process.execPath, [watch, String(process.pid), webBin, '-p', String(webPort), ...(settings.HOSTNAME_BIND ? ['-H', settings.HOSTNAME_BIND] : [])], {
        env,
        cwd: projectRoot(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(web);
      prefixed(web, io);
      if (!values['no-worker']) {
        const worker = spawn(process.execPath, [watch, String(process.pid), path.join(projectRoot(), 'bin', 'deepboard.mjs'), 'worker'], {
          env,
          cwd: projectRoot(),
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        children.push(worker);
        prefixed(worker, io);
      }
      for (const c of children) {
        c.once('exit', (code, signal) => {
          if (!shuttingDown) {
            log(`a child process exited unexpectedly (code ${code ?? signal}); stopping everything`);
            void shutdown('child exited').then(() => process.exit(1));
          }
        });
      }

      const base = `http://localhost:${webPort}`;
      if (await waitForHealth(`${base}/api/health`, 120_000, children)) {
        io.stdout('');
        io.stdout(`  Deepboard is running at ${base}`);
        io.stdout(`  Demo sign-in: ${DEMO.users[0]!.email} (or ${DEMO.users[1]!.email}), password ${DEMO.password}`);
        io.stdout(`  Data: ${db.kind === 'embedded' ? dataDir() : 'DATABASE_URL'} · Stop with Ctrl-C`);
        io.stdout('');
      } else if (!shuttingDown) {
        log(`the web app did not report healthy at ${base}/api/health within 2 minutes`);
      }
      return await stopped;
    } catch (err) {
      await shutdown('error');
      throw err;
    }
  },
};
