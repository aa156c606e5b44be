import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Rng } from '@/lib/random';
import { compareWithCpu, createRng, loadWasm, randomTensor, relativeError, runKernelOn, type HostTensor } from './kernel-test-helpers';

beforeAll(loadWasm);

/** Random segment ids from −1 to numSegments (both ends out of range). */
function ids(rng: Rng, shape: number[], numSegments: number): HostTensor {
  return { values: Int32Array.from(randomTensor(rng, shape, () => rng.int(numSegments + 2) - 1).values), shape };
}

describe('UnsortedSegmentSum on wasm (embedding gradients)', () => {
  it('matches the cpu backend on random data, repeated and out-of-range ids', async () => {
    const rng = createRng(401);
    for (let i = 0; i < 30; i++) {
      const rows = 1 + rng.int(12);
      const inner = Array.from({ length: rng.int(3) }, () => 1 + rng.int(5));
      const numSegments = 1 + rng.int(8);
      const x = randomTensor(rng, [rows, ...inner]);
      // Ids from −1 to numSegments: the two ends are dropped on both backends.
      const segmentIds = ids(rng, [rows], numSegments);
      const { error, shape } = await compareWithCpu('UnsortedSegmentSum', { x, segmentIds }, { numSegments });
      expect(shape).toEqual([numSegments, ...inner]);
      expect(error, `x ${x.shape} segments ${numSegments}`).toBeLessThanOrEqual(1e-4);
    }
  });

  it('takes ids of rank 2 as TensorFlow does (the cpu backend only handles rank 1: compared on flattened ids)', async () => {
    const rng = createRng(403);
    for (let i = 0; i < 10; i++) {
      const idShape = [1 + rng.int(4), 1 + rng.int(5)];
      const inner = [1 + rng.int(4)];
      const numSegments = 1 + rng.int(6);
      const x = randomTensor(rng, [...idShape, ...inner]);
      const segmentIds = ids(rng, idShape, numSegments);
      const rows = idShape[0]! * idShape[1]!;
      const expected = await runKernelOn('cpu', 'UnsortedSegmentSum', { x: { ...x, shape: [rows, ...inner] }, segmentIds: { ...segmentIds, shape: [rows] } }, { numSegments });
      const actual = await runKernelOn('wasm', 'UnsortedSegmentSum', { x, segmentIds }, { numSegments });
      expect(actual.shape).toEqual([numSegments, ...inner]);
      expect(relativeError(actual.values, expected.values)).toBeLessThanOrEqual(1e-4);
    }
  });

  it('sums int32 data exactly', async () => {
    const x: HostTensor = { values: Int32Array.from([1, 2, 3, 4, 5, 6]), shape: [3, 2] };
    const segmentIds: HostTensor = { values: Int32Array.from([2, 0, 2]), shape: [3] };
    const { error } = await compareWithCpu('UnsortedSegmentSum', { x, segmentIds }, { numSegments: 3 });
    expect(error).toBe(0);
  });

  it('gives the gradient of an embedding lookup (gather) that the cpu backend gives', async () => {
    const rng = createRng(402);
    const table = randomTensor(rng, [50, 8]);
    const ids = Int32Array.from({ length: 4 * 7 }, () => rng.int(50));
    const gradient = async (backend: 'cpu' | 'wasm') => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const w = tf.tensor(table.values, table.shape);
        const t = tf.tensor(ids, [4, 7], 'int32');
        return tf
          .grad((v: tf.Tensor) => tf.sum(tf.square(tf.gather(v, t))))(w)
          .dataSync() as Float32Array;
      });
    };
    expect(relativeError(await gradient('wasm'), await gradient('cpu'))).toBeLessThanOrEqual(1e-4);
  });
});
