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

type Db = Pick<PrismaClient, '$transaction' | '$queryRaw' | '$executeRaw'>;

/** The chart tiers' bucket widths (MetricTier); each nests exactly inside the next. */
export const TIER_WIDTHS = [32, 256, 2048, 16384, 131072] as const;
const TIER_WIDTHS_SQL = `{${TIER_WIDTHS.join(',')}}`;

const KEY_PATTERN = /^[A-Za-z0-9_.\-/ ]+$/;
const CONTEXTS = new Set<string>(METRIC_CONTEXTS);
type ParsedPoint = z.output<typeof ZMetricPoint>;

/**
 * The batch checked without zod in the common case (plain numbers, known contexts); anything
 * unusual (a date string to coerce, a bad key) goes through the schema, which also words the
 * error. Same result as ZMetricBatch.parse at a fraction of its cost on 5 000-point batches.
 */
function parseBatch(input: MetricPointInput[]): ParsedPoint[] {
  if (!Array.isArray(input) || input.length > 100_000) return ZMetricBatch.parse(input);
  const goodKeys = new Set<string>();
  for (const p of input) {
    if (typeof p !== 'object' || p === null) return ZMetricBatch.parse(input);
    const { key, context, step, value, epoch, wallTime } = p;
    if (!goodKeys.has(key)) {
      if (typeof key !== 'string' || key.length < 1 || key.length > 250 || !KEY_PATTERN.test(key)) return ZMetricBatch.parse(input);
      goodKeys.add(key);
    }
    if (context !== undefined && !CONTEXTS.has(context)) return ZMetricBatch.parse(input);
    if (!Number.isInteger(step) || step < 0 || step > 2_147_483_647 || typeof value !== 'number') return ZMetricBatch.parse(input);
    if (epoch !== undefined && (!Number.isInteger(epoch) || epoch < 0)) return ZMetricBatch.parse(input);
    if (wallTime !== undefined && !(wallTime instanceof Date && Number.isFinite(wallTime.getTime()))) return ZMetricBatch.parse(input);
  }
  return input as ParsedPoint[];
}

/**
 * A Postgres array literal. Each column goes as one text parameter that Postgres parses: far
 * cheaper than a parameter per value, and it carries NaN and ±Infinity, which JSON cannot.
 */
