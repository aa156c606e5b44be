import { Prisma } from '@prisma/client';
import { prisma, sql } from '@/lib/db/client';
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

/** A chart point as packed by the queries below: "value,step,epoch,ms" (epoch may be null). */
const POINT_TEXT = (t: string, time: string) => `concat(${t}.value, ',', ${t}.step, ',', COALESCE(${t}.epoch::text, 'null'), ',', (date_part('epoch', ${t}."${time}") * 1000)::bigint)`;

/**
 * The numbers of a packed list ("1.5,3,null,17…"): JSON.parse reads them natively; a list with
 * NaN or ±Infinity (which JSON lacks) is read token by token.
 */
function numbers(packed: string | null, width: number): Array<number | null> {
  if (!packed) return [];
  let out: Array<number | null>;
  try {
    out = JSON.parse(`[${packed}]`) as Array<number | null>;
  } catch {
    out = packed.split(',').map((t) => (t === 'null' ? null : Number(t)));
  }
  if (out.length % width) throw new Error(`malformed packed points (${out.length} numbers, ${width} per item)`);
  return out;
}

const pointAt = (f: Array<number | null>, at: number): SeriesPoint => ({ value: f[at] as number, step: f[at + 1] as number, epoch: f[at + 2] ?? null, time: f[at + 3] as number });

/** Every point of each series within [lo, hi]. */
async function rawPoints(reqs: Array<{ seriesId: bigint; lo: number; hi: number }>): Promise<Map<bigint, SeriesPoint[]>> {
  const out = new Map<bigint, SeriesPoint[]>();
  if (!reqs.length) return out;
  const rows = await sql<{ sid: string; packed: string | null }>(
    `SELECT q.sid::text AS sid, p.packed
     FROM unnest($1::bigint[], $2::int[], $3::int[]) AS q(sid, lo, hi)
     CROSS JOIN LATERAL (
       SELECT string_agg(${POINT_TEXT('m', 'wallTime')}, ',' ORDER BY m.step) AS packed
       FROM "MetricPoint" m WHERE m."seriesId" = q.sid AND m.step BETWEEN q.lo AND q.hi
     ) p`,
    [reqs.map((r) => String(r.seriesId)), reqs.map((r) => r.lo), reqs.map((r) => r.hi)],
  );
  for (const r of rows) {
    const f = numbers(r.packed, 4);
    const points = new Array<SeriesPoint>(f.length / 4);
    for (let i = 0; i < points.length; i++) points[i] = pointAt(f, i * 4);
    out.set(BigInt(r.sid), points);
  }
  return out;
}

/** a < b in Postgres's float8 order (NaN above everything, NaN = NaN). */
function pgBelow(a: number, b: number): boolean {
  if (Number.isNaN(a)) return false;
  if (Number.isNaN(b)) return true;
  return a < b;
}

/**
 * Many series at once, each downsampled to at most `maxPoints` (lib/charts/downsample.ts's rule:
 * aligned power-of-two buckets, each bucket's lowest and highest point — the earliest on ties —
 * and the last point). A bucket is answered from the coarsest chart tier (MetricTier) that nests
 * inside it, and from raw points only at the range's ragged ends, so a million-point series costs
 * a few hundred rows and a zoomed range still gets every point's resolution. The database reads
 * and packs the candidates (index range scans, no aggregation); merging them into the output
 * buckets is a linear pass here. A few queries, however many series.
 */
