import { describe, expect, it } from 'vitest';
import { bootstrapFairness } from './fairness/bootstrap';
import { computeFairness } from './fairness/metrics';
import { buildModelCard, modelCardMarkdown, withInterval, type ModelCardSources } from './model-card';

const input = {
  yTrue: [0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1],
  yPred: [0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0],
  sensitive: [
    { name: 'sex', values: ['f', 'f', 'm', 'f', 'f', 'm', 'm', 'm', 'm', 'm', 'm', 'f', 'f', 'm', 'm', 'f', 'm', 'm'] },
    { name: 'age', values: ['y', 'o', 'y', 'o', 'y', 'o', 'y', 'o', 'y', 'o', 'y', 'o', 'y', 'o', 'y', 'o', 'y', 'o'] },
  ],
};
const report = computeFairness(input);
const boot = bootstrapFairness(input, { resamples: 30, seed: 3, confidence: 0.9 });

const sources = (over: Partial<ModelCardSources> = {}): ModelCardSources => ({
  generatedAt: new Date('2026-11-26T12:00:00Z'),
  run: {
    id: 'run1',
    number: 7,
    name: 'baseline',
    project: 'Credit',
    team: 'Lab',
    status: 'SUCCEEDED',
    paradigm: 'supervised',
    author: 'Ada',
    createdAt: '2026-11-26T10:00:00.000Z',
    finishedAt: null,
    backend: 'wasm',
  },
  modelDetails: {
    architecture: { id: 'av1', name: 'Loan MLP', version: 2, kind: 'mlp', layers: 3, parameters: 1234 },
    trainingData: { id: 'dv1', name: 'Loans', version: 1, rows: 4000, task: 'binary', label: 'approved', sensitive: ['sex', 'age'], split: { train: 0.7 } },
    hyperparameters: { epochs: 2, batchSize: 8, optimizer: { name: 'adam' } },
    checkpoint: { id: 'ck1', epoch: 2, kind: 'best' },
    reportHash: 'abc',
  },
  texts: { intendedUse: 'Pre-screening | with humans', outOfScope: '', ethical: '', caveats: 'Small test split.' },
  evaluation: {
    task: 'binary',
    testExamples: 18,
    report: {
      accuracy: 0.61,
      confusion: [
        [5, 3],
        [4, 6],
      ],
      perClass: [],
      macro: { precision: 0.6, recall: 0.62, f1: 0.61 },
      weighted: { precision: 0.6, recall: 0.6, f1: 0.6 },
      count: 18,
      roc: { fpr: [], tpr: [], thresholds: [], auc: 0.7 },
      pr: { precision: [], recall: [], thresholds: [], averagePrecision: Number.NaN },
    },
  },
  fairness: {
    task: 'binary',
    threshold: 0.5,
    report,
    bootstrap: { resamples: 30, seed: 3, confidence: 0.9, intervals: boot.intervals },
    mitigation: { demographic_parity: null, equal_opportunity: null },
    summary: {},
  },
  explain: {
    permutation: {
      score: 'accuracy',
      baselineScore: 0.6,
      rows: 18,
      repeats: 5,
      features: [
        { name: 'income', columns: [0], mean: 0.01, std: 0.002, drops: [] },
        { name: 'zip', columns: [1], mean: 0.05, std: 0.01, drops: [] },
      ],
    },
    groups: [
      {
        attribute: 'sex',
        features: ['income', 'zip'],
        overallMeanAbs: [],
        groups: [],
        gaps: [],
        proxies: [{ feature: 'zip', share: 0.8, valueStatistic: 'correlation-ratio', valueAssociation: 0.5, attributionAssociation: 0.4, flag: 'proxy' }],
      },
    ],
  },
  gates: { status: 'fail', results: [{ description: 'demographic_parity_ratio ≥ 0.8', status: 'fail', value: 0.6 }] },
  reweighing: true,
  decisions: [
    {
      reviewTitle: 'Review of run #7',
      reviewer: 'Rui',
      verdict: 'APPROVE',
      justification: 'Pilot only.\nWith monitoring.',
      createdAt: '2026-11-26T11:00:00.000Z',
      stale: true,
      staleReasons: ['new checkpoint'],
      pinned: { checkpointId: 'ck0', datasetVersionId: 'dv1', reportHash: 'abc' },
    },
  ],
  ...over,
});