function arrayLiteral(values: ArrayLike<number | string | boolean | null>, quote = false): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    parts[i] = v === null ? 'NULL' : quote ? `"${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : String(v);
  }
  return `{${parts.join(',')}}`;
}

/** a < b in Postgres's float8 order (NaN above everything, NaN = NaN). */
function pgBelow(a: number, b: number): boolean {
  if (Number.isNaN(a)) return false;
  if (Number.isNaN(b)) return true;
  return a < b;
}

/**
 * Tier rows from `x` (a query of "seriesId", width, bucket, step, value, epoch, "wallTime"): per
 * series, width and bucket, the count and the lowest and highest point (earliest step on ties).
 */
function tierRowsSql(x: Prisma.Sql): Prisma.Sql {
  // Arrays compare element by element: [value, step] finds the lowest value's earliest step, and
  // [value, -step] the highest value's earliest step, in one pass with no sort.
  return Prisma.sql`
    SELECT "seriesId", width, bucket, n, lo[2]::int, lo[1], lo[3]::int, '1970-01-01'::timestamp + lo[4] * interval '1 millisecond',
           (-hi[2])::int, hi[1], hi[3]::int, '1970-01-01'::timestamp + hi[4] * interval '1 millisecond'
    FROM (
      SELECT "seriesId", width, bucket, count(*)::int AS n,
             min(ARRAY[value, step::float8, epoch::float8, (extract(epoch FROM "wallTime") * 1000)::float8]) AS lo,
             max(ARRAY[value, -step::float8, epoch::float8, (extract(epoch FROM "wallTime") * 1000)::float8]) AS hi
      FROM (${x}) x GROUP BY 1, 2, 3
    ) g`;
}

const TIER_COLUMNS = Prisma.raw(`"seriesId", width, bucket, count, "minStep", "minValue", "minEpoch", "minTime", "maxStep", "maxValue", "maxEpoch", "maxTime"`);

/**
 * Recomputes the tiers of the given series over step ranges [from, to] from the stored points:
 * every bucket of every width that overlaps its range is replaced.
 */
async function recomputeTiers(db: Pick<PrismaClient, '$executeRaw'>, ranges: Array<{ seriesId: bigint; from: number; to: number }>): Promise<void> {
  if (!ranges.length) return;
  const ids = arrayLiteral(ranges.map((r) => String(r.seriesId)));
  const froms = arrayLiteral(ranges.map((r) => r.from));
  const tos = arrayLiteral(ranges.map((r) => r.to));
  await db.$executeRaw`
    DELETE FROM "MetricTier" t USING unnest(${ids}::bigint[], ${froms}::int[], ${tos}::int[]) AS r(sid, lo, hi)
    WHERE t."seriesId" = r.sid AND t.bucket BETWEEN r.lo / t.width AND r.hi / t.width`;
  await db.$executeRaw`
    INSERT INTO "MetricTier" (${TIER_COLUMNS})
    ${tierRowsSql(Prisma.sql`
      SELECT p."seriesId", w.width, p.step / w.width AS bucket, p.step, p.value, p.epoch, p."wallTime"
      FROM unnest(${ids}::bigint[], ${froms}::int[], ${tos}::int[]) AS r(sid, lo, hi)
      CROSS JOIN unnest(${TIER_WIDTHS_SQL}::int[]) AS w(width)
      JOIN "MetricPoint" p ON p."seriesId" = r.sid
        AND p.step BETWEEN (r.lo / w.width) * w.width AND (r.hi::bigint / w.width) * w.width + w.width - 1`)}`;
}

/**
 * Rebuilds the chart tiers of whole series from their points (points written outside logMetrics:
 * a benchmark's seed, a repair).
 */
export async function rebuildMetricTiers(db: Pick<PrismaClient, '$executeRaw'>, seriesIds: bigint[]): Promise<void> {
  for (const id of seriesIds) await recomputeTiers(db, [{ seriesId: id, from: 0, to: 2_147_483_647 }]);
}

interface TierAgg {
  count: number;
  minI: number;
  maxI: number;
}

export async function logMetrics(db: Db, runId: string, input: MetricPointInput[]): Promise<LogMetricsResult> {
  const points = parseBatch(input);
  if (points.length === 0) return { inserted: 0, series: 0 };

  // Dedupe within the batch: the last point for a (key, context, step) wins.
  const byKey = new Map<string, Map<number, ParsedPoint>>();
  for (const p of points) {
    const k = `${p.context ?? 'train'}\u0000${p.key}`;
    let m = byKey.get(k);
    if (!m) byKey.set(k, (m = new Map()));
    m.set(p.step, p);
  }

  // Columns of the points (series by position), and each series' summary of the batch.
  const keys: string[] = [];
  const contexts: string[] = [];
  const mins: number[] = [];
  const maxs: number[] = [];
  const lasts: number[] = [];
  const firstSteps: number[] = [];
  const lastSteps: number[] = [];
  const counts: number[] = [];
  let total = 0;
  for (const m of byKey.values()) total += m.size;
  const keyIdx = new Int32Array(total);
  const steps = new Int32Array(total);
  const values = new Float64Array(total);
  const epochs = new Array<number | null>(total);
  const times = new Array<number>(total);
  const now = Date.now();
  let i = 0;
  for (const [k, m] of byKey) {
    const [context, key] = k.split('\u0000') as [string, string];
    const s = keys.length;
    keys.push(key);
    contexts.push(context);
    const start = i;
    for (const p of m.values()) {
      keyIdx[i] = s + 1;
      steps[i] = p.step;
      values[i] = p.value;
      epochs[i] = p.epoch ?? null;
      times[i] = p.wallTime ? p.wallTime.getTime() : now;
      i++;
    }
    let mn = start;
    let mx = start;
    let first = start;
    let last = start;
    for (let j = start + 1; j < i; j++) {
      if (pgBelow(values[j]!, values[mn]!)) mn = j;
      if (pgBelow(values[mx]!, values[j]!)) mx = j;
      if (steps[j]! < steps[first]!) first = j;
      if (steps[j]! > steps[last]!) last = j;
    }
    mins.push(values[mn]!);
    maxs.push(values[mx]!);
    lasts.push(values[last]!);
    firstSteps.push(steps[first]!);
    lastSteps.push(steps[last]!);
    counts.push(i - start);
  }

  const c: Columns = { keys, contexts, mins, maxs, lasts, firstSteps, lastSteps, counts, keyIdx, steps, values, epochs, times };
  try {
    const fast = await writeForward(db, runId, c);
    if (fast) return fast;
  } catch (err) {
    // Another writer stored steps of the same series between our read of its last step and our
    // insert; the careful path below copes with that.
    if (!isUniqueViolation(err)) throw err;
  }
  // Under load (hundreds of concurrent loggers on a pool of ten) a batch waits its turn for a
  // connection instead of failing after Prisma's default 2 s.
  return db.$transaction((tx) => writeAnyOrder(tx, runId, c), TRANSACTION_OPTIONS);
}

const TRANSACTION_OPTIONS = { maxWait: 30_000, timeout: 30_000 };

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; meta?: { code?: string }; message?: string };
  return e?.code === 'P2002' || e?.meta?.code === '23505' || /23505|duplicate key value/.test(e?.message ?? '');
}

interface Columns {
  keys: string[];
  contexts: string[];
  mins: number[];
  maxs: number[];
  lasts: number[];
  firstSteps: number[];
  lastSteps: number[];
  counts: number[];
  keyIdx: Int32Array;
  steps: Int32Array;
  values: Float64Array;
  epochs: Array<number | null>;
  times: number[];
}

/** The series' rows with the batch's summary merged in (min/max/last are idempotent). */
function upsertSeriesSql(runId: string, c: Columns, countSql: Prisma.Sql, where: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
      INSERT INTO "MetricSeries" AS m ("runId", key, context, "min", "max", "last", "lastStep", "count", "updatedAt")
      SELECT ${runId}, k.key, k.context, k.mn, k.mx, k.lv, k.ls, ${countSql}, now() FROM k WHERE ${where} ORDER BY k.ord
      ON CONFLICT ("runId", key, context) DO UPDATE SET
        "min" = CASE WHEN m."min" IS NULL OR EXCLUDED."min" < m."min" THEN EXCLUDED."min" ELSE m."min" END,
        "max" = CASE WHEN m."max" IS NULL OR EXCLUDED."max" > m."max" THEN EXCLUDED."max" ELSE m."max" END,
        "last" = CASE WHEN m."lastStep" IS NULL OR EXCLUDED."lastStep" >= m."lastStep" THEN EXCLUDED."last" ELSE m."last" END,
        "lastStep" = GREATEST(COALESCE(m."lastStep", EXCLUDED."lastStep"), EXCLUDED."lastStep"),
        "count" = m."count" + EXCLUDED."count",
        "updatedAt" = now()
      RETURNING id, key, context`;
}

