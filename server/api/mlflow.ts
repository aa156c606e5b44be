import { ZodError } from 'zod';
import { formatZodError } from '@/lib/schemas/format';
import { MLFLOW_LIMITS } from '@/lib/schemas/mlflow';
import { INTERNAL_MESSAGE, MLFLOW_STATUS, UserError } from '@/lib/errors';
import * as mlflow from '../services/mlflow';
import { MlflowError, type MlflowErrorCode, type MlflowPrincipal } from '../services/mlflow';
import { bearerToken, jsonBody, jsonResponse } from './rest';
import { authenticateApiKey } from '../services/api-keys';

/**
 * HTTP layer of the MLflow-compatible endpoints: MLflow's methods and paths, its JSON and its
 * error bodies `{ error_code, message }`. Authentication is an API key as a bearer token (what
 * MLflow clients send for MLFLOW_TRACKING_TOKEN); the key's team is the tracking server.
 */

type Handler = (p: MlflowPrincipal, input: unknown) => Promise<unknown>;

const ENDPOINTS: Record<string, { method: 'GET' | 'POST'; handler: Handler }> = {
  'experiments/create': { method: 'POST', handler: mlflow.createExperiment },
  'experiments/get': { method: 'GET', handler: mlflow.getExperiment },
  'experiments/get-by-name': { method: 'GET', handler: mlflow.getExperimentByName },
  'runs/create': { method: 'POST', handler: mlflow.createRun },
  'runs/get': { method: 'GET', handler: mlflow.getRun },
  'runs/update': { method: 'POST', handler: mlflow.updateRun },
  'runs/log-metric': { method: 'POST', handler: mlflow.logMetric },
  'runs/log-parameter': { method: 'POST', handler: mlflow.logParameter },
  'runs/set-tag': { method: 'POST', handler: mlflow.setTag },
  'runs/delete-tag': { method: 'POST', handler: mlflow.deleteRunTag },
  'runs/log-batch': { method: 'POST', handler: mlflow.logBatchMlflow },
  'runs/search': { method: 'POST', handler: mlflow.searchRuns },
  'metrics/get-history': { method: 'GET', handler: mlflow.getMetricHistory },
};
export const MLFLOW_ENDPOINTS = Object.keys(ENDPOINTS);

function mlflowError(code: MlflowErrorCode, message: string, status = MLFLOW_STATUS[code]): Response {
  return Response.json({ error_code: code, message }, { status });
}

function toMlflowError(err: unknown): Response {
  // An MlflowError names its exact code; any other user error maps by its kind.
  if (err instanceof UserError) return mlflowError(err instanceof MlflowError ? err.errorCode : err.mapping.mlflow, err.message);
  if (err instanceof ZodError) return mlflowError('INVALID_PARAMETER_VALUE', formatZodError(err));
  console.error('[mlflow]', err);
  return mlflowError('INTERNAL_ERROR', INTERNAL_MESSAGE);
}

/** Query parameters as MLflow sends them: repeated keys become arrays. */
function queryObject(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    out[key] = all.length > 1 ? all : all[0]!;
  }
  return out;
}

async function handle(req: Request, params: Promise<{ endpoint: string[] }>): Promise<Response> {
  try {
    const name = (await params).endpoint.join('/');
    const endpoint = ENDPOINTS[name];
    if (!endpoint) return mlflowError('ENDPOINT_NOT_FOUND', `Deepboard does not implement the MLflow endpoint '${name}'; supported: ${MLFLOW_ENDPOINTS.join(', ')}`);
    if (req.method !== endpoint.method) return mlflowError('ENDPOINT_NOT_FOUND', `${name} takes ${endpoint.method}, not ${req.method}`, 405);
    const token = bearerToken(req);
    if (!token) return mlflowError('UNAUTHENTICATED', 'Set MLFLOW_TRACKING_TOKEN to a Deepboard API key (sent as "Authorization: Bearer <key>")');
    const key = await authenticateApiKey(token);
    if (!key) return mlflowError('UNAUTHENTICATED', 'The API key is invalid, revoked or expired');
    const input = endpoint.method === 'GET' ? queryObject(new URL(req.url)) : await jsonBody(req, name === 'runs/log-batch' ? MLFLOW_LIMITS.bytes : 8 * 1024 * 1024);
    return jsonResponse(await endpoint.handler({ teamId: key.teamId, userId: key.userId, role: key.role }, input));
  } catch (err) {
    return toMlflowError(err);
  }
}

export const mlflowGET = (req: Request, ctx: { params: Promise<{ endpoint: string[] }> }) => handle(req, ctx.params);
export const mlflowPOST = mlflowGET;
