import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ZArchitectureSpec } from '@/lib/arch/spec';
import { createRng } from '@/lib/random';
import { buildArchitecture } from '../model/build';
import { trainAutoencoder } from './autoencoder';
import { runConfig } from './fixtures';
import { DivergenceError, TrainingDataError, type SamplesEvent } from './hooks';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** 4×4 grey images, each one lit row or column (values in [0, 1]). */
function bars(n: number, seed: number): tf.Tensor3D {
  const rng = createRng(seed);
  const images = Array.from({ length: n }, () => {
    const image = Array.from({ length: 4 }, () => new Array<number>(4).fill(0.1));
    const at = rng.int(4);
    const horizontal = rng.chance(0.5);
    for (let i = 0; i < 4; i++) image[horizontal ? at : i]![horizontal ? i : at] = 0.9;
    return image;
  });
  return tf.tensor3d(images);
}

const spec = ZArchitectureSpec.parse({
  kind: 'autoencoder',
  encoder: [{ type: 'input', shape: [4, 4] }, { type: 'flatten' }, { type: 'dense', units: 12, activation: 'relu' }, { type: 'dense', name: 'code', units: 4, activation: 'relu' }],
  decoder: [
    { type: 'dense', units: 16, activation: 'sigmoid' },
    { type: 'reshape', targetShape: [4, 4] },
  ],
});

describe('trainAutoencoder', () => {
  it('learns to rebuild images with either loss and sends sample reconstructions each epoch', async () => {
    const x = bars(256, 1);
    const val = bars(32, 2);
    for (const loss of ['meanSquaredError', 'binaryCrossentropy'] as const) {
      const config = runConfig({ paradigm: 'autoencoder', epochs: 4, batchSize: 16, learningRate: 0.01, loss, autoencoder: { sampleCount: 3 } });
      const built = await buildArchitecture(spec, { seed: 4 });
      const samples: SamplesEvent[] = [];
      const result = await trainAutoencoder({
        encoder: built.models.encoder!,
        decoder: built.models.decoder!,
        data: { x, validation: { x: val } },
        config,
        hooks: { onSamples: (e) => void samples.push(e) },
      });
      const losses = result.history.logs.loss!;
      expect(losses[3], loss).toBeLessThan(losses[0]! * 0.8);
      expect(result.history.logs.val_loss, loss).toHaveLength(4);
      expect(result.history.logs.mae![3], loss).toBeLessThan(result.history.logs.mae![0]!);

      expect(samples.map((s) => s.epoch)).toEqual([1, 2, 3, 4]);
      const first = samples[0]!.samples;
      expect(first).toHaveLength(3);
      expect(first[0]!.input).toMatchObject({ width: 4, height: 4, channels: 1 });
      // Inputs are the validation images themselves, scaled to bytes.
      expect(first[0]!.input!.pixels).toEqual(Array.from(val.slice(0, 1).dataSync(), (v) => Math.round(v * 255)));
      expect(first[0]!.output.pixels).toHaveLength(16);
      // Reconstructions get closer to their inputs.
      const error = (e: SamplesEvent) => e.samples.reduce((s, { input, output }) => s + output.pixels.reduce((t, p, i) => t + Math.abs(p - input!.pixels[i]!), 0), 0);
      expect(error(samples[3]!)).toBeLessThan(error(samples[0]!));
      built.dispose();
    }
  });

  it('refuses inputs outside [0, 1] for binary crossentropy and reports a diverging loss', async () => {
    const config = runConfig({ paradigm: 'autoencoder', epochs: 1, loss: 'binaryCrossentropy' });
    const built = await buildArchitecture(spec, { seed: 4 });
    const x = tf.mul(bars(8, 3), 3);
    await expect(trainAutoencoder({ encoder: built.models.encoder!, decoder: built.models.decoder!, data: { x }, config })).rejects.toThrow(TrainingDataError);

    const nan = tf.fill([8, 4, 4], Number.NaN);
    const mse = runConfig({ paradigm: 'autoencoder', epochs: 1, batchSize: 4 });
    await expect(trainAutoencoder({ encoder: built.models.encoder!, decoder: built.models.decoder!, data: { x: nan }, config: mse })).rejects.toThrow(new DivergenceError(1, 1, Number.NaN));
    built.dispose();
  });
});
