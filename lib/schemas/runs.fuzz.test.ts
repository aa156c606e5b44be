import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { counter, FUZZ_RUNS, fuzzParams } from '@/tests/helpers/fuzz';
import { learningRateAt, LOSSES, parseRunConfig, PARADIGMS, resolveRunConfig, RunConfigError, type TrainingTarget } from './runs';

/**
 * Fuzzing run hyperparameters (the run form, `runs.create`, the sweep launcher, stored jobs):
 * any input either parses or is refused with a one-line message; a parsed config either resolves
 * against any training target or is refused with a RunConfigError naming the misfit; a resolved
 * config never yields a learning rate that is not finite, negative or above the starting one.
 */

const anyNumber = fc.oneof(fc.double(), fc.integer({ min: -10, max: 100 }), fc.constantFrom(0, 1, 1e-9, 0.5, 0.999, 1e6, 1e308));
const anyValue = fc.oneof(anyNumber, fc.boolean(), fc.string({ maxLength: 6 }), fc.constant(null), fc.jsonValue({ maxDepth: 2 }));
/** Mostly a plausible value, sometimes anything at all. */
const mostly = <T>(plausible: fc.Arbitrary<T>) => fc.oneof({ weight: 29, arbitrary: plausible }, { weight: 1, arbitrary: anyValue });
const positive = fc.oneof(fc.double({ min: 1e-6, max: 10, noNaN: true }), fc.constantFrom(1e-3, 0.1, 0.5, 0.9, 2));

/** Objects with the config's real keys and values that are often, but not always, valid. */
const configish = fc
  .record(
    {
      paradigm: mostly(fc.constantFrom(...PARADIGMS)),
      optimizer: mostly(
        fc.oneof(
          fc.constant({ name: 'sgd' }),
          fc.record({ name: fc.constant('momentum'), momentum: mostly(fc.double({ min: 0, max: 0.99, noNaN: true })), nesterov: fc.boolean() }, { requiredKeys: ['name'] }),
          fc.record(
            { name: fc.constantFrom('adam', 'adamax'), beta1: mostly(fc.double({ min: 0.01, max: 0.99, noNaN: true })), epsilon: mostly(fc.constantFrom(1e-7, 1e-3)) },
            { requiredKeys: ['name'] },
          ),
          fc.record({ name: fc.constant('rmsprop'), decay: mostly(fc.constantFrom(0.9, 0.5)), centered: fc.boolean() }, { requiredKeys: ['name'] }),
          fc.constantFrom({ name: 'adagrad' }, { name: 'adadelta' }, { name: 'lion' }),
        ),
      ),
      learningRate: mostly(positive),
      lrSchedule: mostly(
        fc.oneof(
          fc.constant({ type: 'constant' }),
          fc.record({ type: fc.constant('step'), every: mostly(fc.integer({ min: 1, max: 10 })), factor: mostly(positive) }, { requiredKeys: ['type', 'every'] }),
          fc.record({ type: fc.constant('exponential'), rate: mostly(positive) }),
          fc.record({ type: fc.constant('cosine'), minLearningRate: mostly(positive) }, { requiredKeys: ['type'] }),
        ),
      ),
      batchSize: mostly(fc.integer({ min: 1, max: 512 })),
      epochs: mostly(fc.integer({ min: 1, max: 50 })),
      loss: mostly(fc.constantFrom(...LOSSES)),
      metrics: mostly(fc.array(fc.constantFrom('accuracy', 'mae', 'mse', 'mae'), { maxLength: 3 })),
      earlyStopping: mostly(
        fc.record(
          {
            monitor: fc.constantFrom('val_loss', 'loss', 'val_accuracy', 'Bad Name'),
            patience: mostly(fc.integer({ min: 0, max: 5 })),
            minDelta: mostly(fc.constantFrom(0, 0.01)),
            mode: fc.constantFrom('auto', 'min', 'max'),
          },
          { requiredKeys: [] },
        ),
      ),
      classWeights: mostly(fc.oneof(fc.constant('balanced'), fc.dictionary(fc.constantFrom('0', '1', '2', '7', '01', 'x'), mostly(positive)))),
      sampleWeights: mostly(fc.boolean()),
      useValidationSplit: mostly(fc.boolean()),
      seed: mostly(fc.integer({ min: 0, max: 1000 })),
      checkpoint: mostly(fc.record({ everyEpochs: mostly(fc.integer({ min: 0, max: 3 })), keepBest: fc.boolean(), monitor: fc.constantFrom('val_loss', 'loss') }, { requiredKeys: [] })),
      batchMetricThrottleMs: mostly(fc.integer({ min: 0, max: 5000 })),
      gan: mostly(fc.record({ discriminatorSteps: mostly(fc.integer({ min: 1, max: 3 })), labelSmoothing: mostly(fc.constantFrom(0, 0.1)) }, { requiredKeys: [] })),
      rl: mostly(
        fc.record(
          { episodes: mostly(fc.integer({ min: 1, max: 50 })), gamma: mostly(fc.constantFrom(0.9, 0.99)), algorithm: fc.constantFrom('reinforce', 'actor-critic', 'ppo') },
          { requiredKeys: [] },
        ),
      ),
      autoencoder: mostly(fc.record({ sampleCount: mostly(fc.integer({ min: 0, max: 8 })) }, { requiredKeys: [] })),
    },
    { requiredKeys: ['paradigm'] },
  )
  // Settings of another paradigm are mostly left out (they are refused, rightly).
  .chain((c) =>
    fc.nat(9).map((n) => {
      const out: Record<string, unknown> = { ...c };
      const own = { gan: 'gan', rl: 'reinforcement', autoencoder: 'autoencoder' } as const;
      for (const [key, paradigm] of Object.entries(own)) if (n > 0 && out.paradigm !== paradigm) delete out[key];
      if (n > 0 && out.paradigm !== 'supervised') delete out.classWeights;
      // A loss or metric list of the wrong kind is refused (rightly); the defaults are the common case.
      if (n > 2) delete out.loss;
      if (n > 4) delete out.metrics;
      return out;
    }),
  )
  .chain((c) => fc.oneof({ weight: 9, arbitrary: fc.constant(c) }, { weight: 1, arbitrary: anyValue.map((v) => ({ ...c, surprise: v })) }));

