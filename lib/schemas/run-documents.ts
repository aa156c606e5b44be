/**
 * The documents a run leaves behind, with one versioned schema each: the evaluation on the run
 * row (`Run.evaluation`, by paradigm), the fairness and explainability reports stored as JSON in
 * the artifact store, and the on-demand reports of a checkpoint (`Checkpoint.reports`).
 *
 * Versions: every document carries `schemaVersion`; documents stored before it existed have none
 * and read as version 1. A later shape gets a new literal in the union here, so old stored
 * documents keep parsing. Stored JSON has no NaN or Infinity (JSON.stringify writes null), so a
 * figure that may be undefined is `number | null` here.
 *
 * The in-memory types the writers build (lib/metrics, lib/fairness, worker/explain) must be
 * assignable to these schemas' input types: the `Accepts` checks at the bottom make the type
 * check fail when a writer's type and its schema drift apart.
 */
import { z } from 'zod';
import type { ClassifierEvaluation, RegressionReport as RegressionMetrics } from '@/lib/metrics/evaluation';
import type { BootstrapResult } from '@/lib/fairness/bootstrap';
import type { GateInput } from '@/lib/fairness/gates';
import { AIF360_METRICS, DISPARITY_METRICS, ZGroupMetrics, type FairnessReport } from '@/lib/fairness/metrics';
import type { ThresholdOptimizerResult } from '@/lib/fairness/mitigation';
import type { RegressionReport as RegressionFairness } from '@/lib/fairness/regression';
import type { CurvePoint } from '@/lib/fairness/thresholds';

/** Absent on documents stored before versions were written: those are version 1. */
const ZSchemaVersion1 = z.literal(1).optional();
/** The version new documents are written with. */
export const RUN_DOCUMENT_SCHEMA_VERSION = 1 as const;

const nullableNumber = z.number().nullable();
const numberRecord = <K extends readonly [string, ...string[]]>(keys: K) => z.object(Object.fromEntries(keys.map((k) => [k, nullableNumber])) as { [P in K[number]]: typeof nullableNumber });

// ---------------------------------------------------------------------------------------------
// Evaluation metrics (lib/metrics/evaluation.ts)

const ZRatios = z.object({ precision: z.number(), recall: z.number(), f1: z.number() });

export const ZClassificationMetrics = z.object({
  accuracy: z.number(),
  confusion: z.array(z.array(z.number())),
  perClass: z.array(z.object({ label: z.number(), precision: z.number(), recall: z.number(), f1: z.number(), support: z.number() })),
  macro: ZRatios,
  weighted: ZRatios,
  count: z.number(),
  /** The first threshold is +Infinity in memory, stored as null. */
  roc: z.object({ fpr: z.array(z.number()), tpr: z.array(z.number()), thresholds: z.array(nullableNumber), auc: z.number() }).optional(),
  pr: z.object({ precision: z.array(z.number()), recall: z.array(z.number()), thresholds: z.array(nullableNumber), averagePrecision: z.number() }).optional(),
});
export type ClassificationMetrics = z.infer<typeof ZClassificationMetrics>;

export const ZRegressionMetrics = z.object({ mae: z.number(), mse: z.number(), rmse: z.number(), r2: z.number(), count: z.number() });

// ---------------------------------------------------------------------------------------------
// Fairness (lib/fairness/*)

const ZDisparities = numberRecord(DISPARITY_METRICS);
const ZAif360 = numberRecord(AIF360_METRICS);

export const ZGroupEntry = ZGroupMetrics.extend({ group: z.string(), values: z.record(z.string(), z.string()) });

export const ZAttributeSection = z.object({
  attribute: z.string(),
  features: z.array(z.string()),
  groups: z.array(ZGroupEntry),
  between_groups: ZDisparities,
  to_overall: ZDisparities,
});

export const ZFairnessMetricsReport = z.object({
  rows: z.number(),
  overall: ZGroupMetrics,
  attributes: z.array(ZAttributeSection),
  reference: z
    .object({
      attribute: z.string(),
      reference: z.string(),
      pooled: ZAif360,
      by_group: z.array(ZAif360.extend({ group: z.string() })),
      worst: z.object(
        Object.fromEntries(AIF360_METRICS.map((k) => [k, z.object({ group: z.string(), value: z.number() }).nullable()])) as {
          [P in (typeof AIF360_METRICS)[number]]: z.ZodNullable<z.ZodObject<{ group: z.ZodString; value: z.ZodNumber }>>;
        },
      ),
    })
    .nullable(),
  individual: z.object({ alpha: z.number(), generalized_entropy_index: nullableNumber, theil_index: nullableNumber }),
});
export type StoredFairnessMetrics = z.infer<typeof ZFairnessMetricsReport>;

