/**
 * Request shapes of the MLflow-compatible endpoints (/api/2.0/mlflow/…), as MLflow's REST API
 * documents them, with MLflow's limits. Numbers that MLflow types as int64 may arrive as strings
 * (protobuf JSON), so they are coerced.
 */
import { z } from 'zod';
import { ZMetricKey, ZMetricValue } from './external-runs';

export const MLFLOW_LIMITS = { metrics: 1000, params: 100, tags: 100, items: 1000, bytes: 1024 * 1024, searchMaxResults: 50_000, historyMaxResults: 25_000 } as const;

const Int64 = z.union([
  z.int(),
  z
    .string()
    .regex(/^-?\d+$/, 'must be an integer')
    .transform(Number),
]);
const Id = z.string().min(1).max(64);

export const ZMlflowTag = z.object({ key: z.string().min(1, 'key is required').max(250), value: z.string().max(8000).default('') });
export const ZMlflowParam = z.object({ key: z.string().min(1, 'key is required').max(250), value: z.string().max(6000, 'param values are at most 6000 characters') });
export const ZMlflowMetric = z.object({ key: ZMetricKey, value: ZMetricValue, timestamp: Int64, step: Int64.default(0) });

export const ZMlflowCreateExperiment = z.object({
  name: z.string().trim().min(1, 'name is required').max(80),
  artifact_location: z.string().optional(),
  tags: z.array(ZMlflowTag).optional(),
});
export const ZMlflowGetExperiment = z.object({ experiment_id: Id });
export const ZMlflowGetExperimentByName = z.object({ experiment_name: z.string().min(1, 'experiment_name is required') });

export const ZMlflowCreateRun = z.object({
  experiment_id: Id.default('0'),
  user_id: z.string().optional(),
  run_name: z.string().max(200).optional(),
  start_time: Int64.optional(),
  tags: z.array(ZMlflowTag).max(MLFLOW_LIMITS.tags).optional(),
});
const RunRef = { run_id: Id.optional(), run_uuid: Id.optional() };
export const ZMlflowRunRef = z.object(RunRef);
export const ZMlflowUpdateRun = z.object({
  ...RunRef,
  status: z.enum(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']).optional(),
  end_time: Int64.optional(),
  run_name: z.string().min(1).max(200).optional(),
});
export const ZMlflowLogMetric = z.object({ ...RunRef, key: ZMetricKey, value: ZMetricValue, timestamp: Int64, step: Int64.default(0) });
export const ZMlflowLogParam = z.object({ ...RunRef, key: ZMlflowParam.shape.key, value: ZMlflowParam.shape.value });
export const ZMlflowSetTag = z.object({ ...RunRef, key: ZMlflowTag.shape.key, value: z.string().max(8000) });
export const ZMlflowDeleteTag = z.object({ ...RunRef, key: z.string().min(1) });
export const ZMlflowLogBatch = z.object({
  ...RunRef,
  metrics: z.array(ZMlflowMetric).max(MLFLOW_LIMITS.metrics, `A batch logging request can contain at most ${MLFLOW_LIMITS.metrics} metrics`).default([]),
  params: z.array(ZMlflowParam).max(MLFLOW_LIMITS.params, `A batch logging request can contain at most ${MLFLOW_LIMITS.params} params`).default([]),
  tags: z.array(ZMlflowTag).max(MLFLOW_LIMITS.tags, `A batch logging request can contain at most ${MLFLOW_LIMITS.tags} tags`).default([]),
});
export const ZMlflowGetHistory = z.object({
  ...RunRef,
  metric_key: z.string().min(1, 'metric_key is required'),
  page_token: z.string().optional(),
  max_results: Int64.pipe(z.int().min(1).max(MLFLOW_LIMITS.historyMaxResults, `max_results must be at most ${MLFLOW_LIMITS.historyMaxResults}`)).optional(),
});
export const ZMlflowSearchRuns = z.object({
  experiment_ids: z.array(Id).min(1, 'experiment_ids needs at least one experiment').max(100),
  filter: z.string().max(10_000).optional(),
  run_view_type: z.enum(['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL']).default('ACTIVE_ONLY'),
  max_results: Int64.pipe(z.int().min(1, 'max_results must be positive').max(MLFLOW_LIMITS.searchMaxResults, `max_results must be at most ${MLFLOW_LIMITS.searchMaxResults}`)).default(1000),
  order_by: z.array(z.string().max(500)).max(10).optional(),
  page_token: z.string().optional(),
});
