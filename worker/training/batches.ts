/**
 * Seeded batching. tfjs's fit() shuffles with Math.random, so trainers shuffle here instead:
 * the order of epoch e depends only on (seed, e), so a resumed run sees the same batches an
 * uninterrupted one would.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, deriveSeed } from '@/lib/random';

/** Stream ids mixed into the run seed, so shuffling and noise never share a stream. */
export const STREAMS = { shuffle: 1, latent: 2, sampleNoise: 3, episodes: 4, fixedSamples: 5 } as const;

/** The example order for one epoch (1-based epoch). */
export function epochOrder(count: number, seed: number, epoch: number): Int32Array {
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  createRng(deriveSeed(seed, STREAMS.shuffle, epoch)).shuffle(order);
  return order;
}

export function batchCount(count: number, batchSize: number): number {
  return Math.ceil(count / batchSize);
}

/** Indices of batch b of an epoch's order (the last batch may be short, as in Keras). */
export function batchIndices(order: Int32Array, batchSize: number, batch: number): Int32Array {
  return order.subarray(batch * batchSize, Math.min(order.length, (batch + 1) * batchSize));
}

/** Gathers the rows of each tensor at the given indices. */
export function gatherRows<T extends tf.Tensor>(tensors: T[], indices: Int32Array): T[] {
  return tf.tidy(() => {
    const idx = tf.tensor1d(indices, 'int32');
    return tensors.map((t) => tf.gather(t, idx) as T);
  });
}

/** Contiguous row ranges for evaluation in chunks (no gradient, so larger than a batch). */
export function* chunks(count: number, size: number): Generator<[start: number, size: number]> {
  for (let start = 0; start < count; start += size) yield [start, Math.min(size, count - start)];
}