const target: fc.Arbitrary<TrainingTarget> = fc.record(
  {
    task: fc.constantFrom('binary', 'multiclass', 'regression'),
    numClasses: fc.integer({ min: 2, max: 100 }),
    hasValidation: fc.boolean(),
    hasSampleWeights: fc.boolean(),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<TrainingTarget>;

describe('run hyperparameter fuzzing', () => {
  it('parses or refuses any JSON with a one-line message', () => {
    const cases = counter();
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (json) => {
        cases.tick();
        const r = parseRunConfig(json);
        if (!r.ok) expect(r.message).toMatch(/^[^\n]+$/);
      }),
      fuzzParams(),
    );
    expect(cases.count).toBeGreaterThanOrEqual(FUZZ_RUNS);
  });

  it('resolves or refuses config-like input against any target; learning rates stay sane', () => {
    const cases = counter();
    let resolved = 0;
    fc.assert(
      fc.property(configish, target, (input, t) => {
        cases.tick();
        const parsed = parseRunConfig(input);
        if (!parsed.ok) {
          expect(parsed.message).toMatch(/^[^\n]+$/);
          return;
        }
        let config;
        try {
          config = resolveRunConfig(parsed.config, t);
        } catch (error) {
          expect(error, `unexpected ${(error as Error)?.stack}`).toBeInstanceOf(RunConfigError);
          expect((error as Error).message).toMatch(/^[^\n]+$/);
          return;
        }
        resolved++;
        expect(config.learningRate).toBeGreaterThan(0);
        for (const epoch of [0, 1, Math.floor(config.epochs / 2), config.epochs - 1, config.epochs]) {
          const lr = learningRateAt(config, epoch);
          expect(Number.isFinite(lr), `lr at epoch ${epoch}`).toBe(true);
          expect(lr).toBeGreaterThanOrEqual(0);
          expect(lr).toBeLessThanOrEqual(config.learningRate * (1 + 1e-12));
        }
      }),
      fuzzParams(),
    );
    expect(cases.count).toBeGreaterThanOrEqual(FUZZ_RUNS);
    // Most random configs are refused (rightly); enough resolve to exercise the learning-rate checks.
    expect(resolved).toBeGreaterThan(cases.count / 50);
  });
});
