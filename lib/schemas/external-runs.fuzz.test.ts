import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLogBatchInput, ZLogBatchInput } from './external-runs';

/** Either both refuse with the same message, or both give the same batch. */
function outcome(fn: () => unknown): { ok: unknown } | { error: string } {
  try {
    return { ok: fn() };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

const good = fc.record(
  {
    key: fc.constantFrom('loss', 'val_accuracy', 'batch/loss', 'lr scale', 'a.b-c'),
    value: fc.double({ noNaN: true, noDefaultInfinity: true }),
    step: fc.integer({ min: 0, max: 2_147_483_647 }),
    timestamp: fc.integer({ min: 0, max: 4_000_000_000_000 }),
    context: fc.constantFrom('train', 'validation', 'test', 'system'),
  },
  { requiredKeys: ['key', 'value'] },
);
// What a client may get wrong (or write another valid way the fast path leaves to the schema).
const odd = fc.oneof(
  fc.constant(null),
  fc.constant([1]),
  fc.record({ key: fc.constantFrom('', 'bad!key', 'x'.repeat(251), 7 as unknown as string), value: fc.constant(1) }),
  fc.record({ key: fc.constant('loss'), value: fc.constantFrom('NaN', 'Infinity', '-Infinity', '1', null, Number.NaN) }),
  fc.record({ key: fc.constant('loss'), value: fc.constant(1), step: fc.constantFrom(-1, 1.5, 2_147_483_648, '3', null) }),
  fc.record({ key: fc.constant('loss'), value: fc.constant(1), timestamp: fc.constantFrom(-5, 1.5, '2026-01-02T03:04:05Z', 'yesterday') }),
  fc.record({ key: fc.constant('loss'), value: fc.constant(1), context: fc.constantFrom('Train', 'val', 3) }),
  fc.record({ key: fc.constant('loss'), value: fc.constant(1), extra: fc.string() }),
);
const batch = fc.oneof(
  fc.record({ metrics: fc.array(good, { minLength: 100, maxLength: 300 }) }),
  fc.record({ metrics: fc.tuple(fc.array(good, { minLength: 100, maxLength: 200 }), odd, fc.nat(199)).map(([ms, o, at]) => [...ms.slice(0, at), o, ...ms.slice(at)]) }),
  fc.record({ metrics: fc.array(good, { maxLength: 120 }), params: fc.constant([{ key: 'lr', value: 0.1 }]) }),
  fc.record({ metrics: fc.array(good, { minLength: 100, maxLength: 120 }), tags: fc.constant([{ key: 't' }]) }),
  fc.constantFrom(null, [], 'metrics', {}, { metrics: 'x' }),
);

describe('parseLogBatchInput', () => {
  it('gives exactly what ZLogBatchInput.parse gives, or refuses with its message (seeded, 1 000 cases)', () => {
    fc.assert(
      fc.property(batch, (input) => {
        expect(outcome(() => parseLogBatchInput(input))).toStrictEqual(outcome(() => ZLogBatchInput.parse(input)));
      }),
      { seed: 20261127, numRuns: 1000 },
    );
  });
});
