import { Prisma } from '@prisma/client';
import { prisma } from '@/lib/db/client';
import { bucketWidth } from '@/lib/charts/downsample';
import { logMetrics, TIER_WIDTHS, type MetricPointInput } from '@/lib/tracking/metrics';
import { notFound } from './errors';

/**
 * Reading metrics for charts. The server never sends raw series: each comes back with at most
 * `maxPoints` points, bucketed by step in SQL with each bucket's min and max kept (spikes survive)
 * and the last point always included — the same rule as lib/charts/downsample.ts.
 */

export interface SeriesPoint {
  step: number;
  value: number;
  epoch: number | null;
  time: number;
}

export interface SeriesData {
  runId: string;
  key: string;
  context: string;
  /** Points in the requested range before downsampling. */
  total: number;
  points: SeriesPoint[];
}

async function runOfTeam(teamId: string, runId: string) {
  const run = await prisma.run.findFirst({ where: { id: runId, teamId }, select: { id: true } });
  if (!run) throw notFound('Run');
  return run;
}

export async function logRunMetrics(teamId: string, runId: string, points: MetricPointInput[]) {
  await runOfTeam(teamId, runId);
  return logMetrics(prisma, runId, points);
}

const MAX_STEP = 2_147_483_647;

interface SeriesRequest {
  seriesId: bigint;
  from?: number;
  to?: number;
}

/** Packed columns of one series' points (one row per series keeps the result small). */
type Packed = { sid: bigint; total: bigint | number; steps: string | null; vals: string | null; epochs: string | null; times: string | null };

function unpack(r: Packed): SeriesPoint[] {
  if (!r.steps) return [];
  const steps = r.steps.split(',');
  const vals = r.vals!.split(',');
  const epochs = r.epochs!.split(',');
  const times = r.times!.split(',');
  return steps.map((s, i) => ({ step: Number(s), value: Number(vals[i]), epoch: epochs[i] === '' ? null : Number(epochs[i]), time: Number(times[i]) }));
}

const PACK = Prisma.raw(`string_agg(step::text, ',' ORDER BY step) AS steps, string_agg(value::text, ',' ORDER BY step) AS vals,
  string_agg(COALESCE(epoch::text, ''), ',' ORDER BY step) AS epochs,
  string_agg((extract(epoch FROM "wallTime") * 1000)::bigint::text, ',' ORDER BY step) AS times`);

/** Every point of each series within [lo, hi]. */
async function rawPoints(reqs: Array<{ seriesId: bigint; lo: number; hi: number }>): Promise<Map<bigint, SeriesPoint[]>> {
  const out = new Map<bigint, SeriesPoint[]>();
  if (!reqs.length) return out;
  const rows = await prisma.$queryRaw<Packed[]>`
    SELECT q.sid, count(*) AS total, ${PACK}
    FROM unnest(${reqs.map((r) => r.seriesId)}::bigint[], ${reqs.map((r) => r.lo)}::int[], ${reqs.map((r) => r.hi)}::int[]) AS q(sid, lo, hi)
    CROSS JOIN LATERAL (SELECT * FROM "MetricPoint" WHERE "seriesId" = q.sid AND step BETWEEN q.lo AND q.hi OFFSET 0) p
    GROUP BY q.sid`;
  for (const r of rows) out.set(r.sid, unpack(r));
  return out;
}

/**
 * Many series at once, each downsampled to at most `maxPoints` (lib/charts/downsample.ts's rule:
 * aligned power-of-two buckets, each bucket's lowest and highest point, and the last point). A
 * bucket is answered from the coarsest chart tier (MetricTier) that nests inside it, and the raw
 * points only at the range's ragged ends, so a million-point series costs a few thousand rows
 * and a zoomed range still gets every point's resolution. Three queries, however many series.
 */
