import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedRunConfig } from '@/lib/schemas/runs';
import { buildModel } from '../model/build';
import { batchIndices, epochOrder } from './batches';
import { blobs, linear, mlpSpec, runConfig, threeClasses } from './fixtures';
import { DivergenceError, TrainingDataError, type BatchEndEvent, type CheckpointEvent, type EpochEndEvent } from './hooks';
import { trainSupervised, type SupervisedData } from './supervised';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const binaryTarget = { task: 'binary', hasValidation: true } as const;

async function train(
  data: SupervisedData,
  config: ResolvedRunConfig,
  outputs: { units: number; activation: 'sigmoid' | 'softmax' | 'linear' },
  hooks: Parameters<typeof trainSupervised>[0]['hooks'] = {},
) {
  const model = await buildModel(mlpSpec(data.x.shape[1]!, outputs.units, outputs.activation), undefined, { seed: config.seed });
  const result = await trainSupervised({ model, data, config, hooks });
  return result;
}

describe('trainSupervised', () => {
  it('learns a binary task: loss falls, accuracy and validation values are logged every epoch', async () => {
    const train_ = blobs(256, 3, 1);
    const val = blobs(64, 3, 2);
    const config = runConfig({ epochs: 4, batchSize: 32, learningRate: 0.05 }, binaryTarget);
    const epochs: EpochEndEvent[] = [];
    const batches: BatchEndEvent[] = [];
    const result = await train(
      { x: train_.x, y: train_.y, validation: { x: val.x, y: val.y } },
      config,
      { units: 1, activation: 'sigmoid' },
      {
        onEpochEnd: (e) => void epochs.push(e),
        onBatchEnd: (e) => void batches.push(e),
      },
    );
    expect(result.stopReason).toBe('completed');
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(Object.keys(epochs[0]!.logs).sort()).toEqual(['accuracy', 'learning_rate', 'loss', 'val_accuracy', 'val_loss']);
    const losses = result.history.logs.loss!;
    expect(losses[3]).toBeLessThan(losses[0]! * 0.8);
    expect(result.finalLogs.val_accuracy).toBeGreaterThan(0.85);
    // 8 batches per epoch, throttle 0: every batch is reported, steps run on across epochs.
    expect(batches.map((b) => b.step)).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
    expect(batches[8]).toMatchObject({ epoch: 2, batch: 0, step: 9 });
    result.model.dispose();
  });

  it('learns multiclass tasks from class indices (sparse) and from one-hot labels', async () => {
    const data = threeClasses(300, 3);
    for (const loss of ['sparseCategoricalCrossentropy', 'categoricalCrossentropy'] as const) {
      const config = runConfig({ epochs: 3, batchSize: 25, learningRate: 0.05, loss }, { task: 'multiclass', numClasses: 3 });
      const y = loss === 'categoricalCrossentropy' ? tf.oneHot(data.y.cast('int32'), 3) : data.y;
      const result = await train({ x: data.x, y }, config, { units: 3, activation: 'softmax' });
      const losses = result.history.logs.loss!;
      expect(losses[2], loss).toBeLessThan(losses[0]! * 0.8);
      expect(result.finalLogs.accuracy, loss).toBeGreaterThan(0.8);
      result.model.dispose();
    }
  });

  it('learns a regression task with each regression loss', async () => {
    const data = linear(200, 4);
    for (const loss of ['meanSquaredError', 'meanAbsoluteError', 'huber', 'logCosh'] as const) {
      const config = runConfig({ epochs: 3, batchSize: 20, learningRate: 0.05, loss }, { task: 'regression' });
      const result = await train(data, config, { units: 1, activation: 'linear' });
      const losses = result.history.logs.loss!;
      expect(losses[2], loss).toBeLessThan(losses[0]! * 0.7);
      expect(result.history.logs.mae, loss).toHaveLength(3);
      result.model.dispose();
    }
  });

  it('stops within one batch of a stop request', async () => {
    const data = blobs(320, 3, 5);
    const config = runConfig({ epochs: 5, batchSize: 16 }, binaryTarget);
    let batchesRun = 0;
    let requestedAt: number | null = null;
    const result = await train(
      { x: data.x, y: data.y },
      config,
      { units: 1, activation: 'sigmoid' },
      {
        onBatchEnd: () => void batchesRun++,
        shouldStop: async () => {
          if (batchesRun === 27 && requestedAt === null) requestedAt = batchesRun;
          return requestedAt !== null;
        },
      },
    );
    expect(result.stopReason).toBe('cancelled');
    expect(batchesRun - requestedAt!).toBeLessThanOrEqual(1);
    // 20 batches per epoch: epoch 1 completed, epoch 2 was cut short and not reported.
    expect(result.history.epoch).toEqual([1]);
    result.model.dispose();
  });

  it('throws a DivergenceError naming epoch and step when the learning rate explodes', async () => {
    const data = linear(64, 6);
    const config = runConfig({ epochs: 3, batchSize: 16, learningRate: 1e30, optimizer: { name: 'sgd' } }, { task: 'regression' });
    const error = await train(data, config, { units: 1, activation: 'linear' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DivergenceError);
    expect((error as DivergenceError).message).toMatch(/^loss became (NaN|Infinity) at epoch 1, step [1-4]\b/);
  });

  it('names the step of the first batch that contains a NaN input', async () => {
    const data = linear(64, 7);
    const x = data.x.arraySync();
    x[37]![1] = Number.NaN;
    const config = runConfig({ epochs: 2, batchSize: 8 }, { task: 'regression' });
    const order = epochOrder(64, config.seed, 1);
    const batch = [0, 1, 2, 3, 4, 5, 6, 7].find((b) => batchIndices(order, 8, b).includes(37))!;
    const error = await train({ x: tf.tensor2d(x), y: data.y }, config, { units: 1, activation: 'linear' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DivergenceError);
    expect((error as Error).message).toContain(`loss became NaN at epoch 1, step ${batch + 1}`);
  });

  it('is bit-for-bit reproducible for a seed on the cpu backend, and differs for another seed', async () => {
    const data = blobs(128, 4, 8);
    const run = async (seed: number) => {
      const batchLosses: number[] = [];
      const config = runConfig({ epochs: 3, batchSize: 16, seed }, binaryTarget);
      const result = await train(
        { x: data.x, y: data.y },
        config,
        { units: 1, activation: 'sigmoid' },
        {
          onBatchEnd: (e) => void batchLosses.push(e.logs.loss!),
        },
      );
      const weights = result.model.getWeights().map((w) => Array.from(w.dataSync()));
      result.model.dispose();
      return { batchLosses, epochLosses: result.history.logs.loss, weights };
    };
    const a = await run(11);
    const b = await run(11);
    const c = await run(12);
    expect(b).toEqual(a);
    expect(a.batchLosses).toHaveLength(24);
    expect(c.batchLosses).not.toEqual(a.batchLosses);
  });

  it('weighs examples: sample weights scale the loss, balanced class weights follow n / (k · count)', async () => {
    const data = blobs(96, 2, 9, 0.25);
    const firstLoss = async (config: ResolvedRunConfig, sampleWeights?: tf.Tensor) => {
      let loss = Number.NaN;
      const result = await train(
        { x: data.x, y: data.y, sampleWeights },
        config,
        { units: 1, activation: 'sigmoid' },
        {
          onBatchEnd: (e) => {
            if (e.step === 1) loss = e.logs.loss!;
          },
        },
      );
      result.model.dispose();
      return loss;
    };
    const plain = await firstLoss(runConfig({ epochs: 1, batchSize: 96 }, binaryTarget));
    const doubled = await firstLoss(runConfig({ epochs: 1, batchSize: 96, sampleWeights: true }, binaryTarget), tf.fill([96], 2));
    expect(doubled).toBeCloseTo(2 * plain, 5);

    const lines: string[] = [];
    const positives = data.labels.filter((l) => l === 1).length;
    const config = runConfig({ epochs: 1, classWeights: 'balanced' }, binaryTarget);
    const result = await train({ x: data.x, y: data.y }, config, { units: 1, activation: 'sigmoid' }, { log: (l) => void lines.push(l) });
    result.model.dispose();
    const expected = [96 / (2 * (96 - positives)), 96 / (2 * positives)];
    expect(lines).toContain(`class weights: 0: ${expected[0]!.toFixed(3)}, 1: ${expected[1]!.toFixed(3)}`);
  });

  it('refuses missing sample weights and labels that do not fit the task', async () => {
    const data = blobs(32, 2, 10);
    await expect(train({ x: data.x, y: data.y }, runConfig({ sampleWeights: true }, binaryTarget), { units: 1, activation: 'sigmoid' })).rejects.toThrow('the data has none');
    const y = tf.tensor1d(Array.from({ length: 32 }, (_, i) => (i === 5 ? 2 : 0)));
    await expect(train({ x: data.x, y }, runConfig({}, binaryTarget), { units: 1, activation: 'sigmoid' })).rejects.toThrow(new TrainingDataError('binary the labels must be 0 or 1; row 6 has 2'));
    await expect(train({ x: data.x, y: data.y }, runConfig({}, binaryTarget), { units: 2, activation: 'softmax' })).rejects.toThrow(
      'a binary task needs a model with one sigmoid output unit; this model has 2 outputs',
    );
  });

  it('stops early when the monitored value stops improving, restoring the best weights', async () => {
    const data = blobs(64, 2, 12);
    const val = blobs(32, 2, 13);
    const config = runConfig({ epochs: 10, batchSize: 64, learningRate: 1e-6, earlyStopping: { monitor: 'val_loss', minDelta: 1, patience: 2, restoreBestWeights: true } }, binaryTarget);
    const lines: string[] = [];
    const result = await train(
      { x: data.x, y: data.y, validation: { x: val.x, y: val.y } },
      config,
      { units: 1, activation: 'sigmoid' },
      {
        log: (l) => void lines.push(l),
      },
    );
    expect(result.stopReason).toBe('early-stopping');
    expect(result.history.epoch).toEqual([1, 2, 3]);
    expect(lines.join('\n')).toContain('restored the weights of epoch 1');
    result.model.dispose();
  });

  it('follows the learning-rate schedule and reports best and periodic checkpoints', async () => {
    const data = blobs(64, 2, 14);
    const val = blobs(32, 2, 15);
    const config = runConfig(
      {
        epochs: 4,
        batchSize: 32,
        learningRate: 0.1,
        lrSchedule: { type: 'step', every: 2, factor: 0.5 },
        checkpoint: { everyEpochs: 2, keepBest: true, monitor: 'val_accuracy' },
      },
      binaryTarget,
    );
    const checkpoints: Omit<CheckpointEvent, 'models'>[] = [];
    const result = await train(
      { x: data.x, y: data.y, validation: { x: val.x, y: val.y } },
      config,
      { units: 1, activation: 'sigmoid' },
      {
        onCheckpoint: ({ models, ...rest }) => {
          expect(models.model).toBeDefined();
          checkpoints.push(rest);
        },
      },
    );
    expect(result.history.logs.learning_rate).toEqual([0.1, 0.1, 0.05, 0.05]);
    expect(checkpoints.filter((c) => c.kind === 'epoch').map((c) => c.epoch)).toEqual([2, 4]);
    const best = checkpoints.filter((c) => c.kind === 'best');
    expect(best[0]!.epoch).toBe(1);
    // Each best checkpoint has a higher val_accuracy than the one before.
    for (let i = 1; i < best.length; i++) expect(best[i]!.value!).toBeGreaterThan(best[i - 1]!.value!);
    expect(checkpoints.at(-1)!.state).toMatchObject({ epoch: 4, step: 8 });
    result.model.dispose();
  });

  it('leaves no tensors behind but the model', async () => {
    const data = blobs(64, 2, 16);
    const val = blobs(16, 2, 17);
    const before = tf.memory().numTensors;
    const config = runConfig({ epochs: 2, batchSize: 16, earlyStopping: { patience: 5, restoreBestWeights: true } }, binaryTarget);
    const model = await buildModel(mlpSpec(2, 1, 'sigmoid'), undefined, { seed: 1 });
    const withModel = tf.memory().numTensors;
    await trainSupervised({ model, data: { x: data.x, y: data.y, validation: { x: val.x, y: val.y } }, config });
    model.optimizer.dispose();
    expect(tf.memory().numTensors).toBe(withModel);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
