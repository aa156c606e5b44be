import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { artifactStore, LocalArtifactStore } from '@/lib/artifacts/store';
import { prisma } from '@/lib/db/client';
import { loadRunReports } from '@/lib/runs/reports';
import {
  describeDocumentIssue,
  ZCheckpointReports,
  ZEvaluation,
  ZExplainReport,
  ZFairnessReport,
  ZReinforcementEvaluation,
  ZSupervisedEvaluation,
  ZUnsupervisedEvaluation,
} from '@/lib/schemas/run-documents';

export interface StoredDocumentScan {
  counts: { evaluations: Record<string, number>; checkpointReports: number; fairnessFiles: number; explainFiles: number };
  /** One line per document that does not parse with its schema (empty when all do). */
  problems: string[];
}

async function* files(dir: string): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else yield p;
  }
}

/**
 * Parses every document runs left in this database and artifact store: each Run.evaluation with
 * its paradigm's schema, each Checkpoint.reports, each stored fairness.json and explain.json,
 * and every run through the loader (which must report no problems).
 */
export async function scanStoredDocuments(): Promise<StoredDocumentScan> {
  const problems: string[] = [];
  const evaluations: Record<string, number> = {};
  const runs = await prisma.run.findMany({ select: { id: true, number: true, paradigm: true, evaluation: true } });
  for (const run of runs) {
    const raw = run.evaluation as Record<string, unknown> | null;
    if (!raw) continue;
    // Each paradigm's own schema, not just the union's catch-all summary shape.
    const schema = 'report' in raw ? ZSupervisedEvaluation : 'episodes' in raw ? ZReinforcementEvaluation : 'final' in raw ? ZUnsupervisedEvaluation : ZEvaluation;
    const kind =
      schema === ZSupervisedEvaluation ? `supervised-${String(raw.task)}` : schema === ZReinforcementEvaluation ? 'reinforcement' : schema === ZUnsupervisedEvaluation ? 'unsupervised' : 'summary';
    evaluations[kind] = (evaluations[kind] ?? 0) + 1;
    const parsed = schema.safeParse(raw);
    if (!parsed.success) problems.push(describeDocumentIssue(`run #${run.number} (${run.paradigm}) evaluation`, parsed.error));
    const loaded = await loadRunReports({ evaluation: raw }, { log: () => {} });
    problems.push(...loaded.problems.map((p) => `run #${run.number} loader: ${p}`));
  }
  const checkpoints = await prisma.checkpoint.findMany({ select: { id: true, reports: true } });
  let checkpointReports = 0;
  for (const cp of checkpoints) {
    if (cp.reports === null) continue;
    checkpointReports++;
    const parsed = ZCheckpointReports.safeParse(cp.reports);
    if (!parsed.success) problems.push(describeDocumentIssue(`checkpoint ${cp.id} reports`, parsed.error));
    const loaded = await loadRunReports({ checkpointReports: cp.reports }, { log: () => {} });
    problems.push(...loaded.problems.map((p) => `checkpoint ${cp.id} loader: ${p}`));
  }
  const store = artifactStore();
  let fairnessFiles = 0;
  let explainFiles = 0;
  if (store instanceof LocalArtifactStore) {
    for await (const file of files(store.root)) {
      const name = path.basename(file);
      if (name !== 'fairness.json' && name !== 'explain.json') continue;
      const schema = name === 'fairness.json' ? ZFairnessReport : ZExplainReport;
      if (name === 'fairness.json') fairnessFiles++;
      else explainFiles++;
      const parsed = schema.safeParse(JSON.parse(await readFile(file, 'utf8')));
      if (!parsed.success) problems.push(describeDocumentIssue(path.relative(store.root, file), parsed.error));
    }
  }
  return { counts: { evaluations, checkpointReports, fairnessFiles, explainFiles }, problems };
}
