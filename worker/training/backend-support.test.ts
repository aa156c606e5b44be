import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ZArchitectureSpec } from '@/lib/arch/spec';
import { getTemplate } from '@/lib/arch/templates';
import { ZRunConfig } from '@/lib/schemas/runs';
import { loadBestBackend } from '../backend';
import { trainingUnsupported } from './backend-support';
import { blobs, mlpSpec } from './fixtures';
import { trainRun } from './train-run';

beforeAll(async () => {
  await loadBestBackend('wasm');
});

const cnn = getTemplate('cnn-classifier').build({ inputShape: [4, 4], task: 'binary' });

describe('training on the wasm backend', () => {
  it('names the first layer wasm cannot train, and nothing on cpu', () => {
    expect(trainingUnsupported(cnn, 'wasm')).toBe(
      "model layer 2 'conv2d' (conv2d) cannot be trained on the wasm backend: tfjs-backend-wasm has no Conv2DBackpropFilter kernel",
    );
    expect(trainingUnsupported(cnn, 'cpu')).toBeNull();
    expect(trainingUnsupported(mlpSpec(3, 1, 'sigmoid'), 'wasm')).toBeNull();
    const text = getTemplate('text-classifier').build({ inputShape: [6], task: 'binary', vocabSize: 20 });
    expect(trainingUnsupported(text, 'wasm')).toContain("'embedding' (embedding)");
    // A frozen convolution needs no filter gradient.
    const frozen = ZArchitectureSpec.parse({
      kind: 'sequential',
      layers: [{ type: 'input', shape: [4, 4, 1] }, { type: 'conv2d', filters: 2, kernelSize: 3, trainable: false }, { type: 'flatten' }, { type: 'dense', units: 1, activation: 'sigmoid' }],
    });
    expect(trainingUnsupported(frozen, 'wasm')).toBeNull();
  });

  it('trains an MLP on wasm, and moves a CNN run to cpu with a log line', async () => {
    const data = blobs(64, 3, 1);
    const mlp = await trainRun({
      spec: mlpSpec(3, 1, 'sigmoid'),
      config: ZRunConfig.parse({ paradigm: 'supervised', epochs: 3, learningRate: 0.05 }),
      target: { task: 'binary' },
      data: { x: data.x, y: data.y },
    });
    expect(mlp.backend).toBe('wasm');
    expect(mlp.history.logs.loss![2]).toBeLessThan(mlp.history.logs.loss![0]!);
    mlp.dispose();

    const lines: string[] = [];
    const images = tf.randomUniform([8, 4, 4], 0, 1, 'float32', 1);
    const run = await trainRun({
      spec: cnn,
      config: ZRunConfig.parse({ paradigm: 'supervised', epochs: 1, batchSize: 4 }),
      target: { task: 'binary' },
      data: { x: images, y: tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1]) },
      hooks: { log: (l) => void lines.push(l) },
    });
    expect(run.backend).toBe('cpu');
    expect(lines[0]).toMatch(/cannot be trained on the wasm backend.*; training on the cpu backend instead$/);
    run.dispose();
  });
});
