import { z } from 'zod';
import { MLFLOW_STATUS, USER_ERROR_MAP } from '@/lib/errors';
import { ZCreateExternalRunInput, ZExternalRunSearchInput, ZLogBatchInput, ZLogBatchResult, ZUpdateExternalRunInput, ZUploadPredictionsInput } from '@/lib/schemas/external-runs';
import { ZMlflowCreateExperiment, ZMlflowCreateRun, ZMlflowLogBatch, ZMlflowLogMetric, ZMlflowLogParam, ZMlflowSearchRuns, ZMlflowSetTag, ZMlflowUpdateRun } from '@/lib/schemas/mlflow';

/**
 * The OpenAPI 3.1 document of /api/v1 and the MLflow subset, generated from the same zod schemas
 * the handlers parse with (zod 4's JSON Schema output is draft 2020-12, OpenAPI 3.1's dialect).
 * Request bodies are documented as accepted (input), not as parsed.
 */

const schema = (s: z.ZodType) => {
  const { $schema: _, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const ErrorBody = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string', enum: [...new Set(Object.values(USER_ERROR_MAP).map((m) => m.code)), 'INTERNAL_SERVER_ERROR'] },
        message: { type: 'string' },
        field: { type: ['string', 'null'], description: 'The request field the message is about' },
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
};
const MlflowErrorBody = {
  type: 'object',
  properties: { error_code: { type: 'string', enum: Object.keys(MLFLOW_STATUS) }, message: { type: 'string' } },
  required: ['error_code', 'message'],
};

const errors = (codes: number[]) =>
  Object.fromEntries(
    codes.map((c) => [
      String(c),
      {
        description:
          (
            {
              400: 'Invalid request (the message names the field)',
              401: 'Missing or invalid API key',
              403: 'Your role does not allow this',
              404: 'Not found (or in another team)',
              409: 'The run is not an external run',
              413: 'Request too large',
            } as Record<number, string>
          )[c] ?? 'Error',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    ]),
  );
const mlflowErrors = {
  '400': { description: 'INVALID_PARAMETER_VALUE / RESOURCE_ALREADY_EXISTS', content: { 'application/json': { schema: { $ref: '#/components/schemas/MlflowError' } } } },
  '404': { description: 'RESOURCE_DOES_NOT_EXIST', content: { 'application/json': { schema: { $ref: '#/components/schemas/MlflowError' } } } },
};

const json = (s: object) => ({ required: true, content: { 'application/json': { schema: s } } });
const ok = (description: string, s: object = { type: 'object' }) => ({ description, content: { 'application/json': { schema: s } } });
const runIdParam = { name: 'runId', in: 'path', required: true, schema: { type: 'string' } };

export function openApiDocument(serverUrl = '/') {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Deepboard API',
      version: '1',
      description:
        'Log runs trained outside Deepboard (PyTorch clusters, notebooks, CI) into the same dashboards, comparisons and fairness reports. Authenticate with a personal API key from Settings → API keys: `Authorization: Bearer dbk_…`. Errors are JSON with a 4xx status and name the field at fault.',
    },
    servers: [{ url: serverUrl }],
    security: [{ apiKey: [] }],
    tags: [
      { name: 'Runs', description: 'External runs (REST API /api/v1)' },
      { name: 'MLflow', description: 'The MLflow tracking API subset (/api/2.0/mlflow): point MLFLOW_TRACKING_URI here and set MLFLOW_TRACKING_TOKEN to an API key' },
    ],
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A Deepboard API key (dbk_…)' } },
      schemas: {
        Error: ErrorBody,
        MlflowError: MlflowErrorBody,
        CreateRun: schema(ZCreateExternalRunInput),
        UpdateRun: schema(ZUpdateExternalRunInput),
        LogBatch: schema(ZLogBatchInput),
        LogBatchResult: schema(ZLogBatchResult),
        UploadPredictions: schema(ZUploadPredictionsInput),
        SearchRuns: schema(ZExternalRunSearchInput),
        MlflowCreateExperiment: schema(ZMlflowCreateExperiment),
        MlflowCreateRun: schema(ZMlflowCreateRun),
        MlflowUpdateRun: schema(ZMlflowUpdateRun),
        MlflowLogMetric: schema(ZMlflowLogMetric),
        MlflowLogParam: schema(ZMlflowLogParam),
        MlflowSetTag: schema(ZMlflowSetTag),
        MlflowLogBatch: schema(ZMlflowLogBatch),
        MlflowSearchRuns: schema(ZMlflowSearchRuns),
      },
    },
    paths: {
      '/api/v1/runs': {
        post: {
          tags: ['Runs'],
          operationId: 'createRun',
          summary: 'Create an external run',
          description: 'No worker trains it: it starts RUNNING with source "external". Params become the run\'s configuration (searchable as params.<key>).',
          requestBody: json({ $ref: '#/components/schemas/CreateRun' }),
          responses: { '201': ok('The run: { id, number, name, projectId, project, status, startedAt }'), ...errors([400, 401, 403, 404]) },
        },
      },
      '/api/v1/runs/{runId}': {
        get: {
          tags: ['Runs'],
          operationId: 'getRun',
          summary: 'A run with its params, tags and metric summaries',
          parameters: [runIdParam],
          responses: { '200': ok('The run'), ...errors([401, 404]) },
        },
        patch: {
          tags: ['Runs'],
          operationId: 'updateRun',
          summary: 'Set status (FINISHED / FAILED / KILLED end the run), name or error',
          parameters: [runIdParam],
          requestBody: json({ $ref: '#/components/schemas/UpdateRun' }),
          responses: { '200': ok('The updated run'), ...errors([400, 401, 403, 404, 409]) },
        },
      },
      '/api/v1/runs/{runId}/log-batch': {
        post: {
          tags: ['Runs'],
          operationId: 'logBatch',
          summary: 'Log metrics, params and tags in one call',
          description:
            'Metrics go through the one metric write path: idempotent per (metric, step), so a re-sent batch changes nothing. Metric names follow the runs table: `val_accuracy` is accuracy on the validation split. Params are write-once.',
          parameters: [runIdParam],
          requestBody: json({ $ref: '#/components/schemas/LogBatch' }),
          responses: { '200': ok('How many of each were logged', { $ref: '#/components/schemas/LogBatchResult' }), ...errors([400, 401, 403, 404, 409, 413]) },
        },
      },
      '/api/v1/runs/{runId}/predictions': {
        post: {
          tags: ['Runs'],
          operationId: 'uploadPredictions',
          summary: 'Upload test-set predictions',
          description:
            'Computes the evaluation (confusion matrix, ROC/PR or regression errors), logs test metrics, and — with sensitive attributes — the fairness report shown on the run page, with the same code worker runs use.',
          parameters: [runIdParam],
          requestBody: json({ $ref: '#/components/schemas/UploadPredictions' }),
          responses: { '200': ok('{ examples, metrics, fairness }'), ...errors([400, 401, 403, 404, 409]) },
        },
      },
      '/api/v1/runs/{runId}/metric-history': {
        get: {
          tags: ['Runs'],
          operationId: 'metricHistory',
          summary: 'Every point of one metric, paged by step',
          parameters: [
            runIdParam,
            { name: 'key', in: 'query', required: true, schema: { type: 'string' } },
            { name: 'context', in: 'query', schema: { enum: ['train', 'validation', 'test', 'system'] } },
            { name: 'afterStep', in: 'query', schema: { type: 'integer', default: -1 } },
            { name: 'limit', in: 'query', schema: { type: 'integer', default: 5000, maximum: 25000 } },
          ],
          responses: { '200': ok('{ key, context, points: [{ step, value, timestamp }], nextAfterStep }'), ...errors([400, 401, 404]) },
        },
      },
      '/api/v1/runs/{runId}/artifacts': {
        get: {
          tags: ['Runs'],
          operationId: 'listArtifacts',
          summary: "The run's uploaded files",
          parameters: [runIdParam],
          responses: { '200': ok('{ artifacts: [{ path, size, uploadedAt }] }'), ...errors([401, 404]) },
        },
      },
      '/api/v1/runs/{runId}/artifacts/{path}': {
        put: {
          tags: ['Runs'],
          operationId: 'uploadArtifact',
          summary: 'Upload a file (the raw body) at PATH',
          parameters: [runIdParam, { name: 'path', in: 'path', required: true, schema: { type: 'string' }, description: 'Relative path; may contain /' }],
          requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } },
          responses: { '200': ok('{ path, size }'), ...errors([400, 401, 403, 404, 409, 413]) },
        },
        get: {
          tags: ['Runs'],
          operationId: 'downloadArtifact',
          summary: 'Download a file',
          parameters: [runIdParam, { name: 'path', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'The file' }, ...errors([400, 401, 404]) },
        },
      },
      '/api/v1/runs/search': {
        post: {
          tags: ['Runs'],
          operationId: 'searchRuns',
          summary: "Search a project's runs (worker and external) with the runs table's query language",
          requestBody: json({ $ref: '#/components/schemas/SearchRuns' }),
          responses: { '200': ok('{ total, page, pageSize, rows }'), ...errors([400, 401, 404]) },
        },
      },
      '/api/v1/openapi.json': { get: { tags: ['Runs'], operationId: 'openapi', summary: 'This document', security: [], responses: { '200': ok('OpenAPI 3.1') } } },
      ...mlflowPaths(),
    },
  };
}

