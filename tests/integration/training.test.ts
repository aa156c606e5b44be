import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { getTemplate } from '@/lib/arch/templates';
import { prisma } from '@/lib/db/client';
import { reportRefsOf } from '@/lib/schemas/run-documents';
import { callerFor, makeArchitecture, makeDataset, makeRun, makeWorkspace, TEST_SPLIT as split, type Workspace } from '../helpers/factories';
import { scanStoredDocuments } from '../helpers/stored-documents';
import { startWorker, waitForRun, type WorkerProcess } from '../helpers/worker-process';

/** Every family and paradigm trains through the real queue and a real worker process. */
let t: Workspace;
let projectId: string;
let worker: WorkerProcess;

beforeAll(async () => {
  t = await makeWorkspace({ project: 'Training' });
  projectId = t.project.id;
  worker = startWorker({ DEEPBOARD_RUN_STALE_MS: '6000' });
});

afterAll(async () => {
  await worker?.stop();
});

async function arch(name: string, templateId: Parameters<typeof getTemplate>[0], shape: Parameters<ReturnType<typeof getTemplate>['build']>[0]) {
  return makeArchitecture(t, { name, template: templateId, shape });
}

describe('training through the queue', () => {
  it('an MLP on synthetic loans: metrics, checkpoints, evaluation and predictions stored', async () => {
    const api = callerFor(t.owner);
    const ds = await makeDataset(t, { name: 'Loans', loans: { rows: 1500, seed: 3, biasStrength: 0.5 } });
    const a = await arch('Loan MLP', 'mlp-classifier', { inputShape: [ds.inputs], task: 'binary' });
    const run = await makeRun(t, { architectureId: a.id, datasetId: ds.datasetId, config: { epochs: 3, batchSize: 64, seed: 7 } });
    const done = await waitForRun(run.id, ['SUCCEEDED', 'FAILED'], 120_000, worker);
    expect(done.error).toBeNull();
    expect(done.status).toBe('SUCCEEDED');
    const got = await api.runs.get({ teamId: t.team.id, runId: run.id });
    expect(got.backend).toMatch(/^(wasm|cpu|node|node-gpu|webgpu)$/);
    const summaries = await api.runs.summaries({ teamId: t.team.id, runId: run.id });
    const find = (key: string, context: string) => summaries.find((s) => s.key === key && s.context === context);
    expect(find('loss', 'train')?.lastStep).toBe(3);
    expect(find('loss', 'validation')?.count).toBe(3);
    expect(find('batch/loss', 'train')?.count).toBeGreaterThan(0);
    expect(find('accuracy', 'test')?.last).toBeGreaterThan(0.5);
    expect(got.checkpoints.filter((c) => c.kind === 'epoch').map((c) => c.epoch)).toEqual([1, 2, 3]);
    const ev = got.evaluation as { task: string; report: { accuracy: number; confusion: number[][]; roc?: { auc: number } }; testExamples: number };
    expect(ev.task).toBe('binary');
    expect(ev.report.roc?.auc).toBeGreaterThan(0.5);
    expect(ev.report.confusion.flat().reduce((a, b) => a + b, 0)).toBe(ev.testExamples);
    const logs = await api.runs.logs({ teamId: t.team.id, runId: run.id });
    expect(logs.map((l) => l.message).join('\n')).toMatch(/finished/);
    // Fairness and explainability reports computed from the test predictions.
    const fairness = (got.evaluation as { fairness?: { summary: Record<string, { demographic_parity_difference: number }> } }).fairness;
    expect(Object.keys(fairness!.summary)).toEqual(expect.arrayContaining(['sex']));
    expect(fairness!.summary.sex!.demographic_parity_difference).toBeGreaterThanOrEqual(0);
    const report = await api.runs.report({ teamId: t.team.id, runId: run.id });
    expect(report.fairness?.task).toBe('binary');
    expect(report.fairness?.task === 'binary' ? report.fairness.mitigation?.demographic_parity?.fittedOn : null).toBe('validation');
    expect(report.explain?.permutation?.features.length).toBeGreaterThan(0);

    // Reports on demand for an earlier checkpoint: computed by the worker from that model.
    const first = got.checkpoints.find((c) => c.kind === 'epoch' && c.epoch === 1)!;
    const pending = await api.runs.report({ teamId: t.team.id, runId: run.id, checkpointId: first.id });
    expect(pending.fairness).toBeNull();
    expect(await api.runs.reportCheckpoint({ teamId: t.team.id, runId: run.id, checkpointId: first.id })).toEqual({ id: first.id, status: 'queued' });
    const end = Date.now() + 90_000;
    let state: { status?: string; accuracy?: number; error?: string } = {};
    while (Date.now() < end) {
      state = ((await prisma.checkpoint.findUniqueOrThrow({ where: { id: first.id } })).reports ?? {}) as typeof state;
      if (state.status === 'done' || state.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(state.error).toBeUndefined();
    expect(state.status).toBe('done');
    expect(state.accuracy).toBeGreaterThan(0);
    const early = await api.runs.report({ teamId: t.team.id, runId: run.id, checkpointId: first.id });
    expect(early.checkpoint).toMatchObject({ id: first.id, epoch: 1, kind: 'epoch' });
    expect(early.fairness?.task).toBe('binary');
    expect(early.explain?.permutation?.features.length).toBeGreaterThan(0);
    // The epoch-1 model is not the final one: its test predictions (hence the report) differ.
    expect(JSON.stringify(early.fairness?.report)).not.toBe(JSON.stringify(report.fairness?.report));
    await expect(api.runs.reportCheckpoint({ teamId: t.team.id, runId: run.id, checkpointId: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('reweighing trains with fairness sample weights (same seed, different model)', async () => {
    const api = callerFor(t.owner);
    const ds = await makeDataset(t, { name: 'Biased loans', loans: { rows: 3000, seed: 11, biasStrength: 1 } });
    const a = await arch('Biased MLP', 'mlp-classifier', { inputShape: [ds.inputs], task: 'binary' });
    const runs = await Promise.all([false, true].map((sampleWeights) => makeRun(t, { architectureId: a.id, datasetId: ds.datasetId, config: { epochs: 4, batchSize: 32, seed: 5, sampleWeights } })));
    const gaps: number[] = [];
    for (const r of runs) {
      expect((await waitForRun(r.id, ['SUCCEEDED', 'FAILED'], 120_000, worker)).status).toBe('SUCCEEDED');
      const got = await api.runs.get({ teamId: t.team.id, runId: r.id });
      gaps.push(reportRefsOf(got.evaluation).fairness!.summary!.sex!.demographic_parity_difference!);
    }
    const logs = (await api.runs.logs({ teamId: t.team.id, runId: runs[1]!.id })).map((l) => l.message).join('\n');
    expect(logs).toMatch(/reweighing by sex × ethnicity/);
    // The weights change what the model learns (whether the gap narrows depends on how much of
    // the bias the non-sensitive inputs carry; the weighting itself is tested in lib/fairness).
    expect(gaps[1]).not.toBe(gaps[0]);
  });

  it('a CNN on generated shape images (with augmentation), an LSTM on sequence patterns, a text classifier', async () => {
    const api = callerFor(t.owner);
    const shapes = await api.datasets.createSynthetic({
      teamId: t.team.id,
      projectId,
      name: 'Shapes',
      split,
      spec: { generator: 'shapes', settings: { count: 90, size: 16, seed: 2 }, augmentation: { horizontalFlip: true, rotationDegrees: 10 } },
    });
    const cnn = await arch('Shapes CNN', 'cnn-classifier', { inputShape: [16, 16, 1], task: 'multiclass', numClasses: 3 });
    const waves = await api.datasets.createSynthetic({ teamId: t.team.id, projectId, name: 'Waves', split, spec: { generator: 'sequences', settings: { count: 90, length: 24, seed: 2 } } });
    const lstm = await arch('Waves LSTM', 'lstm-classifier', { inputShape: [24, 1], task: 'multiclass', numClasses: 3 });
    const words = ['great', 'awful', 'fine', 'terrible', 'lovely', 'boring'];
    const lines = ['review,sentiment'];
    for (let i = 0; i < 120; i++) lines.push(`"${Array.from({ length: 8 }, (_, j) => words[(i * 3 + j) % 6]).join(' ')} ${i % 2 ? 'great' : 'awful'}",${i % 2 ? 'pos' : 'neg'}`);
    const { stageUpload } = await import('@/server/services/datasets');
    const { Readable } = await import('node:stream');
    const up = await stageUpload({ teamId: t.team.id, userId: t.owner.id, role: 'OWNER', kind: 'csv', filename: 'r.csv', body: Readable.from([Buffer.from(lines.join('\n'))]) });
    const cols = (up.profile as { columns: Array<{ name: string; type: 'text' | 'categorical' | 'boolean' | 'numeric' | 'datetime' }> }).columns;
    const text = await api.datasets.createFromUpload({
      teamId: t.team.id,
      projectId,
      uploadId: up.uploadId,
      name: 'Reviews',
      split,
      tokenizer: { vocabSize: 40, sequenceLength: 12 },
      columns: cols.map((c) => ({ name: c.name, type: c.type, role: c.name === 'sentiment' ? 'label' : 'feature', useAsFeature: false })),
    });
    const textArch = await arch('Review classifier', 'text-classifier', { inputShape: [12], task: 'binary', vocabSize: 40 });
    const runs = await Promise.all([
      api.runs.create({ teamId: t.team.id, projectId, architectureId: cnn.id, datasetId: shapes.datasetId, config: { paradigm: 'supervised', epochs: 2, batchSize: 16 } }),
      api.runs.create({ teamId: t.team.id, projectId, architectureId: lstm.id, datasetId: waves.datasetId, config: { paradigm: 'supervised', epochs: 2, batchSize: 16 } }),
      api.runs.create({ teamId: t.team.id, projectId, architectureId: textArch.id, datasetId: text.datasetId, config: { paradigm: 'supervised', epochs: 2, batchSize: 16 } }),
    ]);
    for (const r of runs) {
      const done = await waitForRun(r.id, ['SUCCEEDED', 'FAILED'], 180_000, worker);
      expect(done.error, r.name).toBeNull();
      const got = await api.runs.get({ teamId: t.team.id, runId: r.id });
      expect(got.checkpoints.length).toBeGreaterThanOrEqual(2);
      expect((got.evaluation as { report: { accuracy: number } }).report.accuracy).toBeGreaterThanOrEqual(0);
      const loss = (await api.runs.summaries({ teamId: t.team.id, runId: r.id })).find((s) => s.key === 'loss' && s.context === 'train');
      expect(loss?.count).toBe(2);
    }
    const logs = await api.runs.logs({ teamId: t.team.id, runId: runs[0]!.id });
    expect(logs.map((l) => l.message).join('\n')).toMatch(/augmentation/);
  }, 240_000); // three runs, two of them on the cpu backend, each autotuned first

  it('an autoencoder, a GAN and a CartPole policy train', async () => {
    const api = callerFor(t.owner);
    const ds = (await api.datasets.list({ teamId: t.team.id, projectId })).find((d) => d.name === 'Loans')!;
    const v = await api.datasets.version({ teamId: t.team.id, datasetId: ds.id });
    const inputs = (v.preprocessing as { encoder: { featureNames: string[] } }).encoder.featureNames.length;
    const ae = await arch('Loans AE', 'autoencoder', { inputShape: [inputs], task: 'binary' });
    const waves = (await api.datasets.list({ teamId: t.team.id, projectId })).find((d) => d.name === 'Waves')!;
    const gan = await arch('Waves GAN', 'mlp-gan', { inputShape: [24, 1], task: 'multiclass', numClasses: 3 });
    const policy = await arch('CartPole policy', 'policy-network', { inputShape: [4], task: 'multiclass', numClasses: 2 });
    const shapes = { datasetId: ds.id };
    const wavesRef = { datasetId: waves.id };
    const runs = await Promise.all([
      api.runs.create({ teamId: t.team.id, projectId, architectureId: ae.id, datasetId: shapes.datasetId, config: { paradigm: 'autoencoder', epochs: 2, batchSize: 32 } }),
      api.runs.create({ teamId: t.team.id, projectId, architectureId: gan.id, datasetId: wavesRef.datasetId, config: { paradigm: 'gan', epochs: 2, batchSize: 16 } }),
      api.runs.create({ teamId: t.team.id, projectId, architectureId: policy.id, config: { paradigm: 'reinforcement', rl: { episodes: 40, algorithm: 'reinforce' } } }),
    ]);
    for (const r of runs) {
      const done = await waitForRun(r.id, ['SUCCEEDED', 'FAILED'], 180_000, worker);
      expect(done.error, r.name).toBeNull();
    }
    const aeSeries = await api.runs.summaries({ teamId: t.team.id, runId: runs[0]!.id });
    expect(aeSeries.find((s) => s.key === 'loss' && s.context === 'train')?.count).toBe(2);
    const ganSeries = await api.runs.summaries({ teamId: t.team.id, runId: runs[1]!.id });
    expect(ganSeries.map((s) => s.key)).toEqual(expect.arrayContaining(['d_loss', 'g_loss']));
    const rl = await api.runs.get({ teamId: t.team.id, runId: runs[2]!.id });
    expect((rl.evaluation as { episodes: number }).episodes).toBe(40);
    const rlSeries = await api.runs.summaries({ teamId: t.team.id, runId: runs[2]!.id });
    expect(rlSeries.find((s) => s.key === 'return')?.count).toBe(40);
  });

  it('cancel stops a running run within moments, and the worker moves on', async () => {
    const api = callerFor(t.owner);
    const ds = await makeDataset(t, { name: 'Loans long', loans: { rows: 3000, seed: 9 } });
    const a = await arch('Long MLP', 'mlp-classifier', { inputShape: [ds.inputs], task: 'binary' });
    const run = await makeRun(t, { architectureId: a.id, datasetId: ds.datasetId, config: { epochs: 500, batchSize: 8, batchMetricThrottleMs: 0 } });
    await waitForRun(run.id, ['RUNNING'], 60_000, worker);
    await new Promise((r) => setTimeout(r, 1500));
    const requested = Date.now();
    expect((await api.runs.cancel({ teamId: t.team.id, runId: run.id })).status).toBe('CANCELING');
    const done = await waitForRun(run.id, ['CANCELED', 'FAILED', 'SUCCEEDED'], 30_000, worker);
    expect(done.status).toBe('CANCELED');
    expect(done.finishedAt!.getTime() - requested).toBeLessThan(5000);
    // The queue goes on: a queued run can be canceled at once, and a new one still trains.
    const next = await makeRun(t, { architectureId: a.id, datasetId: ds.datasetId, config: { epochs: 1 } });
    expect((await waitForRun(next.id, ['SUCCEEDED', 'FAILED'], 60_000, worker)).status).toBe('SUCCEEDED');
  });

  it('a diverging loss fails the run naming the epoch and the step', async () => {
    const api = callerFor(t.owner);
    const lines = ['x1,x2,y'];
    for (let i = 0; i < 200; i++) lines.push(`${i % 17},${(i * 7) % 23},${((i % 17) * 3 + ((i * 7) % 23) + (i % 5) / 7).toFixed(3)}`);
    const { stageUpload } = await import('@/server/services/datasets');
    const { Readable } = await import('node:stream');
    const up = await stageUpload({ teamId: t.team.id, userId: t.owner.id, role: 'OWNER', kind: 'csv', filename: 'reg.csv', body: Readable.from([Buffer.from(lines.join('\n'))]) });
    const cols = (up.profile as { columns: Array<{ name: string; type: 'numeric' }> }).columns;
    const ds = await api.datasets.createFromUpload({
      teamId: t.team.id,
      projectId,
      uploadId: up.uploadId,
      name: 'Regression',
      split: { ...split, stratify: 'none' },
      columns: cols.map((c) => ({ name: c.name, type: c.type, role: c.name === 'y' ? 'label' : 'feature', useAsFeature: false })),
    });
    const a = await arch('Exploding regressor', 'mlp-regressor', { inputShape: [2], task: 'regression' });
    const run = await makeRun(t, { architectureId: a.id, datasetId: ds.datasetId, config: { epochs: 3, optimizer: { name: 'sgd' }, learningRate: 1e30 } });
    const done = await waitForRun(run.id, ['SUCCEEDED', 'FAILED'], 60_000, worker);
    expect(done.status).toBe('FAILED');
    expect(done.error).toMatch(/(NaN|infinit|Infinity).*epoch \d+, step \d+/i);
  });

  it('a SIGKILLed worker’s run is detected and resumed from its checkpoint by another worker', async () => {
    const api = callerFor(t.owner);
    await worker.stop();
    const victim = startWorker({ DEEPBOARD_WORKER_NAME: 'victim' });
    const ds = (await api.datasets.list({ teamId: t.team.id, projectId })).find((d) => d.name === 'Loans long')!;
    const v = await api.datasets.version({ teamId: t.team.id, datasetId: ds.id });
    const inputs = (v.preprocessing as { encoder: { featureNames: string[] } }).encoder.featureNames.length;
    const a = await arch('Resumable MLP', 'mlp-classifier', { inputShape: [inputs], task: 'binary' });
    const run = await makeRun(t, { architectureId: a.id, datasetId: ds.id, config: { epochs: 8, batchSize: 16 } });
    await waitForRun(run.id, ['RUNNING'], 60_000, victim);
    const deadline = Date.now() + 60_000;
    while ((await prisma.checkpoint.count({ where: { runId: run.id, kind: 'epoch' } })) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    worker = startWorker({ DEEPBOARD_RUN_STALE_MS: '6000' });
    const done = await waitForRun(run.id, ['SUCCEEDED', 'FAILED'], 120_000, worker);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.attempt).toBe(1);
    const logs = (await api.runs.logs({ teamId: t.team.id, runId: run.id })).map((l) => l.message).join('\n');
    expect(logs).toMatch(/stopped responding/);
    expect(logs).toMatch(/resuming from the checkpoint of epoch \d/);
    const requeuedAt = (await prisma.runLog.findFirstOrThrow({ where: { runId: run.id, message: { contains: 'stopped responding' } } })).time.getTime();
    expect(requeuedAt - killedAt).toBeLessThan(60_000);
    // Every epoch logged exactly once despite the crash.
    const loss = (await api.runs.summaries({ teamId: t.team.id, runId: run.id })).find((s) => s.key === 'loss' && s.context === 'train')!;
    expect(loss.count).toBe(8);
    expect(loss.lastStep).toBe(8);
  });

  it('two workers share one queue: runs spread over both and all finish', async () => {
    const api = callerFor(t.owner);
    const second = startWorker({ DEEPBOARD_WORKER_NAME: 'second' });
    try {
      const ds = (await api.datasets.list({ teamId: t.team.id, projectId })).find((d) => d.name === 'Loans')!;
      const a = (await api.architectures.list({ teamId: t.team.id, projectId })).find((x) => x.name === 'Loan MLP')!;
      const runs = [];
      for (let i = 0; i < 4; i++) runs.push(await makeRun(t, { architectureId: a.id, datasetId: ds.id, config: { epochs: 4, batchSize: 16, seed: i } }));
      const done = await Promise.all(runs.map((r) => waitForRun(r.id, ['SUCCEEDED', 'FAILED'], 120_000, second)));
      expect(done.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
      expect(new Set(done.map((r) => r.workerId)).size).toBe(2);
    } finally {
      await second.stop();
    }
  });

  it('leaves only documents the schemas accept: every evaluation, checkpoint report and report file of these runs', async () => {
    const scan = await scanStoredDocuments();
    expect(scan.problems).toEqual([]);
    expect(scan.counts.evaluations['supervised-binary']).toBeGreaterThan(0);
  });
});
