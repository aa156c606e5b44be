import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTemplate } from '@/lib/arch/templates';
import { prisma } from '@/lib/db/client';
import { callerFor, makeTeam } from '../helpers/factories';
import { startWorker, waitForRun, type WorkerProcess } from '../helpers/worker-process';

/** Every family and paradigm trains through the real queue and a real worker process. */
let t: Awaited<ReturnType<typeof makeTeam>>;
let projectId: string;
let worker: WorkerProcess;
const split = { train: 0.7, validation: 0.15, test: 0.15, seed: 1, stratify: 'label' as const };

beforeAll(async () => {
  t = await makeTeam();
  projectId = (await callerFor(t.owner).projects.create({ teamId: t.team.id, name: 'Training' })).id;
  worker = startWorker();
});

afterAll(async () => {
  await worker?.stop();
});

async function arch(name: string, templateId: Parameters<typeof getTemplate>[0], shape: Parameters<ReturnType<typeof getTemplate>['build']>[0]) {
  return callerFor(t.owner).architectures.create({ teamId: t.team.id, projectId, name, spec: getTemplate(templateId).build(shape) });
}

describe('training through the queue', () => {
  it('an MLP on synthetic loans: metrics, checkpoints, evaluation and predictions stored', async () => {
    const api = callerFor(t.owner);
    const ds = await api.datasets.createSynthetic({ teamId: t.team.id, projectId, name: 'Loans', split, spec: { generator: 'loans', settings: { rows: 1500, seed: 3, biasStrength: 0.5 } } });
    const v = await api.datasets.version({ teamId: t.team.id, datasetId: ds.datasetId });
    const inputs = (v.preprocessing as { encoder: { featureNames: string[] } }).encoder.featureNames.length;
    const a = await arch('Loan MLP', 'mlp-classifier', { inputShape: [inputs], task: 'binary' });
    const run = await api.runs.create({ teamId: t.team.id, projectId, architectureId: a.id, datasetId: ds.datasetId, config: { paradigm: 'supervised', epochs: 3, batchSize: 64, seed: 7 } });
    const done = await waitForRun(run.id, ['SUCCEEDED', 'FAILED'], 120_000, worker);
    expect(done.error).toBeNull();
    expect(done.status).toBe('SUCCEEDED');
    const got = await api.runs.get({ teamId: t.team.id, runId: run.id });
    expect(got.backend).toMatch(/wasm|cpu|tensorflow/);
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
  });
});