function seriesInputSql(c: Columns): Prisma.Sql {
  return Prisma.sql`
      SELECT * FROM unnest(${arrayLiteral(c.keys, true)}::text[], ${arrayLiteral(c.contexts, true)}::text[], ${arrayLiteral(c.mins)}::float8[],
                           ${arrayLiteral(c.maxs)}::float8[], ${arrayLiteral(c.lasts)}::float8[], ${arrayLiteral(c.firstSteps)}::int[],
                           ${arrayLiteral(c.lastSteps)}::int[], ${arrayLiteral(c.counts)}::int[])
        WITH ORDINALITY AS k(key, context, mn, mx, lv, fs, ls, n, ord)`;
}

function pointsInputSql(c: Columns): Prisma.Sql {
  return Prisma.sql`
      SELECT t.ki, t.step, t.value, t.epoch, '1970-01-01'::timestamp + t.ms * interval '1 millisecond' AS "wallTime"
      FROM unnest(${arrayLiteral(c.keyIdx)}::int[], ${arrayLiteral(c.steps)}::int[], ${arrayLiteral(c.values)}::float8[],
                  ${arrayLiteral(c.epochs)}::int[], ${arrayLiteral(c.times)}::bigint[]) AS t(ki, step, value, epoch, ms)`;
}

