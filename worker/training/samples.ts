/**
 * Model inputs and outputs as small images for the UI (reconstructions, generated samples).
 */
import * as tf from '@tensorflow/tfjs';
import type { SampleImage } from './hooks';

/** [height, width, channels] when an example is an image (grey, RGB or RGBA), else null. */
export function imageShape(exampleShape: readonly (number | null)[]): [number, number, number] | null {
  if (exampleShape.some((d) => d === null)) return null;
  const [h, w, c = 1] = exampleShape as number[];
  if (exampleShape.length === 2 || (exampleShape.length === 3 && (c === 1 || c === 3 || c === 4))) return [h!, w!, c];
  return null;
}

/**
 * The value range pixels are drawn from: [0, 1] for sigmoid-style data, [-1, 1] for tanh-style
 * data, else the data's own range.
 */
export function pixelRange(x: tf.Tensor): [number, number] {
  const [min, max] = tf.tidy(() => [x.min().dataSync()[0]!, x.max().dataSync()[0]!]);
  if (min >= 0 && max <= 1) return [0, 1];
  if (min >= -1 && max <= 1) return [-1, 1];
  return [min, max];
}

/** Rows of `batch` ([n, ...image shape]) as 8-bit images, values clamped to `range`. */
export function toImages(batch: tf.Tensor, shape: [number, number, number], range: [number, number]): SampleImage[] {
  const [height, width, channels] = shape;
  const size = height * width * channels;
  const values = batch.dataSync();
  const [lo, hi] = range;
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  const images: SampleImage[] = [];
  for (let i = 0; i < batch.shape[0]!; i++) {
    const pixels = new Array<number>(size);
    for (let j = 0; j < size; j++) {
      const v = values[i * size + j]!;
      pixels[j] = Number.isFinite(v) ? Math.round(Math.min(255, Math.max(0, (v - lo) * scale))) : 0;
    }
    images.push({ width, height, channels, pixels });
  }
  return images;
}
