import { beforeAll, describe, expect, it } from 'vitest';
import { prisma } from '@/lib/db/client';
import { logMetrics } from '@/lib/tracking/metrics';
import { makeStoredRun, makeWorkspace } from '../helpers/factories';

let runId: string;

async function makeRun() {
  const run = await makeStoredRun(await makeWorkspace({ project: 'Metrics' }), { number: 1, name: 'r' });
  return run.id;
}

beforeAll(async () => {
  runId = await makeRun();
});

describe('the metric write path', () => {
  it('stores points, maintains summaries, and is idempotent for a re-sent batch', async () => {
    const batch = [
      { key: 'loss', step: 0, value: 1.0, epoch: 0 },
      { key: 'loss', step: 1, value: 0.5, epoch: 0 },
      { key: 'loss', step: 2, value: 0.7, epoch: 0 },
      { key: 'accuracy', context: 'validation' as const, step: 0, value: 0.6 },
    ];
    expect(await logMetrics(prisma, runId, batch)).toEqual({ inserted: 4, series: 2 });
    expect(await logMetrics(prisma, runId, batch)).toEqual({ inserted: 0, series: 2 });
    const loss = await prisma.metricSeries.findUniqueOrThrow({ where: { runId_key_context: { runId, key: 'loss', context: 'train' } } });
    expect(loss).toMatchObject({ last: 0.7, lastStep: 2, min: 0.5, max: 1.0, count: 3 });
    expect(await prisma.metricPoint.count({ where: { seriesId: loss.id } })).toBe(3);
  });

  it('keeps the last value by step when batches arrive out of order', async () => {
    const id = await makeRun();
    await logMetrics(prisma, id, [{ key: 'loss', step: 10, value: 0.1 }]);
    await logMetrics(prisma, id, [{ key: 'loss', step: 5, value: 9 }]);
    const s = await prisma.metricSeries.findFirstOrThrow({ where: { runId: id, key: 'loss' } });
    expect(s).toMatchObject({ last: 0.1, lastStep: 10, min: 0.1, max: 9, count: 2 });
  });

  it('stores NaN and infinity (a diverging loss is information) and refuses malformed points', async () => {
    const id = await makeRun();
    await logMetrics(prisma, id, [
      { key: 'loss', step: 0, value: Number.NaN },
      { key: 'loss', step: 1, value: Number.POSITIVE_INFINITY },
    ]);
    const pts = await prisma.metricPoint.findMany({ where: { series: { runId: id } }, orderBy: { step: 'asc' } });
    expect(Number.isNaN(pts[0]!.value)).toBe(true);
    expect(pts[1]!.value).toBe(Number.POSITIVE_INFINITY);
    await expect(logMetrics(prisma, id, [{ key: '', step: 0, value: 1 }])).rejects.toThrow();
    await expect(logMetrics(prisma, id, [{ key: 'x', step: -1, value: 1 }])).rejects.toThrow();
  });

  // A small batch goes in one statement (text arrays), a large one by binary COPY: both store the same.
  it.each([
    ['one statement', 0],
    ['binary COPY', 1500],
  ])('stores every field exactly (%s): 64-bit series ids, times, null and zero epochs, extreme floats', async (_path, padding) => {
    // Series ids past 2^32 exercise the high word of the int8 encoding.
    await prisma.$executeRawUnsafe(`SELECT setval(pg_get_serial_sequence('"MetricSeries"', 'id'), GREATEST((SELECT last_value FROM "MetricSeries_id_seq"), 6000000000))`);
    const id = await makeRun();
    const t = new Date('2026-03-04T05:06:07.891Z');
    const early = new Date('1999-12-31T23:59:59.999Z'); // before Postgres's epoch: a negative timestamp
    const values = [-0.0, 5e-324, -Number.MAX_VALUE, Number.NEGATIVE_INFINITY, 1 / 3, -1e-300, 2 ** 53 + 2];
    const res = await logMetrics(prisma, id, [
      ...values.map((value, step) => ({ key: 'v', step, value, epoch: step === 0 ? 0 : step === 1 ? undefined : 2_000_000_000, wallTime: step === 2 ? early : t })),
      { key: 'big step', context: 'system' as const, step: 2_147_483_647, value: 1 },
      ...Array.from({ length: padding }, (_, step) => ({ key: 'padding', step, value: step })),
    ]);
    expect(res).toEqual({ inserted: values.length + 1 + padding, series: padding ? 3 : 2 });
    const series = await prisma.metricSeries.findFirstOrThrow({ where: { runId: id, key: 'v' } });
    expect(series.id).toBeGreaterThan(2n ** 32n);
    const pts = await prisma.metricPoint.findMany({ where: { seriesId: series.id }, orderBy: { step: 'asc' } });
    expect(pts.map((p) => p.value)).toEqual(values);
    expect(Object.is(pts[0]!.value, -0)).toBe(true);
    expect(pts.map((p) => p.epoch)).toEqual([0, null, ...values.slice(2).map(() => 2_000_000_000)]);
    expect(pts[0]!.wallTime.toISOString()).toBe(t.toISOString());
    expect(pts[2]!.wallTime.toISOString()).toBe(early.toISOString());
    const big = await prisma.metricSeries.findFirstOrThrow({ where: { runId: id, key: 'big step', context: 'system' } });
    expect(big).toMatchObject({ lastStep: 2_147_483_647, count: 1 });
    // The tiers were written in the same transaction as the points.
    expect(await prisma.metricTier.count({ where: { seriesId: series.id, width: 32 } })).toBe(1);
  });

  it('writes 20 000 points in one batch', async () => {
    const id = await makeRun();
    const pts = Array.from({ length: 20_000 }, (_, i) => ({ key: i % 2 ? 'loss' : 'acc', step: i >> 1, value: Math.sin(i) }));
    expect((await logMetrics(prisma, id, pts)).inserted).toBe(20_000);
    const acc = await prisma.metricSeries.findFirstOrThrow({ where: { runId: id, key: 'acc' } });
    expect(acc.count).toBe(10_000);
    expect(acc.lastStep).toBe(9_999);
  });
});

describe('downsampled series reads', () => {
  it('match the reference downsampler, keep spikes and the last point, and honour the budget', async () => {
    const { seriesPoints } = await import('@/server/services/metrics');
    const { downsampleMinMax } = await import('@/lib/charts/downsample');
    const id = await makeRun();
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const pts = Array.from({ length: 30_000 }, (_, step) => ({ key: 'loss', step: step * 3, value: Math.round(rand() * 1000) / 1000 }));
    pts[17_777]!.value = 99; // a one-step spike
    for (let i = 0; i < pts.length; i += 10_000) await logMetrics(prisma, id, pts.slice(i, i + 10_000));
    const s = await prisma.metricSeries.findFirstOrThrow({ where: { runId: id } });
    for (const budget of [1000, 301, 7]) {
      const got = await seriesPoints(s.id, budget);
      expect(got.total).toBe(30_000);
      expect(got.points.length).toBeLessThanOrEqual(budget);
      const ref = downsampleMinMax(
        pts.map((p) => ({ step: p.step, value: p.value })),
        budget,
      );
      expect(got.points.map((p) => [p.step, p.value])).toEqual(ref.map((p) => [p.step, p.value]));
      expect(got.points.some((p) => p.value === 99)).toBe(true);
      expect(got.points.at(-1)!.step).toBe(pts.at(-1)!.step);
    }
    const zoom = await seriesPoints(s.id, 1000, { from: 3000, to: 3300 });
    expect(zoom.total).toBe(101);
    expect(zoom.points).toHaveLength(101);
  });
});
