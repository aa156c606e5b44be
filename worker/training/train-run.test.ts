import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { getTemplate } from '@/lib/arch/templates';
import { RunConfigError, ZRunConfig, type RunConfigInput } from '@/lib/schemas/runs';
import { blobs, mlpSpec } from './fixtures';
import { trainRun } from './train-run';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const config = (input: RunConfigInput) => ZRunConfig.parse({ batchMetricThrottleMs: 0, ...input });

describe('trainRun', () => {
  it('trains each paradigm from its spec, leaving no tensors behind once disposed', async () => {
    const data = blobs(64, 4, 1);
    const images = tf.randomUniform([32, 4, 4], 0, 1, 'float32', 2);
    const samples = tf.randomUniform([32, 3], -1, 1, 'float32', 3);
    const before = tf.memory().numTensors;
    const supervised = await trainRun({
      spec: mlpSpec(4, 1, 'sigmoid'),
      config: config({ paradigm: 'supervised', epochs: 2, seed: 3 }),
      target: { task: 'binary' },
      data: { x: data.x, y: data.y },
    });
    expect(supervised.config.loss).toBe('binaryCrossentropy');
    expect(supervised.history.epoch).toEqual([1, 2]);
    expect(Object.keys(supervised.models)).toEqual(['model']);
    supervised.dispose();

    const autoencoder = await trainRun({
      spec: getTemplate('autoencoder').build({ inputShape: [4, 4], task: 'regression' }),
      config: config({ paradigm: 'autoencoder', epochs: 2, batchSize: 8 }),
      data: { x: images },
    });
    expect(autoencoder.config.loss).toBe('meanSquaredError');
    expect(autoencoder.history.logs.loss).toHaveLength(2);
    autoencoder.dispose();

    const gan = await trainRun({
      spec: getTemplate('mlp-gan').build({ inputShape: [3], task: 'regression' }),
      config: config({ paradigm: 'gan', epochs: 1, batchSize: 16 }),
      data: { x: samples },
    });
    expect(Object.keys(gan.history.logs)).toEqual(['d_loss', 'g_loss', 'd_acc_real', 'd_acc_fake', 'learning_rate']);
    gan.dispose();

    const rl = await trainRun({
      spec: getTemplate('policy-network').build({ inputShape: [4], task: 'multiclass', numClasses: 2 }),
      config: config({ paradigm: 'reinforcement', rl: { algorithm: 'actor-critic', episodes: 3 } }),
    });
    expect(rl.history.epoch).toEqual([1, 2, 3]);
    expect(rl.solvedAt).toBeNull();
    rl.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a spec of the wrong kind and a config that does not fit the task', async () => {
    const data = blobs(16, 4, 1);
    await expect(trainRun({ spec: mlpSpec(4, 1, 'sigmoid'), config: config({ paradigm: 'gan' }), data: { x: data.x } })).rejects.toThrow(
      new RunConfigError('gan training needs a gan architecture; this one is sequential'),
    );
    await expect(
      trainRun({ spec: mlpSpec(4, 1, 'sigmoid'), config: config({ paradigm: 'supervised', loss: 'meanSquaredError' }), target: { task: 'binary' }, data: { x: data.x, y: data.y } }),
    ).rejects.toThrow('loss meanSquaredError does not fit a binary task; use binaryCrossentropy');
    await expect(trainRun({ spec: mlpSpec(4, 1, 'sigmoid'), config: config({ paradigm: 'supervised' }), target: { task: 'binary' }, data: { x: data.x } })).rejects.toThrow(
      'supervised training needs labels',
    );
  });
});
