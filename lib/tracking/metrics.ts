import { Prisma, type PrismaClient } from '@prisma/client';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { z } from 'zod';
import { pgPoolOf } from '@/lib/db/client';
import { ignoreError } from '../log';

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

type Db = Pick<PrismaClient, '$transaction' | '$queryRaw' | '$executeRaw' | '$executeRawUnsafe'>;

/** The chart tiers' bucket widths (MetricTier); each nests exactly inside the next. */
export const TIER_WIDTHS = [32, 256, 2048, 16384, 131072] as const;

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
    // String(-0) is "0": the sign of zero is kept explicitly.
    parts[i] = v === null ? 'NULL' : quote ? `"${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : v === 0 && 1 / (v as number) < 0 ? '-0' : String(v);
  }
  return `{${parts.join(',')}}`;
}

/** a < b in Postgres's float8 order (NaN above everything, NaN = NaN). */
function pgBelow(a: number, b: number): boolean {
  if (Number.isNaN(a)) return false;
  if (Number.isNaN(b)) return true;
  return a < b;
}

const TIER_COLUMNS = `"seriesId", width, bucket, count, "minStep", "minValue", "minEpoch", "minTime", "maxStep", "maxValue", "maxEpoch", "maxTime"`;

/**
 * Recomputes the tiers of series over step ranges from the stored points ($1 series ids, $2 and $3
 * the ranges' first and last steps, as array literals): every bucket of every width that overlaps
 * a range is replaced. Arrays compare element by element: [value, step] finds the lowest value's
 * earliest step, and [value, -step] the highest value's earliest step, in one pass with no sort.
 */
const RECOMPUTE_TIERS_SQL = [
  `DELETE FROM "MetricTier" t USING unnest($1::bigint[], $2::int[], $3::int[]) AS r(sid, lo, hi)
   WHERE t."seriesId" = r.sid AND t.bucket BETWEEN r.lo / t.width AND r.hi / t.width`,
  `INSERT INTO "MetricTier" (${TIER_COLUMNS})
   SELECT "seriesId", width, bucket, n, lo[2]::int, lo[1], lo[3]::int, '1970-01-01'::timestamp + lo[4] * interval '1 millisecond',
          (-hi[2])::int, hi[1], hi[3]::int, '1970-01-01'::timestamp + hi[4] * interval '1 millisecond'
   FROM (
     SELECT p."seriesId", w.width, p.step / w.width AS bucket, count(*)::int AS n,
            min(ARRAY[p.value, p.step::float8, p.epoch::float8, (extract(epoch FROM p."wallTime") * 1000)::float8]) AS lo,
            max(ARRAY[p.value, -p.step::float8, p.epoch::float8, (extract(epoch FROM p."wallTime") * 1000)::float8]) AS hi
     FROM unnest($1::bigint[], $2::int[], $3::int[]) AS r(sid, lo, hi)
     CROSS JOIN unnest('{${TIER_WIDTHS.join(',')}}'::int[]) AS w(width)
     JOIN "MetricPoint" p ON p."seriesId" = r.sid
       AND p.step BETWEEN (r.lo / w.width) * w.width AND (r.hi::bigint / w.width) * w.width + w.width - 1
     GROUP BY 1, 2, 3
   ) g`,
];

type Ranges = Array<{ seriesId: bigint | string; from: number; to: number }>;
const rangeParams = (ranges: Ranges) => [arrayLiteral(ranges.map((r) => String(r.seriesId))), arrayLiteral(ranges.map((r) => r.from)), arrayLiteral(ranges.map((r) => r.to))];

async function recomputeTiers(db: Pick<PrismaClient, '$executeRawUnsafe'>, ranges: Ranges): Promise<void> {
  if (!ranges.length) return;
  for (const sql of RECOMPUTE_TIERS_SQL) await db.$executeRawUnsafe(sql, ...rangeParams(ranges));
}

/**
 * Rebuilds the chart tiers of whole series from their points (points written outside logMetrics:
 * a benchmark's seed, a repair).
 */
export async function rebuildMetricTiers(db: Pick<PrismaClient, '$executeRawUnsafe'>, seriesIds: bigint[]): Promise<void> {
  for (const id of seriesIds) await recomputeTiers(db, [{ seriesId: id, from: 0, to: 2_147_483_647 }]);
}

/**
 * The one write path. Writes a batch in one transaction on a connection of the client's pg pool:
 * the common case (every series new or moving forward) streams the points with binary COPY, the
 * fastest way into Postgres; anything else (re-sent, out of order) takes the careful path.
 */
export async function logMetrics(db: object, runId: string, input: MetricPointInput[]): Promise<LogMetricsResult> {
  const points = parseBatch(input);
  if (points.length === 0) return { inserted: 0, series: 0 };
  const pool = pgPoolOf(db);
  if (!pool) throw new Error('logMetrics needs a database client made by createPrismaClient');
  const c = columnsOf(points);
  try {
    const fast = await writeForward(pool, runId, c);
    if (fast) return fast;
  } catch (err) {
    // Another writer stored steps of the same series between our read of its last step and our
    // insert; the careful path below copes with that.
    if (!isUniqueViolation(err)) throw err;
  }
  return inTransaction(pool, (client) => writeAnyOrder(client, runId, c));
}

/**
 * Runs `fn` in a transaction on a pooled connection. Under load (hundreds of concurrent loggers on
 * a pool of ten) a batch waits its turn for a connection. A failed transaction's connection is
 * discarded, not returned to the pool mid-COPY.
 */
async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    failure = err as Error;
    await client.query('ROLLBACK').catch(ignoreError('the transaction already failed and that error is rethrown; a broken connection is released as failed'));
    throw err;
  } finally {
    client.release(failure);
  }
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; meta?: { code?: string }; message?: string };
  return e?.code === '23505' || e?.code === 'P2002' || e?.meta?.code === '23505' || /23505|duplicate key value/.test(e?.message ?? '');
}

/** A batch as columns: series by position (each series' points sorted by step, one per step). */
interface Columns {
  keys: string[];
  contexts: string[];
  mins: number[];
  maxs: number[];
  lasts: number[];
  firstSteps: number[];
  lastSteps: number[];
  counts: number[];
  /** Points of series j are [offsets[j], offsets[j + 1]). */
  offsets: number[];
  steps: Int32Array;
  values: Float64Array;
  /** -1: none. */
  epochs: Int32Array;
  times: Float64Array;
}

function columnsOf(points: ParsedPoint[]): Columns {
  // Group by series, keeping the order series first appear in.
  const groups = new Map<string, Map<string, number[]>>();
  const order: Array<{ context: string; key: string; idx: number[] }> = [];
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    const context = p.context ?? 'train';
    let byKey = groups.get(context);
    if (!byKey) groups.set(context, (byKey = new Map()));
    let idx = byKey.get(p.key);
    if (!idx) {
      byKey.set(p.key, (idx = []));
      order.push({ context, key: p.key, idx });
    }
    idx.push(i);
  }
  const c: Columns = {
    keys: [],
    contexts: [],
    mins: [],
    maxs: [],
    lasts: [],
    firstSteps: [],
    lastSteps: [],
    counts: [],
    offsets: [0],
    steps: new Int32Array(points.length),
    values: new Float64Array(points.length),
    epochs: new Int32Array(points.length),
    times: new Float64Array(points.length),
  };
  const now = Date.now();
  let n = 0;
  for (const g of order) {
    let idx = g.idx;
    let sorted = true;
    for (let j = 1; j < idx.length && sorted; j++) sorted = points[idx[j]!]!.step > points[idx[j - 1]!]!.step;
    if (!sorted) {
      // The last point for a step wins; then in step order.
      const byStep = new Map<number, number>();
      for (const i of idx) byStep.set(points[i]!.step, i);
      idx = [...byStep.values()].sort((a, b) => points[a]!.step - points[b]!.step);
    }
    const start = n;
    let mn = start;
    let mx = start;
    for (const i of idx) {
      const p = points[i]!;
      c.steps[n] = p.step;
      c.values[n] = p.value;
      c.epochs[n] = p.epoch ?? -1;
      c.times[n] = p.wallTime ? p.wallTime.getTime() : now;
      if (pgBelow(c.values[n]!, c.values[mn]!)) mn = n;
      if (pgBelow(c.values[mx]!, c.values[n]!)) mx = n;
      n++;
    }
    c.keys.push(g.key);
    c.contexts.push(g.context);
    c.mins.push(c.values[mn]!);
    c.maxs.push(c.values[mx]!);
    c.lasts.push(c.values[n - 1]!);
    c.firstSteps.push(c.steps[start]!);
    c.lastSteps.push(c.steps[n - 1]!);
    c.counts.push(n - start);
    c.offsets.push(n);
  }
  if (n < points.length) {
    c.steps = c.steps.subarray(0, n);
    c.values = c.values.subarray(0, n);
    c.epochs = c.epochs.subarray(0, n);
    c.times = c.times.subarray(0, n);
  }
  return c;
}

/** Each series' summary of the batch, as parameters $2…$9 of SERIES_SQL. */
function seriesParams(c: Columns): string[] {
  return [
    arrayLiteral(c.keys, true),
    arrayLiteral(c.contexts, true),
    arrayLiteral(c.mins),
    arrayLiteral(c.maxs),
    arrayLiteral(c.lasts),
    arrayLiteral(c.firstSteps),
    arrayLiteral(c.lastSteps),
    arrayLiteral(c.counts),
  ];
}

const SERIES_INPUT = `k AS (
      SELECT * FROM unnest($2::text[], $3::text[], $4::float8[], $5::float8[], $6::float8[], $7::int[], $8::int[], $9::int[])
        WITH ORDINALITY AS k(key, context, mn, mx, lv, fs, ls, n, ord))`;

/** The series' rows with the batch's summary merged in (min/max/last are idempotent). */
const upsertSeries = (count: string, where: string) => `
      INSERT INTO "MetricSeries" AS m ("runId", key, context, "min", "max", "last", "lastStep", "count", "updatedAt")
      SELECT $1, k.key, k.context, k.mn, k.mx, k.lv, k.ls, ${count}, now() FROM k WHERE ${where} ORDER BY k.ord
      ON CONFLICT ("runId", key, context) DO UPDATE SET
        "min" = CASE WHEN m."min" IS NULL OR EXCLUDED."min" < m."min" THEN EXCLUDED."min" ELSE m."min" END,
        "max" = CASE WHEN m."max" IS NULL OR EXCLUDED."max" > m."max" THEN EXCLUDED."max" ELSE m."max" END,
        "last" = CASE WHEN m."lastStep" IS NULL OR EXCLUDED."lastStep" >= m."lastStep" THEN EXCLUDED."last" ELSE m."last" END,
        "lastStep" = GREATEST(COALESCE(m."lastStep", EXCLUDED."lastStep"), EXCLUDED."lastStep"),
        "count" = m."count" + EXCLUDED."count",
        "updatedAt" = now()
      RETURNING id, key, context`;

/**
 * The series of a forward batch, upserted (CTE `up`) only when every one is new or all its steps
 * lie beyond its stored last step (CTE `forward`).
 */
const FORWARD_UPSERT = `${SERIES_INPUT},
    before AS (
      SELECT k.ord, m."lastStep" FROM k JOIN "MetricSeries" m ON m."runId" = $1 AND m.key = k.key AND m.context = k.context
    ),
    forward AS (
      SELECT NOT EXISTS (SELECT 1 FROM before JOIN k USING (ord) WHERE k.fs <= before."lastStep") AS ok
    ),
    up AS (${upsertSeries('k.n', '(SELECT ok FROM forward)')})`;

/** The forward batch's series (per series, in batch order, its id) before its points are copied. */
const FORWARD_SERIES_SQL = `
    WITH ${FORWARD_UPSERT}
    SELECT up.id::text AS id, (SELECT ok FROM forward) AS forward,
           set_config('synchronous_commit', 'off', true) AS async
    FROM k LEFT JOIN up ON up.key = k.key AND up.context = k.context
    ORDER BY k.ord`;

const COPY_POINTS_SQL = 'COPY "MetricPoint" ("seriesId", step, value, epoch, "wallTime") FROM STDIN (FORMAT binary)';

/** Milliseconds from the Unix epoch to Postgres's (2000-01-01). */
const PG_EPOCH_MS = 946_684_800_000;
const TWO_32 = 4_294_967_296;

/** The points in COPY's binary format: seriesId int8, step int4, value float8, epoch int4 (or NULL), wallTime timestamp. */
function copyPayload(c: Columns, seriesIds: string[]): Buffer {
  const rows = c.steps.length;
  const buf = Buffer.allocUnsafe(19 + rows * 54 + 2);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  buf.write('PGCOPY\n\xff\r\n\0', 0, 'latin1');
  dv.setInt32(11, 0);
  dv.setInt32(15, 0);
  let o = 19;
  for (let j = 0; j < c.keys.length; j++) {
    const id = BigInt(seriesIds[j]!);
    const idHi = Number(id >> 32n);
    const idLo = Number(id & 0xffffffffn);
    for (let p = c.offsets[j]!; p < c.offsets[j + 1]!; p++) {
      dv.setInt16(o, 5);
      dv.setInt32(o + 2, 8);
      dv.setInt32(o + 6, idHi);
      dv.setUint32(o + 10, idLo);
      dv.setInt32(o + 14, 4);
      dv.setInt32(o + 18, c.steps[p]!);
      dv.setInt32(o + 22, 8);
      dv.setFloat64(o + 26, c.values[p]!);
      o += 34;
      const epoch = c.epochs[p]!;
      if (epoch < 0) {
        dv.setInt32(o, -1);
        o += 4;
      } else {
        dv.setInt32(o, 4);
        dv.setInt32(o + 4, epoch);
        o += 8;
      }
      const us = (c.times[p]! - PG_EPOCH_MS) * 1000;
      const hi = Math.floor(us / TWO_32);
      dv.setInt32(o, 8);
      dv.setInt32(o + 4, hi);
      dv.setUint32(o + 8, us - hi * TWO_32);
      o += 12;
    }
  }
  dv.setInt16(o, -1);
  return buf.subarray(0, o + 2);
}

async function copyPoints(client: pg.PoolClient, payload: Buffer): Promise<void> {
  const stream = client.query(copyFrom(COPY_POINTS_SQL));
  await new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
    stream.end(payload);
  });
}

/**
 * The tiers' rows of a batch: per series (by position, from 1), width and bucket the count and the
 * lowest and highest point (earliest step on ties). A series' points are sorted by step, so a
 * bucket is a run of them.
 */
function tierParams(c: Columns): string[] {
  const t = { ord: [] as number[], width: [] as number[], bucket: [] as number[], count: [] as number[], lo: [] as number[], hi: [] as number[] };
  for (let j = 0; j < c.keys.length; j++) {
    const end = c.offsets[j + 1]!;
    for (const w of TIER_WIDTHS) {
      for (let p = c.offsets[j]!; p < end;) {
        const b = Math.floor(c.steps[p]! / w);
        let lo = p;
        let hi = p;
        let q = p + 1;
        for (; q < end && Math.floor(c.steps[q]! / w) === b; q++) {
          // Strictly below / above: the earlier step wins ties.
          if (pgBelow(c.values[q]!, c.values[lo]!)) lo = q;
          if (pgBelow(c.values[hi]!, c.values[q]!)) hi = q;
        }
        t.ord.push(j + 1);
        t.width.push(w);
        t.bucket.push(b);
        t.count.push(q - p);
        t.lo.push(lo);
        t.hi.push(hi);
        p = q;
      }
    }
  }
  const at = <T>(idx: number[], col: ArrayLike<T>) => idx.map((p) => col[p]!);
  const epochsAt = (idx: number[]) => idx.map((p) => (c.epochs[p]! < 0 ? null : c.epochs[p]!));
  return [
    arrayLiteral(t.ord),
    arrayLiteral(t.width),
    arrayLiteral(t.bucket),
    arrayLiteral(t.count),
    arrayLiteral(at(t.lo, c.steps)),
    arrayLiteral(at(t.lo, c.values)),
    arrayLiteral(epochsAt(t.lo)),
    arrayLiteral(at(t.lo, c.times)),
    arrayLiteral(at(t.hi, c.steps)),
    arrayLiteral(at(t.hi, c.values)),
    arrayLiteral(epochsAt(t.hi)),
    arrayLiteral(at(t.hi, c.times)),
  ];
}

const ms = (col: string) => `'1970-01-01'::timestamp + ${col} * interval '1 millisecond'`;

/**
 * Merges the batch's tier rows (tierParams as $n…$n+11) into MetricTier, series ids from `sid`
 * (id, ord). A forward batch's buckets are new except the one each series' last stored step lies
 * in, which is merged.
 */
function tierUpsert(n: number): string {
  const $ = (i: number) => `$${n + i}`;
  return `
      INSERT INTO "MetricTier" AS t (${TIER_COLUMNS})
      SELECT sid.id, r.width, r.bucket, r.n, r."minStep", r."minValue", r."minEpoch", ${ms('r."minMs"')}, r."maxStep", r."maxValue", r."maxEpoch", ${ms('r."maxMs"')}
      FROM unnest(${$(0)}::int[], ${$(1)}::int[], ${$(2)}::int[], ${$(3)}::int[], ${$(4)}::int[], ${$(5)}::float8[], ${$(6)}::int[], ${$(7)}::bigint[],
                  ${$(8)}::int[], ${$(9)}::float8[], ${$(10)}::int[], ${$(11)}::bigint[])
        AS r(ord, width, bucket, n, "minStep", "minValue", "minEpoch", "minMs", "maxStep", "maxValue", "maxEpoch", "maxMs")
      JOIN sid ON sid.ord = r.ord
      ON CONFLICT ("seriesId", width, bucket) DO UPDATE SET
        count = t.count + EXCLUDED.count,
        "minStep" = CASE WHEN (EXCLUDED."minValue", EXCLUDED."minStep") < (t."minValue", t."minStep") THEN EXCLUDED."minStep" ELSE t."minStep" END,
        "minValue" = CASE WHEN (EXCLUDED."minValue", EXCLUDED."minStep") < (t."minValue", t."minStep") THEN EXCLUDED."minValue" ELSE t."minValue" END,
        "minEpoch" = CASE WHEN (EXCLUDED."minValue", EXCLUDED."minStep") < (t."minValue", t."minStep") THEN EXCLUDED."minEpoch" ELSE t."minEpoch" END,
        "minTime" = CASE WHEN (EXCLUDED."minValue", EXCLUDED."minStep") < (t."minValue", t."minStep") THEN EXCLUDED."minTime" ELSE t."minTime" END,
        "maxStep" = CASE WHEN EXCLUDED."maxValue" > t."maxValue" OR (EXCLUDED."maxValue" = t."maxValue" AND EXCLUDED."maxStep" < t."maxStep") THEN EXCLUDED."maxStep" ELSE t."maxStep" END,
        "maxValue" = CASE WHEN EXCLUDED."maxValue" > t."maxValue" OR (EXCLUDED."maxValue" = t."maxValue" AND EXCLUDED."maxStep" < t."maxStep") THEN EXCLUDED."maxValue" ELSE t."maxValue" END,
        "maxEpoch" = CASE WHEN EXCLUDED."maxValue" > t."maxValue" OR (EXCLUDED."maxValue" = t."maxValue" AND EXCLUDED."maxStep" < t."maxStep") THEN EXCLUDED."maxEpoch" ELSE t."maxEpoch" END,
        "maxTime" = CASE WHEN EXCLUDED."maxValue" > t."maxValue" OR (EXCLUDED."maxValue" = t."maxValue" AND EXCLUDED."maxStep" < t."maxStep") THEN EXCLUDED."maxTime" ELSE t."maxTime" END`;
}

/** A notification for live views: the run and its series that moved (ids from `sid`). */
const NOTIFY = `pg_notify('${METRICS_CHANNEL}', json_build_object('runId', $1::text, 'series', (SELECT json_agg(id::text ORDER BY ord) FROM sid))::text)`;

/** The COPY path's tiers and notification, after the points ($1 run, $2 series ids by position, tiers from $3). */
const COPY_TIERS_SQL = `
    WITH sid AS (SELECT * FROM unnest($2::bigint[]) WITH ORDINALITY AS s(id, ord)),
    tiers AS (${tierUpsert(3)})
    SELECT ${NOTIFY}::text AS notified`;

/**
 * A small forward batch (a logger's few points) in one statement and one commit: the series
 * upserted when every one moves forward, the points inserted, the tiers merged, the views told.
 */
const FORWARD_ONE_STATEMENT_SQL = `
    WITH ${FORWARD_UPSERT},
    sid AS (SELECT up.id, k.ord FROM up JOIN k ON k.key = up.key AND k.context = up.context),
    pts AS (
      INSERT INTO "MetricPoint" ("seriesId", step, value, epoch, "wallTime")
      SELECT sid.id, t.step, t.value, NULLIF(t.epoch, -1), ${ms('t.ms')}
      FROM unnest($10::int[], $11::int[], $12::float8[], $13::int[], $14::bigint[]) AS t(ki, step, value, epoch, ms) JOIN sid ON sid.ord = t.ki
    ),
    tiers AS (${tierUpsert(15)})
    SELECT f.ok AS forward, CASE WHEN f.ok THEN ${NOTIFY} END::text AS notified, set_config('synchronous_commit', 'off', true) AS async
    FROM forward f`;

/** Batches up to this many points go in one statement; larger ones by binary COPY. */
const ONE_STATEMENT_MAX_POINTS = 1000;

/** Each point's series by position (from 1). */
function seriesOrdinals(c: Columns): Int32Array {
  const ki = new Int32Array(c.steps.length);
  for (let j = 0; j < c.keys.length; j++) ki.fill(j + 1, c.offsets[j]!, c.offsets[j + 1]!);
  return ki;
}

/**
 * The common case: every series of the batch is new or moves forward (all its steps lie beyond its
 * stored last step — training does), so no point can repeat a stored one: the series rows are
 * upserted (which locks them), the points go in without conflict checks (by binary COPY when the
 * batch is large), and the tiers are merged from aggregates computed here. Returns null, having
 * written nothing, when a series does not move forward.
 *
 * The commit does not wait for the WAL flush (synchronous_commit off for this transaction):
 * metrics are the one write where a database crash may lose the last fraction of a second, and
 * any later ordinary commit (a checkpoint row, the run's status) flushes them first, so a
 * checkpoint never exists without the metrics logged before it.
 */
async function writeForward(pool: pg.Pool, runId: string, c: Columns): Promise<LogMetricsResult | null> {
  if (c.steps.length <= ONE_STATEMENT_MAX_POINTS) {
    // Autocommit: one round trip.
    const { rows } = await pool.query<{ forward: boolean }>({
      name: 'metrics-forward',
      text: FORWARD_ONE_STATEMENT_SQL,
      values: [runId, ...seriesParams(c), arrayLiteral(seriesOrdinals(c)), arrayLiteral(c.steps), arrayLiteral(c.values), arrayLiteral(c.epochs), arrayLiteral(c.times), ...tierParams(c)],
    });
    return rows[0]?.forward ? { inserted: c.steps.length, series: c.keys.length } : null;
  }
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ id: string | null; forward: boolean }>({ name: 'metrics-forward-series', text: FORWARD_SERIES_SQL, values: [runId, ...seriesParams(c)] });
    if (!rows[0]?.forward) return null;
    const ids = rows.map((r) => r.id!);
    await copyPoints(client, copyPayload(c, ids));
    await client.query({ name: 'metrics-copy-tiers', text: COPY_TIERS_SQL, values: [runId, arrayLiteral(ids), ...tierParams(c)] });
    return { inserted: c.steps.length, series: c.keys.length };
  });
}

/**
 * Any batch (re-sent, out of order, overlapping stored steps): the series rows first (which locks
 * them), then the points that are new, the counts by those, and the tiers recomputed from the
 * stored points over the batch's step range.
 */
async function writeAnyOrder(client: pg.PoolClient, runId: string, c: Columns): Promise<LogMetricsResult> {
  const series = await client.query<{ id: string; ord: number }>(
    `WITH ${SERIES_INPUT}, up AS (${upsertSeries('0', 'true')})
     SELECT up.id::text AS id, k.ord::int AS ord FROM up JOIN k ON k.key = up.key AND k.context = up.context`,
    [runId, ...seriesParams(c)],
  );
  const ids = new Array<string>(c.keys.length);
  for (const r of series.rows) ids[r.ord - 1] = r.id;
  const { rows } = await client.query<{ inserted: number }>(
    `WITH sid AS (SELECT * FROM unnest($1::bigint[]) WITH ORDINALITY AS s(id, ord)),
     ins AS (
       INSERT INTO "MetricPoint" ("seriesId", step, value, epoch, "wallTime")
       SELECT sid.id, t.step, t.value, NULLIF(t.epoch, -1), ${ms('t.ms')}
       FROM unnest($2::int[], $3::int[], $4::float8[], $5::int[], $6::bigint[]) AS t(ki, step, value, epoch, ms) JOIN sid ON sid.ord = t.ki
       ON CONFLICT ("seriesId", step) DO NOTHING
       RETURNING "seriesId"
     ),
     added AS (SELECT "seriesId" AS sid, count(*)::int AS n FROM ins GROUP BY 1),
     counted AS (UPDATE "MetricSeries" m SET "count" = m."count" + a.n FROM added a WHERE m.id = a.sid)
     SELECT (SELECT COALESCE(sum(n), 0)::int FROM added) AS inserted, pg_notify('${METRICS_CHANNEL}', $7)::text AS notified`,
    [arrayLiteral(ids), arrayLiteral(seriesOrdinals(c)), arrayLiteral(c.steps), arrayLiteral(c.values), arrayLiteral(c.epochs), arrayLiteral(c.times), JSON.stringify({ runId, series: ids })],
  );
  const ranges = ids.map((id, j) => ({ seriesId: id, from: c.firstSteps[j]!, to: c.lastSteps[j]! }));
  for (const sql of RECOMPUTE_TIERS_SQL) await client.query(sql, rangeParams(ranges));
  return { inserted: Number(rows[0]?.inserted ?? 0), series: c.keys.length };
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
    // Runs tables keep answers until a run's metrics change (server/services/search-cache.ts).
    await tx.$executeRaw`SELECT pg_notify(${METRICS_CHANNEL}, ${JSON.stringify({ runId, series: [] })})`;
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
