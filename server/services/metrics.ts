import { Prisma } from '@prisma/client';
import { prisma } from '@/lib/db/client';
import { logMetrics, type MetricPointInput } from '@/lib/tracking/metrics';
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

type Row = { step: number; value: number; epoch: number | null; wallTime: Date };

function toPoint(r: Row): SeriesPoint {
  return { step: r.step, value: r.value, epoch: r.epoch, time: r.wallTime.getTime() };
}

/** One series, downsampled in the database. */
export async function seriesPoints(seriesId: bigint, maxPoints: number, range?: { from?: number; to?: number }): Promise<{ total: number; points: SeriesPoint[] }> {
  const from = range?.from ?? 0;
  const to = range?.to ?? 2_147_483_647;
  const [bounds] = await prisma.$queryRaw<Array<{ lo: number | null; hi: number | null; n: bigint }>>`
    SELECT min(step) AS lo, max(step) AS hi, count(*) AS n FROM "MetricPoint"
    WHERE "seriesId" = ${seriesId} AND step BETWEEN ${from} AND ${to}`;
  const total = Number(bounds?.n ?? 0);
  if (!bounds || bounds.lo === null || bounds.hi === null) return { total: 0, points: [] };
  if (total <= maxPoints) {
    const rows = await prisma.$queryRaw<Row[]>`
      SELECT step, value, epoch, "wallTime" FROM "MetricPoint"
      WHERE "seriesId" = ${seriesId} AND step BETWEEN ${from} AND ${to} ORDER BY step`;
    return { total, points: rows.map(toPoint) };
  }
  if (maxPoints < 3) {
    const rows = await prisma.$queryRaw<Row[]>`
      (SELECT step, value, epoch, "wallTime" FROM "MetricPoint" WHERE "seriesId" = ${seriesId} AND step = ${bounds.lo})
      UNION ALL
      (SELECT step, value, epoch, "wallTime" FROM "MetricPoint" WHERE "seriesId" = ${seriesId} AND step = ${bounds.hi})`;
    return { total, points: (maxPoints === 1 ? rows.slice(-1) : rows).map(toPoint) };
  }
  const buckets = Math.floor((maxPoints - 1) / 2);
  // The last point is kept on its own; the others fall into equal step ranges over [lo, hi_prev + 1).
  const [prev] = await prisma.$queryRaw<Array<{ s: number }>>`
    SELECT max(step) AS s FROM "MetricPoint" WHERE "seriesId" = ${seriesId} AND step >= ${bounds.lo} AND step < ${bounds.hi}`;
  const hiPrev = prev!.s;
  const rows = await prisma.$queryRaw<Row[]>`
    WITH p AS (
      SELECT step, value, epoch, "wallTime", width_bucket(step::float8, ${bounds.lo}::float8, ${hiPrev + 1}::float8, ${buckets}::int) AS b
      FROM "MetricPoint" WHERE "seriesId" = ${seriesId} AND step >= ${bounds.lo} AND step < ${bounds.hi}
    ),
    mins AS (SELECT DISTINCT ON (b) step, value, epoch, "wallTime" FROM p ORDER BY b, value ASC, step ASC),
    maxs AS (SELECT DISTINCT ON (b) step, value, epoch, "wallTime" FROM p ORDER BY b, value DESC, step ASC),
    lastp AS (SELECT step, value, epoch, "wallTime" FROM "MetricPoint" WHERE "seriesId" = ${seriesId} AND step = ${bounds.hi})
    SELECT * FROM (SELECT * FROM mins UNION SELECT * FROM maxs UNION SELECT * FROM lastp) u ORDER BY step`;
  return { total, points: rows.map(toPoint) };
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
  return Promise.all(
    series.map(async (s) => {
      const { total, points } = await seriesPoints(s.id, opts.maxPoints, { from: opts.from, to: opts.to });
      return { runId, key: s.key, context: s.context, total, points };
    }),
  );
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
  return Promise.all(series.map(async (s) => ({ runId: s.runId, key: s.key, context: s.context, ...(await seriesPoints(s.id, opts.maxPoints)) })));
}
