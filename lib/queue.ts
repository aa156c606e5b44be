import { Prisma } from '@prisma/client';
import { runMigrations } from 'graphile-worker';
import { z } from 'zod';

/**
 * The training queue: graphile-worker on the same Postgres. Jobs are added with SQL
 * (graphile_worker.add_job) inside the transaction that creates or requeues the run, so a run
 * and its job exist together or not at all. Any number of workers on any machines share it.
 */
export const TRAIN_TASK = 'train';

/** A job names the run and the attempt it was queued for; a stale job (older attempt) is a no-op. */
export const ZTrainJob = z.object({ runId: z.string().min(1), attempt: z.int().min(0) });
export type TrainJob = z.infer<typeof ZTrainJob>;

/** Creates or upgrades graphile-worker's schema (idempotent; run by `deepboard db migrate`). */
export async function installQueueSchema(connectionString: string): Promise<void> {
  await runMigrations({ connectionString });
}

/**
 * SQL that enqueues a training job. Run priority: higher runs first; graphile-worker runs lower
 * numbers first, hence the negation.
 */
export function enqueueTrainSql(job: TrainJob, priority = 0): Prisma.Sql {
  return Prisma.sql`SELECT 1 FROM graphile_worker.add_job(
    ${TRAIN_TASK}::text,
    ${JSON.stringify(job)}::json,
    job_key := ${`${job.runId}:${job.attempt}`}::text,
    priority := ${-priority}::int,
    max_attempts := 1
  )`;
}

/** Reports (evaluation, fairness, explainability) for one checkpoint, computed on demand. */
export const REPORT_TASK = 'checkpoint-report';
export const ZReportJob = z.object({ checkpointId: z.string().min(1), requestedAt: z.string() });
export type ReportJob = z.infer<typeof ZReportJob>;

export function enqueueReportSql(job: ReportJob): Prisma.Sql {
  return Prisma.sql`SELECT 1 FROM graphile_worker.add_job(
    ${REPORT_TASK}::text,
    ${JSON.stringify(job)}::json,
    job_key := ${`report:${job.checkpointId}`}::text,
    max_attempts := 1
  )`;
}