/** What policy gates read of a report (lib/fairness/gates GateInput), kept on the run's row. */
export const ZGateInput = z.object({
  attributes: z.array(ZAttributeSection.pick({ attribute: true, between_groups: true, to_overall: true })),
  reference: ZFairnessMetricsReport.shape.reference.unwrap().pick({ attribute: true, reference: true, pooled: true }).nullable(),
  individual: ZFairnessMetricsReport.shape.individual,
});

export const ZRegressionFairness = z.object({
  overall: z.object({ count: z.number(), mae: z.number(), rmse: z.number() }),
  attributes: z.array(
    z.object({
      attribute: z.string(),
      features: z.array(z.string()),
      groups: z.array(z.object({ group: z.string(), values: z.record(z.string(), z.string()), count: z.number(), mae: nullableNumber, rmse: nullableNumber })),
      mae_difference: nullableNumber,
      mae_ratio: nullableNumber,
      rmse_difference: nullableNumber,
      rmse_ratio: nullableNumber,
    }),
  ),
});

export const ZBootstrapInterval = z.object({ path: z.array(z.string()), estimate: nullableNumber, lower: nullableNumber, upper: nullableNumber, defined: z.number() });
export type StoredInterval = z.infer<typeof ZBootstrapInterval>;

export const ZCurvePoint = z.object({
  threshold: z.number(),
  accuracy: nullableNumber,
  selection_rate: z.record(z.string(), nullableNumber),
  demographic_parity_difference: nullableNumber,
  equalized_odds_difference: nullableNumber,
});

export const ZMitigation = z.object({
  constraint: z.enum(['demographic_parity', 'equal_opportunity']),
  tolerance: z.number(),
  target: z.number(),
  satisfied: z.boolean(),
  disparity: nullableNumber,
  /** A threshold of +Infinity (select nobody) is stored as null. */
  thresholds: z.array(z.object({ group: z.string(), values: z.record(z.string(), z.string()), threshold: nullableNumber, rate: nullableNumber })),
  before: ZFairnessMetricsReport,
  after: ZFairnessMetricsReport,
  /** Reports before this field existed fitted on the test split. */
  fittedOn: z.enum(['validation', 'test']).optional(),
});
export type StoredMitigation = z.infer<typeof ZMitigation>;

const ZFairnessSummary = z.record(
  z.string(),
  z.object({ demographic_parity_difference: nullableNumber.optional(), equalized_odds_difference: nullableNumber.optional(), mae_difference: nullableNumber.optional() }),
);

const fairnessCommon = { schemaVersion: ZSchemaVersion1, version: z.literal(1).optional(), summary: ZFairnessSummary };

/** The fairness report of a run or checkpoint (lib/fairness/run-report.ts), stored as `fairness.json`. */
export const ZFairnessReport = z.discriminatedUnion('task', [
  z.object({
    ...fairnessCommon,
    task: z.literal('binary'),
    threshold: z.number().optional(),
    report: ZFairnessMetricsReport,
    bootstrap: z.object({ resamples: z.number(), seed: z.number(), confidence: z.number(), intervals: z.array(ZBootstrapInterval) }).optional(),
    curve: z.array(ZCurvePoint).optional(),
    mitigation: z.object({ demographic_parity: ZMitigation.nullable(), equal_opportunity: ZMitigation.nullable() }).optional(),
    gates: ZGateInput.optional(),
  }),
  z.object({ ...fairnessCommon, task: z.literal('regression'), report: ZRegressionFairness, threshold: z.number().optional() }),
]);
export type FairnessRunReport = z.infer<typeof ZFairnessReport>;
export type BinaryFairnessRunReport = Extract<FairnessRunReport, { task: 'binary' }>;

// ---------------------------------------------------------------------------------------------
// Explainability (worker/explain/report.ts)

const ZFeatureGroup = z.object({ name: z.string(), columns: z.array(z.number()) });

export const ZPermutationImportance = z.object({
  score: z.enum(['accuracy', 'neg-mse', 'neg-log-loss']),
  baselineScore: z.number(),
  rows: z.number(),
  repeats: z.number(),
  features: z.array(ZFeatureGroup.extend({ mean: z.number(), std: z.number(), drops: z.array(z.number()) })),
});

export const ZIgExample = z.object({
  row: z.number(),
  label: z.number(),
  outputs: z.array(
    z.object({
      output: z.number(),
      name: z.string(),
      value: z.number(),
      baselineValue: z.number(),
      attributions: z.array(z.number()),
      delta: z.number(),
      relativeDelta: z.number(),
      steps: z.number(),
    }),
  ),
});

