import { beforeAll, describe, expect, it } from 'vitest';
import { prisma } from '@/lib/db/client';
import { logMetrics } from '@/lib/tracking/metrics';
import { Deepboard, DeepboardError } from '@/sdk/index';
import { trainAndLog } from '@/examples/tfjs-external-run';
import { createApiKey } from '@/server/services/api-keys';
import { searchRuns } from '@/server/services/run-search';
import { compareRuns, runReport } from '@/server/services/runs';
import { makeStoredRun, makeWorkspace, type Workspace } from '../helpers/factories';
import { routeFetch } from '../helpers/route-fetch';

let db: Deepboard;
let teamId: string;
let projectId: string;
let projectSlug: string;
let ws: Workspace;

beforeAll(async () => {
  ws = await makeWorkspace({ project: 'SDK' });
  const { team, owner, project } = ws;
  teamId = team.id;
  projectId = project.id;
  projectSlug = project.slug;
  const { key } = await createApiKey({ userId: owner.id, teamId, name: 'sdk' });
  db = new Deepboard({ url: 'http://deepboard.test', apiKey: key, fetch: routeFetch, flushIntervalMs: 20, maxBatch: 7 });
});

describe('the TypeScript SDK against the real route handlers', () => {
  it('batches metrics client-side and flushes everything on finish', async () => {
    const run = await db.createRun({ project: projectSlug, name: 'batched', params: { lr: 0.1 }, tags: { owner: 'sdk' } });
    for (let step = 0; step < 25; step++) run.logMetrics({ loss: 1 / (step + 1), val_accuracy: step / 25 }, step);
    run.logMetric('diverged', NaN, 0);
    await run.logParams({ depth: 3 });
    await run.setTags({ stage: 'test' });
    await run.finish();
    const stored = await prisma.run.findUniqueOrThrow({ where: { id: run.id }, include: { series: true } });
    expect(stored.status).toBe('SUCCEEDED');
    expect(stored.config).toEqual({ lr: '0.1', depth: '3' });
    expect(stored.tagValues).toEqual({ owner: 'sdk', stage: 'test' });
    const byName = Object.fromEntries(stored.series.map((s) => [`${s.context}/${s.key}`, s]));
    expect(byName['train/loss']!.count).toBe(25);
    expect(byName['validation/accuracy']!.count).toBe(25);
    expect(byName['train/diverged']!.last).toBeNaN();
    const history = await run.metricHistory('val_accuracy');
    expect(history.map((p) => p.step)).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it('reports refused batches and bad input as DeepboardError naming the field', async () => {
    const run = await db.createRun({ project: projectSlug });
    await run.logParams({ lr: 1 });
    await expect(run.logParams({ lr: 2 })).rejects.toMatchObject({ status: 400, field: 'params.lr' });
    run.logMetrics({ 'bad\nname': 1 }, 0);
    const err = await run.flush().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeepboardError);
    expect((err as DeepboardError).message).toMatch(/metrics\[0\]\.key/);
    await expect(db.createRun({ project: 'no-such-project' })).rejects.toMatchObject({ status: 404, field: 'project' });
    const bad = new Deepboard({ url: 'http://deepboard.test', apiKey: 'dbk_nope', fetch: routeFetch });
    await expect(bad.createRun({ project: projectSlug })).rejects.toMatchObject({ status: 401 });
  });

  it('the TensorFlow.js example logs a run that search and compare show beside worker runs, with a fairness report', async () => {
    const { run, testAccuracy } = await trainAndLog({ db, project: projectSlug, epochs: 8, rows: 600 });
    expect(testAccuracy).toBeGreaterThan(0.6);

    // A worker-trained run of the same project (its metrics written through the same path).
    const workerRun = await makeStoredRun(ws, {
      number: 1000,
      name: 'worker mlp',
      status: 'SUCCEEDED',
      config: { learningRate: 0.01, epochs: 8 },
      startedAt: new Date(),
      finishedAt: new Date(),
      createdById: null,
    });
    await logMetrics(prisma, workerRun.id, [
      { key: 'accuracy', context: 'validation', step: 8, value: 0.7 },
      { key: 'loss', context: 'train', step: 8, value: 0.6 },
    ]);

    const found = await searchRuns({ teamId, projectId, query: 'metrics.val_accuracy > 0.5 and status = SUCCEEDED', page: 1, pageSize: 50 });
    const ids = found.rows.map((r) => r.id);
    expect(ids).toContain(run.id);
    expect(ids).toContain(workerRun.id);
    const row = found.rows.find((r) => r.id === run.id)!;
    expect(row.params).toMatchObject({ learningRate: '0.05', hidden: '16', optimizer: 'adam' });
    expect(row.metrics.test_accuracy?.last).toBeCloseTo(testAccuracy, 6);
    const viaSdk = await db.searchRuns({ project: projectSlug, query: 'params.hidden = 16' });
    expect(viaSdk.rows.map((r) => r.id)).toEqual([run.id]);

    const compared = await compareRuns(teamId, [run.id, workerRun.id]);
    const keys = (i: number) => compared[i]!.series.map((s) => `${s.context}/${s.key}`);
    expect(keys(0)).toEqual(expect.arrayContaining(['validation/accuracy', 'train/loss']));
    expect(keys(1)).toEqual(expect.arrayContaining(['validation/accuracy', 'train/loss']));

    const report = await runReport(teamId, run.id);
    expect(report.fairness?.task).toBe('binary');
    const dp = report.fairness!.summary.group!.demographic_parity_difference!;
    // The planted bias against group B shows up.
    expect(dp).toBeGreaterThan(0.05);
    const stored = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    expect(stored.status).toBe('SUCCEEDED');
    expect((stored.evaluation as { report?: { accuracy?: number } }).report?.accuracy).toBeCloseTo(testAccuracy, 6);
  });
});
