import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTemplate } from '@/lib/arch/templates';
import { artifactStore } from '@/lib/artifacts/store';
import { prisma } from '@/lib/db/client';
import { loadRunReports } from '@/lib/runs/reports';
import { isSupervisedEvaluation, reportRefsOf, ZCheckpointReports, ZEvaluation, ZExplainReport, ZFairnessReport, ZSupervisedEvaluation } from '@/lib/schemas/run-documents';
import { createExternalRun, uploadPredictions } from '@/server/services/external-runs';
import { callerFor, makeTeam } from '../helpers/factories';
import { scanStoredDocuments } from '../helpers/stored-documents';
import { startWorker, waitForRun, type WorkerProcess } from '../helpers/worker-process';

/**
 * Must-show 2 of issue 17: the documents real runs leave behind — a worker run's evaluation and
 * reports, a checkpoint's on-demand reports, external runs' uploaded predictions — all parse
 * with the schemas in lib/schemas/run-documents.ts, and so do documents stored before schema
 * versions existed, with the same review hash as before.
 */
let t: Awaited<ReturnType<typeof makeTeam>>;
let projectId: string;
let worker: WorkerProcess;
let workerRunId: string;

beforeAll(async () => {
  t = await makeTeam();
  projectId = (await callerFor(t.owner).projects.create({ teamId: t.team.id, name: 'Documents' })).id;
  worker = startWorker();
});

afterAll(async () => {
  await worker?.stop();
});

/** The hash reviews pinned before the loader existed (server/services/reviews.ts reportHashOf). */
async function legacyReportHash(evaluation: { fairness?: { key?: string }; explain?: { key?: string } }): Promise<string | null> {
  const keys = [evaluation.fairness?.key, evaluation.explain?.key];
  if (!keys.some(Boolean)) return null;
  const h = createHash('sha256');
  for (const [i, key] of keys.entries()) {
    h.update(`${i === 0 ? 'fairness' : 'explain'}:${key ?? ''}\n`);
    if (!key) continue;
    const bytes = await artifactStore()
      .get(key)
      .catch(() => null);
    if (bytes) h.update(bytes);
    h.update('\n');
  }
  return h.digest('hex');
}

