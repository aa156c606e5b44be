/**
 * P3 chart queries: 100 runs × 100 000 points of one metric (with one-step spikes) and one run
 * with a 1 000 000-point series. Measured through the services the tRPC routers call:
 * compareSeries (100 series at ≤ 1 000 points each) and runSeries (the 1M series at ≤ 1 000
 * points), p95 over repeated calls; each answer is checked to keep its spikes and last point.
 * The points are seeded in SQL, the min/max tiers built by the same function the write path's
 * resume and migrations use (rebuildMetricTiers).
 */
import { prisma } from '@/lib/db/client';
import { rebuildMetricTiers } from '@/lib/tracking/metrics';
import { compareSeries, runSeries } from '@/server/services/metrics';
import type { BenchContext, BenchResult } from './types';
import { makePlace, makeRuns, percentile } from './support/seed';

const SPIKE = 1e6;

/** Seeds `points` steps of 'loss' per run: a noisy decay with a spike at every step ≡ 7777 (mod 50 000). */
export async function seedSeries(runIds: string[], points: number): Promise<bigint[]> {
  const series = await prisma.$queryRaw<Array<{ id: bigint }>>`
    INSERT INTO "MetricSeries" ("runId", key, context) SELECT r, 'loss', 'train' FROM unnest(${runIds}::text[]) r RETURNING id`;
  const ids = series.map((s) => s.id);
  for (const id of ids) {
    await prisma.$executeRaw`
      INSERT INTO "MetricPoint" ("seriesId", step, value, epoch, "wallTime")
      SELECT ${id}, g, CASE WHEN g % 50000 = 7777 THEN ${SPIKE}::float8 ELSE 1.0 / (1 + g * 0.0001) + random() * 0.05 END, g / 1000, now()
      FROM generate_series(0, ${points - 1}::int) g`;
  }
  await prisma.$executeRaw`
    UPDATE "MetricSeries" s SET "min" = a.mn, "max" = a.mx, "lastStep" = a.ls, "count" = a.n,
      "last" = (SELECT value FROM "MetricPoint" WHERE "seriesId" = s.id AND step = a.ls)
    FROM (SELECT "seriesId", min(value) mn, max(value) mx, max(step) ls, count(*)::int n FROM "MetricPoint" WHERE "seriesId" = ANY(${ids}::bigint[]) GROUP BY "seriesId") a
    WHERE a."seriesId" = s.id`;
  await rebuildMetricTiers(prisma, ids);
  return ids;
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const r = await fn();
  return [performance.now() - t0, r];
}

export default async function p3(ctx: BenchContext): Promise<BenchResult[]> {
  const runsN = ctx.quick ? 20 : 100;
  const perRun = ctx.quick ? 20_000 : 100_000;
  const bigN = ctx.quick ? 200_000 : 1_000_000;
  const reps = ctx.quick ? 5 : 20;
  const place = await makePlace();
  const runIds = await makeRuns(place, runsN);
  const [bigRun] = await makeRuns(place, 1);
  let t0 = performance.now();
  await seedSeries(runIds, perRun);
  ctx.log(`seeded ${runsN} runs × ${perRun} points in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  t0 = performance.now();
  await seedSeries([bigRun!], bigN);
  ctx.log(`seeded one ${bigN}-point series in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  await prisma.$executeRawUnsafe('ANALYZE');

  const spikesPerRun = Math.floor((perRun - 1 - 7777) / 50000) + 1;
  const compareMs: number[] = [];
  let spikesOk = true;
  await compareSeries(place.teamId, runIds, { keys: ['loss'], maxPoints: 1000 }); // warm-up
  for (let i = 0; i < reps; i++) {
    const [ms, res] = await timed(() => compareSeries(place.teamId, runIds, { keys: ['loss'], maxPoints: 1000 }));
    compareMs.push(ms);
    if (i === 0) {
      spikesOk = res.length === runsN && res.every((s) => s.points.length <= 1000 && s.points.filter((p) => p.value === SPIKE).length === spikesPerRun && s.points.at(-1)!.step === perRun - 1);
    }
  }
  const bigMs: number[] = [];
  let bigOk = true;
  await runSeries(place.teamId, bigRun!, { keys: ['loss'], maxPoints: 1000 });
  for (let i = 0; i < reps * 3; i++) {
    const [ms, res] = await timed(() => runSeries(place.teamId, bigRun!, { keys: ['loss'], maxPoints: 1000 }));
    bigMs.push(ms);
    if (i === 0) bigOk = res[0]!.total === bigN && res[0]!.points.length <= 1000 && res[0]!.points.filter((p) => p.value === SPIKE).length === Math.floor((bigN - 1 - 7777) / 50000) + 1;
  }
  const zoomMs: number[] = [];
  for (let i = 0; i < reps; i++) {
    const from = 100_000 + i * 13_337;
    const [ms] = await timed(() => runSeries(place.teamId, bigRun!, { keys: ['loss'], maxPoints: 1000, from, to: from + 50_000 }));
    zoomMs.push(ms);
  }
  const cmp95 = percentile(compareMs, 95);
  const big95 = percentile(bigMs, 95);
  const zoom95 = percentile(zoomMs, 95);
  return [
    {
      id: 'P3-compare',
      name: `chart compare: ${runsN} series × ${perRun.toLocaleString('en-US')} points → ≤ 1 000 each, p95`,
      value: cmp95,
      unit: 'ms',
      target: 300,
      baseline: null,
      ratio: null,
      pass: cmp95 <= 300 && spikesOk,
      note: `compareSeries, ${reps} calls (median ${percentile(compareMs, 50).toFixed(0)} ms); spikes and last points ${spikesOk ? 'kept' : 'MISSING'}`,
    },
    {
      id: 'P3-series',
      name: `chart series: one ${bigN.toLocaleString('en-US')}-point series → ≤ 1 000, p95`,
      value: big95,
      unit: 'ms',
      target: 50,
      baseline: null,
      ratio: null,
      pass: big95 <= 50 && bigOk,
      note: `runSeries, ${reps * 3} calls (median ${percentile(bigMs, 50).toFixed(1)} ms); spikes ${bigOk ? 'kept' : 'MISSING'}; a zoomed 50 000-step window: p95 ${zoom95.toFixed(1)} ms`,
    },
  ];
}