describe('model card', () => {
  it('carries per-group and intersectional results with their bootstrap intervals', () => {
    const card = buildModelCard(sources());
    expect(card.quantitative!.sections.map((s) => [s.attribute, s.intersection])).toEqual([
      ['sex', false],
      ['age', false],
      ['sex & age', true],
    ]);
    const f = card.quantitative!.sections[0]!.groups.find((g) => g.group === 'f')!;
    const sel = f.metrics.find((m) => m.key === 'selection_rate')!;
    expect(sel.value).toBeCloseTo(report.attributes[0]!.groups.find((g) => g.group === 'f')!.selection_rate!);
    expect(sel.ci).not.toBeNull();
    expect(card.metrics).toEqual([
      { name: 'accuracy', value: 0.61 },
      { name: 'ROC AUC', value: 0.7 },
      { name: 'macro precision', value: 0.6 },
      { name: 'macro recall', value: 0.62 },
      { name: 'macro F1', value: 0.61 },
    ]);
    expect(card.explainability!.top.map((t) => t.feature)).toEqual(['zip', 'income']);
    expect(card.factors).toEqual(['sex', 'age']);
  });

  it('renders Mitchell et al.’s sections as Markdown, escaping table cells', () => {
    const md = modelCardMarkdown(buildModelCard(sources()));
    const headings = md.split('\n').filter((l) => l.startsWith('## '));
    expect(headings).toEqual([
      '## Model details',
      '## Intended use',
      '## Factors',
      '## Metrics',
      '## Evaluation data',
      '## Training data',
      '## Quantitative analyses',
      '## Mitigation',
      '## Explainability',
      '## Ethical considerations',
      '## Caveats and recommendations',
      '## Review decisions',
    ]);
    expect(md).toContain('# Model card: #7 baseline');
    expect(md).toContain('Loan MLP v2 (mlp, 3 layers, 1,234 parameters)');
    expect(md).toContain('Pre-screening | with humans');
    expect(md).toContain('### sex & age (intersection)');
    expect(md).toMatch(/\| f \| \d+ \| [\d.]+% \| [\d.]+% \([\d.]+–[\d.]+\) \|/);
    expect(md).toContain('- Reweighing during training: yes');
    expect(md).toContain('1. zip: 0.0500 ± 0.0100');
    expect(md).toContain('Possible proxies of sensitive attributes: zip (for sex).');
    expect(md).toContain('- demographic_parity_ratio ≥ 0.8: fail (measured 0.6000)');
    expect(md).toContain('- 2026-11-26 · Rui approved (Review of run #7) · **stale**: new checkpoint — Pilot only. With monitoring.');
    expect(md).toContain('## Out-of-scope uses'.replace('## ', '### '));
    expect(md).toContain('_Not stated._');
    expect(md.endsWith('\n')).toBe(true);
  });

  it('says what is missing rather than inventing it', () => {
    const md = modelCardMarkdown(buildModelCard(sources({ fairness: null, explain: null, decisions: [], gates: { status: null, results: [] } })));
    expect(md).toContain('_No per-group fairness report for this run._');
    expect(md).toContain('_No explainability report._');
    expect(md).toContain('_The team has no enabled gate rules._');
    expect(md).toContain('_No review decisions yet._');
  });

  it('formats values with intervals', () => {
    expect(withInterval(0.459, { lower: 0.431, upper: 0.487 }, true)).toBe('45.9% (43.1–48.7)');
    expect(withInterval(0.25, { lower: null, upper: 0.3 }, false)).toBe('0.250');
    expect(withInterval(null, null, true)).toBe('—');
  });
});
