import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ZArchitectureSpec, type ArchitectureSpec } from '@/lib/arch/spec';
import { createRng } from '@/lib/random';
import { buildArchitecture } from '../model/build';
import { runConfig } from './fixtures';
import { trainGan } from './gan';
import { DivergenceError, type SamplesEvent } from './hooks';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const discriminator = [
  { type: 'dense', units: 16 },
  { type: 'activation', activation: 'leakyRelu', alpha: 0.2 },
  { type: 'dense', units: 1, activation: 'sigmoid' },
] as const;

const pointSpec = ZArchitectureSpec.parse({
  kind: 'gan',
  latentDim: 4,
  generator: [
    { type: 'dense', units: 16, activation: 'relu' },
    { type: 'dense', units: 2, activation: 'tanh' },
  ],
  discriminator,
});

/** Points around (0.6, −0.4): far from where an untrained tanh generator puts its samples. */
function points(n: number, seed: number): tf.Tensor2D {
  const rng = createRng(seed);
  return tf.tensor2d(Array.from({ length: n }, () => [0.6 + 0.05 * rng.normal(), -0.4 + 0.05 * rng.normal()]));
}

const ganConfig = (epochs: number, extra: Record<string, unknown> = {}) =>
  runConfig({ paradigm: 'gan', epochs, batchSize: 32, learningRate: 0.003, optimizer: { name: 'adam', beta1: 0.5 }, ...extra });

async function build(spec: ArchitectureSpec) {
  const built = await buildArchitecture(spec, { seed: 3 });
  return { built, generator: built.models.generator!, discriminator: built.models.discriminator! };
}

describe('trainGan', () => {
  it('moves generated samples onto the data, logging both losses and D accuracy per batch and epoch', async () => {
    const x = points(256, 1);
    const { built, generator, discriminator: d } = await build(pointSpec);
    const z = tf.randomNormal([200, 4], 0, 1, 'float32', 5);
    const distance = () => tf.tidy(() => tf.norm(tf.sub((generator.predict(z) as tf.Tensor).mean(0), [0.6, -0.4])).dataSync()[0]!);
    const before = distance();
    let batchEvents = 0;
    const result = await trainGan({
      generator,
      discriminator: d,
      data: { x },
      config: ganConfig(10),
      hooks: {
        onBatchEnd: (e) => {
          batchEvents++;
          expect(Object.keys(e.logs)).toEqual(['d_loss', 'g_loss', 'd_acc_real', 'd_acc_fake']);
        },
      },
    });
    expect(batchEvents).toBe(80);
    expect(result.history.epoch).toHaveLength(10);
    for (const key of ['d_loss', 'g_loss', 'd_acc_real', 'd_acc_fake']) expect(result.history.logs[key], key).toHaveLength(10);
    expect(before).toBeGreaterThan(0.5);
    expect(distance()).toBeLessThan(0.3 * before);
    built.dispose();
  });

  it('is reproducible for a seed, sends the same latent vectors as images every epoch, and stops on request', async () => {
    const imageSpec = ZArchitectureSpec.parse({
      kind: 'gan',
      latentDim: 3,
      generator: [
        { type: 'dense', units: 16, activation: 'tanh' },
        { type: 'reshape', targetShape: [4, 4, 1] },
      ],
      discriminator: [{ type: 'flatten' }, ...discriminator],
    });
    const rng = createRng(2);
    const x = tf.tensor4d(
      Array.from({ length: 64 * 16 }, () => rng.uniform(-1, 1)),
      [64, 4, 4, 1],
    );
    const run = async (stopAfter = Infinity) => {
      const { built, generator, discriminator: d } = await build(imageSpec);
      const samples: SamplesEvent[] = [];
      let batches = 0;
      const result = await trainGan({
        generator,
        discriminator: d,
        data: { x },
        config: ganConfig(2, { gan: { sampleCount: 6, discriminatorSteps: 2 } }),
        hooks: { onSamples: (e) => void samples.push(e), onBatchEnd: () => void batches++, shouldStop: () => batches >= stopAfter },
      });
      built.dispose();
      return { result, samples, batches };
    };
    const a = await run();
    const b = await run();
    expect(b.result.history).toEqual(a.result.history);
    expect(a.samples.map((s) => [s.epoch, s.kind, s.samples.length])).toEqual([
      [1, 'generated', 6],
      [2, 'generated', 6],
    ]);
    expect(a.samples[0]!.samples[0]!.output).toMatchObject({ width: 4, height: 4, channels: 1 });
    expect(a.samples[1]!.samples).toEqual(b.samples[1]!.samples);
    expect(a.samples[1]!.samples).not.toEqual(a.samples[0]!.samples);

    const stopped = await run(3);
    expect(stopped.result.stopReason).toBe('cancelled');
    expect(stopped.batches).toBe(3);
  });

  it('names the epoch and step when the discriminator loss becomes NaN', async () => {
    const x = points(64, 3).arraySync();
    x[10]![0] = Number.NaN;
    const { built, generator, discriminator: d } = await build(pointSpec);
    const error = await trainGan({ generator, discriminator: d, data: { x: tf.tensor2d(x) }, config: ganConfig(1, { batchSize: 64 }) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DivergenceError);
    expect((error as Error).message).toMatch(/^discriminator loss became NaN at epoch 1, step 1\b/);
    built.dispose();
  });
});