export const ZSensitiveAttributeSummary = z.object({
  attribute: z.string(),
  features: z.array(z.string()),
  overallMeanAbs: z.array(z.number()),
  groups: z.array(z.object({ value: z.string(), count: z.number(), meanAbs: z.array(z.number()) })),
  gaps: z.array(z.object({ feature: z.string(), high: z.string(), low: z.string(), difference: z.number() })),
  proxies: z.array(
    z.object({
      feature: z.string(),
      share: z.number(),
      valueStatistic: z.enum(['correlation-ratio', 'cramers-v']),
      valueAssociation: z.number(),
      attributionAssociation: z.number(),
      flag: z.enum(['direct', 'proxy']).nullable(),
    }),
  ),
});

export const ZImageExplanation = z.object({
  row: z.number(),
  output: z.number(),
  height: z.number(),
  width: z.number(),
  channels: z.number().optional(),
  pixels: z.array(z.number()).optional(),
  saliency: z.array(z.number()),
  gradientTimesInput: z.array(z.number()),
  occlusion: z.array(z.number()),
});
export type ImageExplanation = z.infer<typeof ZImageExplanation>;

/** The explainability report of a run or checkpoint, stored as `explain.json`. */
export const ZExplainReport = z.object({
  schemaVersion: ZSchemaVersion1,
  version: z.literal(1).optional(),
  dataKind: z.enum(['tabular', 'sequence', 'image', 'text']),
  task: z.enum(['binary', 'multiclass', 'regression']),
  caps: z.object({ permutationRows: z.number(), attributionRows: z.number(), igExamples: z.number(), imageExamples: z.number() }),
  features: z.array(ZFeatureGroup),
  permutation: ZPermutationImportance.nullable(),
  integratedGradients: z
    .object({
      steps: z.number(),
      rule: z.enum(['gauss-legendre', 'trapezoid']),
      baseline: z.enum(['zeros', 'mean', 'given']),
      examples: z.array(ZIgExample),
      rows: z.number(),
      globalMeanAbs: z.array(z.object({ feature: z.string(), value: z.number() })),
    })
    .nullable(),
  groups: z.array(ZSensitiveAttributeSummary),
  images: z.array(ZImageExplanation).nullable(),
  skipped: z.array(z.string()),
});
export type ExplainReport = z.infer<typeof ZExplainReport>;

// ---------------------------------------------------------------------------------------------
// What the run row and checkpoint rows keep of the reports

export const ZFairnessRef = z.object({ key: z.string(), summary: ZFairnessSummary.optional(), gates: ZGateInput.optional() });
export const ZExplainRef = z.object({ key: z.string(), topFeatures: z.array(z.object({ feature: z.string(), importance: z.number() })).optional() });
export type ReportRefs = { fairness?: z.infer<typeof ZFairnessRef>; explain?: z.infer<typeof ZExplainRef> };

const reportRefs = { fairness: ZFairnessRef.optional(), explain: ZExplainRef.optional() };
/** Test figures at the top level: checkpoint reports, and evaluations stored with no `report`. */
const headline = { accuracy: nullableNumber.optional(), mae: nullableNumber.optional(), rmse: nullableNumber.optional(), r2: nullableNumber.optional() };

const supervisedCommon = {
  schemaVersion: ZSchemaVersion1,
  classNames: z.array(z.string()).nullable().optional(),
  testExamples: z.number().optional(),
  predictionsKey: z.string().optional(),
  ...reportRefs,
};

/** A supervised run's evaluation on its test split (worker runs and external runs' uploaded predictions). */
export const ZSupervisedEvaluation = z.discriminatedUnion('task', [
  z.object({ ...supervisedCommon, task: z.enum(['binary', 'multiclass']), report: ZClassificationMetrics }),
  z.object({ ...supervisedCommon, task: z.literal('regression'), report: ZRegressionMetrics }),
]);
export type SupervisedEvaluation = z.infer<typeof ZSupervisedEvaluation>;

export const ZReinforcementEvaluation = z.object({ schemaVersion: ZSchemaVersion1, solvedAt: nullableNumber, bestMeanReturn: nullableNumber, episodes: z.number() });
export type ReinforcementEvaluation = z.infer<typeof ZReinforcementEvaluation>;

/** Autoencoder and GAN runs: the last value of each logged metric (NaN stored as null). */
export const ZUnsupervisedEvaluation = z.object({ schemaVersion: ZSchemaVersion1, final: z.record(z.string(), nullableNumber) });
export type UnsupervisedEvaluation = z.infer<typeof ZUnsupervisedEvaluation>;