/**
 * The common case, one statement and one commit: every series of the batch is new or moves
 * forward (all its steps lie beyond its stored last step — training does), so no point can repeat
 * a stored one: the points go in without conflict checks, the series' counts grow by the batch's,
 * and the tiers are merged from aggregates computed here. Returns null, having written nothing,
 * when a series does not move forward.
 *
 * The commit does not wait for the WAL flush (synchronous_commit off for this transaction):
 * metrics are the one write where a database crash may lose the last fraction of a second, and
 * any later ordinary commit (a checkpoint row, the run's status) flushes them first, so a
 * checkpoint never exists without the metrics logged before it.
 */
async function writeForward(db: Db, runId: string, c: Columns): Promise<LogMetricsResult | null> {
  const tier = { ord: [] as number[], width: [] as number[], bucket: [] as number[], count: [] as number[], lo: [] as number[], hi: [] as number[] };
  let start = 0;
  for (let j = 0; j < c.keys.length; j++) {
    const end = start + c.counts[j]!;
    for (const w of TIER_WIDTHS) {
      const buckets = new Map<number, TierAgg>();
      for (let p = start; p < end; p++) {
        const b = Math.floor(c.steps[p]! / w);
        const a = buckets.get(b);
        if (!a) {
          buckets.set(b, { count: 1, minI: p, maxI: p });
          continue;
        }
        a.count++;
        const v = c.values[p]!;
        const mv = c.values[a.minI]!;
        if (pgBelow(v, mv) || (!pgBelow(mv, v) && c.steps[p]! < c.steps[a.minI]!)) a.minI = p;
        const xv = c.values[a.maxI]!;
        if (pgBelow(xv, v) || (!pgBelow(v, xv) && c.steps[p]! < c.steps[a.maxI]!)) a.maxI = p;
      }
      for (const [b, a] of buckets) {
        tier.ord.push(j + 1);
        tier.width.push(w);
        tier.bucket.push(b);
        tier.count.push(a.count);
        tier.lo.push(a.minI);
        tier.hi.push(a.maxI);
      }
    }
    start = end;
  }
  const pick = <T,>(idx: number[], col: ArrayLike<T>) => idx.map((p) => col[p]!);
  const epochsAt = (idx: number[]) => idx.map((p) => c.epochs[p] ?? null);

  const [res] = await db.$queryRaw<Array<{ forward: boolean }>>`
    WITH k AS (${seriesInputSql(c)}),
    before AS (
      SELECT k.ord, m."lastStep" FROM k JOIN "MetricSeries" m ON m."runId" = ${runId} AND m.key = k.key AND m.context = k.context
    ),
    forward AS (
      SELECT NOT EXISTS (SELECT 1 FROM before JOIN k USING (ord) WHERE k.fs <= before."lastStep") AS ok
    ),
    up AS (${upsertSeriesSql(runId, c, Prisma.sql`k.n`, Prisma.sql`(SELECT ok FROM forward)`)}),
    sid AS (
      SELECT up.id, k.ord, before."lastStep" AS before
      FROM up JOIN k ON k.key = up.key AND k.context = up.context LEFT JOIN before USING (ord)
    ),
    pts AS (
      INSERT INTO "MetricPoint" ("seriesId", step, value, epoch, "wallTime")
      SELECT sid.id, t.step, t.value, t.epoch, t."wallTime" FROM (${pointsInputSql(c)}) t JOIN sid ON sid.ord = t.ki
    ),
    r AS (
      SELECT sid.id, r.*, sid.before FROM unnest(${arrayLiteral(tier.ord)}::int[], ${arrayLiteral(tier.width)}::int[], ${arrayLiteral(tier.bucket)}::int[], ${arrayLiteral(tier.count)}::int[],
                  ${arrayLiteral(pick(tier.lo, c.steps))}::int[], ${arrayLiteral(pick(tier.lo, c.values))}::float8[], ${arrayLiteral(epochsAt(tier.lo))}::int[], ${arrayLiteral(pick(tier.lo, c.times))}::bigint[],
                  ${arrayLiteral(pick(tier.hi, c.steps))}::int[], ${arrayLiteral(pick(tier.hi, c.values))}::float8[], ${arrayLiteral(epochsAt(tier.hi))}::int[], ${arrayLiteral(pick(tier.hi, c.times))}::bigint[])
           AS r(ord, width, bucket, n, "minStep", "minValue", "minEpoch", "minMs", "maxStep", "maxValue", "maxEpoch", "maxMs")
      JOIN sid ON sid.ord = r.ord
    ),
    -- Buckets past the series' last stored step are new; only the one it ends in may exist.
    tiers_new AS (
      INSERT INTO "MetricTier" (${TIER_COLUMNS})
      SELECT id, width, bucket, n, "minStep", "minValue", "minEpoch", '1970-01-01'::timestamp + "minMs" * interval '1 millisecond',
             "maxStep", "maxValue", "maxEpoch", '1970-01-01'::timestamp + "maxMs" * interval '1 millisecond'
      FROM r WHERE before IS NULL OR bucket > before / width
    ),
    tiers_merged AS (
      INSERT INTO "MetricTier" AS t (${TIER_COLUMNS})
      SELECT id, width, bucket, n, "minStep", "minValue", "minEpoch", '1970-01-01'::timestamp + "minMs" * interval '1 millisecond',
             "maxStep", "maxValue", "maxEpoch", '1970-01-01'::timestamp + "maxMs" * interval '1 millisecond'
      FROM r WHERE before IS NOT NULL AND bucket <= before / width
      ON CONFLICT ("seriesId", width, bucket) DO UPDATE SET ${TIER_MERGE}
    )
    SELECT f.ok AS forward,
           CASE WHEN f.ok THEN pg_notify(${METRICS_CHANNEL}, json_build_object('runId', ${runId}::text, 'series', (SELECT json_agg(id::text ORDER BY ord) FROM sid))::text) END::text AS notified,
           set_config('synchronous_commit', 'off', true) AS async
    FROM forward f`;
  if (!res?.forward) return null;
  return { inserted: c.keyIdx.length, series: c.keys.length };
}

