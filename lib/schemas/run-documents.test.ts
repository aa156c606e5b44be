import { describe, expect, it } from 'vitest';
import { bootstrapFairness } from '@/lib/fairness/bootstrap';
import { gateInputOf } from '@/lib/fairness/gates';
import { computeFairness } from '@/lib/fairness/metrics';
import { fairnessReport } from '@/lib/fairness/run-report';
import { evaluateClassifier, regressionReport } from '@/lib/metrics/evaluation';
import { createRng } from '@/lib/random';
import {
  isReinforcementEvaluation,
  isSupervisedEvaluation,
  isUnsupervisedEvaluation,
  reportRefsOf,
  testMetricsOf,
  ZCheckpointReports,
  ZEvaluation,
  ZFairnessReport,
  ZSupervisedEvaluation,
} from './run-documents';

/** As stored: JSON turns NaN and Infinity into null, typed arrays stay arrays of numbers. */
const stored = <T>(doc: T): unknown => JSON.parse(JSON.stringify(doc));
const issueOf = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  r.success ? null : `${r.error!.issues[0]!.path.join('.')}: ${r.error!.issues[0]!.message}`;

function data(n: number, seed: number, kind: 'binary' | 'regression') {
  const rng = createRng(seed);
  const sex = Array.from({ length: n }, () => (rng.next() < 0.5 ? 'f' : 'm'));
  const band = Array.from({ length: n }, () => (rng.next() < 0.3 ? 'old' : 'young'));
  const y = Array.from({ length: n }, (_, i) => (kind === 'binary' ? (rng.next() < (sex[i] === 'f' ? 0.4 : 0.6) ? 1 : 0) : rng.normal() + (sex[i] === 'f' ? 1 : 0)));
  const scores = Float32Array.from(y, (v) => (kind === 'binary' ? Math.min(0.99, Math.max(0.01, 0.5 * v + 0.25 + 0.3 * rng.normal())) : v + 0.2 * rng.normal()));
  return { y, scores, sensitive: { sex, band } };
}

function fairnessFixtures() {
  const test = data(160, 1, 'binary');
  const val = data(80, 2, 'binary');
  const reg = data(120, 3, 'regression');
  const binary = fairnessReport(
    { task: { kind: 'binary' }, test: { n: 160, y: test.y, sensitive: test.sensitive }, validation: { n: 80, y: val.y, sensitive: val.sensitive } },
    test.scores,
    5,
    val.scores,
  )!;
  // Without a validation split the thresholds are fitted on the test split.
  const noValidation = fairnessReport({ task: { kind: 'binary' }, test: { n: 160, y: test.y, sensitive: { sex: test.sensitive.sex } }, validation: { n: 0, y: [], sensitive: {} } }, test.scores, 5)!;
  const regression = fairnessReport({ task: { kind: 'regression' }, test: { n: 120, y: reg.y, sensitive: reg.sensitive }, validation: { n: 0, y: [], sensitive: {} } }, reg.scores, 5)!;
  return { binary, noValidation, regression };
}

