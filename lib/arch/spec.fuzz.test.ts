import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { counter, FUZZ_RUNS, fuzzParams } from '@/tests/helpers/fuzz';
import { arbitraryBuildableSpec } from './arbitrary';
import { checkArchitecture } from './infer';
import { ArchitectureLoadError, loadArchitectureJson, toSummaryJson } from './summary';

/**
 * Fuzzing architecture files (what `deepboard arch summary`, the Keras import and the editor's
 * JSON tab receive): any JSON value is either loaded as a spec — whose shape inference then
 * accepts it or names the layer — or refused with a one-line ArchitectureLoadError.
 * (lib/arch/infer.test.ts fuzzes inference itself with schema-valid specs.)
 */

function loadOrRefuse(json: unknown): void {
  let loaded;
  try {
    loaded = loadArchitectureJson(json);
  } catch (error) {
    expect(error, `unexpected ${(error as Error)?.stack}`).toBeInstanceOf(ArchitectureLoadError);
    expect((error as Error).message).not.toContain('\n');
    return;
  }
  const result = checkArchitecture(loaded.spec);
  if (result.ok) {
    const json = toSummaryJson(result.summary);
    for (const l of json.layers) expect(Number.isFinite(l.params) && l.params >= 0).toBe(true);
  } else {
    expect(result.issue.message).not.toContain('\n');
  }
}

/** Replaces the value at a random path of a JSON tree with another random value. */
function mutate(value: unknown, path: number[], replacement: unknown): unknown {
  if (path.length === 0 || value === null || typeof value !== 'object') return replacement;
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value as object);
  if (entries.length === 0) return replacement;
  const [key] = entries[path[0]! % entries.length]!;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  copy[key] = mutate(copy[key], path.slice(1), replacement);
  return copy;
}

const kerasLayer = fc.record({
  class_name: fc.constantFrom('Dense', 'Conv2D', 'LSTM', 'Flatten', 'Dropout', 'InputLayer', 'Embedding', 'Bidirectional', 'MaxPooling2D', 'Reshape', 'Activation', 'BatchNormalization', 'Weird'),
  config: fc.dictionary(
    fc.constantFrom(
      'units',
      'filters',
      'kernel_size',
      'strides',
      'padding',
      'activation',
      'batch_input_shape',
      'input_shape',
      'rate',
      'target_shape',
      'layer',
      'name',
      'input_dim',
      'output_dim',
      'return_sequences',
      'axis',
    ),
    fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.array(fc.oneof(fc.constant(null), fc.integer({ min: -2, max: 40 })), { maxLength: 4 })),
  ),
});

describe('architecture JSON fuzzing', () => {
  it('loads or refuses any JSON value', () => {
    const cases = counter();
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (json) => {
        cases.tick();
        loadOrRefuse(json);
      }),
      fuzzParams(),
    );
    expect(cases.count).toBeGreaterThanOrEqual(FUZZ_RUNS);
  });

  it('loads or refuses Keras-shaped model JSON with random layers and configs', () => {
    const cases = counter();
    const model = fc.record({
      class_name: fc.constantFrom('Sequential', 'Model', 'Functional'),
      config: fc.record({ name: fc.string({ maxLength: 8 }), layers: fc.array(kerasLayer, { maxLength: 6 }) }),
    });
    fc.assert(
      fc.property(model, fc.boolean(), (m, wrapped) => {
        cases.tick();
        loadOrRefuse(wrapped ? { modelTopology: m, format: 'layers-model' } : m);
      }),
      fuzzParams(),
    );
    expect(cases.count).toBeGreaterThanOrEqual(FUZZ_RUNS);
  });

  it('loads or refuses valid specs with one value replaced by random JSON', () => {
    const cases = counter();
    fc.assert(
      fc.property(arbitraryBuildableSpec(), fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), (spec, path, replacement) => {
        cases.tick();
        loadOrRefuse(mutate(JSON.parse(JSON.stringify(spec)), path, replacement));
      }),
      fuzzParams(),
    );
    expect(cases.count).toBeGreaterThanOrEqual(FUZZ_RUNS);
  });
});