describe('stored run documents', () => {
  it('a worker run, its checkpoint report and external runs store documents the schemas accept', async () => {
    const api = callerFor(t.owner);
    const split = { train: 0.7, validation: 0.15, test: 0.15, seed: 1, stratify: 'label' as const };
    const ds = await api.datasets.createSynthetic({ teamId: t.team.id, projectId, name: 'Loans', split, spec: { generator: 'loans', settings: { rows: 600, seed: 3, biasStrength: 0.5 } } });
    const v = await api.datasets.version({ teamId: t.team.id, datasetId: ds.datasetId });
    const inputs = (v.preprocessing as { encoder: { featureNames: string[] } }).encoder.featureNames.length;
    const a = await api.architectures.create({ teamId: t.team.id, projectId, name: 'Loan MLP', spec: getTemplate('mlp-classifier').build({ inputShape: [inputs], task: 'binary' }) });
    const run = await api.runs.create({ teamId: t.team.id, projectId, architectureId: a.id, datasetId: ds.datasetId, config: { paradigm: 'supervised', epochs: 2, batchSize: 64, seed: 7 } });
    expect((await waitForRun(run.id, ['SUCCEEDED', 'FAILED'], 120_000, worker)).status).toBe('SUCCEEDED');
    workerRunId = run.id;

    const got = await api.runs.get({ teamId: t.team.id, runId: run.id });
    expect(isSupervisedEvaluation(got.evaluation)).toBe(true);
    const refs = reportRefsOf(got.evaluation);
    expect(refs.fairness?.key).toMatch(/fairness\.json$/);
    expect(refs.explain?.key).toMatch(/explain\.json$/);

    const first = got.checkpoints.find((c) => c.kind === 'epoch' && c.epoch === 1)!;
    await api.runs.reportCheckpoint({ teamId: t.team.id, runId: run.id, checkpointId: first.id });
    const end = Date.now() + 90_000;
    let status: string | undefined;
    while (Date.now() < end) {
      status = ZCheckpointReports.parse((await prisma.checkpoint.findUniqueOrThrow({ where: { id: first.id } })).reports).status;
      if (status === 'done' || status === 'failed') break;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(status).toBe('done');
    const early = await api.runs.report({ teamId: t.team.id, runId: run.id, checkpointId: first.id });
    expect(early.fairness?.task).toBe('binary');
    expect(early.explain?.permutation?.features.length).toBeGreaterThan(0);

    // External runs: binary with sensitive attributes and a validation split, regression, multiclass.
    const external = async (name: string) => (await createExternalRun({ teamId: t.team.id, userId: t.owner.id, role: 'OWNER', input: { project: projectId, name } })).id;
    const n = 40;
    const labels = Array.from({ length: n }, (_, i) => ((i * 7) % 3 === 0 ? 1 : 0));
    const sex = Array.from({ length: n }, (_, i) => (i % 2 ? 'f' : 'm'));
    const binary = await external('binary');
    await uploadPredictions({
      teamId: t.team.id,
      role: 'OWNER',
      runId: binary,
      input: {
        task: 'binary',
        labels,
        scores: labels.map((y, i) => (y ? 0.6 : 0.3) + ((i % 5) - 2) * 0.05),
        sensitive: { sex },
        validation: { labels, scores: labels.map((y) => (y ? 0.7 : 0.2)), sensitive: { sex } },
      },
    });
    const regression = await external('regression');
    await uploadPredictions({
      teamId: t.team.id,
      role: 'OWNER',
      runId: regression,
      input: { task: 'regression', labels: labels.map((y, i) => y + i / n), scores: labels.map((y) => y + 0.1), sensitive: { sex } },
    });
    const multiclass = await external('multiclass');
    await uploadPredictions({
      teamId: t.team.id,
      role: 'OWNER',
      runId: multiclass,
      input: { task: 'multiclass', labels: labels.map((_, i) => i % 3), scores: labels.map((_, i) => [0, 1, 2].map((c) => (c === i % 3 ? 0.6 : 0.2))) },
    });
    for (const id of [binary, regression, multiclass]) {
      const ev = (await prisma.run.findUniqueOrThrow({ where: { id } })).evaluation;
      expect(ZSupervisedEvaluation.safeParse(ev).success).toBe(true);
    }
    const reg = await loadRunReports({ evaluation: (await prisma.run.findUniqueOrThrow({ where: { id: regression } })).evaluation });
    expect(reg.fairness?.task).toBe('regression');
    expect(reg.problems).toEqual([]);
  });

  it('every evaluation, checkpoint report and report file in the test database parses', async () => {
    const scan = await scanStoredDocuments();
    expect(scan.problems).toEqual([]);
    expect(scan.counts.evaluations['supervised-binary']).toBeGreaterThanOrEqual(2);
    expect(scan.counts.evaluations['supervised-regression']).toBeGreaterThanOrEqual(1);
    expect(scan.counts.evaluations['supervised-multiclass']).toBeGreaterThanOrEqual(1);
    expect(scan.counts.checkpointReports).toBeGreaterThanOrEqual(1);
    // The worker run's and its checkpoint's, the binary and regression external runs'.
    expect(scan.counts.fairnessFiles).toBeGreaterThanOrEqual(4);
    expect(scan.counts.explainFiles).toBeGreaterThanOrEqual(2);
  });

  it('documents stored before schema versions (no schemaVersion) parse, and keep the hash reviews pinned', async () => {
    const run = await prisma.run.findUniqueOrThrow({ where: { id: workerRunId } });
    const { schemaVersion, ...oldEvaluation } = run.evaluation as Record<string, unknown>;
    expect(schemaVersion === undefined || schemaVersion === 1).toBe(true);
    expect(ZSupervisedEvaluation.safeParse(oldEvaluation).success).toBe(true);
    const refs = reportRefsOf(ZEvaluation.parse(oldEvaluation));
    for (const [key, schema] of [
      [refs.fairness!.key, ZFairnessReport],
      [refs.explain!.key, ZExplainReport],
    ] as const) {
      const old = JSON.parse((await artifactStore().get(key)).toString()) as Record<string, unknown>;
      expect(old.schemaVersion).toBe(1);
      delete old.schemaVersion;
      expect(schema.safeParse(old).success).toBe(true);
    }
    // Shapes other paradigms and older rows stored (reinforcement, autoencoder/GAN, headline only).
    for (const old of [{ solvedAt: null, bestMeanReturn: 21.5, episodes: 40 }, { final: { loss: 0.12, d_loss: null } }, { accuracy: 0.5, fairness: { key: 'runs/x/fairness.json', summary: {} } }]) {
      expect(ZEvaluation.safeParse(old).success).toBe(true);
    }
    expect(ZCheckpointReports.safeParse({ status: 'queued', requestedAt: new Date().toISOString() }).success).toBe(true);
    expect(ZCheckpointReports.safeParse({ status: 'failed', requestedAt: 'x', finishedAt: 'y', error: 'the checkpoint holds no supervised model' }).success).toBe(true);

    const loaded = await loadRunReports({ evaluation: run.evaluation });
    expect(loaded.hashes.reportHash).toBe(await legacyReportHash(run.evaluation as { fairness?: { key?: string } }));
    expect(loaded.hashes.reportKey).toBe(refs.fairness!.key);
    expect(loaded.gateInput?.attributes.length).toBeGreaterThan(0);
  });

  it('a stored document that does not parse reads as absent and says which field, never throws', async () => {
    const key = `teams/${t.team.id}/runs/broken/fairness.json`;
    await artifactStore().put(key, Buffer.from(JSON.stringify({ task: 'binary', summary: {}, report: { rows: 'many' } })));
    const lines: string[] = [];
    const loaded = await loadRunReports({ evaluation: { accuracy: 0.5, fairness: { key } } }, { log: (l) => lines.push(l) });
    expect(loaded.fairness).toBeNull();
    expect(loaded.hashes.reportHash).toMatch(/^[0-9a-f]{64}$/);
    expect(lines).toEqual([expect.stringMatching(/^fairness report: report\.rows: /)]);
    await artifactStore().delete(key);
  });
});
