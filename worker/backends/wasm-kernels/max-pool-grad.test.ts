import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareWithCpu, createRng, loadWasm, randomTensor } from './kernel-test-helpers';

beforeAll(loadWasm);

describe('MaxPoolGrad on wasm', () => {
  it('matches the cpu backend, ties included (first maximum wins), on random windows, strides and paddings', async () => {
    const rng = createRng(501);
    for (let i = 0; i < 40; i++) {
      const inShape: [number, number, number, number] = [1 + rng.int(3), 1 + rng.int(10), 1 + rng.int(10), 1 + rng.int(5)];
      const filterSize: [number, number] = [1 + rng.int(3), 1 + rng.int(3)];
      const strides: [number, number] = [1 + rng.int(3), 1 + rng.int(3)];
      const pad: 'same' | 'valid' | number = (['same', 'valid', rng.int(2)] as const)[rng.int(3)]!;
      const dimRoundingMode = typeof pad === 'number' ? (['floor', 'round', 'ceil'] as const)[rng.int(3)] : undefined;
      const info = tf.backend_util.computePool2DInfo(inShape, filterSize, strides, 1, pad, dimRoundingMode);
      if (info.outHeight < 1 || info.outWidth < 1) continue;
      // Small integers (ReLU-like: a third are 0) make ties common.
      const input = randomTensor(rng, inShape, () => Math.max(0, rng.int(6) - 2));
      const dy = randomTensor(rng, info.outShape);
      const output = randomTensor(rng, info.outShape); // unused by both kernels
      const attrs = { filterSize, strides, pad, dimRoundingMode };
      const { error, shape } = await compareWithCpu('MaxPoolGrad', { dy, input, output }, attrs);
      expect(shape).toEqual(inShape);
      expect(error, `x ${inShape} window ${filterSize} strides ${strides} pad ${pad} ${dimRoundingMode ?? ''}`).toBeLessThanOrEqual(1e-4);
    }
  });
});