describe('run document schemas', () => {
  const f = fairnessFixtures();

  it('accept the fairness reports lib/fairness writes (binary with bootstrap, curve and mitigation; regression)', () => {
    for (const doc of [f.binary, f.noValidation, f.regression]) expect(issueOf(ZFairnessReport.safeParse(stored(doc)))).toBeNull();
    const parsed = ZFairnessReport.parse(stored(f.binary));
    expect(parsed.task === 'binary' && parsed.mitigation?.demographic_parity?.fittedOn).toBe('validation');
    expect(parsed.schemaVersion).toBe(1);
  });

  it('accept the reports test fixtures store (reviews, gates): no curve, no mitigation, no schemaVersion', () => {
    const yTrue = [0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1];
    const yPred = [0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0];
    const group = ['b', 'b', 'a', 'b', 'b', 'c', 'c', 'c', 'a', 'a', 'c', 'a', 'b', 'c', 'c', 'b', 'c', 'c'];
    const input = { yTrue, yPred, sensitive: [{ name: 'group', values: group }] };
    const report = computeFairness(input, { reference: { attribute: 'group', group: 'a' } });
    const boot = bootstrapFairness(input, { resamples: 40, seed: 1, confidence: 0.95 });
    const doc = {
      version: 1,
      task: 'binary',
      threshold: 0.5,
      report,
      bootstrap: { resamples: boot.resamples, seed: 1, confidence: boot.confidence, intervals: boot.intervals },
      gates: gateInputOf(report),
      summary: {},
    };
    expect(issueOf(ZFairnessReport.safeParse(stored(doc)))).toBeNull();
    for (const ev of [{ accuracy: 0.5, fairness: { key: 'x', summary: {}, gates: gateInputOf(report) } }, { accuracy: 0.9 }]) expect(issueOf(ZEvaluation.safeParse(stored(ev)))).toBeNull();
  });

  it('accept evaluations as the worker and external runs write them, for every task and paradigm', () => {
    const rng = createRng(4);
    const y = Array.from({ length: 50 }, () => (rng.next() < 0.5 ? 1 : 0));
    const scores = y.map((v) => 0.5 * v + 0.5 * rng.next());
    const multi = Array.from({ length: 30 }, (_, i) => i % 3);
    const multiScores = multi.flatMap((c) => [0, 1, 2].map((k) => (k === c ? 0.6 : 0.2)));
    const refs = {
      fairness: { key: 'teams/t/runs/r/fairness.json', summary: f.binary.summary, gates: f.binary.task === 'binary' ? f.binary.gates : undefined },
      explain: { key: 'teams/t/runs/r/explain.json', topFeatures: [{ feature: 'age', importance: 0.1 }] },
    };
    const docs = [
      { task: 'binary', report: evaluateClassifier(y, scores, 2), classNames: ['no', 'yes'], testExamples: 50, predictionsKey: 'k', ...refs },
      { task: 'multiclass', report: evaluateClassifier(multi, multiScores, 3), classNames: undefined, testExamples: 30, predictionsKey: 'k' },
      { task: 'regression', report: regressionReport([1, 2, 3], [1.5, 2, 2.5]), testExamples: 3, predictionsKey: 'k' },
      // Only one class in the test split: no ROC/PR curves.
      { schemaVersion: 1, task: 'binary', report: evaluateClassifier([1, 1, 1], [0.9, 0.8, 0.2], 2), testExamples: 3 },
    ];
    for (const doc of docs) {
      const parsed = ZSupervisedEvaluation.safeParse(stored(doc));
      expect(issueOf(parsed)).toBeNull();
      expect(isSupervisedEvaluation(ZEvaluation.parse(stored(doc)))).toBe(true);
    }
    // The ROC curve's first threshold (+Infinity) is stored as null.
    const binary = ZSupervisedEvaluation.parse(stored(docs[0]));
    expect(binary.task !== 'regression' && binary.report.roc?.thresholds[0]).toBeNull();
    expect(reportRefsOf(binary).fairness?.key).toBe(refs.fairness.key);
    expect(testMetricsOf(binary).map((m) => m.key)).toEqual(['accuracy', 'macro_f1', 'macro_precision', 'macro_recall', 'roc_auc']);

    const rl = ZEvaluation.parse(stored({ solvedAt: null, bestMeanReturn: 180.5, episodes: 300 }));
    expect(isReinforcementEvaluation(rl)).toBe(true);
    const gan = ZEvaluation.parse(stored({ final: { d_loss: 0.7, g_loss: Number.NaN } }));
    expect(isUnsupervisedEvaluation(gan) && gan.final.g_loss).toBeNull();
  });

  it('accept checkpoint reports in every state, and reject what no writer stores with the field named', () => {
    const requestedAt = new Date().toISOString();
    for (const doc of [
      { status: 'queued', requestedAt },
      { status: 'running', requestedAt, startedAt: requestedAt },
      { schemaVersion: 1, status: 'done', requestedAt, finishedAt: requestedAt, accuracy: 0.8, fairness: { key: 'a', summary: {} }, explain: { key: 'b', topFeatures: [] }, log: ['x'] },
      { status: 'failed', requestedAt, finishedAt: requestedAt, error: 'the dataset version has no test split' },
    ]) {
      expect(issueOf(ZCheckpointReports.safeParse(doc))).toBeNull();
    }
    expect(issueOf(ZCheckpointReports.safeParse({ status: 'lost' }))).toMatch(/^status: /);
    // A version this code does not know is refused, not misread.
    expect(ZFairnessReport.safeParse({ ...(stored(f.regression) as object), schemaVersion: 2 }).success).toBe(false);
    const broken = stored(f.binary) as { report: { rows: unknown } };
    broken.report.rows = 'many';
    expect(issueOf(ZFairnessReport.safeParse(broken))).toMatch(/^report\.rows: /);
  });
});
