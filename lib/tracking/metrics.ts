import { Prisma, type PrismaClient } from '@prisma/client';
import { z } from 'zod';

/**
 * The one write path for metrics (like MLflow's log_batch): the worker, the REST API and the SDK
 * all call logMetrics. A batch is written in one transaction: series rows are upserted, points
 * are inserted idempotently (unique on series and step: a re-sent batch changes nothing), and the
 * per-series summary (last, min, max, last step, count) is maintained so run lists never scan the
 * history. A NOTIFY tells live views which series moved.
 */

export const METRIC_CONTEXTS = ['train', 'validation', 'test', 'system'] as const;

export const ZMetricPoint = z.object({
  key: z
    .string()
    .min(1)
    .max(250)
    .regex(/^[A-Za-z0-9_.\-/ ]+$/, 'metric names use letters, digits, _ . - / and spaces'),
  context: z.enum(METRIC_CONTEXTS).default('train'),
  step: z.int().min(0).max(2_147_483_647),
  // NaN and ±Infinity are allowed: a diverging loss is worth recording.
  value: z.custom<number>((v) => typeof v === 'number', 'value must be a number'),
  epoch: z.int().min(0).optional(),
  wallTime: z.coerce.date().optional(),
});
export type MetricPointInput = z.input<typeof ZMetricPoint>;

export const ZMetricBatch = z.array(ZMetricPoint).max(100_000, 'at most 100 000 points per batch');

export const METRICS_CHANNEL = 'deepboard_metrics';

export interface LogMetricsResult {
  inserted: number;
  series: number;
}

type Db = Pick<PrismaClient, '$transaction'>;

export async function logMetrics(db: Db, runId: string, input: MetricPointInput[]): Promise<LogMetricsResult> {
  const points = ZMetricBatch.parse(input);
  if (points.length === 0) return { inserted: 0, series: 0 };

  // Dedupe within the batch: the last point for a (key, context, step) wins.
  const byKey = new Map<string, Map<number, (typeof points)[number]>>();
  for (const p of points) {
    const k = `${p.context}\u0000${p.key}`;
    let m = byKey.get(k);
    if (!m) byKey.set(k, (m = new Map()));
    m.set(p.step, p);
  }
  const keys = [...byKey.keys()].map((k) => k.split('\u0000') as [string, string]);

  return db.$transaction(async (tx) => {
    const ids = await tx.$queryRaw<Array<{ id: bigint; key: string; context: string }>>`
      INSERT INTO "MetricSeries" ("runId", "key", "context")
      SELECT ${runId}, k, c FROM unnest(${keys.map((k) => k[1])}::text[], ${keys.map((k) => k[0])}::text[]) AS t(k, c)
      ON CONFLICT ("runId", "key", "context") DO UPDATE SET "updatedAt" = now()
      RETURNING id, "key", "context"`;
    const idOf = new Map(ids.map((r) => [`${r.context}\u0000${r.key}`, r.id]));

    const seriesIds: bigint[] = [];
    const steps: number[] = [];
    // Sent as text: the driver adapter serialises arrays as JSON, which has no NaN or Infinity,
    // while Postgres parses 'NaN' and 'Infinity' as float8. String(x) round-trips every double.
    const values: string[] = [];
    const epochs: Array<number | null> = [];
    const times: Date[] = [];
    const now = new Date();
    for (const [k, m] of byKey) {
      const id = idOf.get(k)!;
      for (const p of m.values()) {
        seriesIds.push(id);
        steps.push(p.step);
        values.push(String(p.value));
        epochs.push(p.epoch ?? null);
        times.push(p.wallTime ?? now);
      }
    }
    const inserted = await tx.$queryRaw<Array<{ seriesId: bigint; n: bigint }>>`
      WITH ins AS (
        INSERT INTO "MetricPoint" ("seriesId", "step", "value", "epoch", "wallTime")
        SELECT * FROM unnest(${seriesIds}::bigint[], ${steps}::int[], ${values}::text[]::float8[], ${epochs}::int[], ${times}::timestamptz[])
        ON CONFLICT ("seriesId", "step") DO NOTHING
        RETURNING "seriesId"
      )
      SELECT "seriesId", count(*)::bigint AS n FROM ins GROUP BY "seriesId"`;

    // Summaries from the batch, merged into the stored ones. min/max/last are idempotent; count
    // grows only by newly inserted points.
    await tx.$executeRaw`
      WITH b AS (
        SELECT s AS sid, min(v) AS mn, max(v) AS mx, max(st) AS last_step,
               (array_agg(v ORDER BY st DESC))[1] AS last_value
        FROM unnest(${seriesIds}::bigint[], ${steps}::int[], ${values}::text[]::float8[]) AS t(s, st, v)
        GROUP BY s
      ), n AS (
        SELECT * FROM unnest(${inserted.map((r) => r.seriesId)}::bigint[], ${inserted.map((r) => r.n)}::bigint[]) AS t(sid, n)
      )
      UPDATE "MetricSeries" m SET
        "min" = CASE WHEN m."min" IS NULL OR b.mn < m."min" THEN b.mn ELSE m."min" END,
        "max" = CASE WHEN m."max" IS NULL OR b.mx > m."max" THEN b.mx ELSE m."max" END,
        "last" = CASE WHEN m."lastStep" IS NULL OR b.last_step >= m."lastStep" THEN b.last_value ELSE m."last" END,
        "lastStep" = GREATEST(COALESCE(m."lastStep", b.last_step), b.last_step),
        "count" = m."count" + COALESCE(n.n, 0)::int,
        "updatedAt" = now()
      FROM b LEFT JOIN n ON n.sid = b.sid
      WHERE m.id = b.sid`;

    await tx.$executeRaw`SELECT pg_notify(${METRICS_CHANNEL}, ${JSON.stringify({ runId, series: ids.map((r) => String(r.id)) })})`;
    return { inserted: inserted.reduce((a, r) => a + Number(r.n), 0), series: ids.length };
    // Under load (hundreds of concurrent loggers on a pool of ten) a batch waits its turn for a
    // connection instead of failing after Prisma's default 2 s.
  }, TRANSACTION_OPTIONS);
}