export async function seriesPointsMany(reqs: SeriesRequest[], maxPoints: number): Promise<Map<bigint, { total: number; points: SeriesPoint[] }>> {
  const result = new Map<bigint, { total: number; points: SeriesPoint[] }>();
  if (!reqs.length) return result;
  const bounds = await sql<{ sid: string; lo: number | null; hi: number | null }>(
    `SELECT q.sid::text AS sid,
       (SELECT step FROM "MetricPoint" WHERE "seriesId" = q.sid AND step BETWEEN q.f AND q.t ORDER BY step LIMIT 1) AS lo,
       (SELECT step FROM "MetricPoint" WHERE "seriesId" = q.sid AND step BETWEEN q.f AND q.t ORDER BY step DESC LIMIT 1) AS hi
     FROM unnest($1::bigint[], $2::int[], $3::int[]) AS q(sid, f, t)`,
    [reqs.map((r) => String(r.seriesId)), reqs.map((r) => r.from ?? 0), reqs.map((r) => r.to ?? MAX_STEP)],
  );

  const raw: Array<{ seriesId: bigint; lo: number; hi: number }> = [];
  const tiered: Array<{ sid: bigint; lo: number; hi: number; w: number; t: number; a: number; b: number }> = [];
  const tiny: Array<{ seriesId: bigint; lo: number; hi: number }> = [];
  const buckets = Math.floor((maxPoints - 1) / 2);
  for (const r of bounds) {
    const sid = BigInt(r.sid);
    if (r.lo === null || r.hi === null) {
      result.set(sid, { total: 0, points: [] });
      continue;
    }
    // Steps are unique: a range no wider than the budget holds no more points than it.
    if (r.hi - r.lo + 1 <= maxPoints) raw.push({ seriesId: sid, lo: r.lo, hi: r.hi });
    else if (maxPoints < 3) tiny.push({ seriesId: sid, lo: r.lo, hi: r.hi });
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
      tiered.push({ sid, lo: r.lo, hi: r.hi, w, t, a, b });
    }
  }

  const sparse: Array<{ seriesId: bigint; lo: number; hi: number }> = [];
  if (tiered.length) {
    // Per series: its tier buckets inside [a, b] (min point, max point, count) and the raw points at the
    // ragged ends, each in step order; and the last point, which the answer always holds. Many
    // series go as a few queries at once, so the database reads them on several cores while the
    // answers already back are unpacked here.
    const TIERED_SQL = `SELECT q.i::int AS i, tiers.packed AS tiers, ends.packed AS ends,
         (SELECT ${POINT_TEXT('p', 'wallTime')} FROM "MetricPoint" p WHERE p."seriesId" = q.sid AND p.step = q.hi) AS last
       FROM unnest($1::bigint[], $2::int[], $3::int[], $4::int[], $5::bigint[], $6::bigint[], $7::int[]) AS q(sid, lo, hi, t, a, b, i)
       CROSS JOIN LATERAL (
         SELECT string_agg(concat(m."minValue", ',', m."minStep", ',', COALESCE(m."minEpoch"::text, 'null'), ',', (date_part('epoch', m."minTime") * 1000)::bigint, ',',
                                  m."maxValue", ',', m."maxStep", ',', COALESCE(m."maxEpoch"::text, 'null'), ',', (date_part('epoch', m."maxTime") * 1000)::bigint, ',', m.count), ',' ORDER BY m.bucket) AS packed
         FROM "MetricTier" m WHERE m."seriesId" = q.sid AND m.width = q.t AND m.bucket BETWEEN q.a / q.t AND (q.b + 1) / q.t - 1
       ) tiers
       CROSS JOIN LATERAL (
         SELECT string_agg(${POINT_TEXT('p', 'wallTime')}, ',' ORDER BY p.step) AS packed
         FROM (SELECT * FROM "MetricPoint" WHERE "seriesId" = q.sid AND step >= q.lo AND step < q.a
               UNION ALL
               SELECT * FROM "MetricPoint" WHERE "seriesId" = q.sid AND step > q.b AND step <= q.hi) p
       ) ends`;
    const PER_QUERY = 25;
    const chunks: Array<Promise<Array<{ i: number; tiers: string | null; ends: string | null; last: string | null }>>> = [];
    for (let from = 0; from < tiered.length; from += PER_QUERY) {
      const part = tiered.slice(from, from + PER_QUERY);
      const col = <K extends keyof (typeof tiered)[number]>(k: K) => part.map((x) => String(x[k]));
      chunks.push(sql(TIERED_SQL, [col('sid'), col('lo'), col('hi'), col('t'), col('a'), col('b'), part.map((_, j) => from + j + 1)], { name: 'chart-tiered' }));
    }
    const take = (r: { i: number; tiers: string | null; ends: string | null; last: string | null }) => {
      const q = tiered[r.i - 1]!;
      const tiers = numbers(r.tiers, 9);
      const ends = numbers(r.ends, 4);
      let total = ends.length / 4;
      for (let i = 8; i < tiers.length; i += 9) total += tiers[i]!;
      // A sparse series (few points over a wide range) is sent whole, as the reference does.
      if (total <= maxPoints) {
        sparse.push({ seriesId: q.sid, lo: q.lo, hi: q.hi });
        return;
      }
      // Output buckets by step / w, in step order: the ragged start, the tiers, the ragged end.
      const out: Array<{ k: number; lo: SeriesPoint; hi: SeriesPoint }> = [];
      const add = (lo: SeriesPoint, hi: SeriesPoint) => {
        const k = Math.floor(lo.step / q.w);
        const cur = out.at(-1);
        if (!cur || cur.k !== k) {
          out.push({ k, lo, hi });
          return;
        }
        if (pgBelow(lo.value, cur.lo.value) || (!pgBelow(cur.lo.value, lo.value) && lo.step < cur.lo.step)) cur.lo = lo;
        if (pgBelow(cur.hi.value, hi.value) || (!pgBelow(hi.value, cur.hi.value) && hi.step < cur.hi.step)) cur.hi = hi;
      };
      let e = 0;
      for (; e < ends.length && ends[e + 1]! < q.a; e += 4) {
        const p = pointAt(ends, e);
        add(p, p);
      }
      for (let i = 0; i < tiers.length; i += 9) add(pointAt(tiers, i), pointAt(tiers, i + 4));
      for (; e < ends.length; e += 4) {
        const p = pointAt(ends, e);
        add(p, p);
      }
      const points: SeriesPoint[] = [];
      for (const { lo, hi } of out) {
        if (lo.step === hi.step) points.push(lo);
        else if (lo.step < hi.step) points.push(lo, hi);
        else points.push(hi, lo);
      }
      if (r.last) {
        const last = pointAt(numbers(r.last, 4), 0);
        if (points.at(-1)?.step !== last.step) points.push(last);
      }
      result.set(q.sid, { total, points });
    };
    await Promise.all(chunks.map((c) => c.then((rows) => rows.forEach(take))));
  }
  const whole = await rawPoints([...raw, ...sparse]);
  for (const r of [...raw, ...sparse]) {
    const points = whole.get(r.seriesId) ?? [];
    result.set(r.seriesId, { total: points.length, points });
  }
  // A budget of one or two points: the last point, or the first and the last.
  for (const r of tiny) {
    const [n] = await sql<{ n: number }>('SELECT count(*)::int AS n FROM "MetricPoint" WHERE "seriesId" = $1 AND step BETWEEN $2 AND $3', [String(r.seriesId), r.lo, r.hi]);
    const total = n!.n;
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

export async function runSeries(teamId: string, runId: string, opts: { keys?: string[]; maxPoints: number; from?: number; to?: number }): Promise<SeriesData[]> {
  await runOfTeam(teamId, runId);
  const series = await prisma.metricSeries.findMany({
    where: { runId, ...(opts.keys?.length ? { key: { in: opts.keys } } : {}) },
    orderBy: [{ context: 'asc' }, { key: 'asc' }],
  });
  const data = await seriesPointsMany(
    series.map((s) => ({ seriesId: s.id, from: opts.from, to: opts.to })),
    opts.maxPoints,
  );
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
  const data = await seriesPointsMany(
    series.map((s) => ({ seriesId: s.id })),
    opts.maxPoints,
  );
  return series.map((s) => ({ runId: s.runId, key: s.key, context: s.context, ...(data.get(s.id) ?? { total: 0, points: [] }) }));
}
