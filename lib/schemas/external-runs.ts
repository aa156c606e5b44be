/**
 * Runs logged from outside Deepboard's workers (REST API /api/v1, the TypeScript SDK, MLflow
 * clients): the one home of their request shapes. Route handlers, the OpenAPI document, the SDK's
 * types and the tests all derive from these.
 */
import { z } from 'zod';
import { ZRunSearchInput } from '../runs/query';
import { PARADIGMS } from './runs';

export const RUN_SOURCES = ['worker', 'external'] as const;

/** Metric keys as the one metric write path accepts them (lib/tracking/metrics.ts). */
export const ZMetricKey = z
  .string()
  .min(1, 'key is required')
  .max(250, 'at most 250 characters')
  .regex(/^[A-Za-z0-9_.\-/ ]+$/, 'metric names use letters, digits, _ . - / and spaces');

/** JSON has no NaN or Infinity: they travel as the strings "NaN", "Infinity", "-Infinity". */
export const ZMetricValue = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])], { error: 'value must be a number (or "NaN", "Infinity", "-Infinity")' }).transform((v) => Number(v));

export const ZParamKey = z.string().min(1, 'key is required').max(250, 'at most 250 characters');
export const ZParamValue = z.union([z.string().max(6000, 'at most 6000 characters'), z.number(), z.boolean()], { error: 'value must be a string, number or boolean' }).transform((v) => String(v));
export const ZTagKey = z.string().min(1, 'key is required').max(250, 'at most 250 characters');
export const ZTagValue = z.string().max(5000, 'at most 5000 characters');

export const ZLoggedMetric = z.object({
  key: ZMetricKey,
  value: ZMetricValue,
  step: z.int('step must be an integer').min(0).max(2_147_483_647).default(0),
  /** Milliseconds since the epoch, or an ISO date; defaults to the time the server receives it. */
  timestamp: z.union([z.int().min(0), z.iso.datetime()]).optional(),
  /**
   * train, validation, test or system. Left out, it follows the name as the runs table writes
   * it: `val_accuracy` is accuracy on the validation split, `test_loss` the test loss.
   */
  context: z.enum(['train', 'validation', 'test', 'system']).optional(),
});
export type LoggedMetric = z.input<typeof ZLoggedMetric>;

export const ZLoggedParam = z.object({ key: ZParamKey, value: ZParamValue });
export const ZLoggedTag = z.object({ key: ZTagKey, value: ZTagValue.default('') });

export const LOG_BATCH_LIMITS = { metrics: 10_000, params: 1_000, tags: 1_000 } as const;

export const ZLogBatchInput = z.object({
  metrics: z.array(ZLoggedMetric).max(LOG_BATCH_LIMITS.metrics, `at most ${LOG_BATCH_LIMITS.metrics} metrics per batch`).default([]),
  params: z.array(ZLoggedParam).max(LOG_BATCH_LIMITS.params, `at most ${LOG_BATCH_LIMITS.params} params per batch`).default([]),
  tags: z.array(ZLoggedTag).max(LOG_BATCH_LIMITS.tags, `at most ${LOG_BATCH_LIMITS.tags} tags per batch`).default([]),
});
export type LogBatchInput = z.input<typeof ZLogBatchInput>;

const METRIC_KEY = /^[A-Za-z0-9_.\-/ ]+$/;
const METRIC_CONTEXTS = new Set(['train', 'validation', 'test', 'system']);

/**
 * ZLogBatchInput.parse without zod's per-item cost on the common case: thousands of plain
 * metrics (and no params or tags). Anything unusual — a value given as "NaN", an ISO timestamp, a
 * bad key, params — goes through the schema, which also words the error, so the result and every
 * refusal are the schema's (a property test checks both).
 */