/** Headline figures and report references with no full `report` (imported runs, older rows). */
export const ZSummaryEvaluation = z.object({ schemaVersion: ZSchemaVersion1, ...headline, ...reportRefs });
export type SummaryEvaluation = z.infer<typeof ZSummaryEvaluation>;

/** `Run.evaluation`: one shape per paradigm; the first that matches wins, the summary last. */
export const ZEvaluation = z.union([ZSupervisedEvaluation, ZReinforcementEvaluation, ZUnsupervisedEvaluation, ZSummaryEvaluation]);
export type RunEvaluation = z.infer<typeof ZEvaluation>;

export const CHECKPOINT_REPORT_STATUSES = ['queued', 'running', 'done', 'failed'] as const;

/** `Checkpoint.reports`: status of the on-demand reports, then their headline and references. */
export const ZCheckpointReports = z.object({
  schemaVersion: ZSchemaVersion1,
  status: z.enum(CHECKPOINT_REPORT_STATUSES),
  requestedAt: z.string().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  error: z.string().optional(),
  log: z.array(z.string()).optional(),
  ...headline,
  ...reportRefs,
});
export type CheckpointReports = z.infer<typeof ZCheckpointReports>;

// ---------------------------------------------------------------------------------------------
// Readers' helpers

export const isSupervisedEvaluation = (ev: RunEvaluation | null | undefined): ev is SupervisedEvaluation => !!ev && 'task' in ev && 'report' in ev;
export const isReinforcementEvaluation = (ev: RunEvaluation | null | undefined): ev is ReinforcementEvaluation => !!ev && 'episodes' in ev;
export const isUnsupervisedEvaluation = (ev: RunEvaluation | null | undefined): ev is UnsupervisedEvaluation => !!ev && 'final' in ev;

/** The report references of an evaluation or checkpoint reports (none for other paradigms). */
export function reportRefsOf(doc: RunEvaluation | CheckpointReports | null | undefined): ReportRefs {
  const fairness = doc && 'fairness' in doc ? doc.fairness : undefined;
  const explain = doc && 'explain' in doc ? doc.explain : undefined;
  return { ...(fairness ? { fairness } : {}), ...(explain ? { explain } : {}) };
}

/** Test figures of an evaluation, as the metric series and tables name them (accuracy, macro_f1, roc_auc …). */
export function testMetricsOf(ev: Pick<SupervisedEvaluation, 'report'> | RunEvaluation | CheckpointReports | null | undefined): { key: string; value: number }[] {
  const out: { key: string; value: number }[] = [];
  const add = (key: string, value: number | null | undefined) => {
    if (typeof value === 'number') out.push({ key, value });
  };
  if (!ev) return out;
  if ('report' in ev) {
    const r = ev.report;
    if ('accuracy' in r) {
      add('accuracy', r.accuracy);
      add('macro_f1', r.macro.f1);
      add('macro_precision', r.macro.precision);
      add('macro_recall', r.macro.recall);
      add('roc_auc', r.roc?.auc);
    } else {
      add('mae', r.mae);
      add('rmse', r.rmse);
      add('r2', r.r2);
    }
  } else if (!('episodes' in ev) && !('final' in ev)) {
    add('accuracy', ev.accuracy);
    add('mae', ev.mae);
    add('rmse', ev.rmse);
    add('r2', ev.r2);
  }
  return out;
}

/** A stored document's parse failure in one line: which document, which field, what is wrong. */
export function describeDocumentIssue(what: string, error: z.ZodError): string {
  const issue = error.issues[0];
  return `${what}: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`;
}

// ---------------------------------------------------------------------------------------------
// Writers' types must be accepted by the schemas (checked by the type checker, nothing at run time)

type Accepts<Schema extends z.ZodType, T> = [T] extends [z.input<Schema>] ? true : never;
const writersFit: [
  Accepts<typeof ZClassificationMetrics, ClassifierEvaluation>,
  Accepts<typeof ZRegressionMetrics, RegressionMetrics>,
  Accepts<typeof ZFairnessMetricsReport, FairnessReport>,
  Accepts<typeof ZGateInput, GateInput>,
  Accepts<typeof ZRegressionFairness, RegressionFairness>,
  Accepts<z.ZodArray<typeof ZBootstrapInterval>, BootstrapResult['intervals']>,
  Accepts<typeof ZCurvePoint, CurvePoint>,
  Accepts<typeof ZMitigation, ThresholdOptimizerResult & { fittedOn: 'validation' | 'test' }>,
] = [true, true, true, true, true, true, true, true];
void writersFit;
