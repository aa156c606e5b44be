import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { inject } from 'vitest';
import { prisma } from '@/lib/db/client';

const root = path.resolve(import.meta.dirname, '..', '..');

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/** A real worker process (`deepboard worker`) on the test database. */
export function startWorker(env: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, [path.join(root, 'bin', 'deepboard.mjs'), 'worker'], {
    env: { ...process.env, DATABASE_URL: inject('databaseUrl'), DEEPBOARD_HEARTBEAT_MS: '1000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export async function waitForRun(runId: string, statuses: string[], ms = 120_000, worker?: WorkerProcess) {
  const end = Date.now() + ms;
  for (;;) {
    const run = await prisma.run.findUniqueOrThrow({ where: { id: runId } });
    if (statuses.includes(run.status)) return run;
    if (Date.now() > end) throw new Error(`run ${runId} is ${run.status} after ${ms} ms, waiting for ${statuses.join('/')}\n${worker?.output().slice(-3000) ?? ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