export function parseLogBatchInput(input: unknown): z.output<typeof ZLogBatchInput> {
  const schema = () => ZLogBatchInput.parse(input);
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return schema();
  const { metrics, params, tags } = input as Record<string, unknown>;
  if (!Array.isArray(metrics) || metrics.length < 100 || metrics.length > LOG_BATCH_LIMITS.metrics || params !== undefined || tags !== undefined) return schema();
  const out = new Array<z.output<typeof ZLoggedMetric>>(metrics.length);
  const goodKeys = new Set<string>();
  for (let i = 0; i < metrics.length; i++) {
    const m = metrics[i] as Record<string, unknown> | null;
    if (typeof m !== 'object' || m === null || Array.isArray(m)) return schema();
    const { key, value, step, timestamp, context } = m;
    if (typeof key !== 'string') return schema();
    if (!goodKeys.has(key)) {
      if (key.length < 1 || key.length > 250 || !METRIC_KEY.test(key)) return schema();
      goodKeys.add(key);
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) return schema();
    if (step !== undefined && !(Number.isSafeInteger(step) && (step as number) >= 0 && (step as number) <= 2_147_483_647)) return schema();
    if (timestamp !== undefined && !(Number.isSafeInteger(timestamp) && (timestamp as number) >= 0)) return schema();
    if (context !== undefined && !(typeof context === 'string' && METRIC_CONTEXTS.has(context))) return schema();
    const item: z.output<typeof ZLoggedMetric> = { key, value, step: (step as number | undefined) ?? 0 };
    if (timestamp !== undefined) item.timestamp = timestamp as number;
    if (context !== undefined) item.context = context as z.output<typeof ZLoggedMetric>['context'];
    out[i] = item;
  }
  return { metrics: out, params: [], tags: [] };
}
export const ZLogBatchResult = z.object({ metrics: z.int(), params: z.int(), tags: z.int() });

export const ZCreateExternalRunInput = z.object({
  /** The project's slug or id, in the API key's team. */
  project: z.string().min(1, 'project is required (its slug or id)').max(100),
  /** Only for session callers; an API key implies its team. */
  teamId: z.string().min(1).max(64).optional(),
  name: z.string().trim().min(1).max(200).optional(),
  paradigm: z.enum(PARADIGMS).default('supervised'),
  params: z.record(ZParamKey, ZParamValue).optional(),
  tags: z.array(ZLoggedTag).max(LOG_BATCH_LIMITS.tags).optional(),
  notes: z.string().max(10_000).optional(),
  /** Milliseconds since the epoch; defaults to now. */
  startTime: z.int().min(0).optional(),
});
export type CreateExternalRunInput = z.input<typeof ZCreateExternalRunInput>;

/** FINISHED and KILLED are MLflow's words for SUCCEEDED and CANCELED. */
export const ZExternalRunStatus = z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELED', 'FINISHED', 'KILLED']);
export const ZUpdateExternalRunInput = z.object({
  status: ZExternalRunStatus.optional(),
  /** Shown on the run page when the run failed. */
  error: z.string().max(10_000).optional(),
  name: z.string().trim().min(1).max(200).optional(),
  /** Milliseconds since the epoch; defaults to now when a final status is set. */
  endTime: z.int().min(0).optional(),
});
export type UpdateExternalRunInput = z.input<typeof ZUpdateExternalRunInput>;

const ZLabel = z.union([z.number(), z.string().min(1)]);
const ZSensitive = z.record(z.string().min(1).max(100), z.array(z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v))));

/**
 * Test-set predictions of an external model: binary (one score per example, the probability of
 * the positive class), multiclass (one row of class scores per example) or regression (one
 * prediction per example), with the true labels and, for fairness reports, each example's
 * sensitive attributes. Optional validation predictions let post-processing thresholds be fitted
 * on the validation split, as the worker does.
 */
const ZPredictionSplit = z.object({
  labels: z.array(ZLabel).min(1, 'labels needs at least one example').max(1_000_000),
  scores: z.union([z.array(z.number()), z.array(z.array(z.number()))]),
  sensitive: ZSensitive.optional(),
});

export const ZUploadPredictionsInput = ZPredictionSplit.extend({
  task: z.enum(['binary', 'multiclass', 'regression']),
  /** Class names by index (binary: [negative, positive]); labels may also be these names. */
  classNames: z.array(z.string().min(1)).max(10_000).optional(),
  threshold: z.number().gt(0).lt(1).default(0.5),
  /** Seed of the fairness report's bootstrap. */
  seed: z.int().default(1),
  validation: ZPredictionSplit.optional(),
});
export type UploadPredictionsInput = z.input<typeof ZUploadPredictionsInput>;

export const ZMetricHistoryQuery = z.object({
  /** Left out, it follows the name (`val_loss` → loss in validation). */
  context: z.enum(['train', 'validation', 'test', 'system']).optional(),
  /** Points with step > afterStep (for paging). */
  afterStep: z.coerce.number().int().min(-1).default(-1),
  limit: z.coerce.number().int().min(1).max(25_000).default(5_000),
});

/** The runs table's search (lib/runs/query.ts), with the project named by slug or id. */
export const ZExternalRunSearchInput = ZRunSearchInput.omit({ projectId: true }).extend({
  project: z.string().min(1, 'project is required (its slug or id)').max(100),
  teamId: z.string().min(1).max(64).optional(),
});
