import { describe, expect, it } from 'vitest';
import { runFailureMessage, UserError } from '@/lib/errors';
import { DataLoadError } from './data/load';
import { BackendUnavailableError } from './training/autotune';
import { DivergenceError, TrainingDataError } from './training/hooks';

describe("the worker's expected failures are user errors", () => {
  it.each([
    ['DivergenceError', new DivergenceError(3, 12, Number.NaN), 'invalid'],
    ['TrainingDataError', new TrainingDataError('labels must be class ids'), 'invalid'],
    ['DataLoadError', new DataLoadError('dataset version v1 no longer exists'), 'invalid'],
    ['BackendUnavailableError', new BackendUnavailableError('the wasm backend did not load'), 'unavailable'],
  ])('%s', (name, err, kind) => {
    expect(err).toBeInstanceOf(UserError);
    expect(err.name).toBe(name);
    expect((err as UserError).kind).toBe(kind);
    // Stored on the failed run as written, without the class name or a stack.
    expect(runFailureMessage(err)).toBe(err.message);
  });
});