const TRANSACTION_OPTIONS = { maxWait: 30_000, timeout: 30_000 };

export { Prisma };

/**
 * A resumed run repeats the steps after its checkpoint: drop the points logged past it (per
 * series kind) and recompute the summaries, so nothing is duplicated and nothing before the
 * checkpoint is lost.
 */
export async function truncateRunMetrics(db: Db, runId: string, cutoff: { batchStep: number; epoch: number }): Promise<number> {
  return db.$transaction(async (tx) => {
    const deleted = await tx.$executeRaw`
      DELETE FROM "MetricPoint" p USING "MetricSeries" s
      WHERE p."seriesId" = s.id AND s."runId" = ${runId} AND s.context <> 'system'
        AND p.step > CASE WHEN s.key LIKE 'batch/%' THEN ${cutoff.batchStep}::int ELSE ${cutoff.epoch}::int END`;
    await tx.$executeRaw`
      UPDATE "MetricSeries" s SET
        "min" = a.mn, "max" = a.mx, "lastStep" = a.ls, "count" = a.n,
        "last" = (SELECT value FROM "MetricPoint" WHERE "seriesId" = s.id AND step = a.ls),
        "updatedAt" = now()
      FROM (SELECT "seriesId", min(value) mn, max(value) mx, max(step) ls, count(*)::int n FROM "MetricPoint"
            WHERE "seriesId" IN (SELECT id FROM "MetricSeries" WHERE "runId" = ${runId}) GROUP BY "seriesId") a
      WHERE a."seriesId" = s.id AND s."runId" = ${runId}`;
    return deleted;
  });
}

/** Buffers points and writes them through logMetrics in batches (by size or every `intervalMs`). */
export class MetricBuffer {
  private points: MetricPointInput[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private lastError: unknown = null;

  constructor(
    private readonly db: Db,
    private readonly runId: string,
    private readonly opts: { intervalMs?: number; maxPoints?: number; onError?: (err: unknown) => void } = {},
  ) {}

  add(...points: MetricPointInput[]): void {
    this.points.push(...points);
    if (this.points.length >= (this.opts.maxPoints ?? 5000)) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.opts.intervalMs ?? 250);
  }

  /** Writes everything buffered so far; resolves when it is stored. Retries a failed write later. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.points;
    this.points = [];
    this.flushing = this.flushing.then(async () => {
      if (!batch.length) return;
      try {
        await logMetrics(this.db, this.runId, batch);
        this.lastError = null;
      } catch (err) {
        // Keep the points (writes are idempotent) and try again with the next flush.
        this.points.unshift(...batch);
        this.lastError = err;
        this.opts.onError?.(err);
        this.timer ??= setTimeout(() => void this.flush(), 1000);
      }
    });
    return this.flushing;
  }

  /**
   * Flushes until everything buffered so far is stored, retrying a failed write (a dropped
   * connection, a database restart) every half second; throws after `timeoutMs`. For the points
   * a later step relies on: a checkpoint promises every point up to it is stored, and a finished
   * run must not lose its last ones.
   */
  async drain(timeoutMs = 60_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      await this.flush();
      if (this.lastError === null) return;
      if (Date.now() > end) {
        throw new Error(`could not store ${this.points.length} metric points for ${Math.round(timeoutMs / 1000)} s: ${(this.lastError as Error).message?.split('\n')[0]}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
