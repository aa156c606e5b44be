/** The report step of the pipeline; the report itself is shared with external runs (lib/fairness/run-report.ts). */
import type * as tf from '@tensorflow/tfjs';
import type { ArtifactStore } from '@/lib/artifacts/store';
import { fairnessReport } from '@/lib/fairness/run-report';
import type { ReportRefs } from '@/lib/schemas/run-documents';
import { explainRun } from '../explain/report';
import type { LoadedData } from '../data/load';

export { fairnessReport, positiveScores, type FairnessReportData, type FairnessRunReport } from '@/lib/fairness/run-report';

export type { ReportRefs };

/**
 * Computes and stores both reports of a model on the test split under `prefix` (a run's, or a
 * checkpoint's folder) and returns what the run or checkpoint row keeps of them. A failure of
 * either report is logged and leaves it out; it never fails the run.
 */
export async function computeReports(args: {
  model: tf.LayersModel;
  data: LoadedData;
  scores: Float32Array;
  valScores: Float32Array | null;
  seed: number;
  store: ArtifactStore;
  prefix: string;
  log: (line: string, level?: string) => void;
}): Promise<ReportRefs> {
  const { model, data, scores, valScores, seed, store, prefix, log } = args;
  const refs: ReportRefs = {};
  try {
    const fairness = fairnessReport(data, scores, seed, valScores);
    if (fairness) {
      const key = `${prefix}/fairness.json`;
      await store.put(key, Buffer.from(JSON.stringify(fairness)));
      refs.fairness = { key, summary: fairness.summary, ...(fairness.task === 'binary' && fairness.gates ? { gates: fairness.gates } : {}) };
      for (const [attr, s] of Object.entries(fairness.summary)) {
        log(
          `fairness (${attr}): ${Object.entries(s)
            .map(([k, v]) => `${k} ${typeof v === 'number' ? v.toFixed(4) : v}`)
            .join(', ')}`,
        );
      }
    }
  } catch (err) {
    log(`fairness report skipped: ${(err as Error).message}`, 'warn');
  }
  try {
    const explain = await explainRun({
      model,
      data: { test: data.test, train: data.train, inputShape: data.inputShape, featureNames: data.featureNames, task: data.task, classNames: data.classNames },
      options: { seed },
    });
    const key = `${prefix}/explain.json`;
    await store.put(key, Buffer.from(JSON.stringify(explain)));
    const top = (explain.permutation?.features ?? [])
      .slice()
      .sort((a, b) => b.mean - a.mean)
      .slice(0, 5)
      .map((f) => ({ feature: f.name, importance: f.mean }));
    refs.explain = { key, topFeatures: top };
    if (top.length) log(`most important inputs: ${top.map((f) => `${f.feature} ${f.importance.toFixed(4)}`).join(', ')}`);
  } catch (err) {
    log(`explainability report skipped: ${(err as Error).message}`, 'warn');
  }
  return refs;
}