export async function seriesPointsMany(reqs: SeriesRequest[], maxPoints: number): Promise<Map<bigint, { total: number; points: SeriesPoint[] }>> {
  const result = new Map<bigint, { total: number; points: SeriesPoint[] }>();
  if (!reqs.length) return result;
  const bounds = await prisma.$queryRaw<Array<{ sid: bigint; lo: number | null; hi: number | null }>>`
    SELECT q.sid,
      (SELECT step FROM "MetricPoint" WHERE "seriesId" = q.sid AND step BETWEEN q.f AND q.t ORDER BY step LIMIT 1) AS lo,
      (SELECT step FROM "MetricPoint" WHERE "seriesId" = q.sid AND step BETWEEN q.f AND q.t ORDER BY step DESC LIMIT 1) AS hi
    FROM unnest(${reqs.map((r) => r.seriesId)}::bigint[], ${reqs.map((r) => r.from ?? 0)}::int[], ${reqs.map((r) => r.to ?? MAX_STEP)}::int[]) AS q(sid, f, t)`;

  const raw: Array<{ seriesId: bigint; lo: number; hi: number }> = [];
  const tiered: Array<{ sid: bigint; lo: number; hi: number; w: number; t: number; a: number; b: number }> = [];
  const tiny: Array<{ seriesId: bigint; lo: number; hi: number }> = [];
  const buckets = Math.floor((maxPoints - 1) / 2);
  for (const r of bounds) {
    if (r.lo === null || r.hi === null) {
      result.set(r.sid, { total: 0, points: [] });
      continue;
    }
    // Steps are unique: a range no wider than the budget holds no more points than it.
    if (r.hi - r.lo + 1 <= maxPoints) raw.push({ seriesId: r.sid, lo: r.lo, hi: r.hi });
    else if (maxPoints < 3) tiny.push({ seriesId: r.sid, lo: r.lo, hi: r.hi });
    else {
      const w = bucketWidth(r.lo, r.hi, buckets);
      const t = [...TIER_WIDTHS].reverse().find((x) => x <= w) ?? 1;
      // Whole tier buckets inside [lo, hi]: [a, b]; the raw points outside them.
      let a = Math.ceil(r.lo / t) * t;
      let b = Math.floor((r.hi + 1) / t) * t - 1;
      if (t === 1 || a > b) {
        a = r.hi + 1;
        b = r.hi;
      }
      tiered.push({ sid: r.sid, lo: r.lo, hi: r.hi, w, t, a, b });
    }
  }

  const sparse: Array<{ seriesId: bigint; lo: number; hi: number }> = [];
  if (tiered.length) {
    const col = <K extends keyof (typeof tiered)[number]>(k: K) => tiered.map((x) => x[k]);
    // Each candidate (a raw point at a ragged end, or a tier bucket's lowest and highest point)
    // as arrays [value, step, epoch, ms] for the lowest and [value, -step, epoch, ms] for the
    // highest: array order is Postgres's value order, then the earliest step, so a plain min()/
    // max() per output bucket picks exactly the reference's points, with no sort.
    const rows = await prisma.$queryRaw<Array<{ sid: bigint; total: bigint; packed: string | null; last: string | null }>>`
      WITH q AS (
        SELECT * FROM unnest(${col('sid')}::bigint[], ${col('lo')}::int[], ${col('hi')}::int[], ${col('w')}::int[], ${col('t')}::int[], ${col('a')}::bigint[], ${col('b')}::bigint[])
          AS q(sid, lo, hi, w, t, a, b)
      ),
      -- LATERAL … OFFSET 0: one index range scan per series, never a hash join over the whole table
      -- (the planner cannot see how few rows q has).
      c AS (
        SELECT q.sid, p.step / q.w AS k, ARRAY[p.value, p.step::float8, p.epoch::float8, (extract(epoch FROM p."wallTime") * 1000)::float8] AS lo,
               ARRAY[p.value, -p.step::float8, p.epoch::float8, (extract(epoch FROM p."wallTime") * 1000)::float8] AS hi, 1 AS n
        FROM q CROSS JOIN LATERAL (
          SELECT * FROM "MetricPoint" WHERE "seriesId" = q.sid AND step >= q.lo AND step < q.a
          UNION ALL
          SELECT * FROM "MetricPoint" WHERE "seriesId" = q.sid AND step > q.b AND step <= q.hi
        ) p
        UNION ALL
        SELECT q.sid, (m.bucket::bigint * q.t) / q.w, ARRAY[m."minValue", m."minStep"::float8, m."minEpoch"::float8, (extract(epoch FROM m."minTime") * 1000)::float8],
               ARRAY[m."maxValue", -m."maxStep"::float8, m."maxEpoch"::float8, (extract(epoch FROM m."maxTime") * 1000)::float8], m.count
        FROM q CROSS JOIN LATERAL (
          SELECT * FROM "MetricTier" WHERE "seriesId" = q.sid AND width = q.t AND bucket BETWEEN q.a / q.t AND (q.b::bigint + 1) / q.t - 1 OFFSET 0
        ) m
      ),
      g AS (SELECT sid, k, min(lo) AS lo, max(hi) AS hi, sum(n) AS n FROM c GROUP BY sid, k)
      SELECT g.sid, sum(g.n)::bigint AS total,
        string_agg(concat(g.lo[1], ' ', g.lo[2], ' ', g.lo[3], ' ', g.lo[4], ' ', g.hi[1], ' ', -g.hi[2], ' ', g.hi[3], ' ', g.hi[4]), ',' ORDER BY g.k) AS packed,
        (SELECT concat(p.value, ' ', p.step, ' ', p.epoch, ' ', (extract(epoch FROM p."wallTime") * 1000)::float8)
         FROM q CROSS JOIN LATERAL (SELECT * FROM "MetricPoint" WHERE "seriesId" = q.sid AND step = q.hi OFFSET 0) p WHERE q.sid = g.sid) AS last
      FROM g GROUP BY g.sid`;
    for (const r of rows) {
      const total = Number(r.total);
      // A sparse series (few points over a wide range) is sent whole, as the reference does.
      if (total <= maxPoints) {
        const q = tiered.find((x) => x.sid === r.sid)!;
        sparse.push({ seriesId: r.sid, lo: q.lo, hi: q.hi });
        continue;
      }
      const point = (f: string[], at: number): SeriesPoint => ({
        value: Number(f[at]),
        step: Number(f[at + 1]),
        epoch: f[at + 2] === '' ? null : Number(f[at + 2]),
        time: Math.round(Number(f[at + 3])),
      });
      const points: SeriesPoint[] = [];
      for (const bucket of (r.packed ?? '').split(',')) {
        const f = bucket.split(' ');
        const lo = point(f, 0);
        const hi = point(f, 4);
        if (lo.step === hi.step) points.push(lo);
        else if (lo.step < hi.step) points.push(lo, hi);
        else points.push(hi, lo);
      }
      if (r.last) {
        const last = point(r.last.split(' '), 0);
        if (points.at(-1)?.step !== last.step) points.push(last);
      }
      result.set(r.sid, { total, points });
    }
  }
  const whole = await rawPoints([...raw, ...sparse]);
  for (const r of [...raw, ...sparse]) {
    const points = whole.get(r.seriesId) ?? [];
    result.set(r.seriesId, { total: points.length, points });
  }
  // A budget of one or two points: the last point, or the first and the last.
  for (const r of tiny) {
    const [n] = await prisma.$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM "MetricPoint" WHERE "seriesId" = ${r.seriesId} AND step BETWEEN ${r.lo} AND ${r.hi}`;
    const total = Number(n!.n);
    const ends = await rawPoints(total <= maxPoints ? [r] : [{ seriesId: r.seriesId, lo: r.hi, hi: r.hi }]);
    const last = ends.get(r.seriesId) ?? [];
    const first = total > maxPoints && maxPoints === 2 ? ((await rawPoints([{ seriesId: r.seriesId, lo: r.lo, hi: r.lo }])).get(r.seriesId) ?? []) : [];
    result.set(r.seriesId, { total, points: [...first, ...last] });
  }
  return result;
}

/** One series, downsampled in the database. */
export async function seriesPoints(seriesId: bigint, maxPoints: number, range?: { from?: number; to?: number }): Promise<{ total: number; points: SeriesPoint[] }> {
  const r = await seriesPointsMany([{ seriesId, from: range?.from, to: range?.to }], maxPoints);
  return r.get(seriesId) ?? { total: 0, points: [] };
}

export async function runSeries(
  teamId: string,
  runId: string,
  opts: { keys?: string[]; maxPoints: number; from?: number; to?: number },
): Promise<SeriesData[]> {
  await runOfTeam(teamId, runId);
  const series = await prisma.metricSeries.findMany({
    where: { runId, ...(opts.keys?.length ? { key: { in: opts.keys } } : {}) },
    orderBy: [{ context: 'asc' }, { key: 'asc' }],
  });
  const data = await seriesPointsMany(series.map((s) => ({ seriesId: s.id, from: opts.from, to: opts.to })), opts.maxPoints);
  return series.map((s) => ({ runId, key: s.key, context: s.context, ...(data.get(s.id) ?? { total: 0, points: [] }) }));
}

export async function runSummaries(teamId: string, runId: string) {
  await runOfTeam(teamId, runId);
  return prisma.metricSeries.findMany({
    where: { runId },
    select: { key: true, context: true, last: true, lastStep: true, min: true, max: true, count: true, updatedAt: true },
    orderBy: [{ context: 'asc' }, { key: 'asc' }],
  });
}

export { Prisma };

/** Several runs side by side: each run's series for the given keys (or all), downsampled. */
export async function compareSeries(teamId: string, runIds: string[], opts: { keys?: string[]; maxPoints: number }) {
  const runs = await prisma.run.findMany({ where: { teamId, id: { in: runIds } }, select: { id: true } });
  if (runs.length !== new Set(runIds).size) throw notFound('Run');
  const series = await prisma.metricSeries.findMany({
    where: { runId: { in: runIds }, context: { not: 'system' }, ...(opts.keys?.length ? { key: { in: opts.keys } } : { key: { not: { startsWith: 'batch/' } } }) },
    orderBy: [{ key: 'asc' }, { context: 'asc' }],
  });
  const data = await seriesPointsMany(series.map((s) => ({ seriesId: s.id })), opts.maxPoints);
  return series.map((s) => ({ runId: s.runId, key: s.key, context: s.context, ...(data.get(s.id) ?? { total: 0, points: [] }) }));
}
