import { describe, expect, it } from 'vitest';
import { checkRunConfig, defaultLoss, learningRateAt, monitorDirection, parseRunConfig, resolveRunConfig, RunConfigError, ZRunConfig } from './runs';

describe('ZRunConfig', () => {
  it('fills every default from the paradigm alone', () => {
    const config = ZRunConfig.parse({ paradigm: 'supervised' });
    expect(config).toMatchObject({
      optimizer: { name: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
      lrSchedule: { type: 'constant' },
      batchSize: 32,
      epochs: 10,
      sampleWeights: false,
      useValidationSplit: true,
      seed: 42,
      checkpoint: { everyEpochs: 1, keepBest: true, monitor: 'val_loss', mode: 'auto' },
      batchMetricThrottleMs: 1000,
    });
    expect(config.loss).toBeUndefined();
    expect(ZRunConfig.parse({ paradigm: 'supervised', optimizer: { name: 'rmsprop' } }).optimizer).toEqual({
      name: 'rmsprop',
      decay: 0.9,
      momentum: 0,
      epsilon: 1e-7,
      centered: false,
    });
  });

  it('names the field of each problem', () => {
    expect(parseRunConfig({ paradigm: 'supervised', batchSize: 0 })).toEqual({
      ok: false,
      message: 'batchSize: Too small: expected number to be >=1',
    });
    expect(parseRunConfig({ paradigm: 'gan', loss: 'meanSquaredError' })).toMatchObject({
      ok: false,
      message: 'loss: meanSquaredError does not fit gan training; use binaryCrossentropy',
    });
    expect(parseRunConfig({ paradigm: 'supervised', rl: {} })).toMatchObject({ ok: false, message: 'rl: reinforcement-learning settings only apply to reinforcement runs' });
    expect(parseRunConfig({ paradigm: 'autoencoder', classWeights: 'balanced' })).toMatchObject({ ok: false, message: 'classWeights: class weights only apply to supervised classification' });
    expect(parseRunConfig({ paradigm: 'supervised', classWeights: { a: 1 } })).toMatchObject({ ok: false, message: expect.stringContaining('map from class index') });
    expect(parseRunConfig({ paradigm: 'supervised', optimizer: { name: 'sgd', momentum: 0.9 } })).toMatchObject({ ok: false, message: expect.stringContaining('optimizer') });
    expect(parseRunConfig({ paradigm: 'supervised', learningRate: 0.01, lrSchedule: { type: 'cosine', minLearningRate: 0.1 } })).toMatchObject({
      ok: false,
      message: 'lrSchedule.minLearningRate: the cosine schedule must end below the starting learning rate',
    });
    expect(parseRunConfig({ paradigm: 'reinforcement', earlyStopping: {} })).toMatchObject({ ok: false, message: 'earlyStopping: early stopping is not offered for reinforcement runs' });
  });
});

describe('resolveRunConfig', () => {
  const supervised = (input: Record<string, unknown> = {}) => ZRunConfig.parse({ paradigm: 'supervised', ...input });

  it('picks the loss, metrics and learning rate that fit the task and paradigm', () => {
    expect(resolveRunConfig(supervised(), { task: 'binary' })).toMatchObject({ loss: 'binaryCrossentropy', metrics: ['accuracy'], learningRate: 1e-3, numClasses: 2 });
    expect(resolveRunConfig(supervised(), { task: 'multiclass', numClasses: 5 })).toMatchObject({ loss: 'sparseCategoricalCrossentropy', numClasses: 5 });
    expect(resolveRunConfig(supervised(), { task: 'regression' })).toMatchObject({ loss: 'meanSquaredError', metrics: ['mae'] });
    expect(resolveRunConfig(ZRunConfig.parse({ paradigm: 'gan' }))).toMatchObject({ loss: 'binaryCrossentropy', learningRate: 2e-4, metrics: [] });
    expect(resolveRunConfig(ZRunConfig.parse({ paradigm: 'reinforcement' }))).toMatchObject({
      loss: null,
      rl: { algorithm: 'reinforce', episodes: 1000, gamma: 0.99, maxSteps: 500, solveThreshold: 195, solveWindow: 100 },
    });
    expect(defaultLoss('autoencoder')).toBe('meanSquaredError');
  });

  it('refuses a loss that does not fit the task, with the losses that do', () => {
    expect(() => resolveRunConfig(supervised({ loss: 'meanSquaredError' }), { task: 'multiclass', numClasses: 3 })).toThrow(
      new RunConfigError('loss meanSquaredError does not fit a multiclass task; use categoricalCrossentropy or sparseCategoricalCrossentropy'),
    );
    expect(checkRunConfig(supervised({ loss: 'binaryCrossentropy' }), { task: 'regression' })).toEqual([
      'loss binaryCrossentropy does not fit a regression task; use meanSquaredError or meanAbsoluteError or huber or logCosh',
    ]);
  });

  it('checks class weights, sample weights and the validation monitor against the data', () => {
    expect(checkRunConfig(supervised({ classWeights: { '0': 1, '3': 2 } }), { task: 'binary' })).toEqual(['class weights name class 3, but the task has 2 classes (0 to 1)']);
    expect(checkRunConfig(supervised({ classWeights: 'balanced', metrics: ['accuracy'] }), { task: 'regression' })).toHaveLength(2);
    expect(checkRunConfig(supervised({ sampleWeights: true }), { task: 'binary', hasSampleWeights: false })).toEqual(['sample weights are switched on, but the dataset has no sample weights']);
    expect(checkRunConfig(supervised({ earlyStopping: {} }), { task: 'binary', hasValidation: false })).toEqual(['early stopping monitors val_loss, but the dataset has no validation split']);
    expect(checkRunConfig(supervised({ earlyStopping: { monitor: 'loss' }, useValidationSplit: false }), { task: 'binary' })).toEqual([]);
    expect(checkRunConfig(supervised(), {})).toEqual(['supervised training needs a dataset with a label column (a task)']);
  });
});

describe('learning-rate schedules', () => {
  const at = (lrSchedule: Record<string, unknown>, epochsDone: number, epochs = 10) =>
    learningRateAt({ learningRate: 0.1, epochs, lrSchedule: ZRunConfig.parse({ paradigm: 'supervised', lrSchedule }).lrSchedule }, epochsDone);

  it('computes each schedule per epoch', () => {
    expect([0, 1, 2, 3, 4].map((e) => at({ type: 'constant' }, e))).toEqual([0.1, 0.1, 0.1, 0.1, 0.1]);
    expect([0, 1, 2, 3, 4].map((e) => at({ type: 'step', every: 2, factor: 0.5 }, e))).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);
    expect(at({ type: 'exponential', rate: 0.9 }, 3)).toBeCloseTo(0.1 * 0.9 ** 3, 15);
    expect(at({ type: 'cosine', minLearningRate: 0.01 }, 0, 5)).toBeCloseTo(0.1, 15);
    expect(at({ type: 'cosine', minLearningRate: 0.01 }, 2, 5)).toBeCloseTo(0.055, 15);
    expect(at({ type: 'cosine', minLearningRate: 0.01 }, 4, 5)).toBeCloseTo(0.01, 15);
  });

  it('maximises accuracy-like monitors and minimises losses in auto mode', () => {
    expect(monitorDirection('val_accuracy', 'auto')).toBe('max');
    expect(monitorDirection('mean_return', 'auto')).toBe('max');
    expect(monitorDirection('val_loss', 'auto')).toBe('min');
    expect(monitorDirection('val_loss', 'max')).toBe('max');
  });
});
