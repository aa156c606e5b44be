import { describe, expect, it } from 'vitest';
import { downsampleMinMax } from '@/lib/charts/downsample';
import { prisma } from '@/lib/db/client';
import { logMetrics, truncateRunMetrics } from '@/lib/tracking/metrics';
import { seriesPoints, seriesPointsMany } from '@/server/services/metrics';
import { makeStoredRun, makeWorkspace } from '../helpers/factories';

/**
 * The chart tiers (MetricTier) answer downsampled reads: whatever order the points arrived in,
 * the server's answer must equal the reference downsampler's over the raw points.
 */

async function makeRun() {
  const run = await makeStoredRun(await makeWorkspace({ project: 'Tiers' }), { number: 1, name: 'r' });
  return run.id;
}

function spiky(n: number, seed: number, stepOf = (i: number) => i) {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n }, (_, i) => {
    const r = rand();
    // Ties (rounded values), one-step spikes both ways, NaN and infinities.
    const value = r < 0.001 ? 1e6 : r < 0.002 ? -1e6 : r < 0.0025 ? Number.NaN : r < 0.0027 ? Number.POSITIVE_INFINITY : i % 2 ? Math.round(rand() * 100) / 100 : rand() * 1.2345678901234567;
    return { key: 'loss', step: stepOf(i), value, epoch: i >> 8 };
  });
}

async function expectReference(seriesId: bigint, pts: Array<{ step: number; value: number }>, budgets: number[], range?: { from: number; to: number }) {
  const inRange = pts.filter((p) => !range || (p.step >= range.from && p.step <= range.to)).sort((a, b) => a.step - b.step);
  for (const budget of budgets) {
    const got = await seriesPoints(seriesId, budget, range);
    const ref = downsampleMinMax(inRange, budget);
    expect(got.total).toBe(inRange.length);
    expect(got.points.length).toBeLessThanOrEqual(budget);
    expect(got.points.map((p) => [p.step, p.value])).toEqual(ref.map((p) => [p.step, p.value]));
  }
}

describe('chart tiers', () => {
  it('give the reference downsampler’s points on spiky data, for the whole series and zoomed ranges', async () => {
    const runId = await makeRun();
    const pts = spiky(150_000, 7);
    for (let i = 0; i < pts.length; i += 5000) await logMetrics(prisma, runId, pts.slice(i, i + 5000));
    const s = await prisma.metricSeries.findFirstOrThrow({ where: { runId } });
    expect(await prisma.metricTier.count({ where: { seriesId: s.id } })).toBeGreaterThan(0);
    await expectReference(s.id, pts, [1000, 501, 64, 7, 3]);
    // Zoomed: ragged ends come from the raw points, and a narrow window gets every point.
    await expectReference(s.id, pts, [1000, 100], { from: 12_345, to: 98_765 });
    const narrow = await seriesPoints(s.id, 1000, { from: 70_001, to: 70_900 });
    expect(narrow.points.map((p) => p.step)).toEqual(Array.from({ length: 900 }, (_, i) => 70_001 + i));
    // The spikes survive a 1 000-point budget (a bucket's NaN or +Infinity outranks a +1e6).
    const all = await seriesPoints(s.id, 1000);
    expect(all.points.some((p) => p.value === -1e6)).toBe(true);
    expect(all.points.some((p) => p.value === 1e6)).toBe(true);
    expect(all.points.some((p) => Number.isNaN(p.value))).toBe(true);
  });

  it('stay exact when batches arrive out of order, overlap, are re-sent, or are truncated on resume', async () => {
    const runId = await makeRun();
    const pts = spiky(40_000, 11, (i) => i * 2);
    const batches = [];
    for (let i = 0; i < pts.length; i += 3000) batches.push(pts.slice(i, i + 3000));
    // Backwards, then every other batch again (re-sent), then one overlapping batch.
    for (const b of batches.slice().reverse()) await logMetrics(prisma, runId, b);
    for (const b of batches.filter((_, i) => i % 2 === 0)) await logMetrics(prisma, runId, b);
    await logMetrics(prisma, runId, pts.slice(1500, 4500));
    const s = await prisma.metricSeries.findFirstOrThrow({ where: { runId } });
    expect(s.count).toBe(pts.length);
    await expectReference(s.id, pts, [1000, 99]);
    const tiers = await prisma.metricTier.groupBy({ by: ['width'], where: { seriesId: s.id }, _sum: { count: true } });
    for (const t of tiers) expect(t._sum.count).toBe(pts.length);

    // A resume drops the points after its checkpoint; the tiers follow.
    await truncateRunMetrics(prisma, runId, { batchStep: 0, epoch: 50_001 });
    const kept = pts.filter((p) => p.step <= 50_001);
    await expectReference(s.id, kept, [1000, 99]);
    // And the run logs forward again from there.
    const again = spiky(5000, 3, (i) => 50_002 + i);
    await logMetrics(prisma, runId, again);
    await expectReference(s.id, [...kept, ...again], [1000, 99]);
  });

  it('answer many series in one call, each as it would be alone', async () => {
    const runId = await makeRun();
    const a = spiky(20_000, 1).map((p) => ({ ...p, key: 'a' }));
    const b = spiky(300, 2).map((p) => ({ ...p, key: 'b' }));
    const c = spiky(900, 3, (i) => i * 1000).map((p) => ({ ...p, key: 'c' })); // sparse: few points, wide range
    await logMetrics(prisma, runId, [...a, ...b, ...c]);
    const series = await prisma.metricSeries.findMany({ where: { runId }, orderBy: { key: 'asc' } });
    const many = await seriesPointsMany(
      series.map((s) => ({ seriesId: s.id })),
      1000,
    );
    for (const s of series) expect(many.get(s.id)).toEqual(await seriesPoints(s.id, 1000));
    expect(many.get(series[2]!.id)!.points).toHaveLength(900);
    expect(many.get(series[0]!.id)!.points.at(-1)!.step).toBe(19_999);
  });

  it('answer more series than one query takes (several queries at once), each as it would be alone and as the reference', async () => {
    const runId = await makeRun();
    // 60 series, each long enough for the tiers, with different lengths and offsets.
    const points = Array.from({ length: 60 }, (_, k) => spiky(2000 + k * 37, 100 + k, (i) => i + k * 11).map((p) => ({ ...p, key: `m${String(k).padStart(2, '0')}` }))).flat();
    for (let i = 0; i < points.length; i += 50_000) await logMetrics(prisma, runId, points.slice(i, i + 50_000));
    const series = await prisma.metricSeries.findMany({ where: { runId }, orderBy: { key: 'asc' } });
    expect(series).toHaveLength(60);
    const many = await seriesPointsMany(
      series.map((s) => ({ seriesId: s.id })),
      200,
    );
    for (const [k, s] of series.entries()) {
      const alone = await seriesPoints(s.id, 200);
      expect(many.get(s.id)).toEqual(alone);
      const raw = points.filter((p) => p.key === s.key).map((p) => ({ step: p.step, value: p.value }));
      expect(alone.points.map((p) => ({ step: p.step, value: p.value }))).toEqual(downsampleMinMax(raw, 200).map((p) => ({ step: p.step, value: p.value })));
      expect(alone.total).toBe(2000 + k * 37);
    }
  });
});
