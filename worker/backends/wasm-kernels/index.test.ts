import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from './index';
import { loadWasm } from './kernel-test-helpers';

beforeAll(loadWasm);
afterEach(() => vi.restoreAllMocks());

describe('registerWasmTrainingKernels', () => {
  it('registers every kernel once: a second call changes nothing and warns about nothing', () => {
    const before = WASM_TRAINING_KERNELS.map((name) => tf.getKernel(name, 'wasm'));
    expect(before.every(Boolean)).toBe(true);
    const warn = vi.spyOn(console, 'warn');
    registerWasmTrainingKernels();
    registerWasmTrainingKernels();
    expect(WASM_TRAINING_KERNELS.map((name) => tf.getKernel(name, 'wasm'))).toEqual(before);
    expect(warn).not.toHaveBeenCalled();
  });

  it('leaves no intermediate behind in the wasm backend', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const step = () =>
      tf.tidy(() => {
        const x = tf.randomNormal([2, 9, 9, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
        const f = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
        const d = tf.randomNormal([3, 3, 3, 2], 0, 1, 'float32', 3) as tf.Tensor4D;
        const table = tf.randomNormal([10, 4], 0, 1, 'float32', 4);
        const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, t: tf.Tensor) =>
          tf.add(
            tf.sum(tf.maxPool(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'), 2, 2, 'valid')),
            tf.add(tf.sum(tf.depthwiseConv2d(a as tf.Tensor4D, c as tf.Tensor4D, 1, 'same')), tf.sum(tf.matMul(tf.gather(t, [1, 3, 3]), t, false, true))),
          );
        tf.grads(loss)([x, f, d, table]);
      });
    step();
    const ids = backend.numDataIds();
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(backend.numDataIds()).toBe(ids);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('Identity shares the data: a clone outlives its source', async () => {
    await tf.setBackend('wasm');
    const source = tf.tensor1d([1, 2, 3]);
    const copy = tf.clone(source);
    source.dispose();
    expect(Array.from(copy.dataSync())).toEqual([1, 2, 3]);
    copy.dispose();
  });
});
