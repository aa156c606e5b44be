import { describe, expect, it } from 'vitest';
import { ArchitectureLoadError } from './arch/summary';
import { ArchitectureError } from './arch/infer';
import { KerasImportError } from './arch/keras-import';
import { TemplateMismatchError } from './arch/templates';
import { CsvError } from './datasets/csv';
import { DatasetError } from './datasets/errors';
import { TaskError } from './datasets/schema';
import { FairnessInputError } from './fairness/metrics';
import { MetricInputError } from './metrics/evaluation';
import { MlflowFilterError } from './runs/mlflow-filter';
import { QuerySyntaxError } from './runs/query';
import { RunConfigError } from './schemas/runs';
import {
  ConflictError,
  ForbiddenError,
  InvalidInputError,
  isUserError,
  MLFLOW_STATUS,
  NotFoundError,
  runFailureMessage,
  UnavailableError,
  USER_ERROR_MAP,
  UserError,
  type UserErrorKind,
} from './errors';

describe('USER_ERROR_MAP', () => {
  // Each kind → [tRPC / REST code, HTTP status, MLflow error_code, CLI exit code].
  const expected: Record<UserErrorKind, [string, number, string, number]> = {
    invalid: ['BAD_REQUEST', 400, 'INVALID_PARAMETER_VALUE', 2],
    unauthorized: ['UNAUTHORIZED', 401, 'UNAUTHENTICATED', 1],
    forbidden: ['FORBIDDEN', 403, 'PERMISSION_DENIED', 1],
    'not-found': ['NOT_FOUND', 404, 'RESOURCE_DOES_NOT_EXIST', 1],
    conflict: ['CONFLICT', 409, 'RESOURCE_ALREADY_EXISTS', 1],
    'too-many-requests': ['TOO_MANY_REQUESTS', 429, 'REQUEST_LIMIT_EXCEEDED', 1],
    'payload-too-large': ['PAYLOAD_TOO_LARGE', 413, 'INVALID_PARAMETER_VALUE', 2],
    unavailable: ['SERVICE_UNAVAILABLE', 503, 'TEMPORARILY_UNAVAILABLE', 1],
  };

  it.each(Object.entries(expected))('maps %s once for every transport', (kind, [code, http, mlflow, exit]) => {
    expect(USER_ERROR_MAP[kind as UserErrorKind]).toEqual({ code, http, mlflow, exit });
    expect(new UserError(kind as UserErrorKind, 'x').mapping).toBe(USER_ERROR_MAP[kind as UserErrorKind]);
  });

  it('covers every kind, and every MLflow code it uses has a status', () => {
    expect(Object.keys(USER_ERROR_MAP).sort()).toEqual(Object.keys(expected).sort());
    for (const m of Object.values(USER_ERROR_MAP)) expect(MLFLOW_STATUS[m.mlflow]).toBeGreaterThanOrEqual(400);
  });

  it('uses the tRPC codes tRPC knows, with the HTTP status tRPC gives them', async () => {
    const { TRPC_ERROR_CODES_BY_KEY } = await import('@trpc/server/rpc');
    const { getHTTPStatusCodeFromError } = await import('@trpc/server/http');
    const { TRPCError } = await import('@trpc/server');
    for (const m of Object.values(USER_ERROR_MAP)) {
      expect(TRPC_ERROR_CODES_BY_KEY).toHaveProperty(m.code);
      expect(getHTTPStatusCodeFromError(new TRPCError({ code: m.code }))).toBe(m.http);
    }
  });
});

describe('UserError', () => {
  it('has one subclass per main kind, keeping field and cause', () => {
    const cause = new Error('low level');
    const e = new InvalidInputError('bad value', { field: 'lr', cause });
    expect(e).toBeInstanceOf(UserError);
    expect(e).toMatchObject({ kind: 'invalid', field: 'lr', name: 'InvalidInputError', message: 'bad value' });
    expect(e.cause).toBe(cause);
    expect(new NotFoundError('x').kind).toBe('not-found');
    expect(new ForbiddenError('x').kind).toBe('forbidden');
    expect(new ConflictError('x').kind).toBe('conflict');
    expect(new UnavailableError('x').kind).toBe('unavailable');
    expect(isUserError(new NotFoundError('x'), 'not-found')).toBe(true);
    expect(isUserError(new NotFoundError('x'), 'invalid')).toBe(false);
    expect(isUserError(new Error('x'))).toBe(false);
  });

  it.each([
    ['DatasetError', new DatasetError('line 3: 2 fields, expected 3')],
    ['CsvError', new CsvError(3, '2 fields, expected 3')],
    ['TaskError', new TaskError('the label has one value')],
    ['RunConfigError', new RunConfigError('loss does not fit')],
    ['ArchitectureLoadError', new ArchitectureLoadError('bad file')],
    ['KerasImportError', new KerasImportError('layer 2')],
    ['TemplateMismatchError', new TemplateMismatchError('mlp-classifier', 'no label')],
    ['MetricInputError', new MetricInputError('no examples')],
    ['FairnessInputError', new FairnessInputError('one group')],
    ['MlflowFilterError', new MlflowFilterError('unexpected')],
    ['QuerySyntaxError', new QuerySyntaxError(3, 'unknown field')],
    ['ArchitectureError', new ArchitectureError({ message: 'dense needs a flat input' } as never)],
  ])('the domain error %s is invalid input, keeping its name', (name, err) => {
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).kind).toBe('invalid');
    expect(err.name).toBe(name);
  });

  it('a query syntax error names the query field', () => {
    expect(new QuerySyntaxError(0, 'x').field).toBe('query');
  });
});

describe('runFailureMessage', () => {
  it("stores a user error's message as is and a bug with its name, never a stack", () => {
    expect(runFailureMessage(new RunConfigError('the loss does not fit a regression'))).toBe('the loss does not fit a regression');
    expect(runFailureMessage(new TypeError("Cannot read properties of undefined (reading 'x')\n    at foo (a.ts:1:2)"))).toBe("TypeError: Cannot read properties of undefined (reading 'x')");
    expect(runFailureMessage('boom')).toBe('Error: boom');
    expect(runFailureMessage(new Error('x'.repeat(6000)))).toHaveLength(5000);
  });
});
