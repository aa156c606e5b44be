import { run as runQueue, type Logger, type Runner } from 'graphile-worker';
import pg from 'pg';
import { artifactStore } from '@/lib/artifacts/store';
import { CANCEL_CHANNEL } from '@/lib/channels';
import { failureStreak, ignoreError } from '@/lib/log';
import { createPrismaClient } from '@/lib/db/client';
import { env, validateEnv } from '@/lib/env';
import { REPORT_TASK, TRAIN_TASK, ZReportJob, ZTrainJob } from '@/lib/queue';
import { reapStaleRuns } from '@/lib/runs/reaper';
import { advanceRunningSweeps, advanceSweep, sweepUpkeep as sweepStreaks } from '@/lib/sweeps/scheduler';
import { handleReportJob } from './jobs/checkpoint-report';
import { loadBestBackend, workerKeyOf } from './backend';
import { handleTrainJob } from './jobs/train-run';
import { registerWorker } from './registration';

/**
 * The worker process: loads the best TensorFlow.js backend, registers itself, heartbeats, takes
 * training jobs from the graphile-worker queue one at a time, hears cancel requests through
 * LISTEN, reaps runs whose worker died, and on SIGINT/SIGTERM stops the current run after its
 * batch (queuing it again for another worker) before exiting.
 *
 * With `signal`, the caller owns shutdown instead of the process signals: aborting it stops the
 * worker the same way (e.g. the worker `deepboard train` runs in-process while it waits), and
 * `queueLogger` replaces graphile-worker's console logger (which writes to stdout).
 */
export async function runWorker(opts: { databaseUrl: string; name?: string; log?: (line: string) => void; signal?: AbortSignal; queueLogger?: Logger }): Promise<void> {
  // Settings are checked before anything loads (the CLI has already, for `deepboard worker`).
  validateEnv();
  const log = opts.log ?? ((line: string) => console.log(`[worker ${process.pid}] ${line}`));
  const backend = await loadBestBackend(env().DEEPBOARD_BACKEND);
  const skipped = backend.attempts.filter((a) => !a.ok).map((a) => `${a.backend} (${a.reason})`);
  log(
    `TensorFlow.js backends: ${backend.available.map((b) => b.name).join(', ')} (default ${backend.name} on ${backend.device}; autotuned per run)${skipped.length ? `; skipped ${skipped.join(', ')}` : ''}`,
  );

  const prisma = createPrismaClient(opts.databaseUrl);
  const registration = await registerWorker(prisma, backend, { name: opts.name ?? env().DEEPBOARD_WORKER_NAME, log });
  log(`registered as ${registration.id}`);

  // Cancel requests arrive by NOTIFY (the handler also polls the run row on every heartbeat).
  const canceled = new Set<string>();
  let listener = null as pg.Client | null;
  const listen = async () => {
    try {
      const c = new pg.Client({ connectionString: opts.databaseUrl });
      c.on('notification', (m) => m.payload && canceled.add(m.payload));
      c.on('error', () => {
        listener = null;
        setTimeout(() => void listen(), 1000).unref();
      });
      await c.connect();
      await c.query(`LISTEN ${CANCEL_CHANNEL}`);
      listener = c;
    } catch {
      setTimeout(() => void listen(), 2000).unref();
    }
  };
  await listen();

  let shuttingDown = false;
  const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 4 });
  pool.on('error', (err) => log(`queue connection error (reconnecting): ${err.message}`));
  // Errors of checked-out clients surface on their next query; the listener keeps them from crashing the process.
  pool.on('connect', (client) => client.on('error', () => {}));
  const runner: Runner = await runQueue({
    pgPool: pool,
    concurrency: 1,
    noHandleSignals: true,
    pollInterval: 1000,
    logger: opts.queueLogger,
    taskList: {
      [TRAIN_TASK]: async (payload) => {
        const job = ZTrainJob.parse(payload);
        await handleTrainJob(job, {
          prisma,
          store: artifactStore(),
          workerId: registration.id,
          backendName: backend.name,
          device: backend.device,
          versions: backend.versions,
          loaded: backend,
          workerKey: workerKeyOf(backend),
          cancelRequested: (runId) => canceled.has(runId),
          shuttingDown: () => shuttingDown,
          log,
          afterRun: async (run) => {
            if (!run.sweepId) return;
            const { queued } = await advanceSweep(prisma, run.sweepId);
            if (queued.length) log(`sweep ${run.sweepId}: queued ${queued.length} more run(s)`);
          },
        });
      },
      [REPORT_TASK]: async (payload) => {
        await handleReportJob(ZReportJob.parse(payload), { prisma, store: artifactStore(), log });
      },
    },
  });

  // Repeating upkeep: a failure (the database away) is logged once, then its recovery.
  const reaping = failureStreak('reaping stale runs', log);
  const sweeping = failureStreak('advancing running sweeps', log);
  const sweepUpkeep = sweepStreaks(log);
  const reaper = setInterval(() => {
    void reaping.run(async () => {
      const r = await reapStaleRuns(prisma);
      if (r.requeued.length) log(`requeued ${r.requeued.length} run(s) whose worker stopped responding`);
      if (r.failed.length) log(`failed ${r.failed.length} run(s) whose worker stopped responding`);
    });
    // Sweeps whose runs ended without a worker (a queued run canceled, a run failed by the reaper).
    void sweeping.run(() => advanceRunningSweeps(prisma, sweepUpkeep));
  }, 5000);
  reaper.unref();

  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      log(`${signal} received, shutting down`);
      shuttingDown = true;
      resolve();
    };
    if (opts.signal) {
      if (opts.signal.aborted) shutdown('stop request');
      else opts.signal.addEventListener('abort', () => shutdown('stop request'), { once: true });
      return;
    }
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });
  clearInterval(reaper);
  await runner.stop();
  await registration.stop();
  await listener?.end().catch(ignoreError('shutting down: the LISTEN connection may already be lost'));
  await pool.end().catch(ignoreError('shutting down: nothing is left to use the pool'));
  await prisma.$disconnect();
  log('stopped');
}