/** Merges a bucket's aggregate into the stored one (EXCLUDED into t). */
const TIER_MERGE = Prisma.raw(`
        count = t.count + EXCLUDED.count,
        "minStep" = CASE WHEN (EXCLUDED."minValue", EXCLUDED."minStep") < (t."minValue", t."minStep") THEN EXCLUDED."minStep" ELSE t."minStep" END,
        "minValue" = CASE WHEN (EXCLUDED."minValue", EXCLUDED."minStep") < (t."minValue", t."minStep") THEN EXCLUDED."minValue" ELSE t."minValue" END,
        "minEpoch" = CASE WHEN (EXCLUDED."minValue", EXCLUDED."minStep") < (t."minValue", t."minStep") THEN EXCLUDED."minEpoch" ELSE t."minEpoch" END,
        "minTime" = CASE WHEN (EXCLUDED."minValue", EXCLUDED."minStep") < (t."minValue", t."minStep") THEN EXCLUDED."minTime" ELSE t."minTime" END,
        "maxStep" = CASE WHEN EXCLUDED."maxValue" > t."maxValue" OR (EXCLUDED."maxValue" = t."maxValue" AND EXCLUDED."maxStep" < t."maxStep") THEN EXCLUDED."maxStep" ELSE t."maxStep" END,
        "maxValue" = CASE WHEN EXCLUDED."maxValue" > t."maxValue" OR (EXCLUDED."maxValue" = t."maxValue" AND EXCLUDED."maxStep" < t."maxStep") THEN EXCLUDED."maxValue" ELSE t."maxValue" END,
        "maxEpoch" = CASE WHEN EXCLUDED."maxValue" > t."maxValue" OR (EXCLUDED."maxValue" = t."maxValue" AND EXCLUDED."maxStep" < t."maxStep") THEN EXCLUDED."maxEpoch" ELSE t."maxEpoch" END,
        "maxTime" = CASE WHEN EXCLUDED."maxValue" > t."maxValue" OR (EXCLUDED."maxValue" = t."maxValue" AND EXCLUDED."maxStep" < t."maxStep") THEN EXCLUDED."maxTime" ELSE t."maxTime" END`);