function mlflowPaths() {
  const post = (summary: string, ref: string | null) => ({
    post: { tags: ['MLflow'], summary, ...(ref ? { requestBody: json({ $ref: `#/components/schemas/${ref}` }) } : {}), responses: { '200': ok('As in MLflow'), ...mlflowErrors } },
  });
  const get = (summary: string, params: string[]) => ({
    get: { tags: ['MLflow'], summary, parameters: params.map((name) => ({ name, in: 'query', schema: { type: 'string' } })), responses: { '200': ok('As in MLflow'), ...mlflowErrors } },
  });
  const p = '/api/2.0/mlflow/';
  return {
    [`${p}experiments/create`]: post("Create an experiment (a project of the key's team)", 'MlflowCreateExperiment'),
    [`${p}experiments/get`]: get('Get an experiment ("0" is the team\'s Default project)', ['experiment_id']),
    [`${p}experiments/get-by-name`]: get('Get an experiment by name', ['experiment_name']),
    [`${p}runs/create`]: post('Create a run', 'MlflowCreateRun'),
    [`${p}runs/get`]: get('Get a run: { run: { info, data: { metrics, params, tags } } }', ['run_id']),
    [`${p}runs/update`]: post('Update status, end time or name', 'MlflowUpdateRun'),
    [`${p}runs/log-metric`]: post('Log one metric value', 'MlflowLogMetric'),
    [`${p}runs/log-parameter`]: post('Log a param (write-once)', 'MlflowLogParam'),
    [`${p}runs/set-tag`]: post('Set a tag (mlflow.runName renames the run)', 'MlflowSetTag'),
    [`${p}runs/delete-tag`]: post('Delete a tag', null),
    [`${p}runs/log-batch`]: post('Log up to 1000 metrics, 100 params, 100 tags (1000 items, 1 MB)', 'MlflowLogBatch'),
    [`${p}metrics/get-history`]: get("A metric's history, paged with max_results (≤ 25000) and next_page_token", ['run_id', 'metric_key', 'max_results', 'page_token']),
    [`${p}runs/search`]: post("Search runs with MLflow's filter syntax (AND only), order_by, max_results and page_token", 'MlflowSearchRuns'),
  };
}
