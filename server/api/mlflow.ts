import { ZodError } from 'zod';
import { formatZodError } from '@/lib/schemas/format';
import { MLFLOW_LIMITS } from '@/lib/schemas/mlflow';
import { DomainError } from '../services/errors';
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

const STATUS: Record<MlflowErrorCode, number> = {
  RESOURCE_DOES_NOT_EXIST: 404,
  RESOURCE_ALREADY_EXISTS: 400,
  INVALID_PARAMETER_VALUE: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  ENDPOINT_NOT_FOUND: 404,
  INTERNAL_ERROR: 500,
};

function mlflowError(code: MlflowErrorCode, message: string, status = STATUS[code]): Response {
  return Response.json({ error_code: code, message }, { status });
}

function toMlflowError(err: unknown): Response {
  if (err instanceof MlflowError) return mlflowError(err.errorCode, err.message);
  if (err instanceof ZodError) return mlflowError('INVALID_PARAMETER_VALUE', formatZodError(err));
  if (err instanceof DomainError) {
    switch (err.code) {
      case 'NOT_FOUND':
        return mlflowError('RESOURCE_DOES_NOT_EXIST', err.message);
      case 'UNAUTHORIZED':
        return mlflowError('UNAUTHENTICATED', err.message);
      case 'FORBIDDEN':
        return mlflowError('PERMISSION_DENIED', err.message);
      default:
        return mlflowError('INVALID_PARAMETER_VALUE', err.message);
    }
  }
  console.error('[mlflow]', err);
  return mlflowError('INTERNAL_ERROR', 'Something went wrong on the server; it has been logged.');
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