/**
 * Any batch (re-sent, out of order, overlapping stored steps), in a transaction: the series rows
 * first (which locks them), then the points that are new, the counts by those, and the tiers
 * recomputed from the stored points over the batch's step range.
 */
async function writeAnyOrder(tx: Prisma.TransactionClient, runId: string, c: Columns): Promise<LogMetricsResult> {
  const series = await tx.$queryRaw<Array<{ id: bigint; ord: bigint }>>`
    WITH k AS (${seriesInputSql(c)}),
    up AS (${upsertSeriesSql(runId, c, Prisma.sql`0`, Prisma.sql`true`)})
    SELECT up.id, k.ord FROM up JOIN k ON k.key = up.key AND k.context = up.context`;
  const ids = new Array<bigint>(c.keys.length);
  for (const r of series) ids[Number(r.ord) - 1] = r.id;
  const [res] = await tx.$queryRaw<Array<{ inserted: number }>>`
    WITH sid AS (SELECT * FROM unnest(${arrayLiteral(ids.map(String))}::bigint[]) WITH ORDINALITY AS s(id, ord)),
    ins AS (
      INSERT INTO "MetricPoint" ("seriesId", step, value, epoch, "wallTime")
      SELECT sid.id, t.step, t.value, t.epoch, t."wallTime" FROM (${pointsInputSql(c)}) t JOIN sid ON sid.ord = t.ki
      ON CONFLICT ("seriesId", step) DO NOTHING
      RETURNING "seriesId"
    ),
    added AS (SELECT "seriesId" AS sid, count(*)::int AS n FROM ins GROUP BY 1),
    counted AS (UPDATE "MetricSeries" m SET "count" = m."count" + a.n FROM added a WHERE m.id = a.sid)
    SELECT (SELECT COALESCE(sum(n), 0)::int FROM added) AS inserted,
           pg_notify(${METRICS_CHANNEL}, ${JSON.stringify({ runId, series: ids.map(String) })})::text AS notified`;
  await recomputeTiers(
    tx,
    ids.map((id, j) => ({ seriesId: id, from: c.firstSteps[j]!, to: c.lastSteps[j]! })),
  );
  return { inserted: Number(res?.inserted ?? 0), series: c.keys.length };
}

export { Prisma };

/**
 * A resumed run repeats the steps after its checkpoint: drop the points logged past it (per
 * series kind) and recompute the summaries and chart tiers, so nothing is duplicated and nothing
 * before the checkpoint is lost.
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
      FROM (SELECT p."seriesId", min(p.value) mn, max(p.value) mx, max(p.step) ls, count(*)::int n
            FROM "MetricPoint" p JOIN "MetricSeries" r ON r.id = p."seriesId" AND r."runId" = ${runId} GROUP BY p."seriesId") a
      WHERE a."seriesId" = s.id AND s."runId" = ${runId}`;
    if (deleted > 0) {
      const series = await tx.metricSeries.findMany({ where: { runId, context: { not: 'system' } }, select: { id: true, key: true } });
      await recomputeTiers(
        tx,
        series.map((s) => ({ seriesId: s.id, from: (s.key.startsWith('batch/') ? cutoff.batchStep : cutoff.epoch) + 1, to: 2_147_483_647 })),
      );
    }
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
